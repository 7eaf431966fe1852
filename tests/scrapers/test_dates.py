from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from scrapers.dates import CHINA_TZ, on_or_after, parse_date

FETCHED = datetime(2026, 11, 27, 12, 0, tzinfo=CHINA_TZ)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-10-01 09:12", "2026-10-01T09:12:00"),
        ("2026-10-01 09:12:45", "2026-10-01T09:12:45"),
        ("2026-10-1", "2026-10-01"),
        ("2026/9/5", "2026-09-05"),
        ("2026年10月1日", "2026-10-01"),
        ("2026年10月1日 8:05", "2026-10-01T08:05:00"),
        ("发表于 2026-10-12 20:31", "2026-10-12T20:31:00"),
        ("3 天前", "2026-11-24"),
        ("3天前", "2026-11-24"),
        ("昨天 12:30", "2026-11-26T12:30:00"),
        ("前天 08:00", "2026-11-25T08:00:00"),
        ("今天 07:15", "2026-11-27T07:15:00"),
        ("昨天", "2026-11-26"),
        ("刚刚", "2026-11-27T12:00:00"),
        ("5 分钟前", "2026-11-27T11:55:00"),
        ("2 小时前", "2026-11-27T10:00:00"),
        ("半小时前", "2026-11-27T11:30:00"),
        ("30 秒前", "2026-11-27T11:59:30"),
    ],
)
def test_parses_site_formats(raw: str, expected: str) -> None:
    parsed = parse_date(raw, FETCHED)
    assert parsed.iso == expected
    assert parsed.raw == raw


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # JSON APIs: epoch seconds and milliseconds (2026-03-03 04:30 UTC = 12:30 in China)
        ("1772512200", "2026-03-03T12:30:00"),
        ("1772512200000", "2026-03-03T12:30:00"),
        # ISO 8601 with Z or an offset, converted to China time
        ("2026-03-03T04:30:00Z", "2026-03-03T12:30:00"),
        ("2026-03-03T04:30:00.000+00:00", "2026-03-03T12:30:00"),
        ("2026-03-03T13:30:00+09:00", "2026-03-03T12:30:00"),
        ("2026-03-03T12:30:00+0800", "2026-03-03T12:30:00"),
        ("2026-03-03T12:30:00", "2026-03-03T12:30:00"),
        # Weibo-style and RFC 2822
        ("Tue Mar 03 12:30:00 +0800 2026", "2026-03-03T12:30:00"),
        ("Tue, 03 Mar 2026 04:30:00 GMT", "2026-03-03T12:30:00"),
        ("Tue, 03 Mar 2026 12:30:00 +0800", "2026-03-03T12:30:00"),
        # other Latin-script forms (dateparser)
        ("March 3, 2026 5:00 PM", "2026-03-03T17:00:00"),
        ("3 Mar 2026", "2026-03-03"),
        ("3 days ago", "2026-11-24"),
        # year-less: the most recent such date not after the fetch day
        ("11-03 12:30", "2026-11-03T12:30:00"),
        ("3月5日", "2026-03-05"),
        ("12月31日", "2025-12-31"),
        ("11-27 18:00", "2025-11-27T18:00:00"),  # later than the fetch today: a year back
        ("11-27", "2026-11-27"),  # the fetch day itself is not in the future
        ("11-28", "2025-11-28"),
        ("2月29日", "2024-02-29"),
        # a bare time is today
        ("12:30", "2026-11-27T12:30:00"),
        ("下午2:20", "2026-11-27T14:20:00"),
        ("上午10:05", "2026-11-27T10:05:00"),
        ("中午12:30", "2026-11-27T12:30:00"),
        ("晚上8点", "2026-11-27T20:00:00"),
        ("凌晨12:10", "2026-11-27T00:10:00"),
        # Chinese numerals
        ("三天前", "2026-11-24"),
        ("两小时前", "2026-11-27T10:00:00"),
        ("半个月前", "2026-11-12"),
        ("十分钟前", "2026-11-27T11:50:00"),
        ("一周前", "2026-11-20"),
        ("二〇二六年三月五日", "2026-03-05"),
        ("二〇二五年十二月三十一日", "2025-12-31"),
        ("3分钟之前", "2026-11-27T11:57:00"),
        # labels, brackets, weekdays, full-width digits, Java timestamps, compact dates
        ("发表于 2026-3-1 08:12", "2026-03-01T08:12:00"),
        ("发布时间：2026-03-05", "2026-03-05"),
        ("来信时间:[2026-03-05 09:00]", "2026-03-05T09:00:00"),
        ("2026年3月5日 星期四 下午2点20分", "2026-03-05T14:20:00"),
        ("２０２６－０３－０５　１４：２０", "2026-03-05T14:20:00"),
        ("2026-03-05 14:00:00.0", "2026-03-05T14:00:00"),
        ("2026年03月05日14:20", "2026-03-05T14:20:00"),
        ("2026.3.5", "2026-03-05"),
        ("20260305", "2026-03-05"),
        ("昨天 下午3:05", "2026-11-26T15:05:00"),
        ("大前天", "2026-11-24"),
        # the words printed around a date
        ("发布于 2026-03-05 12:30・IP 属地北京", "2026-03-05T12:30:00"),
        ("作者：县融媒体中心　发布时间：2026-03-05　浏览次数：1024", "2026-03-05"),
        ("posted @ 2026-03-05 14:20 Lin 阅读(35) 评论(0)", "2026-03-05T14:20:00"),
        ("本帖最后由 山里人 于 2026-3-1 08:20 编辑", "2026-03-01T08:20:00"),
        ("编辑于 03-05 广东", "2026-03-05"),
        ("3天前 广东", "2026-11-24"),
        ("\t 刚刚 来自 iPhone客户端\n", "2026-11-27T12:00:00"),
    ],
)
def test_parses_what_sites_and_apis_send(raw: str, expected: str) -> None:
    parsed = parse_date(raw, FETCHED)
    assert parsed.iso == expected
    assert parsed.raw == raw


@pytest.mark.parametrize("raw", ["1234", "99999999999999", "2026-02-30 10:00", "25:61", "next week", "3月32日",
                                 "第3期", "2031-01-01T00:00:00Z 以后", "2026-03-05 25:10", "阅读(35) 评论(12)",
                                 "2026年3月", "2026年", "上周", "几天前", "05/03/2026", "0000-00-00 00:00:00", "--"])
def test_what_is_not_a_date_stays_unread(raw: str) -> None:
    assert parse_date(raw, FETCHED).iso is None


def test_epochs_in_the_future_of_the_fetch_are_refused() -> None:
    # A ten-digit number a year after the fetch is a post id, not a date.
    assert parse_date("1830000000", FETCHED).iso is None


def test_relative_dates_cross_month_and_year_boundaries() -> None:
    assert parse_date("3 天前", datetime(2026, 3, 1, 9, 0, tzinfo=CHINA_TZ)).iso == "2026-02-26"
    assert parse_date("昨天 23:59", datetime(2027, 1, 1, 0, 5, tzinfo=CHINA_TZ)).iso == "2026-12-31T23:59:00"


def test_fetch_time_in_another_zone_is_read_on_the_site_clock() -> None:
    # 2026-11-26 20:00 UTC is already 2026-11-27 04:00 in China: "昨天" is the 26th.
    fetched = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)
    assert parse_date("昨天 12:30", fetched).iso == "2026-11-26T12:30:00"
    assert parse_date("10 分钟前", fetched).iso == "2026-11-27T03:50:00"


def test_naive_fetch_time_is_taken_as_site_time() -> None:
    assert parse_date("刚刚", datetime(2026, 11, 27, 12, 0)).iso == "2026-11-27T12:00:00"


@pytest.mark.parametrize("raw", ["", None, "不详", "2026-13-01", "2026-02-30", "下周"])
def test_unreadable_dates_keep_the_raw_string(raw: str | None) -> None:
    parsed = parse_date(raw, FETCHED)
    assert parsed.iso is None
    assert parsed.raw == (raw or "")


def test_on_or_after() -> None:
    since = date(2026, 10, 1)
    assert on_or_after("2026-10-01T00:00:00", since)
    assert on_or_after("2026-10-01", since)
    assert not on_or_after("2026-09-30T23:59:00", since)
    assert on_or_after(None, since)  # an undated list row is still followed; the pipeline decides on the document


def test_china_time_has_no_daylight_saving() -> None:
    assert CHINA_TZ.utcoffset(None) == timedelta(hours=8)
