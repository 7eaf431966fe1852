"""Estimates that stay valid whatever the coder's errors, from voices coded by a person.

No coder, lexicon or model, is right on every county's wording. A random sample of
voices coded by a person (``tongxin code sample`` / ``tongxin code import``) corrects
every estimate for the coder's errors by design-based supervised learning (Egami,
Hinck, Stewart & Wei, "Using imperfect surrogates for downstream inference",
NeurIPS 2023), which for totals is prediction-powered inference with the rectifier
weighted by the inverse inclusion probability (Angelopoulos et al., "Prediction-powered
inference", Science 2023). Each voice's coded outcome is replaced by its pseudo-outcome

    ỹ_i = ŷ_i + R_i / π_i · (y_i − ŷ_i)

where ``ŷ_i`` is what the coder said, ``y_i`` what the person said, ``R_i = 1`` when the
voice was coded by a person and ``π_i`` its probability of being drawn for that. Given
the voices, ``E[ỹ_i] = y_i`` whatever the coder's errors, so every estimate that is a
ratio of weighted totals (raw, rake, survey, blend, and the pseudo estimate taken as a
ratio of doubly robust means) is estimated as it would be with a person's codes for
every voice. The same holds for the "raises any concern" indicator in the agenda
share's denominator. The replicates resample voices with their pseudo-outcomes (as the
design-based supervised learning estimator's variance treats them), so the intervals
carry the coder's error and the size of the hand-coded sample: the fewer voices a
person coded, the larger ``1/π`` and the wider the interval. (Resampling the hand-coded
voices once more as a second phase counts that variance twice: in a simulation its
intervals covered 98-99% of the time against a nominal 95%.) With no hand-coded sample the estimates rest on the
coder as if it were perfect, and the report says so.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from opinion.errors import InputError
from opinion.estimates.voices import NOT_VOICES
from opinion.store.db import Store, coding_samples, documents, hand_codes

# Written by opinion.estimates.handcoding for a concern outside the taxonomy (kept here to
# keep the import order one way: handcoding imports nothing from this module).
OTHER_CODE = "_other"

__all__ = [
    "HandSample",
    "coder_accuracy",
    "draw_coding_sample",
    "hand_sample",
    "pseudo_outcomes",
    "record_coding_sample",
    "voice_fingerprints",
]


@dataclass
class HandSample:
    """The person's codes for the hand-coded voices, aligned to a voices frame.

    ``rows``: positions (0-based) of the coded voices in the voices frame; ``codes``:
    rows x topics, 1 where the person marked the topic; ``probability``: each coded
    voice's inclusion probability; ``stratum``: the stratum it was drawn in (its source).
    """

    rows: np.ndarray  # (n,) int
    codes: np.ndarray  # (n, k) float 0/1, columns in the order of ``topics``
    probability: np.ndarray  # (n,) float in (0, 1]
    stratum: np.ndarray  # (n,) str
    topics: list[str]
    sample: str  # the name of the drawn sample
    concern: np.ndarray | None = None  # (n,) 1 where the person saw any concern; None: any topic marked
    changed: int = 0  # coded voices left out: their documents changed after they were drawn

    @property
    def n(self) -> int:
        return len(self.rows)

    @property
    def any_concern(self) -> np.ndarray:
        """1 where the person saw any concern (a topic, or one outside the taxonomy)."""
        if self.concern is not None:
            return self.concern
        return self.codes.max(axis=1) if self.codes.size else np.zeros(self.n)


def draw_coding_sample(
    store: Store, voices: pd.DataFrame, n: int, *, seed: int, name: str = "hand",
) -> pd.DataFrame:
    """Draw ``n`` voices for a person to code and record the draw in the store.

    Stratified by source (online, survey) with allocation proportional to the number of
    voices that have any text, simple random sampling without replacement within each;
    every drawn voice's inclusion probability is ``n_h / N_h``. Voices with no text
    cannot be coded and are not in the frame. Returns the drawn rows of ``voices`` with
    ``probability`` and ``stratum`` columns, in a random order.

    Raises:
        InputError: ``n`` is not positive, or the frame is empty, or a sample of that
            name was already drawn (draw under another name or import its codes).
    """
    if n <= 0:
        raise InputError(f"--n {n}: draw at least one voice")
    frame = voices[voices["texts"].map(lambda texts: any(str(t).strip() for t in texts))]
    if frame.empty:
        raise InputError("the store holds no voice with text to code; crawl or import first")
    with store.engine.connect() as conn:
        drawn_before = conn.execute(
            sa.select(sa.func.count()).select_from(coding_samples).where(coding_samples.c.sample == name)
        ).scalar_one()
    if drawn_before:
        raise InputError(f"a coding sample named {name!r} was already drawn ({drawn_before} voices); "
                         "import its codes, or draw a new one with --name")
    rng = np.random.default_rng(seed)
    total = len(frame)
    n = min(n, total)
    sizes = frame.groupby("source").size()
    # Largest-remainder proportional allocation, at least one per stratum when n allows.
    exact = sizes / total * n
    alloc = np.floor(exact).astype(int)
    for stratum in (exact - alloc).sort_values(ascending=False).index[: n - int(alloc.sum())]:
        alloc[stratum] += 1
    picked = []
    for stratum, size in sizes.items():
        take = int(min(alloc[stratum], size))
        if take == 0:
            continue
        members = frame.index[frame["source"] == stratum]
        chosen = rng.choice(members, size=take, replace=False)
        picked.append(frame.loc[chosen].assign(probability=take / size, stratum=stratum))
    drawn = pd.concat(picked).sample(frac=1.0, random_state=seed)
    record_coding_sample(store, drawn, name=name, seed=seed)
    return drawn


def record_coding_sample(store: Store, drawn: pd.DataFrame, *, name: str, seed: int) -> None:
    """Record a draw in the store: one row per drawn voice (``drawn`` has ``source``,
    ``voice``, ``probability`` and ``stratum``), so imported codes are matched to it; an
    online voice keeps the fingerprint of its documents (:func:`voice_fingerprints`)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    prints = voice_fingerprints(store, [str(v) for s, v in zip(drawn["source"], drawn["voice"], strict=True)
                                        if s == "online"])
    with store.engine.begin() as conn:
        conn.execute(coding_samples.insert(), [
            {"sample": name, "source": row.source, "voice": row.voice, "probability": float(row.probability),
             "stratum": row.stratum, "drawn_at": now, "seed": seed,
             "documents_hash": prints.get(str(row.voice)) if row.source == "online" else None}
            for row in drawn.itertuples()
        ])


def voice_fingerprints(store: Store, voices: Sequence[str]) -> dict[str, str]:
    """SHA-256 hex of each online voice's documents (URL and content hash of each, in URL
    order; articles left out): it changes when the author's documents are stored, removed
    or changed, and a voice with no document has none. Reads only those authors' documents."""
    digests: dict[str, hashlib._Hash] = {}
    wanted = sorted(set(voices))
    with store.engine.connect() as conn:
        for start in range(0, len(wanted), 500):  # bound the number of bound parameters
            rows = conn.execute(
                sa.select(documents.c.author, documents.c.url, documents.c.content_hash)
                .where(documents.c.author.in_(wanted[start:start + 500]), documents.c.kind.not_in(NOT_VOICES))
                .order_by(documents.c.author, documents.c.url))
            for author, url, content_hash in rows:
                digest = digests.setdefault(str(author), hashlib.sha256())
                digest.update(f"{url}\0{content_hash}\0".encode())
    return {voice: digest.hexdigest() for voice, digest in digests.items()}


def latest_hand_codes(store: Store) -> tuple[str | None, list[Any]]:
    """The store's most recent hand-coded sample and its voices both drawn and coded:
    rows of (source, voice, probability, stratum, topics as JSON, documents_hash);
    (None, []) when nothing was coded."""
    with store.engine.connect() as conn:
        latest = conn.execute(
            sa.select(hand_codes.c.sample).order_by(hand_codes.c.imported_at.desc()).limit(1)
        ).scalar()
        if latest is None:
            return None, []
        rows = conn.execute(
            sa.select(coding_samples.c.source, coding_samples.c.voice, coding_samples.c.probability,
                      coding_samples.c.stratum, hand_codes.c.topics, coding_samples.c.documents_hash)
            .join(hand_codes, sa.and_(hand_codes.c.sample == coding_samples.c.sample,
                                      hand_codes.c.source == coding_samples.c.source,
                                      hand_codes.c.voice == coding_samples.c.voice))
            .where(coding_samples.c.sample == latest)
        ).all()
    return str(latest), list(rows)


def hand_sample(store: Store, voices: pd.DataFrame, topics: list[str]) -> HandSample | None:
    """The hand-coded voices of the store's most recent coded sample, aligned to ``voices``.

    Only voices both drawn and coded count; a drawn voice no longer in ``voices`` is left
    out (its stratum's probability still stands). An online voice whose documents changed
    after it was drawn (:func:`voice_fingerprints` differs from the one kept at the draw)
    is left out too: the person coded its earlier texts, and comparing those codes with the
    coder's on its texts now would count a change of text as a coder's error. Within its
    stratum such voices are taken as missing at random: the inclusion probability of the
    stratum's other coded voices is multiplied by their share of its coded voices (the
    usual weighting-class adjustment for nonresponse in a second phase), and
    :attr:`HandSample.changed` counts them. Returns None when nothing was coded.

    Raises:
        InputError: the person's codes use a topic the coder does not know, so the two
            cannot be compared (code with the same taxonomy, or pass that coder).
    """
    latest, rows = latest_hand_codes(store)
    if latest is None:
        return None
    position = {(s, v): i for i, (s, v) in enumerate(zip(voices["source"], voices["voice"], strict=True))}
    now = voice_fingerprints(store, [row.voice for row in rows if row.source == "online" and row.documents_hash])
    known = set(topics)
    found_rows, codes, probability, stratum, concern = [], [], [], [], []
    coded: dict[str, int] = {}  # per stratum: coded voices in the frame
    changed: dict[str, int] = {}  # per stratum: of those, voices whose documents changed since the draw
    for source, voice, p, h, marked, then in rows:
        at = position.get((source, voice))
        if at is None:
            continue
        coded[h] = coded.get(h, 0) + 1
        if then is not None and now.get(voice) != then:
            changed[h] = changed.get(h, 0) + 1
            continue
        marked_topics = set(json.loads(marked))
        concern.append(1.0 if marked_topics else 0.0)  # OTHER_CODE: a concern outside the taxonomy
        marked_topics.discard(OTHER_CODE)
        unknown = marked_topics - known
        if unknown:
            raise InputError(f"hand-coded sample {latest!r}: topic(s) {', '.join(sorted(unknown))} are not "
                             f"codes of the coder in use ({', '.join(topics)}); use the same taxonomy")
        found_rows.append(at)
        codes.append([1.0 if t in marked_topics else 0.0 for t in topics])
        probability.append(float(p))
        stratum.append(h)
    if not found_rows:
        return None
    kept_share = {h: (coded[h] - changed.get(h, 0)) / coded[h] for h in coded}
    adjusted = [p * kept_share[h] for p, h in zip(probability, stratum, strict=True)]
    return HandSample(rows=np.asarray(found_rows, dtype=int), codes=np.asarray(codes, dtype=float),
                      probability=np.asarray(adjusted, dtype=float), stratum=np.asarray(stratum, dtype=str),
                      topics=list(topics), sample=str(latest), concern=np.asarray(concern, dtype=float),
                      changed=sum(changed.values()))


def pseudo_outcomes(
    y: pd.DataFrame, has_any: pd.Series, hand: HandSample, phase2: np.ndarray | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """The pseudo-outcomes ``ŷ + R/π (y − ŷ)`` of every topic and of "raises any concern".

    ``y``: voices x topics as the coder coded them (columns in ``hand.topics`` order or
    any order containing them); ``has_any``: the coder's any-concern indicator.
    ``phase2``: frequency weights of the hand-coded voices (None: 1).
    Returns float frames with the same index and columns.
    """
    factor = (phase2 if phase2 is not None else np.ones(hand.n)) / hand.probability
    columns = [y.columns.get_loc(t) for t in hand.topics]
    coded = y.to_numpy(dtype=float, copy=True)
    coded_rows = coded[hand.rows][:, columns]
    coded[np.ix_(hand.rows, columns)] = coded_rows + factor[:, None] * (hand.codes - coded_rows)
    tilde = pd.DataFrame(coded, index=y.index, columns=y.columns)
    d = has_any.astype(float).to_numpy().copy()
    truth_any = hand.any_concern
    d[hand.rows] = d[hand.rows] + factor * (truth_any - d[hand.rows])
    return tilde, pd.Series(d, index=has_any.index)


def coder_accuracy(y: pd.DataFrame, hand: HandSample) -> pd.DataFrame:
    """Per topic, the coder against the person on the hand-coded voices (unweighted).

    Columns: topic, coded_by_person (voices the person marked), precision, recall,
    agreement, n (voices coded by the person). Precision is NaN when the coder marked
    none of them, recall when the person marked none.
    """
    rows = []
    for j, topic in enumerate(hand.topics):
        said = y[topic].to_numpy(dtype=bool)[hand.rows]
        truth = hand.codes[:, j] > 0
        tp = int((said & truth).sum())
        rows.append({
            "topic": topic, "coded_by_person": int(truth.sum()),
            "precision": tp / said.sum() if said.any() else float("nan"),
            "recall": tp / truth.sum() if truth.any() else float("nan"),
            "agreement": float((said == truth).mean()) if hand.n else float("nan"),
            "n": hand.n,
        })
    return pd.DataFrame(rows)
