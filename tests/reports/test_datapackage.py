from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from opinion.errors import InputError
from opinion.reports.datapackage import FIELDS, write_tables
from tests.reports.sample_report import estimate_rows, make_data


def _check_value(value: object, kind: str, fmt: str) -> None:
    """A value as the descriptor's type says a reader will parse it."""
    if value in ("", None):
        return  # missingValues: [""] in CSV, null in JSON
    if fmt == "json":
        types: dict[str, type | tuple[type, ...]] = {"integer": int, "number": (int, float), "boolean": bool,
                                                      "string": str}
        expected = types[kind]
        assert isinstance(value, expected) and not (kind == "integer" and isinstance(value, bool)), (value, kind)
        return
    text = str(value)
    if kind == "integer":
        int(text)
    elif kind == "number":
        float(text)
    elif kind == "boolean":
        assert text in ("True", "False"), text


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_descriptor_describes_every_file_and_column(tmp_path: Path, fmt: str) -> None:
    data = make_data()
    paths = write_tables(data, tmp_path, fmt)
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert paths[-1].name == "datapackage.json"
    assert package["profile"] == "tabular-data-package"
    resources = package["resources"]
    assert [r["path"] for r in resources] == [p.name for p in paths[:-1]]
    assert [r["name"] for r in resources] == ["estimates", "coverage", "words", "carry"]
    for resource in resources:
        assert resource["format"] == fmt and resource["encoding"] == "utf-8"
        fields = resource["schema"]["fields"]
        names = [f["name"] for f in fields]
        assert all(f["type"] == FIELDS[f["name"]][0] and f["description"] for f in fields)
        path = tmp_path / resource["path"]
        if fmt == "csv":
            with path.open(encoding="utf-8", newline="") as f:
                rows = list(csv.reader(f))
            assert rows[0] == names
            records = [dict(zip(names, r, strict=True)) for r in rows[1:]]
        else:
            records = json.loads(path.read_text(encoding="utf-8"))
            assert all(list(r) == names for r in records)
        assert records, resource["name"]
        for record in records:
            for field in fields:
                _check_value(record[field["name"]], field["type"], fmt)


def test_tables_carry_the_report_numbers_and_provenance(tmp_path: Path) -> None:
    write_tables(make_data(), tmp_path, "json")
    estimates = json.loads((tmp_path / "estimates.json").read_text(encoding="utf-8"))
    assert [r["estimate"] for r in estimates] == pytest.approx([r["estimate"] for r in estimate_rows()])
    assert all(isinstance(r["n"], int) for r in estimates)
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert package["provenance"]["seed"] == 20240501
    assert package["provenance"]["version"] == "0.1.0"
    assert package["provenance"]["suppression"]["min_cell"] == 5
    coverage = json.loads((tmp_path / "coverage.json").read_text(encoding="utf-8"))
    small = next(r for r in coverage if r["level"] == "60+")
    assert small["online_n"] is None and small["online_suppressed"] is True
    assert not any("<script>" in json.dumps(json.loads(p.read_text(encoding="utf-8")), ensure_ascii=False)
                   for p in tmp_path.glob("*.json"))  # no quotes, no free text
    assert math.isclose(package["resources"][0]["schema"]["fields"].__len__(), 10)


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="table format 'xlsx' is not supported: use one of csv, json"):
        write_tables(make_data(), tmp_path, "xlsx")


def test_json_outputs_hold_no_nan_or_infinity_that_other_tools_refuse(tmp_path: Path) -> None:
    """A cell nobody speaks for has an infinite half-width "now": JSON writes it as null."""
    import dataclasses

    import pandas as pd

    from opinion.reports.datapackage import report_json

    plan = pd.DataFrame({"cell": ["城关镇*60+*rural", "城关镇*18-29*urban"], "interviews": [12, 0],
                         "half_width_before": [float("inf"), 0.05], "half_width_after": [0.2, float("nan")]})
    data = dataclasses.replace(make_data("en"), plan=plan,
                               notes={**make_data("en").notes, "visit_plan": {"half_width": float("inf")}})

    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    loaded = json.loads(report_json(data), parse_constant=refuse)
    assert loaded["plan"][0]["half_width_before"] is None and loaded["plan"][1]["half_width_after"] is None
    assert loaded["notes"]["visit_plan"]["half_width"] is None
    write_tables(data, tmp_path / "t", "json")
    for path in (tmp_path / "t").glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
