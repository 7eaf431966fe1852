"""The shared-crawl benchmark, run small: one and two ``tongxin crawl --redis`` crawlers on a slow local site."""
from __future__ import annotations

import threading
import time
import urllib.request
from pathlib import Path

import pytest

from benchmarks.bench_workers import DELAY_MS, PER_SITE, page_delay, run, serve_slow_site


def test_the_site_answers_each_page_after_its_own_delay_and_counts_open_requests(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("<p>a</p>", encoding="utf-8")
    delays = {page_delay(f"/letters/detail_{n:05d}.html") for n in range(1, 200)}
    assert min(delays) >= DELAY_MS[0] / 1000 and max(delays) <= DELAY_MS[1] / 1000
    assert len(delays) > 50  # spread over the range, not one value
    with serve_slow_site(tmp_path) as (base, site):
        started = time.perf_counter()
        threads = [threading.Thread(target=lambda: urllib.request.urlopen(f"{base}/a.html", timeout=10).read())
                   for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    assert site.requests["/a.html"] == 3 and site.open_now == 0
    assert site.peak_open == 3  # answered by threads: the three requests overlap
    assert elapsed >= page_delay("/a.html")


@pytest.mark.slow
def test_one_and_two_crawlers_store_every_letter_once(redis_url: str) -> None:
    letters, per_page = 60, 10
    result = run(letters=letters, per_page=per_page, control=False)
    pages = letters + letters // per_page
    assert result["site_pages"] == pages
    for name, crawlers in (("one_crawler", 1), ("two_crawlers", 2)):
        summary = result[name]
        assert isinstance(summary, dict)
        assert summary["every_letter_stored_once"] is True, name
        assert summary["documents_stored"] == letters
        assert summary["pages_fetched"] == pages and summary["pages_fetched_twice_or_more"] == 0, name
        assert len(summary["pages_fetched_by_each_crawler"]) == crawlers
        assert sum(summary["pages_fetched_by_each_crawler"]) == pages, name
        assert summary["redis_keys_left"] == 0  # the last crawler to finish removed the crawl's keys
        assert summary["peak_requests_open_at_site"] <= crawlers * PER_SITE, name  # politeness per crawler
    one, two = result["one_crawler"], result["two_crawlers"]
    assert isinstance(one, dict) and isinstance(two, dict)
    speedup = result["speedup_two_over_one"]
    assert isinstance(speedup, float) and speedup > 0
    assert speedup == pytest.approx(one["seconds"] / two["seconds"], rel=0.05)
    assert "control_one_crawler_twice_the_allowance" not in result
