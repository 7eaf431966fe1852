"""``tongxin export`` and ``tongxin words``: the corpus and its words."""
from __future__ import annotations

import sys

import click

from cli._common import db_option, margins_option


@click.command()
@click.argument("what", type=click.Choice(["documents", "voices"]))
@db_option
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Output file (default: standard output).")
def export(what: str, db: str, fmt: str, out_path: str | None) -> None:
    """Write the stored documents or voices out (masked text and pseudonyms only)."""
    from opinion.corpus import export_table
    from opinion.store import open_store

    with open_store(db) as store:
        table = export_table(store, what)
    target = out_path or sys.stdout
    if fmt == "csv":
        table.to_csv(target, index=False)
    else:
        table.to_json(target, orient="records", lines=True, force_ascii=False)
    if out_path:
        click.echo(f"{len(table)} {what} written to {out_path}", err=True)


@click.command()
@db_option
@margins_option
@click.option("--top", default=30, show_default=True, type=click.IntRange(1, 1000), help="How many words.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--gazetteer", type=click.Path(dir_okay=False), help="CSV region,place,urban for place cues.")
def words(db: str, margins_path: str, top: int, fmt: str, gazetteer: str | None) -> None:
    """Top words, raw (online voices, each counted once) vs corrected (blended to the population)."""
    from opinion.corpus import word_table
    from opinion.cues import load_gazetteer
    from opinion.pipeline import load_margins
    from opinion.store import open_store

    with open_store(db) as store:
        table = word_table(store, load_margins(margins_path), top=top,
                           gazetteer=load_gazetteer(gazetteer) if gazetteer else None)
    if fmt == "csv":
        click.echo(table.to_csv(index=False), nl=False)
    elif fmt == "json":
        click.echo(table.to_json(orient="records", force_ascii=False))
    else:
        for row in table.itertuples():
            arrow = f"↑{row.rank_shift}" if row.rank_shift > 0 else (f"↓{-row.rank_shift}" if row.rank_shift < 0 else "=")
            click.echo(f"{row.weighted_rank:>4} {row.word}\t{row.weighted_share:.4f}\traw #{row.raw_rank} {row.raw_share:.4f}\t{arrow}")
