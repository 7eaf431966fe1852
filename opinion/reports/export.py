"""The stored corpus as tables: documents and voices, masked and pseudonymous, for export."""
from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa

from opinion.estimates.voices import all_voices
from opinion.store.db import Store, documents
from opinion.text.cues import Gazetteer

DOCUMENT_EXPORT_COLUMNS = [
    "url", "source", "kind", "author", "title", "text", "reply_unit", "reply_text",
    "posted_at", "posted_raw", "fetched_at", "content_hash", "attributes",
]


def export_table(store: Store, what: str, gazetteer: Gazetteer | None = None) -> pd.DataFrame:
    """``documents`` (masked text, pseudonymous authors) or ``voices`` (attributes with provenance)."""
    if what == "documents":
        with store.engine.connect() as conn:
            rows = conn.execute(sa.select(*[documents.c[c] for c in DOCUMENT_EXPORT_COLUMNS]).order_by(documents.c.id))
            table = pd.DataFrame(rows.fetchall(), columns=DOCUMENT_EXPORT_COLUMNS)
        table["attributes"] = table["attributes"].map(lambda a: json.loads(a) if a else {})
        return table
    voices = all_voices(store, gazetteer)
    voices = voices.drop(columns=["texts"])
    for column in ("items", "cues"):  # JSON in the voice table, objects in the export
        voices[column] = voices[column].map(lambda v: json.loads(v) if v else {})
    return voices


def json_cells(table: pd.DataFrame) -> pd.DataFrame:
    """The table with dict and list cells written as JSON text (for CSV, which has no objects)."""
    out = table.copy()
    for column in out.columns:
        if out[column].map(lambda v: isinstance(v, (dict, list))).any():
            out[column] = out[column].map(
                lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True) if isinstance(v, (dict, list)) else v
            )
    return out
