"""Text stage throughput: normalise, mask, segment, code topics and read cues, vs bare ``jieba.lcut``.

A corpus is generated from the hand-written sentences of ``tests/data`` (forum posts,
letters, survey answers), joined into documents of a few sentences, with phone numbers,
ID numbers, URLs, full-width digits and repeated punctuation sprinkled in, so that every
step has work to do. The same documents go through

* the text stage as a report runs it: :func:`opinion.text.segment.normalize`,
  :func:`opinion.text.masking.mask_pii`, :meth:`opinion.text.segment.Segmenter.segment` (shipped user
  dictionary, stopwords, keep-list), :func:`opinion.text.topics.code_topics` and
  :func:`opinion.text.cues.find_cues` with the demo's gazetteer;
* bare ``jieba.lcut`` (precise mode, HMM on, jieba's own dictionary): the floor any
  jieba-based stage pays;

each in one process and over 2 worker processes (documents split in chunks). Worker
start-up (dictionary loading) is left out of the timings: it is paid once per run.
Reported: MB/s of each, the stage/bare time ratio per process (goal <= 1.3) and the
speed-up of 2 workers over 1 for each (goal ~1.8).

The machine is shared and its speed drifts by more than the differences measured, so
the runs go in ``TONGXIN_BENCH_TEXT_ROUNDS`` rounds (default 3), bare and stage
alternating which goes first; each round gives a ratio, and the medians are reported
beside every run's time.

Size: ``TONGXIN_BENCH_TEXT_MB`` (default 4 MB of UTF-8 text, not the 50 MB the goal
names: bare jieba runs at about 0.6-0.7 MB/s per core here, so three rounds over 50 MB
would take about 15 minutes; the ratios do not depend on the size once worker start-up
is excluded). ``TONGXIN_BENCH_TEXT_MB=50 TONGXIN_BENCH_TEXT_ROUNDS=1 make bench`` runs
the full size once.
"""
from __future__ import annotations

import csv
import os
import random
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = 20261127
TODAY = date(2026, 11, 27)
CHUNK = 200  # documents per batch sent to a worker
ROUNDS = 3  # pairs of runs; the medians are reported

_STATE: dict[str, object] = {}


def _sentences() -> list[str]:
    out = []
    for name in ("tone_labelled.csv", "cues_labelled.csv"):
        with (REPO / "tests" / "data" / name).open(encoding="utf-8") as fh:
            out.extend(row["text"] for row in csv.DictReader(fh))
    return out


def _extras(rng: random.Random) -> str:
    choice = rng.random()
    if choice < 0.15:
        return f"电话1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}，"
    if choice < 0.2:
        return "身份证号11010519491231002X，"
    if choice < 0.25:
        return "详见 https://bbs.example.cn/thread-1234-1-1.html "
    if choice < 0.3:
        return "拨打１２３４５也没用！！！"
    return ""


def generate_corpus(megabytes: float, seed: int = SEED) -> list[str]:
    """Documents of 2-8 sentences until the corpus holds ``megabytes`` MB of UTF-8."""
    rng = random.Random(seed)
    sentences = _sentences()
    docs: list[str] = []
    size, target = 0, int(megabytes * 1_000_000)
    while size < target:
        doc = "".join(_extras(rng) + rng.choice(sentences) for _ in range(rng.randint(2, 8)))
        docs.append(doc)
        size += len(doc.encode("utf-8"))
    return docs


def _init(kind: str) -> None:
    if kind == "bare":
        import jieba

        jieba.initialize()
        return
    from opinion.text.cues import load_gazetteer
    from opinion.text.segment import Segmenter
    from opinion.text.topics import load_topics

    _STATE["segmenter"] = Segmenter.default()
    _STATE["topics"] = load_topics()
    _STATE["gazetteer"] = load_gazetteer(REPO / "data" / "demo" / "gazetteer.csv")


def _bare(docs: list[str]) -> int:
    import jieba

    return sum(len(jieba.lcut(d)) for d in docs)


def _stage(docs: list[str]) -> int:
    from opinion.text.cues import find_cues
    from opinion.text.masking import mask_pii
    from opinion.text.segment import Segmenter, normalize
    from opinion.text.topics import TopicLexicon, code_topics

    segmenter = _STATE["segmenter"]
    topics = _STATE["topics"]
    assert isinstance(segmenter, Segmenter) and isinstance(topics, TopicLexicon)
    # Step by step over the batch, as a report runs them (all texts segmented, then
    # coded, then read for cues): jieba's dictionary stays in the CPU caches while it
    # segments, which interleaving the steps document by document costs ~15%.
    texts = [mask_pii(normalize(doc)) for doc in docs]  # masking keeps a normalised text normalised
    tokens = [segmenter.segment(text, normalized=True) for text in texts]
    for toks in tokens:
        code_topics(toks, topics)
    for text in texts:
        find_cues(text, _STATE["gazetteer"], today=TODAY, normalized=True)  # type: ignore[arg-type]
    return sum(map(len, tokens))


def _warm(_: int) -> None:
    time.sleep(0.3)  # holds a worker so that the next warm-up call starts the other one


def _timed(kind: str, docs: list[str], workers: int) -> tuple[float, float | None]:
    """(wall seconds, CPU seconds of this process or None when the work ran in workers)."""
    work = _bare if kind == "bare" else _stage
    chunks = [docs[i:i + CHUNK] for i in range(0, len(docs), CHUNK)]
    if workers == 1:
        _init(kind)
        start, cpu = time.perf_counter(), time.process_time()
        for chunk in chunks:
            work(chunk)
        return time.perf_counter() - start, time.process_time() - cpu
    with ProcessPoolExecutor(max_workers=workers, initializer=_init, initargs=(kind,)) as pool:
        list(pool.map(_warm, range(workers)))
        start = time.perf_counter()
        list(pool.map(work, chunks))
        return time.perf_counter() - start, None


def run() -> dict[str, object]:
    megabytes = float(os.environ.get("TONGXIN_BENCH_TEXT_MB", "4"))
    rounds = int(os.environ.get("TONGXIN_BENCH_TEXT_ROUNDS", str(ROUNDS)))
    docs = generate_corpus(megabytes)
    size_mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    # Pairs (bare, stage), alternating which goes first, so that a change in machine
    # load hits both sides; the ratio of each pair, and the median over pairs.
    for kind in ("bare", "stage"):  # untimed warm-up: the first run in a process pays for cold memory
        _timed(kind, docs[: 2 * CHUNK], 1)
    walls: dict[tuple[str, int], list[float]] = {(k, w): [] for k in ("bare", "stage") for w in (1, 2)}
    cpus: dict[str, list[float]] = {"bare": [], "stage": []}
    for n in range(rounds):
        for w in (1, 2):
            for kind in (("bare", "stage") if n % 2 == 0 else ("stage", "bare")):
                wall, cpu = _timed(kind, docs, w)
                walls[kind, w].append(wall)
                if cpu is not None:
                    cpus[kind].append(cpu)
    result: dict[str, object] = {"corpus_mb": round(size_mb, 2), "documents": len(docs), "rounds": rounds}
    for (kind, w), seconds in walls.items():
        result[f"{kind}_{w}proc_s"] = [round(x, 2) for x in seconds]
        result[f"{kind}_{w}proc_mb_per_s_median"] = round(size_mb / statistics.median(seconds), 3)

    def pair_ratios(num: list[float], den: list[float]) -> list[float]:
        return [a / b for a, b in zip(num, den, strict=True)]

    one = pair_ratios(walls["stage", 1], walls["bare", 1])
    result["stage_over_bare_1proc_per_round"] = [round(x, 3) for x in one]
    result["stage_over_bare_1proc"] = round(statistics.median(one), 3)
    # CPU time of the single-process runs (on a virtual machine whose stolen time is counted
    # as the process's own, this equals the wall-time ratio).
    result["stage_over_bare_1proc_cpu"] = round(statistics.median(pair_ratios(cpus["stage"], cpus["bare"])), 3)
    result["stage_over_bare_2proc"] = round(statistics.median(pair_ratios(walls["stage", 2], walls["bare", 2])), 3)
    for kind in ("bare", "stage"):
        speedups = pair_ratios(walls[kind, 1], walls[kind, 2])
        result[f"speedup_2proc_{kind}"] = round(statistics.median(speedups), 3)
    result["goals"] = "stage_over_bare_1proc <= 1.3; speedup_2proc_stage ~1.8"
    return result
