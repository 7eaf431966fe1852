"""A report on voices coded ahead and counted by cell gives the report made voice by voice."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opinion.errors import InputError
from opinion.estimates.coded import code_voices
from opinion.reports import i18n
from opinion.reports.build import ReportOptions, build_report
from opinion.reports.datapackage import write_tables
from opinion.reports.render import render_html, render_markdown
from opinion.store.db import open_store, upsert_document
from opinion.text.coder import load_coder
from opinion.text.cues import load_gazetteer
from opinion.text.segment import Segmenter
from tests.helpers import DEMO
from weighting.targets import load_margins

TODAY = date(2026, 11, 30)
POINT_METHODS = ("raw", "rake", "survey", "blend", "pseudo")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo county's store (crawled letters and forum, survey, hand-coded sample)."""
    out = tmp_path_factory.mktemp("cells-demo")
    proc = subprocess.run([sys.executable, "-m", "cli", "demo", "--out", str(out), "--replicates", "2"],
                          capture_output=True, text=True, timeout=600, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def _copy(demo_store: Path, tmp_path: Path) -> Path:
    for name in ("tongxin.db", "tongxin.db.key"):
        shutil.copy(demo_store / name, tmp_path / name)
    return tmp_path / "tongxin.db"


def _reports(db: Path, replicates: int, **extra: object) -> tuple[object, object]:
    gazetteer = load_gazetteer(DEMO / "gazetteer.csv")
    margins = load_margins(DEMO / "margins.csv")
    coder, segmenter = load_coder(), Segmenter.default()
    with open_store(db) as store:
        code_voices(store, coder, segmenter, gazetteer, today=TODAY)
        made = []
        for cells in (False, True):
            options = ReportOptions(replicates=replicates, seed=5, mrp=False, cells=cells, **extra)  # type: ignore[arg-type]
            made.append(build_report(store, margins, options=options, gazetteer=gazetteer, lexicon=coder,
                                     segmenter=segmenter, today=TODAY))
    return made[0], made[1]


def test_cells_give_the_voice_by_voice_estimates_counts_and_coverage(demo_store: Path, tmp_path: Path) -> None:
    voices, cells = _reports(_copy(demo_store, tmp_path), replicates=60)
    a = voices.estimates.set_index(["topic", "method"])  # type: ignore[attr-defined]
    b = cells.estimates.set_index(["topic", "method"])  # type: ignore[attr-defined]
    rows = [i for i in a.index if i[1] in POINT_METHODS]
    assert rows and set(rows) <= set(b.index)
    np.testing.assert_allclose(b.loc[rows, "estimate"].to_numpy(float), a.loc[rows, "estimate"].to_numpy(float),
                               atol=1e-9, equal_nan=True)
    assert (b.loc[rows, "n"].to_numpy() == a.loc[rows, "n"].to_numpy()).all()
    np.testing.assert_allclose(b.loc[rows, "ess"].to_numpy(float), a.loc[rows, "ess"].to_numpy(float), rtol=1e-9)
    pd.testing.assert_frame_equal(voices.coverage, cells.coverage)  # type: ignore[attr-defined]
    for key in ("voices_online", "respondents", "unknown", "ess"):
        assert cells.notes[key] == voices.notes[key], key  # type: ignore[attr-defined]
    coding_a, coding_b = voices.notes["coding"], cells.notes["coding"]  # type: ignore[attr-defined]
    assert (coding_b["voices"], coding_b["uncoded"], coding_b["hand_coded"]) == (
        coding_a["voices"], coding_a["uncoded"], coding_a["hand_coded"])
    assert coding_b["accuracy"] == coding_a["accuracy"]
    # the intervals come from other draws of the same bootstrap: widths agree, not digits
    width_a = (a.loc[rows, "ci_high"] - a.loc[rows, "ci_low"]).to_numpy(float)
    width_b = (b.loc[rows, "ci_high"] - b.loc[rows, "ci_low"]).to_numpy(float)
    both = (width_a > 0.01) & (width_b > 0.01)
    assert both.sum() > 20
    assert 0.8 < float(np.median(width_b[both] / width_a[both])) < 1.25
    # what a cell cannot give is left out, and said
    assert cells.words.empty and "mrp" not in set(b.index.get_level_values("method"))  # type: ignore[attr-defined]
    note = cells.notes["cells"]  # type: ignore[attr-defined]
    assert note["voices"] == voices.notes["voices_online"] and 0 < note["cells"] < note["voices"]  # type: ignore[attr-defined]
    # and the report says so at its top and where the words would be, in every format
    html, markdown = render_html(cells), render_markdown(cells)  # type: ignore[arg-type]
    strings = i18n.strings("zh")
    assert 'id="cells-note"' in html and strings["words_cells"] in html and '<table class="words">' not in html
    assert strings["words_cells"] in markdown and "tongxin store code" in markdown.split("## ")[0]
    assert '<table class="words">' in render_html(voices)  # type: ignore[arg-type]


def test_cells_by_group_estimates_match(demo_store: Path, tmp_path: Path) -> None:
    voices, cells = _reports(_copy(demo_store, tmp_path), replicates=2, by="urban")
    a = voices.by_group.set_index(["level", "topic", "method"])  # type: ignore[attr-defined]
    b = cells.by_group.set_index(["level", "topic", "method"])  # type: ignore[attr-defined]
    np.testing.assert_allclose(b.loc[a.index, "estimate"].to_numpy(float), a["estimate"].to_numpy(float),
                               atol=1e-9, equal_nan=True)
    assert (b.loc[a.index, "n"].to_numpy() == a["n"].to_numpy()).all()
    # the breakdown and the cells' provenance reach the csv files too; the words do not
    written = {path.name for path in write_tables(cells, tmp_path / "csv", "csv")}  # type: ignore[arg-type]
    assert {"estimates.csv", "by_group.csv", "datapackage.json"} <= written and "words.csv" not in written
    package = json.loads((tmp_path / "csv" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["provenance"]["cells"]["voices"] == voices.notes["voices_online"]  # type: ignore[attr-defined]
    by_csv = pd.read_csv(tmp_path / "csv" / "by_group.csv")
    assert set(by_csv["level"].astype(str)) == {"urban", "rural"} and len(by_csv) > 0
    assert "by_group.csv" in {path.name for path in write_tables(voices, tmp_path / "csv2", "csv")}  # type: ignore[arg-type]


def test_a_document_stored_after_coding_stops_the_cells_report(demo_store: Path, tmp_path: Path) -> None:
    db = _copy(demo_store, tmp_path)
    gazetteer = load_gazetteer(DEMO / "gazetteer.csv")
    coder, segmenter = load_coder(), Segmenter.default()
    with open_store(db) as store:
        code_voices(store, coder, segmenter, gazetteer, today=TODAY)
        with store.engine.begin() as conn:
            upsert_document(conn, {"url": "http://forum.example/new", "source": "forum", "kind": "post",
                                   "content_hash": "new", "author": "someone-new", "text": "路灯坏了",
                                   "fetched_at": "2026-11-30T00:00:00", "attributes": {}})
        with pytest.raises(InputError, match=r"tongxin \[--engine ENGINE\] store code --db"):
            build_report(store, load_margins(DEMO / "margins.csv"), gazetteer=gazetteer, lexicon=coder,
                         segmenter=segmenter, today=TODAY, options=ReportOptions(replicates=2, mrp=False, cells=True))


def test_cli_cells_report_without_codes_says_what_to_run(demo_store: Path, tmp_path: Path) -> None:
    db = _copy(demo_store, tmp_path)
    proc = subprocess.run([sys.executable, "-m", "cli", "report", "--cells", "--db", str(db), "--margins",
                           str(DEMO / "margins.csv"), "--replicates", "2"], capture_output=True, text=True)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and "store code --db" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_codes_of_another_configuration_are_named_in_the_error(demo_store: Path, tmp_path: Path) -> None:
    db = _copy(demo_store, tmp_path)
    with open_store(db) as store:
        config = code_voices(store, load_coder(), Segmenter.default(), load_gazetteer(DEMO / "gazetteer.csv"),
                             today=TODAY).config
    proc = subprocess.run([sys.executable, "-m", "cli", "report", "--cells", "--db", str(db), "--margins",
                           str(DEMO / "margins.csv"), "--replicates", "2"], capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    # reported without the gazetteer the voices were coded with: the error names what is coded
    assert f"coded here: {config[:12]} (lexicon" in proc.stderr and ", jieba, cues of 2026" in proc.stderr
    assert "tongxin [--engine ENGINE] store code" in proc.stderr
