from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from opinion.errors import InputError
from scrapers.items import DocumentItem
from scrapers.middlewares import CharsetMiddleware
from scrapers.spiders import DiscuzSpider, GovLettersSpider
from scrapers.spiders._base import ProfileSpider
from scrapers.spiders.discuz import canonical_thread_url, thread_page
from tests.helpers import TEST_DATA

PAGES = TEST_DATA / "pages"
SITE = TEST_DATA / "site"
NOW = "2026-11-27T12:00:00"


def make_spider(cls: type[ProfileSpider], **kwargs: Any) -> Any:
    crawler = get_crawler(cls, {"TONGXIN_NOW": NOW})
    kwargs.setdefault("urls", ["http://example.gov.cn/"])
    return cls.from_crawler(crawler, **kwargs)


def response(path: Path, url: str, content_type: str = "text/html") -> HtmlResponse:
    raw = HtmlResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type}, request=Request(url))
    return CharsetMiddleware().process_response(raw.request, raw)


def items_and_requests(results: Any) -> tuple[list[DocumentItem], list[Request]]:
    results = list(results)
    return [r for r in results if isinstance(r, DocumentItem)], [r for r in results if isinstance(r, Request)]


# --- government letters -------------------------------------------------------------------

def test_letter_detail_fields_by_label() -> None:
    spider = make_spider(GovLettersSpider)
    url = "http://example.gov.cn/letters/detail_0001.html"
    items, requests = items_and_requests(spider.parse(response(SITE / "letters" / "detail_0001.html", url)))
    assert requests == []
    (item,) = items
    assert item["url"] == url
    assert item["kind"] == "letter"
    assert item["source"] == "gov-letters"
    assert item["title"] == "村口道路坑洼难行"
    assert item["author"] == "王**"
    assert item["posted_at"] == "2026-10-01T09:12:00"
    assert item["posted_raw"] == "2026-10-01 09:12"
    assert item["location"] == "柳林乡 杨庄村"
    assert item["category"] == "投诉"
    # The writer's letter and the official reply stay apart.
    assert item["text"] == "我们村口那段路坑坑洼洼，下雨天根本走不了。\n请尽快修路。联系电话13812345678。"
    assert item["reply_text"].startswith("您好，来信收悉。我单位已安排")
    assert "坑洼" not in item["reply_text"]
    assert item["reply_unit"] == "柳林乡人民政府"
    assert item["replied_at"] == "2026-10-08"
    assert item["fetched_at"] == "2026-11-27T12:00:00+08:00"


def test_letter_alternative_labels_and_two_fields_per_row() -> None:
    spider = make_spider(GovLettersSpider)
    items, _ = items_and_requests(spider.parse(response(PAGES / "letter_alt_labels.html", "http://example.gov.cn/x?id=7")))
    (item,) = items
    assert item["title"] == "垃圾清运不及时"  # label "留言标题：" with a full-width colon
    assert item["author"] == "陈**"
    assert item["posted_at"] == "2026-11-03T07:45:00"  # 留言时间 in the same row as 留言人
    assert "村里垃圾" in item["text"] and "夏天气味很大" in item["text"]
    assert item["reply_unit"] == "县城市管理局"
    assert item["reply_text"] == "已督促环卫公司增加清运频次。"


@pytest.mark.parametrize("content_type", ["text/html", "text/html; charset=gbk", "text/html; charset=utf-8"])
def test_gbk_letter_decodes_whatever_the_header_says(content_type: str) -> None:
    spider = make_spider(GovLettersSpider)
    page = response(PAGES / "letter_gbk.html", "http://example.gov.cn/letters/detail_0003.html", content_type)
    (item,) = items_and_requests(spider.parse(page))[0]
    assert item["title"] == "学校门口交通拥堵"
    assert item["text"].startswith("本人女，孩子在镇中心小学上学")
    assert item["location"] == "河西镇 王庄村"
    assert item["posted_at"] == "2026-09-05"


@pytest.mark.parametrize("content_type", ["text/html", "text/html; charset=utf-8"])
def test_gbk_letter_without_meta_is_detected(content_type: str) -> None:
    spider = make_spider(GovLettersSpider)
    page = response(PAGES / "letter_gbk_nometa.html", "http://example.gov.cn/letters/d3.html", content_type)
    (item,) = items_and_requests(spider.parse(page))[0]
    assert item["title"] == "学校门口交通拥堵"
    assert "校门口车辆拥堵" in item["text"]


def test_letter_list_follows_details_and_next_page() -> None:
    spider = make_spider(GovLettersSpider)
    items, requests = items_and_requests(spider.parse(response(PAGES / "letter_list.html", "http://example.gov.cn/l/list_1.html")))
    assert items == []
    assert [r.url for r in requests] == [
        "http://example.gov.cn/l/detail_0011.html",
        "http://example.gov.cn/l/detail_0012.html",
        "http://example.gov.cn/l/list_2.html",
    ]


def test_letter_list_since_skips_old_letters_and_stops_at_an_old_page() -> None:
    spider = make_spider(GovLettersSpider, since=date(2026, 10, 1))
    _, requests = items_and_requests(spider.parse(response(PAGES / "letter_list.html", "http://example.gov.cn/l/list_1.html")))
    assert [r.url for r in requests] == ["http://example.gov.cn/l/detail_0011.html", "http://example.gov.cn/l/list_2.html"]
    _, requests = items_and_requests(spider.parse(response(PAGES / "letter_list_old.html", "http://example.gov.cn/l/list_2.html")))
    assert requests == []


def test_page_budget_stops_following_links() -> None:
    spider = make_spider(GovLettersSpider, max_pages=2)
    spider.pages_requested = 0
    _, requests = items_and_requests(spider.parse(response(PAGES / "letter_list.html", "http://example.gov.cn/l/list_1.html")))
    assert len(requests) == 2
    assert spider.pages_requested == 2


# --- Discuz! -------------------------------------------------------------------------------

def thread_items(url: str = "http://bbs.example.cn/forum/thread-101-1-1.html") -> tuple[list[DocumentItem], list[Request]]:
    spider = make_spider(DiscuzSpider)
    return items_and_requests(spider.parse(response(PAGES / "thread.html", url)))


def test_thread_gives_one_item_per_post_with_canonical_urls() -> None:
    items, requests = thread_items("http://bbs.example.cn/forum/thread-101-2-1.html")
    assert [i["url"] for i in items] == [
        f"http://bbs.example.cn/forum/thread-101-1-1.html#pid{pid}" for pid in (4561, 4562, 4563, 4564)
    ]
    assert {i["kind"] for i in items} == {"post"}
    assert [r.url for r in requests] == ["http://bbs.example.cn/forum/thread-101-3-1.html"]


def test_only_the_opening_post_carries_the_thread_title() -> None:
    items, _ = thread_items()
    assert [i.get("title") for i in items] == ["村里的路该修了", None, None, None]
    items, _ = thread_items("http://bbs.example.cn/forum/thread-101-2-1.html")
    assert all(i.get("title") is None for i in items)


def test_post_authors_and_profiles() -> None:
    items, _ = thread_items()
    assert [i["author"] for i in items] == ["柳林老张", "城关小王", "奶爸阿强", "城关小王"]
    first, second, third, fourth = items
    assert (first["sex"], first["age"], first["location"]) == ("男", "63", "柳林乡")
    assert (second.get("sex"), second["age"], second.get("location")) == (None, "34", None)
    assert (third.get("sex"), third.get("age"), third.get("location")) == (None, None, None)
    assert fourth["sex"] == "女"


def test_post_times_prefer_the_exact_title_and_read_relative_times() -> None:
    items, _ = thread_items()
    assert [i["posted_at"] for i in items] == [
        "2026-10-12T20:31:00",
        "2026-11-24T20:31:00",  # <span title="2026-11-24 20:31">3 天前</span>
        "2026-11-27T10:00:00",  # 2 小时前, fetched 2026-11-27 12:00
        "2026-11-25T08:00:00",  # 前天 08:00
    ]
    assert items[0]["posted_raw"] == "2026-10-12 20:31"  # "发表于" stripped
    assert items[2]["posted_raw"] == "2 小时前"


def test_jammer_hidden_text_and_quotes_are_stripped() -> None:
    items, _ = thread_items()
    assert items[1]["text"].strip() == "同意，路修好了孩子上学也方便。"
    jammed = items[2]["text"]
    assert "x7Kq" not in jammed and "隐藏" not in jammed
    assert jammed.strip() == "停车位太少了，每天晚上都找不到地方停。"


def test_escaped_markup_typed_by_a_user_comes_through_as_text() -> None:
    items, _ = thread_items()
    assert items[3]["text"].strip() == "我们小区<script>alert('xss')</script>物业不管事 <img src=x onerror=alert(1)>"


def test_thread_list_skips_sticky_threads() -> None:
    spider = make_spider(DiscuzSpider)
    items, requests = items_and_requests(spider.parse(response(PAGES / "thread_list.html", "http://bbs.example.cn/forum/forum-2-1.html")))
    assert items == []
    assert [r.url for r in requests] == [
        "http://bbs.example.cn/forum/thread-101-1-1.html",
        "http://bbs.example.cn/forum/thread-102-1-1.html",
        "http://bbs.example.cn/forum/forum-2-2.html",
    ]
    assert requests[0].meta["thread_title"] == "村里的路该修了"


def test_forum_index_follows_boards() -> None:
    spider = make_spider(DiscuzSpider)
    _, requests = items_and_requests(spider.parse(response(PAGES / "forum_index.html", "http://bbs.example.cn/forum/index.html")))
    assert [r.url for r in requests] == [
        "http://bbs.example.cn/forum/forum-2-1.html",
        "http://bbs.example.cn/forum/forum-3-1.html",
    ]


@pytest.mark.parametrize(
    ("url", "canonical", "page"),
    [
        ("http://b.cn/thread-123-3-1.html", "http://b.cn/thread-123-1-1.html", 3),
        ("http://b.cn/forum/thread-5-1-2.html", "http://b.cn/forum/thread-5-1-1.html", 1),
        ("http://b.cn/forum.php?mod=viewthread&tid=9&page=4&extra=page%3D1", "http://b.cn/thread-9-1-1.html", 4),  # one thread, two URL forms
    ],
)
def test_canonical_thread_url(url: str, canonical: str, page: int) -> None:
    assert canonical_thread_url(url) == canonical
    assert thread_page(url) == page


# --- arguments -------------------------------------------------------------------------------

def test_spider_arguments_from_the_command_line_form() -> None:
    spider = make_spider(GovLettersSpider, urls="http://a.gov.cn/l1.html, http://b.gov.cn/l1.html", since="2026-10-01", max_pages="5")
    assert spider.start_urls == ["http://a.gov.cn/l1.html", "http://b.gov.cn/l1.html"]
    assert spider.allowed_domains == ["a.gov.cn", "b.gov.cn"]
    assert spider.since == date(2026, 10, 1)
    assert spider.max_pages == 5


def test_spider_rejects_a_profile_for_another_spider() -> None:
    with pytest.raises(InputError, match="profile is for spider 'discuz', not 'gov_letters'"):
        make_spider(GovLettersSpider, profile="discuz")


def test_spider_rejects_bad_urls_and_dates() -> None:
    with pytest.raises(InputError, match="URL 'ftp://x' is not an absolute http"):
        make_spider(GovLettersSpider, urls=["ftp://x"])
    with pytest.raises(InputError, match="since '2026-13-01' is not a date"):
        make_spider(GovLettersSpider, since="2026-13-01")


def test_letter_writer_title_gives_sex_but_never_the_name() -> None:
    from scrapers.spiders.gov_letters import honorific_sex

    assert honorific_sex("王女士") == "女"
    assert honorific_sex("张先生") == "男"
    assert honorific_sex("王**") is None
    assert honorific_sex(None) is None


# --- Discuz official replies ----------------------------------------------------------------

@pytest.mark.parametrize(("group", "badges", "text", "unit"), [
    ("管理员", "", "本帖已转交相关部门。", "管理员"),
    ("超级版主", "", "已置顶。", "超级版主"),
    ("注册会员", "官方认证", "您好，已安排维修。", "官方认证"),
    ("注册会员", "", "回复单位：县住建局\n您好，已安排维修人员。", "县住建局"),
    ("注册会员", "", "【答复单位】：城关镇人民政府 经核实……", "城关镇人民政府"),
    ("注册会员", "", "县交通运输局回复：该路段已列入计划。", "县交通运输局"),
    ("中级会员", "", "小区门口路灯坏了三个月。", None),
    ("中级会员", "", "昨天城管局回复：说不归他们管，这叫什么事？", None),
    ("中级会员", "", "我打电话问了，城管局回复说下周来修。", None),
    ("新手上路", "实名认证", "村里自来水又停了。", None),
])
def test_official_replies_are_told_from_citizens(group: str, badges: str, text: str, unit: str | None) -> None:
    from scrapers.spiders.discuz import official_unit

    assert official_unit(group, badges, text) == unit


def test_verification_badges_count_but_medals_do_not() -> None:
    def first_post(sidebar: str) -> DocumentItem:
        url = "http://bbs.example.cn/forum/thread-9-2-1.html"
        html = ('<div id="postlist"><div id="post_1"><table><tr><td class="pls">'
                f'<div class="authi"><a class="xw1" href="space-uid-1.html">阿明</a></div>{sidebar}</td>'
                '<td class="plc"><em id="authorposton1">发表于 2026-3-1 08:12</em>'
                '<td class="t_f" id="postmessage_1">已收到，马上处理。</td></td></tr></table></div></div>')
        raw = HtmlResponse(url, body=html.encode(), headers={"Content-Type": "text/html; charset=utf-8"},
                           request=Request(url))
        items, _ = items_and_requests(make_spider(DiscuzSpider).parse(raw))
        return items[0]

    verified = first_post('<a href="home.php?mod=spacecp&amp;ac=profile&amp;op=verify&amp;vid=1">'
                          '<img src="v.png" alt="官方认证" title="官方认证"></a>')
    assert (verified["kind"], verified["reply_unit"]) == ("article", "官方认证")
    medal = first_post('<p class="md_ctrl"><img src="m.png" title="官方活动纪念章" alt="官方活动纪念章"></p>')
    assert (medal["kind"], medal.get("reply_unit")) == ("post", None)
    labelled = first_post('<dl class="pil cl"><dt>用户组</dt><dd>职能部门</dd></dl>')
    assert (labelled["kind"], labelled["reply_unit"]) == ("article", "职能部门")
    member = first_post('<dl class="pil cl"><dt>用户组</dt><dd>注册会员</dd></dl>')
    assert member["kind"] == "post"


def test_official_reply_on_the_first_page_goes_to_the_opening_post() -> None:
    page = (TEST_DATA / "pages" / "thread.html").read_text(encoding="utf-8")
    badge = ('<p><em><a href="home.php?mod=spacecp&amp;ac=usergroup&amp;gid=21">官方认证</a></em></p>'
             '<div class="authi"><a href="space-uid-7.html" class="xw1">城关小王</a></div>')
    marked = page.replace('<div class="authi"><a href="space-uid-7.html" class="xw1">城关小王</a></div>', badge, 1)
    assert marked != page
    url = "http://bbs.example.cn/forum/thread-101-1-1.html"
    raw = HtmlResponse(url, body=marked.encode("utf-8"), headers={"Content-Type": "text/html; charset=utf-8"},
                       request=Request(url))
    plain, _ = thread_items()
    items, _ = items_and_requests(make_spider(DiscuzSpider).parse(raw))
    assert len(items) == len(plain) - 1  # the official post is no longer a post of its own
    opening = items[0]
    official = plain[1]
    assert opening["reply_text"] == official["text"] and opening["reply_unit"] == "官方认证"
    assert {i["kind"] for i in items} == {"post"}
    assert official["url"] not in {i["url"] for i in items}
