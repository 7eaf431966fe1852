"""``tongxin demo``: the embedded demo, end to end."""
from __future__ import annotations

from pathlib import Path

import click

from cli._common import lang_option, replicate_progress, replicates_option, seed_option


@click.command()
@click.option("--out", "out_dir", default="tongxin-demo", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the store and the reports.")
@replicates_option
@seed_option
@lang_option
def demo(out_dir: str, n_replicates: int, seed: int, lang: str) -> None:
    """Run the whole pipeline on the embedded demo county (同心县).

    Serves the demo's government letter board and forum on 127.0.0.1, crawls them with
    Scrapy, imports the door-to-door survey, corrects the online voices to the population
    and writes report.html, report.md and estimates.csv into --out, then prints the
    estimates beside the demo's known truth.
    """
    from opinion.reports.render import summary_table
    from tongxin.demo import run_demo

    with replicate_progress(n_replicates) as bar:
        result = run_demo(out_dir, replicates=n_replicates, seed=seed, lang=lang, progress=bar.update)
    survey = result.survey
    click.echo(f"crawled: {result.data.notes.get('documents')} documents, "
               f"{result.data.notes.get('voices_online')} online voices", err=True)
    click.echo(f"survey: {survey.rows_valid} respondents imported, {len(survey.rejected)} rows rejected "
               f"(see {Path(out_dir) / 'survey_rejects.csv'})", err=True)
    click.echo(summary_table(result.data))
    click.echo("written: " + ", ".join(str(p) for p in result.files), err=True)
