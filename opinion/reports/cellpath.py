"""A report's inputs from voices coded ahead: online voices as cells counted in the database.

``tongxin store code`` codes every online voice once and keeps its attributes and topic
pattern in the store (:mod:`opinion.estimates.coded`). A report at scale then reads no
document: one ``GROUP BY`` gives each distinct combination of source, region,
urban/rural, sex, age and topic pattern with the number of voices sharing it, and every
weighting method takes such a row as that many identical voices (the ``count`` column;
:mod:`opinion.estimates.methods`). Voices of the latest hand-coded sample stay their own
rows, so the coder's correction sees them one by one. Survey respondents (thousands, not
millions) are read and coded as in any report.

What a cell cannot give: the words voices used (word tables, distinctive words, tone,
quotes) and MRP (fitted voice by voice); a report on cells leaves them out and says so.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from opinion.errors import InputError
from opinion.estimates.coded import CodedState, coded_config, require_current, voice_cells
from opinion.estimates.correction import latest_hand_codes
from opinion.estimates.voices import VOICE_COLUMNS, margins_bands, place_ages, survey_voices
from opinion.store.db import Store, shown_url
from opinion.text.coder import TopicCoder
from opinion.text.cues import Gazetteer
from opinion.text.measures import topic_matrix, voice_tokens
from opinion.text.segment import Segmenter
from weighting import Margins

__all__ = ["CellInputs", "cell_inputs", "hand_coded_voices"]

log = logging.getLogger(__name__)


@dataclass
class CellInputs:
    """Voices (``VOICE_COLUMNS`` plus ``count``: online rows are cells), their topics
    (bool, voices x codes), the evidence per voice (survey respondents only) and what the
    coding covered."""

    voices: pd.DataFrame
    topics: pd.DataFrame
    matched: pd.Series
    state: CodedState


def hand_coded_voices(store: Store) -> list[str]:
    """Online voices of the store's most recent hand-coded sample (the sample
    :func:`opinion.estimates.correction.hand_sample` uses)."""
    _, rows = latest_hand_codes(store)
    return sorted(row.voice for row in rows if row.source == "online")


def _online_rows(cells: pd.DataFrame, codes: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cells as voice rows (with ``count``) and their topics from the stored 0/1 patterns."""
    n = len(cells)
    rows = pd.DataFrame({
        "voice": [v if isinstance(v, str) and v else f"cell:{i}" for i, v in enumerate(cells["voice"])],
        "source": cells["source"].to_numpy(),
        "region": cells["region"].to_numpy(), "urban": cells["urban"].to_numpy(),
        "age_group": cells["age_group"].to_numpy(), "sex": cells["sex"].to_numpy(),
        "n_documents": np.full(n, np.nan), "sites": "", "texts": [[] for _ in range(n)],
        "cluster": None, "stratum": None, "design_weight": 1.0, "items": "{}", "cues": "",
        "age_lo": cells["age_lo"].astype(float).to_numpy(), "age_hi": cells["age_hi"].astype(float).to_numpy(),
        "count": cells["count"].astype(int).to_numpy(),
    })
    for name in ("region", "urban", "age_group", "sex"):
        rows[f"prov_{name}"] = "coded"
    patterns = cells["topics"].astype(str).to_numpy()
    bad = [p for p in patterns if len(p) != len(codes)]
    if bad:
        raise InputError(f"stored voice codes hold topic patterns of {len(bad[0])} flags for a coder of "
                         f"{len(codes)} topics; run `tongxin store code` again with this coder")
    # the patterns' characters as one byte array, read back as (n, k) flags
    flags = (np.frombuffer("".join(patterns).encode("ascii"), dtype=np.uint8) == ord("1")).reshape(n, len(codes))
    return rows[[*VOICE_COLUMNS, "count"]], pd.DataFrame(flags, columns=codes)


def cell_inputs(
    store: Store,
    margins: Margins,
    coder: TopicCoder,
    segmenter: Segmenter,
    gazetteer: Gazetteer | None = None,
    *,
    today: date | None = None,
    workers: int = 1,
    segment_progress: Callable[[int, int], None] | None = None,
) -> CellInputs:
    """Online voices as cells counted in the database, then survey respondents coded here.

    Raises:
        InputError: nothing is coded under this coder, segmenter and gazetteer, the codes
            are older than the documents (run ``tongxin store code`` again), or they were
            made by a coder of other topics.
    """
    today = today or date.today()
    config = coded_config(coder, segmenter, gazetteer, today)
    state = require_current(store, config)
    codes = list(coder.codes)
    if list(state.codes) != codes:
        raise InputError(f"{shown_url(store.url)}: the voices were coded into {', '.join(state.codes)}, not this coder's "
                         f"{', '.join(codes)}; run `tongxin store code` with the coder the report uses")
    cells = voice_cells(store, config, apart=hand_coded_voices(store))
    online, online_topics = _online_rows(cells, codes)
    survey = survey_voices(store)
    survey_tokens = voice_tokens(store, survey["texts"].tolist(), segmenter, workers=workers,
                                 progress=segment_progress)
    survey["count"] = 1
    frames = [f for f in (online, survey) if not f.empty]
    voices = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*VOICE_COLUMNS, "count"])
    survey_topics, survey_matched = topic_matrix(survey_tokens, coder, pd.RangeIndex(len(online), len(voices)))
    topics = pd.concat([online_topics, survey_topics], ignore_index=True).astype(bool)
    topics.index = voices.index
    matched = pd.concat([pd.Series([{}] * len(online), dtype=object), survey_matched], ignore_index=True)
    matched.index = voices.index
    bands = margins_bands(margins)
    if bands is not None:
        voices = place_ages(voices, bands)
    log.info("online voices from %d cells (%d voices coded on %s), %d respondents",
             len(online), int(online["count"].sum()), state.coded_at[:10], len(survey))
    return CellInputs(voices=voices, topics=topics, matched=matched, state=state)


def cells_note(state: CodedState, voices: pd.DataFrame, lang: str) -> dict[str, object]:
    """What a report on cells rests on and leaves out, for the report's notes."""
    online = voices["source"] == "online"
    cells = int((online & voices["voice"].astype(str).str.startswith("cell:")).sum())
    n = int(voices.loc[online, "count"].sum())
    zh = lang == "zh"
    return {
        "coded_at": state.coded_at, "voices": n, "cells": cells,
        "text": (f"网上声音取自预先编码（tongxin store code，{state.coded_at[:10]}）的结果：{n} 个声音按属性和议题组合汇总为 "
                 f"{cells} 个单元，每个单元内的声音视为相同，加权按单元计数进行，点估计与逐个声音计算相同；"
                 "自助法按单元抽取，与逐个声音重抽的分布相同。"
                 "词频、关键词、语气、引文和多层模型需要逐个声音的文本，本报告未包含；需要时去掉 --cells 重新生成。"
                 if zh else
                 f"Online voices from the codes kept in the store (tongxin store code, {state.coded_at[:10]}): {n} voices "
                 f"counted in {cells} cells of identical attributes and topics; weighting and bootstrap replicates work on "
                 "the counts: the estimates equal those made voice by voice, and the replicates, drawn by cell, have the "
                 "distribution of voices drawn one by one. Words, distinctive words, tone, quotes and MRP need "
                 "each voice's text and are not in this report; run it without --cells for them."),
    }
