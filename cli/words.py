"""``tongxin words``: the corpus's words, raw vs corrected."""
from __future__ import annotations

from typing import TYPE_CHECKING

import click

from cli._common import coder_option, db_option, gazetteer_option, margins_option, segmenting_progress, workers_option

if TYPE_CHECKING:
    from opinion.text.coder import TopicCoder
    from opinion.text.cues import Gazetteer


@click.command()
@db_option
@margins_option
@click.option("--top", default=30, show_default=True, type=click.IntRange(1, 1000), help="How many words.")
@click.option("--method", type=click.Choice(["raw", "rake", "survey", "blend"]), default="blend", show_default=True,
              help="Whose weights give the corrected column.")
@click.option("--userdict", "userdicts", multiple=True, type=click.Path(dir_okay=False),
              help="jieba user dictionary (word [freq] [pos] per line), loaded after the shipped one; repeatable.")
@workers_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@gazetteer_option
@coder_option
def words(db: str, margins_path: str, top: int, method: str, userdicts: tuple[str, ...], workers: int, fmt: str,
          gazetteer: Gazetteer | None, coder: TopicCoder | None) -> None:
    """Top words, raw (online voices, each counted once) vs corrected (weighted to the population).

    share: the mean of each voice's word distribution; voices: the share of voices using the word.
    With --coder, each word also gets the topics it signals on its own under that coder.
    """
    from opinion.reports.words import word_table
    from opinion.store.db import open_store
    from weighting.targets import load_margins

    with open_store(db) as store, segmenting_progress() as progress:
        table = word_table(store, load_margins(margins_path), top=top, method=method, userdicts=userdicts,
                           gazetteer=gazetteer, workers=workers,
                           progress=progress, coder=coder)
    if fmt == "csv":
        click.echo(table.to_csv(index=False), nl=False)
    elif fmt == "json":
        click.echo(table.to_json(orient="records", force_ascii=False))
    else:
        click.echo(f"rank word\t{method} share (voices)\traw rank share (voices)\tshift" + ("\ttopics" if coder else ""))
        for row in table.itertuples():
            arrow = f"↑{row.rank_shift}" if row.rank_shift > 0 else (f"↓{-row.rank_shift}" if row.rank_shift < 0 else "=")
            topics = f"\t{row.topics}" if coder is not None else ""
            click.echo(f"{row.weighted_rank:>4} {row.word}\t{row.weighted_share:.4f} ({row.weighted_voices_share:.1%})"
                       f"\traw #{row.raw_rank} {row.raw_share:.4f} ({row.raw_voices_share:.1%})\t{arrow}{topics}")
