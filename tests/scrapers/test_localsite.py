from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from opinion.errors import InputError
from scrapers.localsite import serve_directory
from tests.helpers import TEST_DATA

SITE = TEST_DATA / "site"


def fetch(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=5) as reply:
        return reply.status, reply.headers.get("Content-Type", ""), reply.read()


def test_serves_html_without_charset() -> None:
    with serve_directory(SITE) as base:
        assert base.startswith("http://127.0.0.1:") and not base.endswith("/")
        status, content_type, body = fetch(base + "/letters/list_2.html")
    assert status == 200
    assert content_type == "text/html"  # no charset: the page's own <meta> has to be read
    assert body == (SITE / "letters" / "list_2.html").read_bytes()  # GBK bytes as stored


def test_default_robots_txt_allows_everything() -> None:
    with serve_directory(SITE) as base:
        status, content_type, body = fetch(base + "/robots.txt")
    assert (status, content_type) == (200, "text/plain")
    assert body == b"User-agent: *\nAllow: /\n"


def test_site_robots_txt_wins(tmp_path: Path) -> None:
    (tmp_path / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    with serve_directory(tmp_path) as base:
        assert fetch(base + "/robots.txt")[2] == b"User-agent: *\nDisallow: /private/\n"


def test_missing_page_is_404_and_server_stops() -> None:
    with serve_directory(SITE) as base:
        with pytest.raises(urllib.error.HTTPError) as info:
            fetch(base + "/nope.html")
        assert info.value.code == 404
    with pytest.raises(urllib.error.URLError):
        fetch(base + "/index.html")


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a directory of pages to serve"):
        with serve_directory(tmp_path / "absent"):
            pass
