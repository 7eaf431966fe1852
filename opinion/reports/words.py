"""Word tables of the corpus: raw vs corrected, with rank shifts and document frequencies.

Two frequencies per word, both per voice, never per post:

* *share* (normalised frequency): each voice's term distribution (its counts divided by
  its total, so a voice that wrote 300 posts weighs as one), averaged over voices;
* *voices share* (document frequency): the share of voices who used the word at all.

Each is given raw (online voices, unweighted: what counting the web gives) and
corrected by one of the estimators' methods (``rake``, ``survey`` or ``blend``), so a
user sees which words rise once the missing groups count.

Given a topic coder (:mod:`opinion.text.coder`), the table also says, in ``topics``,
which topics each word signals on its own: the codes the coder gives a voice whose only
token is the word (for a lexicon, the topics listing it).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from opinion.errors import InputError
from opinion.estimates.methods import METHODS, point_estimates
from opinion.estimates.voices import all_voices
from opinion.reports.data import WORD_COLUMNS
from opinion.store.db import Store, shown_url
from opinion.text.coder import TopicCoder
from opinion.text.cues import Gazetteer
from opinion.text.measures import voice_tokens, word_matrix
from opinion.text.segment import Segmenter
from weighting import Margins

__all__ = ["WORD_TABLE_COLUMNS", "word_table", "word_table_from_tokens", "word_topics"]

log = logging.getLogger(__name__)

WORD_TABLE_COLUMNS = [*WORD_COLUMNS, "raw_voices_share", "weighted_voices_share", "voices", "method"]


def word_table_from_tokens(
    voices: pd.DataFrame,
    tokens: Sequence[Sequence[str]],
    margins: Margins,
    *,
    method: str = "blend",
    top: int = 30,
    weight_vars: Sequence[str] = ("age_group", "sex", "urban"),
    blend_vars: Sequence[str] = ("age_group", "urban"),
    coder: TopicCoder | None = None,
) -> pd.DataFrame:
    """Words in the top ``top`` raw or corrected, sorted by corrected rank (``WORD_TABLE_COLUMNS``,
    then ``topics`` when a ``coder`` is given: see :func:`word_topics`).

    ``voices`` counts every voice (online and survey) that used the word.
    """
    if method not in METHODS:
        raise InputError(f"method {method!r} is not one of {', '.join(METHODS)}")
    columns = [*WORD_TABLE_COLUMNS, "topics"] if coder is not None else WORD_TABLE_COLUMNS
    matrix = word_matrix(list(map(list, tokens)), voices.index)
    if matrix.shape[1] == 0:
        return pd.DataFrame(columns=columns)
    has_words = matrix.sum(axis=1) > 0
    used = (matrix > 0).astype(float)
    share = point_estimates(voices, matrix, has_words, margins, weight_vars=weight_vars, blend_vars=blend_vars)
    if method in share.problems:
        raise InputError(f"method {method!r} cannot weight these voices: {share.problems[method]}; try another --method")
    if share.values.loc[method].isna().all():
        missing = ("survey respondents" if method in ("survey", "blend") and not (voices["source"] == "survey").any()
                   else "online voices" if not (voices["source"] == "online").any() else "voices it can weight")
        raise InputError(f"method {method!r} has no figures: the store has no {missing}; try another --method "
                         "(rake or raw with online voices only, survey with respondents only)")
    doc = point_estimates(voices, used, has_words, margins, weight_vars=weight_vars, blend_vars=blend_vars)
    table = pd.DataFrame({
        "word": matrix.columns,
        "raw_share": share.values.loc["raw"].to_numpy(),
        "weighted_share": share.values.loc[method].to_numpy(),
        "raw_voices_share": doc.values.loc["raw"].to_numpy(),
        "weighted_voices_share": doc.values.loc[method].to_numpy(),
        "voices": used.sum(axis=0).astype(int).to_numpy(),
    })
    # A source with no voices has no shares (NaN): its words rank last, never first.
    table["raw_rank"] = table["raw_share"].rank(ascending=False, method="first", na_option="bottom").astype(int)
    table["weighted_rank"] = table["weighted_share"].rank(ascending=False, method="first", na_option="bottom").astype(int)
    table["rank_shift"] = table["raw_rank"] - table["weighted_rank"]
    table["method"] = method
    chosen = table[(table["raw_rank"] <= top) | (table["weighted_rank"] <= top)].copy()
    if coder is not None:
        chosen["topics"] = word_topics(chosen["word"].tolist(), coder)
    return chosen.sort_values("weighted_rank")[columns].reset_index(drop=True)


def word_topics(words: Sequence[str], coder: TopicCoder) -> list[str]:
    """For each word, the codes ``coder`` gives a voice whose only token is the word, joined by ``;``."""
    return [";".join(coder.code_tokens([word])) for word in words]


def word_table(
    store: Store,
    margins: Margins,
    *,
    top: int = 30,
    method: str = "blend",
    gazetteer: Gazetteer | None = None,
    segmenter: Segmenter | None = None,
    userdicts: Sequence[Path | str] = (),
    today: date | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    coder: TopicCoder | None = None,
) -> pd.DataFrame:
    """The store's voices' word table (see :func:`word_table_from_tokens`; ``coder`` adds ``topics``).

    ``userdicts`` are jieba user dictionaries loaded after the shipped one (ignored when
    ``segmenter`` is given); tokens are cached per configuration, so a new dictionary
    segments once and the shipped configuration's cache stays valid.
    """
    if segmenter is None:
        segmenter = Segmenter.default(extra_userdicts=userdicts)
    voices = all_voices(store, gazetteer, today=today, margins=margins)
    if voices.empty:
        raise InputError(f"{shown_url(store.url)}: the store holds no documents and no survey respondents; "
                         "crawl or import first")
    tokens = voice_tokens(store, voices["texts"].tolist(), segmenter, workers=workers, progress=progress)
    return word_table_from_tokens(voices, tokens, margins, method=method, top=top, coder=coder)
