"""``tongxin code``: coding voices' topics: train a coder (more subcommands join this group).

Also holds ``coder_option``, the ``--coder PATH`` option of ``report``, ``words`` and
``export``.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli._common import db_option
from cli.handcode import import_ as hand_import_command
from cli.handcode import sample as hand_sample_command

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

    from opinion.text.coder import Scores


@click.group()
def code() -> None:
    """Coding voices' topics: train a coder, and draw and import a sample coded by a person.

    A coder decides which concerns a voice raises. The default is the shipped lexicon;
    `tongxin code train` learns one from texts you labelled, and `--coder PATH` makes
    `report`, `words` and `export` use it.
    """


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def scores_table(scores: Scores) -> str:
    """Per-topic precision, recall, F1, support and coded count, then the pooled (micro) row."""
    width = max([len("topic"), *(len(s.code) for s in scores.topics)])
    lines = [f"{'topic':<{width}}  precision  recall    F1  support  coded"]
    for s in (*scores.topics, scores.micro):
        lines.append(f"{s.code:<{width}}  {_fmt(s.precision):>9}  {_fmt(s.recall):>6}  {_fmt(s.f1):>4}  "
                     f"{s.support:>7}  {s.coded:>5}")
    n = scores.texts or 1
    lines.append(f"no topic: {scores.labelled_none} texts labelled ({scores.labelled_none / n:.1%}), "
                 f"{scores.coded_none} coded ({scores.coded_none / n:.1%})")
    return "\n".join(lines)


@code.command()
@click.argument("file")
@click.option("--text-column", default="text", show_default=True, help="The column holding the texts.")
@click.option("--labels", default="topics", show_default=True,
              help="The topics column (codes joined by ';', blank for no concern), or several 0/1 columns, one per "
              "topic, separated by commas (COL1,COL2).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False),
              help="Where to write the model (default: beside the store, <db>.coder.json).")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 20),
              help="Cross-validation folds (fewer when a topic has fewer labelled texts).")
@db_option
def train(file: str, text_column: str, labels: str, out_path: str | None, folds: int, db: str) -> None:
    """Learn a topic coder from labelled texts, cross-validate it and save it.

    FILE is a CSV (any encoding) or .xlsx table with a text column and either a topics
    column of codes joined by ';' or one 0/1 column per topic; a row with no topic means
    "no concern". Texts are masked and segmented as a report's are. Prints each topic's
    cross-validated precision and recall, then writes the model as JSON (weights
    readable, no code) for `report --coder`, `words --coder` and `export --coder`.
    """
    from opinion.errors import InputError
    from opinion.text.coder import MIN_EXAMPLES, default_coder_path, train_coder
    from opinion.text.evaluation import read_examples

    out = Path(out_path) if out_path else default_coder_path(db)
    if out is None:
        raise InputError(f"--db {db} is a database URL, so there is no file to write the model beside; pass --out PATH")
    examples = read_examples(file, text_column=text_column, labels=labels, min_examples=MIN_EXAMPLES)
    bar: ProgressBar[int] | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="training", file=sys.stderr)
        bar.update(done - bar.pos)

    try:
        coder, scores = train_coder(examples, folds=folds, progress=progress)
    finally:
        if bar is not None:
            bar.render_finish()
    click.echo(f"{scores.folds}-fold cross-validation on {scores.texts} labelled texts of {file} "
               "(out of fold: each text coded by a model fitted without it)")
    if scores.note:
        click.echo(f"note: {scores.note}")
    click.echo(scores_table(scores))
    coder.save(out)
    click.echo(f"model written: {out} (fingerprint {coder.fingerprint[:12]}); use it with --coder {out}", err=True)



# A person's coding of a drawn sample: cli/handcode.py.
code.add_command(hand_sample_command)
code.add_command(hand_import_command)
