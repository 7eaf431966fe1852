from __future__ import annotations

from datetime import UTC

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
