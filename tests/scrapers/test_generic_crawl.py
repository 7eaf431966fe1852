"""Real crawls of the development boards (tests/sites/dev_boards) with no profile of their own.

Each board is served on 127.0.0.1 and crawled by Scrapy through ``tongxin crawl`` into a
fresh SQLite store; what is stored is compared with the board's ``expected.json``
(written with the pages by ``tests/sites/dev_boards/_generate.py``).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from benchmarks.boards import boards, evaluate, text_matches, url_key
from cli.main import main
from opinion.store.db import documents, open_store
from scrapers.check import check_profile
from scrapers.localsite import serve_directory
from scrapers.profiles import load_profile
from tests.helpers import FAST, TESTS, run_cli

DEV = TESTS / "sites" / "dev_boards"


def expected(board: str) -> dict[str, Any]:
    return json.loads((DEV / board / "expected.json").read_text(encoding="utf-8"))


def stored(db: Path) -> dict[str, dict[str, Any]]:
    with open_store(db) as store, store.engine.connect() as conn:
        return {url_key(r["url"]): dict(r) for r in conn.execute(sa.select(documents)).mappings()}


def test_there_are_at_least_eight_dev_boards_of_both_encodings() -> None:
    names = boards(DEV)
    assert len(names) >= 8
    assert {expected(b)["encoding"] for b in names} == {"utf-8", "gbk"}


@pytest.mark.slow
@pytest.mark.parametrize("board", boards(DEV))
def test_each_dev_board_is_read_without_a_profile(board: str) -> None:
    result = evaluate(board, "gov-letters", 120, DEV)
    assert result.crawl.status == "ok", result.crawl.message
    assert (result.found, result.extra) == (result.expected, 0), result.missing_examples
    assert result.matches == dict.fromkeys(result.matches, result.found)


@pytest.mark.slow
def test_crawl_gov_letters_stores_a_gbk_dl_board_with_its_fields(tmp_path: Path) -> None:
    want = expected("table_dl_gbk")
    db = tmp_path / "t.db"
    with serve_directory(DEV / "table_dl_gbk") as base:
        done = run_cli("crawl", "gov-letters", f"{base}/{want['list_pages'][0]}", "--db", str(db), *FAST)
    assert f"{len(want['list_pages']) + len(want['letters'])} pages fetched" in done.stdout
    docs = stored(db)
    assert sorted(docs) == sorted(letter["url"] for letter in want["letters"])
    for letter in want["letters"]:
        doc = docs[letter["url"]]
        assert doc["title"] == letter["title"]
        assert doc["posted_at"] == letter["date"]  # printed 2026年3月5日: a date without a time
        assert text_matches(letter["body"], doc["text"])
        assert text_matches(letter["reply"], doc["reply_text"])  # a pending letter: no reply stored
        assert doc["author"] and doc["author"] != letter["author"]  # stored as a pseudonym, never the name
        assert doc["reply_unit"] == letter["reply_unit"]


@pytest.mark.slow
def test_a_suggested_profile_loads_and_reproduces_the_crawl(tmp_path: Path) -> None:
    want = expected("cards_divs")
    profile_path = tmp_path / "board.yaml"
    with serve_directory(DEV / "cards_divs") as base:
        first = f"{base}/{want['list_pages'][0]}"
        result = CliRunner().invoke(main, ["profiles", "suggest", first, "-o", str(profile_path), "--name", "wz"])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[-1] == f"wrote {profile_path}"
        profile = load_profile(profile_path)
        assert profile.selectors["list_item"] == "div.cards div.card"
        assert profile.selectors["next_page"] == 'a:contains("下页")'
        assert profile.labels["text"] == ("留言内容",)
        with_profile = run_cli("crawl", str(profile_path), first, "--db", str(tmp_path / "p.db"), *FAST)
        generic_only = run_cli("crawl", "gov-letters", first, "--db", str(tmp_path / "g.db"), *FAST)
    assert "7 new" in with_profile.stdout and "7 new" in generic_only.stdout
    fields = ("title", "text", "reply_text", "posted_at", "reply_unit")  # authors: pseudonyms keyed per profile
    suggested, generic = stored(tmp_path / "p.db"), stored(tmp_path / "g.db")
    assert {k: [d[f] for f in fields] for k, d in suggested.items()} == \
        {k: [d[f] for f in fields] for k, d in generic.items()}
    assert sorted(suggested) == sorted(letter["url"] for letter in want["letters"])


def test_suggest_will_not_overwrite_a_profile(tmp_path: Path) -> None:
    target = tmp_path / "board.yaml"
    target.write_text("# mine\n", encoding="utf-8")
    page = DEV / "ul_td_labels" / "szxx" / "list_1.html"
    result = CliRunner().invoke(main, ["profiles", "suggest", str(page), "-o", str(target)])
    assert result.exit_code == 1
    assert result.output == f"Error: {target}: already exists; give another --output or --force to replace it\n"
    assert target.read_text(encoding="utf-8") == "# mine\n"


def test_suggest_reads_saved_pages_from_files(tmp_path: Path) -> None:
    page = DEV / "ul_td_labels" / "szxx" / "list_1.html"
    result = CliRunner().invoke(main, ["profiles", "suggest", str(page), "-o", str(tmp_path / "p.yaml")])
    assert result.exit_code == 0, result.output
    profile = load_profile(tmp_path / "p.yaml")
    assert profile.selectors["list_item"] == "div.list-box > ul > li"
    assert profile.labels["title"] == ("标题",)  # printed 标　　题： on the page


def test_check_names_the_rule_behind_each_field() -> None:
    want = expected("table_dl_gbk")
    with serve_directory(DEV / "table_dl_gbk") as base:
        letter = check_profile("gov-letters", f"{base}/{want['letters'][0]['url']}")
        listing = check_profile("gov-letters", f"{base}/{want['list_pages'][0]}")
        shown = CliRunner().invoke(main, ["profiles", "check", "gov-letters", f"{base}/{want['letters'][0]['url']}"])
    assert letter.rules[0]["author"] == "label 来信人 (dt → dd)"
    assert letter.rules[0]["posted"] == "label 来信时间 (dt → dd)"
    assert listing.list_rule == "largest group of linked items (3 × tr)"
    assert listing.next_rule == "link text 下一页"
    assert f"  title: {want['letters'][0]['title']}  [label 信件标题 (dt → dd)]" in shown.output


@pytest.mark.slow
@pytest.mark.parametrize("board", ["hanweb_jpage", "kaipu_gopage", "select_jumper", "count_text_index"])
def test_list_pages_reached_only_by_script_are_crawled(board: str, tmp_path: Path) -> None:
    """大汉 jpage's dataproxy.jsp groups, 开普's goPage(n), a <select> jumper, 共N页 with a 尾页 link."""
    want = expected(board)
    db = tmp_path / "t.db"
    with serve_directory(DEV / board) as base:
        done = run_cli("crawl", "gov-letters", f"{base}/{want['list_pages'][0]}", "--db", str(db), *FAST)
    assert f"{len(want['list_pages']) + len(want['letters'])} pages fetched" in done.stdout
    assert "errors: none" in done.stdout  # no javascript-only link left over, no page that does not exist
    docs = stored(db)
    assert sorted(docs) == sorted(letter["url"] for letter in want["letters"])
    for letter in want["letters"]:
        assert docs[letter["url"]]["title"] == letter["title"]
        assert docs[letter["url"]]["posted_at"].startswith(letter["date"])


def test_the_jpage_board_pages_through_dataproxy_with_startrecord_and_endrecord() -> None:
    want = expected("hanweb_jpage")
    proxies = want["list_pages"][1:]
    assert proxies and all(p.startswith("module/web/jpage/dataproxy.jsp?startrecord=") and "&endrecord=" in p
                           for p in proxies)
