"""Lexicon topic coding: which concerns a voice raises, and which words showed it.

Coding is deliberately a lexicon, not a model: every decision keeps the words that
matched, so a reader can audit why a voice was counted under 医疗.

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

import logging
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from opinion.errors import InputError
from opinion.files.plain import load_yaml
from opinion.files.resources import data_file

__all__ = [
    "NEGATORS_AFTER",
    "NEGATORS_BEFORE",
    "WINDOW",
    "Topic",
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
    """One concern: its code, Chinese and English labels and the words that signal it."""

    code: str
    label: str
    label_en: str
    words: tuple[str, ...]
    exclude: tuple[str, ...] = ()  # compound tokens that contain a word but not the concern


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


def load_topics(path: Path | str | None = None) -> TopicLexicon:
    """Read a topic lexicon (``code: {label, label_en, words}``); shipped one by default."""
    path = Path(path) if path is not None else default_topics_path()
    raw = load_yaml(path, "topic lexicon not found; pass an existing YAML file")
    if not isinstance(raw, dict) or not raw:
        raise InputError(f"{path}: expected a mapping of topic code -> {{label, label_en, words}}, got {raw!r:.80}")
    topics: dict[str, Topic] = {}
    for code, entry in raw.items():
        if not isinstance(entry, dict):
            raise InputError(f"{path}: topic {code!r} must be a mapping with label, label_en and words, got {entry!r:.80}")
        words = entry.get("words")
        if not isinstance(words, list) or not words:
            raise InputError(f"{path}: topic {code!r} has no words; give it a non-empty list under 'words'")
        cleaned: list[str] = []
        for word in words:
            if not isinstance(word, str) or not word.strip():
                raise InputError(f"{path}: topic {code!r} word {word!r} is not a non-empty string")
            if word.strip() not in cleaned:
                cleaned.append(word.strip())
        label = entry.get("label")
        if not isinstance(label, str) or not label.strip():
            raise InputError(f"{path}: topic {code!r} has no 'label' (the Chinese name shown in reports)")
        label_en = entry.get("label_en") or str(code)
        exclude = entry.get("exclude") or []
        if not isinstance(exclude, list) or not all(isinstance(w, str) and w.strip() for w in exclude):
            raise InputError(f"{path}: topic {code!r} 'exclude' must be a list of words")
        topics[str(code)] = Topic(
            str(code), label.strip(), str(label_en).strip(), tuple(cleaned), tuple(w.strip() for w in exclude)
        )
    return TopicLexicon(topics, source=str(path))


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
    # Every kind of match needs the word inside the joined text: one pass over the
    # lexicon for the whole text leaves the few words present, and only those are
    # looked for clause by clause, and only in clauses holding them.
    flat = [t for clause in clauses for t in clause]
    text = "".join(flat)
    present = [word for word in lexicon.ordered_words if word in text]
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
