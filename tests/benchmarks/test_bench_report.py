"""The report benchmark runs `tongxin report --cells` end to end on generated coded voices."""
from __future__ import annotations

import numpy as np

from benchmarks.bench_report import generate, run
from opinion.attributes import UNKNOWN
from opinion.text.coder import load_coder


def test_generated_voices_raise_few_topics_and_hide_most_attributes() -> None:
    codes = list(load_coder().codes)
    voices = generate(20_000, codes)
    raised = np.array([p.count("1") for p in voices["topics"]])
    assert set(np.unique(raised)) <= {0, 1, 2, 3}
    assert 0.05 < (raised == 0).mean() < 0.11
    assert all(len(p) == len(codes) for p in voices["topics"][:100])
    assert 0.55 < (voices["age_group"] == UNKNOWN).mean() < 0.65
    assert 0.65 < (voices["sex"] == UNKNOWN).mean() < 0.75
    # chunks of one corpus differ from each other and are reproducible
    again = generate(1000, codes, start=20_000)
    assert (again["voice"] == generate(1000, codes, start=20_000)["voice"]).all()
    assert again["voice"][0] == "bench000020000"


def test_the_cells_report_runs_on_generated_coded_voices() -> None:
    result = run(voices=4000, baseline=1000)
    assert result["voices"] == 4000
    # 15 topics x 5 methods (MRP is left out of a report on cells)
    assert result["estimate_rows"] == 75
    assert result["methods"] == ["blend", "pseudo", "rake", "raw", "survey"]
    assert 0 < result["report_peak_mb"] < 4096  # type: ignore[operator]
    assert result["report_seconds"] > 0  # type: ignore[operator]
