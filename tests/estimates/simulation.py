"""A simulated population with a known truth, online voices and a clustered survey."""
from __future__ import annotations

import numpy as np
import pandas as pd

from weighting import Margins

AGES = ["18-29", "30-44", "45-59", "60+"]


def simulate(seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, Margins, dict[str, float]]:
    rng = np.random.default_rng(seed)
    n = 40_000
    pop = pd.DataFrame({
        "age_group": rng.choice(AGES, n, p=[0.2, 0.3, 0.28, 0.22]),
        "sex": rng.choice(["male", "female"], n),
        "urban": rng.choice(["urban", "rural"], n, p=[0.55, 0.45]),
    })
    old_rural = (pop["age_group"] == "60+") & (pop["urban"] == "rural")
    young_urban = pop["age_group"].isin(["18-29", "30-44"]) & (pop["urban"] == "urban")
    p_elder = np.where(old_rural, 0.7, np.where(pop["age_group"] == "60+", 0.35, 0.08))
    p_house = np.where(young_urban, 0.6, 0.2)
    pop["eldercare"] = rng.random(n) < p_elder
    pop["housing"] = rng.random(n) < p_house
    none = ~(pop["eldercare"] | pop["housing"])
    pop.loc[none, "housing"] = True  # everyone raises at least one concern
    truth = {t: float(pop[t].mean()) for t in ("eldercare", "housing")}

    propensity = np.where(young_urban, 0.06, 0.01) * np.where(old_rural, 0.05, 1.0)
    online = pop[rng.random(n) < propensity].assign(source="online", design_weight=1.0, cluster=None)
    pop["cluster"] = rng.integers(0, 200, n).astype(str)
    chosen = rng.choice(200, 20, replace=False).astype(str)
    in_clusters = pop[pop["cluster"].isin(chosen)]
    survey = in_clusters.sample(400, random_state=seed).assign(source="survey", design_weight=1.0)
    voices = pd.concat([online, survey], ignore_index=True)
    counts = pop.groupby(["age_group", "sex", "urban"]).size()
    margins = Margins.from_frame(pd.DataFrame({
        "variable": "age_group*sex*urban",
        "level": ["*".join(k) for k in counts.index],
        "target": counts.to_numpy(),
    }))
    y = voices[["eldercare", "housing"]]
    return voices, y, y.any(axis=1), margins, truth


