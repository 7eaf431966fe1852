"""How well a topic coder reads texts: labelled examples, scores against them, and a
check of what a coder finds (and misses) in texts nobody labelled.

Labelled examples (:func:`read_examples`) are any table
:func:`opinion.files.tables.read_table` reads (CSV in any encoding and delimiter, or
.xlsx) with a text column and either

* a ``topics`` column: the topic codes the text raises, joined by ``;`` (a full-width
  ``；`` is read the same); empty when the text raises no concern; or
* one 0/1 column per topic, named by its code.

Other columns are ignored. The same reader serves training a coder
(:func:`opinion.text.coder.train_coder`, which needs a few texts with and without each
topic) and scoring one (:func:`score_coder`, :func:`evaluate_topics`). Texts are coded as
a report codes them: personal data masked, the content tokens of the whole text, then
the coder (the lexicon's :func:`opinion.text.topics.code_topics`, or a learned model), so
a score here is the score of the figures a report shows.

Scores (:class:`TopicScore`) are the usual multi-label ones, per topic over all texts:
precision = texts coded to the topic that carry its label / texts coded to it; recall =
the same / texts labelled with it; F1 their harmonic mean. Micro-averaged figures pool
the counts of every topic. A precision is None when the coder never gave the topic, a
recall when nobody labelled it.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from opinion.errors import InputError
from opinion.files.tables import Table, read_table
from opinion.text.masking import mask_pii
from opinion.text.segment import Segmenter
from opinion.text.topics import LexiconCoder, TopicCoder, TopicLexicon, load_topics

__all__ = [
    "Examples",
    "LexiconCheck",
    "Scores",
    "TopicScore",
    "check_texts",
    "evaluate_topics",
    "read_examples",
    "read_texts",
    "score_coder",
    "scores_of",
]

CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")  # what a topic code may look like


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


@dataclass(frozen=True, eq=False)
class Examples:
    """Labelled texts: ``labels`` is texts x codes (bool), rows in file order; ``lines`` the
    file line (or sheet row) of each text."""

    source: str
    texts: tuple[str, ...]
    lines: tuple[int, ...]
    codes: tuple[str, ...]
    labels: np.ndarray
    sha256: str = ""

    def __len__(self) -> int:
        return len(self.texts)

    def topics_of(self, i: int) -> frozenset[str]:
        return frozenset(c for c, on in zip(self.codes, self.labels[i], strict=True) if on)


def _split_codes(cell: str) -> list[str]:
    return [c.strip() for c in cell.replace("；", ";").split(";") if c.strip()]


def _ordered(first_line: Mapping[str, int]) -> tuple[str, ...]:
    """Codes in the shipped lexicon's order (as reports show them), then the others as first labelled."""
    try:
        known = load_topics().codes
    except InputError:  # a broken shipped lexicon must not stop training
        known = ()
    return (*[c for c in known if c in first_line],
            *sorted((c for c in first_line if c not in known), key=lambda c: first_line[c]))


def read_examples(
    path: Path | str, *, text_column: str = "text", labels: str | Sequence[str] = "topics", min_examples: int = 0,
) -> Examples:
    """Labelled examples from a table file (CSV in any encoding, or .xlsx).

    ``labels``: one column name (codes joined by ``;``, blank for no concern) or several
    (a string with commas, or a sequence): one 0/1 column per topic, the column name being
    the code (blank counts as 0). Codes of a topics column come in the shipped lexicon's
    order, then the others in the order first labelled. ``min_examples``: each topic
    needs this many texts with it and as many without it (what learning a topic needs;
    0 for scoring).

    Raises:
        InputError: the file is missing, empty or unreadable; a column is missing; a row
            has the wrong width or a blank text; a label value is not a code (letters,
            digits, _) or not 0/1; there are no rows; or a topic has fewer than
            ``min_examples`` texts with it or without it (each naming file and line).
    """
    columns = [c.strip() for c in labels.split(",")] if isinstance(labels, str) else [c.strip() for c in labels]
    columns = [c for c in columns if c]
    if not columns:
        raise InputError("--labels: name the topics column, or the 0/1 columns separated by commas")
    binary = len(columns) > 1 or (isinstance(labels, str) and "," in labels) or not isinstance(labels, str)
    # The header is the row naming the columns, so a title row above it does not matter.
    table = read_table(path, expect=[text_column, *columns])
    what = ("a labelled file needs a text column and either a topics column (codes joined by ';') or one 0/1 "
            "column per topic (--labels COL1,COL2)")
    table.require([text_column, *columns], what)
    if binary:
        for column in columns:
            if not CODE_RE.match(column):
                raise InputError(f"{table.path}: column {column!r} cannot be a topic code; "
                                 "use letters, digits and _ (e.g. healthcare)")
    texts: list[str] = []
    lines: list[int] = []
    rows: list[list[str]] = []
    first_line: dict[str, int] = {}
    for number, row in table.rows:
        if "__error__" in row:
            raise InputError(f"{table.where(number)}: {row['__error__']}; fix the row's delimiters or quoting")
        text = row[text_column].strip()
        if not text:
            raise InputError(f"{table.where(number)}: the {text_column} cell is blank; remove the row or fill it in")
        if binary:
            found = []
            for column in columns:
                value = row[column].strip()
                if value not in ("", "0", "1"):
                    raise InputError(f"{table.where(number)}: column {column} holds {value!r}; use 1 (raises the topic) "
                                     "or 0 / blank (does not)")
                if value == "1":
                    found.append(column)
        else:
            found = _split_codes(row[columns[0]])
            for code in found:
                if not CODE_RE.match(code):
                    raise InputError(f"{table.where(number)}: {columns[0]} value {code!r} is not a topic code; codes are "
                                     "letters, digits and _ (e.g. healthcare), joined by ';'")
        for code in found:
            first_line.setdefault(code, number)
        texts.append(text)
        lines.append(number)
        rows.append(found)
    if not texts:
        raise InputError(f"{table.path}: no labelled rows below the header")
    codes = tuple(columns) if binary else _ordered(first_line)
    if not codes:
        raise InputError(f"{table.path}: no row names a topic; label the texts' topics in {columns[0]!r}")
    matrix = np.array([[c in found for c in codes] for found in rows], dtype=bool)
    for j, code in enumerate(codes):
        positives = int(matrix[:, j].sum())
        if positives < min_examples:
            where = f" (line {first_line[code]})" if code in first_line else ""
            raise InputError(f"{table.path}{where}: topic {code!r} labels {positives} text(s); label at least "
                             f"{min_examples} (or fix the code if it is a typo)")
        if len(texts) - positives < min_examples:
            raise InputError(f"{table.path}: topic {code!r} labels {positives} of {len(texts)} texts; "
                             f"at least {min_examples} texts without it are needed to learn it")
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return Examples(str(path), tuple(texts), tuple(lines), codes, matrix, digest)




@dataclass(frozen=True)
class Scores:
    """A coder's scores on labelled texts: per topic, pooled (``micro``) and how many texts
    were labelled / coded with no topic. ``folds`` > 0: out-of-fold (cross-validated)
    scores, ``note`` saying why fewer folds than asked were used.

    ``topics``: one score per code of the labels, then per code only the coder has.
    ``unknown_codes``: codes in the labels the coder lacks (their recall is 0);
    ``micro_known`` pools the other codes only.
    """

    texts: int
    topics: tuple[TopicScore, ...]
    labelled_none: int  # texts labelled with no concern
    coded_none: int  # texts the coder gave no topic
    folds: int = 0
    note: str = ""
    source: str = ""
    coded_none_with_concern: int = 0  # texts coded to no topic although labelled with one
    labelled_none_coded: int = 0  # texts labelled with no concern that the coder gave a topic anyway
    exact: int = 0  # texts whose coded topics equal their labels
    unknown_codes: tuple[str, ...] = ()

    @property
    def micro_known(self) -> TopicScore:
        return _pool([s for s in self.topics if s.code not in self.unknown_codes])

    @property
    def coded_none_share(self) -> float:
        return self.coded_none / self.texts if self.texts else 0.0

    @property
    def micro(self) -> TopicScore:
        return _pool(self.topics)

    @property
    def macro_f1(self) -> float | None:
        values = [s.f1 for s in self.topics if s.f1 is not None]
        return sum(values) / len(values) if values else None

    def as_dict(self) -> dict[str, object]:
        return {"texts": self.texts, "folds": self.folds, "note": self.note,
                "labelled_none": self.labelled_none, "coded_none": self.coded_none,
                "coded_none_with_concern": self.coded_none_with_concern, "exact": self.exact,
                "micro": self.micro.as_dict(), "topics": [s.as_dict() for s in self.topics]}


def _pool(scores: Sequence[TopicScore]) -> TopicScore:
    return TopicScore("micro", "", sum(s.support for s in scores), sum(s.coded for s in scores),
                      sum(s.hits for s in scores))


def scores_of(labels: np.ndarray, coded: np.ndarray, codes: Sequence[str], labels_of: Mapping[str, str],
              *, folds: int = 0, note: str = "", source: str = "", unknown: Sequence[str] = ()) -> Scores:
    """Scores of ``coded`` against ``labels`` (both texts x codes, bool, columns ``codes``)."""
    labelled, found = labels.any(axis=1), coded.any(axis=1)
    topics = tuple(
        TopicScore(code, labels_of.get(code, code), int(labels[:, j].sum()), int(coded[:, j].sum()),
                   int((labels[:, j] & coded[:, j]).sum()))
        for j, code in enumerate(codes)
    )
    return Scores(len(labels), topics, int((~labelled).sum()), int((~found).sum()), folds, note, source,
                  coded_none_with_concern=int((labelled & ~found).sum()),
                  labelled_none_coded=int((~labelled & found).sum()),
                  exact=int((labels == coded).all(axis=1).sum()), unknown_codes=tuple(unknown))


def score_coder(coder: TopicCoder, examples: Examples, segmenter: Segmenter | None = None) -> Scores:
    """Scores of ``coder`` on labelled ``examples`` (texts masked and segmented as in a report).

    Topics come in the coder's order (a report's), then the codes in the labels that the
    coder lacks (recall 0, label ""); codes the coder has but no label uses are scored too
    (support 0).
    """
    segmenter = segmenter or Segmenter.default()
    unknown = [c for c in examples.codes if c not in coder.codes]
    codes = (*coder.codes, *unknown)
    column = {c: j for j, c in enumerate(codes)}
    labels = np.zeros((len(examples), len(codes)), dtype=bool)
    for j, code in enumerate(examples.codes):
        labels[:, column[code]] = examples.labels[:, j]
    coded = np.zeros_like(labels)
    for i, text in enumerate(examples.texts):
        for code in coder.code_tokens(segmenter.segment(mask_pii(text))):
            coded[i, column[code]] = True
    names = {c: coder.topics[c].label for c in coder.codes} | {c: "" for c in unknown}
    return scores_of(labels, coded, codes, names, source=examples.source, unknown=unknown)


def evaluate_topics(
    path: Path | str, coder: TopicCoder | TopicLexicon | None = None, *, segmenter: Segmenter | None = None,
    text_column: str = "text", labels: str | Sequence[str] = "topics",
) -> Scores:
    """Score ``coder`` (the shipped lexicon by default; a lexicon or any
    :class:`opinion.text.topics.TopicCoder`) on the labelled file ``path``.

    Raises:
        InputError: as :func:`read_examples`.
    """
    if coder is None or isinstance(coder, TopicLexicon):
        coder = LexiconCoder(coder or load_topics())
    return score_coder(coder, read_examples(path, text_column=text_column, labels=labels), segmenter)


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
    texts: Sequence[tuple[str, str]], coder: TopicCoder | TopicLexicon | None = None, *,
    segmenter: Segmenter | None = None, source: str = "",
) -> LexiconCheck:
    """Code ``(where, text)`` pairs as a report does (masked, segmented, then ``coder``: the
    shipped lexicon by default) and count topics and their evidence (see :class:`LexiconCheck`)."""
    if coder is None or isinstance(coder, TopicLexicon):
        coder = LexiconCoder(coder or load_topics())
    segmenter = segmenter or Segmenter.default()
    matched: Counter[str] = Counter()
    words: dict[str, Counter[str]] = {c: Counter() for c in coder.codes}
    unmatched: list[tuple[str, str]] = []
    empty = 0
    for where, text in texts:
        if not text.strip():
            empty += 1
            continue
        found = coder.code_tokens(segmenter.segment(mask_pii(text)))
        if not found:
            unmatched.append((where, text))
        for topic, hits in found.items():
            matched[topic] += 1
            words.setdefault(topic, Counter()).update(set(hits))
    return LexiconCheck(source, len(texts) - empty, empty, {c: matched[c] for c in words}, words, unmatched)
