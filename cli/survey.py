"""``tongxin survey``: door-to-door survey files."""
from __future__ import annotations

import click

from cli._common import db_option


@click.group()
def survey() -> None:
    """Import door-to-door survey files into the workspace."""


@survey.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--codebook", type=click.Path(dir_okay=False), help="YAML mapping the file's columns and codes (default: common Chinese headers).")
@click.option("--wave", help="Name of the survey wave this file belongs to.")
@click.option("--rejects", "rejects_path", type=click.Path(dir_okay=False), help="Where to write rejected rows with reasons (default: FILE.rejects.csv).")
@click.option("--gazetteer", type=click.Path(dir_okay=False), help="CSV region,place,urban to fill urban/rural from the village or community.")
@db_option
def import_(file: str, codebook: str | None, wave: str | None, rejects_path: str | None, gazetteer: str | None, db: str) -> None:
    """Validate FILE and store its respondents; bad rows go to the rejects file.

    Identifying columns (name, phone, ID number, address) are never stored; free text is
    masked. Importing the same file twice adds nothing. Exits 1 only when no row is valid.
    """
    from pathlib import Path

    import pandas as pd

    from opinion.store import open_store
    from opinion.survey import load_codebook, import_survey, write_rejects

    urban_of_place = None
    if gazetteer:
        places = pd.read_csv(gazetteer, dtype=str)
        urban_of_place = dict(zip(places["place"], places["urban"].replace({"城镇": "urban", "乡村": "rural"})))
    with open_store(db) as store:
        summary = import_survey(store, file, codebook=load_codebook(codebook), wave=wave, urban_of_place=urban_of_place)
    if summary.already_imported:
        click.echo(f"{file}: already imported (same content); nothing added")
        return
    click.echo(f"{file} ({summary.encoding}): {summary.rows_read} rows, {summary.rows_valid} imported, "
               f"{len(summary.rejected)} rejected")
    if summary.dropped_columns:
        click.echo(f"identifying columns not stored: {', '.join(summary.dropped_columns)}")
    if summary.rejected:
        out = write_rejects(summary, rejects_path or Path(file).with_suffix(".rejects.csv"))
        click.echo(f"rejected rows with reasons: {out}")
    if summary.rows_valid == 0:
        raise click.ClickException(f"{file}: no valid rows; nothing was stored (reasons in the rejects file)")
