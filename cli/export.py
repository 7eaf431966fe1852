"""``tongxin export``: the stored corpus, for analysis elsewhere."""
from __future__ import annotations

import sys

import click

from cli._common import db_option


@click.command()
@click.argument("what", type=click.Choice(["documents", "voices"]))
@db_option
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Output file (default: standard output).")
def export(what: str, db: str, fmt: str, out_path: str | None) -> None:
    """Write the stored documents or voices out (masked text and pseudonyms only)."""
    from opinion.export import export_table
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
