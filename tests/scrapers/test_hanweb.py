from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from scrapy import Request
from scrapy.http import HtmlResponse, XmlResponse
from scrapy.utils.test import get_crawler

from opinion.errors import InputError
from opinion.store.db import documents, open_store
from scrapers.items import DocumentItem
from scrapers.middlewares import CharsetMiddleware
from scrapers.profiles import load_profile
from scrapers.spiders import HanwebSpider
from scrapers.spiders.hanweb import parse_datastore
from tests.helpers import REPO, TEST_DATA
from tests.sites.apisite import serve_dynamic

DATA = TEST_DATA / "hanweb"
NOW = "2026-11-27T12:00:00"
PROXY = "http://www.example.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=3&perpage=15"
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", f"TONGXIN_NOW={NOW}"]


def make_spider(**kwargs: Any) -> HanwebSpider:
    crawler = get_crawler(HanwebSpider, {"TONGXIN_NOW": NOW})
    kwargs.setdefault("urls", [PROXY])
    return HanwebSpider.from_crawler(crawler, **kwargs)


def split(results: Any) -> tuple[list[DocumentItem], list[Request]]:
    results = list(results)
    return [r for r in results if isinstance(r, DocumentItem)], [r for r in results if isinstance(r, Request)]


def html(name: str, url: str) -> HtmlResponse:
    raw = HtmlResponse(url, body=(DATA / name).read_bytes(), headers={"Content-Type": "text/html"}, request=Request(url))
    return CharsetMiddleware().process_response(raw.request, raw)


def test_datastore_total_and_records() -> None:
    total, records = parse_datastore((DATA / "dataproxy.xml").read_bytes())
    assert total == 47
    assert len(records) == 3
    assert records[0].strip().startswith('<li><a href="/art/2026/10/12/art_1537_90211.html"')
    assert parse_datastore(b"<html><body>no list</body></html>") is None


def test_dataproxy_answer_gives_detail_links_and_the_next_records() -> None:
    spider = make_spider()
    reply = XmlResponse(PROXY, body=(DATA / "dataproxy.xml").read_bytes(), request=Request(PROXY))
    items, requests = split(spider.parse(reply))
    assert items == []
    urls = [r.url for r in requests]
    assert urls[:3] == [
        "http://www.example.gov.cn/art/2026/10/12/art_1537_90211.html",
        "http://www.example.gov.cn/art/2026/10/08/art_1537_90187.html",  # utm_source dropped
        "http://www.example.gov.cn/art/2026/09/30/art_1537_90102.html",
    ]
    # records 1-3 of 47 read: the next request asks for 4-6
    assert urls[3] == "http://www.example.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=15"
    assert requests[3].method == "GET"


def test_last_records_end_the_paging() -> None:
    spider = make_spider()
    url = PROXY.replace("startrecord=1&endrecord=3", "startrecord=46&endrecord=48")
    _, requests = split(spider.parse(XmlResponse(url, body=(DATA / "dataproxy.xml").read_bytes(), request=Request(url))))
    assert all("dataproxy" not in r.url for r in requests)


def test_since_stops_at_old_records() -> None:
    spider = make_spider(since="2026-10-01")
    _, requests = split(spider.parse(XmlResponse(PROXY, body=(DATA / "dataproxy.xml").read_bytes(),
                                                 request=Request(PROXY))))
    urls = [r.url for r in requests]
    assert [u.rsplit("_", 1)[-1] for u in urls[:2]] == ["90211.html", "90187.html"]
    assert "art_1537_90102" not in " ".join(urls)  # posted 2026-09-30: skipped unfetched
    assert "startrecord=4" in urls[-1]  # a page with recent records goes on to the next


def test_post_method_sends_the_column_form(tmp_path: Path) -> None:
    text = (REPO / "data" / "profiles" / "hanweb.yaml").read_text(encoding="utf-8")
    text = text.replace("method: GET", "method: POST").replace("form: {}", "form: {columnid: 1537, unitid: 8867}")
    (tmp_path / "post.yaml").write_text(text, encoding="utf-8")
    spider = make_spider(profile=load_profile(tmp_path / "post.yaml"))
    _, requests = split(spider.parse(XmlResponse(PROXY, body=(DATA / "dataproxy.xml").read_bytes(),
                                                 request=Request(PROXY))))
    nxt = requests[-1]
    assert nxt.method == "POST"
    assert nxt.body == b"columnid=1537&unitid=8867"
    assert spider.resumed_request(nxt.url, {}).method == "POST"


def test_bad_method_option_is_named(tmp_path: Path) -> None:
    text = (REPO / "data" / "profiles" / "hanweb.yaml").read_text(encoding="utf-8").replace("method: GET", "method: PUT")
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="options.method must be GET or POST, got 'PUT'"):
        make_spider(profile=load_profile(tmp_path / "bad.yaml"))


def test_letter_page_fields_by_label() -> None:
    url = "http://www.example.gov.cn/art/2026/10/12/art_1537_90211.html"
    items, requests = split(make_spider().parse(html("letter.html", url)))
    assert requests == []
    (item,) = items
    assert item["kind"] == "letter"
    assert item["title"] == "关于城关镇东街路灯不亮的问题"
    assert item["author"] == "王女士" and item["sex"] == "女"
    assert item["posted_at"] == "2026-10-12T08:41:07"
    assert item["category"] == "投诉"
    assert item["text"] == "东街十字路口到粮站一段路灯已经坏了一个多月，晚上接孩子很不安全。\n我的电话是13912345678。"
    assert item["reply_unit"] == "县城市管理局"
    assert item["reply_text"].startswith("您好！经现场查看")
    assert item["replied_at"].startswith("2026-10-15")


def test_gbk_article_page_body() -> None:
    url = "http://www.example.gov.cn/art/2026/11/3/art_1538_1.html"
    (item,) = split(make_spider().parse(html("article_gbk.html", url)))[0]
    assert item["kind"] == "article"
    assert item["title"] == "关于做好冬季供暖工作的答复"
    assert item["posted_at"] == "2026-11-03T10:20:00"
    assert "网民反映城南小区暖气不热。" in item["text"]
    assert "color:red" not in item["text"] and "分享到" not in item["text"] and "首页" not in item["text"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TONGXIN_DB"}
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)


def test_real_crawl_of_a_local_hanweb_column(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    with serve_dynamic("hanweb", 40) as site:
        first = run_cli("crawl", "hanweb", site.base + "/col/col12/index.html", "--db", str(db), *FAST)
        asked = [r for r in site.requests if r["path"].endswith("dataproxy.jsp")]
        second = run_cli("crawl", "hanweb", site.base + "/col/col12/index.html", "--db", str(db), *FAST)
    assert first.returncode == 0, first.stderr[-2000:]
    # 15 records embedded in the list page, then 16-60 from the dataproxy (45 per request): one request
    assert [(r["query"]["startrecord"], r["query"]["endrecord"]) for r in asked] == [("16", "60")]
    assert "documents: 40 new, 0 updated, 0 unchanged" in first.stdout
    with open_store(db) as store, store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(documents)).mappings()]
    assert len(rows) == 40
    kinds = {r["url"].rsplit("_", 1)[-1]: r["kind"] for r in rows}
    assert kinds["12.html"] == "letter" and kinds["13.html"] == "article"
    assert all("13812345678" not in r["text"] for r in rows)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "documents: 0 new, 0 updated, 40 unchanged" in second.stdout
