"""The one reader of every table file the tool takes: survey files, margins, samples,
reference samples, gazetteers, cost tables and labelled examples.

People export from whatever they have: Excel on a county office PC (.xlsx, a CSV saved
as GBK/GB18030, or "Unicode text", which is UTF-16 with tabs), WPS, a tablet app (UTF-8,
sometimes with a BOM), with commas, semicolons, tabs or pipes. This module turns any of
these into one header plus numbered rows of strings (:class:`Table`), or a DataFrame
(:func:`read_frame`), so every caller sees one shape whatever the file was. Every failure
is one :class:`~opinion.errors.InputError` naming the file and, where it applies, the
line or sheet row.
"""
from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

import charset_normalizer

from opinion.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SurveyTable", "Table", "decode_text", "detect_delimiter", "read_frame", "read_table"]

CANDIDATE_ENCODINGS = ("utf-8-sig", "gb18030")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
DELIMITERS = (",", "\t", ";", "|")
DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls (and .doc) files


@dataclass
class Table:
    """A table file as text: its header and its rows with the line (or sheet row) number.

    A row whose field count differs from the header's holds only ``{"__error__": reason}``.
    """

    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    encoding: str  # "utf-8-sig", "gbk/gb18030", "utf-16" ... or "xlsx"
    layout: str  # how it was read, for people: "comma-delimited" or "sheet 'Sheet1'"
    path: Path = Path("<table>")

    @property
    def unit(self) -> str:
        """What a row number counts: "line" in text files, "row" in a sheet."""
        return "row" if self.encoding == "xlsx" else "line"

    def where(self, number: int) -> str:
        """``FILE line N`` (or ``FILE row N`` in a workbook), for error messages."""
        return f"{self.path} {self.unit} {number}"

    def require(self, columns: Sequence[str], what: str) -> None:
        """An :class:`InputError` naming the missing columns unless all of ``columns`` are present."""
        missing = [c for c in columns if c not in self.header]
        if missing:
            raise InputError(f"{self.path}: missing column(s) {', '.join(missing)} (the header is: "
                             f"{', '.join(self.header)}); {what}")


# Kept for callers that name the survey reader's type.
SurveyTable = Table


def read_table(path: str | Path) -> Table:
    """Read a table file of any supported kind; a clear :class:`InputError` otherwise.

    Raises:
        InputError: the file is missing, empty, binary, an unreadable workbook, or its
            encoding cannot be told.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path}: is a folder; pass a CSV or .xlsx file") from exc
    if not data.strip():
        raise InputError(f"{path}: the file is empty; expected a CSV or .xlsx file with a header row")
    if data.startswith(_XLSX_MAGIC):
        table = _read_xlsx(path, data)
    elif data.startswith(_OLE_MAGIC):
        raise InputError(f"{path}: is an old-format Excel (.xls) file; save it as .xlsx or CSV and try again")
    elif data.startswith(_UTF16_BOMS):
        table = _read_delimited(path, data.decode("utf-16"), "utf-16")
    elif b"\x00" in data[:4096]:
        raise InputError(f"{path}: looks like a binary file, not a CSV or .xlsx workbook; "
                         "save the table as CSV (UTF-8 or GBK) or .xlsx")
    else:
        text, encoding = decode_text(path, data)
        table = _read_delimited(path, text, encoding)
    table.path = path
    return table


def read_frame(path: str | Path, *, text_columns: Sequence[str] | None = None,
               required: Sequence[str] = (), what: str = "") -> pd.DataFrame:
    """A table file as a DataFrame, one row per data row, in file order.

    Columns are numbers where every non-blank cell is one, text otherwise (blank cells are
    missing values); ``text_columns`` (all of them when None) stay text whatever they
    hold, as codes such as 01 must. ``required`` columns must be present (``what`` says
    what the file is for, in the error).

    Raises:
        InputError: as :func:`read_table`, a missing required column, or a row whose
            field count differs from the header's (naming its line).
    """
    import pandas as pd  # here: the survey importer reads tables without pandas

    table = read_table(path)
    table.require(required, what or "add them to the header")
    records = []
    for number, row in table.rows:
        if "__error__" in row:
            raise InputError(f"{table.where(number)}: {row['__error__']}; fix the row's delimiters")
        records.append(row)
    frame = pd.DataFrame.from_records(records, columns=table.header)
    keep_text = set(table.header if text_columns is None else text_columns)
    for column in frame.columns:
        values = frame[column].replace("", None)
        if column not in keep_text:
            numbers = pd.to_numeric(values, errors="coerce")
            if numbers.notna().sum() == values.notna().sum():
                frame[column] = numbers
                continue
        frame[column] = values
    return frame


def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """Decode in whatever encoding a field team used; return (text, encoding label).

    UTF-8 is tried first because GB18030 accepts almost any byte sequence; a file that is
    not UTF-8 but decodes as GB18030 is reported as GBK/GB18030 (GBK is its subset).
    """
    for encoding in CANDIDATE_ENCODINGS:
        try:
            return data.decode(encoding), ("gbk/gb18030" if encoding == "gb18030" else encoding)
        except UnicodeDecodeError:
            continue
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise InputError(f"{path}: cannot tell the text encoding; save the file as UTF-8 and try again")
    return str(best), best.encoding


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most consistent, widest rows.

    ``csv.Sniffer`` guesses wrong on short files and on free text full of commas; counting
    how many of the first rows have the header's width under each candidate does not.
    """
    sample = [line for line in text.splitlines()[:50] if line.strip()]
    best, best_score = ",", (-1, 0)
    for delimiter in DELIMITERS:
        try:
            rows = list(csv.reader(sample, delimiter=delimiter))
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = (sum(len(r) == width for r in rows), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_delimited(path: Path, text: str, encoding: str) -> Table:
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            header = [h.strip().lstrip("\ufeff") for h in record]
            continue
        rows.append((reader.line_num, _row(header, record)))
    if header is None:
        raise InputError(f"{path}: the file is empty; expected a CSV with a header row")
    return Table(header, rows, encoding, f"{DELIMITER_NAMES[delimiter]}-delimited")


def _row(header: list[str], record: list[str]) -> dict[str, str]:
    # Trailing empty cells (Excel pads rows to the widest one) are not an error.
    while len(record) > len(header) and not record[-1].strip():
        record = record[:-1]
    if len(record) != len(header):
        return {"__error__": f"has {len(record)} fields, the header has {len(header)}"}
    return {h: cell.strip() for h, cell in zip(header, record, strict=True)}


def _cell_text(value: object) -> str:
    """A cell as the field team typed it: 1 not 1.0, dates as YYYY-MM-DD, phone numbers whole."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _read_xlsx(path: Path, data: bytes) -> Table:
    """The first worksheet of a workbook; row numbers are the sheet's own, as Excel shows them."""
    import openpyxl  # imported here: only Excel files need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # Workbooks written by WPS or tablets often lack a default style; harmless here.
            warnings.simplefilter("ignore", UserWarning)
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            records = [(i, [_cell_text(v) for v in values])
                       for i, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
            title = sheet.title
            book.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, OSError) as exc:
        raise InputError(f"{path}: not a readable .xlsx workbook ({exc}); open it in Excel or WPS and save it "
                         "again as .xlsx or CSV") from exc
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, record in records:
        if not any(record):
            continue
        if header is None:
            while record and not record[-1]:
                record.pop()
            header = record
            continue
        record += [""] * (len(header) - len(record))  # a sheet has no ragged rows, only blank cells
        rows.append((number, _row(header, record)))
    if header is None:
        raise InputError(f"{path}: the first sheet is empty; expected a header row and one row per record")
    return Table(header, rows, "xlsx", f"sheet {title!r}")
