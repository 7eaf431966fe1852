"""How well a topic coder reads texts: scores against hand-labelled texts, and a check of
what a lexicon finds (and misses) in texts nobody labelled.

A labelled file is any table :func:`opinion.files.tables.read_table` reads (CSV in any
encoding and delimiter, or .xlsx) with the columns

* ``text``: what a person wrote;
* ``topics``: the topic codes the text raises, joined by ``;`` (a full-width ``；``
  is read the same); empty when the text raises no concern.

Other columns are ignored. Texts are coded as a report codes them
(:func:`lexicon_coder`): personal data masked, content tokens of the whole text, then
:func:`opinion.text.topics.code_topics`, so a score here is the score of the figures a
report shows.

Scores (:class:`TopicScore`) are the usual multi-label ones, per topic over all texts:
precision = texts coded to the topic that carry its label / texts coded to it; recall =
the same / texts labelled with it; F1 their harmonic mean. Micro-averaged figures pool
the counts of every topic. A precision is None when the coder never gave the topic, a
recall when nobody labelled it.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from opinion.errors import InputError
from opinion.files.tables import Table, read_table
from opinion.text.masking import mask_pii
from opinion.text.segment import Segmenter
from opinion.text.topics import TopicLexicon, code_topics, load_topics

__all__ = [
    "LexiconCheck",
    "LabelledText",
    "TopicEvaluation",
    "TopicScore",
    "check_texts",
    "evaluate_topics",
    "lexicon_coder",
    "read_labelled",
    "read_texts",
    "score_topics",
]

# A coder maps a text to what it found: topic codes, or code -> matched words (a dict
# iterates over its codes, so both shapes score the same).
Coder = Callable[[str], Iterable[str]]


@dataclass(frozen=True)
class LabelledText:
    """One labelled text: its line in the file, the text and the codes it was labelled with."""

    line: int
    text: str
    topics: frozenset[str]


@dataclass(frozen=True)
class TopicScore:
    """One topic's (or the pooled) counts and scores; ``label`` is "" for codes the lexicon lacks."""

    code: str
    label: str
    support: int  # texts labelled with the topic
    coded: int  # texts the coder gave the topic
    hits: int  # texts with both

    @property
    def precision(self) -> float | None:
        return self.hits / self.coded if self.coded else None

    @property
    def recall(self) -> float | None:
        return self.hits / self.support if self.support else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, object]:
        """The scores rounded to four digits, with the counts (for model files and JSON)."""
        def r4(v: float | None) -> float | None:
            return None if v is None else round(v, 4)

        return {"code": self.code, "precision": r4(self.precision), "recall": r4(self.recall), "f1": r4(self.f1),
                "support": self.support, "coded": self.coded}


@dataclass(frozen=True)
class TopicEvaluation:
    """Scores of a coder on one labelled file.

    ``topics``: one score per code of the lexicon, then per code found only in the
    labels (the coder cannot give those, so their recall is 0). ``micro`` pools all of
    them; ``micro_lexicon`` pools only the lexicon's codes (equal to ``micro`` unless
    the labels use codes the lexicon lacks).
    """

    source: str
    texts: int
    topics: tuple[TopicScore, ...]
    labelled_none: int  # texts labelled with no concern
    coded_none: int  # texts the coder gave no topic
    coded_none_with_concern: int  # of those, texts labelled with at least one topic
    labelled_none_coded: int  # texts labelled with no concern that the coder gave a topic anyway
    exact: int  # texts whose coded topics equal their labels
    unknown_codes: tuple[str, ...] = ()  # codes in the labels the lexicon lacks

    @property
    def micro(self) -> TopicScore:
        return _pool("micro", self.topics)

    @property
    def micro_lexicon(self) -> TopicScore:
        return _pool("micro", [s for s in self.topics if s.code not in self.unknown_codes])

    @property
    def macro_f1(self) -> float | None:
        """Mean F1 over the topics that have one."""
        values = [s.f1 for s in self.topics if s.f1 is not None]
        return sum(values) / len(values) if values else None

    @property
    def coded_none_share(self) -> float:
        return self.coded_none / self.texts if self.texts else 0.0


def _pool(code: str, scores: Iterable[TopicScore]) -> TopicScore:
    scores = list(scores)
    return TopicScore(code, "", sum(s.support for s in scores), sum(s.coded for s in scores),
                      sum(s.hits for s in scores))


def lexicon_coder(
    lexicon: TopicLexicon | None = None, segmenter: Segmenter | None = None
) -> Callable[[str], dict[str, list[str]]]:
    """``text -> {code: matched words}`` the way a report codes a voice's text.

    Masked first (the store only ever holds masked text), then the content tokens of the
    whole text (the token cache keeps no clause breaks) through :func:`code_topics`.
    """
    lexicon = lexicon or load_topics()
    segmenter = segmenter or Segmenter.default()

    def code(text: str) -> dict[str, list[str]]:
        return code_topics(segmenter.segment(mask_pii(text)), lexicon)

    return code


def _read(path: Path | str, columns: Sequence[str], what: str) -> tuple[Table, list[tuple[int, dict[str, str]]]]:
    # The header is the row naming the columns, so a title row above it does not matter.
    table = read_table(path, expect=columns)
    table.require(columns, what)
    rows = []
    for number, row in table.rows:
        if "__error__" in row:
            raise InputError(f"{table.where(number)}: {row['__error__']}; fix the row's delimiters or quoting")
        rows.append((number, row))
    return table, rows


def read_labelled(path: Path | str) -> list[LabelledText]:
    """The labelled texts of ``path`` (see the module docstring for the columns).

    Raises:
        InputError: the file cannot be read, lacks ``text`` or ``topics``, has a row of the
            wrong width, or holds no row (each naming the file, and the line where one applies).
    """
    table, rows = _read(path, ["text", "topics"], "a labelled file needs text and topics (codes joined by ';')")
    out = [LabelledText(number, row["text"],
                        frozenset(c.strip() for c in row["topics"].replace("；", ";").split(";") if c.strip()))
           for number, row in rows]
    if not out:
        raise InputError(f"{table.path}: no labelled rows below the header")
    return out


def score_topics(
    labelled: Sequence[Iterable[str]], coded: Sequence[Iterable[str]], lexicon: TopicLexicon, *, source: str = ""
) -> TopicEvaluation:
    """Scores of ``coded`` against ``labelled`` (one collection of codes per text, same order).

    Raises:
        ValueError: the two sequences differ in length.
    """
    if len(labelled) != len(coded):
        raise ValueError(f"{len(labelled)} labelled texts but {len(coded)} coded ones")
    truth = [frozenset(t) for t in labelled]
    found = [frozenset(c) for c in coded]
    unknown = tuple(sorted({c for t in truth for c in t} - set(lexicon.codes)))
    extra = sorted({c for f in found for c in f} - set(lexicon.codes) - set(unknown))
    support: Counter[str] = Counter(c for t in truth for c in t)
    given: Counter[str] = Counter(c for f in found for c in f)
    hits: Counter[str] = Counter(c for t, f in zip(truth, found, strict=True) for c in t & f)
    labels = {code: topic.label for code, topic in lexicon.topics.items()}
    scores = tuple(TopicScore(code, labels.get(code, ""), support[code], given[code], hits[code])
                   for code in (*lexicon.codes, *unknown, *extra))
    return TopicEvaluation(
        source=source,
        texts=len(truth),
        topics=scores,
        labelled_none=sum(not t for t in truth),
        coded_none=sum(not f for f in found),
        coded_none_with_concern=sum(bool(t) and not f for t, f in zip(truth, found, strict=True)),
        labelled_none_coded=sum(not t and bool(f) for t, f in zip(truth, found, strict=True)),
        exact=sum(t == f for t, f in zip(truth, found, strict=True)),
        unknown_codes=unknown,
    )


def evaluate_topics(
    path: Path | str, lexicon: TopicLexicon | None = None, *, coder: Coder | None = None,
    segmenter: Segmenter | None = None,
) -> TopicEvaluation:
    """Score a coder on the labelled file ``path``: the lexicon's (shipped one by default)
    unless ``coder`` is given. ``segmenter``: the shipped one by default.

    Raises:
        InputError: as :func:`read_labelled`.
    """
    lexicon = lexicon or load_topics()
    rows = read_labelled(path)
    code = coder or lexicon_coder(lexicon, segmenter)
    return score_topics([r.topics for r in rows], [list(code(r.text)) for r in rows], lexicon, source=str(path))


@dataclass(frozen=True)
class LexiconCheck:
    """What a lexicon found in a file of texts, for extending it.

    ``matched``: code -> texts coded to it; ``words``: code -> how many texts each word
    matched in (a text counts once per word); ``unmatched``: (where, text) of the texts
    coded to no topic, in file order, text as read (mask it before showing it).
    """

    source: str
    texts: int  # non-empty texts read
    empty: int  # rows whose text cell is blank (not coded, not listed)
    matched: dict[str, int]
    words: dict[str, Counter[str]]
    unmatched: list[tuple[str, str]]


def read_texts(path: Path | str, column: str = "text") -> list[tuple[str, str]]:
    """(where, text) of every row of ``path``'s ``column``, blank ones included; ``where``
    is "line N" in a text file, "row N" in a workbook.

    Raises:
        InputError: the file cannot be read, has no such column (naming the header), or
            has a row of the wrong width (naming the line).
    """
    table, rows = _read(path, [column], "name the column holding the texts")
    return [(f"{table.unit} {number}", row[column]) for number, row in rows]


def check_texts(
    texts: Sequence[tuple[str, str]], lexicon: TopicLexicon | None = None, *,
    coder: Callable[[str], Mapping[str, Sequence[str]]] | None = None, segmenter: Segmenter | None = None,
    source: str = "",
) -> LexiconCheck:
    """Code ``(where, text)`` pairs and count topics and words (see :class:`LexiconCheck`)."""
    lexicon = lexicon or load_topics()
    code = coder or lexicon_coder(lexicon, segmenter)
    matched: Counter[str] = Counter()
    words: dict[str, Counter[str]] = {c: Counter() for c in lexicon.codes}
    unmatched: list[tuple[str, str]] = []
    empty = 0
    for where, text in texts:
        if not text.strip():
            empty += 1
            continue
        found = code(text)
        if not found:
            unmatched.append((where, text))
        for topic, hits in found.items():
            matched[topic] += 1
            words.setdefault(topic, Counter()).update(set(hits))
    return LexiconCheck(source, len(texts) - empty, empty, {c: matched[c] for c in words}, words, unmatched)
