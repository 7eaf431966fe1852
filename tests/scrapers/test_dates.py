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
    assert on_or_after(None, since)  # undated documents are kept, not silently lost


def test_china_time_has_no_daylight_saving() -> None:
    assert CHINA_TZ.utcoffset(None) == timedelta(hours=8)
