"""The embedded demo, end to end through the same code paths as the real commands.

Serve the fictional 同心县's sites on 127.0.0.1, crawl them with Scrapy into a fresh
store, import the door-to-door survey, record the demo's shipped hand-coded sample as the
drawn coding sample, write its coding sheet, fill it in as the person did and import it,
then correct and write the reports. The Twisted reactor behind the crawl runs once per
process, so :func:`run_demo` is too.
"""
from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pandas as pd
import sqlalchemy as sa

from opinion.errors import InputError
from opinion.estimates.correction import record_coding_sample
from opinion.estimates.handcoding import (
    ID_COLUMN,
    NO_CONCERN,
    CodingImport,
    import_coding_sheet,
    voice_id,
    write_coding_sheet,
)
from opinion.estimates.voices import all_voices
from opinion.files.resources import data_file
from opinion.reports.build import ReportOptions, build_report, file_sha256
from opinion.reports.data import ReportData
from opinion.reports.render import render_html, render_markdown, write_tables
from opinion.store.db import Store, documents, open_store, respondents
from opinion.store.privacy import pseudonym, workspace_key
from opinion.surveys.importer import ImportSummary, import_survey, write_rejects
from opinion.text.coder import as_coder
from opinion.text.cues import Gazetteer, load_gazetteer
from scrapers.localsite import serve_directory
from scrapers.run import CrawlJob, crawl
from weighting.targets import load_margins

log = logging.getLogger(__name__)

DEMO_DIR = data_file("demo")
DEMO_TODAY = date(2026, 11, 27)  # the demo's pages speak of "3 天前" relative to this day
# Politeness settings are for other people's servers; the demo crawls its own local one.
LOCAL_CRAWL_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "LOG_LEVEL": "WARNING",
}
HAND_FILE = "hand_coded.csv"  # written by data/demo/generate.py
HAND_SAMPLE = "demo-hand"  # the name the shipped sample is recorded under in the store
# Each stratum of the shipped file, and the store's source its voices are.
HAND_STRATA = {"letters": "online", "forum": "online", "survey": "survey"}


@dataclass
class DemoResult:
    out_dir: Path
    data: ReportData
    survey: ImportSummary
    crawl: list[object] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    coding: CodingImport | None = None


@dataclass(frozen=True, slots=True)
class ShippedCode:
    """One row of the demo's hand-coded sample (``data/demo/hand_coded.csv``).

    ``stratum``: letters, forum or survey; ``key``: what a user sees (the letter's page
    ``detail_NNNN.html``, the forum name as shown, the survey 编号); ``probability``: of
    being drawn within the stratum; ``topics``: topic codes the person marked, empty for
    无诉求.
    """

    stratum: str
    key: str
    probability: float
    topics: tuple[str, ...]


def read_hand_coded(path: Path) -> list[ShippedCode]:
    """Read the shipped hand-coded sample.

    Raises:
        InputError: a row has an unknown stratum, a probability outside (0, 1], or a key
            that repeats within its stratum.
    """
    codes: list[ShippedCode] = []
    seen: set[tuple[str, str]] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            stratum, key, probability = row["stratum"], row["key"], float(row["probability"])
            if stratum not in HAND_STRATA or not 0 < probability <= 1 or (stratum, key) in seen:
                raise InputError(f"{path}:{line}: stratum {stratum!r}, key {key!r}, probability {probability}: "
                                 f"need a stratum of {', '.join(HAND_STRATA)}, a probability in (0, 1] "
                                 "and a key not repeated within its stratum")
            seen.add((stratum, key))
            topics = () if row["topics"] == NO_CONCERN else tuple(row["topics"].split(";"))
            codes.append(ShippedCode(stratum, key, probability, topics))
    return codes


def shipped_voices(store: Store, codes: Sequence[ShippedCode]) -> list[tuple[str, str]]:
    """The store's (source, voice pseudonym) of each shipped row, in the order of ``codes``.

    A letter's page is found by the file name ending its crawled URL (the port varies) and
    its author pseudonym read from ``documents``; a forum name and a 编号 are keyed with the
    store's workspace key exactly as the crawler's pipeline and the survey importer key
    them, and must then be an author of a crawled post or a stored respondent.

    Raises:
        InputError: any key matches no voice of the store (or a 编号 more than one), with
            every such key listed: the shipped sample no longer describes the demo's data.
    """
    key = workspace_key(store.key_path)
    with store.engine.connect() as conn:
        letters: dict[str, set[str]] = {}
        posters: set[str] = set()
        for url, kind, author in conn.execute(sa.select(documents.c.url, documents.c.kind, documents.c.author)):
            if kind == "letter":
                letters.setdefault(PurePosixPath(urlsplit(url).path).name, set()).add(author)
            else:
                posters.add(author)
        by_id_key: dict[str, list[str]] = {}
        for respondent, id_key in conn.execute(sa.select(respondents.c.respondent, respondents.c.id_key)):
            by_id_key.setdefault(id_key, []).append(respondent)
    found: list[tuple[str, str]] = []
    missing: list[str] = []
    for code in codes:
        if code.stratum == "letters":
            authors = sorted(letters.get(code.key, set()))
        elif code.stratum == "forum":
            name = pseudonym(key, code.key)
            authors = [name] if name in posters else []
        else:  # the importer's key of an id, shared by every row that reused it
            authors = by_id_key.get(pseudonym(key, f"survey:{code.key}", prefix="r"), [])
        if len(authors) != 1:
            missing.append(f"{code.stratum} {code.key} ({len(authors)} matches)")
            continue
        found.append((HAND_STRATA[code.stratum], authors[0]))
    if missing:
        raise InputError(f"the shipped hand-coded sample names {len(missing)} voice(s) the demo store does not hold "
                         f"exactly once: {'; '.join(missing)}; regenerate data/demo with generate.py")
    return found


def record_shipped_sample(
    store: Store, voices: pd.DataFrame, codes: Sequence[ShippedCode], *, name: str = HAND_SAMPLE, seed: int = 0,
) -> pd.DataFrame:
    """Record the shipped sample's voices as the store's drawn coding sample ``name``.

    Each voice keeps the inclusion probability and stratum the file states (the draw was
    made by the generator, stratified by letters / forum / survey). Returns the drawn rows
    of ``voices`` in the file's order, with ``probability``, ``stratum`` and ``key``.

    Raises:
        InputError: a key matches no stored voice (see :func:`shipped_voices`), or a voice
            is not in ``voices`` with text to code.
    """
    where = {(s, v): i for i, (s, v) in enumerate(zip(voices["source"], voices["voice"], strict=True))}
    rows, lost = [], []
    for code, found in zip(codes, shipped_voices(store, codes), strict=True):
        at = where.get(found)
        if at is None or not any(str(t).strip() for t in voices.iloc[at]["texts"]):
            lost.append(f"{code.stratum} {code.key}")
        rows.append(at)
    if lost:
        raise InputError(f"shipped hand-coded voices with no text in the store: {', '.join(lost)}")
    drawn = voices.iloc[rows].assign(
        probability=[c.probability for c in codes], stratum=[c.stratum for c in codes], key=[c.key for c in codes])
    record_coding_sample(store, drawn, name=name, seed=seed)
    return drawn


def fill_coding_sheet(
    sheet: Path, filled: Path, drawn: pd.DataFrame, codes: Sequence[ShippedCode], labels: Mapping[str, str],
) -> Path:
    """Fill a written coding sheet (.xlsx) with the shipped codes, as the person would, into ``filled``.

    ``drawn`` and ``codes`` are aligned (as :func:`record_shipped_sample` returns them);
    each row of the sheet is found by its id and gets 1 under each marked topic's label,
    or under 无诉求.

    Raises:
        InputError: a shipped topic is not a code of the coder, or a sheet row or column
            is missing.
    """
    import openpyxl

    marks = {voice_id(str(v.source), str(v.voice)): c.topics
             for v, c in zip(drawn.itertuples(), codes, strict=True)}
    book = openpyxl.load_workbook(sheet)
    page = book.active
    assert page is not None  # the sheet write_coding_sheet wrote has one
    header = [cell.value for cell in page[1]]
    column = {str(value): i + 1 for i, value in enumerate(header)}
    unknown = sorted({t for topics in marks.values() for t in topics} - set(labels))
    if unknown or ID_COLUMN not in column or NO_CONCERN not in column:
        raise InputError(f"{sheet}: cannot fill it: topic(s) {', '.join(unknown) or '-'} unknown to the coder, "
                         f"or no {ID_COLUMN} / {NO_CONCERN} column")
    filled_ids = set()
    for r in range(2, page.max_row + 1):
        ident = str(page.cell(r, column[ID_COLUMN]).value)
        if ident not in marks:
            continue
        for heading in [labels[t] for t in marks[ident]] or [NO_CONCERN]:
            page.cell(r, column[heading], 1)
        filled_ids.add(ident)
    if filled_ids != set(marks):
        raise InputError(f"{sheet}: {len(set(marks) - filled_ids)} drawn voice(s) have no row to fill")
    book.save(filled)
    return filled


def code_shipped_sample(
    store: Store, out: Path, *, gazetteer: Gazetteer | None, demo_dir: Path = DEMO_DIR,
) -> tuple[CodingImport, list[Path]]:
    """The person's part of the demo: record the shipped sample, write its sheet, fill it, import it.

    Writes ``coding_sheet.xlsx`` (as ``tongxin code sample`` would hand it out) and
    ``coding_sheet_coded.xlsx`` (filled in from ``hand_coded.csv``) into ``out``.

    Raises:
        InputError: the shipped sample does not match the store (see
            :func:`record_shipped_sample`), or a filled row was rejected on import.
    """
    codes = read_hand_coded(demo_dir / HAND_FILE)
    voices = all_voices(store, gazetteer, today=DEMO_TODAY)
    drawn = record_shipped_sample(store, voices, codes)
    coder = as_coder(None)  # the coder build_report uses when given none
    labels = {c: coder.topics[c].label for c in coder.codes}
    sheet = write_coding_sheet(drawn, labels, out / "coding_sheet.xlsx")
    filled = fill_coding_sheet(sheet, out / "coding_sheet_coded.xlsx", drawn, codes, labels)
    summary = import_coding_sheet(store, filled, labels)
    if summary.rejected or summary.stored != len(codes):
        reasons = "; ".join(f"line {r.line}: {r.reason}" for r in summary.rejected[:5])
        raise InputError(f"{filled}: {summary.stored} of {len(codes)} hand-coded voices stored; {reasons}")
    return summary, [sheet, filled]


def demo_truth(demo_dir: Path = DEMO_DIR) -> pd.DataFrame:
    """The population share of each topic concern, from which the demo's voices were drawn."""
    truth = pd.read_csv(demo_dir / "truth.csv", dtype={"group_level": str})
    overall = truth[truth["group_variable"] == "all"]
    return overall[["topic", "share"]].reset_index(drop=True)


def _fresh_store_path(out_dir: Path) -> Path:
    db = out_dir / "tongxin.db"
    for suffix in ("", "-wal", "-shm", ".key"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    for sheet in ("coding_sheet.xlsx", "coding_sheet_coded.xlsx"):  # never import an earlier run's sheet
        (out_dir / sheet).unlink(missing_ok=True)
    return db


def run_demo(
    out_dir: str | Path,
    *,
    replicates: int = 200,
    seed: int = 20201101,
    lang: str = "zh",
    demo_dir: Path = DEMO_DIR,
    progress: Callable[[int], None] | None = None,
) -> DemoResult:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db = _fresh_store_path(out)
    with serve_directory(demo_dir / "site") as base:
        summaries = crawl(
            [CrawlJob("gov-letters", [f"{base}/letters/list_1.html"]), CrawlJob("discuz", [f"{base}/forum/index.html"])],
            db, settings=LOCAL_CRAWL_SETTINGS,
        )
    gazetteer: Gazetteer = load_gazetteer(demo_dir / "gazetteer.csv")
    with open_store(db) as store:
        survey = import_survey(store, demo_dir / "survey.csv", urban_of_place=gazetteer.urban_of_place,
                               interview_year=DEMO_TODAY.year)
        files = [write_rejects(survey, out / "survey_rejects.csv")]
        # With a hand-coded sample in the store, build_report corrects every estimate for
        # the coder's errors; without one its intervals would assume a perfect coder.
        coding, sheets = code_shipped_sample(store, out, gazetteer=gazetteer, demo_dir=demo_dir)
        files += sheets
        margins = load_margins(demo_dir / "margins.csv")
        inputs = {name: file_sha256(demo_dir / name) for name in ("survey.csv", "margins.csv", "truth.csv")}
        data = build_report(
            store, margins, gazetteer=gazetteer, truth=demo_truth(demo_dir), inputs=inputs, today=DEMO_TODAY,
            options=ReportOptions(replicates=replicates, seed=seed, lang=lang,
                                  title="同心县舆情代表性校正报告（演示）" if lang == "zh" else "Tongxin County demo report"),
            progress=progress,
        )
    (out / "report.html").write_text(render_html(data), encoding="utf-8")
    (out / "report.md").write_text(render_markdown(data), encoding="utf-8")
    files += [out / "report.html", out / "report.md", *write_tables(data, out)]
    return DemoResult(out_dir=out, data=data, survey=survey, crawl=list(summaries), files=files, coding=coding)
