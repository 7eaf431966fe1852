"""The crawl cases in tests/data/crawl_cases/, each served on 127.0.0.1 and crawled with `tongxin crawl`."""
from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from opinion.store.db import open_store
from tests.helpers import FAST, REPO, TEST_DATA

CASES = TEST_DATA / "crawl_cases"


@contextmanager
def serve(case: str) -> Iterator[tuple[str, list[str]]]:
    """Serve a case's ROUTES on a free port; yields the base URL and the paths asked for."""
    routes: dict[str, tuple[int, dict[str, str], bytes]] = runpy.run_path(str(CASES / case / "routes.py"))["ROUTES"]
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            route = routes.get(self.path) or routes.get(self.path.split("?", 1)[0])
            status, headers, body = route if route is not None else (404, {"Content-Type": "text/html"}, b"none")
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()


def crawl(case: str, profile: str, start: str | list[str], db: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "TONGXIN_DB"}
    starts = [start] if isinstance(start, str) else start
    with serve(case) as (base, asked):
        result = subprocess.run([sys.executable, "-m", "cli", "crawl", profile, *(base + s for s in starts),
                                 "--db", str(db), *FAST], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    with open_store(db) as store, store.engine.connect() as conn:
        docs = [dict(r) for r in conn.execute(sa.text("select * from documents order by url")).mappings()]
        run = conn.execute(sa.text("select stats from crawl_runs order by id desc")).first()
    return {"result": result, "docs": docs, "stats": json.loads(run.stats) if run and run.stats else {},
            "base": base, "asked": asked}


@pytest.mark.slow
def test_c02_gbk_page_sent_as_latin1_gives_its_letter(tmp_path: Path) -> None:
    out = crawl("c02_latin1_header_gbk", "gov-letters", "/list_1.html", tmp_path / "t.db")
    assert out["result"].returncode == 0, out["result"].stderr[-2000:]
    assert [d["text"] for d in out["docs"]] == ["镇卫生院只有两个医生，老人看病要排一上午队，医保报销也麻烦。"]
    assert out["docs"][0]["title"] == "镇卫生院看病难"
    assert out["stats"]["decoding"] == {"detected": 2}  # the list and the letter
    assert "profile" not in out["result"].stderr


@pytest.mark.slow
def test_c05_compression_faults_all_give_their_letters(tmp_path: Path) -> None:
    out = crawl("c05_compression", "gov-letters", "/list_1.html", tmp_path / "t.db")
    assert out["result"].returncode == 0, out["result"].stderr[-2000:]
    texts = {d["url"].rsplit("/", 1)[1]: d["text"] for d in out["docs"]}
    assert texts == {"detail_1.html": "一号信：学校门口交通拥堵。", "detail_2.html": "二号信：菜市场物价太高。",
                     "detail_3.html": "三号信：养老院床位不够。", "detail_4.html": "四号信：村里垃圾没人收。"}
    assert out["stats"]["errors"] == {}
    assert out["stats"]["decoding"] == {"gzip-label-on-plain-body": 1, "gzip-without-label": 1}
    assert "decoding repaired: gzip-label-on-plain-body 1, gzip-without-label 1" in out["result"].stdout


@pytest.mark.slow
def test_letter_pages_sent_as_latin1_or_with_compression_faults_decode(tmp_path: Path) -> None:
    # The same pages as c02 and c05, each a start URL: the repairs alone, whatever reads the lists.
    out = crawl("c02_latin1_header_gbk", "gov-letters", "/detail_1.html", tmp_path / "a.db")
    assert [d["text"] for d in out["docs"]] == ["镇卫生院只有两个医生，老人看病要排一上午队，医保报销也麻烦。"]
    assert out["stats"]["decoding"] == {"detected": 1}
    out = crawl("c05_compression", "gov-letters", [f"/detail_{n}.html" for n in range(1, 5)], tmp_path / "b.db")
    assert out["result"].returncode == 0, out["result"].stderr[-2000:]
    assert sorted(d["text"][:3] for d in out["docs"]) == ["一号信", "三号信", "二号信", "四号信"]
    assert out["stats"]["errors"] == {}
    assert out["stats"]["decoding"] == {"gzip-label-on-plain-body": 1, "gzip-without-label": 1}


@pytest.mark.slow
def test_broken_bytes_servlet_charset_and_401_over_http(tmp_path: Path) -> None:
    out = crawl("page_faults", "gov-letters", ["/broken.html", "/gbk_meta.html", "/private.html"], tmp_path / "t.db")
    assert out["result"].returncode == 0, out["result"].stderr[-2000:]
    texts = {d["url"].rsplit("/", 1)[1]: d["text"] for d in out["docs"]}
    assert texts["gbk_meta.html"] == "镇上集市占道经营，车辆过不去。"
    assert texts["broken.html"].startswith("小区路灯坏了一个月，晚上出门很不方")
    assert texts["broken.html"].endswith("\ufffd，希望尽快修好。")
    assert sorted(texts) == ["broken.html", "gbk_meta.html"]
    assert out["stats"]["decoding"] == {"replaced": 1}
    assert out["stats"]["restricted"] == {"login": 1}
    assert out["stats"]["errors"] == {}


@pytest.mark.slow
def test_c07_login_and_permission_walls_are_counted_apart(tmp_path: Path) -> None:
    out = crawl("c07_discuz_jammer_login", "discuz", "/forum-2-1.html", tmp_path / "t.db")
    result = out["result"]
    assert result.returncode == 0, result.stderr[-2000:]
    assert [d["text"] for d in out["docs"]] == ["这个月第三次停水了，\n老人挑水很辛苦。\n希望镇里管一管。", "同感，\n我们组也停水。"]
    assert not any(junk in d["text"] for d in out["docs"] for junk in ("Q3", "]9", "a&", "Y#", "本帖最后由"))
    assert out["stats"]["restricted"] == {"login": 1, "permission": 1}
    assert out["stats"]["errors"] == {}
    assert "restricted (login or permission needed): login 1, permission 1" in result.stdout
    assert "errors: none" in result.stdout
    assert "profile" not in result.stderr  # nothing blames the profile for a wall


@pytest.mark.slow
def test_a_crawl_that_meets_only_walls_says_so_rather_than_blaming_the_profile(tmp_path: Path) -> None:
    out = crawl("c07_discuz_jammer_login", "discuz", "/thread-103-1-1.html", tmp_path / "t.db")
    result = out["result"]
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: fetched 0 pages from {out['base']}/thread-103-1-1.html but found no documents: 1 page(s) need a "
        "login or a higher permission (login 1; this crawler does not log in)"
    )


@pytest.mark.slow
def test_official_replies_on_a_forum_are_kept_apart_from_voices(tmp_path: Path) -> None:
    from opinion.estimates.voices import online_voices

    db = tmp_path / "t.db"
    out = crawl("official_reply", "discuz", "/forum-3-1.html", db)
    assert out["result"].returncode == 0, out["result"].stderr[-2000:]
    docs = {d["url"].rsplit("#", 1)[1]: d for d in out["docs"]}
    assert sorted(docs) == ["pid7001", "pid7003", "pid7004", "pid7005"]  # the department's post is not its own document
    opening = docs["pid7001"]
    assert opening["kind"] == "post"
    assert opening["reply_unit"] == "县住建局"
    assert "已安排维修人员" in opening["reply_text"] and "已安排" not in opening["text"]
    assert docs["pid7004"]["kind"] == "article"  # the administrator's post on page 2
    assert docs["pid7004"]["reply_unit"] == "管理员"
    assert {docs[p]["kind"] for p in ("pid7003", "pid7005")} == {"post"}
    with open_store(db) as store:
        voices = online_voices(store)
    texts = [t for row in voices["texts"] for t in (json.loads(row) if isinstance(row, str) else row)]
    assert len(voices) == 2  # 夜归人 (two posts) and 楼下邻居
    assert not any("维修人员" in t or "转交相关部门" in t for t in texts)
