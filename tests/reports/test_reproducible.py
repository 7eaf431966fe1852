"""Same inputs and seed, same estimates; and the report says what produced it."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from scrapers.localsite import serve_directory
from tests.helpers import FAST, MARGINS, XSS_SITE, run_cli, write_small_survey


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    work = tmp_path_factory.mktemp("repro")
    db = work / "x.db"
    with serve_directory(XSS_SITE) as base:
        run_cli("crawl", "discuz", base + "/forum/index.html", "--db", str(db), *FAST)
    write_small_survey(work / "survey.csv")
    run_cli("survey", "import", str(work / "survey.csv"), "--db", str(db))
    yield db


def _report(db: Path, out: Path, seed: int) -> dict[str, object]:
    run_cli("report", "--db", str(db), "--margins", str(MARGINS), "--replicates", "8", "--seed", str(seed),
            "--format", "json", "--out", str(out))
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runs(store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    out = tmp_path_factory.mktemp("runs")
    return {"first": _report(store, out / "a.json", seed=11), "second": _report(store, out / "b.json", seed=11),
            "other": _report(store, out / "c.json", seed=12)}


def _rows(report: dict[str, object], exact: bool) -> list[dict[str, object]]:
    rows = report["estimates"]
    assert isinstance(rows, list)
    return [r for r in rows if exact or r["method"] != "mrp"]


def test_same_inputs_and_seed_give_identical_estimates(runs: dict[str, dict[str, object]]) -> None:
    first, second, other = runs["first"], runs["second"], runs["other"]
    assert _rows(first, exact=False) == _rows(second, exact=False)
    assert first["coverage"] == second["coverage"] and first["words"] == second["words"]
    # The seed matters (replicate intervals move), so equality above is not vacuous.
    assert [r["ci_low"] for r in _rows(first, False)] != [r["ci_low"] for r in _rows(other, False)]
    assert [r["estimate"] for r in _rows(first, False)] == [r["estimate"] for r in _rows(other, False)]


def test_mrp_intervals_are_identical_too(runs: dict[str, dict[str, object]]) -> None:
    assert _rows(runs["first"], exact=True) == _rows(runs["second"], exact=True)


def test_report_records_version_parameters_seed_and_input_hashes(store: Path, tmp_path: Path) -> None:
    notes = _report(store, tmp_path / "r.json", seed=11)["notes"]
    assert isinstance(notes, dict)
    assert notes["seed"] == 11 and notes["replicates"] == 8
    assert notes["version"] and notes["version"] != "unknown"
    assert notes["parameters"] == {"method": "blend", "blend_mix": "composite", "replicates": 8, "seed": 11,
                                   "min_cell": 5, "lang": "zh"}
    assert notes["inputs"] == {"margins": hashlib.sha256(MARGINS.read_bytes()).hexdigest()}
    assert notes["suppression"]["min_cell"] == 5


def test_table_formats_write_a_datapackage(store: Path, tmp_path: Path) -> None:
    run_cli("report", "--db", str(store), "--margins", str(MARGINS), "--replicates", "4",
            "--format", "json", "--out", str(tmp_path / "tables"))
    package = json.loads((tmp_path / "tables" / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["path"] for r in package["resources"]][:2] == ["estimates.json", "coverage.json"]
    assert all((tmp_path / "tables" / r["path"]).exists() for r in package["resources"])
