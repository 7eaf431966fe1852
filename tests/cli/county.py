"""A generated county whose census table gives ten-year age bands and one-way margins only.

Its rural side is older than its urban side, so age and urban/rural are far from
independent; the survey is a simple random sample of its adults, so raking it to the
one-way margins recovers the joint table the margins lack.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from opinion.store.db import open_store, upsert_document

BANDS = ["18-29", "30-39", "40-49", "50-59", "60-69", "70+"]
BAND_LABELS = ["18—29岁", "30—39岁", "40—49岁", "50—59岁", "60—69岁", "70岁及以上"]
# population share of each band, urban then rural
JOINT = np.array([[.10, .04], [.10, .05], [.09, .06], [.07, .08], [.05, .10], [.03, .13]])
TOWNS = {"urban": ["城关镇", "新城街道"], "rural": ["柳林乡", "河口乡"]}
TEXTS = ["看病难，医保报销慢", "孩子上学难，学位紧张", "村里的养老院太少", "物价涨得厉害", "找工作难，工资低",
         "农村公路坏了没人修"]
POPULATION = 200_000


def population(seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = (JOINT / JOINT.sum()).ravel()
    cells = rng.choice(p.size, size=POPULATION, p=p)
    band = cells // 2
    urban = np.where(cells % 2 == 0, "urban", "rural")
    lo = np.array([18, 30, 40, 50, 60, 70])[band]
    width = np.array([12, 10, 10, 10, 10, 15])[band]
    return pd.DataFrame({
        "age": lo + rng.integers(0, width), "age_group": np.array(BANDS)[band], "urban": urban,
        "sex": rng.choice(["male", "female"], size=POPULATION),
        "region": [TOWNS[u][i % 2] for i, u in enumerate(urban)],
    })


def known_joint(pop: pd.DataFrame) -> pd.Series:
    shares = pop.groupby(["age_group", "urban"]).size() / len(pop)
    shares.index = ["*".join(k) for k in shares.index]
    return shares


def write_margins(pop: pd.DataFrame, path: Path) -> Path:
    """One-way counts as a county table gives them: 年龄 in ten-year bands, 性别, 城乡, 乡镇."""
    rows = [("age_group", label, int((pop["age_group"] == band).sum())) for band, label in zip(BANDS, BAND_LABELS,
                                                                                               strict=True)]
    rows += [("sex", zh, int((pop["sex"] == en).sum())) for en, zh in (("male", "男"), ("female", "女"))]
    rows += [("urban", zh, int((pop["urban"] == en).sum())) for en, zh in (("urban", "城镇"), ("rural", "乡村"))]
    rows += [("region", town, int((pop["region"] == town).sum())) for towns in TOWNS.values() for town in towns]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["variable", "level", "target"])
        writer.writerows(rows)
    return path


def survey_sample(pop: pd.DataFrame, n: int = 400, seed: int = 9) -> pd.DataFrame:
    return pop.sample(n, random_state=seed).reset_index(drop=True)


def write_survey(sample: pd.DataFrame, path: Path) -> Path:
    """The survey file: most ages exact, some answered as a five-year range, a few as "60岁以上"."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["编号", "性别", "年龄", "城乡", "镇", "最关心的问题"])
        for i, row in sample.iterrows():
            age = int(row["age"])
            if i % 7 == 3:
                low = age - age % 5
                written = f"{low}~{low + 4}岁"
            elif i % 29 == 5 and age >= 60:
                written = "60岁以上"
            else:
                written = str(age)
            writer.writerow([f"C{i:04d}", "男" if row["sex"] == "male" else "女", written,
                             "城镇" if row["urban"] == "urban" else "乡村", row["region"], TEXTS[i % len(TEXTS)]])
    return path


def add_online_voices(db: Path, n: int = 60) -> None:
    """Online authors, young and urban as posters are: ages on their profiles, or said in the text."""
    ages = [24, 27, 33, 36, 41, 45, 52, 58, 63, 72]
    with open_store(db) as store, store.engine.begin() as conn:
        for i in range(n):
            attributes: dict[str, object] = {"sex": "female" if i % 2 else "male",
                                             "urban": "rural" if i % 5 == 0 else "urban"}
            text = TEXTS[i % len(TEXTS)]
            if i % 4 == 3:
                text = f"我今年{ages[i % len(ages)]}岁，{text}"
            elif i % 4 == 2:
                text = f"我是80后，{text}"
            else:
                attributes["age"] = ages[i % len(ages)]
            upsert_document(conn, {
                "url": f"http://forum.example/t{i}", "source": "forum", "kind": "post", "content_hash": str(i),
                "author": f"a{i}", "text": text, "fetched_at": "2026-11-27T00:00:00",
                "attributes": {k: {"value": v, "provenance": "site"} for k, v in attributes.items()},
            })
