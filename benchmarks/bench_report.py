"""``tongxin report --cells`` on millions of online voices coded ahead, with the demo's survey.

A store is made with the demo county's survey file imported (400 rows, as field teams
hand it over) and ``N`` online voices (``TONGXIN_BENCH_REPORT_VOICES``, default
10,000,000, the goal's size; fewer for a quick look) written into its table of voices
coded ahead, as ``tongxin store code`` leaves them: five towns, urban/rural, four age groups and sex, skewed young, urban and
male as online voices are, and mostly unknown (50% of towns, 40% of residences, 60% of
ages, 70% of sexes); 0 to 3 of the shipped lexicon's topics per voice (8% raise none),
their chances depending on age group and residence. Writing the store is set-up and is
timed apart.

The margins are the demo county's scaled to a province (every target times
``PROVINCE``: 150 million adults), so that ten million voices are a minority of every
cell's population, as online voices are; against the county's 150,000 adults they would
outnumber some cells' population, and pseudo-weighting (a participation probability per
person) is then rightly reported not estimable.

Then ``tongxin report --cells --margins MARGINS --format csv --workers CORES`` runs as a
child process, as a user would run it: one ``GROUP BY`` in the database, every method
but MRP with 200 replicates (the default) computed over the machine's cores, coverage
and notes. Measured: its wall time
and peak resident memory (``ru_maxrss`` of the report's process plus, per worker, the
largest worker's: an upper bound of what is in use at once). Goals at ten million voices:
under 5 minutes, under 4 GB.

Baseline in the same run: the same report on the first ``TONGXIN_BENCH_REPORT_BASELINE``
voices (default 100,000) of the same corpus, so that the ratio of times shows what ten
(or a hundred) times more voices cost on this machine.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SEED = 20261130
TOWNS = ["城关镇", "河西镇", "青山镇", "柳林乡", "石门乡"]
AGES = ["18-29", "30-44", "45-59", "60+"]
CHUNK = 250_000
PROVINCE = 1000  # the demo county's margins times this: 150 million adults
WORKERS = os.cpu_count() or 1  # the report's --workers: replicates over every core


def generate(n: int, codes: list[str], seed: int = SEED, start: int = 0) -> dict[str, np.ndarray]:
    """Voices ``start`` .. ``start + n`` (a chunk of one corpus: each chunk has its own stream)."""
    from opinion.attributes import UNKNOWN

    rng = np.random.default_rng([seed, start])
    k = len(codes)
    age = rng.choice(4, size=n, p=[0.42, 0.33, 0.18, 0.07])
    urban = rng.choice(2, size=n, p=[0.8, 0.2])
    sex = rng.choice(2, size=n, p=[0.55, 0.45])
    town = np.where(urban == 0, rng.choice(5, size=n, p=[0.5, 0.2, 0.15, 0.1, 0.05]),
                    rng.choice(5, size=n, p=[0.1, 0.2, 0.2, 0.25, 0.25]))
    # topic chances by age group x residence, fixed across chunks
    weights = np.random.default_rng(seed).uniform(0.2, 3.0, size=(8, k))
    weights[[6, 7], 0] = [8.0, 14.0]  # elderly care: the old raise it, the rural old most
    group = age * 2 + urban
    n_topics = rng.choice(4, size=n, p=[0.08, 0.55, 0.28, 0.09])
    flags = np.zeros((n, k), dtype=bool)
    for g in range(8):
        rows = np.flatnonzero(group == g)
        p = weights[g] / weights[g].sum()
        keys = -np.log(rng.random((len(rows), k))) / p  # exponential race: draws without replacement by weight
        order = np.argsort(keys, axis=1)
        for j in range(3):
            take = n_topics[rows] > j
            flags[rows[take], order[take, j]] = True
    patterns = np.array(["".join(r) for r in np.where(flags, "1", "0")], dtype=object)

    def with_unknown(labels: list[str], values: np.ndarray, share: float) -> np.ndarray:
        out = np.array(labels, dtype=object)[values]
        out[rng.random(n) < share] = UNKNOWN
        return out

    return {
        "voice": np.array([f"bench{start + i:09d}" for i in range(n)], dtype=object),
        "region": with_unknown(TOWNS, town, 0.5),
        "urban": with_unknown(["urban", "rural"], urban, 0.4),
        "age_group": with_unknown(AGES, age, 0.6),
        "sex": with_unknown(["male", "female"], sex, 0.7),
        "topics": patterns,
    }


def make_store(path: Path, n: int) -> dict[str, Any]:
    """A SQLite store at ``path``: the demo survey imported and ``n`` voices coded ahead."""
    from opinion.estimates.coded import coded_config, write_coded
    from opinion.store.db import open_store
    from opinion.text.coder import load_coder
    from opinion.text.segment import Segmenter

    env = {**os.environ, "TONGXIN_KEY": "bench-report-key"}
    start = time.perf_counter()
    survey = path.parent / "survey.csv"  # rejected rows are written beside the file imported
    shutil.copy(REPO / "data" / "demo" / "survey.csv", survey)
    subprocess.run([sys.executable, "-m", "cli", "survey", "import", str(survey), "--db", str(path)],
                   check=True, env=env, capture_output=True, cwd=REPO)
    coder, segmenter, today = load_coder(), Segmenter.default(), date.today()
    config = coded_config(coder, segmenter, None, today)
    codes = list(coder.codes)
    with open_store(path) as store:
        def chunks() -> Any:
            for at in range(0, n, CHUNK):
                yield generate(min(CHUNK, n - at), codes, start=at)
        write_coded(store, config, chunks(), codes=codes, coder=coder, segmenter=segmenter, today=today)
    return {"store_seconds": round(time.perf_counter() - start, 1), "store_mb": round(path.stat().st_size / 2**20)}


def province_margins(path: Path) -> Path:
    """The demo county's margins with every target times :data:`PROVINCE`, written to ``path``."""
    import pandas as pd

    margins = pd.read_csv(REPO / "data" / "demo" / "margins.csv", dtype={"target": float})
    margins["target"] = margins["target"] * PROVINCE
    margins.to_csv(path, index=False)
    return path


def timed_report(db: Path, out: Path, replicates: int | None = None, margins: Path | None = None) -> dict[str, Any]:
    """``tongxin report --cells`` in a child process: wall seconds and peak resident MB."""
    margins = margins or province_margins(out.parent / f"{out.name}-margins.csv")
    command = [sys.executable, "-c", _CHILD, str(db), str(out), str(replicates or 0), str(margins), str(WORKERS)]
    result = subprocess.run(command, check=True, capture_output=True, text=True,
                            env={**os.environ, "TONGXIN_KEY": "bench-report-key"})
    return json.loads(result.stdout.strip().splitlines()[-1])


# The child runs the CLI in-process so that ru_maxrss is the report's own.
_CHILD = r"""
import json, resource, sys, time
from click.testing import CliRunner
from cli.main import main
db, out, replicates, margins = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
args = ["report", "--cells", "--db", db, "--margins", margins, "--format", "csv", "--out", out,
        "--workers", sys.argv[5]]
if replicates:
    args += ["--replicates", str(replicates)]
start = time.perf_counter()
result = CliRunner().invoke(main, args, catch_exceptions=False)
seconds = time.perf_counter() - start
if result.exit_code:
    sys.stderr.write(result.output)
    raise SystemExit(result.exit_code)
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest worker process
# the report's process and each worker at its own peak, at once: an upper bound of the memory in use
peak = own + int(sys.argv[5]) * workers if int(sys.argv[5]) > 1 else own
print(json.dumps({"seconds": round(seconds, 1), "peak_mb": round(peak), "process_peak_mb": round(own),
                  "worker_peak_mb": round(workers)}))
"""


def run(voices: int | None = None, baseline: int | None = None) -> dict[str, object]:
    import pandas as pd

    n = voices or int(os.environ.get("TONGXIN_BENCH_REPORT_VOICES", "10000000"))
    n_base = baseline or int(os.environ.get("TONGXIN_BENCH_REPORT_BASELINE", "100000"))
    with tempfile.TemporaryDirectory(prefix="tongxin-bench-report-") as tmp:
        work = Path(tmp)
        small, big = work / "small.db", work / "big.db"
        make_store(small, n_base)
        made_big = make_store(big, n)
        base = timed_report(small, work / "small-out")
        full = timed_report(big, work / "big-out")
        estimates = pd.read_csv(work / "big-out" / "estimates.csv")
    return {
        "benchmark": "report_cells",
        "voices": n,
        "baseline_voices": n_base,
        "store_seconds": made_big["store_seconds"],
        "store_mb": made_big["store_mb"],
        "report_seconds": full["seconds"],
        "report_peak_mb": full["peak_mb"],
        "report_process_peak_mb": full["process_peak_mb"],
        "report_worker_peak_mb": full["worker_peak_mb"],
        "workers": WORKERS,
        "baseline_report_seconds": base["seconds"],
        "baseline_peak_mb": base["peak_mb"],
        "ratio_to_baseline": round(full["seconds"] / base["seconds"], 2) if base["seconds"] else None,
        "estimate_rows": len(estimates),
        "methods": sorted(set(estimates["method"])),
        "goal": "report on ten million voices under 300 s and 4096 MB",
        "within_goal_at_this_size": full["seconds"] < 300 and full["peak_mb"] < 4096,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", type=int, default=None)
    parser.add_argument("--baseline", type=int, default=None)
    args = parser.parse_args()
    print(json.dumps(run(args.voices, args.baseline), ensure_ascii=False))


if __name__ == "__main__":
    main()
