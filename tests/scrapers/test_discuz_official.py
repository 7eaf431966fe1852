"""Official replies on a government-run Discuz! forum are kept apart from citizens' voices.

The forum is ``tests/sites/dev_boards/discuz_gov`` (see its ``_generate.py``): served on
127.0.0.1 and crawled with ``tongxin crawl discuz`` (real Scrapy, real HTTP, real SQLite).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from opinion.store.db import open_store
from scrapers.items import DocumentItem
from scrapers.localsite import serve_directory
from scrapers.spiders import DiscuzSpider
from tests.helpers import FAST, REPO

FORUM = REPO / "tests" / "sites" / "dev_boards" / "discuz_gov"
EXPECTED = json.loads((FORUM / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("discuz_gov") / "t.db"
    env = {k: v for k, v in os.environ.items() if k != "TONGXIN_DB"}
    with serve_directory(FORUM) as base:
        result = subprocess.run([sys.executable, "-m", "cli", "crawl", "discuz", f"{base}/{EXPECTED['list_pages'][0]}",
                                 "--db", str(db), *FAST], cwd=REPO, env=env, capture_output=True, text=True,
                                timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    with open_store(db) as store, store.engine.connect() as conn:
        docs = [dict(r) for r in conn.execute(sa.text("select * from documents")).mappings()]
        run = conn.execute(sa.text("select stats from crawl_runs order by id desc")).first()
    by_pid = {d["url"].rsplit("#pid", 1)[1]: d for d in docs}
    return {"db": db, "docs": by_pid, "stats": json.loads(run.stats), "stdout": result.stdout}


def _posts() -> list[dict[str, Any]]:
    return list(EXPECTED["posts"])


@pytest.mark.slow
@pytest.mark.parametrize("letter", EXPECTED["letters"], ids=lambda letter: letter["url"])
def test_each_answer_becomes_the_opening_posts_reply(crawled: dict[str, Any], letter: dict[str, Any]) -> None:
    tid = letter["url"].split("-")[1]
    opening = next(p for p in _posts() if str(p["thread"]) == tid)
    doc = crawled["docs"][str(opening["pid"])]
    assert doc["kind"] == "post"
    assert doc["title"] == letter["title"]
    assert letter["body"] in doc["text"]
    if letter["reply"] is None:
        assert doc["reply_text"] is None
        return
    assert letter["reply"] in doc["reply_text"]
    assert doc["reply_unit"] == letter["reply_unit"]
    assert letter["reply"] not in doc["text"]  # the citizen's words only


@pytest.mark.slow
def test_official_posts_are_never_posts_of_their_own(crawled: dict[str, Any]) -> None:
    for post in _posts():
        if post["official"] is None:
            continue
        doc = crawled["docs"].get(str(post["pid"]))
        if post["page"] == 1:
            assert doc is None, post  # folded into the opening post's reply
        else:
            assert doc is not None and doc["kind"] == "article", post


@pytest.mark.slow
def test_every_citizens_post_is_a_voice(crawled: dict[str, Any]) -> None:
    from opinion.estimates.voices import online_voices

    citizens = [p for p in _posts() if p["official"] is None]
    for post in citizens:
        assert crawled["docs"][str(post["pid"])]["kind"] == "post", post
    with open_store(crawled["db"]) as store:
        voices = online_voices(store)
    assert len(voices) == len({p["author"] for p in citizens})
    texts = " ".join(t for row in voices["texts"] for t in (json.loads(row) if isinstance(row, str) else row))
    for letter in EXPECTED["letters"]:
        if letter["reply"]:
            assert letter["reply"][:12] not in texts, letter["url"]


@pytest.mark.slow
def test_the_crawl_counts_official_replies_by_rule(crawled: dict[str, Any]) -> None:
    rules = Counter(p["official"] for p in _posts() if p["official"])
    rules.update(EXPECTED["answers_in_opening_post"].values())
    assert crawled["stats"]["official"] == dict(rules)
    shown = ", ".join(f"{rule} {n}" for rule, n in sorted(rules.items()))
    assert f"official replies kept apart: {shown}" in crawled["stdout"]


# --- single pages: what is not an official reply -------------------------------------------------

def _items(post_html: str, url: str = "http://bbs.example.cn/thread-9-1-1.html") -> list[DocumentItem]:
    page = f'<html><body><div id="postlist">{post_html}</div></body></html>'
    raw = HtmlResponse(url, body=page.encode("utf-8"), headers={"Content-Type": "text/html; charset=utf-8"},
                       request=Request(url))
    spider = DiscuzSpider.from_crawler(get_crawler(DiscuzSpider, {"TONGXIN_NOW": "2026-11-27T12:00:00"}),
                                       urls=["http://bbs.example.cn/"])
    return [i for i in spider.parse(raw) if isinstance(i, DocumentItem)]


def _post(pid: int, message: str, pls: str = "", plc: str = "", authi: str = "") -> str:
    return (f'<div id="post_{pid}"><table><tr><td class="pls"><div class="authi"><a class="xw1" href="#">网友{pid}</a>'
            f'</div><p><em><a href="home.php?mod=spacecp&amp;ac=usergroup&amp;gid=10">注册会员</a></em></p>{pls}</td>'
            f'<td class="plc"><div class="authi">{authi}<em id="authorposton{pid}">发表于 2026-3-1 08:00</em></div>'
            f'<td class="t_f" id="postmessage_{pid}">{message}</td>{plc}</td></tr></table></div>')


OPENING = _post(1, "小区电梯又坏了，物业一直拖着不修。")


@pytest.mark.parametrize(("name", "reply"), [
    ("a medal named 官方", _post(2, "我也被困过一次。", pls='<p class="md_ctrl"><img title="官方活动纪念章" alt="官方活动纪念章"></p>')),
    ("a citizen's custom title", _post(2, "我也被困过一次。", pls='<p class="xg1">热心网友</p>')),
    ("a real-name verification", _post(2, "我也被困过一次。", authi='<a href="home.php?mod=spacecp&amp;ac=profile'
                                       '&amp;op=verify&amp;vid=2"><img src="v.gif" title="实名认证"></a>')),
    ("a quote of an earlier post", _post(2, '<div class="quote"><blockquote>网友1 发表于 2026-3-1 08:00<br>部门回复：'
                                       "已修好</blockquote></div>根本没修好。")),
    ("a citizen's 点评", _post(2, "同一个小区的。", plc='<div class="cm"><div class="pstl"><div class="psta">'
                                '<a href="#">路人甲</a></div><div class="psti">顶一下</div></div></div>')),
    ("a citizen telling what a department said", _post(2, "昨天住建局回复：说下周派人来。")),
    ("a citizen's signature", _post(2, "我也被困过一次。", plc='<div class="sign">城管局的事找城管局</div>')),
])
def test_citizens_marks_do_not_make_an_official_reply(name: str, reply: str) -> None:
    items = _items(OPENING + reply)
    assert [i["kind"] for i in items] == ["post", "post"], name
    assert items[0].get("reply_text") is None, name


def test_a_result_line_without_a_unit_is_no_panel() -> None:
    (item,) = _items(_post(1, "小区电梯又坏了。<p>处理结果：至今没人管</p>"))
    assert item.get("reply_text") is None
    assert "至今没人管" in item["text"]


def test_an_answer_line_in_an_unedited_opening_post_needs_a_heading() -> None:
    told = _items(_post(1, "电梯坏了。<br />物业公司回复：等配件。"))[0]
    assert told.get("reply_text") is None and "等配件" in told["text"]
    answered = _items(_post(1, "电梯坏了。<br />【官方回复】县市场监管局：已责令物业三日内修复。"))[0]
    assert answered["text"] == "电梯坏了。"
    assert answered["reply_unit"] == "县市场监管局" and "三日内修复" in answered["reply_text"]


@pytest.mark.parametrize(("name", "reply", "rule"), [
    ("官方回复 beside the name", _post(2, "已安排物业维修。", authi='<span class="xi1">官方回复</span>'), "mark"),
    ("a verification icon without a title", _post(2, "已安排物业维修。", authi='<a href="home.php?mod=spacecp&amp;'
                                                 'ac=profile&amp;op=verify&amp;vid=1"><img src="v1.gif" class="vm"></a>'),
     "verify"),
    ("a custom title naming a unit", _post(2, "已安排物业维修。", pls='<p class="xg1">县市场监管局</p>'), "title"),
    ("a dated answer box", _post(2, '<div class="official_reply">官方回复 2026-3-2<br>已安排物业维修。</div>'), "box"),
    ("a signature of the unit's account", _post(2, "已安排物业维修。", plc='<div class="sign">本账号为县住建局官方账号</div>'),
     "signature"),
])
def test_more_official_marks(name: str, reply: str, rule: str) -> None:
    crawler = get_crawler(DiscuzSpider, {"TONGXIN_NOW": "2026-11-27T12:00:00"})
    spider = DiscuzSpider.from_crawler(crawler, urls=["http://bbs.example.cn/"])
    url = "http://bbs.example.cn/thread-9-1-1.html"
    page = f'<html><body><div id="postlist">{OPENING}{reply}</div></body></html>'
    raw = HtmlResponse(url, body=page.encode("utf-8"), headers={"Content-Type": "text/html; charset=utf-8"},
                       request=Request(url))
    (item,) = [i for i in spider.parse(raw) if isinstance(i, DocumentItem)]
    assert "已安排物业维修" in item["reply_text"], name
    assert crawler.stats.get_value(f"tongxin/official/{rule}") == 1, name


def test_a_panel_with_an_unlabelled_answer_beside_the_posts() -> None:
    panel = ('<div class="wz_reply"><h3>回复单位：县市场监管局</h3><p>回复时间：2026-3-3 10:00</p>'
             "<p>已约谈物业公司，电梯已于3月3日修复。</p></div>")
    url = "http://bbs.example.cn/thread-9-1-1.html"
    page = f'<html><body><div id="postlist">{OPENING}{panel}{_post(2, "修好了。")}</div></body></html>'
    raw = HtmlResponse(url, body=page.encode("utf-8"), headers={"Content-Type": "text/html; charset=utf-8"},
                       request=Request(url))
    spider = DiscuzSpider.from_crawler(get_crawler(DiscuzSpider, {"TONGXIN_NOW": "2026-11-27T12:00:00"}),
                                       urls=["http://bbs.example.cn/"])
    opening, citizen = [i for i in spider.parse(raw) if isinstance(i, DocumentItem)]
    assert opening["reply_text"] == "已约谈物业公司，电梯已于3月3日修复。"
    assert opening["reply_unit"] == "县市场监管局" and opening["replied_at"] == "2026-03-03T10:00:00"
    assert citizen["kind"] == "post"


def test_a_quoted_reply_heading_is_no_answer_box() -> None:
    items = _items(OPENING + _post(2, '<div class="quote"><blockquote>回复 #1 网友1<br>电梯又坏了</blockquote></div>我家也是。'))
    assert [i["kind"] for i in items] == ["post", "post"]


def test_an_answer_run_on_after_the_citizens_words_is_cut_off() -> None:
    (item,) = _items(_post(1, "电梯坏了。【部门回复】县市场监管局：已责令物业修复。"))
    assert item["text"] == "电梯坏了。"
    assert item["reply_text"] == "【部门回复】县市场监管局：已责令物业修复。" and item["reply_unit"] == "县市场监管局"
