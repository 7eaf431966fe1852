"""Age bands as statistics bureaus and survey platforms write them.

A census table or a survey answer gives ages as bands: ``18-29``, ``18—29岁``,
``18~29岁``, ``18至29岁``, ``70+``, ``60岁及以上``, ``65周岁以上``, ``不满18岁``.
:func:`parse_band` reads one such label into a :class:`Band` (inclusive bounds, an
open upper end for "and over"); :class:`Bands` is an ordered partition of ages
(the levels of one age variable) that places an age, or an age range, in its band.

Conventions (those of the census yearbooks, 中国人口普查年鉴): bounds are completed
years and inclusive; ``N岁以上`` and ``N岁及以上`` both mean N and over (the
yearbooks write ``65岁以上`` for the 65-and-over share); ``N岁以下`` and ``不满N岁``
mean under N, i.e. 0 to N-1; ``N岁及以下`` means 0 to N.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from weighting.errors import WeightingError

MAX_AGE = 150

_YEARS = r"(?:周岁|歲|岁)?"
_DASHES = "-‐‑‒–—―－~～〜至到"
_RANGE = re.compile(rf"^(\d{{1,3}}){_YEARS}\s*[{_DASHES}]+\s*(\d{{1,3}}){_YEARS}$")
_OVER = re.compile(rf"^(\d{{1,3}}){_YEARS}\s*(?:\+|及以上|以上|及更大|或以上|及以上年龄)$")
_UNDER = re.compile(rf"^(?:不满|未满|不足)(\d{{1,3}}){_YEARS}$|^(\d{{1,3}}){_YEARS}\s*以下$")
_UNDER_INCLUSIVE = re.compile(rf"^(\d{{1,3}}){_YEARS}\s*及以下$")
_SINGLE = re.compile(r"^(\d{1,3})(?:周岁|歲|岁)$")


class BandError(WeightingError):
    """Age bands that overlap, leave gaps, or cannot be read; the message names them."""


@dataclass(frozen=True, order=True)
class Band:
    """An age band in completed years: ``lo`` to ``hi`` inclusive, ``hi=None`` for "and over"."""

    lo: int
    hi: int | None = None

    def __post_init__(self) -> None:
        if self.lo < 0 or (self.hi is not None and self.hi < self.lo):
            raise BandError(f"age band {self.lo}-{self.hi}: bounds must satisfy 0 <= lo <= hi")

    @property
    def label(self) -> str:
        """Canonical text: ``18-29``, ``70+``, ``0-17``."""
        return f"{self.lo}+" if self.hi is None else f"{self.lo}-{self.hi}"

    def __str__(self) -> str:
        return self.label

    def contains(self, age: int) -> bool:
        """Whether ``age`` (completed years) is in the band."""
        return age >= self.lo and (self.hi is None or age <= self.hi)

    def covers(self, lo: int, hi: int | None) -> bool:
        """Whether the whole range ``lo..hi`` (``hi=None`` open-ended) is in the band."""
        if lo < self.lo:
            return False
        if self.hi is None:
            return True
        return hi is not None and hi <= self.hi

    def overlaps(self, other: Band) -> bool:
        """Whether the two bands share an age."""
        first, second = sorted((self, other))
        return first.hi is None or second.lo <= first.hi


def _clean(text: str) -> str:
    # NFKC turns full-width digits and signs (１８～２９) into ASCII; spaces say nothing.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def parse_band(text: object) -> Band | None:
    """Read an age-band label; None if ``text`` is not one.

    Accepts ``18-29``, ``18—29岁``, ``18–29``, ``18~29岁``, ``18至29岁``, ``18到29``,
    ``70+``, ``70岁+``, ``60岁及以上``, ``60岁以上``, ``65周岁及以上``, ``不满18岁`` and
    ``18岁以下`` (both 0-17), ``18岁及以下`` (0-18), a single age ``65岁`` (65-65), in
    full-width digits too. A bare number (``65``) is not a band: in a table it is a count.
    A band whose bounds are reversed or beyond :data:`MAX_AGE` is not a band either.
    """
    if text is None:
        return None
    cleaned = _clean(str(text))
    if not cleaned:
        return None
    band: Band | None = None
    if match := _RANGE.match(cleaned):
        lo, hi = int(match.group(1)), int(match.group(2))
        band = Band(lo, hi) if lo <= hi else None
    elif match := _OVER.match(cleaned):
        band = Band(int(match.group(1)), None)
    elif match := _UNDER.match(cleaned):
        bound = int(match.group(1) or match.group(2))
        band = Band(0, bound - 1) if bound > 0 else None
    elif match := _UNDER_INCLUSIVE.match(cleaned):
        band = Band(0, int(match.group(1)))
    elif match := _SINGLE.match(cleaned):
        band = Band(int(match.group(1)), int(match.group(1)))
    if band is None or band.lo > MAX_AGE or (band.hi is not None and band.hi > MAX_AGE):
        return None
    return band


def band_label(text: object) -> str | None:
    """The canonical label of an age-band text (``18—29岁`` -> ``18-29``,
    ``60岁及以上`` -> ``60+``); None if it is not a band."""
    band = parse_band(text)
    return band.label if band is not None else None


class Bands:
    """An ordered partition of ages into bands: the levels of one age variable.

    Built from bands or labels in any order; kept sorted by lower bound. Overlapping
    bands are an error. Gaps between bands (ages no band holds, e.g. ``18-29`` then
    ``40-49``) are listed in :attr:`gaps` and are an error unless ``allow_gaps``; ages
    below the first band or above a closed last band are simply outside (a table of
    adults starts at 18).

    Raises:
        BandError: a label that is not a band, two bands that overlap, or a gap.
    """

    def __init__(self, bands: Iterable[Band], *, allow_gaps: bool = False) -> None:
        ordered = sorted(bands)
        if not ordered:
            raise BandError("no age bands given")
        for first, second in zip(ordered, ordered[1:], strict=False):
            if first.overlaps(second):
                raise BandError(
                    f"age bands {first.label} and {second.label} overlap; each age must fall in "
                    "one band (drop a sub-item such as 其中：65岁以上, or fix the bounds)"
                )
        self._bands: tuple[Band, ...] = tuple(ordered)
        self.gaps: tuple[tuple[int, int], ...] = tuple(
            (first.hi + 1, second.lo - 1)
            for first, second in zip(ordered, ordered[1:], strict=False)
            if first.hi is not None and second.lo > first.hi + 1
        )
        if self.gaps and not allow_gaps:
            missing = ", ".join(f"{lo}-{hi}" for lo, hi in self.gaps)
            raise BandError(
                f"age bands {', '.join(self.labels)} leave ages {missing} in no band; "
                "add the missing band(s)"
            )

    @classmethod
    def from_labels(cls, labels: Iterable[object], *, allow_gaps: bool = False) -> Bands:
        """Bands from labels as written (``18—29岁``, ``60岁及以上``, ...)."""
        bands = []
        for text in labels:
            band = parse_band(text)
            if band is None:
                raise BandError(
                    f"age band {str(text)!r} is not an age band; write e.g. 18-29, 18—29岁, "
                    "60岁及以上 or 70+"
                )
            bands.append(band)
        return cls(bands, allow_gaps=allow_gaps)

    @property
    def bands(self) -> tuple[Band, ...]:
        """The bands, youngest first."""
        return self._bands

    @property
    def labels(self) -> tuple[str, ...]:
        """Canonical labels, youngest first: ``('18-29', '30-44', '45-59', '60+')``."""
        return tuple(b.label for b in self._bands)

    @property
    def lo(self) -> int:
        """The youngest age any band holds."""
        return self._bands[0].lo

    @property
    def hi(self) -> int | None:
        """The oldest age any band holds; None when the last band is open-ended."""
        return self._bands[-1].hi

    def place(self, age: int) -> str | None:
        """The label of the band holding ``age``; None if no band does."""
        for band in self._bands:
            if band.contains(age):
                return band.label
        return None

    def place_range(self, lo: int, hi: int | None) -> str | None:
        """The label of the band holding the whole range ``lo..hi`` (``hi=None``
        open-ended, as for an answer ``60岁以上``); None when the range straddles bands
        or falls outside them."""
        for band in self._bands:
            if band.covers(lo, hi):
                return band.label
        return None

    def __len__(self) -> int:
        return len(self._bands)

    def __iter__(self) -> Iterator[Band]:
        return iter(self._bands)

    def __contains__(self, label: object) -> bool:
        return label in self.labels

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Bands) and self._bands == other._bands

    def __hash__(self) -> int:
        return hash(self._bands)

    def __repr__(self) -> str:
        return f"Bands({', '.join(self.labels)})"


def is_partition(labels: Sequence[object]) -> bool:
    """Whether ``labels`` are all age bands forming a partition without overlaps or gaps."""
    try:
        Bands.from_labels(labels)
    except BandError:
        return False
    return True
