"""``tongxin export``: the stored corpus, for analysis elsewhere."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from cli._common import coder_option, db_option, gazetteer_option

if TYPE_CHECKING:
    from opinion.text.coder import TopicCoder
    from opinion.text.cues import Gazetteer


@click.command()
@click.argument("what", type=click.Choice(["documents", "voices"]))
@db_option
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Output file (default: standard output).")
@gazetteer_option
@coder_option
def export(what: str, db: str, fmt: str, out_path: str | None, gazetteer: Gazetteer | None,
           coder: TopicCoder | None) -> None:
    """Write the stored documents or voices out (masked text and pseudonyms only).

    Voices carry each attribute with its provenance (site, text, unknown) and, under
    ``cues``, the evidence of every attribute taken from text: the rule, the words read
    and the URL, or the values that conflicted. Voices also carry ``topics``: for each
    topic the voice is coded to, its evidence (the lexicon's matched words, or with
    --coder a learned model's most weighty tokens). In CSV, structured cells are JSON.
    """
    from opinion.reports.export import export_table, json_cells
    from opinion.store.db import open_store

    if coder is not None and what != "voices":
        raise click.UsageError("--coder codes voices; use it with `export voices`")
    with open_store(db) as store:
        table = export_table(store, what, gazetteer, coder=coder)
    target = out_path or sys.stdout
    if fmt == "csv":
        json_cells(table).to_csv(target, index=False)
    else:
        table.to_json(target, orient="records", lines=True, force_ascii=False)
    if out_path:
        click.echo(f"{len(table)} {what} written to {out_path}", err=True)
