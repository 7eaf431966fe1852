"""``python -m benchmarks.simulate_coding [--draws N] [--replicates R] [--hand N] [--mrp]``: a
simulation of estimates from an imperfect coder, with and without a hand-coded sample.

The population, online voices and clustered survey are those of
``tests/estimates/simulation.py`` (true agenda shares known). The coder misses
elder-care concerns at 50% among the rural 60+ and 20% elsewhere, adds them at 8% online
and 2% in the survey, and misses/adds housing at 10%/5%: errors that differ by source
and group, as a lexicon's do. A person codes ``--hand`` voices drawn by stratified
simple random sampling (by source). For every draw, every method is estimated from the
coder alone, corrected with the hand-coded voices (:mod:`opinion.estimates.correction`),
and from the true codes (what each method gives with a perfect coder: its own bias and
coverage, which the correction cannot improve on); the table gives bias, RMSE, 95%
interval coverage and mean width over the draws. ``--mrp`` adds MRP (fitted to the codes
given; the corrected MRP adds the coder shift the corrected blend measures).
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd

from opinion.estimates.correction import HandSample
from opinion.estimates.methods import estimate_with_intervals
from opinion.estimates.mrp import mrp_estimates
from tests.estimates.simulation import simulate


def noisy_coder(voices: pd.DataFrame, y: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The coder's topics: the true ones with misses and false additions that differ by
    source and group."""
    coded = y.copy()
    rural_old = ((voices["age_group"] == "60+") & (voices["urban"] == "rural")).to_numpy()
    online = (voices["source"] == "online").to_numpy()
    elder = y["eldercare"].to_numpy()
    missed = rng.random(len(elder)) < np.where(rural_old, 0.5, 0.2)
    added = rng.random(len(elder)) < np.where(online, 0.08, 0.02)
    coded["eldercare"] = (elder & ~missed) | (~elder & added)
    housing = y["housing"].to_numpy()
    coded["housing"] = (housing & ~(rng.random(len(housing)) < 0.10)) | (~housing & (rng.random(len(housing)) < 0.05))
    return coded


def hand_coded(voices: pd.DataFrame, y: pd.DataFrame, n: int, rng: np.random.Generator) -> HandSample:
    """A person's (true) codes for ``n`` voices, stratified by source, proportional allocation."""
    rows: list[int] = []
    probability: list[float] = []
    strata: list[str] = []
    for source in ("online", "survey"):
        members = np.flatnonzero(voices["source"].to_numpy() == source)
        take = round(n * len(members) / len(voices))
        rows += list(rng.choice(members, take, replace=False))
        probability += [take / len(members)] * take
        strata += [source] * take
    at = np.asarray(rows, dtype=int)
    return HandSample(rows=at, codes=y.to_numpy(dtype=float)[at], probability=np.asarray(probability),
                      stratum=np.asarray(strata), topics=list(y.columns), sample="simulated")


def study(draws: int, replicates: int, hand: int, mrp: bool = False) -> pd.DataFrame:
    records = []
    for seed in range(draws):
        voices, y, _, margins, truth = simulate(seed)
        rng = np.random.default_rng(10_000 + seed)
        coded = noisy_coder(voices, y, rng)
        sample = hand_coded(voices, y, hand, rng)
        runs = (("true codes", y, None), ("coder alone", coded, None), ("corrected", coded, sample))
        for kind, given, used in runs:
            result = estimate_with_intervals(voices, given, given.any(axis=1), margins, replicates=replicates,
                                             seed=seed, hand=used)
            table = result.table
            if mrp:
                fitted = mrp_estimates(voices, given, given.any(axis=1), margins, seed=seed, draws=1000,
                                       shift=result.coder_shift)
                table = pd.concat([table, fitted.assign(method="mrp")], ignore_index=True)
            for row in table.itertuples():
                records.append({"draw": seed, "estimate_kind": kind, "method": row.method, "topic": row.column,
                                "estimate": row.estimate, "ci_low": row.ci_low, "ci_high": row.ci_high,
                                "truth": truth[str(row.column)]})
    frame = pd.DataFrame(records)
    frame["error"] = frame["estimate"] - frame["truth"]
    frame["covered"] = (frame["ci_low"] <= frame["truth"]) & (frame["truth"] <= frame["ci_high"])
    frame["width"] = frame["ci_high"] - frame["ci_low"]
    return frame


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    grouped = frame.groupby(["estimate_kind", "method", "topic"])
    return pd.DataFrame({
        "bias": grouped["error"].mean(),
        "rmse": grouped["error"].apply(lambda e: float(np.sqrt(np.mean(e**2)))),
        "coverage": grouped["covered"].mean(),
        "width": grouped["width"].mean(),
    }).round(3)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.simulate_coding", description=__doc__.split("\n\n")[0])
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--hand", type=int, default=300, help="voices coded by a person per draw")
    parser.add_argument("--mrp", action="store_true", help="also MRP (slower)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    table = summary(study(args.draws, args.replicates, args.hand, mrp=args.mrp))
    print(f"{args.draws} draws, {args.replicates} replicates each, {args.hand} hand-coded voices; "
          f"{time.perf_counter() - started:.0f} s")
    print(table.to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
