"""Per-voice measures: tokens (cached per text), topic concerns and word distributions.

Every measure is per voice: an author's documents are pooled and normalised so that a
voice that posted 300 times weighs the same as one that posted once.
"""
from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Sequence

import pandas as pd

from opinion.store.db import Store, cache_tokens, cached_tokens
from opinion.text.coder import TopicCoder, as_coder
from opinion.text.segment import Segmenter, content_hash, normalize, segment_many
from opinion.text.topics import TopicLexicon

log = logging.getLogger(__name__)


def cache_key(text: str, fingerprint: str, *, normalized: bool = False) -> str:
    """Key of a text's tokens in the store's cache: its content under one segmenter configuration.

    The configuration is part of the key because the same text gives other tokens with
    another user dictionary or stopword list (``tongxin words --userdict``).
    """
    digest = content_hash(text, normalized=normalized)
    return hashlib.sha256(f"{fingerprint}\0{digest}".encode("ascii")).hexdigest()


def voice_tokens(
    store: Store | None,
    texts_per_voice: Sequence[Sequence[str]],
    segmenter: Segmenter,
    *,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> list[list[str]]:
    """Tokens of each voice (its texts concatenated), segmenting only texts not cached in the store.

    ``progress(done, total)`` follows the segmentation of the uncached texts.
    """
    fingerprint = segmenter.fingerprint()
    normalized = [[normalize(t) for t in texts] for texts in texts_per_voice]
    hashes = [[cache_key(t, fingerprint, normalized=True) for t in texts] for texts in normalized]
    unique: dict[str, str] = {}
    for texts, keys in zip(normalized, hashes, strict=True):
        for text, key in zip(texts, keys, strict=True):
            unique.setdefault(key, text)
    cache: dict[str, list[str]] = {}
    if store is not None:
        with store.engine.connect() as conn:
            cache = cached_tokens(conn, unique)
    missing = [k for k in unique if k not in cache]
    if missing:
        log.info("segmenting %d texts (%d cached)", len(missing), len(cache))
        done = 0

        def step(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(done, len(missing))

        fresh = segment_many(
            [unique[k] for k in missing], workers=workers, segmenter=segmenter, progress=step, normalized=True
        )
        new = dict(zip(missing, fresh, strict=True))
        cache.update(new)
        if store is not None:
            with store.engine.begin() as conn:
                cache_tokens(conn, new)
    return [[tok for key in keys for tok in cache[key]] for keys in hashes]


def topic_matrix(
    tokens_per_voice: Sequence[list[str]], lexicon: TopicLexicon | TopicCoder, index: pd.Index
) -> tuple[pd.DataFrame, pd.Series]:
    """Boolean voices x topics (does the voice raise topic k?) and the evidence per voice.

    ``lexicon``: any topic coder (:mod:`opinion.text.coder`), a lexicon being one; the
    columns are its codes. The evidence is code -> words: the matched words of a
    lexicon, the tokens that weighed most for a learned model.
    """
    coder = as_coder(lexicon)
    codes = list(coder.codes)
    rows, audit = [], []
    for tokens in tokens_per_voice:
        found = coder.code_tokens(tokens)
        rows.append([code in found for code in codes])
        audit.append(found)
    return pd.DataFrame(rows, columns=codes, index=index, dtype=bool), pd.Series(audit, index=index, dtype=object)


def word_matrix(
    tokens_per_voice: Sequence[list[str]], index: pd.Index, *, min_voices: int = 2, max_words: int = 3000
) -> pd.DataFrame:
    """Voices x words: each voice's term distribution (rows sum to 1 for voices with words).

    Words used by fewer than ``min_voices`` voices are left out (they identify a writer
    more than they describe opinion); the vocabulary is capped at ``max_words`` by
    document frequency.
    """
    counts = [Counter(tokens) for tokens in tokens_per_voice]
    doc_freq: Counter[str] = Counter()
    for c in counts:
        doc_freq.update(c.keys())
    vocab = [w for w, df in doc_freq.most_common(max_words) if df >= min_voices]
    position = {w: i for i, w in enumerate(vocab)}
    frame = pd.DataFrame(0.0, index=index, columns=vocab)
    values = frame.to_numpy(copy=True)
    for row, c in enumerate(counts):
        total = sum(c.values())
        if not total:
            continue
        for word, n in c.items():
            col = position.get(word)
            if col is not None:
                values[row, col] = n / total
    return pd.DataFrame(values, index=index, columns=vocab)
