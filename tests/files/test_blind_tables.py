"""The scorer of ``python -m benchmarks.tables`` counts what the expected files state."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from benchmarks.tables import FOLDER, main, score_folder

STEM = "m04_crosstab_age_sex_bom"


def _copy(tmp_path: Path) -> dict:
    shutil.copy(FOLDER / f"{STEM}.csv", tmp_path)
    shutil.copy(FOLDER / f"{STEM}.expected.json", tmp_path)
    return json.loads((tmp_path / f"{STEM}.expected.json").read_text(encoding="utf-8"))


def test_a_wrong_expectation_fails_its_item_and_only_it(tmp_path: Path) -> None:
    expected = _copy(tmp_path)
    right = score_folder(tmp_path)[f"{STEM}.csv"]
    expected["rows"][0]["target"] += 1
    expected["cells"][1]["target"] += 1
    expected["header_row"] = 1
    (tmp_path / f"{STEM}.expected.json").write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")
    wrong = score_folder(tmp_path)[f"{STEM}.csv"]
    assert len(wrong) == len(right)
    failed = {i.name for i in wrong if not i.ok} - {i.name for i in right if not i.ok}
    assert failed == {"target age=18-29岁", "cell age=18-29岁*sex=女", "header row"}


def test_a_file_the_reader_rejects_fails_every_item(tmp_path: Path) -> None:
    expected = _copy(tmp_path)
    (tmp_path / f"{STEM}.csv").write_text("无关,内容\n甲,乙\n", encoding="utf-8")
    items = score_folder(tmp_path)[f"{STEM}.csv"]
    stated = 5 + 2 * len(expected["rows"]) + 1 + len(expected["excluded"]) + len(expected["cells"])
    assert len(items) == stated and not any(i.ok for i in items)


def test_the_command_prints_totals(tmp_path: Path, capsys) -> None:
    _copy(tmp_path)
    assert main(["--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("all: ") and "items" in out
