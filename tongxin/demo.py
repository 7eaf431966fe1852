"""The embedded demo, end to end through the same code paths as the real commands.

Serve the fictional 同心县's sites on 127.0.0.1, crawl them with Scrapy into a fresh
store, import the door-to-door survey, correct, and write the reports. The Twisted
reactor behind the crawl runs once per process, so :func:`run_demo` is too.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from opinion.files.resources import data_file
from opinion.reports.build import ReportOptions, build_report, file_sha256
from opinion.reports.data import ReportData
from opinion.reports.render import render_html, render_markdown, write_tables
from opinion.store.db import open_store
from opinion.surveys.importer import ImportSummary, import_survey, write_rejects
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


@dataclass
class DemoResult:
    out_dir: Path
    data: ReportData
    survey: ImportSummary
    crawl: list[object] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def demo_truth(demo_dir: Path = DEMO_DIR) -> pd.DataFrame:
    """The population share of each topic concern, from which the demo's voices were drawn."""
    truth = pd.read_csv(demo_dir / "truth.csv", dtype={"group_level": str})
    overall = truth[truth["group_variable"] == "all"]
    return overall[["topic", "share"]].reset_index(drop=True)


def _fresh_store_path(out_dir: Path) -> Path:
    db = out_dir / "tongxin.db"
    for suffix in ("", "-wal", "-shm", ".key"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
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
    urban_of_place = {place: urban for place, (_, urban) in gazetteer.places.items()}
    with open_store(db) as store:
        survey = import_survey(store, demo_dir / "survey.csv", urban_of_place=urban_of_place,
                               interview_year=DEMO_TODAY.year)
        files = [write_rejects(survey, out / "survey_rejects.csv")]
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
    return DemoResult(out_dir=out, data=data, survey=survey, crawl=list(summaries), files=files)
