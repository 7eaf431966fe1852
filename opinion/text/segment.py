"""Normalise and segment Chinese text with jieba, the same way for every source.

Crawled posts, government letters and door-to-door survey answers all go through
:func:`normalize` and :class:`Segmenter`, so a word counted online and a word counted
on the doorstep mean the same thing.

Normalisation choices (:func:`normalize`):

* Full-width ASCII letters, digits and symbols (Ａ１＠) become half-width by NFKC, so
  "ＡＰＰ" and "APP" are one word and numbers can be recognised.
* Chinese clause punctuation keeps its full-width form (，！？：；（）… ～). These marks
  are what separates clauses for the topic negation rule and the cue rules, and a
  reader of an audit trail expects to see the text as written. NFKC would turn them
  into ASCII (，-> ,) and "…" into "...", so they are exempt.
* Zero-width characters (often used to dodge keyword filters) are removed, runs of
  whitespace become one space, and a punctuation mark repeated (！！！, 。。。) is
  squeezed to one, so emphasis does not create new tokens.

Segmentation uses a private ``jieba.Tokenizer`` per :class:`Segmenter`, loaded with the
user dictionaries passed in (the shipped one, then the user's), never jieba's global
tokenizer: two segmenters with different dictionaries can live in one process.
:meth:`Segmenter.fingerprint` names a configuration (dictionaries, stopwords, keep-list
by content), so cached tokens are never reused under another configuration.
"""
from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import jieba

from opinion.errors import InputError
from opinion.files.plain import read_utf8
from opinion.files.resources import data_file
from opinion.text.masking import PLACEHOLDERS

__all__ = [
    "Segmenter",
    "content_hash",
    "load_keep",
    "load_stopwords",
    "normalize",
    "read_userdict",
    "segment_many",
]

log = logging.getLogger(__name__)

# Chinese punctuation that NFKC would fold to ASCII but which stays as written.
_KEEP_FULL_WIDTH = frozenset("，！？：；（）～…")
_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad]")
_SPACE_RE = re.compile(r"\s+")
_REPEATED_PUNCT_RE = re.compile(r"([^\w\s\[\]])\1+")

# "/+" because normalisation squeezes the "//" of a URL to one slash.
_URL_RE = re.compile(r"(?:https?:/+|www\.)[^\s\u4e00-\u9fff，。！？；：（）]+", re.IGNORECASE)
_WWW_RE = re.compile("www", re.IGNORECASE)
_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))
_NUMBER_RE = re.compile(r"^[+-]?\d+(?:[.,:/]\d+)*%?$")
_CLAUSE_RE = re.compile(r"[，。！？；：,!?;:\n]|\.(?!\d)")
_SINGLE_LATIN_RE = re.compile(r"^[A-Za-z]$")

# Below this many texts a process pool costs more than it saves (start-up of workers
# and their own jieba dictionary load take about a second).
MIN_PARALLEL = 500


# NFKC runs on the stretches between kept punctuation marks: one C call per stretch,
# ten times faster than NFKC character by character.
_KEEP_SPLIT_RE = re.compile("([" + "".join(sorted(_KEEP_FULL_WIDTH)) + "])")


def normalize(text: str) -> str:
    """Fold full-width ASCII, strip zero-width characters, collapse whitespace and repeats."""
    text = _ZERO_WIDTH_RE.sub("", text)
    if not unicodedata.is_normalized("NFKC", text):
        parts = _KEEP_SPLIT_RE.split(text)
        parts[::2] = [unicodedata.normalize("NFKC", part) for part in parts[::2]]
        text = "".join(parts)
    text = _SPACE_RE.sub(" ", text).strip()
    return _REPEATED_PUNCT_RE.sub(r"\1", text)


def content_hash(text: str, *, normalized: bool = False) -> str:
    """SHA-256 hex of the normalised text: the key of the segmentation cache.

    ``normalized=True``: ``text`` already went through :func:`normalize`.
    """
    return hashlib.sha256((text if normalized else normalize(text)).encode("utf-8")).hexdigest()


def _read_word_list(path: Path) -> set[str]:
    """One word per line; blank lines and lines starting with # are ignored."""
    lines = read_utf8(path, "word list not found; pass an existing file").splitlines()
    words = set()
    for line in lines:
        word = line.strip()
        if word and not word.startswith("#"):
            words.add(word)
    return words


def load_stopwords(path: Path | str | None = None) -> set[str]:
    """Stopwords from ``path``, or the shipped ``data/lexicon/stopwords.txt``."""
    return _read_word_list(Path(path) if path is not None else data_file("lexicon", "stopwords.txt"))


def load_keep(path: Path | str | None = None) -> set[str]:
    """Words never dropped (negations, complaint markers), or the shipped ``keep.txt``."""
    return _read_word_list(Path(path) if path is not None else data_file("lexicon", "keep.txt"))


def default_userdict() -> Path:
    """The shipped jieba user dictionary of domain terms."""
    return data_file("lexicon", "userdict.txt")


_USERDICT_LINE_RE = re.compile(r"^(\S+)(?:\s+(\d+))?(?:\s+([A-Za-z]+))?$")


def read_userdict(path: Path | str) -> list[tuple[str, int | None, str | None]]:
    """Entries ``(word, freq, pos)`` of a jieba user dictionary, with ``#`` comment lines.

    Parsed here rather than by ``Tokenizer.load_userdict`` because jieba would read a
    comment line as a word, and its errors do not say which line is wrong.
    """
    path = Path(path)
    lines = read_utf8(path, "user dictionary not found; pass an existing jieba dictionary file").splitlines()
    entries: list[tuple[str, int | None, str | None]] = []
    for lineno, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _USERDICT_LINE_RE.match(line)
        if match is None:
            raise InputError(f"{path} line {lineno}: {line!r} is not 'word [freq] [pos]' (e.g. '农村公路 20000 n')")
        word, freq, tag = match.groups()
        entries.append((word, int(freq) if freq else None, tag))
    return entries


_MEMO_LIMIT = 200_000


def _strip_placeholders_and_urls(text: str) -> str:
    """Blank out masking placeholders and URLs (cheap checks first: most texts have neither)."""
    if "[" in text:
        text = _PLACEHOLDER_RE.sub(" ", text)
    if "/" in text or _WWW_RE.search(text):
        text = _URL_RE.sub(" ", text)
    return text


def _is_symbolic(token: str) -> bool:
    """Only punctuation, symbols (emoji included) or marks: nothing a reader would count."""
    return all(unicodedata.category(ch)[0] in "PSMZC" for ch in token)


@dataclass
class Segmenter:
    """jieba precise mode (HMM on) with a user dictionary, then token filtering.

    ``stopwords`` are dropped unless also in ``keep``; ``keep`` words (不, 没有, 问题 ...)
    carry negation and complaint and are never dropped. Latin tokens are lower-cased.
    """

    userdict: Path | str | Sequence[Path | str] | None = None  # one file or several, loaded in order
    stopwords: frozenset[str] = field(default_factory=frozenset)
    keep: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        self.stopwords = frozenset(self.stopwords)
        self.keep = frozenset(self.keep)
        self._tokenizer = jieba.Tokenizer()
        self._memo: dict[str, str | None] = {}
        self._entries: list[tuple[str, int | None, str | None]] = []
        for path in self.userdicts:
            self._entries.extend(read_userdict(path))
        for word, freq, tag in self._entries:
            self._tokenizer.add_word(word, freq, tag)

    @property
    def userdicts(self) -> tuple[str, ...]:
        """The user dictionary files, in loading order (later entries win)."""
        if self.userdict is None:
            return ()
        if isinstance(self.userdict, (str, Path)):
            return (str(self.userdict),)
        return tuple(str(p) for p in self.userdict)

    @classmethod
    def default(cls, extra_userdicts: Sequence[Path | str] = ()) -> Segmenter:
        """The shipped user dictionary (plus ``extra_userdicts``, jieba format), stopwords and keep-list."""
        return cls(userdict=(default_userdict(), *extra_userdicts), stopwords=frozenset(load_stopwords()),
                   keep=frozenset(load_keep()))

    def fingerprint(self) -> str:
        """SHA-256 of what decides the tokens: dictionary entries, stopwords, keep-list.

        By content, not by file name, so editing a dictionary in place is noticed.
        """
        digest = hashlib.sha256()
        for part in (repr(self._entries), repr(sorted(self.stopwords)), repr(sorted(self.keep))):
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")
        return digest.hexdigest()

    def _config(self) -> tuple[tuple[str, ...], frozenset[str], frozenset[str]]:
        return (self.userdicts, self.stopwords, self.keep)

    def cut(self, text: str, *, normalized: bool = False) -> list[str]:
        """Raw jieba tokens of the normalised text, placeholders and URLs removed first.

        Placeholders are removed before cutting because jieba would split ``[手机号]``
        into ``[``, ``手机号``, ``]`` and leave a word nobody wrote. ``normalized=True``
        says the caller already ran :func:`normalize` (it is idempotent, so passing
        False is always correct, only slower).
        """
        if not normalized:
            text = normalize(text)
        return list(self._tokenizer.cut(_strip_placeholders_and_urls(text), cut_all=False, HMM=True))

    def keeps(self, token: str) -> bool:
        """Whether a token survives filtering (see :meth:`_kept` for the cached form)."""
        if token in self.keep:
            return True
        if not token.strip() or _is_symbolic(token):
            return False
        if _NUMBER_RE.match(token) or _SINGLE_LATIN_RE.match(token):
            return False
        return token not in self.stopwords

    def _kept(self, raw: str) -> str | None:
        """The token as counted (stripped, Latin lower-cased), or None when filtered out.

        Memoised per raw token: words repeat (Zipf), and filtering every occurrence again
        cost as much as jieba's own cut. The memo is cleared when it grows past
        :data:`_MEMO_LIMIT` tokens, so memory stays bounded on any corpus.
        """
        try:
            return self._memo[raw]
        except KeyError:
            pass
        token = raw.strip()
        if token.isascii():
            token = token.lower()
        kept = token if self.keeps(token) else None
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        self._memo[raw] = kept
        return kept

    def segment(self, text: str, *, normalized: bool = False) -> list[str]:
        """The content tokens of ``text``, in order (``normalized``: as in :meth:`cut`)."""
        memo, out = self._memo, []
        for raw in self.cut(text, normalized=normalized):
            kept = memo[raw] if raw in memo else self._kept(raw)
            if kept is not None:
                out.append(kept)
        return out

    def segment_clauses(self, text: str) -> list[list[str]]:
        """The content tokens of each clause (split at ，。！？；： and their ASCII forms).

        Clause boundaries bound the topic negation rule: "看病没问题，修路太难" must not
        let 没问题 cancel 修路.
        """
        clauses = _CLAUSE_RE.split(_strip_placeholders_and_urls(normalize(text)))
        return [tokens for clause in clauses if (tokens := self.segment(clause, normalized=True))]

    def segment_many(
        self,
        texts: Sequence[str],
        workers: int = 1,
        *,
        min_parallel: int = MIN_PARALLEL,
        progress: Callable[[int], None] | None = None,
        normalized: bool = False,
    ) -> list[list[str]]:
        """Segment many texts, over ``workers`` processes when the corpus is large.

        Same result as segmenting one by one. Each worker builds its own segmenter from
        this one's configuration (a tokenizer is too big to pickle per call).
        ``progress(n)`` is called as each batch of ``n`` texts is done (for a progress bar).
        ``normalized``: the texts already went through :func:`normalize`.
        """
        chunk = max(1, min(_PROGRESS_STEP, len(texts) // (max(workers, 1) * 4) or 1))
        chunks = [list(texts[i : i + chunk]) for i in range(0, len(texts), chunk)]
        if workers <= 1 or len(texts) < max(min_parallel, 2):
            out: list[list[str]] = []
            for part in chunks:
                out.extend(self.segment(t, normalized=normalized) for t in part)
                if progress is not None:
                    progress(len(part))
            return out
        log.debug("segmenting %d texts in %d chunks over %d processes", len(texts), len(chunks), workers)
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(self._config(),)) as pool:
            out = []
            for done in pool.map(_segment_chunk, chunks, [normalized] * len(chunks)):
                out.extend(done)
                if progress is not None:
                    progress(len(done))
            return out


# Texts per progress step (and per batch sent to a worker): small enough for a live bar,
# large enough that sending a batch costs little beside segmenting it.
_PROGRESS_STEP = 200


_WORKER: Segmenter | None = None


def _init_worker(config: tuple[tuple[str, ...], frozenset[str], frozenset[str]]) -> None:
    global _WORKER
    userdict, stopwords, keep = config
    _WORKER = Segmenter(userdict=userdict, stopwords=stopwords, keep=keep)


def _segment_chunk(texts: Iterable[str], normalized: bool = False) -> list[list[str]]:
    assert _WORKER is not None, "worker not initialised"
    return [_WORKER.segment(t, normalized=normalized) for t in texts]


def segment_many(
    texts: Sequence[str],
    workers: int = 1,
    *,
    segmenter: Segmenter | None = None,
    min_parallel: int = MIN_PARALLEL,
    progress: Callable[[int], None] | None = None,
    normalized: bool = False,
) -> list[list[str]]:
    """Segment ``texts`` with ``segmenter`` (the shipped default when None)."""
    return (segmenter or Segmenter.default()).segment_many(
        texts, workers, min_parallel=min_parallel, progress=progress, normalized=normalized
    )
