"""Door-to-door survey import: files as field teams hand them over, into the store.

Every row is validated; bad rows are kept out and written to a rejects file with their
line number and reason; valid rows are stored in one transaction. Columns that identify a
person (name, phone, ID number, address) are read, never stored and never written out;
their values are also scrubbed from free text and from every other cell that is kept, so a
name typed into the comments is caught too. Free text is PII-masked like crawled text, and
respondent ids become keyed pseudonyms.

Files come as field teams and survey platforms save them (see
:func:`opinion.files.tables.read_table`: any encoding or delimiter, .xlsx or .xls, a title
above the header, the data on another sheet). 问卷星 (wjx) and similar platforms head
columns with the numbered question ("1、请问您的性别？"): the number and the question
words are stripped before the header is matched to the codebook's aliases. Ages answered
as ranges ("25~29岁", "60岁以上") stay ranges (``age_lo``, ``age_hi``) and are placed in
an age group only when the whole range falls inside one; multiple choices joined by "┋"
are split; interview dates are read in every common form, Excel serial numbers included;
codes and place names written in traditional characters (農村, 城關鎮) are read as
simplified ones. Free text is stored as written.

Several files (waves, teams) merge into one survey. The *same respondent* in two files
means: the same respondent id with the same sex, age group and village (or town, when
either file lacks the village). Such a row is reported as a duplicate and not stored
again; an id reused by a different person (two teams both numbering from 1) is stored
as a separate respondent and counted.
"""
from __future__ import annotations

import csv
import hashlib
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from opinion.attributes import age_group
from opinion.errors import InputError
from opinion.files.resources import data_file
from opinion.files.tables import EXCEL_EPOCH, SurveyTable, read_date, read_table
from opinion.store.db import Store, dumps, respondents, survey_imports
from opinion.store.privacy import pseudonym, workspace_key
from opinion.text.masking import mask_pii
from opinion.text.segment import to_simplified

__all__ = [
    "Codebook", "ImportSummary", "Rejected", "SurveyCheck", "check_survey", "import_survey",
    "load_codebook", "mask_survey_text", "read_table", "write_rejects",
]

log = logging.getLogger(__name__)

DEFAULT_CODEBOOK = data_file("codebook.yaml")
FIELDS = (
    "respondent_id", "region", "place", "sex", "age", "birth_year", "urban", "text",
    "satisfaction", "cluster", "stratum", "design_weight", "interviewer", "interview_date",
)
# Street addresses in free text: "幸福路88号3栋2单元", "阳光小区5号楼", "杨庄村3组12号".
_NUM = r"[0-9０-９]+"
_UNIT = rf"(?:\s*{_NUM}\s*(?:号楼|栋|幢|座|单元|层|楼|室|户|号))*"
_ADDRESS_RE = re.compile(
    rf"[\u4e00-\u9fff]{{1,4}}?(?:大街|大道|路|街|巷|弄|胡同)\s*{_NUM}(?:-{_NUM})?\s*号(?:院)?{_UNIT}"
    rf"|[\u4e00-\u9fff]{{1,4}}?(?:小区|花园|公寓|大厦|家园|新村|苑)\s*{_NUM}\s*(?:号楼|栋|幢|座){_UNIT}"
    rf"|[\u4e00-\u9fff]{{1,4}}?村\s*(?:{_NUM}|[一二三四五六七八九十]+)\s*组\s*{_NUM}\s*号"
)
ADDRESS = "[地址]"


def _norm(header: str) -> str:
    """Headers compare without case, spaces, underscores or dashes: 'Respondent ID' = respondent_id."""
    return re.sub(r"[\s_\-\u3000]+", "", header).casefold()


# "1、", "Q3.", "第2题", "(4)", "【5】" before a question; survey platforms number every column so.
_QUESTION_NUMBER_RE = re.compile(
    r"^\s*(?:[QqＱ]\s*\d+\s*[、.．:：)）\]】]?|第\s*\d+\s*题\s*[、.．:：]?|\d+\s*[、.．:：)）\]】]|[(（【\[]\s*\d+\s*[)）】\]])\s*"
)
# (多选), 【单选题】, [请填写] ... anywhere in a question.
_QUESTION_NOTE_RE = re.compile(r"[(（【\[〔][^)）】\]〕]*[)）】\]〕]")
_QUESTION_LEAD_RE = re.compile(r"^(?:请问|请|您好|你好)?[，,\s]*(?:您|你)?(?:的)?")
_QUESTION_TAIL_RE = re.compile(r"(?:是|为)?(?:有)?(?:什么|多少|哪个|哪一个|哪些|哪里|几)?[\s?？:：。.!！]*$")


def _question_words(header: str) -> str:
    """A header written as a question, reduced to its subject: "2、请问您的年龄? " -> 年龄,
    "4、您最关心的问题（多选）" -> 最关心的问题, "3、请问您的最高学历是?" -> 最高学历."""
    text = unicodedata.normalize("NFKC", header).strip()
    text = _QUESTION_NUMBER_RE.sub("", text)
    text = _QUESTION_NOTE_RE.sub("", text)
    text = _QUESTION_TAIL_RE.sub("", text.strip())
    return _QUESTION_LEAD_RE.sub("", text.strip()).strip()


# A bilingual header: an English label and a Chinese one, either first ("Sex 性别", "性别 Sex").
_BILINGUAL_RE = re.compile(
    r"^(?:(?P<en>[A-Za-z][A-Za-z0-9 ./_\-]*?)\s*(?P<zh>[\u4e00-\u9fff].*)"
    r"|(?P<zh2>[\u4e00-\u9fff][^A-Za-z]*?)\s*(?P<en2>[A-Za-z][A-Za-z0-9 ./_\-]*))$"
)


def _header_keys(header: str) -> tuple[str, ...]:
    """The forms a header is compared in, plainest first: as written, without the question
    number and question words, and that without 的 ("您所在的乡镇" = 所在乡镇); last, each
    label of a bilingual header ("Stratum 层（按乡镇）" = stratum or 层)."""
    plain = _norm(header)
    simplified = _norm(to_simplified(header))
    stem = to_simplified(_question_words(header))
    question = _norm(stem)
    labels: list[str] = []
    found = _BILINGUAL_RE.match(stem)
    if found:
        labels = [_norm(found["en"] or found["en2"] or ""), _norm(found["zh"] or found["zh2"] or "")]
    return tuple(dict.fromkeys(k for k in (plain, simplified, question, question.replace("的", ""), *labels) if k))


@dataclass(frozen=True)
class Codebook:
    """How a file's columns and codes map to tongxin's fields (see ``data/codebook.yaml``)."""

    columns: Mapping[str, Sequence[str]]
    drop: frozenset[str]
    values: Mapping[str, Mapping[str, str]]
    required: tuple[str, ...]
    age_range: tuple[int, int]
    scales: Mapping[str, tuple[int, int]]
    drop_containing: tuple[str, ...] = ()

    def identifying(self, header: str) -> bool:
        keys = _header_keys(header)
        return any(k in self.drop or any(part in k for part in self.drop_containing) for k in keys)

    def code(self, name: str, raw: str) -> str | None:
        """The level of a coded answer; codes compare without case, in simplified characters."""
        table = self.values.get(name, {})
        text = raw.strip().casefold()
        found = table.get(text)
        return found if found is not None else table.get(to_simplified(text))

    def knows(self, header: str) -> bool:
        """Whether ``header`` names a field or an identifying column: tells the table reader
        which row is the header."""
        keys = set(_header_keys(header))
        return bool(keys & self._alias_keys) or any(k in self.drop for k in keys)

    @cached_property
    def _alias_keys(self) -> frozenset[str]:
        return frozenset(k for names in self.columns.values() for name in names for k in _header_keys(name))


@dataclass
class Rejected:
    line: int
    reason: str
    row: dict[str, str]
    kind: str = "invalid"  # short category for counts: "unknown code", "impossible age", ...


@dataclass
class ImportSummary:
    file: str
    encoding: str
    rows_read: int
    rows_valid: int
    rejected: list[Rejected] = field(default_factory=list)
    already_imported: bool = False
    dropped_columns: list[str] = field(default_factory=list)
    duplicates: list[Rejected] = field(default_factory=list)  # respondents already stored from another file
    reused_ids: int = 0  # ids already used by a different person; stored as separate respondents
    wave: str | None = None
    layout: str = ""
    header_where: str = "line 1"  # where the header was found: "row 3 of sheet '原始数据'"
    notes: dict[str, int] = field(default_factory=dict)  # rows kept with a caveat, by kind


@dataclass
class SurveyCheck:
    """How a file would be read, without storing anything.

    ``records`` are the valid rows as they would be stored (identifying columns left
    out, free text masked) plus what the store does not keep: the respondent id as
    written, the age or age range (``age``, ``age_lo``, ``age_hi``), the interview date
    (ISO) and a multiple-choice answer split into ``choices``.
    """

    file: str
    encoding: str
    layout: str
    mapping: dict[str, str]  # field -> header
    dropped_columns: list[str]
    unused_columns: list[str]
    rows_read: int
    rows_valid: int
    rejected: list[Rejected]
    preview: list[dict[str, Any]]
    header_where: str = "line 1"
    skipped_above: list[str] = field(default_factory=list)  # rows above the header (title, unit ...)
    sheets: tuple[str, ...] = ()  # every sheet of a workbook
    notes: dict[str, int] = field(default_factory=dict)
    records: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    @property
    def reject_counts(self) -> dict[str, int]:
        return dict(Counter(r.kind for r in self.rejected).most_common())


class _Bad(Exception):
    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind, self.reason = kind, reason


_YAML_KINDS = {
    "tag:yaml.org,2002:bool": "a true/false value", "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number", "tag:yaml.org,2002:null": "empty (null)",
    "tag:yaml.org,2002:timestamp": "a date",
}


def _yaml_strings(source: Path, node: yaml.Node | None, what: str) -> list[str]:
    """The text of a scalar or a list of scalars, each of which YAML must read as a string.

    YAML 1.1 reads an unquoted ``no``, ``yes``, ``on``, ``off`` as true/false and ``01``
    or ``1.5`` as numbers, so the header ``NO`` would silently become "False"; such a
    value is refused, naming the line and how to write it.
    """
    if node is None:
        return []
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    out = []
    for item in items:
        if not isinstance(item, yaml.ScalarNode):
            raise InputError(f"{source} line {item.start_mark.line + 1}: {what} must be text or a list of texts, "
                             "not a nested list or mapping")
        if item.tag != "tag:yaml.org,2002:str":
            kind = _YAML_KINDS.get(item.tag, f"type {item.tag}")
            raise InputError(f"{source} line {item.start_mark.line + 1}: {item.value!r} under {what} is read by "
                             f"YAML as {kind}, not as text; write it in quotes: \"{item.value}\"")
        out.append(str(item.value))
    return out


def _yaml_mapping(source: Path, node: yaml.Node | None, what: str) -> list[tuple[yaml.Node, yaml.Node]]:
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"):
        return []
    if not isinstance(node, yaml.MappingNode):
        raise InputError(f"{source} line {node.start_mark.line + 1}: {what} must be a mapping (name: value)")
    return list(node.value)


def _yaml_get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


def load_codebook(path: str | Path | None = None) -> Codebook:
    """The shipped codebook, or a user's; a wrong codebook is an :class:`InputError` naming it.

    Headers, codes and levels must be text in YAML's eyes: an unquoted ``no`` (read as
    false) or ``01`` (read as 1) is refused with its line, and must be quoted.
    ``values`` may also hold ``age``: option numbers of a numeric-code export mapped to
    the answers they stand for (``"3": 25~29岁``).
    """
    source = Path(path) if path else DEFAULT_CODEBOOK
    try:
        text = source.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise InputError(f"{source}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: a codebook must be a UTF-8 YAML file ({exc.reason})") from exc
    except FileNotFoundError as exc:
        raise InputError(f"{source}: no such codebook file") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("columns"), dict):
        raise InputError(f"{source}: a codebook needs a 'columns' mapping (field -> list of headers)")
    columns: dict[str, list[str]] = {}
    for key, value in _yaml_mapping(source, _yaml_get(root, "columns"), "'columns'"):
        name = _yaml_strings(source, key, "'columns'")[0]
        columns[name] = _yaml_strings(source, value, f"columns: {name}")
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        raise InputError(f"{source}: unknown field(s) {', '.join(unknown)} under 'columns' (known: {', '.join(FIELDS)})")
    values: dict[str, dict[str, str]] = {}
    values_node = _yaml_get(root, "values")
    if values_node is not None and not (
        (isinstance(values_node, yaml.ScalarNode) and values_node.tag == "tag:yaml.org,2002:null")
        or (isinstance(values_node, yaml.MappingNode) and all(
            isinstance(v, yaml.MappingNode) or v.tag == "tag:yaml.org,2002:null" for _, v in values_node.value))
    ):
        raise InputError(f"{source}: 'values' must map a field to {{code: level}}, e.g. sex: {{男: male}}")
    for key, value in _yaml_mapping(source, values_node, "'values'"):
        name = _yaml_strings(source, key, "'values'")[0]
        table: dict[str, str] = {}
        for code, level in _yaml_mapping(source, value, f"values: {name}"):
            code_text = _yaml_strings(source, code, f"values: {name}")[0]
            level_text = _yaml_strings(source, level, f"values: {name}")[0]
            folded = code_text.strip().casefold()
            table[folded] = level_text
            table.setdefault(to_simplified(folded), level_text)
        values[name] = table
    required = tuple(_yaml_strings(source, _yaml_get(root, "required"), "'required'")) or ("respondent_id",)
    bad_required = [f for f in required if f not in columns and f != "age"]
    if bad_required or "respondent_id" not in columns:
        missing = bad_required or ["respondent_id"]
        raise InputError(f"{source}: required field(s) {', '.join(missing)} have no entry under 'columns'")
    try:
        low, high = (int(v) for v in raw.get("age_range", [18, 110]))
        scales = {str(k): (int(v[0]), int(v[1])) for k, v in (raw.get("scales") or {}).items()}
    except (TypeError, ValueError) as exc:
        raise InputError(f"{source}: 'age_range' and each scale need two whole numbers, e.g. [1, 5] ({exc})") from exc
    return Codebook(
        columns=columns,
        drop=frozenset(_norm(c) for c in _yaml_strings(source, _yaml_get(root, "drop"), "'drop'")),
        values=values,
        required=required,
        age_range=(low, high),
        scales=scales,
        drop_containing=tuple(_norm(c) for c in _yaml_strings(source, _yaml_get(root, "drop_containing"),
                                                               "'drop_containing'")),
    )


class _Scrubber:
    """Replaces the values of a file's identifying columns wherever else they appear.

    Matching is by exact substring, longest first, scanning each text once with a set
    lookup per candidate length, so a file of 10,000 names costs no more than a few.
    """

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = dict(values)
        self.lengths = sorted({len(v) for v in self.values}, reverse=True)
        self.first = {v[0] for v in self.values}

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[int, dict[str, str]]], columns: Sequence[str]) -> _Scrubber:
        values: dict[str, str] = {}
        for column in columns:
            placeholder = _placeholder(column)
            for _, row in rows:
                value = row.get(column, "").strip()
                if len(value) >= 2:
                    values.setdefault(value, placeholder)
        return cls(values)

    def scrub(self, text: str) -> str:
        if not self.values or not text:
            return text
        out: list[str] = []
        i = 0
        while i < len(text):
            if text[i] in self.first:
                for length in self.lengths:
                    chunk = text[i:i + length]
                    if len(chunk) == length and chunk in self.values:
                        out.append(self.values[chunk])
                        i += length
                        break
                else:
                    out.append(text[i])
                    i += 1
            else:
                out.append(text[i])
                i += 1
        return "".join(out)

    def mask(self, text: str) -> str:
        return mask_survey_text(self.scrub(text))


def _placeholder(header: str) -> str:
    key = _norm(header)
    if any(k in key for k in ("电话", "手机", "phone", "mobile", "tel")):
        return "[手机号]"
    if any(k in key for k in ("身份证", "证件", "id")):
        return "[身份证号]"
    if any(k in key for k in ("址", "住", "门牌", "address")):
        return ADDRESS
    return "[姓名]"


def mask_survey_text(text: str) -> str:
    """Mask phone, ID and card numbers (as for crawled text) and street addresses."""
    return _ADDRESS_RE.sub(ADDRESS, mask_pii(text)) if text else text


def _map_columns(path: Path, header: Sequence[str], codebook: Codebook, where: str = "") -> tuple[dict[str, str], set[str]]:
    """Field -> header, and the fields whose header was matched only as a numbered question.

    Headers are compared as written first, for every field, then without the question
    number and question words ("2、请问您的年龄?" -> 年龄), so a plain header always wins
    over a question that merely mentions the same word. A header feeds one field.
    """
    keyed = [(h, _header_keys(h)) for h in header]
    mapping: dict[str, str] = {}
    by_question: set[str] = set()
    for depth in range(4):  # the forms of _header_keys, plainest first
        for name, candidates in codebook.columns.items():
            if name in mapping:
                continue
            for candidate in candidates:
                wanted = set(_header_keys(candidate))
                found = next((h for h, keys in keyed if len(keys) > depth and keys[depth] in wanted
                              and h not in mapping.values()), None)
                if found is not None:
                    mapping[name] = found
                    if _norm(found) not in wanted:
                        by_question.add(name)
                    break
    missing = [f for f in codebook.required if f not in mapping and not (f == "age" and "birth_year" in mapping)]
    if missing:
        wanted_text = "; ".join(f"{f} (one of: {', '.join(codebook.columns.get(f, []))})" for f in missing)
        raise InputError(
            f"{path}: no column for required field(s) {wanted_text}; the header is: {', '.join(header)}"
            f"{where}. Pass a codebook with --codebook that names your columns"
            + (", or --header-row N if the header is on another row" if where else "")
        )
    return {name: mapping[name] for name in codebook.columns if name in mapping}, by_question


# Ages as people answer: 67, 67岁, 45周岁, 25~29岁, 25-29, 60岁以上, 60岁及以上, 60+, 18岁以下, 不满18岁.
_AGE_RE = re.compile(r"^(\d{1,3})(?:\.0+)?(?:周岁|岁)?$")
_AGE_RANGE_RE = re.compile(r"^(\d{1,3})(?:周岁|岁)?(?:-|~|—|–|―|至|到)+(\d{1,3})(?:周岁|岁)?$")
_AGE_UP_RE = re.compile(r"^(?:(?:≥|>=|大于等于)(\d{1,3})(?:周岁|岁)?|(\d{1,3})(?:周岁|岁)?(?:及以上|以上|或以上|及更高|\+))$")
_AGE_DOWN_RE = re.compile(r"^(?:(?:不满|未满|小于|<)(\d{1,3})(?:周岁|岁)?|(\d{1,3})(?:周岁|岁)?(以下|及以下|或以下))$")
_PARENTHESES_RE = re.compile(r"[(（][^)）]*[)）]")
CHOICE_SEPARATOR = "┋"  # how 问卷星 joins the options of a multiple-choice answer


def parse_age(text: str) -> tuple[int, int | None] | None:
    """(lowest, highest) age an answer allows, None for open-ended; None when not an age.

    ``67`` and ``67岁`` give (67, 67); ``25~29岁`` (also with -, —, 至) (25, 29);
    ``60岁以上``, ``60岁及以上`` and ``60+`` (60, None), as statistical tables count 60 in;
    ``18岁以下`` and ``不满18岁`` (0, 17), because an option list that goes on with
    "18~24岁" means under 18; ``18岁及以下`` (0, 18). Notes in parentheses are ignored.
    """
    value = _PARENTHESES_RE.sub("", unicodedata.normalize("NFKC", to_simplified(text)))
    value = re.sub(r"\s+", "", value).replace("～", "~")
    if not value:
        return None
    if match := _AGE_RE.match(value):
        age = int(match.group(1))
        return age, age
    if match := _AGE_RANGE_RE.match(value):
        low, high = int(match.group(1)), int(match.group(2))
        return (low, high) if low <= high else (high, low)
    if match := _AGE_UP_RE.match(value):
        return int(match.group(1) or match.group(2)), None
    if match := _AGE_DOWN_RE.match(value):
        if match.group(1):
            return 0, int(match.group(1)) - 1
        bound = int(match.group(2))
        return 0, bound if match.group(3) in ("及以下", "或以下") else bound - 1
    try:
        age = int(float(value))
    except ValueError:
        return None
    return age, age


def age_text(low: int | None, high: int | None) -> str:
    """An age or age range for people: 67, 25-29, 60+, ≤17."""
    if low is None:
        return ""
    if high == low:
        return str(low)
    if high is None:
        return f"{low}+"
    if low == 0:
        return f"≤{high}"
    return f"{low}-{high}"


def _range_group(low: int, high: int | None, top: int) -> str | None:
    """The age group a range falls inside, or None when it spans two (or leaves the adults)."""
    first, last = age_group(low), age_group(high if high is not None else max(top, low))
    return first if first is not None and first == last else None


_YEAR_RE = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def _year_of(date_text: str) -> int | None:
    match = re.match(r"\s*((?:19|20)\d\d)", date_text)
    return int(match.group(1)) if match else None


def _parse_row(row: Mapping[str, str], mapping: Mapping[str, str], codebook: Codebook, interview_year: int,
               epoch: date = EXCEL_EPOCH, by_question: frozenset[str] = frozenset(),
               multi_choice: bool = False) -> dict[str, Any]:
    """One validated respondent; :class:`_Bad` with the reason otherwise.

    ``multi_choice``: the free-text column holds multiple-choice answers, split into
    ``choices`` (one choice is a list of one).
    """
    def cell(name: str) -> str:
        return row.get(mapping[name], "").strip() if name in mapping else ""

    def label(name: str) -> str:
        return mapping.get(name, name)

    rid = cell("respondent_id")
    if not rid:
        raise _Bad("missing field", f"{label('respondent_id')} is blank (every respondent needs an id)")
    sex_raw = cell("sex")
    sex = codebook.code("sex", sex_raw)
    if sex is None:
        codes = "/".join(dict.fromkeys(codebook.values.get("sex", {})))
        kind = "missing field" if not sex_raw else "unknown code"
        raise _Bad(kind, f"{label('sex')} {sex_raw!r} is not a known code (expected one of {codes})")
    interview = read_date(cell("interview_date"), epoch)
    age_raw = cell("age")
    low, high = codebook.age_range
    bounds: tuple[int, int | None] | None = None
    mapped = codebook.code("age", age_raw) if age_raw else None
    if age_raw:
        bounds = parse_age(mapped or age_raw)
        if bounds is None:
            raise _Bad("impossible age", f"{label('age')} {age_raw!r} is not a number or an age range "
                                         "(e.g. 67, 67岁, 25~29岁, 60岁以上)")
    elif cell("birth_year"):
        born = _YEAR_RE.search(unicodedata.normalize("NFKC", cell("birth_year")))
        if born is None:
            raise _Bad("impossible age", f"{label('birth_year')} {cell('birth_year')!r} is not a year")
        year = interview.year if interview else (_year_of(cell("interview_date")) or interview_year)
        age = year - int(born.group(1))
        bounds = (age, age)
    if bounds is None:
        raise _Bad("missing field", f"{label('age')} is blank (needed to weight the respondent)")
    age_lo, age_hi = bounds
    if (age_hi is not None and age_hi < low) or age_lo > high:
        shown = (f"{age_raw} ({mapped})" if mapped else age_raw) or f"{cell('birth_year')} (age {age_lo})"
        hint = ""
        if age_raw and "age" in by_question and age_hi == age_lo and age_lo < low:
            hint = (" (a numeric-code export? export the answers as text, or map the option numbers under "
                    "values: age: in a codebook)")
        raise _Bad("impossible age", f"{label('age' if age_raw else 'birth_year')} {shown!r} is outside {low}-{high}{hint}")
    if age_hi == age_lo:
        group = age_group(age_lo)
    else:
        group = _range_group(age_lo, age_hi, high) if age_lo >= low else None
    urban_raw = cell("urban")
    urban = codebook.code("urban", urban_raw) if urban_raw else None
    if urban_raw and urban is None:
        codes = "/".join(dict.fromkeys(codebook.values.get("urban", {})))
        raise _Bad("unknown code", f"{label('urban')} {urban_raw!r} is not a known code (expected one of {codes})")
    items: dict[str, int] = {}
    for scale, (lo, hi) in codebook.scales.items():
        value = cell(scale)
        if not value:
            continue
        try:
            number = int(float(value))
        except ValueError:
            raise _Bad("out of range", f"{label(scale)} {value!r} is not a number ({lo}-{hi})") from None
        if not lo <= number <= hi:
            raise _Bad("out of range", f"{label(scale)} {value!r} is outside {lo}-{hi}")
        items[scale] = number
    weight_raw = cell("design_weight")
    try:
        weight = float(weight_raw) if weight_raw else 1.0
    except ValueError:
        raise _Bad("bad weight", f"{label('design_weight')} {weight_raw!r} is not a number") from None
    if not weight > 0:
        raise _Bad("bad weight", f"{label('design_weight')} {weight_raw!r} must be positive")
    text = cell("text")
    choices = [c.strip() for c in text.split(CHOICE_SEPARATOR) if c.strip()] if multi_choice and text else None
    if choices is not None:
        # One clause per choice: the topic negation rule must not run from one option into the next.
        text = "；".join(choices)
    region, place = to_simplified(cell("region")), to_simplified(cell("place"))
    exact = age_lo if age_hi == age_lo else None
    if exact is not None and not age_raw:
        # From a birth year: the age reached this year, which the age group follows (as it
        # always has here); the completed age is that or one less, by the unknown birthday.
        age_lo = exact - 1
    return {
        "respondent_id": rid, "region": region or None, "place": place or None,
        "sex": sex, "age_group": group, "urban": urban,
        "cluster": to_simplified(cell("cluster")) or place or None, "stratum": to_simplified(cell("stratum")) or None,
        "design_weight": weight,
        "text": text or None, "items": items,
        "age": exact, "age_lo": age_lo, "age_hi": age_hi,
        "interview_date": interview.isoformat() if interview else None, "choices": choices,
    }


# What the store keeps of a record; the rest (age, dates, choices) is shown by check only.
_STORED = frozenset({
    "region", "place", "sex", "age_group", "urban", "cluster", "stratum", "design_weight", "text", "items",
})


@dataclass
class _Parsed:
    table: SurveyTable
    mapping: dict[str, str]
    dropped: list[str]
    unused: list[str]
    valid: list[tuple[int, dict[str, Any]]]
    rejected: list[Rejected]
    notes: dict[str, int]


def _validate(
    path: Path, codebook: Codebook, urban_of_place: Mapping[str, str] | None,
    region_of_place: Mapping[str, str] | None, interview_year: int | None,
    sheet: str | int | None = None, header_row: int | None = None,
) -> _Parsed:
    """Read and validate every row; nothing identifying survives in what is returned."""
    table = read_table(path, expect=codebook.knows, sheet=sheet, header_row=header_row)
    where = f" (found on {table.header_where})" if table.header_row != 1 or table.sheet is not None else ""
    mapping, by_question = _map_columns(path, table.header, codebook, where)
    used = set(mapping.values())
    dropped = [h for h in table.header if h not in used and codebook.identifying(h)]
    unused = [h for h in table.header if h not in used and h not in dropped]
    scrubber = _Scrubber.from_rows(table.rows, dropped)
    year = interview_year or datetime.now(UTC).year
    text_header = mapping.get("text")
    # A multiple-choice question: so headed ("（多选）"), or some answer joins several options.
    multi_choice = text_header is not None and (
        "多选" in text_header or any(CHOICE_SEPARATOR in row.get(text_header, "") for _, row in table.rows))
    valid: list[tuple[int, dict[str, Any]]] = []
    rejected: list[Rejected] = []
    notes: Counter[str] = Counter()
    seen: dict[str, int] = {}
    for line, row in table.rows:
        if "__error__" in row:
            rejected.append(Rejected(line, row["__error__"], {}, "field count"))
            continue
        try:
            record = _parse_row(row, mapping, codebook, year, table.epoch, frozenset(by_question), multi_choice)
            rid = record["respondent_id"]
            if rid in seen:
                raise _Bad("duplicate id", f"{mapping['respondent_id']} {rid!r} repeats line {seen[rid]}")
        except _Bad as bad:
            public = {h: scrubber.mask(v) for h, v in row.items() if h not in dropped}
            rejected.append(Rejected(line, scrubber.mask(bad.reason), public, bad.kind))
            continue
        seen[rid] = line
        place = record["place"]
        if record["urban"] is None and urban_of_place and place:
            record["urban"] = urban_of_place.get(place)
        if record["region"] is None and region_of_place and place:
            record["region"] = region_of_place.get(place)
        record["text"] = scrubber.mask(record["text"]) if record["text"] else None
        if record["choices"]:
            record["choices"] = [scrubber.mask(c) for c in record["choices"]]
        if record["age_group"] is None:
            notes["age range not inside one age group (age group left unknown)"] += 1
        if "stratum" in mapping and not record["stratum"]:
            # merged cells exported from Excel leave the rows below the first one blank
            notes["stratum blank (taken as one more stratum; fill it in if cells were merged)"] += 1
        if cell_text := row.get(mapping.get("interview_date", ""), "").strip():
            if record["interview_date"] is None and cell_text.casefold() not in ("null", "n/a", "-"):
                notes["interview date not read as a date (left blank)"] += 1
        valid.append((line, record))
    return _Parsed(table, mapping, dropped, unused, valid, rejected, dict(notes))


def check_survey(
    path: str | Path, *, codebook: Codebook | None = None, urban_of_place: Mapping[str, str] | None = None,
    region_of_place: Mapping[str, str] | None = None, interview_year: int | None = None, preview: int = 5,
    sheet: str | int | None = None, header_row: int | None = None,
) -> SurveyCheck:
    """How ``path`` would be read and validated; touches no store.

    ``sheet`` (name, or number from 1) and ``header_row`` (line or sheet row) say where
    the data is when the reader would not find it (see :func:`read_table`).
    """
    path = Path(path)
    parsed = _validate(path, codebook or load_codebook(), urban_of_place, region_of_place, interview_year,
                       sheet, header_row)
    rows = []
    for line, record in parsed.valid[:preview]:
        shown = {k: v for k, v in record.items() if k in _STORED and k != "items"}
        exact = record["age"]
        shown["age"] = str(exact) if exact is not None else age_text(record["age_lo"], record["age_hi"])
        shown["interview_date"] = record["interview_date"]
        rows.append({"line": line, **shown, **record["items"]})
    table = parsed.table
    return SurveyCheck(
        file=str(path), encoding=table.encoding, layout=table.layout, mapping=parsed.mapping,
        dropped_columns=parsed.dropped, unused_columns=parsed.unused, rows_read=len(table.rows),
        rows_valid=len(parsed.valid), rejected=parsed.rejected, preview=rows, header_where=table.header_where,
        skipped_above=[mask_survey_text(a) for a in table.above], sheets=table.sheets, notes=parsed.notes,
        records=[(line, {k: v for k, v in r.items() if k != "items"} | r["items"]) for line, r in parsed.valid],
    )


def _same_person(earlier: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    if earlier["sex"] != record["sex"] or earlier["age_group"] != record["age_group"]:
        return False
    for key in ("place", "region"):  # the village when both files name it, else the town
        if earlier[key] and record[key]:
            return bool(earlier[key] == record[key])
    return True


def import_survey(
    store: Store,
    path: str | Path,
    *,
    codebook: Codebook | None = None,
    wave: str | None = None,
    urban_of_place: Mapping[str, str] | None = None,
    region_of_place: Mapping[str, str] | None = None,
    interview_year: int | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
) -> ImportSummary:
    """Validate and store one survey file (CSV, .xlsx or .xls) in one transaction.

    Rejected rows are returned, never stored; when no row is valid nothing is stored and
    ``rows_valid`` is 0. ``urban_of_place`` / ``region_of_place`` map a village or
    community name to ``urban``/``rural`` and to its town, for files without those
    columns. ``sheet`` and ``header_row`` say where the data is (see :func:`check_survey`).
    Importing the same file (by content hash; for a workbook of several sheets, the same
    sheet of it) twice adds nothing; a respondent already stored from another file is
    reported in ``duplicates`` and not stored again. The store keeps the age group, not
    the age or age range, and the free text as written (a multiple-choice answer with
    its choices joined by "；").
    """
    path = Path(path)
    parsed = _validate(path, codebook or load_codebook(), urban_of_place, region_of_place, interview_year,
                       sheet, header_row)
    digest = hashlib.sha256(path.read_bytes())
    if len(parsed.table.sheets) > 1:  # each sheet of a workbook is a file of its own
        digest.update(f"\0sheet:{parsed.table.sheet}".encode())
    file_hash = digest.hexdigest()
    summary = ImportSummary(
        file=str(path), encoding=parsed.table.encoding, rows_read=len(parsed.table.rows), rows_valid=0,
        rejected=parsed.rejected, dropped_columns=parsed.dropped, wave=wave, layout=parsed.table.layout,
        header_where=parsed.table.header_where, notes=parsed.notes,
    )
    key = workspace_key(store.key_path)
    for _, record in parsed.valid:
        record["id_key"] = pseudonym(key, f"survey:{record['respondent_id']}", prefix="r")

    with store.engine.begin() as conn:
        if conn.execute(sa.select(survey_imports.c.id).where(survey_imports.c.file_hash == file_hash)).first():
            summary.already_imported = True
            summary.rejected = []
            return summary
        earlier = _earlier_respondents(conn, [r["id_key"] for _, r in parsed.valid])
        fresh = []
        for line, record in parsed.valid:
            matches = earlier.get(record["id_key"], [])
            same = next((m for m in matches if _same_person(m, record)), None)
            if same is not None:
                wave_note = f", wave {same['wave']}" if same["wave"] else ""
                summary.duplicates.append(Rejected(
                    line, f"same respondent as already imported from {same['file_name']}{wave_note} "
                          "(same id, sex, age group and place); not stored again", {}, "same respondent"))
                continue
            if matches:
                summary.reused_ids += 1
                respondent = pseudonym(key, f"survey:{record['respondent_id']}:{file_hash}", prefix="r")
            else:
                respondent = record["id_key"]
            fresh.append({
                **{k: v for k, v in record.items() if k in _STORED},
                # the ages the answer allows, placed in the margins' age bands when voices are assembled
                "age_lo": record["age_lo"], "age_hi": record["age_hi"],
                "respondent": respondent, "items": dumps(record["items"]), "wave": wave,
                "id_key": record["id_key"],
            })
        if not fresh:
            return summary  # nothing stored; the caller reports the rejects
        import_key = conn.execute(survey_imports.insert().values(
            file_name=path.name, file_hash=file_hash, wave=wave, encoding=parsed.table.encoding,
            rows_read=summary.rows_read, rows_valid=len(fresh),
            rows_rejected=len(summary.rejected) + len(summary.duplicates),
            imported_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )).inserted_primary_key
        assert import_key is not None, "a single-row insert has a primary key"
        import_id = import_key[0]
        conn.execute(respondents.insert(), [{**r, "import_id": import_id} for r in fresh])
    summary.rows_valid = len(fresh)
    log.info("imported %s: %d valid, %d rejected, %d already imported from other files",
             path, summary.rows_valid, len(summary.rejected), len(summary.duplicates))
    return summary


def _earlier_respondents(conn: sa.Connection, id_keys: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    wanted = sorted(set(id_keys))
    for start in range(0, len(wanted), 500):
        query = (
            sa.select(respondents.c.id_key, respondents.c.sex, respondents.c.age_group, respondents.c.place,
                      respondents.c.region, respondents.c.wave, survey_imports.c.file_name)
            .join(survey_imports, survey_imports.c.id == respondents.c.import_id)
            .where(respondents.c.id_key.in_(wanted[start:start + 500]))
        )
        for row in conn.execute(query).mappings():
            found.setdefault(row["id_key"], []).append(dict(row))
    return found


def write_rejects(summary: ImportSummary, path: str | Path) -> Path:
    """Rejected rows and duplicates with line number and reason (identifying columns never included)."""
    out = Path(path)
    entries = sorted([*summary.rejected, *summary.duplicates], key=lambda r: r.line)
    columns: list[str] = []
    for rejected in entries:
        columns.extend(c for c in rejected.row if c not in columns)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["line", "reason", *columns])
        for rejected in entries:
            writer.writerow([rejected.line, rejected.reason, *(rejected.row.get(c, "") for c in columns)])
    return out
