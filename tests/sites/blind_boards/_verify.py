# -*- coding: utf-8 -*-
"""Check the generated boards against their expected.json files."""
import json
import os
import re
import sys
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, unquote

HERE = os.path.dirname(os.path.abspath(__file__))
BLOCK = set("p div br tr td th li dt dd dl ul ol table h1 h2 h3 h4 h5 h6 form fieldset legend hr option "
            "select section header footer nav main aside article tbody thead label".split()) - {"label"}


class Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.skip, self.links = [], 0, []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self.skip += 1
        if tag in BLOCK:
            self.out.append("\n")
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head"):
            self.skip -= 1
        if tag in BLOCK:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def declared(raw):
    m = re.search(rb'charset\s*=\s*["\']?([A-Za-z0-9_-]+)', raw[:3000], re.I)
    return m.group(1).decode().lower() if m else None


def load(board, rel):
    raw = open(os.path.join(HERE, board, rel), "rb").read()
    enc = declared(raw)
    txt = raw.decode(enc)  # strict
    p = Text()
    p.feed(txt)
    return enc, " ".join("".join(p.out).split()), p.links


def resolve(page, href):
    u = urljoin("http://board.test/" + page, href)
    s = urlsplit(u)
    if s.netloc != "board.test" or s.scheme != "http":
        return None
    return unquote(s.path).lstrip("/") or "index.html"


def main():
    errors, total = [], 0
    boards = sorted(d for d in os.listdir(HERE) if os.path.isfile(os.path.join(HERE, d, "expected.json")))
    for bd in boards:
        exp = json.load(open(os.path.join(HERE, bd, "expected.json"), encoding="utf-8"))
        err = lambda m: errors.append("%s: %s" % (bd, m))
        # every html file decodes in its declared encoding, and it matches expected.json
        for root, _, files in os.walk(os.path.join(HERE, bd)):
            for f in files:
                if f.endswith((".html", ".htm")):
                    rel = os.path.relpath(os.path.join(root, f), os.path.join(HERE, bd))
                    try:
                        enc, _, _ = load(bd, rel)
                        if enc.replace("-", "") != exp["encoding"].replace("-", ""):
                            err("%s declares %s" % (rel, enc))
                    except Exception as ex:  # noqa
                        err("%s does not decode: %s" % (rel, ex))
        urls = [l["url"] for l in exp["letters"]]
        if len(urls) != len(set(urls)):
            err("duplicate letter urls")
        mapped = [u for p in exp["list_pages"] for u in exp["letters_by_list_page"][p]]
        if sorted(mapped) != sorted(urls):
            err("letters_by_list_page does not cover letters exactly once")
        pages = exp["list_pages"]
        for i, pg in enumerate(pages):
            if not os.path.isfile(os.path.join(HERE, bd, pg)):
                err("missing list page " + pg)
                continue
            _, text, links = load(bd, pg)
            targets = {resolve(pg, h) for h in links} - {None}
            for u in exp["letters_by_list_page"][pg]:
                if u not in targets:
                    err("%s does not link %s" % (pg, u))
            if i + 1 < len(pages) and pages[i + 1] not in targets:
                err("%s does not link next page %s" % (pg, pages[i + 1]))
            n = len(exp["letters_by_list_page"][pg])
            if not 5 <= n <= 10:
                err("%s has %d letters" % (pg, n))
            # sidebar / hot links must point to expected letters or non-letter pages
        last = pages[-1]
        _, _, links = load(bd, last)
        lt = {resolve(last, h) for h in links} - {None}
        later = [t for t in lt if t not in pages and re.search(r"(index_\d|list_\d|page_\d|forum-36-\d|MailList_\d|List_\d|list/\d)", t)]
        if later:
            err("last page links further list pages: %s" % later)
        for l in exp["letters"]:
            total += 1
            if not os.path.isfile(os.path.join(HERE, bd, l["url"])):
                err("missing " + l["url"])
                continue
            _, text, _ = load(bd, l["url"])
            for k in ("title", "body", "reply", "reply_by", "author", "status"):
                if l[k] and l[k] not in text:
                    err("%s: %s not in visible text: %r" % (l["url"], k, l[k][:40]))
            for k in ("date", "reply_date"):
                if l[k]:
                    y, m, d = map(int, l[k].split("-"))
                    forms = ["%d-%02d-%02d" % (y, m, d), "%d/%02d/%02d" % (y, m, d), "%d年%d月%d日" % (y, m, d),
                             "%d年%02d月%02d日" % (y, m, d), "%d.%02d.%02d" % (y, m, d), "%d-%d-%d" % (y, m, d),
                             "%d/%d/%d" % (y, m, d)]
                    if not any(f in text for f in forms):
                        err("%s: %s %s not shown" % (l["url"], k, l[k]))
        print("%-14s %-7s list_pages=%d letters=%d no_reply=%d" % (
            bd, exp["encoding"], len(pages), len(urls), sum(1 for l in exp["letters"] if not l["reply"])))
    print("boards=%d letters=%d errors=%d" % (len(boards), total, len(errors)))
    for m in errors:
        print("  ERROR", m)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
