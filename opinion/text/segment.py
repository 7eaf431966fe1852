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
* Traditional characters become simplified (:func:`to_simplified`, OpenCC's ``t2s``
  conversion, phrase-aware: 養老院 -> 养老院, 乾燥 -> 干燥 but 乾隆 stays), so a letter
  written in traditional characters is segmented, coded and read for cues like its
  simplified twin. Only the normalised copy is converted: stores keep the text as written.

User dictionaries (:func:`read_userdict`) are normalised the same way, so an entry
written ５Ｇ基站 or 養老院 matches texts written ５Ｇ基站, 5G基站, 5g基站 or 养老院, and
tokens are counted lower-cased (5g基站). A dictionary term may contain a space
("Color OS", written before a tab: see :func:`read_userdict`); the segmenter keeps it
whole, which jieba alone cannot do.

Segmentation uses a private ``jieba.Tokenizer`` per :class:`Segmenter`, loaded with the
user dictionaries passed in (the shipped one, then the user's), never jieba's global
tokenizer: two segmenters with different dictionaries can live in one process.
:meth:`Segmenter.fingerprint` names a configuration (dictionaries, stopwords, keep-list
by content), so cached tokens are never reused under another configuration.

The engine is jieba (the reference) unless ``engine="rjieba"`` (or ``$TONGXIN_SEGMENTER``)
asks for rjieba, the binding of jieba-rs: the same dictionary and algorithm in Rust,
several times faster, its tokens nearly always identical (``benchmarks/bench_segment.py``
measures both). User dictionaries reach it through the same ``add_word`` calls.
"""
from __future__ import annotations

import hashlib
import logging
import os
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
_LATIN_RE = re.compile(r"[A-Za-z]")

# Below this many texts a process pool costs more than it saves (start-up of workers
# and their own jieba dictionary load take about a second).
MIN_PARALLEL = 500


# NFKC runs on the stretches between kept punctuation marks: one C call per stretch,
# ten times faster than NFKC character by character.
_KEEP_SPLIT_RE = re.compile("([" + "".join(sorted(_KEEP_FULL_WIDTH)) + "])")


def normalize(text: str) -> str:
    """Fold full-width ASCII, strip zero-width characters, turn traditional characters into
    simplified ones, collapse whitespace and repeats."""
    text = _ZERO_WIDTH_RE.sub("", text)
    if not unicodedata.is_normalized("NFKC", text):
        parts = _KEEP_SPLIT_RE.split(text)
        parts[::2] = [unicodedata.normalize("NFKC", part) for part in parts[::2]]
        text = "".join(parts)
    text = to_simplified(text)
    text = _SPACE_RE.sub(" ", text).strip()
    return _REPEATED_PUNCT_RE.sub(r"\1", text)


_CONVERTER: Callable[[str], str] | None = None


def to_simplified(text: str) -> str:
    """``text`` with traditional Chinese characters turned into simplified ones.

    OpenCC's ``t2s`` conversion (the ``OpenCC`` package, whose dictionaries ship inside
    it: nothing is fetched at run time), phrase by phrase, so characters whose simplified
    form depends on the word are converted right (乾燥 -> 干燥, 乾隆 stays). Simplified
    text comes back unchanged; punctuation is never touched. The converter is built once
    per process, on first use.
    """
    global _CONVERTER
    if text.isascii():
        return text
    if _CONVERTER is None:
        import opencc  # here: loading its dictionaries takes a moment, and ASCII text never needs it

        _CONVERTER = opencc.OpenCC("t2s").convert
    return _CONVERTER(text)


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


# jieba's part-of-speech tags (those its own dictionary uses): a lower-case last field
# is a tag without a frequency before it only when it is one of these.
JIEBA_TAGS = frozenset(
    "a ad ag an b c d df dg e eng f g h i j k l m mg mq n ng nr nrfg nrt ns nt nz o p q r rg rr rz s t tg "
    "u ud ug uj ul uv uz v vd vg vi vn vq x y z zg".split()
)
_FREQ_RE = re.compile(r"^\d+$")
_TAG_RE = re.compile(r"^[a-z]+$")


def read_userdict(path: Path | str) -> list[tuple[str, int | None, str | None]]:
    """Entries ``(word, freq, pos)`` of a jieba user dictionary, with ``#`` comment lines.

    Parsed here rather than by ``Tokenizer.load_userdict`` because jieba would read a
    comment line as a word, and its errors do not say which line is wrong. Each word is
    normalised as texts are (:func:`normalize`: full-width letters and digits folded,
    traditional characters simplified, runs of spaces made one), so ``５Ｇ基站`` is the
    entry 5G基站 and ``養老院`` the entry 养老院.

    A line is ``word [freq] [pos]``, fields separated by spaces as jieba reads them: the
    frequency a whole number, the tag lower-case letters (``农村公路 20000 n``,
    ``云计算 500``; a tag without a frequency must be one of jieba's own,
    :data:`JIEBA_TAGS`: ``云计算 n``). A word containing a space (``Color OS``) is
    written on a line with tabs, which is split at tabs only: ``Color OS<TAB>``,
    ``Color OS<TAB>2000<TAB>nz``. The segmenter keeps such a word whole, in any case and
    with any run of spaces, wherever the text has it as a word of its own.

    Any other line is refused rather than guessed at: ``Color OS`` without a tab (jieba
    would read the word "Color" with the tag "OS"), ``Color os`` (the tag os is not
    jieba's), ``老破小 lots of words``.

    Raises:
        InputError: naming the file and line, for a line that is not ``word [freq]
            [pos]``, a frequency or tag that is not one in a tab-separated line, or a
            line with no word.
    """
    path = Path(path)
    lines = read_utf8(path, "user dictionary not found; pass an existing jieba dictionary file").splitlines()
    entries: list[tuple[str, int | None, str | None]] = []
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip(" \r\n\ufeff\u3000")
        if not line.strip() or line.startswith("#"):
            continue
        word, freq, tag = _userdict_fields(path, lineno, line)
        normalized = normalize(word)
        if not normalized:
            raise InputError(f"{path} line {lineno}: {line!r} has no word; write 'word [freq] [pos]' "
                             "(e.g. '农村公路 20000 n')")
        entries.append((normalized, freq, tag))
    return entries


def _userdict_fields(path: Path, lineno: int, line: str) -> tuple[str, int | None, str | None]:
    """(word, freq, tag) of one dictionary line (see :func:`read_userdict`)."""
    if "\t" in line:
        fields = [f.strip(" \u3000") for f in line.split("\t")]
        if len(fields) > 3 or not fields[0]:
            raise InputError(f"{path} line {lineno}: {line!r} is not 'word<TAB>freq<TAB>pos' (a tab-separated "
                             "line has the word, then an optional frequency and part-of-speech tag)")
        freq_text = fields[1] if len(fields) > 1 else ""
        tag_text = fields[2] if len(fields) > 2 else ""
        if freq_text and not _FREQ_RE.match(freq_text):
            raise InputError(f"{path} line {lineno}: frequency {freq_text!r} is not a whole number "
                             "(e.g. 'Color OS<TAB>2000<TAB>nz')")
        if tag_text and not _TAG_RE.match(tag_text):
            raise InputError(f"{path} line {lineno}: part-of-speech tag {tag_text!r} is not lower-case letters "
                             "(e.g. n, nz, v)")
        return fields[0], int(freq_text) if freq_text else None, tag_text or None
    fields = line.split()
    word, rest = fields[0], fields[1:]
    if not rest:
        return word, None, None
    if len(rest) == 1 and _FREQ_RE.match(rest[0]):
        return word, int(rest[0]), None
    if len(rest) == 1 and rest[0] in JIEBA_TAGS:
        return word, None, rest[0]
    if len(rest) == 2 and _FREQ_RE.match(rest[0]) and _TAG_RE.match(rest[1]):
        return word, int(rest[0]), rest[1]
    if len(fields) >= 3 and _FREQ_RE.match(fields[-2]) and _TAG_RE.match(fields[-1]):
        spaced = " ".join(fields[:-2])
        hint = f"'{spaced}<TAB>{fields[-2]}<TAB>{fields[-1]}'"
    elif _FREQ_RE.match(fields[-1]):
        spaced = " ".join(fields[:-1])
        hint = f"'{spaced}<TAB>{fields[-1]}'"
    else:
        spaced = " ".join(fields)
        hint = f"'{spaced}<TAB>' or '{spaced}<TAB>20000<TAB>nz'"
    raise InputError(f"{path} line {lineno}: {line!r} is not 'word [freq] [pos]' (e.g. '农村公路 20000 n'); a word "
                     f"with a space goes before a tab: {hint}")


_MEMO_LIMIT = 200_000

# Part of every fingerprint: changed when the same dictionaries give other tokens (2:
# traditional characters simplified, dictionary words normalised, Latin letters in
# mixed tokens lower-cased), so tokens cached by an earlier version are not reused.
_TOKENS_VERSION = b"tokens-2\0"


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


def _phrase_pattern(phrase: str) -> str:
    """A term with a space as a pattern; Latin or digit ends must not run on into a longer
    word ("Color OS" is not found in "Color OSX")."""
    pattern = re.escape(phrase)
    if phrase[0].isascii() and phrase[0].isalnum():
        pattern = r"(?<![A-Za-z0-9])" + pattern
    if phrase[-1].isascii() and phrase[-1].isalnum():
        pattern += r"(?![A-Za-z0-9])"
    return pattern


ENGINES = ("jieba", "rjieba")


_JOINER_RE = re.compile("([-_])")


class _RjiebaTokenizer:
    """rjieba's ``Jieba`` behind the two calls the segmenter makes of a jieba tokenizer.

    jieba-rs keeps ``-`` and ``_`` inside a run of letters and digits (2026-08-13,
    wi-fi) where jieba cuts at them (2026 - 08 - 13); such a token, unless it is a
    dictionary word, is cut there too, so dates and ranges are dropped as numbers alike.
    """

    def __init__(self) -> None:
        import rjieba  # here: only a segmenter that asks for it loads its dictionary

        self._jieba = rjieba.Jieba()

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
        self._jieba.add_word(word, freq, tag)

    def cut(self, text: str, cut_all: bool = False, HMM: bool = True) -> list[str]:  # noqa: N803 (jieba's name)
        tokens = self._jieba.cut(text, hmm=HMM)
        if "-" not in text and "_" not in text:
            return tokens
        out: list[str] = []
        for token in tokens:
            if len(token) > 1 and ("-" in token or "_" in token) and not self._jieba.has_word(token):
                out.extend(part for part in _JOINER_RE.split(token) if part)
            else:
                out.append(token)
        return out


def _engine(name: str | None) -> str:
    chosen = name or os.environ.get("TONGXIN_SEGMENTER") or "jieba"
    if chosen not in ENGINES:
        raise InputError(f"segmentation engine {chosen!r} is not one of {', '.join(ENGINES)} "
                         "(set by engine= or TONGXIN_SEGMENTER)")
    return chosen


@dataclass
class Segmenter:
    """jieba precise mode (HMM on) with a user dictionary, then token filtering.

    ``stopwords`` are dropped unless also in ``keep``; ``keep`` words (不, 没有, 问题 ...)
    carry negation and complaint and are never dropped. Latin letters are lower-cased (APP -> app,
    5G基站 -> 5g基站).
    """

    userdict: Path | str | Sequence[Path | str] | None = None  # one file or several, loaded in order
    stopwords: frozenset[str] = field(default_factory=frozenset)
    keep: frozenset[str] = field(default_factory=frozenset)
    engine: str | None = None  # "jieba" or "rjieba"; None: $TONGXIN_SEGMENTER, else jieba

    def __post_init__(self) -> None:
        self.stopwords = frozenset(self.stopwords)
        self.keep = frozenset(self.keep)
        self.engine = _engine(self.engine)
        self._tokenizer: jieba.Tokenizer | _RjiebaTokenizer = (
            jieba.Tokenizer() if self.engine == "jieba" else _RjiebaTokenizer())
        self._memo: dict[str, str | None] = {}
        self._entries: list[tuple[str, int | None, str | None]] = []
        for path in self.userdicts:
            self._entries.extend(read_userdict(path))
        phrases: list[str] = []
        for word, freq, tag in self._entries:
            if " " in word:
                phrases.append(word)
                continue
            # jieba matches case-sensitively; texts write 5G基站 and 5g基站 alike.
            for form in dict.fromkeys((word, word.lower(), word.upper()) if _LATIN_RE.search(word) else (word,)):
                self._tokenizer.add_word(form, freq, tag)
        # jieba never yields a token with a space in it, so terms with one are found first
        # (longest first, any case) and the rest of the text is cut around them.
        self._phrase_re = re.compile(
            "|".join(_phrase_pattern(p) for p in sorted(dict.fromkeys(phrases), key=len, reverse=True)),
            re.IGNORECASE,
        ) if phrases else None

    @property
    def userdicts(self) -> tuple[str, ...]:
        """The user dictionary files, in loading order (later entries win)."""
        if self.userdict is None:
            return ()
        if isinstance(self.userdict, (str, Path)):
            return (str(self.userdict),)
        return tuple(str(p) for p in self.userdict)

    @classmethod
    def default(cls, extra_userdicts: Sequence[Path | str] = (), engine: str | None = None) -> Segmenter:
        """The shipped user dictionary (plus ``extra_userdicts``, jieba format), stopwords and keep-list.

        ``engine``: ``"jieba"`` or ``"rjieba"``; None takes ``$TONGXIN_SEGMENTER``, else jieba.
        """
        return cls(userdict=(default_userdict(), *extra_userdicts), stopwords=frozenset(load_stopwords()),
                   keep=frozenset(load_keep()), engine=engine)

    def fingerprint(self) -> str:
        """SHA-256 of what decides the tokens: dictionary entries, stopwords, keep-list.

        By content, not by file name, so editing a dictionary in place is noticed.
        """
        digest = hashlib.sha256(_TOKENS_VERSION)
        if self.engine != "jieba":  # jieba's fingerprints stay those of earlier versions
            digest.update(f"engine={self.engine}\0".encode())
        for part in (repr(self._entries), repr(sorted(self.stopwords)), repr(sorted(self.keep))):
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")
        return digest.hexdigest()

    def _config(self) -> tuple[tuple[str, ...], frozenset[str], frozenset[str], str | None]:
        return (self.userdicts, self.stopwords, self.keep, self.engine)

    def cut(self, text: str, *, normalized: bool = False) -> list[str]:
        """Raw jieba tokens of the normalised text, placeholders and URLs removed first
        (user-dictionary terms with a space are kept whole, as one token).

        Placeholders are removed before cutting because jieba would split ``[手机号]``
        into ``[``, ``手机号``, ``]`` and leave a word nobody wrote. ``normalized=True``
        says the caller already ran :func:`normalize` (it is idempotent, so passing
        False is always correct, only slower).
        """
        if not normalized:
            text = normalize(text)
        text = _strip_placeholders_and_urls(text)
        if self._phrase_re is None or not self._phrase_re.search(text):
            return list(self._tokenizer.cut(text, cut_all=False, HMM=True))
        tokens: list[str] = []
        start = 0
        for match in self._phrase_re.finditer(text):
            tokens.extend(self._tokenizer.cut(text[start:match.start()], cut_all=False, HMM=True))
            tokens.append(match.group())
            start = match.end()
        tokens.extend(self._tokenizer.cut(text[start:], cut_all=False, HMM=True))
        return tokens

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
        if _LATIN_RE.search(token):
            token = token.lower()  # 5G基站 and 5g基站 are one word, as APP and app are
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


def _init_worker(config: tuple[tuple[str, ...], frozenset[str], frozenset[str], str | None]) -> None:
    global _WORKER
    userdict, stopwords, keep, engine = config
    _WORKER = Segmenter(userdict=userdict, stopwords=stopwords, keep=keep, engine=engine)


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
