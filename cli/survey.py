"""``tongxin survey``: door-to-door survey files."""
from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import click

from cli._common import db_option, gazetteer_option

if TYPE_CHECKING:
    from opinion.text.cues import Gazetteer

codebook_option = click.option(
    "--codebook", type=click.Path(dir_okay=False),
    help="YAML mapping the file's columns and codes (default: common Chinese and English headers).",
)
PREVIEW_FIELDS = ("line", "region", "place", "sex", "age", "age_group", "urban", "interview_date", "cluster",
                  "design_weight", "text")


sheet_option = click.option(
    "--sheet",
    help="Workbook sheet holding the data, by name or number from 1 (a sheet named by digits wins; default: "
    "the sheet whose header names most survey fields, else the largest).",
)
header_row_option = click.option(
    "--header-row", type=click.IntRange(1), default=None,
    help="Line (text file) or row (sheet) holding the column names (default: found, skipping titles, units, "
    "instructions and grouped headers above it).",
)


def _places(gazetteer: Gazetteer | None) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    """(urban_of_place, region_of_place) from a gazetteer."""
    return (None, None) if gazetteer is None else (gazetteer.urban_of_place, gazetteer.region_of_place)


@click.group()
def survey() -> None:
    """Import door-to-door survey files into the workspace, or check how one would be read."""


@survey.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False))
@codebook_option
@click.option("--wave", help="Name of the survey wave this file belongs to (recorded with each respondent).")
@click.option("--rejects", "rejects_path", type=click.Path(dir_okay=False),
              help="Where to write rejected rows with reasons (default: FILE.rejects.csv).")
@sheet_option
@header_row_option
@gazetteer_option
@db_option
def import_(
    file: str, codebook: str | None, wave: str | None, rejects_path: str | None, sheet: str | None,
    header_row: int | None, gazetteer: Gazetteer | None, db: str
) -> None:
    """Validate FILE (CSV, .xlsx or .xls) and store its respondents; bad rows go to the rejects file.

    Identifying columns (name, phone, ID number, address) are never stored and their
    values are scrubbed from free text, which is masked. Importing the same file twice
    adds nothing; a respondent already imported from another file is reported, not stored
    twice. Everything is stored in one transaction. Exits 1 only when no row is valid.
    """
    from pathlib import Path

    from opinion.store.db import open_store
    from opinion.surveys.importer import import_survey, load_codebook, write_rejects

    urban_of_place, region_of_place = _places(gazetteer)
    book = load_codebook(codebook)
    with open_store(db) as store:
        summary = import_survey(store, file, codebook=book, wave=wave, urban_of_place=urban_of_place,
                                region_of_place=region_of_place, sheet=sheet, header_row=header_row)
    if summary.already_imported:
        click.echo(f"{file}: already imported (same content); nothing added")
        return
    line = (f"{file} ({summary.encoding}): {summary.rows_read} rows, {summary.rows_valid} imported, "
            f"{len(summary.rejected)} rejected")
    if summary.duplicates:
        line += f", {len(summary.duplicates)} already imported from another file"
    click.echo(line + (f" (wave {wave})" if wave else ""))
    if summary.header_where not in ("line 1", "row 1"):
        click.echo(f"header on {summary.header_where}")
    for note, count in summary.notes.items():
        click.echo(f"{count} rows: {note}")
    if summary.reused_ids:
        click.echo(f"{summary.reused_ids} ids were already used by a different person in an earlier file; "
                   "stored as separate respondents")
    if summary.dropped_columns:
        click.echo(f"identifying columns not stored: {', '.join(summary.dropped_columns)}")
    if summary.rejected or summary.duplicates:
        out = write_rejects(summary, rejects_path or Path(file).with_suffix(".rejects.csv"))
        click.echo(f"rejected rows with reasons: {out}")
    if summary.rows_valid == 0:
        raise click.ClickException(f"{file}: no valid rows; nothing was stored (reasons in the rejects file)")


@survey.command()
@click.argument("file", type=click.Path(dir_okay=False))
@codebook_option
@sheet_option
@header_row_option
@gazetteer_option
@click.option("--rows", "preview", default=5, show_default=True, type=click.IntRange(0, 1000),
              help="How many parsed rows to show.")
def check(file: str, codebook: str | None, sheet: str | None, header_row: int | None, gazetteer: Gazetteer | None,
          preview: int) -> None:
    """Show how FILE would be read, without storing anything.

    Prints the encoding and layout, the sheet and row where the header was found (and
    what was skipped above it), which column feeds which field, the columns that would
    be dropped as identifying, the first rows as they would be stored (masked, no ids),
    and how many rows would be rejected and why. Exits 1 when no row would be valid.
    """
    from opinion.surveys.importer import check_survey, load_codebook

    urban_of_place, region_of_place = _places(gazetteer)
    result = check_survey(file, codebook=load_codebook(codebook), urban_of_place=urban_of_place,
                          region_of_place=region_of_place, preview=preview, sheet=sheet, header_row=header_row)
    click.echo(f"{file}: {result.encoding}, {result.layout}, {result.rows_read} rows, header on {result.header_where}")
    if len(result.sheets) > 1:
        click.echo(f"sheets: {', '.join(repr(s) for s in result.sheets)} (another one with --sheet NAME|N)")
    if result.skipped_above:
        shown = "; ".join(a if len(a) <= 40 else a[:39] + "…" for a in result.skipped_above[:3])
        more = f" and {len(result.skipped_above) - 3} more" if len(result.skipped_above) > 3 else ""
        click.echo(f"skipped above the header: {shown}{more} (another header row with --header-row N)")
    click.echo("columns:")
    width = max(len(f) for f in result.mapping)
    for name, header in result.mapping.items():
        click.echo(f"  {name:<{width}}  <- {header}")
    if result.dropped_columns:
        click.echo(f"identifying columns (never stored): {', '.join(result.dropped_columns)}")
    if result.unused_columns:
        click.echo(f"columns not used: {', '.join(result.unused_columns)}")
    if result.preview:
        click.echo("first rows as they would be stored:")
        click.echo(_table(result.preview))
    click.echo(f"would import {result.rows_valid} rows; would reject {len(result.rejected)}")
    for note, count in result.notes.items():
        click.echo(f"  {count:>5}  kept with a caveat: {note}")
    for kind, count in result.reject_counts.items():
        example = next(r for r in result.rejected if r.kind == kind)
        click.echo(f"  {count:>5}  {kind} (e.g. line {example.line}: {example.reason})")
    click.echo("nothing was stored")
    if result.rows_valid == 0:
        raise click.ClickException(f"{file}: no row would be valid; fix the file or the codebook")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows: Sequence[Mapping[str, object]]) -> str:
    """Rows as aligned text; Chinese characters take two terminal columns."""
    extra = [k for row in rows for k in row if k not in PREVIEW_FIELDS]
    columns = [c for c in PREVIEW_FIELDS if any(c in r for r in rows)] + list(dict.fromkeys(extra))

    def show(value: object) -> str:
        text = "" if value is None else str(value)
        return text if len(text) <= 16 else text[:15] + "…"

    cells = [columns, *([show(r.get(c)) for c in columns] for r in rows)]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(columns))]
    return "\n".join(
        "  " + "  ".join(v + " " * (w - _width(v)) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )
