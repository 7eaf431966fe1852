"""Word tables of the corpus: raw vs corrected."""
from __future__ import annotations

import pandas as pd

from opinion.cues import Gazetteer
from opinion.measures import voice_tokens
from opinion.pipeline import ReportOptions, word_table_from
from opinion.store import Store
from opinion.text import Segmenter
from opinion.voices import all_voices
from weighting import Margins


def word_table(store: Store, margins: Margins, *, top: int = 30, gazetteer: Gazetteer | None = None,
               segmenter: Segmenter | None = None) -> pd.DataFrame:
    voices = all_voices(store, gazetteer)
    tokens = voice_tokens(store, voices["texts"].tolist(), segmenter or Segmenter.default())
    return word_table_from(voices, tokens, margins, ReportOptions(top_words=top))
