"""``tongxin topics``: the topic taxonomy, how well it codes labelled texts, and what it misses."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from cli._common import coder_option

if TYPE_CHECKING:
    from opinion.text.topics import TopicCoder

lexicon_option = click.option(
    "--lexicon", "lexicon_path", type=click.Path(dir_okay=False),
    help="Topic lexicon (YAML: code -> label, words, optional category, label_en, exclude); default: the shipped one.",
)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _table(rows: Sequence[Sequence[str]], right: Sequence[bool]) -> list[str]:
    """Rows as aligned lines; Chinese characters take two terminal columns."""
    from opinion.reports.format import display_width

    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = []
        for value, width, to_right in zip(row, widths, right, strict=True):
            fill = " " * (width - display_width(value))
            cells.append(fill + value if to_right else value + fill)
        lines.append("  ".join(cells).rstrip())
    return lines


@click.group(invoke_without_command=True)
@lexicon_option
@click.pass_context
def topics(ctx: click.Context, lexicon_path: str | None) -> None:
    """The topic taxonomy: list it, score it on labelled texts, or see what it finds in texts.

    Without a subcommand, lists each topic's category (its first-level 12345 class), code,
    label and number of words.
    """
    if ctx.invoked_subcommand is not None:
        return
    from opinion.text.topics import load_topics

    lexicon = load_topics(lexicon_path)
    rows = [["category", "code", "label", "words"]]
    rows += [[t.category or "-", t.code, t.label, str(len(t.words))] for t in lexicon]
    for line in _table(rows, [False, False, False, True]):
        click.echo(line)
    click.echo(f"{len(lexicon)} topics, {len(lexicon.words)} words ({lexicon.source})")


@topics.command()
@click.argument("file", type=click.Path(dir_okay=False))
@lexicon_option
@coder_option
@click.option("--text-column", default="text", show_default=True, help="The column holding the texts.")
@click.option("--labels", default="topics", show_default=True,
              help="The topics column (codes joined by ';'), or one 0/1 column per topic separated by commas.")
def evaluate(file: str, lexicon_path: str | None, coder: TopicCoder | None, text_column: str, labels: str) -> None:
    """Score a topic coder on FILE, a labelled table (CSV or .xlsx) with columns text and topics.

    The coder is the lexicon (--lexicon, default the shipped one) or --coder (a model from
    `tongxin code train`). topics holds the codes a text raises, joined by ';' (empty: no
    concern). Prints per topic the texts labelled (support), coded and both (hits),
    precision, recall and F1; the micro-averaged scores; and how many texts were coded
    to no topic although they raise a concern. Texts are coded as a report codes them.
    """
    from opinion.text.evaluation import evaluate_topics
    from opinion.text.topics import load_topics

    used = coder if coder is not None else load_topics(lexicon_path)
    result = evaluate_topics(file, used, text_column=text_column, labels=labels)
    name = coder.name if coder is not None else f"lexicon {load_topics(lexicon_path).source}"
    click.echo(f"{file}: {result.texts} texts, {result.texts - result.labelled_none} labelled with a concern ({name})")
    rows = [["code", "label", "support", "coded", "hits", "precision", "recall", "F1"]]
    for score in result.topics:
        label = "(not in the coder)" if score.code in result.unknown_codes else score.label
        rows.append([score.code, label, str(score.support), str(score.coded), str(score.hits),
                     _fmt(score.precision), _fmt(score.recall), _fmt(score.f1)])
    pooled = [(result.micro, "all topics")]
    if result.unknown_codes:
        pooled.append((result.micro_known, "the coder's topics"))
    for score, what in pooled:
        rows.append(["micro", what, str(score.support), str(score.coded), str(score.hits),
                     _fmt(score.precision), _fmt(score.recall), _fmt(score.f1)])
    for line in _table(rows, [False, False, True, True, True, True, True, True]):
        click.echo(line)
    macro = result.macro_f1
    click.echo(f"macro F1: {_fmt(macro)}; texts coded exactly as labelled: {result.exact} of {result.texts} "
               f"({result.exact / result.texts:.1%})")
    click.echo(f"coded to no topic: {result.coded_none} of {result.texts} texts ({result.coded_none_share:.1%}); "
               f"{result.coded_none_with_concern} of them raise a concern")
    click.echo(f"labelled with no concern: {result.labelled_none}; coded to a topic anyway: {result.labelled_none_coded}")
    if result.unknown_codes:
        click.echo(f"codes in the labels that the coder lacks (recall 0): {', '.join(result.unknown_codes)}")


@topics.command()
@click.argument("file", type=click.Path(dir_okay=False))
@lexicon_option
@click.option("--text-column", default="text", show_default=True, help="The column holding the texts.")
@click.option("--top", default=20, show_default=True, type=click.IntRange(0, 100000),
              help="How many of the texts that matched nothing to list.")
def check(file: str, lexicon_path: str | None, text_column: str, top: int) -> None:
    """Show what the lexicon finds in FILE (CSV or .xlsx), to extend it.

    Per topic: how many texts it was coded in and which of its words matched how many
    texts; then the texts coded to no topic (the first --top, personal data masked), with
    their line (or sheet row) in FILE. Nothing is stored.
    """
    from opinion.text.evaluation import check_texts, read_texts
    from opinion.text.masking import mask_pii
    from opinion.text.topics import load_topics

    lexicon = load_topics(lexicon_path)
    texts = read_texts(file, text_column)
    result = check_texts(texts, lexicon, source=file)
    if not result.texts:
        raise click.ClickException(f"{file}: column {text_column!r} holds no text")
    click.echo(f"{file}: {result.texts} texts" + (f" ({result.empty} blank rows skipped)" if result.empty else "")
               + f"; lexicon {lexicon.source}")
    rows = [["code", "label", "texts", "share"]]
    for code, count in result.matched.items():
        label = lexicon.topics[code].label if code in lexicon.topics else ""
        rows.append([code, label, str(count), f"{count / result.texts:.1%}"])
    for line in _table(rows, [False, False, True, True]):
        click.echo(line)
    click.echo("words matched (texts):")
    for code, counts in result.words.items():
        if not counts:
            continue
        shown = ", ".join(f"{word} {n}" for word, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        total = len(lexicon.topics[code].words) if code in lexicon.topics else len(counts)
        click.echo(f"  {code} ({len(counts)} of {total} words): {shown}")
    n = len(result.unmatched)
    click.echo(f"coded to no topic: {n} of {result.texts} texts ({n / result.texts:.1%})"
               + (f"; the first {min(top, n)}:" if n and top else ""))
    for where, text in result.unmatched[:top]:
        shown = " ".join(mask_pii(text).split())
        click.echo(f"  {where}: {shown[:200]}{'…' if len(shown) > 200 else ''}")
