"""How well a crawl profile reads the ten blind letter boards (``tests/sites/blind_boards``).

``python -m benchmarks.boards [--profile gov-letters] [--board NAME ...] [--json] [--dir FOLDER]``

``--dir tests/sites/dev_boards`` scores the development boards the generic reader was
tuned on, in the same way; the blind boards are the default.

For each board folder: serve it on 127.0.0.1 (:func:`scrapers.localsite.serve_directory`),
crawl it from its first list page with the built-in profile through the project's real
crawl (:func:`scrapers.run.crawl`, the same settings ``tongxin demo`` uses for its local
site: no delay, no AutoThrottle, robots.txt obeyed, which the local server allows) into a
fresh temporary store, then compare the store's ``documents`` with the board's
``expected.json``.

Each crawl runs in its own process: Twisted's reactor starts once per process, and a
process can be killed when a board's crawl runs past ``--timeout`` seconds (default 60)
without taking the other boards down. A crawl that fails, hangs or finds nothing is
reported on its board's row (with the crawl's own accounting of pages, documents,
dropped items and errors); whatever it stored before failing is still scored.

Measured per board:

* **found** (recall): expected letters whose detail URL is the URL of a stored document
  (compared by path; ``#post`` anchors, query strings and host:port ignored);
  **extra**: stored documents whose page is no expected letter's (list pages, notices...);
  **stored**: all stored documents. A forum thread stored as several posts (``#post``
  anchors) is one letter: its first post is scored, its other posts (the official
  reply, other members' posts) count as neither found nor extra, only as stored.
* **field accuracy**, each over the found letters only (so a profile that finds one
  letter and reads it well scores 100%; read it beside recall):

  - ``title``: stored title equals the expected one after whitespace normalisation
    (runs of whitespace, NBSP and U+3000 collapsed to one space, ends stripped);
  - ``date``: the stored ``posted_at`` starts with the expected ``YYYY-MM-DD``;
  - ``body``: the expected body, masked with :func:`opinion.text.masking.mask_pii`
    (the store holds only masked text) and normalised, is *contained* in the stored
    text, normalised; or else the two have a character-level
    :class:`difflib.SequenceMatcher` ratio of at least 0.9 (for a body stored with a
    label or a line of clutter around it, or with a few characters lost);
  - ``reply``: the same rule on the stored ``reply_text`` (a reply stored as a post of
    its own does not count); a letter with no reply in ``expected.json``
    matches when nothing (or only whitespace) was stored as its reply;
  - ``author``: the store keeps only a keyed pseudonym, never the name, so an author
    matches when the stored author is present exactly when the page shows one
    (``author`` not null in ``expected.json``). Letters' authors are pseudonyms of
    their URL in the store (one letter, one voice), so this mostly measures whether
    forum-style boards keep their nicknames; it is reported in ``--json`` only.
"""
from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
BOARDS_DIR = REPO / "tests" / "sites" / "blind_boards"
FIELDS = ("title", "date", "body", "reply", "author")
SIMILARITY = 0.9  # difflib ratio at or above which a body / reply counts as read
TIMEOUT = 60.0  # seconds for one board's crawl process, start-up included
_SPACE = re.compile(r"[\s\u00a0\u3000]+")


def boards(root: Path = BOARDS_DIR) -> list[str]:
    """The board folders under ``root``: those holding an ``expected.json``."""
    return sorted(p.name for p in root.iterdir() if (p / "expected.json").is_file())


def norm(text: str | None) -> str:
    """Whitespace collapsed (NBSP and U+3000 included, as ``expected.json`` counts them) and stripped."""
    return _SPACE.sub(" ", text or "").strip()


def url_key(url: str) -> str:
    """A page's path without host, port, query or fragment: the stored URL carries the server's port."""
    return unquote(urlsplit(url).path).lstrip("/")


def text_matches(expected: str | None, stored: str | None) -> bool:
    """The body / reply rule of the module docstring: masked containment, or similarity ≥ 0.9."""
    from opinion.text.masking import mask_pii

    want = norm(mask_pii(expected)) if expected else ""
    got = norm(stored)
    if not want:  # nothing expected (a pending letter's reply): nothing must have been stored
        return not got
    if not got:
        return False
    if want in got:
        return True
    return difflib.SequenceMatcher(None, want, got, autojunk=False).ratio() >= SIMILARITY


# --- the crawl, in a child process ---------------------------------------------------------


def _worker(board_dir: Path, profile: str, db: Path, first_page: str, summary_out: Path) -> int:
    """Serve ``board_dir``, crawl it into ``db`` and write the crawl's summaries as JSON to ``summary_out``."""
    import logging

    from scrapers.localsite import serve_directory
    from scrapers.run import CrawlJob, crawl
    from tongxin.demo import LOCAL_CRAWL_SETTINGS

    # The application's handler on stderr: Scrapy's warnings (404s, errors) end up in
    # the parent's capture, and the crawl runs under the same logging set-up as the CLI.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    with serve_directory(board_dir) as base:
        summaries = crawl([CrawlJob(profile, [f"{base}/{first_page}"])], db, settings=dict(LOCAL_CRAWL_SETTINGS))
    summary_out.write_text(json.dumps([dataclasses.asdict(s) for s in summaries], ensure_ascii=False),
                           encoding="utf-8")
    return 0


@dataclass
class CrawlOutcome:
    """What the crawl process of one board did."""

    status: str = "ok"  # ok | nothing found | failed (exit N) | timeout
    seconds: float = 0.0
    summary: dict[str, Any] = field(default_factory=dict)  # scrapers.run.CrawlSummary, as a dict
    message: str = ""  # the last lines the process wrote on stderr, when it went wrong

    def accounting(self) -> str:
        """The crawl's own accounting in one line, as ``tongxin crawl`` prints it."""
        s = self.summary
        if not s:
            return "no crawl summary"

        def counts(d: dict[str, int]) -> str:
            return ", ".join(f"{k} {v}" for k, v in sorted(d.items())) or "none"

        return (f"{s['pages_fetched']} pages fetched; documents {s['new']} new, {s['updated']} updated, "
                f"{s['unchanged']} unchanged; dropped: {counts(s['dropped'])}; errors: {counts(s['errors'])}; "
                f"blocked: {counts(s['blocked'])}")


def run_crawl(board_dir: Path, profile: str, db: Path, first_page: str, timeout: float) -> CrawlOutcome:
    """Crawl one board in a child process, killed after ``timeout`` seconds."""
    summary_out = db.with_name("summary.json")
    env = {k: v for k, v in os.environ.items() if k != "TONGXIN_DB"}  # the store is the one given, always
    command = [sys.executable, "-m", "benchmarks.boards", "--_crawl", str(board_dir), profile, str(db), first_page,
               str(summary_out)]
    started = time.monotonic()
    outcome = CrawlOutcome()
    try:
        done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired as exc:
        outcome.status = "timeout"
        stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        outcome.message = _tail(stderr)
    else:
        if done.returncode != 0:
            outcome.status = f"failed (exit {done.returncode})"
            outcome.message = _tail(done.stderr)
        elif summary_out.is_file():
            outcome.summary = json.loads(summary_out.read_text(encoding="utf-8"))[0]
            fetched, stored = outcome.summary["pages_fetched"], (
                outcome.summary["new"] + outcome.summary["updated"] + outcome.summary["unchanged"])
            if fetched == 0 or stored == 0:
                outcome.status = "nothing found"
            # Warnings are worth keeping even when the crawl ran: they say what it tripped on.
            outcome.message = _tail(done.stderr)
    outcome.seconds = time.monotonic() - started
    return outcome


def _tail(stderr: str, lines: int = 3) -> str:
    kept = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    return " | ".join(kept[-lines:])


# --- scoring --------------------------------------------------------------------------------


@dataclass
class BoardResult:
    board: str
    expected: int
    found: int = 0
    extra: int = 0
    matches: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    crawl: CrawlOutcome = field(default_factory=CrawlOutcome)
    stored: int = 0
    missing_examples: list[str] = field(default_factory=list)

    def accuracy(self, name: str) -> float | None:
        """Share of found letters whose ``name`` matched; None when nothing was found."""
        return self.matches[name] / self.found if self.found else None

    def as_json(self) -> dict[str, Any]:
        return {
            "board": self.board, "expected": self.expected, "found": self.found, "extra": self.extra,
            "stored": self.stored, "recall": self.found / self.expected if self.expected else None,
            **{f"{name}_accuracy": self.accuracy(name) for name in FIELDS},
            "crawl_status": self.crawl.status, "crawl_seconds": round(self.crawl.seconds, 1),
            "crawl_summary": self.crawl.summary, "crawl_accounting": self.crawl.accounting(),
            "crawl_messages": self.crawl.message, "missing_examples": self.missing_examples,
        }


def stored_documents(db: Path) -> list[dict[str, Any]]:
    """Every row of the store's ``documents``, oldest first; none when the store was never made."""
    if not db.exists():
        return []
    import sqlalchemy as sa

    from opinion.store.db import documents, open_store

    with open_store(db) as store, store.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(sa.select(documents).order_by(documents.c.id))]


def score(board: str, expected: dict[str, Any], docs: list[dict[str, Any]], outcome: CrawlOutcome) -> BoardResult:
    """Compare the stored documents of one board with its ``expected.json``."""
    letters = expected["letters"]
    result = BoardResult(board, len(letters), crawl=outcome, stored=len(docs))
    by_key: dict[str, dict[str, Any]] = {}
    for doc in docs:
        # A forum thread may be stored as several posts (same path, #post anchors): the
        # letter is its first post, which a letter-kind document beats if there is one.
        key = url_key(doc["url"])
        if key not in by_key or (doc["kind"] == "letter" and by_key[key]["kind"] != "letter"):
            by_key[key] = doc
    wanted = {url_key(letter["url"]) for letter in letters}
    result.extra = sum(1 for doc in docs if url_key(doc["url"]) not in wanted)
    for letter in letters:
        hit = by_key.get(url_key(letter["url"]))
        if hit is None:
            if len(result.missing_examples) < 3:
                result.missing_examples.append(letter["url"])
            continue
        result.found += 1
        checks = {
            "title": norm(hit["title"]) == norm(letter["title"]),
            "date": bool(letter["date"]) and str(hit["posted_at"] or "").startswith(letter["date"]),
            "body": text_matches(letter["body"], hit["text"]),
            "reply": text_matches(letter["reply"], hit["reply_text"]),
            "author": bool(hit["author"]) == (letter["author"] is not None),
        }
        for name, ok in checks.items():
            result.matches[name] += int(ok)
    return result


def evaluate(board: str, profile: str, timeout: float, root: Path = BOARDS_DIR) -> BoardResult:
    """Crawl and score one board in a fresh temporary store (with the profile its ``expected.json`` names, if any)."""
    board_dir = root / board
    expected = json.loads((board_dir / "expected.json").read_text(encoding="utf-8"))
    profile = expected.get("profile", profile)  # a forum board names the profile of its spider (discuz)
    with tempfile.TemporaryDirectory(prefix=f"boards-{board}-") as tmp:
        db = Path(tmp) / "tongxin.db"
        outcome = run_crawl(board_dir, profile, db, expected["list_pages"][0], timeout)
        try:
            docs = stored_documents(db)
        except Exception as exc:  # a store left half-made by a killed crawl: report it, go on
            outcome.message = f"{outcome.message} | store unreadable: {exc}".strip(" |")
            docs = []
        return score(board, expected, docs, outcome)


# --- body extractors compared ----------------------------------------------------------------


def compare_extractors(root: Path) -> str:
    """How the generic reader and three article extractors read the letter bodies of the boards under ``root``.

    For each letter page: is the expected body contained in the extracted text (both
    normalised), and is the official reply mixed into it (its first 20 characters found)?
    trafilatura, GNE and readability-lxml are not dependencies: install them (e.g. with
    ``pip install --target DIR``, then ``PYTHONPATH=DIR``) to run this.
    """
    from lxml import html as lxml_html
    from parsel import Selector

    from scrapers import generic

    try:
        import trafilatura  # type: ignore[import-not-found]
        from gne import GeneralNewsExtractor  # type: ignore[import-not-found]
        from readability import Document  # type: ignore[import-not-found]
    except ImportError as exc:
        raise SystemExit(f"Error: {exc.name} is not installed; see compare_extractors' docstring") from None

    def as_text(markup: str) -> str:
        return str(lxml_html.fromstring(markup).text_content()) if markup.strip() else ""

    readers = {
        "generic reader": lambda page: generic.read_letter(Selector(text=page).root).value("text") or "",
        "trafilatura": lambda page: trafilatura.extract(page) or "",
        "GNE": lambda page: GeneralNewsExtractor().extract(page).get("content", ""),
        "readability-lxml": lambda page: as_text(Document(page).summary()),
    }
    tally = {name: [0, 0, 0.0] for name in readers}
    pages = 0
    for board in boards(root):
        expected = json.loads((root / board / "expected.json").read_text(encoding="utf-8"))
        for letter in expected["letters"]:
            page = (root / board / letter["url"]).read_bytes().decode(expected.get("encoding", "utf-8"))
            pages += 1
            for name, read in readers.items():
                started = time.perf_counter()
                got = norm(read(page))
                tally[name][2] += time.perf_counter() - started
                tally[name][0] += norm(letter["body"]) in got
                tally[name][1] += bool(letter["reply"]) and norm(letter["reply"])[:20] in got
    lines = ["| reader | body found | reply mixed into the body | ms per page |", "|---|---|---|---|"]
    lines += [f"| {name} | {int(found)} of {pages} | {int(mixed)} | {1000 * seconds / pages:.1f} |"
              for name, (found, mixed, seconds) in tally.items()]
    return "\n".join(lines)


# --- output ---------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def table(results: list[BoardResult]) -> str:
    """The results as a Markdown table with a totals row (accuracies pooled over all found letters)."""
    head = ["board", "expected", "found", "extra", "stored", "title", "date", "body", "reply", "crawl"]
    rows = [[r.board, str(r.expected), str(r.found), str(r.extra), str(r.stored),
             *(_pct(r.accuracy(f)) for f in FIELDS[:4]), f"{r.crawl.status} ({r.crawl.seconds:.0f} s)"] for r in results]
    found = sum(r.found for r in results)
    total = [
        "**total**", str(sum(r.expected for r in results)), str(found), str(sum(r.extra for r in results)),
        str(sum(r.stored for r in results)),
        *(_pct(sum(r.matches[f] for r in results) / found if found else None) for f in FIELDS[:4]),
        f"{sum(1 for r in results if r.crawl.status == 'ok')} of {len(results)} ok",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in [*rows, total]]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--_crawl"]:  # the child process of run_crawl
        board_dir, profile, db, first_page, summary_out = argv[1:6]
        return _worker(Path(board_dir), profile, Path(db), first_page, Path(summary_out))
    parser = argparse.ArgumentParser(prog="python -m benchmarks.boards", description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="gov-letters", help="built-in profile (or profile YAML) to crawl with")
    parser.add_argument("--board", action="append", default=None, metavar="NAME",
                        help="board folder to evaluate (repeatable; default: all ten)")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds allowed for one board's crawl")
    parser.add_argument("--json", action="store_true", help="print one JSON line per board, then the totals")
    parser.add_argument("--dir", type=Path, default=BOARDS_DIR,
                        help="folder of boards (default: the blind boards; tests/sites/dev_boards for development)")
    parser.add_argument("--extractors", action="store_true",
                        help="compare body extractors on the boards' letter pages instead (no crawl)")
    args = parser.parse_args(argv)
    if args.extractors:
        print(compare_extractors(args.dir))
        return 0
    known = boards(args.dir)
    chosen = args.board or known
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        parser.error(f"unknown board(s): {', '.join(unknown)}; known: {', '.join(known)}")
    results = []
    for board in chosen:
        result = evaluate(board, args.profile, args.timeout, args.dir)
        results.append(result)
        if args.json:
            print(json.dumps(result.as_json(), ensure_ascii=False), flush=True)
        else:
            print(f"{board}: {result.crawl.status}; {result.crawl.accounting()}"
                  + (f"; messages: {result.crawl.message}" if result.crawl.message else ""), file=sys.stderr,
                  flush=True)
    if args.json:
        expected, found = sum(r.expected for r in results), sum(r.found for r in results)
        print(json.dumps({"board": "total", "profile": args.profile, "expected": expected, "found": found,
                          "extra": sum(r.extra for r in results), "recall": found / expected if expected else None,
                          **{f"{f}_accuracy": (sum(r.matches[f] for r in results) / found if found else None)
                             for f in FIELDS}}, ensure_ascii=False))
    else:
        print(f"profile {args.profile}\n")
        print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
