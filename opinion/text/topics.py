"""Lexicon topic coding: which concerns a voice raises, and which words showed it.

Coding is deliberately a lexicon, not a model: every decision keeps the words that
matched, so a reader can audit why a voice was counted under 医疗.

Taxonomy. The shipped ``data/lexicon/topics.yaml`` sorts concerns as 12345 hotlines and
government message boards do: fifteen topics, each with the first-level hotline class it
belongs to (``category``: 城乡建设, 民政, 卫生健康 ...). A user's own YAML taxonomy needs
only ``label`` and ``words`` per topic (:func:`load_topics`). How well the shipped one
codes unseen text is measured in ``docs/topics-evaluation.md``
(:mod:`opinion.text.evaluation`).

Matching. A topic word matches a token equal to it, or a compound token that contains
it (jieba's new-word discovery makes tokens such as 养老服务, 公交车, 电动车被盗, which
carry the topic word inside), unless the token is listed under the topic's ``exclude``
(工作人员 says nothing about jobs) or is itself a lexicon word (养老保险 is social
security, not also elderly care). A word the segmenter split into several tokens (a
phrase such as 老人没人照顾 without a user-dictionary entry) matches when it appears in
the joined tokens starting at a token start and ending at a token end, so 医生 never
matches across 卫生 + 室.

Negation rule. People often name a topic to say it is *not* a concern: "看病没问题",
"不担心养老", "医疗挺好". A match is ignored when, in the same clause,

* a *before* phrase (不担心, 不用担心, 不关心, 不操心, 不愁) occurs among the
  :data:`WINDOW` tokens just before the matched word, or
* an *after* phrase (没问题, 没有问题, 不是问题, 挺好, 还行, 还可以, 不错, 放心,
  不担心, 不用担心, 挺方便) occurs among the :data:`WINDOW` tokens just after it.

Plain 不/没 are not negators: "没有医院" and "医保不报销" are complaints. Clauses are
the token lists of :meth:`opinion.text.segment.Segmenter.segment_clauses`; when
:func:`code_topics` gets a flat token list, punctuation tokens in it (if any) split
clauses, otherwise the whole list is one clause. A topic negated in one clause still
counts when matched un-negated in another.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Protocol

from opinion.errors import InputError
from opinion.files.plain import load_yaml
from opinion.files.resources import data_file
from opinion.text.segment import normalize

__all__ = [
    "NEGATORS_AFTER",
    "NEGATORS_BEFORE",
    "WINDOW",
    "LexiconCoder",
    "Topic",
    "TopicCoder",
    "TopicLabels",
    "TopicLexicon",
    "code_clauses",
    "code_topics",
    "default_topics_path",
    "load_topics",
]

log = logging.getLogger(__name__)

WINDOW = 2
NEGATORS_BEFORE: tuple[str, ...] = ("不担心", "不用担心", "不关心", "不操心", "不愁")
NEGATORS_AFTER: tuple[str, ...] = (
    "没问题", "没有问题", "不是问题", "挺好", "还行", "还可以", "不错", "放心", "不担心", "不用担心", "挺方便",
)


@dataclass(frozen=True)
class Topic:
    """One concern: its code, Chinese and English labels, the words that signal it, and
    the first-level class of a 12345 hotline it belongs to (``category``, "" when the
    lexicon gives none)."""

    code: str
    label: str
    label_en: str
    words: tuple[str, ...]
    exclude: tuple[str, ...] = ()  # compound tokens that contain a word but not the concern
    category: str = ""


@dataclass(frozen=True)
class TopicLexicon:
    """Topics by code, with the negation phrases used when coding (passed in, not global)."""

    topics: dict[str, Topic]
    negators_before: tuple[str, ...] = NEGATORS_BEFORE
    negators_after: tuple[str, ...] = NEGATORS_AFTER
    window: int = WINDOW
    source: str = field(default="", compare=False)

    def __iter__(self) -> Iterator[Topic]:
        return iter(self.topics.values())

    def __len__(self) -> int:
        return len(self.topics)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.topics)

    @cached_property
    def words(self) -> frozenset[str]:
        """Every word of every topic (computed once: coding asks for it per voice)."""
        return frozenset(w for topic in self.topics.values() for w in topic.words)

    @cached_property
    def ordered_words(self) -> tuple[str, ...]:
        """Every word once, in lexicon order (a deterministic order for the audit trail)."""
        return tuple(dict.fromkeys(w for topic in self.topics.values() for w in topic.words))

    @cached_property
    def words_by_prefix(self) -> dict[str, tuple[tuple[int, str], ...]]:
        """First two characters (the one of a one-character word) -> (position in
        :attr:`ordered_words`, word) of the words starting with them.

        With a thousand words, testing each against every text cost as much as jieba's
        cut; only the words whose opening pair occurs in the text can match.
        """
        out: dict[str, list[tuple[int, str]]] = {}
        for position, word in enumerate(self.ordered_words):
            out.setdefault(word[:2], []).append((position, word))
        return {prefix: tuple(words) for prefix, words in out.items()}

    @cached_property
    def categories(self) -> dict[str, tuple[str, ...]]:
        """Category -> the codes of its topics, in lexicon order (topics without one left out)."""
        out: dict[str, list[str]] = {}
        for topic in self.topics.values():
            if topic.category:
                out.setdefault(topic.category, []).append(topic.code)
        return {c: tuple(codes) for c, codes in out.items()}

    @cached_property
    def topics_of(self) -> dict[str, tuple[Topic, ...]]:
        """Word -> the topics listing it, in lexicon order."""
        out: dict[str, list[Topic]] = {}
        for topic in self.topics.values():
            for word in topic.words:
                out.setdefault(word, []).append(topic)
        return {w: tuple(ts) for w, ts in out.items()}


def default_topics_path() -> Path:
    """The shipped ``data/lexicon/topics.yaml``."""
    return data_file("lexicon", "topics.yaml")


_FIELDS = ("label", "label_en", "category", "words", "exclude")


def load_topics(path: Path | str | None = None) -> TopicLexicon:
    """Read a topic lexicon; the shipped one by default.

    Shape: ``code: {label, words, label_en?, category?, exclude?}``. ``label`` (the
    name shown in reports) and ``words`` are required; ``label_en`` defaults to the code,
    ``category`` to "" (a user's own taxonomy need not have classes), ``exclude`` to none.
    Words are normalised as texts are (see :func:`_words`), and repeats within a topic
    dropped.

    Raises:
        InputError: the file is missing, not UTF-8 or not YAML (naming the line), is not a
            mapping of topics, or a topic lacks its label or words or holds a value of the
            wrong kind; the message names the file, the topic and the value.
    """
    path = Path(path) if path is not None else default_topics_path()
    raw = load_yaml(path, "topic lexicon not found; pass an existing YAML file")
    if not isinstance(raw, dict) or not raw:
        raise InputError(f"{path}: expected a mapping of topic code -> {{label, label_en, words}}, got {raw!r:.80}")
    topics: dict[str, Topic] = {}
    for code, entry in raw.items():
        if not isinstance(entry, dict):
            raise InputError(f"{path}: topic {code!r} must be a mapping with label, label_en and words, got {entry!r:.80}")
        unknown = [str(k) for k in entry if k not in _FIELDS]
        if unknown:
            # Not an error: a user's taxonomy may carry notes of its own; but a misspelt
            # 'exclude' would silently do nothing, so say so.
            log.warning("%s: topic %r: ignoring unknown key(s) %s (known: %s)", path, code, ", ".join(unknown),
                        ", ".join(_FIELDS))
        words = entry.get("words")
        if not isinstance(words, list) or not words:
            raise InputError(f"{path}: topic {code!r} has no words; give it a non-empty list under 'words'")
        label = entry.get("label")
        if label is None or (isinstance(label, str) and not label.strip()):
            raise InputError(f"{path}: topic {code!r} has no 'label' (the Chinese name shown in reports)")
        exclude = entry.get("exclude") or []
        if not isinstance(exclude, list):
            raise InputError(f"{path}: topic {code!r} 'exclude' must be a list of words, got {exclude!r:.80}")
        label_en = entry.get("label_en")
        category = entry.get("category")
        topics[str(code)] = Topic(
            str(code),
            _text(path, code, "label", label),
            str(code) if _blank(label_en) else _text(path, code, "label_en", label_en),
            _words(path, code, "word", words),
            _words(path, code, "exclude word", exclude),
            "" if _blank(category) else _text(path, code, "category", category),
        )
    return TopicLexicon(topics, source=str(path))


def _blank(value: object) -> bool:
    """An optional field left out or left empty (``label_en:`` reads as None)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _text(path: Path, code: object, key: str, value: object) -> str:
    """A non-empty string field of a topic, stripped."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise InputError(f"{path}: topic {code!r} {key!r} must be non-empty text, got {value!r:.80}{_quote_hint(value)}")


def _words(path: Path, code: object, what: str, values: list[object]) -> tuple[str, ...]:
    """A topic's word list as tokens are: normalised like texts (traditional characters
    simplified, full-width folded) and lower-cased; repeats dropped, first-seen order kept.

    Texts are normalised before they are segmented, so a word written 養老院 or ＥＴＣ
    would otherwise never meet its token (养老院, etc).
    """
    cleaned: list[str] = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"{path}: topic {code!r} {what} {value!r:.80} is not a non-empty string{_quote_hint(value)}")
        word = normalize(value).lower()
        if word not in cleaned:
            cleaned.append(word)
    return tuple(cleaned)


def _quote_hint(value: object) -> str:
    # YAML reads 12345, yes, no, on or off unquoted as a number or true/false.
    return "; YAML read it as a number or true/false, so put it in quotes" if isinstance(value, (int, float, bool)) else ""


def _is_break(token: str) -> bool:
    if not token or token[0].isalnum():  # the usual case, decided without unicodedata
        return False
    return all(unicodedata.category(ch)[0] in "PZ" for ch in token)


_NON_WORD_RE = re.compile(r"[^\w]|_")  # "_" is punctuation (Pc) yet a word character


def _split_clauses(tokens: Sequence[str]) -> list[list[str]]:
    if not _NON_WORD_RE.search("".join(tokens)):  # the usual case: filtered tokens, no punctuation
        return [list(tokens)] if tokens else []
    clauses: list[list[str]] = [[]]
    for token in tokens:
        if _is_break(token):
            clauses.append([])
        else:
            clauses[-1].append(token)
    return [c for c in clauses if c]


def _matches(
    word: str, clause: Sequence[str], exclude: Sequence[str] = (), lexicon_words: frozenset[str] = frozenset()
) -> list[tuple[int, int]]:
    """Token spans [i, j) whose joined text equals ``word``, or a compound token holding it.

    A token that is itself a lexicon word is matched only as that word: 养老保险 (social
    security) does not also count as 养老 (elderly care).
    """
    spans = []
    first = word[0]
    for i, token in enumerate(clause):
        if first not in token:  # every kind of match below needs the word's first character
            continue
        compound = len(word) >= 2 and word in token and token not in exclude and token not in lexicon_words
        if token == word or compound:
            spans.append((i, i + 1))
        elif word.startswith(token) and len(token) < len(word):
            joined = token
            j = i + 1
            while j < len(clause) and len(joined) < len(word):
                joined += clause[j]
                j += 1
            if joined == word:
                spans.append((i, j))
    return spans


def _negated(span: tuple[int, int], clause: Sequence[str], lexicon: TopicLexicon) -> bool:
    i, j = span
    before = "".join(clause[max(0, i - lexicon.window) : i])
    after = "".join(clause[j : j + lexicon.window])
    return any(n in before for n in lexicon.negators_before) or any(n in after for n in lexicon.negators_after)


def code_clauses(clauses: Sequence[Sequence[str]], lexicon: TopicLexicon) -> dict[str, list[str]]:
    """Topic code -> matched words (first-seen order, no repeats) over clause token lists."""
    found: dict[str, list[str]] = {}
    lexicon_words = lexicon.words
    # Every kind of match needs the word inside the joined text: the words whose opening
    # pair occurs in it, tested against the whole text, leave the few words present, and
    # only those are looked for clause by clause, and only in clauses holding them.
    flat = [t for clause in clauses for t in clause]
    text = "".join(flat)
    by_prefix = lexicon.words_by_prefix
    prefixes = {*text, *(text[i : i + 2] for i in range(len(text) - 1))}
    candidates = [entry for prefix in prefixes if prefix in by_prefix for entry in by_prefix[prefix]]
    present = [word for _, word in sorted(candidates) if word in text]  # in lexicon order
    for clause in clauses if present else ():
        clause_text = "".join(clause)
        for word in present:
            if word not in clause_text:
                continue
            for topic in lexicon.topics_of[word]:
                if word in found.get(topic.code, ()):
                    continue
                if any(not _negated(span, clause, lexicon) for span in _matches(word, clause, topic.exclude, lexicon_words)):
                    found.setdefault(topic.code, []).append(word)
    found = {code: found[code] for code in lexicon.topics if code in found}  # lexicon order
    # Order matched words as they appear in the text, for a readable audit trail.
    return {code: sorted(words, key=lambda w: text.find(w)) for code, words in found.items()}


def code_topics(tokens: Sequence[str], lexicon: TopicLexicon) -> dict[str, list[str]]:
    """Topic code -> matched words for one voice's tokens (see the module docstring)."""
    return code_clauses(_split_clauses(tokens), lexicon)


# --- the lexicon as a coder ------------------------------------------------------------


class TopicLabels(Protocol):
    """What a report shows of a topic: its Chinese and English labels."""

    @property
    def label(self) -> str: ...

    @property
    def label_en(self) -> str: ...


class TopicCoder(Protocol):
    """Anything that codes a voice's tokens into topics, with evidence (see :mod:`opinion.text.coder`)."""

    @property
    def codes(self) -> tuple[str, ...]: ...

    @property
    def topics(self) -> Mapping[str, TopicLabels]: ...

    @property
    def fingerprint(self) -> str: ...

    @property
    def name(self) -> str: ...

    def code_tokens(self, tokens: Sequence[str]) -> dict[str, list[str]]: ...


def sha256_json(value: object) -> str:
    """SHA-256 hex of ``value`` as canonical JSON (sorted keys, no spaces): a fingerprint."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, eq=False)
class LexiconCoder:
    """A :class:`TopicLexicon` as a :class:`TopicCoder`; codes exactly as :func:`code_topics`."""

    lexicon: TopicLexicon

    @property
    def codes(self) -> tuple[str, ...]:
        return self.lexicon.codes

    @property
    def topics(self) -> Mapping[str, TopicLabels]:
        return self.lexicon.topics

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the words, exclusions and negation rule of every topic (labels left out)."""
        lex = self.lexicon
        return sha256_json({
            "topics": [[t.code, list(t.words), list(t.exclude)] for t in lex],
            "negators_before": list(lex.negators_before), "negators_after": list(lex.negators_after),
            "window": lex.window,
        })

    @property
    def name(self) -> str:
        return f"lexicon {Path(self.lexicon.source).name}" if self.lexicon.source else "lexicon"

    def code_tokens(self, tokens: Sequence[str]) -> dict[str, list[str]]:
        """Code -> the lexicon words matched in ``tokens`` (see :mod:`opinion.text.topics`)."""
        return code_topics(tokens, self.lexicon)
