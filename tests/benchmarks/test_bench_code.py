"""The store-code benchmark: an update after a crawl codes only the voices that changed, and gives the full run's rows."""
from __future__ import annotations

from benchmarks.bench_code import run


def test_the_update_codes_the_changed_voices_and_equals_a_full_run() -> None:
    result = run(documents=2000)
    assert result["update_rows_equal_full"] is True
    assert result["new_documents"] == 20
    assert 0 < result["update_voices"] < result["voices"] // 10  # type: ignore[operator]
    assert result["update_voices"] + result["first_coding_voices"] >= result["voices"]  # type: ignore[operator]
    assert result["voices"] > result["first_coding_voices"]  # type: ignore[operator]
