"""The one reader of every table file the tool takes: survey files, margins, samples,
reference samples, gazetteers, cost tables and labelled examples.

People export from whatever they have: Excel on a county office PC (.xlsx, old .xls, a
CSV saved as GBK/GB18030, or "Unicode text", which is UTF-16 with tabs), WPS, a tablet
app or a survey platform such as 问卷星 (UTF-8, sometimes with a BOM; .xls), with commas,
semicolons, tabs or pipes. This module turns any of these into one header plus numbered
rows of strings (:class:`Table`), or a DataFrame (:func:`read_frame`), so every caller
sees one shape whatever the file was. Every failure is one
:class:`~opinion.errors.InputError` naming the file and, where it applies, the line,
sheet or sheet row.

The header is *found*, not assumed to be the first row: statistics bureaus and field
teams put a title (同心县入户调查登记表), a unit (单位：人), an instruction (填表说明：…)
or a grouped header (受访者基本信息 / 居住地 over the column names) above it. Each of
the first rows is scored (see :func:`find_header`), and the rows above the chosen one
are kept in :attr:`Table.above` so a person can see what was skipped. In a workbook the
sheet holding the data is found the same way (:func:`read_table`). ``sheet=`` and
``header_row=`` say either outright.
"""
from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import charset_normalizer

from opinion.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "EXCEL_EPOCH", "SurveyTable", "Table", "decode_text", "detect_delimiter", "excel_serial_date",
    "find_header", "is_note", "read_date", "read_frame", "read_table",
]

CANDIDATE_ENCODINGS = ("utf-8-sig", "gb18030")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
DELIMITERS = (",", "\t", ";", "|")
DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls (and .doc, and password-protected .xlsx)
WORKBOOK_ENCODINGS = ("xlsx", "xls")

# Excel's 1900 date system counts days from 1899-12-30 (it keeps Lotus's false 1900-02-29,
# so this day 0 is right for every date from March 1900 on); Mac workbooks may use 1904.
EXCEL_EPOCH = date(1899, 12, 30)

# How many non-blank rows from the top may hold the header, and how many rows below a
# candidate are looked at to judge it. Titles and instructions take a few rows, never 30.
HEADER_SCAN = 30
HEADER_LOOKAHEAD = 20

Expect = Callable[[str], bool] | Collection[str]


@dataclass
class Table:
    """A table file as text: its header and its rows with the line (or sheet row) number.

    A row whose field count differs from the header's holds only ``{"__error__": reason}``.
    ``header_row`` is where the header is, in the numbers messages use (the line of a
    text file, the row of a sheet); ``header_record`` counts records from 1, blank ones
    included, which is the row number Excel shows when it opens a CSV. ``above`` holds
    the rows skipped above the header (titles, units, grouped headers) and ``notes`` the
    footnote rows dropped below the table (注：…, 资料来源：…), each as text.
    """

    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    encoding: str  # "utf-8-sig", "gbk/gb18030", "utf-16" ... or "xlsx" / "xls"
    layout: str  # how it was read, for people: "comma-delimited" or "sheet 'Sheet1'"
    path: Path = Path("<table>")
    header_row: int = 1
    header_record: int = 1
    above: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sheet: str | None = None  # the sheet read, in a workbook
    sheets: tuple[str, ...] = ()  # every sheet of the workbook, in order
    epoch: date = EXCEL_EPOCH  # day 0 of the workbook's date system, for serial numbers

    @property
    def unit(self) -> str:
        """What a row number counts: "line" in text files, "row" in a sheet."""
        return "row" if self.encoding in WORKBOOK_ENCODINGS else "line"

    def where(self, number: int) -> str:
        """``FILE line N`` (or ``FILE row N`` in a workbook), for error messages."""
        return f"{self.path} {self.unit} {number}"

    @property
    def header_where(self) -> str:
        """Where the header was found, for people: "row 3 of sheet '原始数据'" or "line 2"."""
        place = f"{self.unit} {self.header_row}"
        return f"{place} of sheet {self.sheet!r}" if self.sheet is not None else place

    def require(self, columns: Sequence[str], what: str) -> None:
        """An :class:`InputError` naming the missing columns unless all of ``columns`` are present."""
        missing = [c for c in columns if c not in self.header]
        if missing:
            found = f"; found on {self.header_where}" if self.header_row != 1 or self.sheet is not None else ""
            raise InputError(f"{self.path}: missing column(s) {', '.join(missing)} (the header is: "
                             f"{', '.join(self.header)}{found}); {what}")


# Kept for callers that name the survey reader's type.
SurveyTable = Table


@dataclass
class _Record:
    """One record of a file before the header is known: its cells and where it is."""

    number: int  # the line where it starts (text) or the sheet row
    record: int  # 1-based count of records, blank ones included
    cells: list[str]

    @property
    def blank(self) -> bool:
        return not any(self.cells)

    @property
    def width(self) -> int:
        """Cells up to the last non-empty one."""
        for i in range(len(self.cells), 0, -1):
            if self.cells[i - 1]:
                return i
        return 0


def read_table(path: str | Path, *, expect: Expect | None = None, sheet: str | int | None = None,
               header_row: int | None = None) -> Table:
    """Read a table file of any supported kind; a clear :class:`InputError` otherwise.

    ``expect`` tells which header cells the caller knows (a collection of names, compared
    without case or spaces, or a predicate on a cell): the header is then the row naming
    most of them, and in a workbook the sheet whose header names most of them (at least
    two) is read. Without it, or when no row names any, the header is found by its shape
    (:func:`find_header`) and the workbook's largest sheet is read. ``sheet`` (a name, or
    a number counted from 1) and ``header_row`` (a line of a text file, a row of a sheet)
    say it outright.

    Raises:
        InputError: the file is missing, empty, binary, an unreadable workbook, its
            encoding cannot be told, or ``sheet`` / ``header_row`` name nothing in it.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path}: is a folder; pass a CSV, .xlsx or .xls file") from exc
    if not data.strip():
        raise InputError(f"{path}: the file is empty; expected a CSV or Excel file with a header row")
    matches = _matcher(expect)
    if data.startswith(_XLSX_MAGIC):
        table = _read_workbook(path, _xlsx_sheets(path, data), "xlsx", matches, sheet, header_row)
    elif data.startswith(_OLE_MAGIC):
        table = _read_workbook(path, _xls_sheets(path, data), "xls", matches, sheet, header_row)
    else:
        if sheet is not None:
            raise InputError(f"{path}: --sheet {sheet} was given but the file is a text table, not a workbook; "
                             "leave --sheet out")
        utf16 = _utf16_encoding(data)
        if utf16 is not None:
            text, encoding = data.decode(utf16), "utf-16"
        elif b"\x00" in data[:4096]:
            raise InputError(f"{path}: looks like a binary file, not a CSV or Excel workbook; "
                             "save the table as CSV (UTF-8 or GBK) or .xlsx")
        else:
            if _looks_like_html(data):
                raise InputError(f"{path}: is a web page (HTML) saved under a table's name, as some systems "
                                 "export 'Excel' files; open it in Excel or WPS and save it as .xlsx or CSV")
            text, encoding = decode_text(path, data)
        table = _read_delimited(path, text, encoding, matches, header_row)
    table.path = path
    return table


def read_frame(path: str | Path, *, text_columns: Sequence[str] | None = None,
               required: Sequence[str] = (), what: str = "", expect: Expect | None = None) -> pd.DataFrame:
    """A table file as a DataFrame, one row per data row, in file order.

    Columns are numbers where every non-blank cell is one, text otherwise (blank cells are
    missing values); ``text_columns`` (all of them when None) stay text whatever they
    hold, as codes such as 01 must. ``required`` columns must be present (``what`` says
    what the file is for, in the error); they also tell where the header is, as
    ``expect`` does (see :func:`read_table`).

    Raises:
        InputError: as :func:`read_table`, a missing required column, or a row whose
            field count differs from the header's (naming its line).
    """
    import pandas as pd  # here: the survey importer reads tables without pandas

    table = read_table(path, expect=expect if expect is not None else (required or None))
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
    UTF-8 is reported as "utf-8-sig" with a BOM (Excel's "CSV UTF-8"), "utf-8" without.
    """
    for encoding in CANDIDATE_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "gb18030":
            return text, "gbk/gb18030"
        return text, encoding if encoding != "utf-8-sig" or data.startswith(b"\xef\xbb\xbf") else "utf-8"
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise InputError(f"{path}: cannot tell the text encoding; save the file as UTF-8 and try again")
    return str(best), best.encoding


def _utf16_encoding(data: bytes) -> str | None:
    """"utf-16" for a BOM, "utf-16-le"/"-be" for UTF-16 without one, else None.

    Excel's "Unicode text" writes a BOM, but files passed through other tools lose it.
    Tabs, line ends and digits are ASCII, so UTF-16 text has a zero byte in almost every
    other position, on one side only; UTF-8 and GBK text has none.
    """
    if data.startswith(_UTF16_BOMS):
        return "utf-16"
    sample = data[:4096]
    half = len(sample) // 2
    if half < 4 or len(data) % 2:
        return None
    even, odd = sample[0:2 * half:2].count(0), sample[1:2 * half:2].count(0)
    if odd >= 0.2 * half and even <= 0.02 * half:
        encoding = "utf-16-le"
    elif even >= 0.2 * half and odd <= 0.02 * half:
        encoding = "utf-16-be"
    else:
        return None
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return encoding


def _looks_like_html(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith(b"<") and any(tag in head for tag in (b"<html", b"<table", b"<!doctype html"))


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most rows of one width.

    ``csv.Sniffer`` guesses wrong on short files and on free text full of commas; counting
    how many of the first rows share the most common width (two fields or more) under
    each candidate does not, and a title row above the table (one field under every
    delimiter) does not mislead it.
    """
    sample = [line for line in text.splitlines()[:50] if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [_trimmed_width(r) for r in csv.reader(sample, delimiter=delimiter)]
        except csv.Error:
            continue
        counts: dict[int, int] = {}
        for width in widths:
            if width >= 2:
                counts[width] = counts.get(width, 0) + 1
        if not counts:
            continue
        width, count = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        score = (count, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _trimmed_width(record: list[str]) -> int:
    width = len(record)
    while width and not record[width - 1].strip():
        width -= 1
    return width


def _read_delimited(path: Path, text: str, encoding: str, matches: Callable[[str], bool] | None,
                    header_row: int | None) -> Table:
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[_Record] = []
    line = 1
    try:
        for count, record in enumerate(reader, start=1):
            records.append(_Record(line, count, [_clean(cell) for cell in record]))
            line = reader.line_num + 1
    except csv.Error as exc:  # a quote never closed, a NUL byte
        raise InputError(f"{path} line {line}: cannot be read as {DELIMITER_NAMES[delimiter]}-delimited text "
                         f"({exc}); check the quotes on that line") from exc
    table = _build(path, records, matches, header_row, "line", workbook=False)
    table.encoding, table.layout = encoding, f"{DELIMITER_NAMES[delimiter]}-delimited"
    return table


def _clean(cell: str) -> str:
    # A line break typed in a cell (Alt+Enter) is a bare LF in Excel, whatever the file's line ends.
    return cell.strip().lstrip("\ufeff").strip().replace("\r\n", "\n")


# -- the header ----------------------------------------------------------------------------

_NUMBERISH_RE = re.compile(r"^[-+]?[\d,，.\s]*\d[\d,，.\s]*%?$|^\d{4}\s*[-/.年]\s*\d{1,2}")
_NOTE_RE = re.compile(r"^(?:注|附注|备注|说明|资料来源|数据来源|来源|Notes?|Source)\s*\d*\s*[:：.、]|^注\s*\d|^[*※]",
                      re.IGNORECASE)


def _header_key(cell: str) -> str:
    return re.sub(r"[\s_\-\u3000]+", "", cell).casefold()


def _matcher(expect: Expect | None) -> Callable[[str], bool] | None:
    if expect is None:
        return None
    if callable(expect):
        return expect
    names = {_header_key(str(name)) for name in expect}
    return lambda cell: _header_key(cell) in names


def find_header(records: Sequence[Sequence[str]], matches: Callable[[str], bool] | None = None) -> tuple[int, int]:
    """The index of the header among ``records`` (rows of stripped cells), and how many of
    its cells ``matches`` accepts.

    Among the first :data:`HEADER_SCAN` non-blank rows, the header is the row naming most
    expected fields; failing that (no ``matches``, or no row names any), the row with the
    most *header-like* cells: non-empty, not numbers or dates, distinct within the row,
    and not repeated in the same column (a data row's 男 or 城关镇 come back a few rows
    up or down; a column name does not), weighed by the share of the rows below that fit
    within its width (a title or unit row is followed by wider rows). On a tie the upper
    row wins. A grouped header's upper row names fewer cells than its lower (leaf) row,
    which is therefore chosen. A table with no row of two or more cells starts at its
    first non-blank row.
    """
    rows = [i for i, r in enumerate(records) if any(r)]
    if not rows:
        return 0, 0
    best, best_key = rows[0], (0, 0.0)
    widths = {i: _trimmed_width(list(records[i])) for i in rows}
    scanned = rows[:HEADER_SCAN + HEADER_LOOKAHEAD]
    # How often each value appears in each column of the rows looked at: a data row's
    # values come back in the rows above and below it; a column name appears once.
    counts: dict[tuple[int, str], int] = {}
    for i in scanned:
        for seen in {(k, v) for k, v in enumerate(records[i]) if v}:
            counts[seen] = counts.get(seen, 0) + 1
    for position, i in enumerate(rows[:HEADER_SCAN]):
        cells = list(records[i])[:widths[i]]
        if sum(1 for c in cells if c) < 2:
            continue
        below = rows[position + 1:position + 1 + HEADER_LOOKAHEAD]
        fresh, counted = 0, set()
        for k, cell in enumerate(cells):
            if cell and cell not in counted and not _NUMBERISH_RE.match(cell) and counts.get((k, cell), 0) <= 1:
                fresh += 1
                counted.add(cell)
        fit = sum(widths[j] <= widths[i] for j in below) / len(below) if below else 1.0
        named = sum(1 for c in cells if c and matches(c)) if matches is not None else 0
        key = (named, fresh * fit)
        if key > best_key:
            best, best_key = i, key
    return best, best_key[0]


def _header_names(cells: list[str]) -> list[str]:
    """Column names: line breaks inside a cell become spaces, an empty cell is named by its
    position ("column 7") and a repeated name gets its column ("年龄 (column 9)"), so no
    column's values are lost behind another's name."""
    names: list[str] = []
    for k, cell in enumerate(cells, start=1):
        name = re.sub(r"\s*\n\s*", " ", cell) or f"column {k}"
        if name in names:
            name = f"{name} (column {k})"
        names.append(name)
    return names


def _describe(cells: Sequence[str]) -> str:
    return " | ".join(c for c in cells if c)


def _build(path: Path, records: list[_Record], matches: Callable[[str], bool] | None, header_row: int | None,
           unit: str, *, workbook: bool, where: str = "") -> Table:
    """A :class:`Table` from a file's records: the header found (or the one asked for), the
    rows below it, trailing footnotes set apart."""
    if header_row is not None:
        at = next((i for i, r in enumerate(records) if r.number == header_row), None)
        if at is None or records[at].blank:
            state = "blank" if at is not None else ("past the end" if header_row > (records[-1].number if records
                                                                                      else 0) else "inside a cell")
            raise InputError(f"{path}{where} {unit} {header_row}: --header-row {header_row} names a {unit} that is "
                             f"{state}; give the {unit} number of the column names")
    else:
        at, _ = find_header([r.cells for r in records], matches)
        if not records or records[at].blank:
            raise InputError(f"{path}{where}: no rows; expected a header row and one row per record")
    head = records[at]
    header = _header_names(head.cells[:head.width])
    body = [r for r in records[at + 1:] if not r.blank]
    notes: list[str] = []
    while body and _is_note(body[-1]):
        notes.insert(0, _describe(body.pop().cells))
    rows: list[tuple[int, dict[str, str]]] = []
    for record in body:
        cells = record.cells
        if workbook:
            cells = cells + [""] * (len(header) - len(cells))  # a sheet has no ragged rows, only blank cells
        rows.append((record.number, _row(header, cells)))
    above = [_describe(r.cells) for r in records[:at] if not r.blank]
    return Table(header, rows, "", "", path, header_row=head.number, header_record=head.record,
                 above=above, notes=notes)


def is_note(text: str) -> bool:
    """Whether a cell opens a footnote: 注：…, 注1., 资料来源：…, 说明：…, Source: …, ※…"""
    return bool(_NOTE_RE.match(text.strip()))


def _is_note(record: _Record) -> bool:
    filled = [c for c in record.cells if c]
    return bool(filled) and record.cells[0] == filled[0] and bool(_NOTE_RE.match(filled[0]))


def _row(header: list[str], record: list[str]) -> dict[str, str]:
    # Trailing empty cells (Excel pads rows to the widest one) are not an error.
    while len(record) > len(header) and not record[-1].strip():
        record = record[:-1]
    if len(record) != len(header):
        return {"__error__": f"has {len(record)} fields, the header has {len(header)}"}
    return {h: cell.strip() for h, cell in zip(header, record, strict=True)}


# -- workbooks -----------------------------------------------------------------------------

@dataclass
class _Sheet:
    name: str
    records: list[_Record]
    epoch: date = EXCEL_EPOCH

    @property
    def size(self) -> int:
        return sum(1 for r in self.records for c in r.cells if c)


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
    return _clean(str(value))


def _xlsx_sheets(path: Path, data: bytes) -> list[_Sheet]:
    """Every worksheet of an .xlsx workbook; row numbers are the sheet's own, as Excel shows them."""
    import openpyxl  # imported here: only Excel files need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # Workbooks written by WPS or tablets often lack a default style; harmless here.
            warnings.simplefilter("ignore", UserWarning)
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            epoch = book.epoch.date() if isinstance(book.epoch, datetime) else EXCEL_EPOCH
            sheets = []
            for worksheet in book.worksheets:
                records = [_Record(i, i, [_cell_text(v) for v in values])
                           for i, values in enumerate(worksheet.iter_rows(values_only=True), start=1)]
                sheets.append(_Sheet(worksheet.title, records, epoch))
            book.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable .xlsx workbook ({exc}); open it in Excel or WPS and save it "
                         "again as .xlsx or CSV") from exc
    return sheets


def _xls_sheets(path: Path, data: bytes) -> list[_Sheet]:
    """Every sheet of an old-format .xls workbook (Excel 97-2003, and 问卷星's exports)."""
    import xlrd  # imported here: only old Excel files need it
    from xlrd.compdoc import CompDocError

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except (xlrd.XLRDError, CompDocError, AssertionError, IndexError, ValueError, KeyError) as exc:
        hint = ("if it has a password, remove it in Excel or WPS; otherwise open it and save it again as "
                ".xlsx or CSV")
        raise InputError(f"{path}: not a readable .xls workbook ({exc}); {hint}") from exc
    epoch = date(1904, 1, 1) if book.datemode == 1 else EXCEL_EPOCH
    sheets = []
    try:
        for index in range(book.nsheets):
            worksheet = book.sheet_by_index(index)
            records = []
            for r in range(worksheet.nrows):
                cells = []
                for cell in worksheet.row(r):
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        try:
                            cells.append(_cell_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)))
                        except (xlrd.xldate.XLDateError, OverflowError, ValueError):
                            cells.append(_cell_text(cell.value))
                    elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                        cells.append(str(bool(cell.value)))
                    elif cell.ctype == xlrd.XL_CELL_ERROR:
                        cells.append("")  # #N/A, #DIV/0!: nothing a person typed
                    else:
                        cells.append(_cell_text(cell.value))
                records.append(_Record(r + 1, r + 1, cells))
            sheets.append(_Sheet(worksheet.name, records, epoch))
    except (xlrd.XLRDError, AssertionError, IndexError, ValueError, KeyError) as exc:
        raise InputError(f"{path}: not a readable .xls workbook ({exc}); open it in Excel or WPS and save it "
                         "again as .xlsx or CSV") from exc
    finally:
        book.release_resources()
    return sheets


def _pick_sheet(path: Path, sheets: list[_Sheet], matches: Callable[[str], bool] | None,
                sheet: str | int | None) -> _Sheet:
    names = ", ".join(repr(s.name) for s in sheets)
    if sheet is not None:
        for candidate in sheets:
            if candidate.name == str(sheet) or candidate.name.strip() == str(sheet).strip():
                return candidate
        number = int(sheet) if isinstance(sheet, int) or str(sheet).strip().isdigit() else None
        if number is not None and 1 <= number <= len(sheets):
            return sheets[number - 1]
        raise InputError(f"{path}: no sheet {sheet!r}; the sheets are {names} (give a name, or a number from 1 "
                         f"to {len(sheets)})")
    if not sheets:
        raise InputError(f"{path}: the workbook has no sheets")
    if matches is not None:
        named = [find_header([r.cells for r in s.records], matches)[1] for s in sheets]
        most = max(named)
        if most >= 2:
            return sheets[named.index(most)]
    return max(sheets, key=lambda s: s.size)  # max keeps the first of equals


def _read_workbook(path: Path, sheets: list[_Sheet], kind: str, matches: Callable[[str], bool] | None,
                   sheet: str | int | None, header_row: int | None) -> Table:
    chosen = _pick_sheet(path, sheets, matches, sheet)
    if not any(not r.blank for r in chosen.records):
        which = "the sheet" if len(sheets) == 1 else f"sheet {chosen.name!r}"
        raise InputError(f"{path}: {which} is empty; expected a header row and one row per record")
    table = _build(path, chosen.records, matches, header_row, "row", workbook=True, where=f" sheet {chosen.name!r}")
    table.encoding, table.layout = kind, f"sheet {chosen.name!r}"
    table.sheet, table.sheets, table.epoch = chosen.name, tuple(s.name for s in sheets), chosen.epoch
    return table


# -- dates ---------------------------------------------------------------------------------

# Serial numbers read as dates: 1954-10-04 .. 2119-01-10, so that an age, a count or a
# phone number is never taken for a day.
SERIAL_RANGE = (20_000, 80_000)
_SERIAL_RE = re.compile(r"^\d{5}(?:\.\d+)?$")
_YMD_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:$|[\sT])")
_COMPACT_RE = re.compile(r"^((?:19|20)\d\d)(\d\d)(\d\d)$")


def excel_serial_date(value: float, epoch: date = EXCEL_EPOCH) -> date | None:
    """The day an Excel serial number stands for (45355 -> 2024-03-04), or None when the
    number is outside :data:`SERIAL_RANGE`. The fraction (time of day) is dropped."""
    if not SERIAL_RANGE[0] <= value < SERIAL_RANGE[1]:
        return None
    return epoch + timedelta(days=int(value))


def read_date(text: str, epoch: date = EXCEL_EPOCH) -> date | None:
    """A date cell as field teams and platforms write it, or None when it is not one.

    Reads 2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日, 20260305, timestamps such as
    2026-03-04 19:32:10 (the day is kept), and Excel serial numbers (46086, also with a
    time fraction; ``epoch`` is day 0 of the workbook's date system).
    """
    text = text.strip()
    if not text:
        return None
    try:
        match = _YMD_RE.match(text) or _COMPACT_RE.match(text)
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if _SERIAL_RE.match(text):
            return excel_serial_date(float(text), epoch)
    except ValueError:  # 2026-02-30
        return None
    return None
