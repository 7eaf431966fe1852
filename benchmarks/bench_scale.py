"""Ten million voices: raw and raked topic shares from cell-level sufficient statistics.

Generates ``N`` online voices (``TONGXIN_BENCH_SCALE_VOICES``, default 1,000,000 for
``make bench``; ``python -m benchmarks.bench_scale --voices 10000000`` for the full
size): age group, sex and urban/rural drawn skewed young and urban as online voices
are, most of them unknown (60% of ages, 70% of sexes, 40% of residences: few texts say),
and 15 topic indicators whose probabilities depend on age group and residence. The
voices are held as numpy arrays (as read from a store), then

* aggregated to cell sums (:func:`opinion.estimates.cells.cell_stats_from_codes`, one
  ``bincount`` per sum) and raked to the demo county's margins with fractional
  allocation of the unknown attributes (:func:`opinion.estimates.cells.rake_cells`),
  then given 95% intervals from 200 bootstrap replicates drawn at the cell level
  (:func:`opinion.estimates.cells.cell_intervals`), as a report's online estimates need;
* the same estimate on the first ``TONGXIN_BENCH_SCALE_BASELINE`` voices (default
  200,000) the way :func:`opinion.estimates.methods.point_estimates` computes it, voice by
  voice (allocation of every unknown voice, raking of the split rows): the baseline,
  timed per voice and checked equal to the cell path on the same voices;
* the cell sums of the first ``TONGXIN_BENCH_SCALE_SQL`` voices (default 200,000)
  computed by SQLite with ``GROUP BY`` (:func:`opinion.estimates.cells.cell_stats_sql`).

The run happens in a child process so that its peak resident memory (``ru_maxrss``)
is its own. Goals at ten million voices: under 5 minutes, under 4 GB.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SEED = 20261130
REPLICATES = 200  # bootstrap replicates of the intervals, as a report uses
AGES = ["18-29", "30-44", "45-59", "60+", "unknown"]
SEXES = ["male", "female", "unknown"]
URBAN = ["urban", "rural", "unknown"]
VARIABLES = ["age_group", "sex", "urban"]
TOPICS = 15


def generate(n: int, seed: int = SEED) -> dict[str, np.ndarray]:
    """``n`` voices as small integer codes and a voices x topics 0/1 matrix (uint8)."""
    rng = np.random.default_rng(seed)
    age = rng.choice(4, size=n, p=[0.42, 0.33, 0.18, 0.07]).astype(np.int8)
    sex = rng.choice(2, size=n, p=[0.55, 0.45]).astype(np.int8)
    urban = rng.choice(2, size=n, p=[0.8, 0.2]).astype(np.int8)
    group = age * 2 + urban  # topic probabilities differ by age group and residence
    p = rng.uniform(0.02, 0.3, size=(8, TOPICS)).astype(np.float32)
    p[[6, 7], 0] = [0.45, 0.7]  # elderly care: the old raise it, the rural old most
    y = np.empty((n, TOPICS), dtype=np.uint8)
    for topic in range(TOPICS):
        y[:, topic] = rng.random(n, dtype=np.float32) < p[group, topic]
    for codes, share_unknown, unknown in ((age, 0.6, 4), (sex, 0.7, 2), (urban, 0.4, 2)):
        codes[rng.random(n, dtype=np.float32) < share_unknown] = unknown
    return {"age_group": age, "sex": sex, "urban": urban, "y": y}


def _levels() -> list[list[str]]:
    return [AGES, SEXES, URBAN]


def cell_path(voices: dict[str, np.ndarray], replicates: int = 0) -> tuple[Any, dict[str, Any]]:
    """Aggregate to cells and rake; with ``replicates``, also the 95% intervals of raw and
    rake from replicates drawn at the cell level (what a report's online estimates need)."""
    from opinion.estimates.cells import TOPICS as CELL_TOPICS
    from opinion.estimates.cells import cell_intervals, cell_stats_from_codes, rake_cells
    from weighting import Margins

    margins = Margins.from_csv(REPO / "data" / "demo" / "margins.csv")
    start = time.perf_counter()
    y = voices["y"]
    has_any = y.any(axis=1)
    # cells crossed with the voices' topic patterns (as opinion.estimates.cells.cell_stats makes
    # them): the allocation of unknown attributes is conditioned on what a voice said, and a
    # cell's voices said the same, so replicates can be drawn by cell
    pattern = y.astype(np.int64) @ (1 << np.arange(TOPICS, dtype=np.int64))
    patterns = ["".join("1" if code >> j & 1 else "0" for j in range(TOPICS)) for code in range(1 << TOPICS)]
    stats = cell_stats_from_codes([*(voices[v] for v in VARIABLES), pattern], [*_levels(), patterns],
                                  [*VARIABLES, CELL_TOPICS], y, has_any, [f"topic_{i}" for i in range(TOPICS)])
    aggregated = time.perf_counter()
    raked = rake_cells(stats, margins, variables=VARIABLES)
    done = time.perf_counter()
    timings = {"aggregate_s": round(aggregated - start, 3), "rake_s": round(done - aggregated, 4),
               "cells": len(stats.base)}
    if replicates:
        table = cell_intervals(stats, margins, replicates=replicates, variables=VARIABLES)
        rake_rows = table[table["method"] == "rake"]
        timings.update({"replicates": replicates, "intervals_s": round(time.perf_counter() - done, 2),
                        "rake_topic_0_interval": [round(float(rake_rows["ci_low"].iloc[0]), 5),
                                                  round(float(rake_rows["ci_high"].iloc[0]), 5)]})
    return raked, timings


def voice_path(voices: dict[str, np.ndarray]) -> tuple[np.ndarray, float]:
    """The rake estimate voice by voice, as ``point_estimates`` computes it (baseline)."""
    import pandas as pd

    from opinion.estimates.methods import topic_pattern
    from weighting import Margins, rake
    from weighting.unknown import allocate_unknown

    margins = Margins.from_csv(REPO / "data" / "demo" / "margins.csv")
    start = time.perf_counter()
    frame = pd.DataFrame({v: np.asarray(lv, dtype=object)[voices[v]] for v, lv in zip(VARIABLES, _levels(),
                                                                                        strict=True)})
    frame["_position"] = np.arange(len(frame))
    frame["_topics"] = topic_pattern(voices["y"])  # allocation conditioned on what each voice said
    rows, _ = allocate_unknown(frame, VARIABLES, unknown="unknown", weight_column="_base", condition=["_topics"])
    weights = rake(rows[VARIABLES], margins, variables=VARIABLES, base_weights=rows["_base"]).weights.to_numpy()
    w = np.zeros(len(frame))
    np.add.at(w, rows["_position"].to_numpy(), weights)
    y = voices["y"].astype(float)
    d = y.any(axis=1)
    values = (w[:, None] * y).sum(axis=0) / (w * d).sum()
    return values, time.perf_counter() - start


def sql_path(voices: dict[str, np.ndarray]) -> dict[str, float]:
    import pandas as pd
    import sqlalchemy as sa

    from opinion.estimates.cells import cell_stats_sql

    frame = pd.DataFrame({v: np.asarray(lv, dtype=object)[voices[v]] for v, lv in zip(VARIABLES, _levels(),
                                                                                        strict=True)})
    topics = [f"topic_{i}" for i in range(TOPICS)]
    for i, name in enumerate(topics):
        frame[name] = voices["y"][:, i]
    frame["has_any"] = voices["y"].any(axis=1).astype(np.uint8)
    engine = sa.create_engine("sqlite://")
    start = time.perf_counter()
    frame.to_sql("voices", engine, index=False, chunksize=50_000)
    loaded = time.perf_counter()
    with engine.connect() as conn:
        source = sa.Table("voices", sa.MetaData(), autoload_with=conn)
        stats = cell_stats_sql(conn, source, VARIABLES, topics, "has_any")
    grouped = time.perf_counter()
    engine.dispose()
    return {"sql_voices": len(frame), "sql_load_s": round(loaded - start, 2), "sql_group_by_s": round(grouped - loaded, 2),
            "sql_cells": len(stats.base)}


def child(n: int, baseline: int, sql: int) -> dict[str, object]:
    start = time.perf_counter()
    voices = generate(n)
    generated = time.perf_counter()
    raked, timings = cell_path(voices, replicates=REPLICATES)
    out: dict[str, object] = {"voices": n, "generate_s": round(generated - start, 2), **timings}
    out["estimates_s"] = round(time.perf_counter() - generated, 3)
    # generate, aggregate, rake, 200 replicates: the goal's clock
    out["scale_path_s"] = round(time.perf_counter() - start, 2)
    out["rake_topic_0"] = round(float(raked.values.iloc[0]), 5)
    out["ess"] = round(raked.ess, 1)

    part = {k: v[:baseline] for k, v in voices.items()}
    voice_values, voice_seconds = voice_path(part)
    cell_start = time.perf_counter()
    small, _ = cell_path(part)
    cell_seconds = time.perf_counter() - cell_start
    out["baseline_voices"] = baseline
    out["baseline_voice_level_s"] = round(voice_seconds, 2)
    out["baseline_cell_level_s"] = round(cell_seconds, 3)
    out["speedup_cells_over_voices"] = round(voice_seconds / cell_seconds, 1)
    out["max_abs_difference_cells_vs_voices"] = float(np.max(np.abs(small.values.to_numpy() - voice_values)))
    out["voice_level_projected_s"] = round(voice_seconds * n / baseline, 1)
    if sql:
        out.update(sql_path({k: v[:sql] for k, v in voices.items()}))
    out["total_s"] = round(time.perf_counter() - start, 2)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["within_goal"] = bool(out["scale_path_s"] < 300 and out["peak_rss_mb"] < 4096)  # type: ignore[operator]
    return out


def run(voices: int | None = None) -> dict[str, object]:
    n = voices or int(os.environ.get("TONGXIN_BENCH_SCALE_VOICES", "1000000"))
    baseline = min(n, int(os.environ.get("TONGXIN_BENCH_SCALE_BASELINE", "200000")))
    sql = min(n, int(os.environ.get("TONGXIN_BENCH_SCALE_SQL", "200000")))
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_scale", "--child", "--voices", str(n),
                           "--baseline", str(baseline), "--sql", str(sql)],
                          cwd=REPO, capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--voices", type=int, default=None, help="voices to generate (default 1,000,000)")
    parser.add_argument("--baseline", type=int, default=200_000, help="voices for the voice-level baseline")
    parser.add_argument("--sql", type=int, default=200_000, help="voices for the SQLite GROUP BY (0: skip)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        result = child(args.voices, args.baseline, args.sql)
    else:
        result = run(args.voices)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
