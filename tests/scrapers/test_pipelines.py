from __future__ import annotations

import asyncio
import inspect
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from opinion.store.db import documents, open_store
from opinion.store.privacy import pseudonym, workspace_key
from scrapers import settings as project_settings
from scrapers.items import DocumentItem
from scrapers.pipelines import (
    AttributesPipeline,
    CleanTextPipeline,
    DropEmptyPipeline,
    MaskPipeline,
    PseudonymPipeline,
    SincePipeline,
    StorePipeline,
    content_hash,
    normalise_whitespace,
    run_record,
)
from scrapers.spiders import DiscuzSpider, GovLettersSpider

URL = "http://bbs.example.cn/forum/thread-101-1-1.html"


def crawler_for(tmp_path: Path, spidercls: Any = DiscuzSpider, **spider_kwargs: Any) -> Any:
    project = {name: value for name, value in vars(project_settings).items() if name.isupper()}
    crawler = get_crawler(spidercls, {**project, "TONGXIN_DB": str(tmp_path / "t.db"), "TONGXIN_STORE_THREAD": False})
    spider_kwargs.setdefault("urls", [URL])
    crawler.spider = spidercls.from_crawler(crawler, **spider_kwargs)
    return crawler


def post(pid: int = 1, author: str = "城关小王", text: str = "小区停车难", **extra: Any) -> DocumentItem:
    fields = dict(
        url=f"{URL}#pid{pid}", source="discuz", kind="post", author=author, title=None, text=text,
        posted_at="2026-10-12T20:31:00", posted_raw="2026-10-12 20:31", fetched_at="2026-11-27T12:00:00+08:00",
    )
    return DocumentItem(**{**fields, **extra})


def letter(url: str = "http://gov.example.cn/letters/detail_0001.html", reply: str = "来信收悉。") -> DocumentItem:
    return DocumentItem(
        url=url, source="gov-letters", kind="letter", author="王**", title="村口道路", text="路坏了，电话13812345678",
        reply_text=reply, reply_unit="柳林乡人民政府", posted_at="2026-10-01T09:12:00", posted_raw="2026-10-01 09:12",
        fetched_at="2026-11-27T12:00:00+08:00", location="柳林乡 杨庄村",
    )


def chain(crawler: Any) -> list[Any]:
    stages = [CleanTextPipeline(), SincePipeline.from_crawler(crawler), DropEmptyPipeline(), AttributesPipeline(),
              MaskPipeline(), PseudonymPipeline.from_crawler(crawler), StorePipeline.from_crawler(crawler)]
    for stage in stages:
        if hasattr(stage, "open_spider"):
            stage.open_spider()
    return stages


def run_through(stages: list[Any], item: DocumentItem) -> DocumentItem:
    for stage in stages:
        item = stage.process_item(item)
        if inspect.iscoroutine(item):  # the store writes asynchronously; without its thread it never waits
            item = asyncio.run(item)
    return item


def stored(tmp_path: Path) -> list[dict[str, Any]]:
    with open_store(tmp_path / "t.db") as store, store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(documents).order_by(documents.c.url)).mappings()]


def test_normalise_whitespace() -> None:
    assert normalise_whitespace("  村里\u3000垃圾 \t 一周\xa0才清运\n\n\n 一次\u200b ") == "村里 垃圾 一周 才清运\n一次"
    assert normalise_whitespace(None) == ""


def test_clean_then_drop_empty() -> None:
    item = CleanTextPipeline().process_item(post(text=" \n\u3000 "))
    assert item["text"] is None
    with pytest.raises(DropItem, match="empty text"):
        DropEmptyPipeline().process_item(item)


def test_since_drops_old_posts_and_undated_ones_it_cannot_place(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path, since=date(2026, 11, 1))
    stage = SincePipeline.from_crawler(crawler)
    with pytest.raises(DropItem, match="posted before --since"):
        stage.process_item(post())
    recent = post(posted_at="2026-11-01", posted_raw="2026-11-01")
    assert stage.process_item(recent) is recent
    # An unknown date is never taken as a new one: dropped under its own reason, and counted.
    with pytest.raises(DropItem, match=r"^undated \(--since cannot place it\)$"):
        stage.process_item(post(posted_at=None, posted_raw="上周四"))
    with pytest.raises(DropItem, match="undated"):
        stage.process_item(post(posted_at=None, posted_raw=None))
    assert crawler.stats.get_value("tongxin/dates/unreadable") == 1
    assert crawler.stats.get_value("tongxin/dates/missing") == 1


def test_without_since_undated_documents_are_stored_and_counted(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path)
    stages = chain(crawler)
    run_through(stages, post(1, posted_at=None, posted_raw="上周四"))
    run_through(stages, post(2))
    stages[-1].close_spider()
    assert [d["posted_raw"] for d in stored(tmp_path)] == ["上周四", "2026-10-12 20:31"]
    with open_store(tmp_path / "t.db") as store:
        assert run_record(store, 1)["stats"]["dates"] == {"unreadable": 1}


def test_attributes_from_site_profile() -> None:
    item = AttributesPipeline().process_item(post(sex="女", age="34", location="城关镇"))
    assert item["attributes"] == {
        "sex": {"value": "female", "provenance": "site"},
        "age": {"value": 34, "provenance": "site"},
        "age_group": {"value": "30-44", "provenance": "site"},
        "place": {"value": "城关镇", "provenance": "site"},
        "region": {"value": "城关镇", "provenance": "site"},
    }
    letter_item = AttributesPipeline().process_item(letter())
    assert letter_item["attributes"]["region"]["value"] == "柳林乡"
    assert letter_item["attributes"]["place"]["value"] == "柳林乡 杨庄村"


def test_attributes_leave_unreadable_values_out() -> None:
    item = AttributesPipeline().process_item(post(sex="保密", age="二百", location=None))
    assert item["attributes"] == {}
    minor = AttributesPipeline().process_item(post(age="16岁"))
    assert minor["attributes"] == {"age": {"value": 16, "provenance": "site"}}  # no adult age group


def test_mask_covers_text_title_and_reply() -> None:
    item = MaskPipeline().process_item(letter(reply="请拨打13987654321联系"))
    assert "13812345678" not in item["text"] and "[手机号]" in item["text"]
    assert "13987654321" not in item["reply_text"]


def test_pseudonyms_posts_by_name_letters_by_url(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path)
    stage = PseudonymPipeline.from_crawler(crawler)
    stage.open_spider()
    key = workspace_key(open_store(tmp_path / "t.db").key_path)
    a, b, c = (stage.process_item(post(pid, author)) for pid, author in ((1, "城关小王"), (2, "城关小王"), (3, "柳林老张")))
    assert a["author"] == b["author"] == pseudonym(key, "城关小王")
    assert c["author"] != a["author"]
    one = stage.process_item(letter("http://gov.example.cn/letters/detail_0001.html"))
    two = stage.process_item(letter("http://gov.example.cn/letters/detail_0002.html"))
    assert one["author"] == pseudonym(key, "http://gov.example.cn/letters/detail_0001.html")
    assert one["author"] != two["author"]  # same masked name 王**, two different writers


def test_store_new_unchanged_updated_and_run_record(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path, GovLettersSpider, urls=["http://gov.example.cn/letters/list_1.html"])
    stages = chain(crawler)
    store_stage = stages[-1]
    run_through(stages, letter())
    run_through(stages, post(1, text="第一条"))
    run_through(stages, post(1, text="第一条"))  # same content again
    run_through(stages, letter(reply="已安排修路。"))  # the reply changed: updated, hash unchanged
    run_through(stages, post(1, text="第一条（已编辑）"))
    store_stage.item_dropped(post(), None, DropItem("empty text"))
    store_stage.close_spider()

    rows = stored(tmp_path)
    assert len(rows) == 2
    post_row, letter_row = rows  # ordered by URL: bbs.example.cn before gov.example.cn
    assert letter_row["kind"] == "letter" and post_row["kind"] == "post"
    assert letter_row["text"] == "路坏了，电话[手机号]"
    assert letter_row["reply_text"] == "已安排修路。"
    assert letter_row["content_hash"] == content_hash("村口道路", "路坏了，电话[手机号]")
    assert letter_row["author"].startswith("v_") and "王" not in letter_row["author"]
    assert json.loads(letter_row["attributes"])["region"] == {"value": "柳林乡", "provenance": "site"}
    assert post_row["text"] == "第一条（已编辑）"

    record = run_record(open_store(tmp_path / "t.db"), store_stage.run_id)
    assert record["profile"] == "gov-letters"
    assert record["start_urls"] == ["http://gov.example.cn/letters/list_1.html"]
    assert record["finished_at"] >= record["started_at"]
    assert record["settings"]["ROBOTSTXT_OBEY"] is True
    assert record["stats"]["documents"] == {"new": 2, "updated": 2, "unchanged": 1}
    assert record["stats"]["dropped"] == {"empty text": 1}
    assert letter_row["crawl_run_id"] == store_stage.run_id


def test_content_hash_covers_title_and_text_only() -> None:
    assert content_hash("标题", "正文") == content_hash("标题", "正文")
    assert content_hash("标题", "正文") != content_hash(None, "正文")
    assert len(content_hash(None, "x")) == 64


def letter_doc(stage: StorePipeline, n: int, text: str | None = "路坏了") -> dict[str, Any]:
    return {"url": f"http://gov.example.cn/letters/detail_{n:04d}.html", "source": "gov-letters", "kind": "letter",
            "title": f"第{n}封", "text": text, "content_hash": content_hash(f"第{n}封", text or ""),
            "fetched_at": "2026-11-27T12:00:00+08:00", "crawl_run_id": stage.run_id, "attributes": {}}


def test_store_batch_is_one_transaction_with_the_outcomes_of_one_by_one_writes(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path, GovLettersSpider, urls=["http://gov.example.cn/letters/list_1.html"])
    stage = StorePipeline.from_crawler(crawler)
    stage.open_spider()
    first = letter_doc(stage, 1)
    changed = {**letter_doc(stage, 1, text="路坏了，三个月了"), "fetched_at": "2026-11-28T12:00:00+08:00"}
    results = stage._write_batch([first, letter_doc(stage, 2), dict(first), changed])
    assert results == ["new", "new", "unchanged", "updated"]  # later documents see earlier ones of the batch
    stage.close_spider()
    rows = stored(tmp_path)
    assert [r["text"] for r in rows] == ["路坏了，三个月了", "路坏了"]
    with open_store(tmp_path / "t.db") as store, store.engine.connect() as conn:
        from opinion.store.db import document_versions
        versions = conn.execute(sa.select(document_versions.c.text)).scalars().all()
    assert versions == ["路坏了"]


def test_store_batch_with_a_bad_document_fails_that_document_alone(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path, GovLettersSpider, urls=["http://gov.example.cn/letters/list_1.html"])
    stage = StorePipeline.from_crawler(crawler)
    stage.open_spider()
    results = stage._write_batch([letter_doc(stage, 1), letter_doc(stage, 2, text=None), letter_doc(stage, 3)])
    stage.close_spider()
    assert results[0] == "new" and results[2] == "new"
    assert isinstance(results[1], sa.exc.IntegrityError)  # documents.text is NOT NULL
    assert [r["url"][-16:] for r in stored(tmp_path)] == ["detail_0001.html", "detail_0003.html"]
