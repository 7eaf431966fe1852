"""``store code`` after a crawl: the update of the voices that changed, against coding all again.

A SQLite store is filled with generated letters and posts (sentences of ``tests/data``,
a few per document, with cue phrases such as "我今年72岁" and place names of the demo's
gazetteer) by ``authors`` pseudonyms, and coded in full
(:func:`opinion.estimates.coded.code_voices`; tokens segmented and cached, cues read
and stored on the way). Then a "crawl" stores ``new_share`` more documents, half by
authors coded before and half by new ones, and the store is coded again twice: as an
update (only the voices of authors with new documents) and in full (``full=True``; the
baseline, every document's tokens and cues already cached, as for the update). Reported:
seconds of each, the update's share of the full time (goal <= 0.2 for 1% new documents:
the cost should follow what the crawl brought, not the corpus), and whether the rows of
the update equal those of the full run (they must).

Size: ``TONGXIN_BENCH_CODE_DOCS`` documents (default 50,000) by a fifth as many authors.
"""
from __future__ import annotations

import os
import random
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.bench_text import _sentences
from opinion.estimates.coded import code_voices
from opinion.store.db import Store, open_store, upsert_document, voice_codes
from opinion.text.coder import load_coder
from opinion.text.cues import load_gazetteer
from opinion.text.segment import Segmenter

REPO = Path(__file__).resolve().parent.parent
SEED = 20261130
TODAY = date(2026, 11, 30)
CUES = ("", "", "我今年72岁，", "本人女，", "我们村", "我是90后，", "退休在家，")


def fill(store: Store, start: int, n: int, authors: int, rng: random.Random, sentences: list[str],
         places: list[str], first_author: int = 0) -> None:
    """Store documents ``start`` .. ``start + n - 1`` by authors ``first_author`` .. ``first_author + authors - 1``."""
    with store.engine.begin() as conn:
        for i in range(start, start + n):
            author = first_author + rng.randrange(authors)
            text = rng.choice(CUES) + "".join(rng.choice(sentences) for _ in range(rng.randint(1, 3)))
            attributes = {"place": {"value": rng.choice(places), "provenance": "site"}} if rng.random() < 0.4 else {}
            upsert_document(conn, {
                "url": f"http://bench.example/{i:08d}", "source": "论坛" if i % 3 else "县长信箱",
                "kind": "post" if i % 3 else "letter", "content_hash": f"h{i}", "author": f"v_{author:012d}",
                "title": None, "text": text, "fetched_at": f"2026-11-{27 + (start > 0):02d}T12:00:00",
                "attributes": attributes,
            })


def _rows(store: Store, config: str) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(voice_codes).where(voice_codes.c.config == config)
                                              .order_by(voice_codes.c.voice))]


def run(documents: int | None = None, new_share: float = 0.01) -> dict[str, object]:
    n = documents or int(os.environ.get("TONGXIN_BENCH_CODE_DOCS", "50000"))
    authors = max(1, n // 5)
    rng = random.Random(SEED)
    sentences = _sentences()
    gazetteer = load_gazetteer(REPO / "data" / "demo" / "gazetteer.csv")
    places = sorted(gazetteer.places)
    coder, segmenter = load_coder(), Segmenter.default()
    with tempfile.TemporaryDirectory(prefix="bench-code-") as tmp, open_store(Path(tmp) / "code.db") as store:
        fill(store, 0, n, authors, rng, sentences, places)
        started = time.perf_counter()
        first = code_voices(store, coder, segmenter, gazetteer, today=TODAY)
        first_seconds = time.perf_counter() - started
        new = max(2, int(n * new_share))
        fill(store, n, new // 2, authors, rng, sentences, places)  # authors coded before
        fill(store, n + new // 2, new - new // 2, new, rng, sentences, places, first_author=authors)  # new authors
        started = time.perf_counter()
        update = code_voices(store, coder, segmenter, gazetteer, today=TODAY)
        update_seconds = time.perf_counter() - started
        updated = _rows(store, update.config)
        started = time.perf_counter()
        full = code_voices(store, coder, segmenter, gazetteer, today=TODAY, full=True)
        full_seconds = time.perf_counter() - started
        equal = _rows(store, full.config) == updated
    return {
        "documents": n, "authors": authors, "new_documents": new, "voices": full.voices,
        "first_coding_seconds": round(first_seconds, 2), "first_coding_voices": first.voices,
        "update_voices": update.voices, "update_documents": update.documents,
        "update_seconds": round(update_seconds, 2), "full_seconds": round(full_seconds, 2),
        "update_over_full_ratio": round(update_seconds / full_seconds, 3), "update_goal": 0.2,
        "update_rows_equal_full": equal,
    }
