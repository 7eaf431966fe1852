"""The HTML report in a real browser: crawled text cannot run, and the charts draw.

A small Discuz-style site (``tests/data/xss_site``) whose posts carry ``<script>``,
``<img onerror=...>`` and ``javascript:`` payloads is crawled for real, a survey is
imported, ``tongxin report`` writes the HTML, and headless Chromium loads it. Chromium is
installed by ``scripts/system-deps.sh``; without it these tests skip on a workstation and
fail under CI (``CI`` set), so a CI machine cannot pass them by not running them.
"""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from scrapers.localsite import serve_directory
from tests.helpers import FAST, MARGINS, XSS_SITE, run_cli, write_small_survey

CHROMIUM = Path("/usr/bin/chromium")

# What the forum's users typed, as the forum showed it (escaped in the page, so the crawled
# text holds these characters literally). Each would change the page if it ever ran.
SCRIPT_POST = "看病太贵了<script>document.title='XSS-RAN'</script>"
IMG_POST = "小区物业不管事<img src=x onerror=\"document.body.setAttribute('data-xss','1')\">"
JS_POST = "村里修路的钱到哪去了 javascript:document.title='XSS-LINK' 修路进度"
MARKUP_POST = "养老金什么时候涨 <b>加粗</b> &amp; 其他"


def _chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing under CI: run scripts/system-deps.sh before the tests")
    pytest.skip(f"{CHROMIUM} is not installed (scripts/system-deps.sh installs it); CI is unset, so skipping")


def browse(page: Path, tmp: Path, *flags: str) -> str:
    """Load ``page`` in headless Chromium with ``flags``; returns stdout (the DOM for --dump-dom)."""
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    command = [str(_chromium()), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={profile}", *flags, page.resolve().as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"chromium failed on {page}: {result.stderr[-2000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    _chromium()
    work = tmp_path_factory.mktemp("browser")
    db = work / "x.db"
    with serve_directory(XSS_SITE) as base:
        run_cli("crawl", "discuz", base + "/forum/index.html", "--db", str(db), *FAST)
    write_small_survey(work / "survey.csv")
    run_cli("survey", "import", str(work / "survey.csv"), "--db", str(db))
    run_cli("report", "--db", str(db), "--margins", str(MARGINS), "--replicates", "10",
            "--out", str(work / "report.html"))
    run_cli("report", "--db", str(db), "--margins", str(MARGINS), "--replicates", "10",
            "--format", "csv", "--out", str(work / "tables"))
    yield {"dir": work, "html": work / "report.html", "tables": work / "tables"}


def test_the_harness_sees_a_script_that_runs(report: dict[str, Path]) -> None:
    # Without this control, "the title did not change" could mean Chromium ran nothing.
    page = report["dir"] / "control.html"
    page.write_text("<!DOCTYPE html><html><head><title>before</title></head><body>"
                    "<script>document.title='after'; document.body.setAttribute('data-ran','1')</script>"
                    "</body></html>", encoding="utf-8")
    dom = lxml.html.fromstring(browse(page, report["dir"], "--dump-dom"))
    assert dom.findtext(".//title") == "after"
    assert dom.find(".//body").get("data-ran") == "1"


def test_crawled_payloads_do_not_run_and_show_literally(report: dict[str, Path]) -> None:
    dumped = browse(report["html"], report["dir"], "--dump-dom")
    dom = lxml.html.fromstring(dumped)
    assert dom.findtext(".//title") == "舆情代表性校正报告"  # no payload changed it
    body = dom.find(".//body")
    assert body.get("data-xss") is None
    assert dom.xpath("//script") == []
    assert dom.xpath("//img") == []
    assert dom.xpath("//*[@onerror or @onload or @onclick]") == []
    assert [a.get("href") for a in dom.xpath("//a[@href]") if not a.get("href").startswith("#")] == []
    assert dom.xpath("//b") == []
    quotes = [" ".join(q.text_content().split()) for q in dom.xpath("//section[@id='quotes']//blockquote")]
    for post in (SCRIPT_POST, IMG_POST, JS_POST, MARKUP_POST):
        assert post in quotes, f"{post!r} not shown literally among the quotes: {quotes}"


def test_screenshot_shows_the_charts_with_chinese_labels(report: dict[str, Path]) -> None:
    shot = report["dir"] / "report.png"
    browse(report["html"], report["dir"], f"--screenshot={shot}", "--window-size=1200,3600",
           "--hide-scrollbars")
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 3600)
    # Colours used only by the charts: the survey's green and the raked figures' light blue.
    pixels = np.asarray(image, dtype=int)
    counts = {colour: int((np.abs(pixels - np.array(colour)).max(axis=2) <= 12).sum())
              for colour in ((0x00, 0x9E, 0x73), (0x56, 0xB4, 0xE9))}
    # Survey bars and markers cover thousands of pixels; raked markers are small but present.
    assert counts[(0x00, 0x9E, 0x73)] > 1000 and counts[(0x56, 0xB4, 0xE9)] > 20, f"charts not drawn: {counts}"

    dom = lxml.html.fromstring(browse(report["html"], report["dir"], "--dump-dom"))
    svgs = dom.xpath("//figure[contains(@class,'chart')]/svg")
    assert len(svgs) == 2
    for svg in svgs:
        assert len(svg.xpath(".//path")) > 10
    estimate_text = " ".join(t.text_content() for t in svgs[0].xpath(".//text"))
    coverage_text = " ".join(t.text_content() for t in svgs[1].xpath(".//text"))
    topics = pd.read_csv(report["tables"] / "estimates.csv")["topic_label"].unique()
    assert all(label in estimate_text for label in topics), (topics, estimate_text)
    for label in ("年龄", "城乡", "城镇", "乡村", "60岁及以上"):
        assert label in coverage_text
