"""Documents roll up to voices: one online author, or one survey respondent, speaks once.

Attributes come with their provenance. Site metadata (a forum profile, the place a
letter board shows) outranks cues found in the text; values that disagree leave the
attribute unknown, and unknown is a value, never silently dropped.
"""
from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
import sqlalchemy as sa

from opinion.attributes import AGE_GROUPS, ATTRIBUTES, UNKNOWN, age_group
from opinion.store.db import Store, documents, dumps, respondents, store_cues, stored_cues
from opinion.text.cues import (
    Gazetteer,
    cue_age_range,
    cue_config,
    cue_from_record,
    cue_record,
    read_cues,
    resolve_cues,
)
from opinion.text.segment import normalize
from weighting import Margins
from weighting.bands import Bands, parse_band
from weighting.errors import WeightingError
from weighting.joint import complete_joint

log = logging.getLogger(__name__)

# Documents the administration itself publishes (a JCMS article) are not anyone's voice.
NOT_VOICES = ("article",)

VOICE_COLUMNS = [
    "voice", "source", "region", "urban", "age_group", "sex",
    "prov_region", "prov_urban", "prov_age_group", "prov_sex",
    "n_documents", "sites", "texts", "cluster", "design_weight", "items", "cues", "age_lo", "age_hi",
    "stratum",
]
# ``age_lo``/``age_hi``: the ages a voice's age evidence allows (completed years, NaN ``age_hi``
# with a known ``age_lo`` for "and over", both NaN unknown); ``age_group`` is placed from
# them in the margins' own age bands (:func:`place_ages`).
DEFAULT_BANDS = Bands.from_labels(AGE_GROUPS)


def _agreed(values: set[Any]) -> tuple[Any, bool]:
    """The single value all documents agree on; (None, True) when they conflict."""
    values = {v for v in values if v not in (None, "", UNKNOWN)}
    if len(values) == 1:
        return next(iter(values)), False
    return None, len(values) > 1


def _site_attributes(rows: list[dict[str, Any]], gazetteer: Gazetteer | None) -> tuple[dict[str, Any], list[str]]:
    seen: dict[str, set[Any]] = defaultdict(set)
    for attributes in rows:
        for name, entry in attributes.items():
            value = entry.get("value") if isinstance(entry, dict) else entry
            seen[name].add(value)
    found: dict[str, Any] = {}
    conflicts: list[str] = []
    for name in ("region", "place", "sex", "age", "age_group", "urban"):
        value, conflict = _agreed(seen.get(name, set()))
        if conflict:
            conflicts.append(name)
        elif value is not None:
            found[name] = value
    if "age_group" not in found and isinstance(found.get("age"), (int, float)):
        group = age_group(int(found["age"]))
        if group:
            found["age_group"] = group
    if gazetteer is not None and ("place" in found or "region" in found):
        # Pages write a place as "柳林乡 杨庄村", "柳林乡杨庄村" or just "杨庄村".
        match = gazetteer.find(str(found.get("place") or found.get("region")))
        if match is not None:
            # The gazetteer knows the town of a village better than a page's free text does.
            found["region"] = match.region
            if match.urban:
                found.setdefault("urban", match.urban)
    return found, conflicts


def document_cues(
    store: Store, docs: Sequence[tuple[int, str, str]], gazetteer: Gazetteer | None, *, today: date
) -> dict[int, list[dict[str, Any]]]:
    """Cue records of each document ``(id, text, content hash)``, read once and kept in the store.

    Documents read before under the same configuration (:func:`opinion.text.cues.cue_config`)
    and not changed since are not read again; the others are read and stored, so a
    report re-run reads nothing and every attribute taken from text keeps its span.
    """
    config = cue_config(gazetteer, today)
    with store.engine.connect() as conn:
        known = stored_cues(conn, config, [doc_id for doc_id, _, _ in docs])  # these documents' only
    out: dict[int, list[dict[str, Any]]] = {}
    fresh: dict[int, tuple[str, list[dict[str, Any]]]] = {}
    for doc_id, text, digest in docs:
        hit = known.get(doc_id)
        if hit is not None and hit[0] == digest:
            out[doc_id] = hit[1]
            continue
        normalized = normalize(text)
        found = [cue_record(c, normalized) for c in read_cues(normalized, gazetteer, today=today, normalized=True)]
        out[doc_id] = found
        fresh[doc_id] = (digest, found)
    if fresh:
        with store.engine.begin() as conn:
            store_cues(conn, config, fresh)
        log.info("read who-is-writing cues in %d documents (%d already read)", len(fresh), len(docs) - len(fresh))
    return out


def _text_attributes(records: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Agreed cue values over a voice's documents, and the evidence of each (or its conflict)."""
    resolved = resolve_cues(cue_from_record(r) for r in records)
    first: dict[str, dict[str, Any]] = {}  # resolve_cues keeps the first cue of an attribute
    for record in records:
        first.setdefault(record["attribute"], record)
    values = {name: cue.value for name, cue in resolved.cues.items()}
    evidence = {name: {k: first[name][k] for k in ("value", "rule", "text", "url")} for name in resolved.cues}
    for name, cues in resolved.conflicts.items():
        evidence[name] = {"conflict": sorted({str(c.value) for c in cues})}
    return values, evidence


def online_voices(store: Store, gazetteer: Gazetteer | None = None, *, today: date | None = None,
                  authors: tuple[str, str] | None = None, only: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per online author with attributes, provenance and the texts they wrote.

    Cues are read per document (:func:`document_cues`) and pooled per author; the
    ``cues`` column holds, as JSON, the evidence of every attribute taken from text (the
    rule, the words read and the URL) and the attributes whose cues disagreed.

    ``authors=(first, last)``: only the authors from ``first`` to ``last`` inclusive, in
    the database's order of pseudonyms (documents without an author left out), reading
    only their documents; their rows are those of the whole build, in the same order.
    ``only``: just these authors (a few thousand at most: one query parameter each), the
    same way.
    """
    today = today or date.today()
    # Ordered by URL, not by arrival: a crawl's arrival order varies from run to run, and
    # the bootstrap must see the same voices in the same order for the same seed.
    query = sa.select(
        documents.c.id, documents.c.author, documents.c.source, documents.c.title, documents.c.text,
        documents.c.kind, documents.c.attributes, documents.c.url, documents.c.content_hash,
    ).where(documents.c.kind.not_in(NOT_VOICES)).order_by(documents.c.url)
    if authors is not None:  # BETWEEN: found through the index on documents.author
        query = query.where(documents.c.author.between(*authors))
    if only is not None:
        query = query.where(documents.c.author.in_(list(only)))
    by_author: dict[str, dict[str, Any]] = {}
    docs: list[tuple[int, str, str]] = []
    with store.engine.connect() as conn:
        for row in conn.execute(query):
            entry = by_author.setdefault(row.author, {"texts": [], "attributes": [], "sites": set(), "docs": []})
            text = row.text if row.kind != "letter" or not row.title else f"{row.title}。{row.text}"
            entry["texts"].append(text)
            entry["attributes"].append(json.loads(row.attributes) if row.attributes else {})
            entry["sites"].add(row.source)
            entry["docs"].append((row.id, row.url))
            docs.append((row.id, text, row.content_hash))
    cues_by_doc = document_cues(store, docs, gazetteer, today=today)
    records = []
    conflicts_total = 0
    # dicts keep insertion order, so authors come in the order of their first URL
    for author, entry in by_author.items():
        site, conflicts = _site_attributes(entry["attributes"], gazetteer)
        conflicts_total += bool(conflicts)
        read = [{**cue, "url": url} for doc_id, url in entry["docs"] for cue in cues_by_doc[doc_id]]
        cues, evidence = _text_attributes(read)
        record: dict[str, Any] = {"voice": author, "source": "online"}
        used: dict[str, Any] = {}
        for name in ATTRIBUTES:
            if name in site:
                record[name], record[f"prov_{name}"] = site[name], "site"
            elif name in cues and name not in conflicts:
                record[name], record[f"prov_{name}"] = cues[name], "text"
                used[name] = evidence[name]
            else:
                record[name], record[f"prov_{name}"] = UNKNOWN, "unknown"
                if name not in site and "conflict" in evidence.get(name, {}):
                    used[name] = evidence[name]
        if record["prov_age_group"] == "site":
            ages = _site_ages(site)
        elif record["prov_age_group"] == "text":
            ages = _text_ages(read)
        else:
            ages = None
        record.update(
            n_documents=len(entry["texts"]), sites=",".join(sorted(entry["sites"])), texts=entry["texts"],
            cluster=None, stratum=None, design_weight=1.0, items="{}", cues=dumps(used) if used else "",
            age_lo=_nan(ages[0] if ages else None), age_hi=_nan(ages[1] if ages else None),
        )
        records.append(record)
    if conflicts_total:
        log.info("%d online voices had conflicting site attributes (left unknown)", conflicts_total)
    return pd.DataFrame.from_records(records, columns=VOICE_COLUMNS)


def survey_voices(store: Store) -> pd.DataFrame:
    """One row per stored respondent; attributes are their own answers."""
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(respondents).order_by(respondents.c.id)).mappings().all()
    records = []
    for row in rows:
        record: dict[str, Any] = {"voice": row["respondent"], "source": "survey"}
        for name in ATTRIBUTES:
            value = row[name]
            record[name] = value if value else UNKNOWN
            record[f"prov_{name}"] = "survey" if value else "unknown"
        ages = (row["age_lo"], row["age_hi"]) if row["age_lo"] is not None else _band_ages(row["age_group"])
        record.update(
            n_documents=1, sites="survey", texts=[row["text"]] if row["text"] else [],
            cluster=row["cluster"] or row["respondent"], stratum=row["stratum"] or None,
            design_weight=float(row["design_weight"]),
            items=row["items"] or "{}", cues="",
            age_lo=_nan(ages[0] if ages else None), age_hi=_nan(ages[1] if ages else None),
        )
        records.append(record)
    return pd.DataFrame.from_records(records, columns=VOICE_COLUMNS)


def all_voices(
    store: Store, gazetteer: Gazetteer | None = None, *, today: date | None = None, margins: Margins | None = None
) -> pd.DataFrame:
    """Online voices then survey respondents (:data:`VOICE_COLUMNS`); with ``margins``, each
    voice's age group is placed in the margins' age bands (:func:`place_ages`)."""
    frames = [f for f in (online_voices(store, gazetteer, today=today), survey_voices(store)) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=VOICE_COLUMNS)
    voices = pd.concat(frames, ignore_index=True)
    bands = margins_bands(margins) if margins is not None else None
    return place_ages(voices, bands) if bands is not None else voices


def margins_bands(margins: Margins) -> Bands | None:
    """The age bands of the margins' ``age_group`` levels; None when the margins have no age
    table or its levels are not age bands."""
    try:
        return Bands.from_labels(margins.shares("age_group").index, allow_gaps=True)
    except WeightingError:  # BandError is one too
        return None


def place_ages(voices: pd.DataFrame, bands: Bands) -> pd.DataFrame:
    """``voices`` with ``age_group`` placed in ``bands`` from ``age_lo``/``age_hi``: an age in
    its band; a range (a survey answer "25~29岁", a cue such as 80后 or 退休) in the band that
    holds all of it, and unknown when it straddles bands.

    With the default bands (18-29/30-44/45-59/60+) the age groups are kept as they are:
    they were placed in those groups when read (a generation cue at its middle year).
    """
    if bands == DEFAULT_BANDS or voices.empty:
        return voices
    out = voices.copy()
    groups = []
    for lo, hi in zip(out["age_lo"], out["age_hi"], strict=True):
        if pd.isna(lo):
            groups.append(UNKNOWN)
            continue
        placed = bands.place_range(int(lo), None if pd.isna(hi) else int(hi))
        groups.append(placed or UNKNOWN)
    out["age_group"] = groups
    out.loc[out["age_group"] == UNKNOWN, "prov_age_group"] = "unknown"
    placed_n = int((out["age_group"] != UNKNOWN).sum())
    log.info("placed %d of %d voices in the age bands %s", placed_n, len(out), ", ".join(bands.labels))
    return out


def _nan(value: int | None) -> float:
    return float("nan") if value is None else float(value)


def _band_ages(label: object) -> tuple[int, int | None] | None:
    band = parse_band(label) if label and label != UNKNOWN else None
    return (band.lo, band.hi) if band is not None else None


def _site_ages(site: dict[str, Any]) -> tuple[int, int | None] | None:
    """The ages a page's metadata allows: its exact age, else its age group as a band."""
    if isinstance(site.get("age"), (int, float)):
        return int(site["age"]), int(site["age"])
    return _band_ages(site.get("age_group"))


def _text_ages(records: list[dict[str, Any]]) -> tuple[int, int | None] | None:
    """The ages every age cue of a voice allows together (their intersection); None when
    they allow none in common or none says an age."""
    lo, hi, said = 0, None, False
    for record in records:
        allowed = cue_age_range(str(record["attribute"]), record["value"], str(record["rule"]),
                                str(record.get("text", "")))
        if allowed is None:
            continue
        said = True
        lo = max(lo, allowed[0])
        hi = allowed[1] if hi is None else (hi if allowed[1] is None else min(hi, allowed[1]))
    if not said or (hi is not None and lo > hi):
        return None
    return lo, hi


def survey_joint(
    margins: Margins, voices: pd.DataFrame, variables: Sequence[str], multipliers: pd.Series | None = None
) -> Margins:
    """``margins`` with a table over ``variables`` jointly: the margins' own, or one estimated by
    raking the survey respondents among ``voices`` (design weights times ``multipliers``, a
    bootstrap replicate's frequency weights) to the margins (:func:`weighting.joint.complete_joint`);
    with no respondents the variables are taken as independent. Margins that lack one of
    the variables come back unchanged (the method that needs the table says so).
    """
    survey = (voices["source"] == "survey").to_numpy()
    weights = voices["design_weight"].astype(float).to_numpy()[survey]
    if multipliers is not None:
        weights = weights * multipliers.to_numpy(dtype=float)[survey]
    try:
        return complete_joint(margins, list(variables), voices.loc[survey, list(variables)], weights)
    except WeightingError as exc:
        log.debug("no joint table for %s: %s", "*".join(variables), exc)
        return margins
