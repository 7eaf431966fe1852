"""``python -m benchmarks.tables [--dir DIR] [--verbose] [--json]``: score the table readers
on the blind table files.

``tests/data/blind/tables/`` holds margin tables (``m*``) and survey files (``s*``)
written the way bureaus and field teams save them, each with ``<stem>.expected.json``
(conventions in the folder's README). Every file is read with the project's readers,
as the commands read them: margin tables through
:func:`weighting.margin_tables.read_margin_table` and
:func:`weighting.targets.load_margins` (what ``--margins`` does), survey files through
:func:`opinion.surveys.importer.check_survey` (what ``tongxin survey check`` does).
Each item the expected file states is one check, passed or failed; nothing stated is
skipped, and a file the reader rejects fails every item.

Margins items: encoding, sheet, header row, layout, that margins build, each expected
level (read, with its age bounds), each target (within 1e-9 relative), that no level
beyond the expected ones was read, each excluded text absent from the levels, each
joint cell. Survey items: encoding, sheet, header row, row count, and per respondent
the id and each of sex, age, age bounds, urban, township, interview date, concerns.

Variable names: the expected files say ``age`` and ``township`` where the project says
``age_group`` and ``region``; that renaming is the only translation made.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from opinion.errors import TongxinError
from opinion.files.tables import read_table
from opinion.surveys.importer import check_survey, load_codebook
from weighting.errors import WeightingError
from weighting.margin_tables import JointCell, MarginTable, read_margin_table
from weighting.targets import load_margins

FOLDER = Path(__file__).resolve().parent.parent / "tests" / "data" / "blind" / "tables"
RELATIVE = 1e-9
EXPECTED_NAMES = {"age_group": "age", "region": "township"}  # project name -> the expected files' name
ENCODINGS = {"gbk/gb18030": ("gbk", "gb18030"), "xlsx": (None,), "xls": (None,)}


@dataclass(frozen=True)
class Item:
    """One checked item of one file."""

    name: str
    ok: bool
    detail: str = ""


def _close(got: float, want: float) -> bool:
    return abs(got - want) <= RELATIVE * max(abs(want), 1e-300) or got == want


def _check(name: str, got: object, want: object) -> Item:
    return Item(name, got == want, "" if got == want else f"got {got!r}, expected {want!r}")


def _encoding(got: str, want: str | None) -> Item:
    ok = want in ENCODINGS.get(got, (got,))
    return Item("encoding", ok, "" if ok else f"got {got!r}, expected {want!r}")


def score_margins(path: Path, expected: dict[str, Any]) -> list[Item]:
    """The items of one margin table (see the module docstring)."""
    try:
        read = read_margin_table(path)
    except (TongxinError, WeightingError) as exc:
        return _all_failed(expected, f"not read: {exc}")
    items = [
        _encoding(read.table.encoding, expected["encoding"]),
        _check("sheet", read.table.sheet, expected["sheet"]),
        _check("header row", read.table.header_record, expected["header_row"]),
        _check("layout", read.layout, expected["layout"]),
    ]
    try:
        load_margins(path)
        items.append(Item("margins build", True))
    except (TongxinError, WeightingError) as exc:
        items.append(Item("margins build", False, str(exc)))
    items += _levels(read, expected)
    written = {r.written for r in read.rows} | {w for c in read.cells for w in c.written}
    for text in expected["excluded"]:
        items.append(Item(f"excluded {text!r}", text not in written, "" if text not in written else "read as a level"))
    items += _cells(read, expected)
    return items


def _levels(read: MarginTable, expected: dict[str, Any]) -> list[Item]:
    items = []
    rows = {(EXPECTED_NAMES.get(r.variable, r.variable), r.written): r for r in read.rows}
    matched = set()
    for want in expected["rows"]:
        key = (want["variable"], want["level"])
        name = f"{want['variable']}={want['level']}"
        row = rows.get(key)
        if row is None:
            items += [Item(f"level {name}", False, "not read"), Item(f"target {name}", False, "not read")]
            continue
        matched.add(key)
        bounds = (row.band.lo, row.band.hi) if row.band is not None else (None, None)
        want_bounds = (want["lo"], want["hi"])
        items.append(Item(f"level {name}", bounds == want_bounds,
                          "" if bounds == want_bounds else f"bounds {bounds}, expected {want_bounds}"))
        ok = _close(row.target, float(want["target"]))
        items.append(Item(f"target {name}", ok, "" if ok else f"got {row.target!r}, expected {want['target']!r}"))
    extra = [f"{v}={w}" for v, w in rows if (v, w) not in matched]
    items.append(Item("no other levels", not extra, ", ".join(extra)))
    return items


def _cells(read: MarginTable, expected: dict[str, Any]) -> list[Item]:
    items = []
    cells: dict[frozenset[tuple[str, str]], JointCell] = {}
    for cell in read.cells:
        names = tuple(EXPECTED_NAMES.get(v, v) for v in cell.variables)
        cells[frozenset(zip(names, cell.written, strict=True))] = cell
    for want in expected.get("cells", []):
        labels = {k: v for k, v in want.items() if k != "target"}
        name = "cell " + "*".join(f"{k}={v}" for k, v in labels.items())
        found = cells.get(frozenset(labels.items()))
        if found is None:
            items.append(Item(name, False, "not read"))
            continue
        ok = _close(found.target, float(want["target"]))
        items.append(Item(name, ok, "" if ok else f"got {found.target!r}, expected {want['target']!r}"))
    return items


SURVEY_FIELDS: dict[str, Callable[[dict[str, Any], Any], Any]] = {
    "sex": lambda r, _: r.get("sex"),
    "age": lambda r, _: r.get("age"),
    "age_lo": lambda r, _: r.get("age_lo"),
    "age_hi": lambda r, _: r.get("age_hi"),
    "urban": lambda r, _: r.get("urban"),
    "township": lambda r, _: r.get("region"),
    "interview_date": lambda r, _: r.get("interview_date"),
    "concerns": lambda r, want: r.get("choices") if isinstance(want, list) else r.get("text"),
}


def score_survey(path: Path, expected: dict[str, Any]) -> list[Item]:
    """The items of one survey file (see the module docstring)."""
    try:
        codebook = load_codebook()
        table = read_table(path, expect=codebook.knows)  # what check_survey reads first
        check = check_survey(path, codebook=codebook, preview=0)
    except (TongxinError, WeightingError) as exc:
        return _all_failed(expected, f"not read: {exc}")
    items = [
        _encoding(check.encoding, expected["encoding"]),
        _check("sheet", table.sheet, expected["sheet"]),
        _check("header row", table.header_record, expected["header_row"]),
        _check("rows", check.rows_valid, expected["n_rows"]),
    ]
    records = {str(r["respondent_id"]): r for _, r in check.records}
    for want in expected["rows"]:
        record = records.get(str(want["id"]))
        items.append(Item(f"id {want['id']}", record is not None, "" if record is not None else "not read"))
        for field, get in SURVEY_FIELDS.items():
            name = f"{want['id']} {field}"
            if record is None:
                items.append(Item(name, False, "respondent not read"))
                continue
            got = get(record, want[field])
            items.append(Item(name, got == want[field], "" if got == want[field] else f"got {got!r}, expected {want[field]!r}"))
    return items


def _all_failed(expected: dict[str, Any], reason: str) -> list[Item]:
    """Every item the expected file states, failed: a file not read passes nothing."""
    names = ["encoding", "sheet", "header row"]
    if expected["kind"] == "margins":
        names += ["layout", "margins build"]
        for row in expected["rows"]:
            names += [f"level {row['variable']}={row['level']}", f"target {row['variable']}={row['level']}"]
        names.append("no other levels")
        names += [f"excluded {t!r}" for t in expected["excluded"]]
        names += ["cell " + "*".join(f"{k}={v}" for k, v in c.items() if k != "target") for c in expected.get("cells", [])]
    else:
        names.append("rows")
        for row in expected["rows"]:
            names += [f"id {row['id']}"] + [f"{row['id']} {f}" for f in SURVEY_FIELDS]
    return [Item(n, False, reason) for n in names]


def score_folder(folder: Path = FOLDER) -> dict[str, list[Item]]:
    """Items per file, for every file with an ``.expected.json`` beside it, in name order."""
    results: dict[str, list[Item]] = {}
    for expected_path in sorted(folder.glob("*.expected.json")):
        stem = expected_path.name.removesuffix(".expected.json")
        data = [p for p in folder.glob(f"{stem}.*") if p != expected_path]
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        if len(data) != 1:
            results[stem] = [Item("file", False, f"{len(data)} data files named {stem}.*")]
            continue
        score = score_margins if expected["kind"] == "margins" else score_survey
        results[data[0].name] = score(data[0], expected)
    return results


def _summary(results: dict[str, list[Item]]) -> dict[str, Any]:
    def tally(prefix: str) -> dict[str, int]:
        chosen = {f: items for f, items in results.items() if f.startswith(prefix)}
        return {
            "items_passed": sum(i.ok for items in chosen.values() for i in items),
            "items": sum(len(items) for items in chosen.values()),
            "files_passed": sum(all(i.ok for i in items) for items in chosen.values()),
            "files": len(chosen),
        }

    return {"margins": tally("m"), "surveys": tally("s"), "all": tally("")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tables", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=FOLDER, help="folder of files with .expected.json beside them")
    parser.add_argument("--verbose", action="store_true", help="list passed items too")
    parser.add_argument("--json", action="store_true", help="print the items and totals as JSON")
    args = parser.parse_args(argv)
    results = score_folder(args.dir)
    summary = _summary(results)
    if args.json:
        print(json.dumps({"files": {f: [asdict(i) for i in items] for f, items in results.items()},
                          "totals": summary}, ensure_ascii=False, indent=1))
        return 0
    for name, items in results.items():
        passed = sum(i.ok for i in items)
        print(f"{name:<48} {passed:>4}/{len(items):<4} {'pass' if passed == len(items) else 'FAIL'}")
        for item in items:
            if not item.ok or args.verbose:
                print(f"    {'ok  ' if item.ok else 'FAIL'} {item.name}{': ' + item.detail if item.detail else ''}")
    for part, tally in summary.items():
        print(f"{part}: {tally['items_passed']}/{tally['items']} items, "
              f"{tally['files_passed']}/{tally['files']} files entirely right")
    return 0


if __name__ == "__main__":
    sys.exit(main())
