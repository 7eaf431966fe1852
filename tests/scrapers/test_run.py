from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cli.main import main
from opinion.store.db import documents, open_store
from scrapers.localsite import serve_directory
from tests.helpers import REPO, TEST_DATA

SITE = TEST_DATA / "site"
NICKNAMES = ["城关小王", "柳林老张", "奶爸阿强", "河西阿梅", "版主"]
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "TONGXIN_NOW=2026-11-27T12:00:00"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TONGXIN_DB"}
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


# --- the command line, in process (nothing here starts a crawl) ------------------------------

def test_profiles_lists_builtin_profiles() -> None:
    result = CliRunner().invoke(main, ["profiles"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["discuz", "gov-letters", "hanweb", "json-api"]
    assert "Discuz!" in lines[0] and "政府信箱" in lines[1]


def test_commands_have_help() -> None:
    for command in ("crawl", "profiles"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0
        assert "Usage:" in result.output
    crawl_help = CliRunner().invoke(main, ["crawl", "--help"]).output
    for option in ("--db", "--max-pages", "--since", "--progress-every", "-s, --set"):
        assert option in crawl_help


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["crawl", "gov-letters"], "Missing argument 'URL...'"),
        (["crawl", "gov-letters", "http://x.cn/", "--max-pages", "0"], "Invalid value for '--max-pages'"),
        (["crawl", "gov-letters", "http://x.cn/", "--since", "2026-13-01"], "Invalid value for '--since'"),
        (["crawl", "gov-letters", "http://x.cn/", "-s", "DOWNLOAD_DELAY"], "'DOWNLOAD_DELAY' is not NAME=VALUE"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert message in result.output


def test_unknown_profile_exits_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["crawl", "nosuch", "http://x.cn/", "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown profile 'nosuch': built-in profiles are discuz, gov-letters, hanweb, json-api")


def test_bad_url_exits_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["crawl", "gov-letters", "www.x.cn/list.html", "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: URL 'www.x.cn/list.html' is not an absolute http(s) URL")


def test_broken_profile_file_exits_1(tmp_path: Path) -> None:
    profile = tmp_path / "board.yaml"
    profile.write_text("name: b\nspider: discuz\ndescription: d\nselectors:\n  posts: div\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["crawl", str(profile), "http://x.cn/", "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 1
    assert f"Error: {profile} line 5: unknown key 'selectors.posts' for spider discuz" in result.output


def test_unusable_store_exits_1_before_crawling(tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    db.write_bytes(b"these are notes, not a database" * 100)
    result = CliRunner().invoke(main, ["crawl", "gov-letters", "http://x.cn/", "--db", str(db)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {db}: not a usable tongxin store")


# --- real crawls of a local site, in subprocesses (the reactor runs once per process) ------

@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("crawl")
    db = workdir / "t.db"
    with serve_directory(SITE) as base:
        first = [
            run_cli("crawl", "gov-letters", base + "/letters/list_1.html", "--db", str(db), *FAST),
            run_cli("crawl", "discuz", base + "/forum/index.html", "--db", str(db), *FAST),
        ]
        # The second visit runs both jobs in one Scrapy process through the Python API.
        script = (
            "import json, sys\n"
            "from scrapers.run import CrawlJob, crawl\n"
            "base, db = sys.argv[1], sys.argv[2]\n"
            "jobs = [CrawlJob('gov-letters', [base + '/letters/list_1.html']), CrawlJob('discuz', [base + '/forum/index.html'])]\n"
            "out = crawl(jobs, db, {'DOWNLOAD_DELAY': 0, 'AUTOTHROTTLE_ENABLED': False, 'LOG_LEVEL': 'WARNING',\n"
            "                       'TONGXIN_NOW': '2026-11-27T12:00:00'})\n"
            "print(json.dumps([s.__dict__ for s in out]))\n"
        )
        second = subprocess.run([sys.executable, "-c", script, base, str(db)], cwd=REPO, capture_output=True,
                                text=True, timeout=120)
        missing = run_cli("crawl", "gov-letters", base + "/letters/no_such_list.html", "--db", str(workdir / "x.db"), *FAST)
    yield {"db": db, "base": base, "first": first, "second": second, "missing": missing}


def rows(db: Path) -> list[dict[str, Any]]:
    with open_store(db) as store, store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(documents).order_by(documents.c.url)).mappings()]


@pytest.mark.slow
def test_first_crawl_stores_letters_and_posts(crawled: dict[str, Any]) -> None:
    letters_run, forum_run = crawled["first"]
    assert letters_run.returncode == 0, letters_run.stderr
    assert forum_run.returncode == 0, forum_run.stderr
    assert "gov-letters (run 1): 6 pages fetched" in letters_run.stdout
    assert "documents: 4 new, 0 updated, 0 unchanged" in letters_run.stdout
    assert "documents: 7 new, 0 updated, 0 unchanged" in forum_run.stdout
    assert "dropped: empty text 1" in forum_run.stdout  # an image-only post
    stored = rows(crawled["db"])
    letters = [r for r in stored if r["kind"] == "letter"]
    posts = [r for r in stored if r["kind"] == "post"]
    assert len(letters) == 4 and len(posts) == 7
    assert not any("9001" in r["url"] or "#pid9000" in r["url"] for r in stored)  # sticky thread skipped
    # GBK pages (list_2 and its details) came out right.
    gbk = {r["title"]: r for r in letters}
    assert gbk["学校门口交通拥堵"]["text"].startswith("本人女，孩子在镇中心小学上学")
    assert gbk["养老金发放咨询"]["posted_at"] == "2026-08-15"


@pytest.mark.slow
def test_letters_keep_the_reply_apart_and_mask_numbers(crawled: dict[str, Any]) -> None:
    letters = {r["title"]: r for r in rows(crawled["db"]) if r["kind"] == "letter"}
    road = letters["村口道路坑洼难行"]
    assert road["text"] == "我们村口那段路坑坑洼洼，下雨天根本走不了。\n请尽快修路。联系电话[手机号]。"
    assert road["reply_text"] == "您好，来信收悉。我单位已安排相关人员核实，将依规办理。感谢您的来信。"
    assert road["reply_unit"] == "柳林乡人民政府"
    assert "[身份证号]" in letters["学校门口交通拥堵"]["text"]
    assert len({r["author"] for r in letters.values()}) == 4  # one letter, one voice


@pytest.mark.slow
def test_authors_are_pseudonymised_everywhere_in_the_store(crawled: dict[str, Any]) -> None:
    posts = [r for r in rows(crawled["db"]) if r["kind"] == "post"]
    by_url = {r["url"].rsplit("#", 1)[1]: r for r in posts}
    assert by_url["pid1011"]["author"] == by_url["pid1031"]["author"]  # 柳林老张 across two threads
    assert by_url["pid1011"]["author"] != by_url["pid1012"]["author"]
    raw = b"".join(p.read_bytes() for p in crawled["db"].parent.glob("t.db*") if not p.name.endswith(".key"))
    for name in [*NICKNAMES, "王**", "13812345678", "13987654321", "410302195803172016"]:
        assert name.encode("utf-8") not in raw, name


@pytest.mark.slow
def test_post_fields_survive_the_whole_crawl(crawled: dict[str, Any]) -> None:
    posts = {r["url"].rsplit("#", 1)[1]: r for r in rows(crawled["db"]) if r["kind"] == "post"}
    assert posts["pid1021"]["text"] == "我们小区<script>alert('xss')</script>物业不管事 <img src=x onerror=alert(1)>"
    assert posts["pid1013"]["text"] == "停车位太少了，每天晚上都找不到地方停。"
    assert posts["pid1013"]["posted_at"] == "2026-11-24T20:31:00"
    assert posts["pid1013"]["url"].endswith("/forum/thread-101-1-1.html#pid1013")  # from page 2, canonical
    assert posts["pid1022"]["posted_at"] == "2026-11-26T12:30:00"  # 昨天 12:30
    assert posts["pid1012"]["text"] == "同意，路修好了孩子上学也方便。"
    attributes = json.loads(posts["pid1011"]["attributes"])
    assert attributes["age_group"] == {"value": "60+", "provenance": "site"}
    assert attributes["sex"] == {"value": "male", "provenance": "site"}


@pytest.mark.slow
def test_second_crawl_adds_nothing_new(crawled: dict[str, Any]) -> None:
    second = crawled["second"]
    assert second.returncode == 0, second.stderr
    letters, forum = json.loads(second.stdout.strip().splitlines()[-1])
    assert (letters["profile"], letters["new"], letters["updated"], letters["unchanged"]) == ("gov-letters", 0, 0, 4)
    assert (forum["profile"], forum["new"], forum["updated"], forum["unchanged"]) == ("discuz", 0, 0, 7)
    assert letters["run_id"] != forum["run_id"]
    assert len(rows(crawled["db"])) == 11
    with open_store(crawled["db"]) as store, store.engine.connect() as conn:
        runs = conn.execute(sa.text("select profile, stats from crawl_runs order by id")).all()
    assert [r.profile for r in runs] == ["gov-letters", "discuz", "gov-letters", "discuz"]
    assert json.loads(runs[0].stats)["pages_fetched"] == 6


@pytest.mark.slow
def test_nothing_fetched_exits_1(crawled: dict[str, Any]) -> None:
    missing = crawled["missing"]
    assert missing.returncode == 1
    assert "0 pages fetched" in missing.stdout
    assert "Error: nothing could be fetched from " in missing.stderr
    assert "(errors: http:404 1)" in missing.stderr


def test_progress_lines_on_stderr_while_crawling(tmp_path: Path) -> None:
    from tests.sites.apisite import serve_dynamic

    with serve_dynamic("hanweb", 25) as site:
        result = run_cli("crawl", "hanweb", site.base + "/col/col12/index.html", "--db", str(tmp_path / "t.db"),
                         "--progress-every", "10", *FAST, "-s", "LOG_LEVEL=WARNING")
    assert result.returncode == 0, result.stderr[-2000:]
    progress = [line for line in result.stderr.splitlines() if line.startswith("hanweb: ")]
    # 1 list page + 1 dataproxy answer + 25 detail pages = 27 pages: a line at 10 and at 20
    assert [line.split(",")[0] for line in progress] == ["hanweb: 10 pages", "hanweb: 20 pages"]
    assert "documents read (new, changed or unchanged)" in progress[0]
    assert "progress" not in result.stdout and "27 pages fetched" in result.stdout
