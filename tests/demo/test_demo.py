"""The whole pipeline on the embedded demo: real HTTP crawl, real jieba, real weighting.

Runs ``tongxin demo`` in a subprocess (the Twisted reactor runs once per process).
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import DEMO


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    proc = subprocess.run(
        [sys.executable, "-m", "cli", "demo", "--out", str(out), "--replicates", "100"],
        capture_output=True, text=True, timeout=300, env=env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (out / "stdout.txt").write_text(proc.stdout, encoding="utf-8")
    return out


def most_rural_elderly_topic() -> tuple[str, float]:
    truth = pd.read_csv(DEMO / "truth.csv", dtype=str)
    truth["share"] = truth["share"].astype(float)
    overall = truth[truth["group_variable"] == "all"].set_index("topic")["share"]
    rural_old = truth[(truth["group_variable"] == "age_group*urban") & (truth["group_level"] == "60+*rural")]
    lift = rural_old.set_index("topic")["share"] - overall
    topic = str(lift.idxmax())
    return topic, float(overall[topic])


def test_raw_misses_the_rural_elderly_topic_and_blend_covers_it(demo_out: Path) -> None:
    topic, truth = most_rural_elderly_topic()
    estimates = pd.read_csv(demo_out / "estimates.csv").set_index(["topic", "method"])
    raw = estimates.loc[(topic, "raw")]
    blend = estimates.loc[(topic, "blend")]
    assert truth - raw["estimate"] > 0.10, f"raw {raw['estimate']:.3f} vs truth {truth:.3f}"
    assert blend["ci_low"] <= truth <= blend["ci_high"], f"blend [{blend['ci_low']:.3f}, {blend['ci_high']:.3f}] vs {truth:.3f}"


def test_every_method_has_an_interval_and_what_it_rests_on(demo_out: Path) -> None:
    estimates = pd.read_csv(demo_out / "estimates.csv")
    assert set(estimates["method"]) == {"raw", "rake", "survey", "blend", "pseudo", "mrp"}
    assert (estimates["estimand"] == "agenda_share").all()
    usable = estimates.dropna(subset=["estimate"])
    assert (usable["ci_low"] <= usable["estimate"]).all() and (usable["estimate"] <= usable["ci_high"]).all()
    assert (usable["n"] > 0).all() and (usable["ess"] > 0).all()


def test_crawled_markup_is_stored_as_text_and_never_live_in_the_report(demo_out: Path) -> None:
    import sqlite3

    with sqlite3.connect(demo_out / "tongxin.db") as conn:
        texts = [r[0] for r in conn.execute("select text from documents where text like '%<script>%'")]
    assert texts, "the forum post with typed <script> markup was not crawled as text"
    html = (demo_out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "<img src=x" not in html
    markdown = (demo_out / "report.md").read_text(encoding="utf-8")
    assert "<script>" not in markdown


def test_terminal_output_shows_truth_beside_estimates(demo_out: Path) -> None:
    stdout = (demo_out / "stdout.txt").read_text(encoding="utf-8")
    assert "养老" in stdout and "%" in stdout
    for name in ("report.html", "report.md", "estimates.csv", "survey_rejects.csv"):
        assert (demo_out / name).stat().st_size > 0


def test_no_name_or_phone_from_the_survey_reaches_any_output(demo_out: Path) -> None:
    survey = pd.read_csv(DEMO / "survey.csv", encoding="gbk", dtype=str)
    secrets = set(survey["姓名"].dropna()) | set(survey["联系电话"].dropna())
    blobs = {p.name: p.read_bytes() for p in demo_out.iterdir() if p.is_file() and not p.name.endswith(".key")}
    for name in [n for n in blobs if n.endswith(".xlsx")]:  # a workbook's bytes are zipped: read its parts
        with zipfile.ZipFile(demo_out / name) as book:
            blobs[name] = b"".join(book.read(part) for part in book.namelist())
    for name, blob in blobs.items():
        for secret in secrets:
            assert secret.encode("utf-8") not in blob, f"{secret} found in {name}"


def shipped_hand_codes() -> list[dict[str, str]]:
    with (DEMO / "hand_coded.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_report_notes_carry_the_hand_coded_sample_and_the_coders_accuracy(demo_out: Path) -> None:
    shipped = shipped_hand_codes()
    package = json.loads((demo_out / "datapackage.json").read_text(encoding="utf-8"))
    coding = package["provenance"]["coding"]
    assert coding["hand_coded"] == len(shipped) and 100 <= len(shipped) <= 140
    assert coding["sample"] == "demo-hand"
    marked: dict[str, int] = {}
    for row in shipped:
        for topic in row["topics"].split(";") if row["topics"] != "无诉求" else []:
            marked[topic] = marked.get(topic, 0) + 1
    accuracy = {a["topic"]: a for a in coding["accuracy"]}
    assert {t: accuracy[t]["coded_by_person"] for t in marked} == marked
    for topic in marked:  # every topic the person marked has the coder's precision and recall
        assert 0 <= accuracy[topic]["precision"] <= 1 and 0 <= accuracy[topic]["recall"] <= 1
    stdout = (demo_out / "stdout.txt").read_text(encoding="utf-8")
    assert f"{len(shipped)} 个声音" in stdout and "没有人工编码样本" not in stdout
    markdown = (demo_out / "report.md").read_text(encoding="utf-8")
    assert "精确率" in markdown and "召回率" in markdown and "设计型监督学习" in markdown


def test_coding_sheet_is_written_and_its_filled_copy_holds_the_shipped_codes(demo_out: Path) -> None:
    import openpyxl

    shipped = shipped_hand_codes()
    for name in ("coding_sheet.xlsx", "coding_sheet_coded.xlsx"):
        page = openpyxl.load_workbook(demo_out / name).active
        assert page is not None
        rows = list(page.iter_rows(values_only=True))
        header, body = rows[0], rows[1:]
        assert header[0] == "编号" and header[-1] == "无诉求" and len(body) == len(shipped)
        ids = [str(r[0]) for r in body]
        # rows carry source:pseudonym, never the letter page, forum name or survey 编号 the file keys by
        assert all(i.startswith(("online:v_", "survey:r_")) for i in ids), ids[:3]
        assert not {row["key"] for row in shipped} & set(ids)
        marks = sum(1 for r in body for c in r[3:] if c == 1)  # after 编号, 来源, 文本
        expected = sum(len(row["topics"].split(";")) if row["topics"] != "无诉求" else 1 for row in shipped)
        assert marks == (0 if name == "coding_sheet.xlsx" else expected)


def test_a_shipped_key_the_store_lacks_fails_loudly(tmp_path: Path) -> None:
    from opinion.errors import InputError
    from opinion.store.db import open_store
    from tongxin.demo import ShippedCode, shipped_voices

    codes = [ShippedCode("letters", "detail_9999.html", 0.2, ("housing",)),
             ShippedCode("forum", "无此人", 0.2, ()), ShippedCode("survey", "TX9999", 0.2, ("prices",))]
    with open_store(tmp_path / "empty.db") as store, pytest.raises(InputError, match="3 voice") as caught:
        shipped_voices(store, codes)
    assert "detail_9999.html" in str(caught.value) and "TX9999" in str(caught.value)
