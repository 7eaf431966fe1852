from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from scrapy import Request
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from opinion.errors import InputError
from opinion.store.db import documents, get_watermark, open_store, set_watermark
from scrapers.items import DocumentItem
from scrapers.profiles import load_profile
from scrapers.spiders import JsonApiSpider
from scrapers.spiders.json_api import id_key, pick
from tests.helpers import REPO, TEST_DATA
from tests.sites.apisite import serve_dynamic

DATA = TEST_DATA / "json_api"
NOW = "2026-11-27T12:00:00"
API = "http://board.example.gov.cn/api/messages?page=1&pageSize=3"
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", f"TONGXIN_NOW={NOW}"]


def make_spider(**kwargs: Any) -> JsonApiSpider:
    crawler = get_crawler(JsonApiSpider, {"TONGXIN_NOW": NOW})
    kwargs.setdefault("urls", [API])
    return JsonApiSpider.from_crawler(crawler, **kwargs)


def split(results: Any) -> tuple[list[DocumentItem], list[Request]]:
    results = list(results)
    return [r for r in results if isinstance(r, DocumentItem)], [r for r in results if isinstance(r, Request)]


def reply(url: str, body: bytes) -> TextResponse:
    return TextResponse(url, body=body, encoding="utf-8", headers={"Content-Type": "application/json"},
                        request=Request(url))


def custom_profile(tmp_path: Path, **replace: str) -> Any:
    text = (REPO / "data" / "profiles" / "json-api.yaml").read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    return load_profile(tmp_path / "p.yaml")


def test_pick_follows_dotted_paths() -> None:
    data = {"data": {"list": [{"a": {"b": 1}}, {"a": {"b": 2}}, {"x": 3}], "n": [7, 8]}}
    assert pick(data, "data.list[*].a.b") == [1, 2]
    assert pick(data, "data.n[1]") == [8]
    assert pick(data, "data.missing[*]") == []
    assert id_key("10") > id_key("9")


def test_fields_by_path_from_a_saved_page() -> None:
    items, requests = split(make_spider().parse(reply(API, (DATA / "page1.json").read_bytes())))
    first, second, third = items
    assert first["url"] == "http://board.example.gov.cn/api/detail?id=1205"
    assert first["title"] == "小区电梯停运"
    assert first["text"].startswith("幸福里小区3号楼电梯停了一周")
    assert first["author"] == "幸福里居民"
    assert first["posted_at"] == "2026-11-20T18:05:00"
    assert first["location"] == "城关镇 幸福里社区"
    assert first["reply_text"] == "已督促物业11月22日前修复。" and first["reply_unit"] == "县住建局"
    assert second["posted_at"] == "2026-11-26T09:30:00"  # 昨天 against the pinned fetch time
    assert second["reply_text"] is None
    assert third["text"] == ""  # the pipeline drops it as empty, counted
    assert requests == []  # total 3 reached with page size 3


def test_watermark_skips_old_items_and_stops_paging() -> None:
    spider = make_spider()
    spider.watermark = "1204"
    items, requests = split(spider.parse(reply(API, (DATA / "page1.json").read_bytes())))
    assert [i["source_id"] for i in items] == ["1205"]
    assert requests == []


def test_cursor_paging_uses_the_cursor_path(tmp_path: Path) -> None:
    profile = custom_profile(tmp_path, **{"pagination: page": "pagination: cursor",
                                          '  total: "data.total"': '  cursor: "data.lastItem"'})
    spider = make_spider(profile=profile, urls=["http://board.example.gov.cn/api/feed"])
    _, requests = split(spider.parse(reply("http://board.example.gov.cn/api/feed?pageSize=20",
                                           (DATA / "page1.json").read_bytes())))
    (nxt,) = requests
    assert nxt.url == "http://board.example.gov.cn/api/feed?pageSize=20&lastItem=1203"


def test_not_json_is_counted() -> None:
    spider = make_spider()
    assert list(spider.parse(reply(API, b"<html>maintenance</html>"))) == []
    assert spider.crawler.stats.get_value("tongxin/errors/parse:not-json") == 1


def test_profile_path_errors_are_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"p.yaml line \d+: 'paths.text' must be a dotted path"):
        custom_profile(tmp_path, **{'text: "content"': 'text: "content[x]"'})
    with pytest.raises(InputError, match=r"unknown key 'paths.body' for spider json_api"):
        custom_profile(tmp_path, **{'text: "content"': 'body: "content"'})
    with pytest.raises(InputError, match="options.pagination must be 'page' or 'cursor', got 'offset'"):
        make_spider(profile=custom_profile(tmp_path, **{"pagination: page": "pagination: offset"}))


def test_watermark_table(tmp_path: Path) -> None:
    with open_store(tmp_path / "t.db") as store, store.engine.begin() as conn:
        assert get_watermark(conn, "json-api http://x/") is None
        set_watermark(conn, "json-api http://x/", "41", "2026-11-27T12:00:00+08:00", None)
        set_watermark(conn, "json-api http://x/", "57", "2026-11-28T12:00:00+08:00", 3)
        assert get_watermark(conn, "json-api http://x/") == "57"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TONGXIN_DB"}
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)


def count(db: Path) -> int:
    with open_store(db) as store, store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one())


def test_incremental_crawls_of_a_local_json_board(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    with serve_dynamic("json", 45) as site:
        url = site.base + "/api/messages"
        first = run_cli("crawl", "json-api", url, "--db", str(db), *FAST)
        first_asked = [r["query"] for r in site.requests]
        site.requests.clear()
        second = run_cli("crawl", "json-api", url, "--db", str(db), *FAST)
        second_asked = [r["query"] for r in site.requests]
        after_second = count(db)
        site.messages = 50  # five new messages
        site.requests.clear()
        third = run_cli("crawl", "json-api", url, "--db", str(db), *FAST)
        third_asked = [r["query"] for r in site.requests]
    assert first.returncode == 0, first.stderr[-2000:]
    assert [q["page"] for q in first_asked] == ["1", "2", "3"]  # 45 items, 20 a page
    assert all("minId" not in q for q in first_asked)
    assert "documents: 45 new" in first.stdout
    # nothing new: one request, above the watermark, nothing added, and not a failure
    assert second.returncode == 0, second.stdout + second.stderr[-2000:]
    assert second_asked == [{"page": "1", "pageSize": "20", "minId": "45"}]
    assert "documents: 0 new, 0 updated, 0 unchanged" in second.stdout
    assert "incremental: up_to_date 1" in second.stdout
    assert after_second == 45
    assert third.returncode == 0, third.stderr[-2000:]
    assert third_asked == [{"page": "1", "pageSize": "20", "minId": "45"}]
    assert "documents: 5 new" in third.stdout
    assert count(db) == 50
    with open_store(db) as store, store.engine.connect() as conn:
        assert get_watermark(conn, f"json-api {url}") == "50"
        texts = [r.text for r in conn.execute(sa.select(documents.c.text))]
    assert all("13812345678" not in t for t in texts)


def test_cursor_crawl_of_a_local_feed(tmp_path: Path) -> None:
    profile = custom_profile(tmp_path, **{"pagination: page": "pagination: cursor"})
    db = tmp_path / "t.db"
    with serve_dynamic("json", 25) as site:
        result = run_cli("crawl", str(profile.path), site.base + "/api/feed", "--db", str(db), *FAST)
        asked = [r["query"].get("lastItem") for r in site.requests]
    assert result.returncode == 0, result.stderr[-2000:]
    # no cursor path in the profile: the last id read is the cursor; 20 a page, newest
    # first: 25..6, then 5..1, then an empty page ends the walk
    assert asked == [None, "6", "1"]
    assert count(db) == 25


def test_epoch_and_iso_times_from_the_api_are_read_in_china_time() -> None:
    # 1772512200 s = 2026-03-03 04:30 UTC; JSON numbers, milliseconds and ISO strings with Z alike.
    body = ('{"data": {"total": 3, "list": ['
            '{"id": 3, "content": "路灯坏了", "createTime": 1772512200, "reply": {"time": "2026-03-04T02:00:00Z"}},'
            '{"id": 2, "content": "路面积水", "createTime": 1772512200000},'
            '{"id": 1, "content": "垃圾清运", "createTime": "2026-03-03T04:30:00.000+0000"}]}}').encode()
    items, _ = split(make_spider().parse(reply(API, body)))
    assert [i["posted_at"] for i in items] == ["2026-03-03T12:30:00"] * 3
    assert [i["posted_raw"] for i in items] == ["1772512200", "1772512200000", "2026-03-03T04:30:00.000+0000"]
    assert items[0]["replied_at"] == "2026-03-04T10:00:00"
