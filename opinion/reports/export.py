"""The stored corpus as tables: documents and voices, masked and pseudonymous, for export.

Voices carry ``topics``: code -> evidence for each topic the coder (the shipped lexicon
unless another is given, see :mod:`opinion.text.coder`) codes the voice to.
"""
from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa

from opinion.estimates.voices import all_voices
from opinion.store.db import Store, documents
from opinion.text.coder import TopicCoder, as_coder
from opinion.text.cues import Gazetteer
from opinion.text.measures import voice_tokens
from opinion.text.segment import Segmenter
from opinion.text.topics import TopicLexicon

DOCUMENT_EXPORT_COLUMNS = [
    "url", "source", "kind", "author", "title", "text", "reply_unit", "reply_text",
    "posted_at", "posted_raw", "fetched_at", "content_hash", "attributes",
]


def export_table(
    store: Store, what: str, gazetteer: Gazetteer | None = None, *, coder: TopicCoder | TopicLexicon | None = None,
    segmenter: Segmenter | None = None,
) -> pd.DataFrame:
    """``documents`` (masked text, pseudonymous authors) or ``voices`` (attributes with provenance,
    and ``topics``: code -> evidence, coded by ``coder``, the shipped lexicon by default, over
    the tokens of ``segmenter``, the shipped one by default)."""
    if what == "documents":
        with store.engine.connect() as conn:
            rows = conn.execute(sa.select(*[documents.c[c] for c in DOCUMENT_EXPORT_COLUMNS]).order_by(documents.c.id))
            table = pd.DataFrame(rows.fetchall(), columns=DOCUMENT_EXPORT_COLUMNS)
        table["attributes"] = table["attributes"].map(lambda a: json.loads(a) if a else {})
        return table
    voices = all_voices(store, gazetteer)
    tokens = voice_tokens(store, voices["texts"].tolist(), segmenter or Segmenter.default())
    topic_coder = as_coder(coder)
    # The ages behind the age group stay in the store: a respondent's exact age beside sex and
    # village could single them out.
    voices = voices.drop(columns=["texts", "age_lo", "age_hi"])
    voices["topics"] = [topic_coder.code_tokens(t) for t in tokens]
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
