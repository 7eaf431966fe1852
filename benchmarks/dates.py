"""Score the date parser on a labelled file of date strings: accuracy per kind.

``python -m benchmarks.dates [CSV] [--parser tongxin|dateparser]``

The CSV has columns ``raw,fetched_at,expected,kind,note`` (the blind holdout,
``tests/data/blind/dates/holdout.csv``, by default): ``fetched_at`` in China time
without an offset, ``expected`` as :func:`scrapers.dates.parse_date` writes it
(``YYYY-MM-DDTHH:MM:SS`` or ``YYYY-MM-DD``), empty when the string cannot be read. A
row is right when the parser's ``iso`` equals ``expected`` exactly (None for empty).

``--parser dateparser`` scores ``dateparser.parse`` alone (languages zh and en, dates
preferred from the past, relative to the fetch time) for comparison, generously: its
answer is cut to the day wherever the expected value is a day.
"""
from __future__ import annotations

import argparse
import csv
import sys
import warnings
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from scrapers.dates import CHINA_TZ, parse_date

HOLDOUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "blind" / "dates" / "holdout.csv"


def _tongxin(raw: str, fetched: datetime, expected: str) -> str | None:
    return parse_date(raw, fetched.replace(tzinfo=CHINA_TZ)).iso


def _dateparser(raw: str, fetched: datetime, expected: str) -> str | None:
    import dateparser

    settings = {"RELATIVE_BASE": fetched, "PREFER_DATES_FROM": "past", "TIMEZONE": "Asia/Shanghai",
                "TO_TIMEZONE": "Asia/Shanghai", "RETURN_AS_TIMEZONE_AWARE": False}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = dateparser.parse(raw, languages=["zh", "en"], settings=settings)
    if found is None:
        return None
    if expected and len(expected) == 10:
        return found.date().isoformat()
    return found.replace(microsecond=0).isoformat()


PARSERS: dict[str, Callable[[str, datetime, str], str | None]] = {"tongxin": _tongxin, "dateparser": _dateparser}


def score(path: Path, parser: str = "tongxin") -> tuple[dict[str, tuple[int, int]], list[tuple[str, str, str, str | None]]]:
    """Right and total per kind, and the rows read wrong as (kind, raw, expected, got)."""
    read = PARSERS[parser]
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    wrong = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            fetched = datetime.fromisoformat(row["fetched_at"])
            expected = row["expected"] or None
            got = read(row["raw"], fetched, row["expected"])
            total[row["kind"]] += 1
            if got == expected:
                right[row["kind"]] += 1
            else:
                wrong.append((row["kind"], row["raw"], row["expected"], got))
    return {kind: (right[kind], total[kind]) for kind in sorted(total)}, wrong


def main(argv: list[str]) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("csv", nargs="?", type=Path, default=HOLDOUT)
    args.add_argument("--parser", choices=sorted(PARSERS), default="tongxin")
    args.add_argument("--show-wrong", action="store_true", help="list the rows read wrong")
    opts = args.parse_args(argv)
    if not opts.csv.is_file():
        print(f"Error: {opts.csv} not found", file=sys.stderr)
        return 1
    per_kind, wrong = score(opts.csv, opts.parser)
    print(f"{opts.parser} on {opts.csv.name}")
    for kind, (ok, n) in per_kind.items():
        print(f"  {kind:18} {ok:4}/{n:<4} {ok / n:6.1%}")
    ok = sum(r for r, _ in per_kind.values())
    n = sum(t for _, t in per_kind.values())
    print(f"  {'all':18} {ok:4}/{n:<4} {ok / n:6.1%}")
    if opts.show_wrong:
        for kind, raw, expected, got in wrong:
            print(f"  wrong [{kind}] {raw!r}: expected {expected or None}, got {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
