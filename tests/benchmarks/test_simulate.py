"""The simulation study's design and the benchmark results file."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmarks.__main__ import write_results
from benchmarks.simulate import DOMAIN, STRENGTHS, TOPICS, draw_county, markdown, one_replication, summarise


def test_a_drawn_county_looks_like_the_data_divide() -> None:
    county = draw_county(3, STRENGTHS["small"])
    voices = county.voices
    online = voices[voices["source"] == "online"]
    survey = voices[voices["source"] == "survey"]
    assert 1000 < len(online) < 4000  # thousands of voices
    assert 150 < len(survey) < 400  # a few hundred respondents after non-response
    rural_old_online = ((online["age_group"] == "60+") & (online["urban"] == "rural")).sum()
    rural_old_survey = ((survey["age_group"] == "60+") & (survey["urban"] == "rural")).sum()
    assert rural_old_online < 0.01 * len(online) and rural_old_survey > 0.05 * len(survey)
    assert online["posts"].max() > 20 * np.median(online["posts"])  # few voices post most
    assert set(county.truth) == set(TOPICS) and all(0 < v < 1 for v in county.truth.values())
    assert county.truth_domain["eldercare"] > county.truth["eldercare"]  # the rural old speak of elder care
    # the survey is stratified by township, two villages each, clusters carried along
    assert survey.groupby("region")["cluster"].nunique().max() <= 2
    assert (survey["design_weight"] > 1).all()


def test_a_replication_runs_every_method_overall_and_for_the_rural_old() -> None:
    rows = one_replication(1, "large", replicates=5, mrp=False)
    methods = {r["method"] for r in rows if r["domain"] == "all"}
    assert methods == {"raw", "rake", "survey", "blend", "blend_ess", "pseudo"}
    assert {r["method"] for r in rows if r["domain"] == DOMAIN} == {"raw", "rake", "survey", "blend"}
    summary = summarise(pd.DataFrame(rows))
    assert set(summary.columns) >= {"mean_abs_bias", "rmse", "coverage", "width", "no_interval"}
    text = markdown(summary, {"replications": 1, "replicates": 5, "seconds": 1.0, "machine": "test"})
    assert "| large | blend |" in text and "rural 60+" in text


def test_results_file_names_the_machine_and_every_figure(tmp_path: Path) -> None:
    path = tmp_path / "bench" / "RESULTS.md"
    write_results({"bench_x": {"ratio_ours_to_bare": 0.91, "detail": {"pages": 40}},
                   "simulate": {"markdown": "| strength | method |"}}, {"bench_x": 1.0, "simulate": 2.0}, path)
    text = path.read_text(encoding="utf-8")
    assert "| cores |" in text and "| python |" in text and "| commit |" in text
    assert "| ratio_ours_to_bare | 0.91 |" in text and "| detail.pages | 40 |" in text
    assert "| strength | method |" in text


def test_a_withheld_interval_is_counted_apart_not_as_a_miss() -> None:
    rows = pd.DataFrame({"strength": "none", "domain": "all", "method": "pseudo", "topic": "a",
                         "estimate": [0.2, 0.2, 0.2, 0.2], "truth": 0.21,
                         "ci_low": [0.1, 0.25, np.nan, 0.1], "ci_high": [0.3, 0.3, np.nan, 0.3]})
    summary = summarise(rows).iloc[0]
    assert summary["coverage"] == pytest.approx(2 / 3) and summary["no_interval"] == pytest.approx(0.25)
    assert summary["width"] == pytest.approx((0.2 + 0.05 + 0.2) / 3)
