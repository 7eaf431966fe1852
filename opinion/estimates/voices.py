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

from opinion.attributes import ATTRIBUTES, UNKNOWN, age_group
from opinion.store.db import Store, documents, dumps, respondents, store_cues, stored_cues
from opinion.text.cues import Gazetteer, cue_config, cue_from_record, cue_record, read_cues, resolve_cues
from opinion.text.segment import normalize

log = logging.getLogger(__name__)

# Documents the administration itself publishes (a JCMS article) are not anyone's voice.
NOT_VOICES = ("article",)

VOICE_COLUMNS = [
    "voice", "source", "region", "urban", "age_group", "sex",
    "prov_region", "prov_urban", "prov_age_group", "prov_sex",
    "n_documents", "sites", "texts", "cluster", "design_weight", "items", "cues",
]


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
        known = stored_cues(conn, config)
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


def online_voices(store: Store, gazetteer: Gazetteer | None = None, *, today: date | None = None) -> pd.DataFrame:
    """One row per online author with attributes, provenance and the texts they wrote.

    Cues are read per document (:func:`document_cues`) and pooled per author; the
    ``cues`` column holds, as JSON, the evidence of every attribute taken from text (the
    rule, the words read and the URL) and the attributes whose cues disagreed.
    """
    today = today or date.today()
    # Ordered by URL, not by arrival: a crawl's arrival order varies from run to run, and
    # the bootstrap must see the same voices in the same order for the same seed.
    query = sa.select(
        documents.c.id, documents.c.author, documents.c.source, documents.c.title, documents.c.text,
        documents.c.kind, documents.c.attributes, documents.c.url, documents.c.content_hash,
    ).where(documents.c.kind.not_in(NOT_VOICES)).order_by(documents.c.url)
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
        record.update(
            n_documents=len(entry["texts"]), sites=",".join(sorted(entry["sites"])), texts=entry["texts"],
            cluster=None, design_weight=1.0, items="{}", cues=dumps(used) if used else "",
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
        record.update(
            n_documents=1, sites="survey", texts=[row["text"]] if row["text"] else [],
            cluster=row["cluster"] or row["respondent"], design_weight=float(row["design_weight"]),
            items=row["items"] or "{}", cues="",
        )
        records.append(record)
    return pd.DataFrame.from_records(records, columns=VOICE_COLUMNS)


def all_voices(store: Store, gazetteer: Gazetteer | None = None, *, today: date | None = None) -> pd.DataFrame:
    frames = [f for f in (online_voices(store, gazetteer, today=today), survey_voices(store)) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=VOICE_COLUMNS)
    return pd.concat(frames, ignore_index=True)
