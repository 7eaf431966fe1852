"""``tongxin code sample`` and ``tongxin code import``: voices coded by a person (commands of the
``code`` group, added to it in :mod:`cli.code`)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli._common import coder_option, db_option

if TYPE_CHECKING:
    from opinion.text.coder import TopicCoder


@click.command(name="sample")
@click.option("--n", "n", required=True, type=click.IntRange(min=1), help="How many voices to draw.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="The sheet to write: .xlsx (default) or .csv.")
@click.option("--name", default="hand", show_default=True, help="Name of the drawn sample.")
@click.option("--seed", default=20201101, show_default=True, type=int, help="Random seed of the draw.")
@coder_option
@db_option
def sample(n: int, out_path: str, name: str, seed: int, coder: TopicCoder | None, db: str) -> None:
    """Draw N voices at random (online and door-to-door) for a person to code.

    The draw is stratified by source, proportionally, and recorded in the store with
    each voice's inclusion probability. The sheet has one row per voice: its id, source and
    masked texts, then one column per topic headed by its label, 其他诉求 and 无诉求; the
    person marks 1 for each concern the voice raises, or 无诉求. The coder's own topics are
    not shown, so the person's reading is independent of it.
    """
    from opinion.estimates.correction import draw_coding_sample
    from opinion.estimates.handcoding import write_coding_sheet
    from opinion.estimates.voices import all_voices
    from opinion.store.db import open_store
    from opinion.text.coder import as_coder

    chosen = as_coder(coder)
    with open_store(db) as store:
        drawn = draw_coding_sample(store, all_voices(store), n, seed=seed, name=name)
    out = write_coding_sheet(drawn, {c: chosen.topics[c].label for c in chosen.codes}, out_path)
    counts = drawn["source"].value_counts().to_dict()
    click.echo(f"drew {len(drawn)} voices ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}) "
               f"as sample {name!r}; sheet for coding: {out}")
    if len(drawn) < n:
        click.echo(f"asked for {n}, but only {len(drawn)} voices have text to code: all of them were drawn")


@click.command(name="import")
@click.argument("sheet", type=click.Path(dir_okay=False))
@click.option("--rejects", "rejects_path", type=click.Path(dir_okay=False),
              help="Where to write rejected rows with reasons (default: SHEET.rejects.csv).")
@coder_option
@db_option
def import_(sheet: str, rejects_path: str | None, coder: TopicCoder | None, db: str) -> None:
    """Store a person's codes from a filled-in coding sheet (.xlsx or CSV).

    Mark 1 (or √, 是) in each topic column the voice raises, in 其他诉求 for a concern
    outside the taxonomy, or in 无诉求 when it raises none. Rows whose id is not in the
    drawn sample, with nothing marked, with both concerns and 无诉求, or with any other mark
    (x, ×, 2) are rejected with their line and reason; a rejected row keeps the voice's
    earlier imported codes, if any.
    Importing again replaces the codes of the same voices. Reports then correct every
    estimate for the coder's errors with these codes.
    """
    from opinion.estimates.handcoding import import_coding_sheet, write_coding_rejects
    from opinion.store.db import open_store
    from opinion.text.coder import as_coder

    chosen = as_coder(coder)
    labels = {c: chosen.topics[c].label for c in chosen.codes}
    with open_store(db) as store:
        summary = import_coding_sheet(store, sheet, labels)
    click.echo(f"{sheet}: {summary.rows_read} rows, {summary.stored} stored, {len(summary.rejected)} rejected"
               + (f"; {summary.not_coded} drawn voices not coded yet" if summary.not_coded else ""))
    if summary.kept_earlier:
        click.echo(f"{summary.kept_earlier} rejected rows are of voices coded by an earlier import; "
                   "their earlier codes stand until a corrected row is imported")
    if summary.rejected:
        out = write_coding_rejects(summary, rejects_path or Path(sheet).with_suffix(".rejects.csv"))
        click.echo(f"rejected rows with reasons: {out}")
    if summary.stored == 0:
        raise click.ClickException(f"{sheet}: no usable row; nothing was stored (reasons in the rejects file)")
