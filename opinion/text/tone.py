"""Tone: how a voice feels about what it raises, from a polarity lexicon with negation.

What it is. Each polar word of the lexicon (``data/lexicon/tone.yaml``: 满意, 方便 ...
positive; 拖欠, 没人管 ... negative) adds its weight to the voice's score, signed. A
*degree* word among the :attr:`ToneLexicon.window` tokens before it multiplies the
weight (太贵 counts more than 贵, 有点贵 less); a *negator* there flips it (不满意 is
negative, scaled by ``negated_positive``; 不担心 is positive, scaled by the smaller
``negated_negative``, because "not worried" is weaker praise than "worried" is
complaint). Two negators cancel. The voice's tone is the sign of the sum: positive,
negative, or neutral when no polar word is found or the words balance.

What it cannot tell. It reads words, not meaning: irony (真是"好"政策), rhetorical
questions (这合法吗？), a complaint told as a plain fact (工资半年没发) and requests
(希望修一修路) are missed or read as neutral; a voice that both thanks and complains
gets the sum. Scores are per voice and pool every text of the voice, so a prolific
writer is still one voice, but a long text weighs more than a short one within it.
The accuracy measured on a hand-labelled sample is in ``data/lexicon/README.md``; use
tone shares to compare groups measured the same way, not as an absolute satisfaction rate.

Input tokens are the segmenter's content tokens (stopwords removed, keep-list words
such as 不, 很, 太 kept); the negators and degree words must be on the keep-list, or
the segmenter drops them before tone sees them.
"""
from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from opinion.errors import InputError
from opinion.files.plain import load_yaml
from opinion.files.resources import data_file
from opinion.text.segment import Segmenter

__all__ = [
    "TONES",
    "Tone",
    "ToneHit",
    "ToneLexicon",
    "default_tone_path",
    "evaluate_tone",
    "load_tone_lexicon",
    "misses",
    "tone_of_text",
    "tone_notes",
    "tone_of_tokens",
    "tone_summary",
    "tone_table",
]

log = logging.getLogger(__name__)

TONES = ("positive", "neutral", "negative")
_BREAK = "，"
_MAX_PHRASE_TOKENS = 4


@dataclass(frozen=True)
class ToneLexicon:
    """Polar words with weights, negators and degree words (passed in, never global)."""

    positive: dict[str, float]
    negative: dict[str, float]
    negators: dict[str, float]
    degree: dict[str, float]
    window: int = 3
    negated_positive: float = 0.8
    negated_negative: float = 0.5
    excess: frozenset[str] = frozenset()
    excess_triggers: frozenset[str] = frozenset()
    reversers: frozenset[str] = frozenset()
    contrast: frozenset[str] = frozenset()
    contrast_weight: float = 1.0
    source: str = field(default="", compare=False)

    def polarity(self, word: str) -> float | None:
        """Signed weight of a polar word, None when the word is not polar."""
        if word in self.negative:
            return -self.negative[word]
        if word in self.positive:
            return self.positive[word]
        return None


@dataclass(frozen=True)
class ToneHit:
    """One polar word found: what matched, its signed contribution, and why."""

    word: str
    value: float
    negated: bool
    degree: float


@dataclass(frozen=True)
class Tone:
    """A voice's or a text's tone: summed score, label and the hits behind it (audit trail)."""

    score: float
    label: str
    hits: tuple[ToneHit, ...] = ()


def default_tone_path() -> Path:
    """The shipped ``data/lexicon/tone.yaml``."""
    return data_file("lexicon", "tone.yaml")


def _weights(path: Path, raw: dict[str, object], key: str) -> dict[str, float]:
    entry = raw.get(key)
    if not isinstance(entry, dict) or not entry:
        raise InputError(f"{path}: '{key}' must be a non-empty mapping of word -> weight, got {entry!r:.80}")
    out: dict[str, float] = {}
    for word, weight in entry.items():
        if not isinstance(word, str) or not word.strip():
            raise InputError(f"{path}: {key} word {word!r} is not a non-empty string")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
            raise InputError(f"{path}: {key} word {word!r} has weight {weight!r}; give a positive number such as 1")
        out[word.strip()] = float(weight)
    return out


def load_tone_lexicon(path: Path | str | None = None) -> ToneLexicon:
    """Read a tone lexicon (see ``data/lexicon/tone.yaml``); the shipped one by default."""
    path = Path(path) if path is not None else default_tone_path()
    raw = load_yaml(path, "tone lexicon not found; pass an existing YAML file")
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected a mapping with positive, negative, negators and degree, got {raw!r:.80}")
    positive, negative = _weights(path, raw, "positive"), _weights(path, raw, "negative")
    both = sorted(set(positive) & set(negative))
    if both:
        raise InputError(f"{path}: word(s) {', '.join(both)} listed as both positive and negative; keep one")
    numbers = {}
    for key, default in (("window", 3), ("negated_positive", 0.8), ("negated_negative", 0.5), ("contrast_weight", 1)):
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise InputError(f"{path}: '{key}' is {value!r}; give a non-negative number")
        numbers[key] = value
    return ToneLexicon(
        positive, negative, _weights(path, raw, "negators"), _weights(path, raw, "degree"),
        window=int(numbers["window"]), negated_positive=float(numbers["negated_positive"]),
        negated_negative=float(numbers["negated_negative"]), contrast_weight=float(numbers["contrast_weight"]),
        excess=_words(path, raw, "excess"), excess_triggers=_words(path, raw, "excess_triggers"),
        reversers=_words(path, raw, "reversers"), contrast=_words(path, raw, "contrast"), source=str(path),
    )


def _words(path: Path, raw: dict[str, object], key: str) -> frozenset[str]:
    entry = raw.get(key) or []
    if not isinstance(entry, list) or not all(isinstance(w, str) and w.strip() for w in entry):
        raise InputError(f"{path}: '{key}' must be a list of words, got {entry!r:.80}")
    return frozenset(w.strip() for w in entry)


def _is_break(token: str) -> bool:
    return bool(token) and all(not ch.isalnum() for ch in token)


def _split_modifier(token: str, lexicon: ToneLexicon) -> tuple[str, str] | None:
    """(modifier, rest) when a token is a negator or degree word glued to a word (太贵, 不难)."""
    for size in (2, 1):
        head, rest = token[:size], token[size:]
        if rest and (head in lexicon.negators or head in lexicon.degree):
            return head, rest
    return None


def _match_at(tokens: Sequence[str], i: int, lexicon: ToneLexicon) -> tuple[str, int] | None:
    """The longest polar word starting at token ``i``: (word, tokens it spans)."""
    best: tuple[str, int] | None = None
    joined = ""
    for j in range(i, min(len(tokens), i + _MAX_PHRASE_TOKENS)):
        if _is_break(tokens[j]):
            break
        joined += tokens[j]
        if lexicon.polarity(joined) is not None and (best is None or len(joined) > len(best[0])):
            best = (joined, j + 1 - i)
    if best is not None:
        return best
    token = tokens[i]
    if len(token) < 3:  # a shorter token holding a two-character word is that word, tried above
        return None
    # A compound token (很满意, 太麻烦了) holding a polar word of two or more characters.
    inner = [w for w in (*lexicon.negative, *lexicon.positive) if len(w) >= 2 and w in token]
    if inner:
        return max(inner, key=len), 1
    return None


def _modifiers(tokens: Sequence[str], i: int, stop: int, lexicon: ToneLexicon) -> tuple[int, float, bool, bool]:
    """Negations, degree product, whether an excess trigger or a reverser precedes token ``i``."""
    negations, degree, excess, reversed_ = 0, 1.0, False, False
    for k in range(i - 1, stop - 1, -1):
        token = tokens[k]
        if token in lexicon.negators:
            negations += 1
            degree *= lexicon.negators[token]
        elif token in lexicon.degree:
            degree *= lexicon.degree[token]
        if token in lexicon.excess_triggers:
            excess = True
        if token in lexicon.reversers:
            reversed_ = True
    return negations, degree, excess, reversed_


def tone_of_tokens(tokens: Sequence[str], lexicon: ToneLexicon) -> Tone:
    """Tone of a token sequence; tokens made only of punctuation end a clause."""
    hits: list[ToneHit] = []
    tokens = list(tokens)
    # Unglue modifiers first (太贵 -> 太 贵, 不难 -> 不 难) unless the whole token is polar.
    expanded: list[str] = []
    for token in tokens:
        parts = _split_modifier(token, lexicon) if lexicon.polarity(token) is None else None
        if parts is not None and (
            lexicon.polarity(parts[1]) is not None or (parts[1] in lexicon.excess and parts[0] in lexicon.excess_triggers)
        ):
            expanded.extend(parts)
        else:
            expanded.append(token)
    tokens = expanded
    clause_start = last_end = 0
    weight = 1.0  # becomes contrast_weight after 但是/就是 ... until the clause ends
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if _is_break(token):
            clause_start = last_end = i + 1
            weight = 1.0
            i += 1
            continue
        if token in lexicon.contrast:
            weight = lexicon.contrast_weight
        match = _match_at(tokens, i, lexicon)
        if match is None:
            if token in lexicon.excess:
                negations, degree, excess, _ = _modifiers(tokens, i, max(clause_start, last_end, i - 1), lexicon)
                if excess and negations == 0:
                    hits.append(ToneHit(token, -degree * weight, False, degree))
                    last_end = i + 1
            i += 1
            continue
        word, width = match
        value = lexicon.polarity(word)
        assert value is not None
        negations, degree, _, _ = _modifiers(tokens, i, max(clause_start, last_end, i - lexicon.window), lexicon)
        _, _, _, reversed_ = _modifiers(tokens, i, max(clause_start, i - lexicon.window), lexicon)
        negated = (negations + (reversed_ and value < 0)) % 2 == 1
        if negated:
            value = -value * (lexicon.negated_positive if value > 0 else lexicon.negated_negative)
        hits.append(ToneHit(word, value * degree * weight, negated, degree))
        last_end = i + width
        i += width
    score = round(sum(h.value for h in hits), 6)
    label = "positive" if score > 0 else "negative" if score < 0 else "neutral"
    return Tone(score, label, tuple(hits))


def tone_of_text(text: str, segmenter: Segmenter, lexicon: ToneLexicon) -> Tone:
    """Tone of one text, its clauses kept apart so a negator never reaches into the next clause."""
    tokens: list[str] = []
    for clause in segmenter.segment_clauses(text):
        tokens.extend(clause)
        tokens.append(_BREAK)
    return tone_of_tokens(tokens, lexicon)


def tone_table(tokens_per_voice: Sequence[Sequence[str]], lexicon: ToneLexicon, index: pd.Index) -> pd.DataFrame:
    """Per voice: ``tone_score``, ``tone`` (positive/neutral/negative) and the polar words found."""
    rows = []
    for tokens in tokens_per_voice:
        tone = tone_of_tokens(tokens, lexicon)
        rows.append({
            "tone_score": tone.score, "tone": tone.label,
            "tone_words": " ".join(("不" if h.negated else "") + h.word for h in tone.hits),
        })
    return pd.DataFrame(rows, index=index, columns=["tone_score", "tone", "tone_words"])


def tone_summary(tones: pd.DataFrame, sources: pd.Series) -> dict[str, dict[str, object]]:
    """Unweighted share of voices of each tone, per source: for the report's notes.

    Unweighted on purpose: it describes what the lexicon read, not the population.
    """
    out: dict[str, dict[str, object]] = {}
    for source in sorted(sources.unique()):
        mine = tones.loc[sources == source, "tone"]
        counts = mine.value_counts()
        out[str(source)] = {
            "voices": int(len(mine)),
            **{tone: round(float(counts.get(tone, 0)) / len(mine), 3) if len(mine) else None for tone in TONES},
        }
    return out


def _read_labelled(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError as exc:
        raise InputError(f"{path}: labelled sample not found") from exc
    for lineno, row in enumerate(rows, 2):
        if row.get("label") not in TONES or not row.get("text"):
            raise InputError(f"{path} line {lineno}: label {row.get('label')!r} is not one of {', '.join(TONES)}")
    return rows


def evaluate_tone(
    path: Path | str, segmenter: Segmenter | None = None, lexicon: ToneLexicon | None = None, *, split: str | None = None
) -> dict[str, object]:
    """Accuracy, and precision/recall per tone, on a ``text,source,label[,split]`` CSV; also per source.

    ``split`` keeps only the rows of that split (``dev``: the rows the lexicon was tuned
    on; ``holdout``: rows written after tuning, never used to change the lexicon).

    Texts go through the same path as in a report: content tokens, then
    :func:`tone_of_tokens` (clause breaks are not kept in the token cache).
    """
    segmenter = segmenter or Segmenter.default()
    lexicon = lexicon or load_tone_lexicon()
    rows = [r for r in _read_labelled(Path(path)) if split is None or r.get("split") == split]
    if not rows:
        raise InputError(f"{path}: no rows with split {split!r}")
    predicted = [tone_of_tokens(segmenter.segment(r["text"]), lexicon).label for r in rows]
    result = _scores([r["label"] for r in rows], predicted)
    for source in sorted({r.get("source") or "" for r in rows}):
        keep = [i for i, r in enumerate(rows) if (r.get("source") or "") == source]
        result[f"accuracy_{source}"] = _scores([rows[i]["label"] for i in keep], [predicted[i] for i in keep])["accuracy"]
        result[f"n_{source}"] = len(keep)
    return result


def _scores(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, object]:
    out: dict[str, object] = {"n": len(truth)}
    out["accuracy"] = round(sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth), 3) if truth else None
    for tone in TONES:
        tp = sum(t == p == tone for t, p in zip(truth, predicted, strict=True))
        said = sum(p == tone for p in predicted)
        real = sum(t == tone for t in truth)
        out[f"precision_{tone}"] = round(tp / said, 3) if said else None
        out[f"recall_{tone}"] = round(tp / real, 3) if real else None
    return out


def misses(
    path: Path | str, segmenter: Segmenter | None = None, lexicon: ToneLexicon | None = None
) -> Iterable[tuple[str, str, str, str]]:
    """(label, predicted, text, tokens) of every wrongly read sentence: for lexicon editing."""
    segmenter = segmenter or Segmenter.default()
    lexicon = lexicon or load_tone_lexicon()
    for row in _read_labelled(Path(path)):
        tokens = segmenter.segment(row["text"])
        tone = tone_of_tokens(tokens, lexicon)
        if tone.label != row["label"]:
            yield row["label"], tone.label, row["text"], " ".join(tokens)


_CAVEAT = {
    "zh": "语气由词典判断（满意、方便为正面，拖欠、没人管为负面，含否定和程度词），未加权；"
          "在人工标注的样本上约三分之二判断正确，读不出反语和以事实陈述的抱怨，只宜用于组间比较。",
    "en": "Tone is read from a word lexicon (with negation and degree words), unweighted; about two in three "
          "hand-labelled unseen sentences were read right; irony and complaints told as plain facts are missed. "
          "Compare groups with it, do not read it as a satisfaction rate.",
}


def tone_notes(tones: pd.DataFrame, sources: pd.Series, lang: str = "zh") -> dict[str, object]:
    """The report's tone note: shares of voices per tone and source, and what they cannot tell."""
    return {**tone_summary(tones, sources), "caveat": _CAVEAT.get(lang, _CAVEAT["en"])}
