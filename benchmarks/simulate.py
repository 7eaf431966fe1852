"""``python -m benchmarks simulate``: a simulation study of every estimator against a known truth.

A synthetic adult population of a county in a central province; online voices drawn as
people go online and post; a door-to-door survey drawn as a county office would; every
method run as a report runs it; bias, RMSE, 95% interval coverage and width over many
replications, overall and for the rural 60+. docs/simulation.md gives the design's
sources and the results.

Population (``--population`` adults): age group x sex in the proportions of 河南's adults in
the shipped 2020 census table (``weighting.targets.census_margins``); urban/rural by age
from the census bulletin's national figures (rural share 46% among people aged 60+, 34%
below 60: 23.81% of rural and 15.82% of urban residents are 60+, 509.8M rural of
1,411.8M); ten townships (two urban 街道, eight rural towns), each of villages
(clusters) of about 300 adults. Five concerns whose chances differ by age, sex and
urban/rural; each person raises each concern independently, and some raise none (the
agenda share is taken among those who raise at least one).

Online voices: a person is online with the CNNIC penetration of their age and residence
(49th report: 81.3% urban, 57.6% rural, 43.2% of people 60+; the young near 100%), and an
online person posts with a chance falling with age (the posters of opinion platforms are
young) and halved for rural residents; the number of posts per voice is heavy-tailed
(Zipf, so few voices post most). The result: a couple of thousand voices and almost no
rural elderly. A voice reveals its age group, sex and residence each with its own chance
(as pages and text cues do); the others are unknown and allocated fractionally.

Discrepancy within groups (``STRENGTHS``): people who post raise housing and transport
more than their neighbours of the same age, sex and place, by 0, 5 (small) or 15 (large)
percentage points. No weighting on age, sex and place can remove that; only the survey
sees it.

Survey: stratified by township, two villages drawn per township with equal chances, 20
adults per village by simple random sampling; about a third do not respond (the young
and urban more often). Design weights are the inverse selection chances, raked to the
margins by the methods.

Methods (``opinion.estimates.methods.estimate_with_intervals`` with the bootstrap
replicates a report uses, and ``opinion.estimates.mrp.mrp_estimates``): raw, rake,
survey, blend (composite: Elliott & Haviland 2007, the default), blend_ess (the
effective-size mix), pseudo and MRP.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from opinion.estimates.methods import estimate_with_intervals
from opinion.estimates.mrp import mrp_estimates
from weighting import Margins
from weighting.targets import census_margins

TOPICS = ("eldercare", "housing", "transport", "healthcare", "employment")
AGES = ("18-29", "30-44", "45-59", "60+")
STRENGTHS = {"none": 0.0, "small": 0.05, "large": 0.15}
RURAL_SHARE = {"18-29": 0.339, "30-44": 0.339, "45-59": 0.339, "60+": 0.46}
ONLINE = {"18-29": 0.99, "30-44": 0.95, "45-59": 0.80, "60+": 0.432}  # CNNIC-shaped penetration by age
RESIDENCE_ONLINE = {"urban": 1.0, "rural": 0.72}  # rural 57.6% against urban 81.3%
POSTS = {"18-29": 0.08, "30-44": 0.06, "45-59": 0.03, "60+": 0.012}  # an online person posts
REVEALED = {"age_group": 0.4, "sex": 0.6, "urban": 0.55}
RESPONSE = {"18-29": 0.55, "30-44": 0.65, "45-59": 0.8, "60+": 0.85}
METHOD_ORDER = ("raw", "rake", "survey", "blend", "blend_ess", "pseudo", "mrp")
DOMAIN = "60+*rural"


@dataclass
class County:
    """One draw: the voices (online and respondents) with their concerns, the margins and the truth."""

    voices: pd.DataFrame
    y: pd.DataFrame
    margins: Margins
    truth: dict[str, float]
    truth_domain: dict[str, float]


def _base_chances(pop: pd.DataFrame) -> dict[str, np.ndarray]:
    age = pop["age_group"].to_numpy()
    rural = (pop["urban"] == "rural").to_numpy()
    female = (pop["sex"] == "female").to_numpy()
    old = age == "60+"
    young = np.isin(age, ("18-29", "30-44"))
    return {
        "eldercare": np.where(old, np.where(rural, 0.55, 0.35), np.where(age == "45-59", 0.15, 0.05)) + 0.04 * female,
        "housing": np.where(young & ~rural, 0.45, np.where(young, 0.25, 0.12)),
        "transport": np.where(rural, 0.30, 0.18),
        "healthcare": np.where(old, 0.40, 0.15) + 0.05 * rural,
        "employment": np.where(young, 0.30, np.where(age == "45-59", 0.18, 0.03)) + 0.05 * rural,
    }


def draw_county(seed: int, strength: float, size: int = 60_000) -> County:
    """One county: population, online voices and survey respondents (see the module docstring)."""
    rng = np.random.default_rng(seed)
    census = census_margins("河南").joint(["age_group", "sex"])
    cells = [k if isinstance(k, tuple) else tuple(str(k).split("*")) for k in census.index]
    pick = rng.choice(len(cells), size, p=census.to_numpy() / census.sum())
    pop = pd.DataFrame([cells[i] for i in pick], columns=["age_group", "sex"])
    rural = rng.random(size) < pop["age_group"].map(RURAL_SHARE).to_numpy()
    pop["urban"] = np.where(rural, "rural", "urban")
    # townships: 2 urban 街道 hold the urban residents, 8 rural towns the rural; villages of ~300
    township = np.where(rural, rng.integers(2, 10, size), rng.integers(0, 2, size))
    pop["region"] = [f"T{t}" for t in township]
    village = np.zeros(size, dtype=int)
    for t in np.unique(township):
        members = np.flatnonzero(township == t)
        village[members] = rng.integers(0, max(2, round(len(members) / 300)), len(members))
    pop["cluster"] = [f"T{t}-V{v}" for t, v in zip(township, village, strict=True)]

    online = rng.random(len(pop)) < (pop["age_group"].map(ONLINE).to_numpy()
                                     * pop["urban"].map(RESIDENCE_ONLINE).to_numpy())
    posts_chance = pop["age_group"].map(POSTS).to_numpy() * np.where(pop["urban"] == "rural", 0.5, 1.0)
    poster = online & (rng.random(len(pop)) < posts_chance)
    chances = _base_chances(pop)
    for topic in ("housing", "transport"):
        chances[topic] = chances[topic] + strength * poster
    for topic in TOPICS:
        pop[topic] = rng.random(len(pop)) < np.clip(chances[topic], 0.0, 1.0)
    speaks = pop[list(TOPICS)].any(axis=1)
    truth = {t: float(pop.loc[speaks, t].mean()) for t in TOPICS}
    domain = speaks & (pop["age_group"] == "60+") & (pop["urban"] == "rural")
    truth_domain = {t: float(pop.loc[domain, t].mean()) for t in TOPICS}

    voices_online = pop[poster].assign(source="online", design_weight=1.0, cluster=None)
    voices_online["posts"] = rng.zipf(2.0, len(voices_online)).clip(max=500)
    for variable, chance in REVEALED.items():
        hidden = rng.random(len(voices_online)) >= chance
        voices_online.loc[hidden, variable] = "unknown"

    respondents = []
    for _, members in pop.groupby("region"):
        villages = members["cluster"].unique()
        chosen = rng.choice(villages, size=min(2, len(villages)), replace=False)
        for village in chosen:
            people = members[members["cluster"] == village]
            take = min(20, len(people))
            drawn = people.sample(take, random_state=int(rng.integers(1 << 31)))
            weight = (len(villages) / len(chosen)) * (len(people) / take)
            answers = rng.random(take) < (drawn["age_group"].map(RESPONSE).to_numpy()
                                          * np.where(drawn["urban"] == "urban", 0.85, 1.0))
            respondents.append(drawn[answers].assign(source="survey", design_weight=weight, stratum=drawn["region"]))
    survey = pd.concat(respondents)
    voices = pd.concat([voices_online, survey], ignore_index=True)
    counts = pop.groupby(["age_group", "sex", "urban"]).size()
    margins = Margins.from_frame(pd.DataFrame({
        "variable": "age_group*sex*urban", "level": ["*".join(k) for k in counts.index], "target": counts.to_numpy(),
    }))
    voices["segment"] = np.where((voices["age_group"] == "unknown") | (voices["urban"] == "unknown"), "unknown",
                                 voices["age_group"].astype(str) + "*" + voices["urban"].astype(str))
    return County(voices, voices[list(TOPICS)].astype(bool), margins, truth, truth_domain)


def one_replication(seed: int, strength_name: str, replicates: int, mrp: bool) -> list[dict[str, object]]:
    """Every method's estimates and intervals on one draw, as rows with the truth beside."""
    county = draw_county(seed, STRENGTHS[strength_name])
    voices, y = county.voices, county.y
    has_any = y.any(axis=1)
    result = estimate_with_intervals(voices, y, has_any, county.margins, replicates=replicates, seed=seed,
                                     by="segment", compare_mixes=True)
    table = result.table
    if mrp:
        fitted = mrp_estimates(voices, y, has_any, county.margins, seed=seed, draws=1000, imputations=2)
        table = pd.concat([table, fitted.assign(method="mrp")], ignore_index=True)
    rows: list[dict[str, object]] = []
    for row in table.itertuples():
        rows.append({"seed": seed, "strength": strength_name, "domain": "all", "method": row.method,
                     "topic": row.column, "estimate": row.estimate, "ci_low": row.ci_low, "ci_high": row.ci_high,
                     "truth": county.truth[str(row.column)]})
    if result.by_table is not None:
        for row in result.by_table[result.by_table["level"] == DOMAIN].itertuples():
            rows.append({"seed": seed, "strength": strength_name, "domain": DOMAIN, "method": row.method,
                         "topic": row.column, "estimate": row.estimate, "ci_low": row.ci_low,
                         "ci_high": row.ci_high, "truth": county.truth_domain[str(row.column)]})
    return rows


def summarise(frame: pd.DataFrame) -> pd.DataFrame:
    """Bias, RMSE, coverage and mean width per strength, domain and method (averaged over topics).

    Coverage is among the intervals a report shows; an estimate whose interval is withheld
    (its method could not be weighted in too many replicates) is counted in ``no_interval``,
    the share of estimates without one, not as a miss."""
    shown = frame["ci_low"].notna() & frame["ci_high"].notna()
    covered = ((frame["ci_low"] <= frame["truth"]) & (frame["truth"] <= frame["ci_high"])).astype(float)
    frame = frame.assign(error=frame["estimate"] - frame["truth"], covered=covered.where(shown),
                         no_interval=(~shown & frame["estimate"].notna()).astype(float),
                         width=frame["ci_high"] - frame["ci_low"])
    per_topic = frame.groupby(["strength", "domain", "method", "topic"]).agg(
        bias=("error", "mean"), rmse=("error", lambda e: float(np.sqrt(np.nanmean(np.square(e))))),
        coverage=("covered", "mean"), width=("width", "mean"), no_interval=("no_interval", "mean"),
        replications=("error", "count"))
    summary = per_topic.groupby(["strength", "domain", "method"]).agg(
        mean_abs_bias=("bias", lambda b: float(np.mean(np.abs(b)))), rmse=("rmse", "mean"),
        coverage=("coverage", "mean"), width=("width", "mean"), no_interval=("no_interval", "mean"),
        replications=("replications", "min"))
    order = {m: i for i, m in enumerate(METHOD_ORDER)}
    strengths = {s: i for i, s in enumerate(STRENGTHS)}
    summary = summary.reset_index()
    summary["_s"] = summary["strength"].map(strengths)
    summary["_m"] = summary["method"].map(order)
    return summary.sort_values(["domain", "_s", "_m"]).drop(columns=["_s", "_m"]).reset_index(drop=True)


def markdown(summary: pd.DataFrame, meta: dict[str, object]) -> str:
    lines = [f"Replications: {meta['replications']} per strength; bootstrap replicates per estimate: "
             f"{meta['replicates']}; {meta['seconds']:.0f} s on {meta['machine']}.", ""]
    for domain, part in summary.groupby("domain", sort=False):
        title = "All adults raising a concern" if domain == "all" else f"The rural 60+ ({domain})"
        lines += [f"### {title}", "", "| strength | method | mean abs. bias | RMSE | 95% coverage | mean width | "
                  "no interval |", "|---|---|---|---|---|---|---|"]
        for row in part.itertuples():
            lines.append(f"| {row.strength} | {row.method} | {row.mean_abs_bias:.4f} | {row.rmse:.4f} | "
                         f"{row.coverage:.1%} | {row.width:.3f} | {row.no_interval:.1%} |")
        lines.append("")
    return "\n".join(lines)


def plot(summary: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    part = summary[summary["domain"] == "all"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for method, rows in part.groupby("method", sort=False):
        x = [list(STRENGTHS).index(s) for s in rows["strength"]]
        axes[0].plot(x, rows["coverage"], marker="o", label=method)
        axes[1].plot(x, rows["rmse"], marker="o", label=method)
    for ax, label in zip(axes, ("95% interval coverage", "RMSE (agenda share)"), strict=True):
        ax.set_xticks(range(len(STRENGTHS)), list(STRENGTHS))
        ax.set_xlabel("posters' extra concern within groups")
        ax.set_title(label)
    axes[0].axhline(0.95, color="grey", lw=0.8, ls="--")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run_study(replications: int, replicates: int, mrp: bool = True, first_seed: int = 0,
              progress: bool = False, jobs: int = 1,
              partial: Path | None = None) -> tuple[pd.DataFrame, dict[str, object]]:
    """Every strength x replication (seeds ``first_seed`` on), in ``jobs`` processes.
    ``partial``: a CSV each finished replication's rows are appended to as it ends, so a
    long study stopped half-way can still be summarised (:func:`summarise`)."""
    from concurrent.futures import ProcessPoolExecutor

    started = time.perf_counter()
    # seeds outermost: a study stopped half-way has as many draws of every strength
    tasks = [(seed, strength) for seed in range(first_seed, first_seed + replications) for strength in STRENGTHS]
    rows: list[dict[str, object]] = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(one_replication, seed, strength, replicates, mrp) for seed, strength in tasks]
        for done, future in enumerate(futures, 1):
            finished = future.result()
            rows += finished
            if partial is not None:
                pd.DataFrame(finished).to_csv(partial, mode="a", header=done == 1, index=False)
            if progress:
                print(f"{done}/{len(tasks)}", file=sys.stderr, flush=True)
    meta: dict[str, object] = {
        "replications": replications, "replicates": replicates, "seconds": time.perf_counter() - started,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {jobs} job(s)",
    }
    return pd.DataFrame(rows), meta


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks simulate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=500, help="draws per strength (default 500)")
    parser.add_argument("--replicates", type=int, default=40, help="bootstrap replicates per estimate")
    parser.add_argument("--quick", action="store_true", help="at most 100 replications per strength, no MRP")
    parser.add_argument("--no-mrp", action="store_true", help="leave MRP out (its fits are the slow part)")
    parser.add_argument("--out", type=Path, default=Path("bench"), help="folder for simulation.md/.csv/.png")
    parser.add_argument("--progress", action="store_true")
    parser.add_argument("--jobs", type=int, default=1, help="processes (default 1)")
    args = parser.parse_args(argv)
    replications = min(args.replications, 100) if args.quick else args.replications
    args.out.mkdir(parents=True, exist_ok=True)
    partial = args.out / "simulation_draws.partial.csv"
    partial.unlink(missing_ok=True)
    frame, meta = run_study(replications, args.replicates, mrp=not (args.quick or args.no_mrp),
                            progress=args.progress, jobs=args.jobs, partial=partial)
    summary = summarise(frame)
    frame.to_csv(args.out / "simulation_draws.csv", index=False)
    partial.unlink(missing_ok=True)
    text = markdown(summary, meta)
    (args.out / "simulation.md").write_text(text + "\n", encoding="utf-8")
    plot(summary, args.out / "simulation.png")
    print(text)
    print(f"written: {args.out / 'simulation.md'}, {args.out / 'simulation.png'}, {args.out / 'simulation_draws.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
