"""Topic coders, interchangeable wherever topics are coded: the lexicon, or a linear model
learned from the user's labelled examples.

The interface (:class:`TopicCoder`). A coder has

* ``codes``: the topic codes it can give, in a fixed order (the columns of a report);
* ``topics``: code -> an object with ``label`` (Chinese) and ``label_en``;
* ``fingerprint``: SHA-256 hex of what decides its codes, so a report names the coder
  that coded it;
* ``name``: one line saying what it is (``lexicon topics.yaml``, ``learned model m.json``);
* ``code_tokens(tokens)``: code -> evidence for each topic the tokens are coded to (a
  topic not coded is absent). Tokens are one voice's content tokens from
  :class:`opinion.text.segment.Segmenter` (the store's texts are already masked).

:class:`LexiconCoder` wraps a :class:`opinion.text.topics.TopicLexicon` unchanged: its
evidence is the matched words (:func:`opinion.text.topics.code_topics`).
:class:`LearnedCoder` is the model below: its evidence is the tokens that weighed most
towards the decision.

The learned model. Texts are masked (:func:`opinion.text.masking.mask_pii`), normalised
and segmented by the shipped :class:`Segmenter`, exactly as a report's voices are. Each
token list becomes a TF-IDF vector over *features*: every token (``w:医院``) and every
character and character bigram inside a token (``c:医``, ``c:医院``), with sublinear term
frequency ``1 + ln(count)``, smooth idf ``ln((1 + n) / (1 + df)) + 1`` and unit length.
Character features carry a topic across words never seen in training (看病 and 病房
share 病) and across segmentation differences. One logistic regression per topic
(one-vs-rest, class-balanced, L2, C=10) gives a score ``x . coef + intercept``; the topic is
coded when the score reaches the topic's threshold. Thresholds are chosen to maximise
each topic's F1 on out-of-fold scores (scores from models that never saw the text),
because with a few dozen examples per topic the default threshold codes far too little.
docs/coder.md gives the measurements behind these choices.

Evidence. A coded topic's evidence is up to :data:`EVIDENCE` tokens of the voice, in
order of their weight towards the topic: each feature's share of the score, its tf-idf
value times its coefficient, is split over the tokens it was drawn from (a token feature
belongs to its token, a character feature to the tokens that contain it, in proportion
to how often each does), and only tokens with positive weight are listed.

The model file is JSON, never a pickle: loading it cannot run code, predicting needs
only numpy, and every weight can be read. It holds the vocabulary, idf, each topic's
coefficients, intercept, threshold, label and strongest features, the segmenter
settings it was trained under, the cross-validated scores, and a fingerprint over
everything that decides a code (labels may be edited; weights may not, or the file is
refused). See :meth:`LearnedCoder.to_json`.

Training data (:func:`opinion.text.evaluation.read_examples`, the one reader of labelled
texts, with ``min_examples=MIN_EXAMPLES``): any table :func:`opinion.files.tables.read_table`
reads, with a text column and either a ``topics`` column of codes joined by ``;`` or one
0/1 column per topic. A row with no topic says "no concern". Scores come from
:mod:`opinion.text.evaluation` too, so a coder's cross-validated scores and its scores
on a held-out file are counted the same way.
"""
from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from opinion.errors import InputError
from opinion.text.evaluation import CODE_RE, Examples, Scores, TopicScore, read_examples, score_coder, scores_of
from opinion.text.masking import mask_pii
from opinion.text.segment import Segmenter
from opinion.text.topics import LexiconCoder, TopicCoder, TopicLabels, TopicLexicon, load_topics, sha256_json

if TYPE_CHECKING:
    import scipy.sparse

__all__ = [
    "EVIDENCE",
    "FORMAT",
    "CoderTopic",
    "Examples",
    "LearnedCoder",
    "LexiconCoder",
    "ModelSettings",
    "Scores",
    "TopicCoder",
    "TopicScore",
    "as_coder",
    "default_coder_path",
    "load_coder",
    "read_examples",
    "score_coder",
    "segmenter_mismatch",
    "train_coder",
]

log = logging.getLogger(__name__)

EVIDENCE = 5  # evidence tokens per coded topic
FORMAT = "tongxin-topic-coder"
VERSION = 1
MIN_EXAMPLES = 2  # a topic needs this many labelled texts, and as many without it, to be learned


@dataclass(frozen=True)
class CoderTopic:
    """A learned topic's code and labels."""

    code: str
    label: str
    label_en: str


# --- features -------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelSettings:
    """How the learned model is built; the defaults are the ones chosen by cross-validation (docs/coder.md).

    ``model``: ``logistic`` (logistic regression) or ``svm`` (linear support vector
    machine, hinge loss); ``c``: inverse regularisation strength; ``chars``: the lengths
    of the character n-grams taken inside tokens, ``()`` for tokens only;
    ``balanced``: weight each topic's two classes equally; ``tune_thresholds``: choose
    each topic's threshold by out-of-fold F1 (else 0, the model's own boundary);
    ``inner_folds``: folds inside each training part that choose those thresholds.
    """

    model: Literal["logistic", "svm"] = "logistic"
    c: float = 10.0
    chars: tuple[int, ...] = (1, 2)
    balanced: bool = True
    tune_thresholds: bool = True
    inner_folds: int = 3
    seed: int = 20201101


def _feature_counts(tokens: Sequence[str], chars: Sequence[int]) -> tuple[Counter[str], dict[str, Counter[str]]]:
    """Feature -> count, and feature -> {token: count} (which tokens each feature came from)."""
    counts: Counter[str] = Counter()
    owners: dict[str, Counter[str]] = {}
    for token, n in Counter(tokens).items():
        drawn: Counter[str] = Counter({"w:" + token: 1})
        for size in chars:
            for i in range(len(token) - size + 1):
                drawn["c:" + token[i : i + size]] += 1
        for feature, k in drawn.items():
            counts[feature] += k * n
            owners.setdefault(feature, Counter())[token] += k * n
    return counts, owners


def _tfidf(counts: Mapping[str, int], position: Mapping[str, int], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(column indices, unit-length tf-idf values) of the known features in ``counts``."""
    cols, vals = [], []
    for feature, n in counts.items():
        j = position.get(feature)
        if j is not None:
            cols.append(j)
            vals.append((1.0 + math.log(n)) * idf[j])
    values = np.asarray(vals, dtype=float)
    norm = float(np.sqrt(values @ values)) if len(values) else 0.0
    return np.asarray(cols, dtype=np.int64), (values / norm if norm else values)


def _fit_vocabulary(docs: Sequence[Counter[str]]) -> tuple[list[str], np.ndarray]:
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(doc.keys())
    vocabulary = sorted(df)
    n = len(docs)
    idf = np.array([math.log((1 + n) / (1 + df[f])) + 1.0 for f in vocabulary], dtype=float)
    return vocabulary, idf


def _matrix(docs: Sequence[Counter[str]], position: Mapping[str, int], idf: np.ndarray) -> scipy.sparse.csr_matrix:
    import scipy.sparse

    indptr, indices, data = [0], [], []
    for doc in docs:
        cols, vals = _tfidf(doc, position, idf)
        indices.extend(cols.tolist())
        data.extend(vals.tolist())
        indptr.append(len(indices))
    return scipy.sparse.csr_matrix((data, indices, indptr), shape=(len(docs), len(position)))


# --- the learned coder ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LearnedCoder:
    """A linear model per topic over TF-IDF features of tokens (see the module docstring).

    Arrays: ``idf`` (features,), ``coef`` (topics x features), ``intercept`` and
    ``thresholds`` (topics,), in the order of ``codes`` and ``vocabulary``. Build one with
    :func:`train_coder` or :meth:`load`.
    """

    topic_list: tuple[CoderTopic, ...]
    vocabulary: tuple[str, ...]
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    thresholds: np.ndarray
    chars: tuple[int, ...]
    segmenter_fingerprint: str
    segmenter_settings: dict[str, Any] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    validation: dict[str, Any] = field(default_factory=dict)
    source: str = ""

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.topic_list)

    @property
    def topics(self) -> Mapping[str, TopicLabels]:
        return {t.code: t for t in self.topic_list}

    @cached_property
    def position(self) -> dict[str, int]:
        return {f: j for j, f in enumerate(self.vocabulary)}

    def _decisive(self) -> dict[str, object]:
        """Everything that decides a code: what the fingerprint covers."""
        return {
            "codes": list(self.codes), "vocabulary": list(self.vocabulary), "idf": self.idf.tolist(),
            "coef": self.coef.tolist(), "intercept": self.intercept.tolist(), "thresholds": self.thresholds.tolist(),
            "chars": list(self.chars), "segmenter": self.segmenter_fingerprint,
        }

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the vocabulary, weights, thresholds, features and segmenter (labels left out)."""
        return sha256_json(self._decisive())

    @property
    def name(self) -> str:
        where = Path(self.source).name if self.source else "in memory"
        return f"learned model {where}"

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """Decision scores ``x . coef + intercept``, shape (topics,); coded where >= ``thresholds``."""
        counts, _ = _feature_counts(tokens, self.chars)
        cols, vals = _tfidf(counts, self.position, self.idf)
        return self.coef[:, cols] @ vals + self.intercept

    def code_tokens(self, tokens: Sequence[str]) -> dict[str, list[str]]:
        """Code -> up to :data:`EVIDENCE` tokens that weighed most towards it, for each coded topic."""
        counts, owners = _feature_counts(tokens, self.chars)
        cols, vals = _tfidf(counts, self.position, self.idf)
        if not len(cols):
            coded = np.flatnonzero(self.intercept >= self.thresholds)
            return {self.codes[k]: [] for k in coded}
        contributions = self.coef[:, cols] * vals  # topics x present features
        scores = contributions.sum(axis=1) + self.intercept
        coded = np.flatnonzero(scores >= self.thresholds)
        if not len(coded):
            return {}
        known = [f for f in counts if f in self.position]  # the order of cols
        out: dict[str, list[str]] = {}
        for k in coded:
            weight: dict[str, float] = {}
            for feature, value in zip(known, contributions[k], strict=True):
                drawn = owners[feature]
                total = sum(drawn.values())
                for token, n in drawn.items():
                    weight[token] = weight.get(token, 0.0) + value * n / total
            ranked = sorted((w, -i, t) for i, (t, w) in enumerate(weight.items()) if w > 0)
            out[self.codes[k]] = [t for _, _, t in reversed(ranked[-EVIDENCE:])]
        return out

    def code_text(self, text: str, segmenter: Segmenter | None = None) -> dict[str, list[str]]:
        """Code one raw text: masked, then segmented as a report's voices are (the shipped segmenter by default)."""
        return self.code_tokens((segmenter or _default_segmenter()).segment(mask_pii(text)))

    def strongest(self, k: int, n: int = 15) -> list[list[object]]:
        """The ``n`` features with the largest positive coefficients for topic ``k``: [feature, coef, idf]."""
        order = np.argsort(-self.coef[k], kind="stable")[:n]
        return [[self.vocabulary[j], round(float(self.coef[k, j]), 4), round(float(self.idf[j]), 4)]
                for j in order if self.coef[k, j] > 0]

    def to_json(self) -> str:
        """The model file: JSON with the fields described in docs/coder.md."""
        document = {
            "format": FORMAT,
            "version": VERSION,
            "fingerprint": self.fingerprint,
            "model": self.model,
            "features": {"tokens": True, "chars_in_tokens": list(self.chars), "tf": "1+ln(count)",
                         "idf": "ln((1+n)/(1+df))+1", "norm": "l2"},
            "segmenter": {**self.segmenter_settings, "fingerprint": self.segmenter_fingerprint},
            "training": self.training,
            "validation": self.validation,
            "topics": [
                {"code": t.code, "label": t.label, "label_en": t.label_en,
                 "intercept": float(self.intercept[k]), "threshold": float(self.thresholds[k]),
                 "strongest": self.strongest(k), "coef": self.coef[k].tolist()}
                for k, t in enumerate(self.topic_list)
            ],
            "vocabulary": list(self.vocabulary),
            "idf": self.idf.tolist(),
        }
        return json.dumps(document, ensure_ascii=False, indent=1) + "\n"

    def save(self, path: Path | str) -> Path:
        """Write :meth:`to_json` to ``path`` (UTF-8) and return the path."""
        path = Path(path)
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @classmethod
    def from_json(cls, text: str, source: str = "<model>") -> LearnedCoder:
        """Read a model file's text (see :meth:`to_json`); never runs code.

        Raises:
            InputError: not JSON, not a tongxin coder file, a field missing or of the
                wrong shape, a weight that is not a finite number, or weights that do not
                match the fingerprint (each naming ``source``).
        """
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{source}: not a topic coder file (invalid JSON at line {exc.lineno} column {exc.colno}); "
                             "train one with `tongxin code train`") from exc
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise InputError(f"{source}: not a topic coder file (no \"format\": \"{FORMAT}\"); "
                             "train one with `tongxin code train`")
        if doc.get("version") != VERSION:
            raise InputError(f"{source}: coder file version {doc.get('version')!r}; this tongxin reads version {VERSION}")
        try:
            vocabulary = _strings(doc["vocabulary"], "vocabulary")
            idf = _numbers(doc["idf"], "idf", len(vocabulary))
            topics = doc["topics"]
            if not isinstance(topics, list) or not topics:
                raise ValueError("'topics' must be a non-empty list")
            topic_list, coef, intercept, thresholds = [], [], [], []
            for i, entry in enumerate(topics):
                if not isinstance(entry, dict):
                    raise ValueError(f"topic {i + 1} is not an object")
                code = entry["code"]
                if not isinstance(code, str) or not CODE_RE.match(code):
                    raise ValueError(f"topic {i + 1} has no valid 'code'")
                label = entry.get("label") or code
                label_en = entry.get("label_en") or code
                if not isinstance(label, str) or not isinstance(label_en, str):
                    raise ValueError(f"topic {code!r}: 'label' and 'label_en' must be text")
                topic_list.append(CoderTopic(code, label, label_en))
                coef.append(_numbers(entry["coef"], f"topic {code!r} 'coef'", len(vocabulary)))
                intercept.append(_number(entry["intercept"], f"topic {code!r} 'intercept'"))
                thresholds.append(_number(entry["threshold"], f"topic {code!r} 'threshold'"))
            if len({t.code for t in topic_list}) != len(topic_list):
                raise ValueError("a topic code appears twice")
            features = doc["features"]
            chars = tuple(int(c) for c in features["chars_in_tokens"])
            if not all(1 <= c <= 10 for c in chars):
                raise ValueError("'features.chars_in_tokens' must hold lengths from 1 to 10")
            segmenter = doc["segmenter"]
            if not isinstance(segmenter, dict) or not isinstance(segmenter.get("fingerprint"), str):
                raise ValueError("'segmenter.fingerprint' is missing")
            fingerprint = doc["fingerprint"]
        except KeyError as exc:
            raise InputError(f"{source}: malformed topic coder file (field {exc.args[0]!r} missing); "
                             "train it again with `tongxin code train`") from exc
        except (TypeError, ValueError) as exc:
            raise InputError(f"{source}: malformed topic coder file ({exc}); train it again with `tongxin code train`") from exc
        coder = cls(
            topic_list=tuple(topic_list), vocabulary=tuple(vocabulary), idf=idf, coef=np.vstack(coef),
            intercept=np.asarray(intercept, dtype=float), thresholds=np.asarray(thresholds, dtype=float), chars=chars,
            segmenter_fingerprint=segmenter["fingerprint"],
            segmenter_settings={k: v for k, v in segmenter.items() if k != "fingerprint"},
            model=doc.get("model") or {}, training=doc.get("training") or {}, validation=doc.get("validation") or {},
            source=source,
        )
        if coder.fingerprint != fingerprint:
            raise InputError(f"{source}: the weights do not match the file's fingerprint (edited or damaged); "
                             "train it again with `tongxin code train` (labels may be edited, weights may not)")
        return coder

    @classmethod
    def load(cls, path: Path | str) -> LearnedCoder:
        """Read a model file (see :meth:`from_json`).

        Raises:
            InputError: the file is missing, not UTF-8, or malformed (see :meth:`from_json`).
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise InputError(f"{path}: no such coder file; train one with `tongxin code train`") from exc
        except IsADirectoryError as exc:
            raise InputError(f"{path}: is a folder; pass a coder file (.json)") from exc
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not a topic coder file (not UTF-8 text)") from exc
        return cls.from_json(text, str(path))


def _strings(value: object, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"'{what}' must be a list of text")
    return value


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, not {value!r:.40}")
    return float(value)


def _numbers(value: object, what: str, length: int) -> np.ndarray:
    if not isinstance(value, list) or len(value) != length:
        raise ValueError(f"{what} must be a list of {length} numbers (one per vocabulary entry)")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} holds something that is not a number") from exc
    if array.ndim != 1 or not np.isfinite(array).all() or any(isinstance(v, bool) for v in value):
        raise ValueError(f"{what} holds something that is not a finite number")
    return array


_SEGMENTER: Segmenter | None = None


def _default_segmenter() -> Segmenter:
    global _SEGMENTER
    if _SEGMENTER is None:
        _SEGMENTER = Segmenter.default()
    return _SEGMENTER


# --- choosing a coder -----------------------------------------------------------------


def as_coder(coder: TopicCoder | TopicLexicon | None = None) -> TopicCoder:
    """A :class:`TopicCoder`: the shipped lexicon for None, a lexicon wrapped, a coder as is."""
    if coder is None:
        return LexiconCoder(load_topics())
    if isinstance(coder, TopicLexicon):
        return LexiconCoder(coder)
    return coder


def load_coder(path: Path | str | None = None) -> TopicCoder:
    """The coder in ``path``: a learned model (JSON), or a lexicon (``.yaml``/``.yml``);
    the shipped lexicon when None.

    Raises:
        InputError: the file is missing or malformed (one line naming it).
    """
    if path is None:
        return as_coder(None)
    if Path(path).suffix.lower() in (".yaml", ".yml"):
        return LexiconCoder(load_topics(path))
    return LearnedCoder.load(path)


def default_coder_path(db: str) -> Path | None:
    """Where ``tongxin code train`` writes a model by default: beside the store,
    ``<store>.coder.json``; None for a database URL (no file to sit beside)."""
    if "://" in db:
        return None
    path = Path(db)
    return path.with_name(path.name + ".coder.json")


def segmenter_mismatch(coder: TopicCoder, segmenter: Segmenter) -> str | None:
    """A warning when ``coder`` was trained on tokens of another segmenter configuration, else None."""
    trained = getattr(coder, "segmenter_fingerprint", None)
    if trained is None or trained == segmenter.fingerprint():
        return None
    return (f"{coder.name} was trained with another segmenter configuration (user dictionaries, stopwords or "
            "keep-list differ); its codes may be less accurate on these tokens; train it again")


# --- training and scoring -------------------------------------------------------------


def _fold_of(labels: np.ndarray, k: int, seed: int) -> np.ndarray:
    """A fold number per row, each topic's texts spread evenly over the folds (rarest topic first)."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(labels))
    fold = np.full(len(labels), -1)
    held = np.zeros((k, labels.shape[1]))
    for j in np.argsort(labels.sum(axis=0), kind="stable"):
        for i in order:
            if fold[i] < 0 and labels[i, j]:
                f = int(np.argmin(held[:, j] + 1e-3 * held.sum(axis=1)))
                fold[i] = f
                held[f] += labels[i]
    sizes = np.bincount(fold[fold >= 0], minlength=k)
    for i in order:
        if fold[i] < 0:
            f = int(np.argmin(sizes))
            fold[i] = f
            sizes[f] += 1
    return fold


def _fit(x: scipy.sparse.csr_matrix, labels: np.ndarray, settings: ModelSettings) -> tuple[np.ndarray, np.ndarray]:
    """(coef topics x features, intercept topics) of one linear model per topic."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    coef = np.zeros((labels.shape[1], x.shape[1]))
    intercept = np.zeros(labels.shape[1])
    weight = "balanced" if settings.balanced else None
    for j in range(labels.shape[1]):
        y = labels[:, j]
        if y.all() or not y.any():  # a fold without one of the classes: a constant model
            intercept[j] = 10.0 if y.all() else -10.0
            continue
        model: Any
        if settings.model == "svm":
            model = LinearSVC(C=settings.c, class_weight=weight, random_state=settings.seed)
        else:
            model = LogisticRegression(C=settings.c, class_weight=weight, solver="liblinear", max_iter=1000,
                                       random_state=settings.seed)
        model.fit(x, y)
        coef[j] = model.coef_[0]
        intercept[j] = float(model.intercept_[0])
    return coef, intercept


def _best_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    """The threshold on ``scores`` with the best F1 for ``y`` (midway between two scores; 0 on ties)."""
    if not y.any():
        return 0.0
    values = np.unique(scores)
    candidates = np.concatenate([[0.0], (values[1:] + values[:-1]) / 2, [values[0] - 1e-9]])
    best, best_f1 = 0.0, -1.0
    positives = int(y.sum())
    for threshold in candidates:
        coded = scores >= threshold
        hits = int((coded & y).sum())
        f1 = 2 * hits / (int(coded.sum()) + positives)
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(threshold), f1
    return best


def _out_of_fold(docs: Sequence[Counter[str]], labels: np.ndarray, fold: np.ndarray, settings: ModelSettings,
                 *, tune: bool, progress: Callable[[], None] | None = None) -> np.ndarray:
    """Out-of-fold decisions (``tune``: thresholds chosen inside each training part) or raw scores."""
    k = int(fold.max()) + 1
    out = np.zeros(labels.shape, dtype=bool if tune else float)
    for f in range(k):
        train = np.flatnonzero(fold != f)
        test = np.flatnonzero(fold == f)
        train_docs = [docs[i] for i in train.tolist()]
        vocabulary, idf = _fit_vocabulary(train_docs)
        position = {w: j for j, w in enumerate(vocabulary)}
        coef, intercept = _fit(_matrix(train_docs, position, idf), labels[train], settings)
        scores = _matrix([docs[i] for i in test.tolist()], position, idf) @ coef.T + intercept
        if not tune:
            out[test] = scores
        else:
            out[test] = scores >= _thresholds(train_docs, labels[train], settings)
        if progress is not None:
            progress()
    return out


def _thresholds(docs: Sequence[Counter[str]], labels: np.ndarray, settings: ModelSettings) -> np.ndarray:
    """Per-topic thresholds from out-of-fold scores inside ``docs`` (0 when not tuning or too few texts)."""
    folds = min(settings.inner_folds, int(labels.sum(axis=0).min()), int((~labels).sum(axis=0).min()))
    if not settings.tune_thresholds or folds < 2:
        return np.zeros(labels.shape[1])
    scores = _out_of_fold(docs, labels, _fold_of(labels, folds, settings.seed + 1), settings, tune=False)
    return np.array([_best_threshold(scores[:, j], labels[:, j]) for j in range(labels.shape[1])])


def _labels_of(codes: Sequence[str]) -> dict[str, CoderTopic]:
    """Labels for codes the shipped lexicon knows; the code itself otherwise (editable in the model file)."""
    try:
        lexicon = load_topics()
    except InputError:  # a broken shipped lexicon must not stop training
        lexicon = TopicLexicon({})
    out = {}
    for code in codes:
        topic = lexicon.topics.get(code)
        out[code] = CoderTopic(code, topic.label, topic.label_en) if topic else CoderTopic(code, code, code)
    return out


def train_coder(
    examples: Examples,
    *,
    folds: int = 5,
    segmenter: Segmenter | None = None,
    settings: ModelSettings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[LearnedCoder, Scores]:
    """Fit a :class:`LearnedCoder` on ``examples`` and cross-validate it.

    The cross-validated scores are out-of-fold: each text is coded by a model (and
    thresholds) fitted without it, in ``folds`` folds, fewer when a topic has fewer
    texts with it or without it than ``folds`` (``Scores.note`` says which). The final
    model is fitted on every text, its thresholds chosen on the out-of-fold scores.
    ``segmenter``: the shipped one by default (use the one reports will use).
    ``progress(done, total)`` follows the fits.

    Raises:
        InputError: ``folds`` is below 2, or a topic has fewer than :data:`MIN_EXAMPLES`
            texts with it or without it.
    """
    if folds < 2:
        raise InputError(f"--folds {folds}: cross-validation needs at least 2 folds")
    with_topic = examples.labels.sum(axis=0)
    for code, positives in zip(examples.codes, with_topic, strict=True):
        if min(positives, len(examples) - positives) < MIN_EXAMPLES:
            raise InputError(f"{examples.source}: topic {code!r} labels {int(positives)} of {len(examples)} texts; "
                             f"learning it needs at least {MIN_EXAMPLES} texts with it and {MIN_EXAMPLES} without")
    settings = settings or ModelSettings()
    segmenter = segmenter or Segmenter.default()
    labels = examples.labels
    docs = [_feature_counts(segmenter.segment(mask_pii(text)), settings.chars)[0] for text in examples.texts]
    positives = labels.sum(axis=0)
    negatives = (~labels).sum(axis=0)
    k = int(min(folds, positives.min(), negatives.min()))
    note = ""
    if k < folds:
        j = int(np.argmin(np.minimum(positives, negatives)))
        few = int(min(positives[j], negatives[j]))
        side = "with" if positives[j] <= negatives[j] else "without"
        note = f"{k} folds, not {folds}: only {few} texts {side} topic {examples.codes[j]!r}"
    fold = _fold_of(labels, k, settings.seed)
    total = 2 * k + 1
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    decided = _out_of_fold(docs, labels, fold, settings, tune=True, progress=step)
    raw = _out_of_fold(docs, labels, fold, settings, tune=False, progress=step)
    thresholds = (np.array([_best_threshold(raw[:, j], labels[:, j]) for j in range(labels.shape[1])])
                  if settings.tune_thresholds else np.zeros(labels.shape[1]))
    vocabulary, idf = _fit_vocabulary(docs)
    position = {w: j for j, w in enumerate(vocabulary)}
    coef, intercept = _fit(_matrix(docs, position, idf), labels, settings)
    step()
    topics = _labels_of(examples.codes)
    scores = scores_of(labels, decided, examples.codes, {c: t.label for c, t in topics.items()}, folds=k, note=note)
    coder = LearnedCoder(
        topic_list=tuple(topics[c] for c in examples.codes),
        vocabulary=tuple(vocabulary),
        # Six significant digits: what the file keeps, so a loaded model codes exactly as this one.
        idf=_round(idf), coef=_round(coef), intercept=_round(intercept), thresholds=_round(thresholds),
        chars=tuple(settings.chars),
        segmenter_fingerprint=segmenter.fingerprint(),
        segmenter_settings={"userdicts": [Path(p).name for p in segmenter.userdicts],
                            "stopwords": len(segmenter.stopwords), "keep": len(segmenter.keep)},
        model={"kind": "logistic_regression" if settings.model == "logistic" else "linear_svm", "C": settings.c,
               "class_weight": "balanced" if settings.balanced else None, "one_vs_rest": True,
               "thresholds": "max F1 on out-of-fold scores" if settings.tune_thresholds else "0",
               "seed": settings.seed},
        training={"file": Path(examples.source).name, "sha256": examples.sha256, "texts": len(examples),
                  "labelled_none": int((~labels.any(axis=1)).sum()),
                  "trained_at": datetime.now(UTC).replace(microsecond=0).isoformat()},
        validation=scores.as_dict(),
    )
    return coder, scores


def _round(values: np.ndarray) -> np.ndarray:
    return np.array([float(f"{v:.6g}") for v in np.ravel(values)], dtype=float).reshape(np.shape(values))
