"""Segmentation engines: rjieba (jieba-rs) against jieba, speed and agreement on the same texts.

Corpus: the demo county's texts (the body text of every page of ``data/demo/site``,
UTF-8 or GBK as served, and the free-text answers of ``data/demo/survey.csv``) and the
blind texts of ``tests/data/blind/topics/{dev,holdout}.csv``, all normalised once
(:func:`opinion.text.segment.normalize`), repeated ``TONGXIN_BENCH_SEGMENT_REPEAT`` times
(default 3) for the timings.

Timed, in one process, dictionaries loaded before the clock starts:

* bare ``jieba`` (a ``jieba.Tokenizer``, precise mode, HMM on, jieba's own dictionary): the baseline;
* bare ``rjieba`` (``rjieba.Jieba().cut``, HMM on, the same dictionary in Rust);
* the shipped :class:`~opinion.text.segment.Segmenter` (user dictionary, filtering) with
  ``engine="jieba"`` and with ``engine="rjieba"``.

Reported: each time as a ratio to bare jieba's (below 1 is faster), the speed-up of
rjieba over jieba bare and within the segmenter, and the agreement of the two engines
on the unrepeated corpus, bare and with the shipped user dictionary: the share of jieba's
tokens that rjieba also yields in the same text (multiset overlap) and the share of texts
whose token lists are identical. Rounds: ``TONGXIN_BENCH_SEGMENT_ROUNDS`` (default 3),
medians reported.
"""
from __future__ import annotations

import csv
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _page_text(raw: bytes) -> str:
    from parsel import Selector

    try:
        html = raw.decode("utf-8")
    except UnicodeDecodeError:
        html = raw.decode("gb18030")
    body = Selector(text=html).xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall()
    return " ".join(part.strip() for part in body if part.strip())


def demo_texts() -> list[str]:
    """Page texts of the demo sites and the survey's free-text answers."""
    texts = [_page_text(path.read_bytes()) for path in sorted((REPO / "data" / "demo" / "site").rglob("*.html"))]
    with (REPO / "data" / "demo" / "survey.csv").open(encoding="gb18030") as fh:
        texts.extend(row["最关心的问题"] for row in csv.DictReader(fh) if row["最关心的问题"])
    return [t for t in texts if t]


def blind_texts() -> list[str]:
    texts = []
    for name in ("dev.csv", "holdout.csv"):
        with (REPO / "tests" / "data" / "blind" / "topics" / name).open(encoding="utf-8") as fh:
            texts.extend(row["text"] for row in csv.DictReader(fh))
    return texts


def agreement(reference: Sequence[list[str]], other: Sequence[list[str]]) -> dict[str, float]:
    """Share of the reference's tokens found in the other's cut of the same text, share of texts cut alike."""
    shared = sum(sum((Counter(a) & Counter(b)).values()) for a, b in zip(reference, other, strict=True))
    total = sum(len(a) for a in reference)
    same = sum(a == b for a, b in zip(reference, other, strict=True))
    return {"tokens_identical": round(shared / max(total, 1), 5), "documents_identical": round(same / len(reference), 5)}


def _timed(cut: Callable[[str], object], texts: Sequence[str]) -> float:
    start = time.perf_counter()
    for text in texts:
        cut(text)
    return time.perf_counter() - start


def run() -> dict[str, object]:
    import jieba
    import rjieba

    from opinion.text.segment import Segmenter, normalize

    corpus = {"demo": [normalize(t) for t in demo_texts()], "blind": [normalize(t) for t in blind_texts()]}
    texts = corpus["demo"] + corpus["blind"]
    repeat = int(os.environ.get("TONGXIN_BENCH_SEGMENT_REPEAT", "3"))
    rounds = int(os.environ.get("TONGXIN_BENCH_SEGMENT_ROUNDS", "3"))
    timed_texts = texts * repeat

    bare_jieba = jieba.Tokenizer()
    bare_jieba.initialize()
    bare_rjieba = rjieba.Jieba()
    with_jieba = Segmenter.default(engine="jieba")
    with_rjieba = Segmenter.default(engine="rjieba")
    with_jieba.cut("预热")  # jieba loads its dictionary at the first cut
    cuts: dict[str, Callable[[str], object]] = {
        "jieba": lambda t: bare_jieba.lcut(t, cut_all=False, HMM=True),
        "rjieba": bare_rjieba.cut,
        "segmenter_jieba": lambda t: with_jieba.segment(t, normalized=True),
        "segmenter_rjieba": lambda t: with_rjieba.segment(t, normalized=True),
    }
    seconds: dict[str, list[float]] = {name: [] for name in cuts}
    ratios: dict[str, list[float]] = {name: [] for name in cuts}
    for round_ in range(rounds):
        order = list(cuts) if round_ % 2 == 0 else list(reversed(cuts))
        took = {name: _timed(cuts[name], timed_texts) for name in order}
        for name in cuts:
            seconds[name].append(round(took[name], 3))
            ratios[name].append(took[name] / took["jieba"])
    median = {name: statistics.median(values) for name, values in ratios.items()}

    result: dict[str, object] = {
        "texts": len(texts),
        "megabytes": round(sum(len(t.encode("utf-8")) for t in timed_texts) / 1e6, 2),
        "seconds": seconds,
        "time_ratio_to_bare_jieba": {name: round(value, 3) for name, value in median.items()},
        "rjieba_speedup_bare": round(1 / median["rjieba"], 1),
        "rjieba_speedup_in_segmenter": round(median["segmenter_jieba"] / median["segmenter_rjieba"], 1),
    }
    for name, part in (*corpus.items(), ("all", texts)):
        result[f"agreement_bare_{name}"] = agreement([bare_jieba.lcut(t) for t in part],
                                                     [bare_rjieba.cut(t) for t in part])
        result[f"agreement_userdict_{name}"] = agreement([with_jieba.cut(t, normalized=True) for t in part],
                                                         [with_rjieba.cut(t, normalized=True) for t in part])
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), ensure_ascii=False))
