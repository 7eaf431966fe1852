"""Door-to-door survey import: files as field teams hand them over, into the store.

Every row is validated; bad rows are kept out and written to a rejects file with their
line number and reason; valid rows are stored in one transaction. Columns that identify a
person (name, phone, ID number, address) are read, never stored and never written out;
free text is PII-masked; respondent ids become keyed pseudonyms.
"""
from __future__ import annotations

import csv
import hashlib
import io
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import charset_normalizer
import sqlalchemy as sa
import yaml

from opinion.attributes import age_group
from opinion.errors import InputError
from opinion.masking import mask_pii
from opinion.privacy import pseudonym, workspace_key
from opinion.store import Store, dumps, respondents, survey_imports

log = logging.getLogger(__name__)

DEFAULT_CODEBOOK = Path(__file__).resolve().parents[1] / "data" / "codebook.yaml"
FIELDS = (
    "respondent_id", "region", "place", "sex", "age", "birth_year", "urban", "text",
    "satisfaction", "cluster", "stratum", "design_weight", "interviewer", "interview_date",
)
CANDIDATE_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class Codebook:
    columns: Mapping[str, Sequence[str]]
    drop: frozenset[str]
    values: Mapping[str, Mapping[str, str]]
    required: tuple[str, ...]
    age_range: tuple[int, int]
    scales: Mapping[str, tuple[int, int]]


@dataclass
class Rejected:
    line: int
    reason: str
    row: dict[str, str]


@dataclass
class ImportSummary:
    file: str
    encoding: str
    rows_read: int
    rows_valid: int
    rejected: list[Rejected] = field(default_factory=list)
    already_imported: bool = False
    dropped_columns: list[str] = field(default_factory=list)


def load_codebook(path: str | Path | None = None) -> Codebook:
    source = Path(path) if path else DEFAULT_CODEBOOK
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise InputError(f"{source}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("columns"), dict):
        raise InputError(f"{source}: a codebook needs a 'columns' mapping (field -> list of headers)")
    unknown = sorted(set(raw["columns"]) - set(FIELDS))
    if unknown:
        raise InputError(f"{source}: unknown field(s) {', '.join(unknown)} under 'columns' (known: {', '.join(FIELDS)})")
    columns = {k: [str(h) for h in (v if isinstance(v, list) else [v])] for k, v in raw["columns"].items()}
    values = {k: {str(a): str(b) for a, b in (v or {}).items()} for k, v in (raw.get("values") or {}).items()}
    low, high = raw.get("age_range", [18, 110])
    scales = {k: (int(v[0]), int(v[1])) for k, v in (raw.get("scales") or {}).items()}
    return Codebook(
        columns=columns,
        drop=frozenset(str(c) for c in raw.get("drop") or []),
        values=values,
        required=tuple(raw.get("required") or ("respondent_id",)),
        age_range=(int(low), int(high)),
        scales=scales,
    )


def decode_file(path: Path) -> tuple[str, str]:
    """Read a text file in whatever encoding a field team used; return (text, encoding)."""
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{path}: the file is empty; expected a CSV with a header row")
    if b"\x00" in data[:4096]:
        raise InputError(f"{path}: looks like a binary file, not a CSV (Excel files: save as CSV first)")
    for encoding in CANDIDATE_ENCODINGS:
        try:
            return data.decode(encoding), ("gbk/gb18030" if encoding == "gb18030" else encoding)
        except UnicodeDecodeError:
            continue
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise InputError(f"{path}: cannot tell the text encoding; save the file as UTF-8 and try again")
    return str(best), best.encoding


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]], str]:
    """Header, (line number, row) pairs and encoding of a delimited file."""
    text, encoding = decode_file(path)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError(f"{path}: the file is empty; expected a CSV with a header row") from None
    rows: list[tuple[int, dict[str, str]]] = []
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        line = reader.line_num
        if len(record) != len(header):
            rows.append((line, {"__error__": f"has {len(record)} fields, the header has {len(header)}"}))
            continue
        rows.append((line, {h: cell.strip() for h, cell in zip(header, record)}))
    return header, rows, encoding


def _map_columns(path: Path, header: Sequence[str], codebook: Codebook) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for name, candidates in codebook.columns.items():
        for candidate in candidates:
            if candidate in header:
                mapping[name] = candidate
                break
    missing = [f for f in codebook.required if f not in mapping]
    if missing:
        wanted = "; ".join(f"{f} (one of: {', '.join(codebook.columns.get(f, []))})" for f in missing)
        raise InputError(
            f"{path}: no column for required field(s) {wanted}; the header is: {', '.join(header)}. "
            "Pass a codebook with --codebook that names your columns"
        )
    return mapping


def _parse_row(
    row: Mapping[str, str], mapping: Mapping[str, str], codebook: Codebook, interview_year: int
) -> tuple[dict[str, Any] | None, str | None]:
    """One validated respondent, or the reason it was rejected."""
    def cell(name: str) -> str:
        return row.get(mapping[name], "").strip() if name in mapping else ""

    rid = cell("respondent_id")
    if not rid:
        return None, f"{mapping['respondent_id']} is blank (every respondent needs an id)"
    sex_raw = cell("sex")
    sex = codebook.values.get("sex", {}).get(sex_raw)
    if sex is None:
        codes = "/".join(codebook.values.get("sex", {}))
        return None, f"{mapping.get('sex', 'sex')} {sex_raw!r} is not a known code (expected one of {codes})"
    age_raw, age = cell("age"), None
    if age_raw:
        try:
            age = int(float(age_raw))
        except ValueError:
            return None, f"{mapping['age']} {age_raw!r} is not a number"
    elif cell("birth_year"):
        try:
            age = interview_year - int(cell("birth_year"))
        except ValueError:
            return None, f"{mapping['birth_year']} {cell('birth_year')!r} is not a year"
    if age is None:
        return None, f"{mapping.get('age', 'age')} is blank (needed to weight the respondent)"
    low, high = codebook.age_range
    if not low <= age <= high:
        return None, f"{mapping.get('age', 'age')} {age_raw!r} is outside {low}-{high}"
    urban_raw = cell("urban")
    urban = codebook.values.get("urban", {}).get(urban_raw) if urban_raw else None
    if urban_raw and urban is None:
        return None, f"{mapping['urban']} {urban_raw!r} is not a known code (expected one of {'/'.join(codebook.values.get('urban', {}))})"
    items: dict[str, int] = {}
    for scale, (lo, hi) in codebook.scales.items():
        value = cell(scale)
        if not value:
            continue
        try:
            number = int(float(value))
        except ValueError:
            return None, f"{mapping[scale]} {value!r} is not a number ({lo}-{hi})"
        if not lo <= number <= hi:
            return None, f"{mapping[scale]} {value!r} is outside {lo}-{hi}"
        items[scale] = number
    weight_raw = cell("design_weight")
    try:
        weight = float(weight_raw) if weight_raw else 1.0
    except ValueError:
        return None, f"{mapping['design_weight']} {weight_raw!r} is not a number"
    if weight <= 0:
        return None, f"{mapping['design_weight']} {weight_raw!r} must be positive"
    return {
        "respondent_id": rid,
        "region": cell("region") or None,
        "place": cell("place") or None,
        "sex": sex,
        "age_group": age_group(age),
        "urban": urban,
        "cluster": cell("cluster") or cell("place") or None,
        "design_weight": weight,
        "text": mask_pii(cell("text")) if cell("text") else None,
        "items": items,
    }, None


def import_survey(
    store: Store,
    path: str | Path,
    *,
    codebook: Codebook | None = None,
    wave: str | None = None,
    urban_of_place: Mapping[str, str] | None = None,
    interview_year: int | None = None,
) -> ImportSummary:
    """Validate and store one survey file; rejected rows are returned, never stored.

    When no row is valid nothing is stored and ``rows_valid`` is 0.
    ``urban_of_place`` maps a village/community name to ``urban``/``rural`` for files that
    have no 城乡 column. Importing the same file (by content hash) twice adds nothing.
    """
    path = Path(path)
    codebook = codebook or load_codebook()
    header, rows, encoding = read_rows(path)
    mapping = _map_columns(path, header, codebook)
    dropped = [h for h in header if h in codebook.drop]
    file_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    summary = ImportSummary(file=str(path), encoding=encoding, rows_read=len(rows), rows_valid=0, dropped_columns=dropped)
    year = interview_year or datetime.now(timezone.utc).year
    key = workspace_key(store.key_path)

    valid: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        public = {h: v for h, v in row.items() if h not in codebook.drop}
        if "__error__" in row:
            summary.rejected.append(Rejected(line, row["__error__"], {}))
            continue
        record, reason = _parse_row(row, mapping, codebook, year)
        if record is not None and record["respondent_id"] in seen:
            reason = f"{mapping['respondent_id']} {record['respondent_id']!r} repeats line {seen[record['respondent_id']]}"
            record = None
        if record is None:
            summary.rejected.append(Rejected(line, reason or "invalid", _masked(public)))
            continue
        seen[record["respondent_id"]] = line
        if record["urban"] is None and urban_of_place and record["place"]:
            record["urban"] = urban_of_place.get(record["place"])
        record["respondent"] = pseudonym(key, f"survey:{record.pop('respondent_id')}", prefix="r")
        record["items"] = dumps(record["items"])
        record["_line"] = line
        valid.append(record)

    with store.engine.begin() as conn:
        if conn.execute(sa.select(survey_imports.c.id).where(survey_imports.c.file_hash == file_hash)).first():
            summary.already_imported = True
            summary.rejected = []
            return summary
        existing = {
            r[0] for r in conn.execute(
                sa.select(respondents.c.respondent).where(respondents.c.respondent.in_([v["respondent"] for v in valid]))
            )
        } if valid else set()
        fresh = []
        for record in valid:
            line = record.pop("_line")
            if record["respondent"] in existing:
                summary.rejected.append(Rejected(line, "respondent already imported from another file", {}))
            else:
                record.pop("place", None)
                fresh.append(record)
        if not fresh:
            summary.rejected.sort(key=lambda r: r.line)
            return summary  # nothing stored; the caller reports the rejects
        import_id = conn.execute(survey_imports.insert().values(
            file_name=path.name, file_hash=file_hash, wave=wave, encoding=encoding,
            rows_read=len(rows), rows_valid=len(fresh), rows_rejected=len(summary.rejected),
            imported_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )).inserted_primary_key[0]
        conn.execute(respondents.insert(), [{**r, "import_id": import_id} for r in fresh])
    summary.rows_valid = len(fresh)
    summary.rejected.sort(key=lambda r: r.line)
    log.info("imported %s: %d valid, %d rejected", path, summary.rows_valid, len(summary.rejected))
    return summary


def _masked(row: Mapping[str, str]) -> dict[str, str]:
    return {k: mask_pii(v) for k, v in row.items()}


def write_rejects(summary: ImportSummary, path: str | Path) -> Path:
    """Rejected rows with line number and reason (identifying columns never included)."""
    out = Path(path)
    columns: list[str] = []
    for rejected in summary.rejected:
        columns.extend(c for c in rejected.row if c not in columns)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["line", "reason", *columns])
        for rejected in summary.rejected:
            writer.writerow([rejected.line, rejected.reason, *(rejected.row.get(c, "") for c in columns)])
    return out
