"""Options shared by several commands."""
from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

    from opinion.text.coder import TopicCoder

# Commands that read a store someone filled before (crawl, survey import): pointed at a
# file that does not exist (a typo, another folder), they stop instead of leaving an
# empty store behind. The commands that fill a store create it.
READING_COMMANDS = frozenset({"report", "words", "export", "plan", "code sample", "code import"})


def _command_name(ctx: click.Context) -> str:
    """``report``, ``code sample``: the command path without the program's name."""
    return " ".join(ctx.command_path.split()[1:])


def missing_store(db: str) -> str | None:
    """The message for a store file that does not exist, or None when ``db`` names one
    (or is a server URL, which the store itself checks)."""
    if "://" in db and not db.startswith("sqlite:///"):
        return None
    path = Path(db.removeprefix("sqlite:///"))
    if path.exists() or str(path) == ":memory:":
        return None
    return (f"{db}: no such store; crawl a site (tongxin crawl) or import a survey (tongxin survey import) "
            "into it first, or give --db (or TONGXIN_DB) the path of an existing store")


def _check_store(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if _command_name(ctx) in READING_COMMANDS and (message := missing_store(value)) is not None:
        raise click.ClickException(message)
    return value


db_option = click.option(
    "--db", envvar="TONGXIN_DB", default="tongxin.db", show_default=True, callback=_check_store,
    help="Workspace store: a SQLite file path or a database URL (env TONGXIN_DB).",
)
margins_option = click.option(
    "--margins", "margins_path", required=True,
    help="Population margins: a table file (CSV in any encoding, .xlsx) with columns variable,level,target "
    "(counts or shares), or as a statistics bureau writes it (变量/类别/人数, 比重 in %, 合计 rows, a "
    "cross-tab such as 年龄组 x 男/女), or a shipped census table such as census2020:全国 or census2020:广东.",
)


def _load_gazetteer(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    if value is None:
        return None
    from opinion.text.cues import load_gazetteer

    return load_gazetteer(value)


gazetteer_option = click.option(
    "--gazetteer", type=click.Path(dir_okay=False), callback=_load_gazetteer,
    help="Table region,place,urban (CSV or .xlsx): places named on pages, in text or in survey "
    "answers, with their town and urban/rural.",
)
seed_option = click.option("--seed", default=20201101, show_default=True, type=int, help="Random seed of the replicates.")
replicates_option = click.option(
    "--replicates", "n_replicates", default=200, show_default=True, type=click.IntRange(0, 10000),
    help="Bootstrap replicates (the whole weighting is redone in each).",
)
lang_option = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of the report text.",
)


def replicate_progress(total: int, label: str = "replicates") -> ProgressBar[int]:
    """A progress bar on stderr; silent when stderr is not a terminal (click would still
    print the bare label there, a stray line in logs)."""
    return click.progressbar(length=total, label=label, file=sys.stderr if sys.stderr.isatty() else io.StringIO())


workers_option = click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64),
    help="Processes that segment texts not yet cached and, in a report, compute the bootstrap replicates "
    "(worth it from a few thousand texts or voices; the results do not depend on it).",
)


@contextmanager
def _bar_on_first_use(label: str) -> Iterator[Callable[[int], ProgressBar[int]]]:
    """``bar(total)``: the progress bar, drawn at the first call (after earlier bars finished)."""
    bar: ProgressBar[int] | None = None

    def get(total: int) -> ProgressBar[int]:
        nonlocal bar
        if bar is None:
            bar = replicate_progress(total, label)
        return bar

    try:
        yield get
    finally:
        if bar is not None:
            bar.render_finish()


@contextmanager
def segmenting_progress() -> Iterator[Callable[[int, int], None]]:
    """A ``progress(done, total)`` callback drawing a "segmenting" bar once texts need segmenting."""
    with _bar_on_first_use("segmenting") as bar:

        def progress(done: int, total: int) -> None:
            shown = bar(total)
            shown.update(done - shown.pos)

        yield progress


@contextmanager
def steps_progress(total: int, label: str = "replicates") -> Iterator[Callable[[int], None]]:
    """A ``step(n)`` callback whose bar appears at the first step."""
    with _bar_on_first_use(label) as bar:
        yield lambda n: bar(total).update(n)


def _load_coder(ctx: click.Context, param: click.Parameter, value: str | None) -> TopicCoder | None:
    if value is None:
        return None
    from opinion.text.coder import load_coder

    return load_coder(value)


coder_option = click.option(
    "--coder", "coder", type=click.Path(dir_okay=False), callback=_load_coder,
    help="Topic coder: a model file from `tongxin code train` (or a topic lexicon .yaml). "
    "Default: the shipped lexicon.",
)
