"""``tongxin export``: the corpus out, masked and pseudonymous, attributes with their evidence."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from cli.main import main
from opinion.store.db import open_store, upsert_document


def _store(tmp_path: Path) -> Path:
    db = tmp_path / "e.db"
    with open_store(db) as store, store.engine.begin() as conn:
        for i, (author, text, attributes) in enumerate([
            ("v_a", "本人女，我今年72岁，村里的路太烂了", {}),
            ("v_b", "房价太高", {"sex": {"value": "male", "provenance": "site"}}),
        ]):
            upsert_document(conn, {
                "url": f"http://forum.example/t{i}", "source": "forum", "kind": "post", "content_hash": str(i),
                "author": author, "text": text, "fetched_at": "2026-11-27T00:00:00", "attributes": attributes,
            })
    return db


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, ["export", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_voices_carry_the_evidence_of_text_attributes_in_jsonl_and_csv(tmp_path: Path) -> None:
    db = _store(tmp_path)
    rows = {r["voice"]: r for r in map(json.loads, _run("voices", "--db", str(db), "--format", "jsonl").splitlines())}
    assert rows["v_a"]["sex"] == "female" and rows["v_a"]["prov_sex"] == "text"
    assert rows["v_a"]["cues"]["sex"] == {"value": "female", "rule": "self_sex", "text": "本人女",
                                         "url": "http://forum.example/t0"}
    assert rows["v_a"]["cues"]["age_group"]["text"] == "我今年72岁"
    assert rows["v_b"]["prov_sex"] == "site" and rows["v_b"]["cues"] == {}
    table = list(csv.DictReader(io.StringIO(_run("voices", "--db", str(db)))))
    by_voice = {r["voice"]: r for r in table}
    assert json.loads(by_voice["v_a"]["cues"])["urban"]["text"] == "村里"  # JSON, not a Python repr
    assert "texts" not in table[0]
    # the age group is exported, not the ages behind it
    assert by_voice["v_a"]["age_group"] == "60+" and "age_lo" not in table[0] and "age_hi" not in table[0]


def test_documents_keep_attributes_as_json_in_csv(tmp_path: Path) -> None:
    db = _store(tmp_path)
    table = list(csv.DictReader(io.StringIO(_run("documents", "--db", str(db)))))
    assert [r["url"] for r in table] == ["http://forum.example/t0", "http://forum.example/t1"]
    assert json.loads(table[1]["attributes"]) == {"sex": {"value": "male", "provenance": "site"}}
    out = tmp_path / "docs.jsonl"
    CliRunner().invoke(main, ["export", "documents", "--db", str(db), "--format", "jsonl", "--out", str(out)])
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["text"] == "本人女，我今年72岁，村里的路太烂了" and lines[1]["attributes"]["sex"]["value"] == "male"
