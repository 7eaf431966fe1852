"""Census margin tables as statistics bureaus write them, read into rows of targets.

A county bureau's table is rarely ``variable,level,target``. It has Chinese headers
(变量/指标, 类别/分组/组别, 人数（人）/人口数/常住人口, 比重/占比/百分比（%）), counts with
thousands separators (``"21,436"``), percentages (``15.2%``), 合计/总计/小计 rows,
``其中：`` sub-items, notes below the table (注：…, 资料来源：…), or it is a cross-tab:
one variable down the rows, another across the columns, with a 合计 column and row.

:func:`read_margin_table` reads any of these (through the one table reader,
:func:`opinion.files.tables.read_table`, so every encoding, header position and sheet
it finds is found here too) into :class:`MarginRow` one-way targets and, for a
cross-tab, :class:`JointCell` joint targets, keeping each level's text as written and
what was dropped. Variables get the names used everywhere else: 年龄/年龄组 ->
``age_group``, 性别 -> ``sex``, 城乡 -> ``urban``, 乡镇/街道 -> ``region``; age-band
levels become canonical labels through :mod:`weighting.bands` (``18—29岁`` ->
``18-29``, ``60岁及以上`` -> ``60+``). :class:`weighting.margins.Margins` is built from
the result.
"""
from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from opinion.attributes import normalise_level
from opinion.files.tables import Table, is_note, read_table
from weighting.bands import Band, BandError, Bands, parse_band
from weighting.errors import WeightingError

logger = logging.getLogger(__name__)

SHARE_TOLERANCE = 1e-6
TOTAL_TOLERANCE = 0.005  # as weighting.margins: totals of one population agree within 0.5%
JOINT_SEP = "*"

# Header cells, compared after dropping units in brackets, spaces and case.
VARIABLE_HEADERS = frozenset({"变量", "变量名", "变量名称", "指标", "指标名称", "项目", "维度", "variable"})
LEVEL_HEADERS = frozenset({"类别", "类别名称", "分组", "组别", "分类", "分类名称", "级别", "取值", "level"})
COUNT_HEADERS = frozenset({"人数", "人口数", "人口", "人口数量", "常住人口", "常住人口数", "户籍人口", "总人口",
                           "数量", "频数", "count", "population", "n"})
AUTO_HEADERS = frozenset({"target", "目标", "目标值", "value", "数值"})  # counts or shares, by their sum
SHARE_WORDS = ("比重", "占比", "百分比", "比例", "构成", "share", "percent", "proportion")
TOTAL_WORDS = frozenset({"合计", "总计", "小计", "总数", "总体", "全部", "计", "total", "all", "sum"})
SUBITEM_RE = re.compile(r"^(?:其中|内|#|＃)\s*[:：]?")

VARIABLE_NAMES: dict[str, frozenset[str]] = {
    "age_group": frozenset({"年龄", "年龄组", "年龄段", "年龄分组", "年龄别", "年龄结构", "年龄构成", "分年龄", "年龄区间",
                            "age", "agegroup", "age_group"}),
    "sex": frozenset({"性别", "分性别", "性别构成", "sex", "gender"}),
    "urban": frozenset({"城乡", "城乡分类", "城乡类型", "城乡属性", "城乡构成", "分城乡", "城乡别", "urban", "urbanrural"}),
    "region": frozenset({"乡镇", "乡镇街道", "街道乡镇", "街道", "镇街", "乡镇名称", "乡镇别", "分乡镇", "地区", "区域",
                         "region", "township"}),
}
_UNIT_RE = re.compile(r"[（(][^）)]*[）)]|[\[【][^\]】]*[\]】]")
_THOUSANDS_RE = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


@dataclass(frozen=True)
class MarginRow:
    """One target of a one-way margin.

    ``level`` is the level used inside (a canonical band label for ``age_group``,
    otherwise the text as written); ``written`` is the cell as the table writes it.
    ``target`` is a count, or a share 0-1 when ``share`` (a percentage ``15.2%`` is
    0.152); ``share`` is None when the table does not say (a bare ``target`` column),
    and the sum decides. ``tolerance`` is how far the shares of the variable may miss
    1 by the rounding of the written figures.
    """

    variable: str
    level: str
    written: str
    target: float
    where: str
    share: bool | None = False
    tolerance: float = SHARE_TOLERANCE
    band: Band | None = None
    column: str = "target"  # the header of the column the target was read from


@dataclass(frozen=True)
class JointCell:
    """One cell of a cross-tab: the target of ``levels`` (row level, column level) of
    ``variables`` (row variable, column variable)."""

    variables: tuple[str, str]
    levels: tuple[str, str]
    written: tuple[str, str]
    target: float
    where: str
    share: bool | None = False
    tolerance: float = SHARE_TOLERANCE
    column: str = "target"


@dataclass
class MarginTable:
    """What :func:`read_margin_table` read: the table (encoding, header row, sheet), its
    layout (``long`` or ``wide``), the one-way rows, the joint cells of a cross-tab, and
    the texts dropped as not levels (合计, 其中 sub-items, notes)."""

    table: Table
    layout: str
    rows: list[MarginRow]
    cells: list[JointCell] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)


def _key(cell: str) -> str:
    text = unicodedata.normalize("NFKC", cell)
    return re.sub(r"[\s_\-:：]+", "", _UNIT_RE.sub("", text)).casefold()


def variable_name(text: str) -> str | None:
    """The variable a header or 变量 cell names (``年龄组`` -> ``age_group``); None if unknown."""
    key = _key(text)
    for name, words in VARIABLE_NAMES.items():
        if key in words:
            return name
    return None


def is_total(text: str) -> bool:
    """Whether a cell is a total row's or column's label (合计, 总计, 全县合计, Total)."""
    key = _key(text)
    return bool(key) and (key in TOTAL_WORDS or key.endswith(("合计", "总计")))


def is_subitem(text: str) -> bool:
    """Whether a level is a 其中 ("of which") sub-item, already counted in a level above."""
    return bool(SUBITEM_RE.match(unicodedata.normalize("NFKC", text.strip())))


def _is_share_header(text: str) -> bool:
    return any(word in _key(text) for word in SHARE_WORDS) or "%" in unicodedata.normalize("NFKC", text)


def _is_count_header(text: str) -> bool:
    key = _key(text)
    return key in COUNT_HEADERS or key.endswith(("人口", "人数", "人口数"))


def _known_header(cell: str) -> bool:
    """Cells that mark a margins header (for finding it below titles and units)."""
    key = _key(cell)
    return (key in VARIABLE_HEADERS or key in LEVEL_HEADERS or key in AUTO_HEADERS or _is_count_header(cell)
            or _is_share_header(cell) or variable_name(cell) is not None or is_total(cell)
            or any(normalise_level(v, cell) is not None for v in ("sex", "urban")))


@dataclass(frozen=True)
class _Number:
    value: float
    percent: bool  # written with a % sign
    decimals: int


def _number(text: str) -> _Number | None:
    cleaned = re.sub(r"[\s\u00a0']", "", unicodedata.normalize("NFKC", text)).replace("，", ",")
    percent = cleaned.endswith("%")
    cleaned = cleaned.rstrip("%")
    if _THOUSANDS_RE.match(cleaned):
        cleaned = cleaned.replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    decimals = len(cleaned.split(".", 1)[1]) if "." in cleaned and "e" not in cleaned.lower() else 0
    return _Number(value, percent, decimals)


class _Column:
    """How a target column's cells become targets: counts, shares or either."""

    def __init__(self, header: str, kind: str) -> None:
        self.header, self.kind = header, kind  # kind: "count", "share" or "auto"
        self.per_cent = "%" in unicodedata.normalize("NFKC", header) or "百分" in header

    def read(self, text: str, where: str) -> tuple[float, bool | None, float]:
        """(target, share?, rounding tolerance of a share) of one cell."""
        number = _number(text)
        if number is None:
            what = "empty" if not text.strip() else f"{text!r} is not a number"
            raise WeightingError(
                f"{where}, column {self.header!r}: {what}; write a population count (21436 or 21,436) "
                "or a percentage (15.2%)"
            )
        if number.value < 0:
            raise WeightingError(f"{where}, column {self.header!r}: {text!r} is negative; targets are 0 or more")
        if number.percent or (self.kind == "share" and self.per_cent):
            return number.value / 100, True, 0.5 * 10 ** -number.decimals / 100
        if self.kind == "share":
            return number.value, True, 0.5 * 10 ** -number.decimals
        return number.value, (False if self.kind == "count" else None), SHARE_TOLERANCE


def read_margin_table(path: str | Path) -> MarginTable:
    """Read a margins table in any layout a bureau uses; see the module's docstring.

    Long tables: a 变量/指标 column (or a first header naming the variable, 年龄段 over
    the levels), a 类别/分组 column, and a target column; counts are preferred to shares
    when both are given. Wide tables (cross-tabs): the first header names the row
    variable, two or more column headers are levels of another (男/女, 城镇/乡村, age
    bands); one-way margins come from the 合计 column and row (or the sums when absent)
    and every cell is a joint target.

    Raises:
        InputError: the file cannot be read (naming it).
        WeightingError: no target column, a target that is not a number, an age level
            that is not a band, or age bands that overlap or leave a gap (naming the
            file, line and column and the value).
    """
    table = read_table(path, expect=_known_header)
    for number, record in table.rows:
        if "__error__" in record:
            raise WeightingError(f"{table.where(number)}: {record['__error__']}; fix the row's delimiters")
    column_variable = _column_variable(table.header)
    if column_variable is not None and not any(_key(h) in VARIABLE_HEADERS | LEVEL_HEADERS for h in table.header):
        result = _read_wide(table, column_variable)
    else:
        result = _read_long(table)
    result.excluded.extend(table.notes)
    _check_bands(table, result.rows)
    return result


def _column_variable(header: Sequence[str]) -> str | None:
    """The variable whose levels two or more column headers (after the first) are."""
    levels = [header[i] for i in _level_columns(header)]
    if len(levels) < 2:
        return None
    for variable in ("sex", "urban"):
        if all(normalise_level(variable, h) is not None for h in levels):
            return variable
    if all(parse_band(h) is not None for h in levels):
        return "age_group"
    return None


def _level(variable: str, written: str, where: str) -> tuple[str, Band | None]:
    """The level used inside (a canonical band label for an age variable) and its band."""
    if JOINT_SEP in variable:  # age_group*sex, 60岁及以上*female: the age part becomes a label
        parts, levels = variable.split(JOINT_SEP), written.split(JOINT_SEP)
        if len(parts) == len(levels):
            levels = [_level(p, lv, where)[0] if p == "age_group" else lv for p, lv in zip(parts, levels, strict=True)]
        return JOINT_SEP.join(levels), None
    if variable != "age_group":
        return written, None
    band = parse_band(written)
    if band is None:
        raise WeightingError(
            f"{where}: age level {written!r} is not an age band; write it as 18-29, 18—29岁, 60岁及以上 or 70+ "
            "(or mark a sub-item 其中：)"
        )
    return band.label, band


def _read_long(table: Table) -> MarginTable:
    header = table.header
    keys = [_key(h) for h in header]
    var_col = next((i for i, k in enumerate(keys) if k in VARIABLE_HEADERS), None)
    level_col = next((i for i, k in enumerate(keys) if k in LEVEL_HEADERS and i != var_col), None)
    fixed: str | None = None  # the one variable of a table without a 变量 column
    unnamed = False  # ... whose first header is not a known variable name (its levels will tell)
    if level_col is None:
        level_col = 0 if var_col != 0 else 1
        if var_col is None:
            fixed = variable_name(header[0])
            unnamed = fixed is None
            fixed = fixed or header[0]
    used = {var_col, level_col}
    target_col = _target_column(table, used)
    kind = ("count" if _is_count_header(header[target_col]) else
            "share" if _is_share_header(header[target_col]) else "auto")
    column = _Column(header[target_col], kind)
    rows: list[MarginRow] = []
    excluded: list[str] = []
    totals: list[tuple[str | None, str, str]] = []  # (variable, cell, where) of 合计 rows
    variable: str | None = fixed
    for number, record in table.rows:
        where = table.where(number)
        cells = [record[h] for h in header]
        written = cells[level_col]
        if var_col is not None and cells[var_col]:
            variable = variable_name(cells[var_col]) or cells[var_col]
        label_cells = [c for i, c in enumerate(cells) if i in used and c]
        if any(is_total(c) for c in label_cells):
            excluded.extend(c for c in label_cells if is_total(c))
            totals.append((variable, cells[target_col], f"{where}, column {header[target_col]!r}"))
            continue
        if any(is_subitem(c) for c in label_cells):
            excluded.extend(c for c in label_cells if is_subitem(c))
            continue
        if label_cells and is_note(label_cells[0]):
            excluded.append(label_cells[0])
            continue
        if not written and not cells[target_col]:
            continue
        if not written:
            raise WeightingError(f"{where}, column {header[level_col]!r}: the level is empty; name the level "
                                 "(or drop the row)")
        if variable is None:
            raise WeightingError(f"{where}, column {header[var_col or 0]!r}: no variable named for level "
                                 f"{written!r}; write the variable (年龄, 性别, 城乡, 乡镇 ...) in that column")
        target, share, tolerance = column.read(cells[target_col], where)
        level, band = _level(variable, written, f"{where}, column {header[level_col]!r}")
        rows.append(MarginRow(variable, level, written, target, where, share, tolerance, band, header[target_col]))
    if unnamed and rows:
        rows = _infer_variable(table, rows)
        totals = [(rows[0].variable, cell, where) for _, cell, where in totals]
    _check_totals(rows, totals)
    return MarginTable(table, "long", _scaled(rows), [], excluded)


def _check_totals(rows: Sequence[MarginRow], totals: Sequence[tuple[str | None, str, str]]) -> None:
    """A 合计 row of counts must agree with the levels it totals: when it does not, a level is
    missing or a sub-item was not marked 其中 and is counted twice."""
    for variable, cell, where in totals:
        number = _number(cell)
        counted = [r for r in rows if r.variable == variable and not r.share]
        if number is None or number.percent or not counted:
            continue
        total = sum(r.target for r in counted)
        if abs(total - number.value) > TOTAL_TOLERANCE * max(number.value, 1.0):
            raise WeightingError(
                f"{where}: the total {cell!r} does not match the levels of {variable!r} above, which sum to "
                f"{total:,.0f}; a level is missing, or a sub-item is counted twice (mark it 其中：)"
            )


def _target_column(table: Table, used: set[int | None]) -> int:
    header = table.header
    candidates = [i for i in range(len(header)) if i not in used]
    for test in (_is_count_header, lambda h: _key(h) in AUTO_HEADERS, _is_share_header):
        found = [i for i in candidates if test(header[i])]
        if found:
            return found[0]
    for i in candidates:  # an unnamed column of numbers
        values = [r[header[i]] for _, r in table.rows if r[header[i]]]
        if values and all(_number(v) is not None for v in values):
            return i
    raise WeightingError(
        f"{table.path} {table.header_where}: no column of targets found (the header is: {', '.join(header)}); "
        "name it 人数, 人口数, 比重 or target, or write the table as variable,level,target"
    )


def _infer_variable(table: Table, rows: list[MarginRow]) -> list[MarginRow]:
    """A single-variable table whose first header is not a known variable: name it from its levels."""
    written = [r.written for r in rows]
    inferred = None
    if all(parse_band(w) is not None for w in written):
        inferred = "age_group"
    else:
        for candidate in ("sex", "urban"):
            if all(normalise_level(candidate, w) is not None for w in written):
                inferred = candidate
    if inferred is None:
        if not table.header[0] or table.header[0].startswith("column "):
            raise WeightingError(f"{table.path} {table.header_where}: the first column has no name; name the "
                                 "variable there (年龄, 性别, 城乡, 乡镇 ...)")
        return rows
    return [_renamed(r, inferred) for r in rows]


def _renamed(row: MarginRow, variable: str) -> MarginRow:
    level, band = _level(variable, row.written, row.where)
    return replace(row, variable=variable, level=level, band=band)


def _scaled(rows: list[MarginRow]) -> list[MarginRow]:
    """Shares written as plain percentages (a 比重 column of 15.2, 16.1 ... summing to 100) as fractions."""
    out = []
    by_variable: dict[str, list[MarginRow]] = {}
    for row in rows:
        by_variable.setdefault(row.variable, []).append(row)
    for variable_rows in by_variable.values():
        total = sum(r.target for r in variable_rows)
        percent = all(r.share for r in variable_rows) and any(r.target > 1 for r in variable_rows) and abs(total - 100) <= 1
        for row in variable_rows:
            if percent:
                row = replace(row, target=row.target / 100, share=True, tolerance=row.tolerance / 100)
            out.append(row)
    return out


def _read_wide(table: Table, column_variable: str) -> MarginTable:
    header = table.header
    head_where = f"{table.path} {table.header_where}"
    row_variable = _row_variable(table)
    total_col = next((i for i in range(1, len(header)) if is_total(header[i])), None)
    level_cols = _level_columns(header)
    column_levels = {i: _level(column_variable, header[i], head_where) for i in level_cols}
    columns = {i: _Column(header[i], "auto") for i in range(1, len(header))}
    excluded: list[str] = [header[total_col]] if total_col is not None else []
    rows: list[MarginRow] = []
    cells: list[JointCell] = []
    column_totals: dict[int, tuple[tuple[float, bool | None, float], str]] = {}
    for number, record in table.rows:
        where = table.where(number)
        written = record[header[0]]
        if not written and not any(record[header[i]] for i in level_cols):
            continue
        if is_total(written):
            excluded.append(written)
            column_totals.update({i: (columns[i].read(record[header[i]], where), where) for i in level_cols})
            continue
        if is_subitem(written) or is_note(written):
            excluded.append(written)
            continue
        if not written:
            raise WeightingError(f"{where}, column {header[0]!r}: the level is empty; name the row's level")
        level, band = _level(row_variable, written, f"{where}, column {header[0]!r}")
        own = []
        for i in level_cols:
            target, share, tolerance = columns[i].read(record[header[i]], where)
            own.append(JointCell((row_variable, column_variable), (level, column_levels[i][0]), (written, header[i]),
                                 target, where, share, tolerance, header[i]))
        cells += own
        if total_col is not None:
            total = columns[total_col].read(record[header[total_col]], where)
            _check_sum(total, own, f"{where}, column {header[total_col]!r}", f"the cells of {written!r}")
        else:
            total = (sum(c.target for c in own), own[0].share, sum(c.tolerance for c in own))
        rows.append(MarginRow(row_variable, level, written, total[0], where, total[1], total[2], band,
                              header[total_col] if total_col is not None else header[0]))
    for i in level_cols:
        own = [c for c in cells if c.written[1] == header[i]]
        if i in column_totals:
            total, where = column_totals[i]
            _check_sum(total, own, f"{where}, column {header[i]!r}", f"the cells of column {header[i]!r}")
        else:
            total, where = (sum(c.target for c in own), own[0].share if own else None,
                            sum(c.tolerance for c in own)), head_where
        rows.append(MarginRow(column_variable, column_levels[i][0], header[i], total[0], where, total[1], total[2],
                              column_levels[i][1], header[i]))
    return MarginTable(table, "wide", rows, cells, excluded)


def _row_variable(table: Table) -> str:
    """The variable down the rows of a cross-tab: named by the first header cell, or an
    age variable when that cell is empty and every row is an age band."""
    header = table.header
    named = variable_name(header[0])
    if named is not None:
        return named
    written = [r[header[0]] for _, r in table.rows]
    levels = [w for w in written if w and not is_total(w) and not is_subitem(w) and not is_note(w)]
    if levels and all(parse_band(w) for w in levels):
        return "age_group"
    if not header[0] or header[0].startswith("column "):
        raise WeightingError(f"{table.path} {table.header_where}: the first header cell is empty; name the "
                             "variable of the rows there (年龄, 乡镇 ...)")
    return header[0]


def _level_columns(header: Sequence[str]) -> list[int]:
    """Columns of a cross-tab holding levels: not the first, not 合计, not a share or count
    column beside them (城镇化率（%）, 人口数), not an unnamed one."""
    return [i for i in range(1, len(header))
            if header[i] and not header[i].startswith("column ") and not is_total(header[i])
            and not _is_share_header(header[i]) and not _is_count_header(header[i])]


def _check_sum(total: tuple[float, bool | None, float], cells: Sequence[JointCell], where: str, what: str) -> None:
    """A 合计 of counts must agree with the cells it totals (within 0.5%)."""
    if total[1] or not cells or any(c.share for c in cells):
        return
    summed = sum(c.target for c in cells)
    if abs(summed - total[0]) > TOTAL_TOLERANCE * max(total[0], 1.0):
        raise WeightingError(f"{where}: the total {total[0]:,.0f} does not match {what}, which sum to {summed:,.0f}; "
                             "fix the figures (a digit mistyped, a column left out)")


def _check_bands(table: Table, rows: Sequence[MarginRow]) -> None:
    """Age levels of one variable must partition the ages: no overlap, no gap."""
    by_variable: dict[str, list[MarginRow]] = {}
    for row in rows:
        if row.band is not None:
            by_variable.setdefault(row.variable, []).append(row)
    for variable_rows in by_variable.values():
        try:
            Bands(r.band for r in variable_rows if r.band is not None)
        except BandError as exc:
            lines = ", ".join(f"{r.written} ({r.where.removeprefix(str(table.path) + ' ')})" for r in variable_rows)
            raise WeightingError(f"{table.path}: {exc}; the age levels read are: {lines}") from None
