"""``tongxin report``: corrected estimates with intervals, coverage and words."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli._common import (
    coder_option,
    db_option,
    gazetteer_option,
    lang_option,
    margins_option,
    replicates_option,
    seed_option,
    segmenting_progress,
    steps_progress,
    workers_option,
)

if TYPE_CHECKING:
    from opinion.text.coder import TopicCoder
    from opinion.text.cues import Gazetteer


@click.command()
@db_option
@margins_option
@click.option("--out", "out_path", type=click.Path(dir_okay=True),
              help="Output file (html, md) or folder (csv, json). Without it, a summary table is printed.")
@click.option("--format", "fmt", type=click.Choice(["html", "md", "csv", "json"]), default=None,
              help="Output format (default: from the --out suffix, else html).")
@gazetteer_option
@click.option("--method", "headline", type=click.Choice(["blend", "survey", "rake"]), default="blend", show_default=True,
              help="The corrected method that leads the report (all methods are shown beside raw).")
@click.option("--min-cell", default=5, show_default=True, type=click.IntRange(0, None),
              help="Hide group cells with fewer voices (and cells that would give them back); 0 hides nothing.")
@click.option("--by", "by", type=click.Choice(["age_group", "sex", "urban", "region"]),
              help="Also break each topic down by this attribute (raw, raked, survey and blended shares per group).")
@click.option("--budget", type=click.FloatRange(min=0), help="Add the visit plan: how to spend N door-to-door interviews.")
@click.option("--blend-mix", type=click.Choice(["composite", "ess"]), default="composite", show_default=True,
              help="How the blend mixes online voices and respondents within a group: composite weighs the web by its "
              "mean squared error against the survey, topic by topic (Elliott & Haviland 2007); ess by effective "
              "sample sizes, assuming the two sources agree (for comparison).")
@click.option("--userdict", "userdicts", multiple=True, type=click.Path(dir_okay=False),
              help="A jieba user dictionary added to the shipped one (repeatable), as for `tongxin words`; "
              "with --cells, the one `tongxin store code` was given.")
@click.option("--cells", is_flag=True,
              help="Take the online voices from the codes `tongxin store code` kept in the store, counted by cell in "
              "the database: for corpora of millions of voices. Leaves out words, tone, quotes and MRP.")
@replicates_option
@seed_option
@lang_option
@workers_option
@coder_option
def report(db: str, margins_path: str, out_path: str | None, fmt: str | None, gazetteer: Gazetteer | None,
           headline: str, min_cell: int, by: str | None, budget: float | None, blend_mix: str,
           userdicts: tuple[str, ...], cells: bool, n_replicates: int, seed: int, lang: str, workers: int,
           coder: TopicCoder | None) -> None:
    """Report what the online voices say and what the population says once corrected.

    Every figure is an agenda share (among people who raise at least one concern, the
    share raising the topic) with a 95% interval from replicates that redo the weighting.
    Group cells with fewer than --min-cell voices are suppressed in every format. csv and
    json write one file per table into the --out folder, with a datapackage.json
    (Frictionless Data) describing the columns; json with an --out ending in .json writes
    all tables and the provenance in one file instead. Topics are coded by the shipped
    lexicon unless --coder names a model from `tongxin code train`.
    """
    from opinion.reports.build import ReportOptions, build_report, file_sha256, input_sha256
    from opinion.reports.datapackage import report_json
    from opinion.reports.render import render_html, render_markdown, summary_table, write_tables
    from opinion.reports.suppression import suppress_small_cells
    from opinion.store.db import open_store
    from opinion.text.segment import Segmenter
    from weighting.targets import load_margins

    margins = load_margins(margins_path)
    options = ReportOptions(replicates=n_replicates, seed=seed, lang=lang, headline=headline, by=by, budget=budget,
                            workers=workers, blend_mix=blend_mix, cells=cells)
    with open_store(db) as store, segmenting_progress() as segmenting, steps_progress(n_replicates) as step:
        data = build_report(
            store, margins, options=options, gazetteer=gazetteer, lexicon=coder,
            segmenter=Segmenter.default(extra_userdicts=userdicts),
            inputs={"margins": input_sha256(margins_path),
                    **({"gazetteer": file_sha256(gazetteer.source)} if gazetteer else {}),
                    **({"coder": coder.fingerprint} if coder is not None else {})},
            progress=step, segment_progress=segmenting,
        )
    data.notes["parameters"] = {"method": headline, "blend_mix": blend_mix, "replicates": n_replicates, "seed": seed,
                                "min_cell": min_cell, "lang": lang, **({"cells": True} if cells else {})}
    data = suppress_small_cells(data, min_cell)
    if out_path is None:
        click.echo(summary_table(data))
        return
    out = Path(out_path)
    fmt = fmt or {".md": "md", ".csv": "csv", ".json": "json"}.get(out.suffix, "html")
    if fmt == "html":
        out.write_text(render_html(data), encoding="utf-8")
    elif fmt == "md":
        out.write_text(render_markdown(data), encoding="utf-8")
    elif fmt == "json" and out.suffix == ".json":
        out.write_text(report_json(data), encoding="utf-8")
    else:
        click.echo("written: " + ", ".join(str(p) for p in write_tables(data, out, fmt)), err=True)
        return
    click.echo(f"written: {out}", err=True)
