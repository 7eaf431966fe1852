"""``tongxin code train`` and ``--coder`` on ``report``, ``words`` and ``export``."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from cli.main import main
from opinion.store.db import open_store, upsert_document
from opinion.surveys.importer import import_survey
from tests.helpers import DEMO
from tests.text.test_coder import write_labelled

POSTS = ["医院挂号排队太久，看病太难", "马路坑坑洼洼没法走，路灯也坏了", "孩子上学太远，学校收费不合理", "谢谢领导的关心"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small store (24 online voices and the demo survey) and a labelled file."""
    folder = tmp_path_factory.mktemp("code")
    db = folder / "w.db"
    ages = [24, 36, 52, 71]
    with open_store(db) as store:
        with store.engine.begin() as conn:
            for i in range(24):
                upsert_document(conn, {
                    "url": f"http://forum.example/t{i}", "source": "forum", "kind": "post",
                    "content_hash": str(i), "author": f"a{i}", "text": POSTS[i % 4],
                    "fetched_at": "2026-11-27T00:00:00",
                    "attributes": {k: {"value": v, "provenance": "site"} for k, v in
                                   {"sex": "female" if i % 2 else "male", "age": ages[(i // 2) % 4],
                                    "urban": "urban" if i % 3 else "rural"}.items()},
                })
        import_survey(store, DEMO / "survey.csv", interview_year=2026)
    labelled = folder / "labelled.csv"
    write_labelled(labelled)
    return db, labelled


@pytest.fixture(scope="module")
def model(workspace: tuple[Path, Path]) -> Path:
    db, labelled = workspace
    result = CliRunner().invoke(main, ["code", "train", str(labelled), "--db", str(db), "--folds", "3"])
    assert result.exit_code == 0, result.output
    return db.with_name(db.name + ".coder.json")


def test_train_prints_cross_validated_scores_and_saves_beside_the_store(workspace: tuple[Path, Path], model: Path) -> None:
    db, labelled = workspace
    assert model.is_file()
    result = CliRunner().invoke(main, ["code", "train", str(labelled), "--db", str(db), "--folds", "3",
                                       "--out", str(db.parent / "other.json")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("3-fold cross-validation on 90 labelled texts")
    assert lines[1].split() == ["topic", "precision", "recall", "F1", "support", "coded"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:6]}
    assert set(rows) == {"healthcare", "transport", "education", "micro"}
    assert all(float(values[0]) >= 0.8 and float(values[1]) >= 0.8 for values in rows.values())
    assert lines[6].startswith("no topic: 18 texts labelled (20.0%)")
    assert "model written: " in result.output and (db.parent / "other.json").is_file()
    assert json.loads(model.read_text(encoding="utf-8"))["fingerprint"] == \
        json.loads((db.parent / "other.json").read_text(encoding="utf-8"))["fingerprint"]


def test_train_errors_are_one_line(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    db, labelled = workspace
    runner = CliRunner()
    result = runner.invoke(main, ["code", "train", str(tmp_path / "none.csv"), "--db", str(db)])
    assert result.exit_code == 1 and result.output == f"Error: {tmp_path / 'none.csv'}: no such file\n"
    bad = tmp_path / "bad.csv"
    bad.write_text("text,topics\n看病难,healthcare\n看病贵,healthcare;医疗\n", encoding="utf-8")
    result = runner.invoke(main, ["code", "train", str(bad), "--db", str(db)])
    assert result.exit_code == 1 and "line 3" in result.output and "'医疗' is not a topic code" in result.output
    assert len(result.output.strip().splitlines()) == 1
    result = runner.invoke(main, ["code", "train", str(labelled), "--db", "postgresql://host/db"])
    assert result.exit_code == 1 and "pass --out PATH" in result.output
    result = runner.invoke(main, ["code", "train", str(labelled), "--folds", "1", "--db", str(db)])
    assert result.exit_code == 2


def test_report_codes_topics_with_the_learned_model(workspace: tuple[Path, Path], model: Path, tmp_path: Path) -> None:
    db, _ = workspace
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["report", "--db", str(db), "--margins", str(DEMO / "margins.csv"),
                                       "--replicates", "2", "--coder", str(model), "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    fingerprint = json.loads(model.read_text(encoding="utf-8"))["fingerprint"]
    assert report["notes"]["topic_coder"] == {"coder": f"learned model {model.name}", "fingerprint": fingerprint,
                                              "kind": "learned"}
    assert report["notes"]["inputs"]["coder"] == fingerprint
    assert {row["topic"] for row in report["estimates"]} == {"healthcare", "transport", "education"}
    raw = {row["topic"]: row["estimate"] for row in report["estimates"] if row["method"] == "raw"}
    assert raw["healthcare"] == pytest.approx(1 / 3, abs=0.01)  # 6 of the 18 online voices raising a concern
    # Without --coder the shipped lexicon codes, with all its topics.
    result = CliRunner().invoke(main, ["report", "--db", str(db), "--margins", str(DEMO / "margins.csv"),
                                       "--replicates", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    notes = json.loads(out.read_text(encoding="utf-8"))["notes"]
    assert notes["topic_coder"]["kind"] == "lexicon" and notes["topic_coder"]["coder"] == "lexicon topics.yaml"


def test_words_and_export_take_the_coder(workspace: tuple[Path, Path], model: Path) -> None:
    db, _ = workspace
    runner = CliRunner()
    result = runner.invoke(main, ["words", "--db", str(db), "--margins", str(DEMO / "margins.csv"), "--top", "1000",
                                  "--format", "csv", "--method", "raw", "--coder", str(model)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout), keep_default_na=False).set_index("word")
    assert table.columns[-1] == "topics"
    assert table.loc["医院", "topics"] == "healthcare" and table.loc["关心", "topics"] == ""
    result = runner.invoke(main, ["export", "voices", "--db", str(db), "--coder", str(model)])
    assert result.exit_code == 0, result.output
    voices = {row["voice"]: json.loads(row["topics"]) for row in csv.DictReader(io.StringIO(result.stdout))}
    online = [topics for voice, topics in voices.items() if voice.startswith("a") or voice.startswith("v")]
    assert {"healthcare"} in [set(t) for t in voices.values()]
    assert all(isinstance(words, list) for topics in online for words in topics.values())
    result = runner.invoke(main, ["export", "documents", "--db", str(db), "--coder", str(model)])
    assert result.exit_code == 2 and "--coder codes voices" in result.output


@pytest.mark.parametrize("command", ["report", "words", "export"])
def test_a_missing_or_malformed_coder_is_a_one_line_error(workspace: tuple[Path, Path], tmp_path: Path,
                                                         command: str) -> None:
    db, _ = workspace
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "tongxin-topic-coder", "version": 1}', encoding="utf-8")
    args = {"report": ["report", "--margins", str(DEMO / "margins.csv")],
            "words": ["words", "--margins", str(DEMO / "margins.csv")], "export": ["export", "voices"]}[command]
    for path, message in ((tmp_path / "none.json", "no such coder file"), (broken, "malformed topic coder file")):
        result = CliRunner().invoke(main, [*args, "--db", str(db), "--coder", str(path)])
        assert result.exit_code == 1, result.output
        assert result.output.startswith(f"Error: {path}: ") and message in result.output
        assert len(result.output.strip().splitlines()) == 1
