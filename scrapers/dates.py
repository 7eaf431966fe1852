"""Dates as Chinese sites print them, read against the time the page was fetched.

Message boards print absolute dates (``2026-10-01 09:12``, ``2026年10月1日``) and, for
recent posts, relative ones (``3 天前``, ``昨天 12:30``, ``刚刚``). A relative date only
means something together with the fetch time, so parsing always takes that time.

Times are the site's local time (China Standard Time, UTC+8, no daylight saving) and are
written as ISO 8601 without an offset: ``2026-10-01T09:12:00``; a date printed without a
time stays a date (``2026-10-01``) rather than inventing midnight. The raw string is
kept beside the parsed value, so nothing is lost when a format is misread.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "CST")

_SPACES = re.compile(r"\s+")
_ABSOLUTE = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*T?\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?\s*秒?)?$"
)
_RELATIVE = re.compile(r"^(?P<n>\d+|半)\s*(?P<unit>秒|分钟|分|小时|个小时|天|日|周|星期|个月|月|年)\s*前$")
_NAMED_DAY = re.compile(r"^(?P<day>今天|昨天|前天)(?:\s*(?P<H>\d{1,2})\s*[:：]\s*(?P<M>\d{1,2})(?:\s*[:：]\s*(?P<S>\d{1,2}))?)?$")
_NOW_WORDS = {"刚刚", "刚才", "刚刚发表", "just now"}
_DAYS_BACK = {"今天": 0, "昨天": 1, "前天": 2}
_UNIT_SECONDS = {"秒": 1, "分钟": 60, "分": 60, "小时": 3600, "个小时": 3600}
_UNIT_DAYS = {"天": 1, "日": 1, "周": 7, "星期": 7, "个月": 30, "月": 30, "年": 365}
_PREFIXES = ("发表于", "发布于", "发布时间", "来信时间", "回复时间", "时间")


@dataclass(frozen=True)
class ParsedDate:
    """A parsed date: ``iso`` is None when the string could not be read."""

    iso: str | None
    raw: str


def site_now() -> datetime:
    """The current time on the sites' clock (aware, UTC+8)."""
    return datetime.now(CHINA_TZ)


def _local(fetched_at: datetime) -> datetime:
    """The fetch time as naive site-local time, whatever zone it was given in."""
    if fetched_at.tzinfo is not None:
        return fetched_at.astimezone(CHINA_TZ).replace(tzinfo=None)
    return fetched_at


def _clean(raw: str) -> str:
    text = _SPACES.sub(" ", raw.replace("\xa0", " ")).strip()
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix):].lstrip(" :：")
            break
    return text


def parse_date(raw: str | None, fetched_at: datetime) -> ParsedDate:
    """Parse one date string as printed on a Chinese site.

    ``fetched_at`` anchors relative forms; an aware datetime is converted to site
    time first. Unreadable strings give ``ParsedDate(None, raw)`` rather than an
    exception: one odd date must not lose the post.
    """
    raw = raw or ""
    text = _clean(raw)
    if not text:
        return ParsedDate(None, raw)
    now = _local(fetched_at)
    try:
        value = _parse(text, now)
    except ValueError:  # e.g. 2026-02-30: the shape matched, the calendar did not
        value = None
    if value is None:
        return ParsedDate(None, raw)
    if isinstance(value, datetime):
        return ParsedDate(value.replace(microsecond=0).isoformat(), raw)
    return ParsedDate(value.isoformat(), raw)


def _parse(text: str, now: datetime) -> datetime | date | None:
    match = _ABSOLUTE.match(text)
    if match:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
        if match["H"] is None:
            return day
        return datetime.combine(day, time(int(match["H"]), int(match["M"]), int(match["S"] or 0)))
    if text.lower() in _NOW_WORDS:
        return now
    match = _RELATIVE.match(text)
    if match:
        amount = 0.5 if match["n"] == "半" else int(match["n"])
        unit = match["unit"]
        if unit in _UNIT_SECONDS:
            return now - timedelta(seconds=amount * _UNIT_SECONDS[unit])
        # Day-sized units are only precise to the day: keep a date, not a fake time.
        return (now - timedelta(days=amount * _UNIT_DAYS[unit])).date()
    match = _NAMED_DAY.match(text)
    if match:
        day = now.date() - timedelta(days=_DAYS_BACK[match["day"]])
        if match["H"] is None:
            return day
        return datetime.combine(day, time(int(match["H"]), int(match["M"]), int(match["S"] or 0)))
    return None


def on_or_after(iso: str | None, since: date) -> bool:
    """Whether a parsed date is on or after ``since``; unknown dates are kept (True)."""
    if not iso:
        return True
    return iso[:10] >= since.isoformat()
