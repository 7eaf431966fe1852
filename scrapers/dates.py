"""Dates as Chinese sites print them, read against the time the page was fetched.

Message boards print absolute dates (``2026-10-01 09:12``, ``2026年10月1日``,
``二〇二六年十月一日``), dates without a year (``10-01 09:12``, ``10月1日``), a bare time
for today (``09:12``, ``下午2:20``), relative dates (``3 天前``, ``三天前``, ``半个月前``,
``昨天 12:30``, ``刚刚``), and JSON APIs send epoch seconds or milliseconds, ISO 8601
with ``Z`` or an offset, RFC 2822 or ``Tue Mar 03 12:30:00 +0800 2026``. Full-width
digits and label prefixes (``发表于``, ``发布时间：``) are common. A relative or year-less
date only means something together with the fetch time, so parsing always takes it.

Output: the site's local time (China Standard Time, UTC+8, no daylight saving) as ISO
8601 without an offset: ``2026-10-01T09:12:00``; times given in another zone are
converted to China time; a date printed without a time stays a date (``2026-10-01``)
rather than inventing midnight. A year-less date is the most recent such date not after
the fetch time. A date more than a day after the fetch time is refused as a misreading.
The raw string is kept beside the parsed value, so nothing is lost when a format is
misread.

Method: the Chinese shapes are read by the patterns here; ISO 8601 by
:meth:`datetime.fromisoformat` and RFC 2822 by :func:`email.utils.parsedate_to_datetime`
(the standard library); other Latin-script forms (``March 3, 2026``, ``3 days ago``) by
``dateparser``, whose answers in the future of the fetch time are refused. ``dateparser``
is not given the numeric shapes: it reads an impossible ``2026-13-01`` as January 13th.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

CHINA_TZ = timezone(timedelta(hours=8), "CST")

_SPACES = re.compile(r"\s+")
_PREFIX = re.compile(
    r"^(?:(?:发表|发布|发帖|回复|回帖|来信|写信|留言|提交|提问|更新|受理|办结|答复|处理|反映|创建|编辑)"
    r"(?:于|时间|日期)?|时间|日期|posted(?: on)?|published|date)\s*[:：]?\s*",
    re.IGNORECASE,
)
_BRACKETS = re.compile(r"^[\[【(（]\s*(.*?)\s*[\]】)）]$")
_CN_NUMERAL = re.compile(r"[〇○零一二两三四五六七八九十]+")
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_WEEKDAY = re.compile(r"[（(]?\s*(?:星期|周|礼拜)[1-7日天]\s*[)）]?")

_EPOCH = re.compile(r"^\d{9,10}(?:\.\d+)?$|^\d{13}$")
_COMPACT = re.compile(r"^(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$|^\d{4}-\d{2}-\d{2}T")
_RFC2822 = re.compile(r"^(?:[A-Za-z]{3},?\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}")
_CTIME_ZONE = re.compile(r"^[A-Za-z]{3} [A-Za-z]{3} \d{1,2} \d{1,2}:\d{2}:\d{2} [+-]\d{4} \d{4}$")

# A time of day at the end of the string: 14:20, 14:20:05, 14时20分, 下午2:20, 下午2点, 2:20 PM.
_TIME = re.compile(
    r"(?P<half>上午|下午|中午|晚上|夜里|凌晨|早上|早晨|傍晚|am|pm)?\s*"
    r"(?P<H>\d{1,2})\s*(?:[:：]\s*(?P<M>\d{1,2})(?:\s*[:：]\s*(?P<S>\d{1,2})(?:\.\d+)?)?"
    r"|[时点]\s*(?:(?P<M2>\d{1,2})\s*分(?:\s*(?P<S2>\d{1,2})\s*秒)?|(?P<half_hour>半))?)"
    r"\s*(?P<half2>am|pm)?$",
    re.IGNORECASE,
)
_YMD = re.compile(r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?\s*T?$")
_MD = re.compile(r"^(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})\s*[日号]?$")
_RELATIVE = re.compile(
    r"^(?P<n>\d+|半)\s*(?P<unit>秒钟|秒|分钟|分|小时|个小时|钟头|个钟头|天|日|周|个星期|星期|个月|月|年)\s*(?:之前|以前|前)$"
)
_NAMED_DAY = re.compile(r"^(?P<day>今天|今日|昨天|昨日|前天|大前天)$")
_NOW_WORDS = {"刚刚", "刚才", "刚刚发表", "just now", "now", "现在"}
_DAYS_BACK = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2, "大前天": 3}
_UNIT_SECONDS = {"秒": 1, "秒钟": 1, "分钟": 60, "分": 60, "小时": 3600, "个小时": 3600, "钟头": 3600,
                 "个钟头": 3600}
_UNIT_DAYS = {"天": 1, "日": 1, "周": 7, "个星期": 7, "星期": 7, "个月": 30, "月": 30, "年": 365}
_PM = {"下午", "晚上", "夜里", "傍晚", "pm"}
_AM = {"上午", "凌晨", "早上", "早晨", "am"}
_LATIN = re.compile(r"[A-Za-z]{3}")
# Stretches of text made of what dates are written with; their edges trimmed to where a
# date can start (a digit, 上午, 昨天, 半, 刚) and end (a digit, 日, 前, 分, Z).
_RUN = re.compile(r"[0-9 \-/.:+TZ年月日号时分秒点上下午中晚凌早夜傍前天昨今大半刚才小个钟头周星期之以]+")
_RUN_EDGES = re.compile(r"^[^0-9上下中晚凌早夜傍昨今大半刚]+|[^0-9日号前天分秒时点半Z才刚]+$")
# A date parsed from an epoch or by dateparser must fall between these (seconds vs
# milliseconds, and a dateparser misreading of a post number, are told apart this way).
_EARLIEST = datetime(1995, 1, 1)


@dataclass(frozen=True)
class ParsedDate:
    """A parsed date: ``iso`` is None when the string could not be read; ``raw`` as printed."""

    iso: str | None
    raw: str


def site_now() -> datetime:
    """The current time on the sites' clock (aware, UTC+8)."""
    return datetime.now(CHINA_TZ)


def _local(moment: datetime) -> datetime:
    """``moment`` as naive site-local time, whatever zone it was given in (naive: already local)."""
    if moment.tzinfo is not None:
        return moment.astimezone(CHINA_TZ).replace(tzinfo=None)
    return moment


def _cn_number(run: str) -> str:
    """``二〇二六`` -> ``2026``, ``十二`` -> ``12``, ``二十五`` -> ``25``; unchanged if not a number."""
    if "十" not in run:
        return "".join(str(_CN_DIGITS[c]) for c in run)
    tens, _, units = run.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return run
    return str(_CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(units, 0))


def clean_date_text(raw: str) -> str:
    """The date string with full-width forms, label prefixes, brackets, weekdays and Chinese numerals normalised."""
    text = unicodedata.normalize("NFKC", raw)
    text = _SPACES.sub(" ", text).strip()
    for _ in range(2):  # "发布时间：[2026-03-05]"
        text = _PREFIX.sub("", text).strip()
        match = _BRACKETS.match(text)
        if match:
            text = match.group(1)
    text = _CN_NUMERAL.sub(lambda m: _cn_number(m.group(0)), text)
    text = _WEEKDAY.sub(" ", text)
    return _SPACES.sub(" ", text).strip(" ,，")


def parse_date(raw: str | None, fetched_at: datetime) -> ParsedDate:
    """Parse one date string as printed on a Chinese site (formats: see the module docstring).

    ``fetched_at`` anchors relative and year-less forms; an aware datetime is converted
    to site time first, a naive one is taken as site time. Returns ``iso`` as
    ``YYYY-MM-DDTHH:MM:SS`` or ``YYYY-MM-DD`` (China time), or None for a string that
    cannot be read (``不详``, ``2026-02-30``, ``下周``) rather than raising: one odd
    date must not lose the post.
    """
    raw = raw or ""
    text = clean_date_text(raw)
    if not text:
        return ParsedDate(None, raw)
    now = _local(fetched_at)
    value = _read(text, now)
    if value is None:
        return ParsedDate(None, raw)
    if isinstance(value, datetime):
        return ParsedDate(value.replace(microsecond=0).isoformat(), raw)
    return ParsedDate(value.isoformat(), raw)


def _read(text: str, now: datetime) -> datetime | date | None:
    """The whole string, else the date-like runs within it (longest first), else dateparser."""
    for candidate in (text, *_runs(text)):
        try:
            value = _parse(candidate, now)
        except (ValueError, OverflowError):  # e.g. 2026-02-30: the shape matched, the calendar did not
            continue
        if value is not None:
            return value if _not_after_fetch(value, now) else None
    if _LATIN.search(text):
        return _dateparser(text, now)
    return None


def _runs(text: str) -> list[str]:
    """Date-like stretches of ``text`` (``发布于 2026-03-05 12:30・IP 属地北京`` -> ``2026-03-05 12:30``)."""
    runs = []
    for match in _RUN.finditer(text):
        run = _RUN_EDGES.sub("", match.group(0))
        if run and run != text and any(c.isdigit() for c in run) or run in _NOW_WORDS:
            runs.append(run)
    return sorted(runs, key=len, reverse=True)


def _parse(text: str, now: datetime) -> datetime | date | None:
    whole = _parse_whole(text, now)
    if whole is not None:
        return whole
    clock: time | None = None
    match = _TIME.search(text)
    day_part = text
    start = match.start() + len(match.group(0)) - len(match.group(0).lstrip()) if match else 0
    if match and (start == 0 or not text[start - 1].isdigit()):
        clock = _clock(match)
        day_part = text[:start].strip(" ,，T")
    if clock is not None and not day_part:
        return datetime.combine(now.date(), clock)  # a bare time: today
    day = _parse_day(day_part, now, clock)
    if isinstance(day, datetime) or day is None:
        return day if clock is None else None
    return day if clock is None else datetime.combine(day, clock)


def _parse_whole(text: str, now: datetime) -> datetime | date | None:
    """Forms read as a whole: now-words, epochs, ISO 8601, ctime with a zone, RFC 2822."""
    if text.lower() in _NOW_WORDS:
        return now
    if _EPOCH.match(text):
        seconds = float(text) / (1000 if len(text) == 13 else 1)
        moment = _local(datetime.fromtimestamp(seconds, CHINA_TZ))
        return moment if _plausible(moment, now) else None
    if _ISO.match(text):
        return _local(datetime.fromisoformat(text.replace(" ", "T", 1)))
    if _CTIME_ZONE.match(text):
        return _local(datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y"))
    if _RFC2822.match(text):
        try:
            return _local(parsedate_to_datetime(text))
        except (TypeError, ValueError, IndexError):
            return None
    return None


def _clock(match: re.Match[str]) -> time:
    hour = int(match["H"])
    minute = int(match["M"] or match["M2"] or (30 if match["half_hour"] else 0))
    second = int(match["S"] or match["S2"] or 0)
    half = (match["half"] or match["half2"] or "").lower()
    if half in _PM and hour < 12:
        hour += 12
    elif half == "中午" and hour < 11:
        hour += 12
    elif half in _AM and hour == 12:
        hour = 0
    return time(hour, minute, second)


def _parse_day(text: str, now: datetime, clock: time | None) -> datetime | date | None:
    """The date part: absolute, year-less, named (昨天) or relative (三天前; a datetime for hours).

    A year-less date is the most recent one not after the fetch: with a ``clock``, the
    date and time together are compared with the fetch time.
    """
    match = _YMD.match(text) or _COMPACT.match(text)
    if match:
        return date(int(match["y"]), int(match["m"]), int(match["d"]))
    match = _MD.match(text)
    if match:
        latest = now.date() if clock is None or clock <= now.time() else now.date() - timedelta(days=1)
        return _latest_not_after(int(match["m"]), int(match["d"]), latest)
    match = _NAMED_DAY.match(text)
    if match:
        return now.date() - timedelta(days=_DAYS_BACK[match["day"]])
    match = _RELATIVE.match(text)
    if match and clock is None:
        amount = 0.5 if match["n"] == "半" else int(match["n"])
        unit = match["unit"]
        if unit in _UNIT_SECONDS:
            return now - timedelta(seconds=amount * _UNIT_SECONDS[unit])
        # Day-sized units are only precise to the day: keep a date, not a fake time.
        return (now - timedelta(days=amount * _UNIT_DAYS[unit])).date()
    return None


def _latest_not_after(month: int, day: int, today: date) -> date:
    """The most recent ``month``-``day`` on or before ``today`` (Feb 29 looks back to a leap year)."""
    for year in range(today.year, today.year - 8, -1):
        try:
            found = date(year, month, day)
        except ValueError:
            if month == 2 and day == 29:
                continue
            raise
        if found <= today:
            return found
    raise ValueError(f"no {month}-{day} before {today}")


def _not_after_fetch(value: datetime | date, now: datetime) -> bool:
    """A posted date after the fetch (beyond a day of clock skew) is a misreading, not a date."""
    if isinstance(value, datetime):
        return value <= now + timedelta(days=1)
    return value <= now.date() + timedelta(days=1)


def _plausible(moment: datetime, now: datetime) -> bool:
    return _EARLIEST <= moment <= now + timedelta(days=1)


_DATEPARSER: Any = None


def _dateparser(text: str, now: datetime) -> datetime | date | None:
    """Latin-script dates (``March 3, 2026``, ``3 days ago``) by dateparser; none in the future."""
    global _DATEPARSER
    if _DATEPARSER is None:
        import dateparser

        _DATEPARSER = dateparser
    settings = {"RELATIVE_BASE": now, "PREFER_DATES_FROM": "past", "TIMEZONE": "Asia/Shanghai",
                "TO_TIMEZONE": "Asia/Shanghai", "RETURN_AS_TIMEZONE_AWARE": False}
    found = _DATEPARSER.parse(text, languages=["en", "zh"], settings=settings)
    if found is None or not _plausible(found, now):
        return None
    if re.search(r"\d{1,2}:\d{2}|\b(?:hours?|minutes?|seconds?|am|pm)\b", text, re.IGNORECASE):
        return found
    return found.date()


def on_or_after(iso: str | None, since: date) -> bool:
    """Whether a parsed date is on or after ``since``; an unknown date (None) gives True.

    For following list pages (an undated row might be recent). Whether an undated
    document is stored under ``--since`` is :func:`since_rule`'s decision.
    """
    if not iso:
        return True
    return iso[:10] >= since.isoformat()
