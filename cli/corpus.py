"""``tongxin words``: the corpus's words, raw vs corrected."""
from __future__ import annotations

import click

from cli._common import db_option, margins_option


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
