"""The hand-coding sheet: written for a person, read back with rejects, used by reports."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from cli.main import main
from opinion.errors import InputError
from opinion.estimates.correction import HandSample, draw_coding_sample, hand_sample, pseudo_outcomes
from opinion.estimates.handcoding import (
    ID_COLUMN,
    NO_CONCERN,
    import_coding_sheet,
    write_coding_sheet,
)
from opinion.store.db import Store, open_store, upsert_document

LABELS = {"healthcare": "医疗", "eldercare": "养老", "transport": "交通/农村公路"}


def voices_frame() -> pd.DataFrame:
    texts = [["看病难，电话13812345678"], ["村里的路坑坑洼洼"], ["老人独居没人管"], [], ["谢谢领导"]]
    return pd.DataFrame({"voice": [f"p{i}" for i in range(5)], "source": ["online"] * 3 + ["survey"] * 2,
                         "texts": texts})


def test_sheet_rows_carry_id_source_masked_text_the_coders_topics_and_empty_marks(tmp_path: Path,
                                                                                 store: Store) -> None:
    frame = voices_frame()
    drawn = draw_coding_sample(store, frame, 4, seed=3)
    path = write_coding_sheet(drawn, LABELS, tmp_path / "sheet.xlsx")
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [ID_COLUMN, "来源", "文本", "医疗", "养老", "交通/农村公路", "其他诉求", NO_CONCERN]
    assert len(rows) == 5  # four drawn voices: the one without text is not in the frame
    texts = " ".join(str(r[2]) for r in rows[1:])
    assert "13812345678" not in texts and "看病难" in texts
    assert all(r[3:] == [None] * 5 for r in rows[1:])  # blind: the coder's topics are not shown


def _fill(path: Path, marks: dict[str, dict[str, str]], extra: list[list[str]] | None = None) -> Path:
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for column, value in marks.get(str(row[0].value), {}).items():
            row[header.index(column)].value = value
    for row_values in extra or []:
        sheet.append(row_values)
    book.save(path)
    return path


def test_import_stores_the_codes_and_rejects_what_it_cannot_use_with_line_and_reason(tmp_path: Path,
                                                                                    store: Store) -> None:
    frame = voices_frame()
    drawn = draw_coding_sample(store, frame, 4, seed=3)
    ids = [f"{s}:{v}" for s, v in zip(drawn["source"], drawn["voice"], strict=True)]
    path = write_coding_sheet(drawn, LABELS, tmp_path / "sheet.xlsx")
    _fill(path, {ids[0]: {"医疗": "1", "养老": "√"}, ids[1]: {NO_CONCERN: "1"},
                 ids[2]: {"医疗": "1", NO_CONCERN: "1"}, ids[3]: {"养老": "maybe"}},
          extra=[["online:nobody", "网上", "x", "1", "", "", "", ""], [ids[0], "网上", "x", "1", "", "", "", ""]])
    summary = import_coding_sheet(store, path, LABELS)
    assert summary.rows_read == 6 and summary.stored == 2
    reasons = {r.line: r.reason for r in summary.rejected}
    assert reasons == {
        4: "both concerns and 无诉求 marked; mark one or the other",
        5: "养老 'maybe' is not a mark; write 1 where the voice raises it (√ and 是 also count), else leave it blank",
        6: "id 'online:nobody' is not in the drawn sample",
        7: f"id {ids[0]!r} appears twice; the first row was kept",
    }
    assert summary.not_coded == 2
    hand = hand_sample(store, frame, list(LABELS))
    assert hand is not None and hand.n == 2
    by_voice = {frame.at[int(r), "voice"]: codes.tolist() for r, codes in zip(hand.rows, hand.codes, strict=True)}
    assert by_voice[drawn["voice"].iloc[0]] == [1.0, 1.0, 0.0]
    assert by_voice[drawn["voice"].iloc[1]] == [0.0, 0.0, 0.0]
    assert set(hand.probability) <= {3 / 3, 1 / 1, 2 / 3, 1.0}


def test_a_sheet_without_the_coders_topics_or_without_a_draw_is_refused(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "s.csv"
    path.write_text(f"{ID_COLUMN},{NO_CONCERN}\nonline:p0,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="no column is headed by a topic label"):
        import_coding_sheet(store, path, LABELS)
    path.write_text(f"{ID_COLUMN},医疗,{NO_CONCERN}\nonline:p0,1,\n", encoding="utf-8")
    with pytest.raises(InputError, match="no drawn coding sample"):
        import_coding_sheet(store, path, LABELS)


def test_code_sample_and_import_commands(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    with open_store(db) as opened, opened.engine.begin() as conn:
        for i, text in enumerate(["看病难，医院太远", "村里的路坑坑洼洼，一下雨就没法走", "孩子上学远", "物价涨得厉害"]):
            upsert_document(conn, {"url": f"http://f.example/t{i}", "source": "forum", "kind": "post",
                                   "content_hash": str(i), "author": f"a{i}", "text": text,
                                   "fetched_at": "2026-11-27T00:00:00", "attributes": {}})
    sheet = tmp_path / "sheet.xlsx"
    drawn = CliRunner().invoke(main, ["code", "sample", "--n", "3", "--out", str(sheet), "--db", str(db)])
    assert drawn.exit_code == 0, drawn.output
    assert "drew 3 voices (online 3) as sample 'hand'" in drawn.output
    again = CliRunner().invoke(main, ["code", "sample", "--n", "3", "--out", str(sheet), "--db", str(db)])
    assert again.exit_code == 1 and "already drawn" in again.output
    empty = CliRunner().invoke(main, ["code", "import", str(sheet), "--db", str(db)])
    assert empty.exit_code == 1
    assert "3 rows, 0 stored, 3 rejected" in empty.output
    assert (tmp_path / "sheet.rejects.csv").read_text(encoding="utf-8").count("nothing marked") == 3
    book = openpyxl.load_workbook(sheet)
    ws = book.active
    assert ws is not None
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        row[header.index(NO_CONCERN)].value = 1
    book.save(sheet)
    done = CliRunner().invoke(main, ["code", "import", str(sheet), "--db", str(db)])
    assert done.exit_code == 0, done.output
    assert "3 rows, 3 stored, 0 rejected" in done.output


def test_a_concern_outside_the_taxonomy_counts_as_a_concern_and_crosses_are_not_marks(tmp_path: Path,
                                                                                     store: Store) -> None:
    frame = voices_frame()
    drawn = draw_coding_sample(store, frame, 4, seed=3)
    ids = [f"{s}:{v}" for s, v in zip(drawn["source"], drawn["voice"], strict=True)]
    path = write_coding_sheet(drawn, LABELS, tmp_path / "sheet.xlsx")
    _fill(path, {ids[0]: {"其他诉求": "1"}, ids[1]: {"医疗": "x"}, ids[2]: {NO_CONCERN: "是"}})
    summary = import_coding_sheet(store, path, LABELS)
    assert summary.stored == 2
    assert any("'x' is not a mark" in r.reason for r in summary.rejected)
    hand = hand_sample(store, frame, list(LABELS))
    assert hand is not None
    other = int(np.flatnonzero(frame["voice"].to_numpy() == drawn["voice"].iloc[0])[0])
    at = list(hand.rows).index(other)
    assert hand.codes[at].tolist() == [0.0, 0.0, 0.0] and hand.any_concern[at] == 1.0
    # A corrected sheet fixes the rejected row; a rejected row keeps earlier codes, and says so.
    _fill(path, {ids[1]: {"医疗": "1"}, ids[0]: {"其他诉求": "2"}})
    again = import_coding_sheet(store, path, LABELS)
    assert again.kept_earlier == 1


def test_pseudo_outcome_of_any_concern_follows_the_persons_other_concern() -> None:
    y = pd.DataFrame({"a": [False, True]})
    hand = HandSample(rows=np.array([0]), codes=np.array([[0.0]]), probability=np.array([0.5]),
                      stratum=np.array(["s"]), topics=["a"], sample="s", concern=np.array([1.0]))
    tilde, d = pseudo_outcomes(y, y.any(axis=1), hand)
    assert tilde["a"].tolist() == [0.0, 1.0] and d.tolist() == [2.0, 1.0]
