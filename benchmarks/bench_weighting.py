"""Weighting speed and memory, each against a baseline measured in the same run.

1. Rake 1,000,000 rows on 4 variables (7, 2, 2, 6 levels) to known margins, against a
   bare numpy IPF over the observed cells (factorise the columns, sum base weights per
   cell, sweep, map back): the library's validation and diagnostics cost the ratio.
2. Rake 1,000,000 rows on 8 variables whose full cross-product has 6,048,000 cells:
   peak resident memory of a fresh process, before and after the rake.
3. 200 Rao-Wu bootstrap replicates of a raked mean with the raking redone in each,
   on 1,000,000 rows, against one rake.
4. Meta's ``balance`` raking the same 1,000,000 rows of (1) to the same margins. It runs
   in its own virtualenv (``.venv-balance``, built by ``scripts/balance-venv.sh``, as
   installing it next to the project would replace the pinned numpy/pandas): this
   module is run there as a script on the same data (saved as level codes), timing only
   the ``rake`` call, at balance's default convergence and at one as tight as ours.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

N_ROWS = 1_000_000
LEVELS_4 = {"region": 7, "sex": 2, "urban": 2, "age": 6}
LEVELS_8 = {"v1": 7, "v2": 2, "v3": 2, "v4": 6, "v5": 10, "v6": 10, "v7": 12, "v8": 30}
REPLICATES = 200
ROOT = Path(__file__).resolve().parents[1]


def _data(levels: dict[str, int], seed: int = 0) -> tuple[pd.DataFrame, dict[str, dict[str, float]]]:
    """String-coded attributes with skewed level frequencies, and margins unlike them."""
    rng = np.random.default_rng(seed)
    frame = {}
    shares = {}
    for name, k in levels.items():
        p = rng.dirichlet(np.full(k, 2.0))
        labels = np.array([f"{name}_{i}" for i in range(k)], dtype=object)
        frame[name] = pd.Series(labels[rng.choice(k, size=N_ROWS, p=p)], dtype="str")
        target = rng.dirichlet(np.full(k, 5.0))
        shares[name] = {str(labels[i]): float(target[i]) for i in range(k)}
    return pd.DataFrame(frame), shares


def bare_ipf(frame: pd.DataFrame, shares: dict[str, dict[str, float]], tol: float = 1e-10) -> np.ndarray:
    """The least a raking can do: codes, observed cells, sweeps, weights per row."""
    codes, sizes, targets = [], [], []
    for name, level_shares in shares.items():
        c, uniques = pd.factorize(frame[name])
        codes.append(c)
        sizes.append(len(uniques))
        targets.append(np.array([level_shares[u] for u in uniques]) * len(frame))
    row_cell, flat = pd.factorize(np.ravel_multi_index(codes, tuple(sizes)))
    cells = np.column_stack(np.unravel_index(flat, tuple(sizes)))
    base = np.bincount(row_cell).astype("float64")
    weight = base.copy()
    for _ in range(200):
        for d, target in enumerate(targets):
            weight *= (target / np.bincount(cells[:, d], weights=weight, minlength=len(target)))[cells[:, d]]
        gap = max(np.max(np.abs(np.bincount(cells[:, d], weights=weight, minlength=len(t)) - t))
                  for d, t in enumerate(targets))
        if gap / len(frame) < tol:
            break
    return (weight / base)[row_cell]


def _best_of(func, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def _rss_mb() -> tuple[float, float]:
    """Current and peak resident memory of this process, in MB (Linux)."""
    fields = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def memory_child() -> None:
    """Run in a fresh process: the 8-variable rake, with memory before and after."""
    from weighting import Margins, rake

    frame, shares = _data(LEVELS_8, seed=1)
    margins = Margins.from_shares(shares)
    before, peak_before = _rss_mb()
    result = rake(frame, margins, max_iter=500, on_nonconvergence="warn")
    after, peak = _rss_mb()
    print(json.dumps({"rss_before_mb": before, "peak_before_mb": peak_before, "peak_mb": peak,
                      "cells": result.diagnostics["cells"], "converged": result.converged}))


def balance_child(folder: str) -> None:
    """Run inside .venv-balance: rake the saved data with balance, print the timings."""
    from balance.weighting_methods.rake import rake as balance_rake

    saved = np.load(Path(folder) / "data.npz")
    shares = json.loads((Path(folder) / "shares.json").read_text(encoding="utf-8"))
    frame = pd.DataFrame({
        name: pd.Series(np.array([f"{name}_{i}" for i in range(k)], dtype=object)[saved[name]],
                        dtype="str")
        for name, k in LEVELS_4.items()
    })
    index = pd.MultiIndex.from_product([list(shares[v]) for v in LEVELS_4], names=list(LEVELS_4))
    target = index.to_frame(index=False)
    target_weight = np.ones(len(target))
    for v in LEVELS_4:
        target_weight *= target[v].map(shares[v]).to_numpy()
    base = pd.Series(np.ones(len(frame)))

    def once(**tolerance: float) -> tuple[float, np.ndarray]:
        start = time.perf_counter()
        result = balance_rake(frame, base, target, pd.Series(target_weight),
                              transformations=None, **tolerance)
        return time.perf_counter() - start, result["weight"].to_numpy()

    default = min(once()[0] for _ in range(2))
    tight, weights = min((once(convergence_rate=1e-10, rate_tolerance=0.0) for _ in range(2)),
                         key=lambda pair: pair[0])
    np.save(Path(folder) / "weights.npy", weights)
    print(json.dumps({"default_s": default, "tight_s": tight}))


def _balance_side(frame: pd.DataFrame, shares: dict[str, dict[str, float]],
                  ours: np.ndarray) -> dict[str, object]:
    """Time balance's rake on the same data in its own venv; a reason if it cannot run."""
    built = subprocess.run(["bash", str(ROOT / "scripts" / "balance-venv.sh")],
                           capture_output=True, text=True, check=False)
    if built.returncode != 0:
        return {"balance": f"not compared: the balance venv could not be built ({built.stderr[-300:]})"}
    python = built.stdout.strip().splitlines()[-1]
    with tempfile.TemporaryDirectory() as folder:
        codes = {}
        for name in LEVELS_4:
            codes[name] = frame[name].str.rsplit("_", n=1).str[1].astype("int64").to_numpy()
        np.savez(Path(folder) / "data.npz", **codes)
        (Path(folder) / "shares.json").write_text(json.dumps(shares), encoding="utf-8")
        child = subprocess.run(
            [python, str(Path(__file__).resolve()), "--balance-child", folder],
            capture_output=True, text=True, check=False,
        )
        if child.returncode != 0:
            return {"balance": f"not compared: balance's rake failed ({child.stderr[-300:]})"}
        timing = json.loads(child.stdout.strip().splitlines()[-1])
        theirs = np.load(Path(folder) / "weights.npy")
    gap = float(np.max(np.abs(ours / ours.sum() - theirs / theirs.sum()) / (ours / ours.sum())))
    return {"balance_rake_default_tol_s": round(timing["default_s"], 3),
            "balance_rake_tight_tol_s": round(timing["tight_s"], 3),
            "balance_max_relative_weight_gap": gap}


def run() -> dict[str, object]:
    from weighting import Margins, rake
    from weighting.replicates import rake_bootstrap

    frame, shares = _data(LEVELS_4)
    margins = Margins.from_shares(shares)
    ours = rake(frame, margins).weights.to_numpy()
    bare = bare_ipf(frame, shares)
    if not np.allclose(ours / ours.sum(), bare / bare.sum(), rtol=1e-7):
        raise AssertionError("the library rake and the bare IPF disagree")
    t_rake = _best_of(lambda: rake(frame, margins))
    t_bare = _best_of(lambda: bare_ipf(frame, shares))

    y = (frame["age"].isin(["age_0", "age_1"])).to_numpy(dtype="float64")
    start = time.perf_counter()
    rake_bootstrap(frame, margins, y, n_replicates=REPLICATES, seed=1)
    t_boot = time.perf_counter() - start

    child = subprocess.run(
        [sys.executable, "-c", "from benchmarks.bench_weighting import memory_child; memory_child()"],
        capture_output=True, text=True, check=True,
    )
    memory = json.loads(child.stdout.strip().splitlines()[-1])
    balance = _balance_side(frame, shares, ours)
    if "balance_rake_default_tol_s" in balance:
        balance["rake_over_balance_default_ratio"] = round(
            t_rake / balance["balance_rake_default_tol_s"], 3)
        balance["rake_over_balance_tight_ratio"] = round(
            t_rake / balance["balance_rake_tight_tol_s"], 3)
    return {
        "rows": N_ROWS,
        "rake_4_vars_s": round(t_rake, 3),
        "bare_numpy_ipf_s": round(t_bare, 3),
        "rake_over_bare_ratio": round(t_rake / t_bare, 2),
        "bootstrap_200_rakes_s": round(t_boot, 2),
        "bootstrap_over_one_rake_ratio": round(t_boot / t_rake, 1),
        "rake_8_vars_cross_product_cells": int(np.prod(list(LEVELS_8.values()))),
        "rake_8_vars_observed_cells": memory["cells"],
        "rake_8_vars_converged": memory["converged"],
        "rake_8_vars_rss_before_mb": round(memory["rss_before_mb"], 1),
        "rake_8_vars_peak_rss_mb": round(memory["peak_mb"], 1),
        "rake_8_vars_peak_increase_mb": round(memory["peak_mb"] - memory["rss_before_mb"], 1),
        **balance,
    }


if __name__ == "__main__" and sys.argv[1:2] == ["--balance-child"]:
    balance_child(sys.argv[2])
