"""Door-to-door survey import: files as field teams hand them over, into the store.

Every row is validated; bad rows are kept out and written to a rejects file with their
line number and reason; valid rows are stored in one transaction. Columns that identify a
person (name, phone, ID number, address) are read, never stored and never written out;
their values are also scrubbed from free text and from every other cell that is kept, so a
name typed into the comments is caught too. Free text is PII-masked like crawled text, and
respondent ids become keyed pseudonyms.

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
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from opinion.attributes import age_group
from opinion.errors import InputError
from opinion.files.resources import data_file
from opinion.files.tables import SurveyTable, read_table
from opinion.store.db import Store, dumps, respondents, survey_imports
from opinion.store.privacy import pseudonym, workspace_key
from opinion.text.masking import mask_pii

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
        key = _norm(header)
        return key in self.drop or any(part in key for part in self.drop_containing)

    def code(self, name: str, raw: str) -> str | None:
        return self.values.get(name, {}).get(raw.strip().casefold())


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


@dataclass
class SurveyCheck:
    """How a file would be read, without storing anything."""

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

    @property
    def reject_counts(self) -> dict[str, int]:
        return dict(Counter(r.kind for r in self.rejected).most_common())


class _Bad(Exception):
    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind, self.reason = kind, reason


def load_codebook(path: str | Path | None = None) -> Codebook:
    """The shipped codebook, or a user's; a wrong codebook is an :class:`InputError` naming it."""
    source = Path(path) if path else DEFAULT_CODEBOOK
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise InputError(f"{source}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: a codebook must be a UTF-8 YAML file ({exc.reason})") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("columns"), dict):
        raise InputError(f"{source}: a codebook needs a 'columns' mapping (field -> list of headers)")
    unknown = sorted(set(raw["columns"]) - set(FIELDS))
    if unknown:
        raise InputError(f"{source}: unknown field(s) {', '.join(unknown)} under 'columns' (known: {', '.join(FIELDS)})")
    values = raw.get("values") or {}
    if not isinstance(values, dict) or not all(isinstance(v, dict) or v is None for v in values.values()):
        raise InputError(f"{source}: 'values' must map a field to {{code: level}}, e.g. sex: {{男: male}}")
    required = tuple(raw.get("required") or ("respondent_id",))
    bad_required = [f for f in required if f not in raw["columns"] and f != "age"]
    if bad_required or "respondent_id" not in raw["columns"]:
        missing = bad_required or ["respondent_id"]
        raise InputError(f"{source}: required field(s) {', '.join(missing)} have no entry under 'columns'")
    try:
        low, high = (int(v) for v in raw.get("age_range", [18, 110]))
        scales = {str(k): (int(v[0]), int(v[1])) for k, v in (raw.get("scales") or {}).items()}
    except (TypeError, ValueError) as exc:
        raise InputError(f"{source}: 'age_range' and each scale need two whole numbers, e.g. [1, 5] ({exc})") from exc
    return Codebook(
        columns={k: [str(h) for h in (v if isinstance(v, list) else [v])] for k, v in raw["columns"].items()},
        drop=frozenset(_norm(str(c)) for c in raw.get("drop") or []),
        values={k: {str(a).strip().casefold(): str(b) for a, b in (v or {}).items()} for k, v in values.items()},
        required=required,
        age_range=(low, high),
        scales=scales,
        drop_containing=tuple(_norm(str(c)) for c in raw.get("drop_containing") or []),
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


def _map_columns(path: Path, header: Sequence[str], codebook: Codebook) -> dict[str, str]:
    by_norm = {_norm(h): h for h in reversed(header)}  # first of two equal headers wins
    mapping: dict[str, str] = {}
    for name, candidates in codebook.columns.items():
        for candidate in candidates:
            if _norm(candidate) in by_norm:
                mapping[name] = by_norm[_norm(candidate)]
                break
    missing = [f for f in codebook.required if f not in mapping and not (f == "age" and "birth_year" in mapping)]
    if missing:
        wanted = "; ".join(f"{f} (one of: {', '.join(codebook.columns.get(f, []))})" for f in missing)
        raise InputError(
            f"{path}: no column for required field(s) {wanted}; the header is: {', '.join(header)}. "
            "Pass a codebook with --codebook that names your columns"
        )
    return mapping


def _year_of(date_text: str) -> int | None:
    match = re.match(r"\s*((?:19|20)\d\d)", date_text)
    return int(match.group(1)) if match else None


def _parse_row(row: Mapping[str, str], mapping: Mapping[str, str], codebook: Codebook, interview_year: int) -> dict[str, Any]:
    """One validated respondent; :class:`_Bad` with the reason otherwise."""
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
        codes = "/".join(codebook.values.get("sex", {}))
        kind = "missing field" if not sex_raw else "unknown code"
        raise _Bad(kind, f"{label('sex')} {sex_raw!r} is not a known code (expected one of {codes})")
    age_raw, age = cell("age"), None
    if age_raw:
        try:
            age = int(float(age_raw))
        except ValueError:
            raise _Bad("impossible age", f"{label('age')} {age_raw!r} is not a number") from None
    elif cell("birth_year"):
        try:
            year = _year_of(cell("interview_date")) or interview_year
            age = year - int(float(cell("birth_year")))
        except ValueError:
            raise _Bad("impossible age", f"{label('birth_year')} {cell('birth_year')!r} is not a year") from None
    if age is None:
        raise _Bad("missing field", f"{label('age')} is blank (needed to weight the respondent)")
    low, high = codebook.age_range
    if not low <= age <= high:
        shown = age_raw or f"{cell('birth_year')} (age {age})"
        raise _Bad("impossible age", f"{label('age' if age_raw else 'birth_year')} {shown!r} is outside {low}-{high}")
    urban_raw = cell("urban")
    urban = codebook.code("urban", urban_raw) if urban_raw else None
    if urban_raw and urban is None:
        codes = "/".join(codebook.values.get("urban", {}))
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
    return {
        "respondent_id": rid, "region": cell("region") or None, "place": cell("place") or None,
        "sex": sex, "age_group": age_group(age), "urban": urban,
        "cluster": cell("cluster") or cell("place") or None, "design_weight": weight,
        "text": cell("text") or None, "items": items,
    }


@dataclass
class _Parsed:
    table: SurveyTable
    mapping: dict[str, str]
    dropped: list[str]
    unused: list[str]
    valid: list[tuple[int, dict[str, Any]]]
    rejected: list[Rejected]


def _validate(
    path: Path, codebook: Codebook, urban_of_place: Mapping[str, str] | None,
    region_of_place: Mapping[str, str] | None, interview_year: int | None,
) -> _Parsed:
    """Read and validate every row; nothing identifying survives in what is returned."""
    table = read_table(path)
    mapping = _map_columns(path, table.header, codebook)
    used = set(mapping.values())
    dropped = [h for h in table.header if h not in used and codebook.identifying(h)]
    unused = [h for h in table.header if h not in used and h not in dropped]
    scrubber = _Scrubber.from_rows(table.rows, dropped)
    year = interview_year or datetime.now(UTC).year
    valid: list[tuple[int, dict[str, Any]]] = []
    rejected: list[Rejected] = []
    seen: dict[str, int] = {}
    for line, row in table.rows:
        if "__error__" in row:
            rejected.append(Rejected(line, row["__error__"], {}, "field count"))
            continue
        try:
            record = _parse_row(row, mapping, codebook, year)
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
        valid.append((line, record))
    return _Parsed(table, mapping, dropped, unused, valid, rejected)


def check_survey(
    path: str | Path, *, codebook: Codebook | None = None, urban_of_place: Mapping[str, str] | None = None,
    region_of_place: Mapping[str, str] | None = None, interview_year: int | None = None, preview: int = 5,
) -> SurveyCheck:
    """How ``path`` would be read and validated; touches no store."""
    path = Path(path)
    parsed = _validate(path, codebook or load_codebook(), urban_of_place, region_of_place, interview_year)
    rows = []
    for line, record in parsed.valid[:preview]:
        shown = {k: v for k, v in record.items() if k not in ("respondent_id", "items")}
        rows.append({"line": line, **shown, **record["items"]})
    return SurveyCheck(
        file=str(path), encoding=parsed.table.encoding, layout=parsed.table.layout, mapping=parsed.mapping,
        dropped_columns=parsed.dropped, unused_columns=parsed.unused, rows_read=len(parsed.table.rows),
        rows_valid=len(parsed.valid), rejected=parsed.rejected, preview=rows,
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
) -> ImportSummary:
    """Validate and store one survey file (CSV or .xlsx) in one transaction.

    Rejected rows are returned, never stored; when no row is valid nothing is stored and
    ``rows_valid`` is 0. ``urban_of_place`` / ``region_of_place`` map a village or
    community name to ``urban``/``rural`` and to its town, for files without those
    columns. Importing the same file (by content hash) twice adds nothing; a respondent
    already stored from another file is reported in ``duplicates`` and not stored again.
    """
    path = Path(path)
    parsed = _validate(path, codebook or load_codebook(), urban_of_place, region_of_place, interview_year)
    file_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    summary = ImportSummary(
        file=str(path), encoding=parsed.table.encoding, rows_read=len(parsed.table.rows), rows_valid=0,
        rejected=parsed.rejected, dropped_columns=parsed.dropped, wave=wave, layout=parsed.table.layout,
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
                **{k: v for k, v in record.items() if k != "respondent_id"},
                "respondent": respondent, "items": dumps(record["items"]), "wave": wave,
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
