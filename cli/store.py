"""``tongxin store``: the workspace store itself (moving a corpus between SQLite and PostgreSQL)."""
from __future__ import annotations

from pathlib import Path

import click


@click.group()
def store() -> None:
    """Manage workspace stores: copy a corpus between a SQLite file and a PostgreSQL database."""


@store.command("copy")
@click.argument("source")
@click.argument("destination")
@click.option("--append", is_flag=True,
              help="Add to a destination that already holds data, skipping rows it has (no duplicates).")
@click.option("--batch-size", default=5000, show_default=True, type=click.IntRange(1, 100_000),
              help="Rows per transaction.")
def copy(source: str, destination: str, append: bool, batch_size: int) -> None:
    """Copy every table of the store SOURCE into DESTINATION (SQLite file paths or postgresql:// URLs).

    The destination is created if needed and must be empty unless --append. A server
    store's pseudonym key is $TONGXIN_KEY; a new SQLite destination gets the source's key
    beside it. Example: tongxin store copy tongxin.db postgresql://me:pw@127.0.0.1/opinion
    """
    from opinion.store.copy import copy_store
    from opinion.store.db import open_store

    if "://" not in source and not Path(source).is_file():  # opening it would create an empty store
        raise click.ClickException(f"{source}: no such store file; give the path of a tongxin store "
                                   "or a postgresql:// URL")
    with open_store(source) as src, open_store(destination) as dst:
        summary = copy_store(src, dst, append=append, batch_size=batch_size)
    for table in summary.tables:
        if table.read:
            extra = f" ({table.already_there} already there)" if table.already_there else ""
            click.echo(f"{table.table}: {table.read} rows read, {table.added} added{extra}")
    click.echo(f"copied {summary.rows_added} of {summary.rows_read} rows from {summary.source} "
               f"to {summary.destination}")
    click.echo(f"note: {summary.key_note}")
