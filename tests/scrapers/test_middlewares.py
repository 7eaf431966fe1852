from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse

from scrapers.middlewares import CharsetMiddleware, canonical_encoding, choose_encoding
from tests.helpers import TEST_DATA

TEXT = "市长信箱：我们村口那段路坑坑洼洼，下雨天根本走不了，请尽快修路。镕"  # 镕 is in GBK, not GB2312
GBK_PAGE = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
    f"<body><p>{TEXT}</p></body></html>"
).encode("gbk")
UTF8_PAGE = f'<html><head><meta charset="utf-8"></head><body><p>{TEXT}</p></body></html>'.encode()


def run(body: bytes, content_type: str | None) -> HtmlResponse:
    headers = {"Content-Type": content_type} if content_type else {}
    response = HtmlResponse("http://example.gov.cn/a.html", body=body, headers=headers)
    out = CharsetMiddleware().process_response(Request(response.url), response)
    assert isinstance(out, HtmlResponse)
    return out


@pytest.mark.parametrize("content_type", [None, "text/html", "text/html; charset=gbk", "text/html; charset=utf-8",
                                          "text/html; charset=iso-8859-1"])
def test_gbk_page_declared_gb2312_decodes_whatever_the_header(content_type: str | None) -> None:
    out = run(GBK_PAGE, content_type)
    assert TEXT in out.text
    assert out.css("p::text").get() == TEXT


def test_mojibake_without_the_middleware_is_real() -> None:
    # The failure the middleware exists for: Scrapy trusts the wrong header.
    plain = HtmlResponse("http://x.cn/", body=GBK_PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
    assert TEXT not in plain.text


@pytest.mark.parametrize("content_type", [None, "text/html; charset=gbk", "text/html; charset=utf-8"])
def test_utf8_page_stays_utf8(content_type: str | None) -> None:
    assert TEXT in run(UTF8_PAGE, content_type).text


def test_gbk_without_any_declaration_is_detected() -> None:
    body = f"<html><body><p>{TEXT * 3}</p></body></html>".encode("gbk")
    assert TEXT in run(body, "text/html").text


def test_real_gbk_fixture_page() -> None:
    body = (TEST_DATA / "site" / "letters" / "detail_0003.html").read_bytes()
    assert "学校门口交通拥堵" in run(body, "text/html; charset=utf-8").text


def test_non_html_responses_pass_untouched() -> None:
    response = TextResponse("http://x.cn/robots.txt", body=b"User-agent: *", headers={"Content-Type": "text/plain"})
    assert CharsetMiddleware().process_response(Request(response.url), response) is response


def test_choose_encoding_order() -> None:
    assert choose_encoding(UTF8_PAGE, "gbk", "gbk") == ("utf-8", "valid utf-8")
    assert choose_encoding(GBK_PAGE, "utf-8", "gb2312") == ("gb18030", "meta")
    assert choose_encoding(GBK_PAGE, "gbk", "utf-8") == ("gb18030", "header")


def test_canonical_encoding() -> None:
    assert canonical_encoding("GB2312") == "gb18030"
    assert canonical_encoding("'gbk'") == "gb18030"
    assert canonical_encoding("UTF8") == "utf-8"
    assert canonical_encoding("no-such-charset") is None
    assert canonical_encoding(None) is None


def test_retry_after_reads_seconds_and_http_dates() -> None:
    from datetime import datetime

    from scrapers.middlewares import retry_after_seconds

    now = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(b"7") == 7.0
    assert retry_after_seconds("Fri, 27 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Fri, 27 Nov 2026 11:00:00 GMT", now) == 0.0  # a date already past: no wait
    assert retry_after_seconds(b"soon") is None and retry_after_seconds(None) is None


def test_blocked_pages_are_told_from_letters_that_mention_captchas() -> None:
    from scrapers.middlewares import looks_blocked

    assert looks_blocked(403, "") == "status 403"
    assert looks_blocked(521, "<html></html>") == "status 521"
    assert looks_blocked(200, "<html><head><title>安全验证</title></head></html>") == "captcha page"
    assert looks_blocked(200, '<form><input name="vcode"></form>') == "challenge page"
    letter = "<html><head><title>办事时收不到短信验证码</title></head><body>" + "内容" * 20000 + "</body></html>"
    assert looks_blocked(200, letter) is None
    assert looks_blocked(200, "<html><title>来信列表</title></html>") is None


# --- charsets servers get wrong ------------------------------------------------------------

LETTER = "镇卫生院只有两个医生，老人看病要排一上午队，医保报销也麻烦。"


def counted(body: bytes, content_type: str) -> tuple[HtmlResponse, dict[str, int]]:
    from scrapy.utils.test import get_crawler

    crawler = get_crawler()
    response = HtmlResponse("http://example.gov.cn/a.html", body=body, headers={"Content-Type": content_type})
    out = CharsetMiddleware(crawler).process_response(Request(response.url), response)
    assert isinstance(out, HtmlResponse)
    stats = {k.split("/")[-1]: v for k, v in crawler.stats.get_stats().items() if k.startswith("tongxin/decoding/")}
    return out, stats


def test_servlet_default_latin1_header_on_a_gbk_page_without_meta_is_detected() -> None:
    body = f"<html><head><title>书记信箱</title></head><body><p>{LETTER}</p></body></html>".encode("gbk")
    plain = HtmlResponse("http://x.cn/", body=body, headers={"Content-Type": "text/html;charset=ISO-8859-1"})
    assert LETTER not in plain.text  # latin-1 decodes every byte: Scrapy's reading is mojibake, not an error
    out, stats = counted(body, "text/html;charset=ISO-8859-1")
    assert out.css("p::text").get() == LETTER
    assert stats == {"detected": 1}


def test_the_pages_own_meta_wins_over_a_latin1_header() -> None:
    body = f'<html><head><meta charset="gbk"></head><body><p>{LETTER}</p></body></html>'.encode("gbk")
    assert choose_encoding(body, "ISO-8859-1", "gbk") == ("gb18030", "meta")
    latin = '<html><head><meta charset="iso-8859-1"></head><body><p>Café crème</p></body></html>'.encode("latin-1")
    assert choose_encoding(latin, "ISO-8859-1", "iso-8859-1") == ("iso8859-1", "meta")


@pytest.mark.parametrize("charset", ["utf-8", "gbk"])
def test_one_broken_sequence_is_read_with_the_pages_declaration_and_counted(charset: str) -> None:
    good = f'<html><head><meta charset="{charset}"></head><body><p>{LETTER * 3}</p>'.encode(charset)
    body = good + b"<p>\xff\xfe\xff</p></body></html>"  # bytes no codec of the family accepts
    out, stats = counted(body, "text/html")
    assert out.css("p::text").get() == LETTER * 3
    assert "\ufffd" in out.css("p::text").getall()[1]
    assert stats == {"replaced": 1}


def test_a_wrong_declaration_is_not_taken_for_a_few_broken_bytes() -> None:
    # GBK text labelled UTF-8 fails on nearly every character: detected, not "replaced".
    body = f'<html><head><meta charset="utf-8"></head><body><p>{LETTER}</p></body></html>'.encode("gbk")
    assert choose_encoding(body, None, "utf-8") == ("gb18030", "detected")


# --- compression servers get wrong ---------------------------------------------------------

def decompress(body: bytes, headers: dict[str, str], url: str = "http://example.gov.cn/a.html") -> tuple[Any, dict]:
    """Run a response through the response path: label fix, Scrapy's decompression, unlabelled gzip."""
    from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
    from scrapy.utils.test import get_crawler

    from scrapers.middlewares import MislabelledGzipMiddleware, UnlabelledGzipMiddleware

    crawler = get_crawler()
    request = Request(url)
    response = HtmlResponse(url, body=body, headers=headers, request=request)
    for middleware in (MislabelledGzipMiddleware(crawler), HttpCompressionMiddleware.from_crawler(crawler),
                       UnlabelledGzipMiddleware(crawler)):
        response = middleware.process_response(request, response)
    stats = {k.split("/")[-1]: v for k, v in crawler.stats.get_stats().items() if k.startswith("tongxin/decoding/")}
    return response, stats


PAGE = f'<html><head><meta charset="utf-8"></head><body><p>{LETTER}</p></body></html>'.encode()


def test_gzip_label_on_a_plain_body_is_dropped_and_counted() -> None:
    out, stats = decompress(PAGE, {"Content-Type": "text/html", "Content-Encoding": "gzip"})
    assert out.css("p::text").get() == LETTER
    assert stats == {"gzip-label-on-plain-body": 1}


def test_gzip_bytes_without_a_label_are_decompressed_and_counted() -> None:
    import gzip

    out, stats = decompress(gzip.compress(PAGE), {"Content-Type": "text/html; charset=utf-8"})
    assert isinstance(out, HtmlResponse)
    assert out.css("p::text").get() == LETTER
    assert stats == {"gzip-without-label": 1}


def test_properly_labelled_gzip_and_gz_files_are_left_to_scrapy() -> None:
    import gzip

    out, stats = decompress(gzip.compress(PAGE), {"Content-Type": "text/html", "Content-Encoding": "gzip"})
    assert out.css("p::text").get() == LETTER and stats == {}
    archive = gzip.compress(b"<urlset></urlset>")
    out, stats = decompress(archive, {"Content-Type": "application/gzip"}, "http://example.gov.cn/sitemap.xml.gz")
    assert out.body == archive and stats == {}


def test_a_truncated_gzip_body_is_left_as_it_came() -> None:
    import gzip

    broken = gzip.compress(PAGE)[:-12]
    out, stats = decompress(broken, {"Content-Type": "text/html"})
    assert out.body == broken and stats == {}


# --- login and permission walls ------------------------------------------------------------

def discuz_message(text: str) -> str:
    return ('<html><head><title>提示信息 - 同心论坛</title></head><body><div id="messagetext" class="alert_info">'
            f"<p>{text}</p></div></body></html>")


@pytest.mark.parametrize(("status", "url", "redirected", "html", "kind"), [
    (200, "http://bbs.cn/thread-102-1-1.html", [], discuz_message("抱歉，本帖要求阅读权限高于 10 才能浏览"), "permission"),
    (200, "http://bbs.cn/forum-9-1.html", [], discuz_message("抱歉，您的用户组无法进入此版块"), "permission"),
    (200, "http://bbs.cn/thread-9-1-1.html", [], discuz_message("您需要登录后才可以回帖 登录 | 立即注册"), "login"),
    (200, "http://bbs.cn/member.php?mod=logging&action=login&referer=x", ["http://bbs.cn/thread-103-1-1.html"],
     "<html><head><title>登录 - 同心论坛</title></head></html>", "login"),
    (200, "http://gov.cn/sso/login.jsp?service=x", ["http://gov.cn/letters/detail_9.html"], "<html></html>", "login"),
    (200, "http://gov.cn/letters/detail_9.html", [], "<html><head><title>用户登录</title></head></html>", "login"),
    (401, "http://gov.cn/letters/detail_9.html", [], "", "login"),
])
def test_walls_are_recognised(status: int, url: str, redirected: list[str], html: str, kind: str) -> None:
    from scrapers.middlewares import access_wall

    assert access_wall(status, url, redirected, html) == kind


def test_letters_that_speak_of_logins_are_not_walls() -> None:
    from scrapers.middlewares import access_wall

    letter = ('<html><head><title>网上办事请先登录太麻烦</title></head><body><table class="letter-detail"><tr><td>'
              "办社保要先登录，登录后才可以查进度，没有权限的老人怎么办？</td></tr></table></body></html>")
    assert access_wall(200, "http://gov.cn/letters/detail_1.html", [], letter) is None
    # A Discuz thread read by a guest carries the header's quick-login form on every page.
    thread = (TEST_DATA / "pages" / "thread.html").read_text(encoding="utf-8")
    header = '<form id="lsform" action="member.php?mod=logging&amp;action=login"><input type="password" name="password"></form>'
    assert access_wall(200, "http://bbs.cn/thread-101-1-1.html", [], header + thread) is None
    # A redirect between two login pages is the login flow itself, not a wall met by a page.
    assert access_wall(200, "http://bbs.cn/member.php?mod=logging&action=login", ["http://bbs.cn/login"], "") is None


def test_restricted_pages_are_refused_with_their_kind() -> None:
    from scrapers.middlewares import Restricted, RestrictedMiddleware

    url = "http://bbs.cn/thread-102-1-1.html"
    response = HtmlResponse(url, body=discuz_message("抱歉，本帖要求阅读权限高于 10 才能浏览").encode(),
                            headers={"Content-Type": "text/html; charset=utf-8"})
    with pytest.raises(Restricted) as refused:
        RestrictedMiddleware().process_response(Request(url), response)
    assert refused.value.kind == "permission"
    assert str(refused.value).startswith(url + ": the site asks for a higher reading permission")
