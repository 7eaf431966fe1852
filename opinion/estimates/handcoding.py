"""The hand-coding sheet: voices drawn for a person to code, and the codes read back.

``tongxin code sample`` writes one row per drawn voice: its id, source and masked
texts, then one column per topic headed by the topic's label, a column 其他诉求 (a
concern outside the taxonomy) and a column 无诉求 (no concern), where the person marks
1. The coder's own topics are not shown: a person who sees them tends to agree with
them, and the sample exists to measure the coder against an independent reading. ``tongxin code import`` reads the
sheet back (xlsx or CSV, through the one table reader), matches every row to the drawn
sample, stores the codes and rejects the rows it cannot use with their line and reason.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from opinion.errors import InputError
from opinion.estimates.correction import OTHER_CODE
from opinion.files.tables import read_table
from opinion.store.db import Store, coding_samples, hand_codes
from opinion.text.masking import mask_pii

__all__ = [
    "ID_COLUMN", "NO_CONCERN", "OTHER_CODE", "OTHER_CONCERN", "CodingImport", "import_coding_sheet",
    "write_coding_rejects", "write_coding_sheet",
]

ID_COLUMN = "编号"
SOURCE_COLUMN = "来源"
TEXT_COLUMN = "文本"
NO_CONCERN = "无诉求"
OTHER_CONCERN = "其他诉求"
# Stored among a voice's hand-coded topics when the person marked a concern outside the
# taxonomy: the voice raises a concern (it is in the agenda share's denominator) but
# none of the coder's topics.
SOURCE_LABELS = {"online": "网上", "survey": "入户调查"}
# A cross (x, ×) is not a mark either way: on Chinese forms it often means "no".
MARKED = {"1", "1.0", "√", "✓", "是"}
UNMARKED = {"", "0", "0.0", "否"}
TEXT_SEPARATOR = " ‖ "
MAX_TEXT = 3000  # characters per cell shown to the coder (Excel's cell limit is 32,767)


def voice_id(source: str, voice: str) -> str:
    """The id a sheet row carries: source and pseudonym (no name ever appears)."""
    return f"{source}:{voice}"


def write_coding_sheet(drawn: pd.DataFrame, labels: Mapping[str, str], path: str | Path) -> Path:
    """Write the drawn voices as an .xlsx sheet (or CSV when ``path`` ends in .csv).

    ``drawn``: rows of the voices frame (``voice``, ``source``, ``texts``) in the order to
    show; ``labels``: topic code -> the label heading its column, in column order (the
    coder's own answers are not shown).

    Raises:
        InputError: ``path`` ends in neither .xlsx nor .csv.
    """
    out = Path(path)
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise InputError(f"{out}: write the coding sheet as .xlsx or .csv")
    topic_columns = list(labels.values())
    rows = []
    for _, voice in drawn.iterrows():
        text = TEXT_SEPARATOR.join(mask_pii(str(t)) for t in voice["texts"] if str(t).strip())
        rows.append([voice_id(str(voice["source"]), str(voice["voice"])),
                     SOURCE_LABELS.get(str(voice["source"]), str(voice["source"])),
                     text[:MAX_TEXT], *([""] * (len(topic_columns) + 2))])
    header = [ID_COLUMN, SOURCE_COLUMN, TEXT_COLUMN, *topic_columns, OTHER_CONCERN, NO_CONCERN]
    if out.suffix.lower() == ".csv":
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
        return out
    import openpyxl
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "编码"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "D2"
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["C"].width = 80
    for (cell,) in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.save(out)
    return out


@dataclass
class RejectedRow:
    line: int
    reason: str
    row: dict[str, str]


@dataclass
class CodingImport:
    """What ``import_coding_sheet`` did: rows read, stored and rejected (with reasons)."""

    path: Path
    sample: str
    rows_read: int = 0
    stored: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    not_coded: int = 0  # drawn voices with no row in the sheet (yet)
    kept_earlier: int = 0  # rejected rows of voices whose earlier imported codes stand


def _topic_columns(header: Sequence[str], labels: Mapping[str, str]) -> dict[str, str]:
    """Sheet column -> topic code, a column matching a topic's label or its code."""
    by_name = {label: code for code, label in labels.items()} | {code: code for code in labels}
    return {column: by_name[column] for column in header if column in by_name}


def import_coding_sheet(store: Store, path: str | Path, labels: Mapping[str, str]) -> CodingImport:
    """Store a person's codes from a filled-in sheet; re-importing replaces earlier codes.

    Every row must carry the id of a voice in the drawn sample and at least one mark: one
    or more topics and/or 其他诉求 (a concern outside the taxonomy), or 无诉求 alone. Marks
    are 1 (also √ or 是); 0, 否 or blank is unmarked; anything else (x, ×, 2) is rejected.
    A rejected row leaves the voice's earlier imported codes, if any, in place (counted).

    Raises:
        InputError: the file cannot be read, lacks the id or 无诉求 column, names no topic
            column the coder knows, or no sample was drawn.
    """
    table = read_table(path)
    table.require([ID_COLUMN, NO_CONCERN], f"a coding sheet needs the columns {ID_COLUMN} and {NO_CONCERN} "
                                           "(write one with tongxin code sample)")
    topics = _topic_columns(table.header, labels)
    if not topics:
        raise InputError(f"{table.path}: no column is headed by a topic label or code of the coder in use "
                         f"({', '.join(labels.values())}); code with the same taxonomy the sheet was written with")
    with store.engine.connect() as conn:
        drawn = conn.execute(sa.select(coding_samples.c.sample, coding_samples.c.source, coding_samples.c.voice)).all()
    if not drawn:
        raise InputError(f"{table.path}: the store has no drawn coding sample; draw one with tongxin code sample")
    sample_of = {voice_id(source, voice): sample for sample, source, voice in drawn}
    summary = CodingImport(path=table.path, sample="")
    records: dict[str, dict[str, object]] = {}
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for number, row in table.rows:
        summary.rows_read += 1
        if "__error__" in row:
            summary.rejected.append(RejectedRow(number, row["__error__"], {}))
            continue
        shown = {ID_COLUMN: row.get(ID_COLUMN, "")}
        ident = row.get(ID_COLUMN, "").strip()
        if ident not in sample_of:
            reason = "no id" if not ident else f"id {ident!r} is not in the drawn sample"
            summary.rejected.append(RejectedRow(number, reason, shown))
            continue
        if ident in records:
            summary.rejected.append(RejectedRow(number, f"id {ident!r} appears twice; the first row was kept", shown))
            continue
        marks: dict[str, bool] = {}
        bad = None
        for column in [*topics, OTHER_CONCERN, NO_CONCERN]:
            value = row.get(column, "").strip()
            if value in MARKED:
                marks[column] = True
            elif value not in UNMARKED:
                bad = (f"{column} {value!r} is not a mark; write 1 where the voice raises it (√ and 是 also "
                       "count), else leave it blank")
                break
        if bad:
            summary.rejected.append(RejectedRow(number, bad, shown))
            continue
        chosen = sorted(topics[c] for c in marks if c in topics)
        if marks.get(OTHER_CONCERN):
            chosen.append(OTHER_CODE)
        if not chosen and not marks.get(NO_CONCERN):
            summary.rejected.append(RejectedRow(
                number, f"nothing marked; mark the topics the voice raises, {OTHER_CONCERN}, or {NO_CONCERN}", shown))
            continue
        if chosen and marks.get(NO_CONCERN):
            summary.rejected.append(RejectedRow(number, f"both concerns and {NO_CONCERN} marked; mark one or the other",
                                                shown))
            continue
        source, _, voice = ident.partition(":")
        records[ident] = {"sample": sample_of[ident], "source": source, "voice": voice, "topics": json.dumps(chosen),
                          "no_concern": not chosen, "imported_at": now, "file": str(table.path)}
    rejected_ids = {r.row.get(ID_COLUMN, "").strip() for r in summary.rejected} - set(records)
    samples = {str(r["sample"]) for r in records.values()}
    summary.sample = ", ".join(sorted(samples))
    with store.engine.begin() as conn:
        for record in records.values():
            conn.execute(hand_codes.delete().where(sa.and_(
                hand_codes.c.sample == record["sample"], hand_codes.c.source == record["source"],
                hand_codes.c.voice == record["voice"])))
        if records:
            conn.execute(hand_codes.insert(), list(records.values()))
        coded_now = conn.execute(sa.select(sa.func.count()).select_from(hand_codes)
                                 .where(hand_codes.c.sample.in_(samples))).scalar_one() if samples else 0
        drawn_in = conn.execute(sa.select(sa.func.count()).select_from(coding_samples)
                                .where(coding_samples.c.sample.in_(samples))).scalar_one() if samples else 0
        # Rejected rows were not written, so a rejected voice found coded now was coded earlier.
        coded = {voice_id(source, voice) for source, voice in
                 conn.execute(sa.select(hand_codes.c.source, hand_codes.c.voice)).all()}
    summary.stored = len(records)
    summary.not_coded = int(drawn_in) - int(coded_now)
    summary.kept_earlier = len(rejected_ids & coded)
    return summary


def write_coding_rejects(summary: CodingImport, path: str | Path) -> Path:
    """The rejected rows with their line (or sheet row) and reason."""
    out = Path(path)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["line", "reason", ID_COLUMN])
        for rejected in summary.rejected:
            writer.writerow([rejected.line, rejected.reason, rejected.row.get(ID_COLUMN, "")])
    return out
