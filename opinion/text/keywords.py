"""Keywords per group: the words that set a group's voices apart, by TF-IDF.

For each level of an attribute (age group 60+, rural, female ...), a word's score is

    tf(word, group) x idf(word)

* ``tf`` is the mean, over the group's voices, of each voice's normalised frequency of
  the word: a voice that wrote 300 posts weighs the same as one that wrote once.
* ``idf`` is the mean of two inverse document frequencies: jieba's, shipped with the
  package (``jieba/analyse/idf.txt``, how rare the word is in general Chinese text;
  its median for words it does not list), and the corpus's own, ``ln(N / df)`` over
  the N voices measured (how rare among these voices). The package IDF pushes down
  everyday words; the corpus IDF pushes down the words every voice here uses (问题,
  反映), which the package cannot know are boilerplate on a message board.

Only words used by at least ``min_voices`` voices of the group are listed, so a word
that identifies one writer never shows, and, as in ``jieba.analyse``, only words of two
or more characters (太, 不, 多 are kept by the segmenter for tone and negation, but say
nothing about what a group is concerned with). Voices whose level is unknown form no group.
Scores are unweighted: keywords describe what each group says, not how many people
in the population say it (the weighted word table does that).
"""
from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import pandas as pd

from opinion.attributes import UNKNOWN, label
from opinion.errors import InputError
from opinion.files.plain import read_utf8

__all__ = ["KEYWORD_VARIABLES", "group_keywords", "jieba_idf"]

log = logging.getLogger(__name__)

# The columns of a keyword table: one row per (variable, level, word).
KEYWORD_COLUMNS = ["variable", "level", "level_label", "word", "score", "voices"]

KEYWORD_VARIABLES = ("age_group", "urban", "sex")


@lru_cache(maxsize=4)
def jieba_idf(path: str | None = None) -> tuple[dict[str, float], float]:
    """(word -> IDF, median IDF) from jieba's shipped ``idf.txt`` or a file in its format.

    Cached: the shipped file has ~350,000 lines and takes about half a second to read.
    """
    from jieba.analyse.tfidf import DEFAULT_IDF

    source = Path(path or DEFAULT_IDF)
    idf: dict[str, float] = {}
    lines = read_utf8(source, "IDF file not found; pass a 'word idf' file or None for jieba's").splitlines()
    for lineno, line in enumerate(lines, 1):
        parts = line.split()
        if not parts:
            continue
        try:
            idf[parts[0]] = float(parts[1])
        except (IndexError, ValueError) as exc:
            raise InputError(f"{source} line {lineno}: {line!r} is not 'word idf'") from exc
    if not idf:
        raise InputError(f"{source}: no 'word idf' lines")
    values = sorted(idf.values())
    return idf, values[len(values) // 2]


def group_keywords(
    voices: pd.DataFrame,
    tokens: Sequence[Sequence[str]],
    *,
    variables: Sequence[str] = KEYWORD_VARIABLES,
    top: int = 10,
    min_voices: int = 2,
    lang: str = "zh",
    idf: tuple[dict[str, float], float] | None = None,
) -> pd.DataFrame:
    """Top ``top`` words per level of each variable, as ``KEYWORD_COLUMNS`` rows.

    ``tokens`` are the voices' content tokens, in the row order of ``voices``.
    """
    if len(tokens) != len(voices):
        raise ValueError(f"{len(tokens)} token lists for {len(voices)} voices; pass one per voice")
    general, median = idf or jieba_idf()
    counts = [Counter(t) for t in tokens]
    shares = [{w: n / total for w, n in c.items()} if (total := sum(c.values())) else {} for c in counts]
    doc_freq: Counter[str] = Counter()
    for c in counts:
        doc_freq.update(c.keys())
    n_voices = sum(1 for c in counts if c)
    rows = []
    for variable in variables:
        if variable not in voices.columns:
            continue
        levels = voices[variable].astype(str).to_numpy()
        for level in sorted({lv for lv in levels if lv not in (UNKNOWN, "", "nan", "None")}):
            members = [i for i, lv in enumerate(levels) if lv == level and counts[i]]
            if not members:
                continue
            tf: Counter[str] = Counter()
            users: Counter[str] = Counter()
            for i in members:
                tf.update(shares[i])
                users.update(counts[i].keys())
            scored = []
            for word, total in tf.items():
                if users[word] < min_voices or len(word) < 2:
                    continue
                word_idf = (general.get(word, median) + math.log(n_voices / doc_freq[word])) / 2
                scored.append((total / len(members) * word_idf, word))
            scored.sort(key=lambda s: (-s[0], s[1]))
            for score, word in scored[:top]:
                rows.append({
                    "variable": variable, "level": level, "level_label": label(variable, level, lang),
                    "word": word, "score": round(score, 6), "voices": int(users[word]),
                })
    log.debug("keywords for %d group rows from %d voices", len(rows), n_voices)
    return pd.DataFrame(rows, columns=KEYWORD_COLUMNS)
