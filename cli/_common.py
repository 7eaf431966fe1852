"""Options shared by several commands."""
from __future__ import annotations

import sys

import click

db_option = click.option(
    "--db", envvar="TONGXIN_DB", default="tongxin.db", show_default=True,
    help="Workspace store: a SQLite file path or a database URL (env TONGXIN_DB).",
)
margins_option = click.option(
    "--margins", "margins_path", required=True, type=click.Path(dir_okay=False),
    help="Population margins CSV with columns variable,level,target (counts or shares).",
)
seed_option = click.option("--seed", default=20201101, show_default=True, type=int, help="Random seed of the replicates.")
replicates_option = click.option(
    "--replicates", "n_replicates", default=200, show_default=True, type=click.IntRange(0, 10000),
    help="Bootstrap replicates (the whole weighting is redone in each).",
)
lang_option = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of the report text.",
)


def replicate_progress(total: int, label: str = "replicates") -> click.progressbar:  # type: ignore[type-arg]
    """A progress bar on stderr; silent when stderr is not a terminal."""
    return click.progressbar(length=total, label=label, file=sys.stderr)
