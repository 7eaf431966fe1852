"""The shared-crawl benchmark, run small: one and two ``tongxin crawl --redis`` crawlers on slow local sites."""
from __future__ import annotations

import threading
import time
import urllib.request
from pathlib import Path

import pytest

from benchmarks.bench_workers import DELAY_MS, PER_SITE, SITE_DELAY, page_delay, run, serve_slow_site, site_host


def test_a_site_answers_each_page_after_its_own_delay_on_its_own_address(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("<p>a</p>", encoding="utf-8")
    delays = {page_delay(f"/letters/detail_{n:05d}.html") for n in range(1, 200)}
    assert min(delays) >= DELAY_MS[0] / 1000 and max(delays) <= DELAY_MS[1] / 1000
    assert len(delays) > 50  # spread over the range, not one value
    assert [site_host(n) for n in range(3)] == ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    with serve_slow_site(tmp_path, site_host(1)) as (base, site):
        assert base.startswith("http://127.0.0.3:")
        started = time.perf_counter()
        threads = [threading.Thread(target=lambda: urllib.request.urlopen(f"{base}/a.html", timeout=10).read())
                   for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    assert site.requests["/a.html"] == 3 and site.open_now == 0 and len(site.arrivals) == 3 == len(site.gaps()) + 1
    assert site.peak_open == 3  # answered by threads: the three requests overlap
    gap = site.smallest_gap()
    assert gap is not None and 0 <= gap < page_delay("/a.html")  # they arrived together
    assert elapsed >= page_delay("/a.html")


def _check(summary: object, crawlers: int, sites: int, letters: int, pages: int) -> None:
    assert isinstance(summary, dict)
    assert summary["every_letter_stored_once"] is True
    assert summary["documents_stored"] == sites * letters
    assert summary["pages_fetched"] == pages and summary["pages_fetched_twice_or_more"] == 0
    assert len(summary["pages_fetched_by_each_crawler"]) == crawlers
    assert sum(summary["pages_fetched_by_each_crawler"]) == pages
    assert summary["redis_keys_left"] == 0  # the last crawler to finish removed the crawl's keys
    # Politeness for all crawlers together: each site's limit and delay hold across them.
    peaks = summary["peak_requests_open_at_each_site"]
    assert len(peaks) == sites and 1 <= max(peaks) <= PER_SITE, peaks
    # Turns are handed out the delay apart; a crawler busy parsing or storing sends its request
    # late, closer to the next one (per-crawler politeness: 0.01-0.03 s apart).
    assert summary["smallest_gap_between_requests_to_a_site_s"] >= 0.5 * SITE_DELAY


@pytest.mark.slow
def test_one_and_two_crawlers_keep_each_sites_limits_and_store_every_letter_once(redis_url: str) -> None:
    sites, letters, per_page, single = 3, 12, 6, 6
    result = run(sites=sites, letters_per_site=letters, per_page=per_page, single_site_letters=single)
    pages = sites * (letters + letters // per_page)
    assert (result["sites"], result["site_pages"]) == (sites, pages)
    for name, crawlers in (("one_crawler", 1), ("two_crawlers", 2)):
        _check(result[name], crawlers, sites, letters, pages)
    one, two = result["one_crawler"], result["two_crawlers"]
    assert isinstance(one, dict) and isinstance(two, dict)
    assert result["speedup_two_over_one"] == pytest.approx(one["seconds"] / two["seconds"], abs=0.02)
    on_one_site = result["single_site"]
    assert isinstance(on_one_site, dict) and on_one_site["site_pages"] == single + single // per_page
    for name, crawlers in (("one_crawler", 1), ("two_crawlers", 2)):
        _check(on_one_site[name], crawlers, 1, single, on_one_site["site_pages"])
