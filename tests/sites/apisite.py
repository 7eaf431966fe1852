"""Generated dynamic sites on 127.0.0.1: a 大汉 JCMS column and a JSON message board.

Static files cannot answer ``dataproxy.jsp?startrecord=16&endrecord=30`` or
``/api/messages?page=2&minId=40``, so these two sites are answered by code, in the
shapes the ``hanweb`` and ``json-api`` profiles read. Tests and the demo use them to
crawl for real over sockets; each server keeps the list of requests it answered
(path, query and POST body), so a test can see what a crawl asked for.
The content is deterministic: message ``n`` is the same text in every run.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

_TOPICS = ["道路", "看病", "供水", "学校", "物业", "养老金", "停车", "噪音", "垃圾", "路灯"]


def message(number: int, first_day: date = date(2026, 11, 1)) -> dict[str, str]:
    """Generated message ``number`` (1 = oldest): the fields both sites print."""
    topic = _TOPICS[number % len(_TOPICS)]
    day = first_day - timedelta(days=(10_000 - number) // 5 % 300)
    return {
        "title": f"关于{topic}的第{number}条留言",
        "author": "张先生" if number % 2 else "刘女士",
        "posted": f"{day.isoformat()} 09:{number % 60:02d}",
        "text": f"反映{topic}问题，第{number}条。联系电话13812345678，请尽快解决。",
        "reply_unit": "县政府办公室",
        "reply_text": f"已收到第{number}条留言，正在办理。",
        "place": "城关镇 东街社区",
        "category": ["咨询", "建议", "投诉"][number % 3],
    }


@dataclass
class DynamicSite:
    """What a running site serves and what it was asked."""

    base: str
    messages: int
    requests: list[dict[str, Any]] = field(default_factory=list)


# --- 大汉 JCMS ----------------------------------------------------------------------------------

def _hanweb_record(number: int) -> str:
    m = message(number)
    return (f'<li><a href="/art/{m["posted"][:10].replace("-", "/")}/art_12_{number}.html" target="_blank">'
            f'{m["title"]}</a><span>{m["posted"][:10]}</span></li>')


def hanweb_datastore(total: int, start: int, end: int) -> str:
    """The dataproxy answer for records ``start``..``end`` (1-based, newest first)."""
    numbers = [total - i + 1 for i in range(max(start, 1), min(end, total) + 1)]
    records = "".join(f"<record><![CDATA[\n{_hanweb_record(n)}\n]]></record>\n" for n in numbers)
    return (f'<?xml version="1.0" encoding="utf-8"?><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/'
            f'dataproxy.jsp?page=1&webid=1&path=/&columnid=12&unitid=34&webname=县政府&permissiontype=0"></a>]]>'
            f'</nextgroup><recordset>\n{records}</recordset><totalrecord>{total}</totalrecord>'
            f'<totalpage>{-(-total // 15)}</totalpage></datastore>')


def hanweb_detail(number: int) -> str:
    """Even messages as a labelled letter table, odd ones as an article in ``div#zoom``."""
    m = message(number)
    if number % 2 == 0:
        rows = [("信件标题", m["title"]), ("来信人", m["author"]), ("来信时间", m["posted"]),
                ("信件类型", m["category"]), ("信件内容", m["text"]), ("答复单位", m["reply_unit"]),
                ("答复内容", m["reply_text"])]
        body = "".join(f"<tr><td class=\"label\">{k}：</td><td>{v}</td></tr>" for k, v in rows)
        main = f'<table class="xxgk">{body}</table>'
    else:
        main = (f'<div class="title">{m["title"]}</div><div class="info"><span>发布时间：{m["posted"]}</span> '
                f'<span>来源：县政府办</span></div><div id="zoom"><p>{m["text"]}</p>'
                f'<script>var x = "不是正文";</script></div>')
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{m["title"]}</title></head><body>'
            f'<div class="nav"><a href="/">首页</a> &gt; 领导信箱</div>{main}</body></html>')


def hanweb_list_page(total: int) -> str:
    """The column's first page, with its first 15 records embedded as JCMS does."""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>领导信箱</title></head><body>'
            f'<div id="4321"><script type="text/xml">{hanweb_datastore(total, 1, 15)}</script>'
            f'<script>new Jpage("4321", "/module/web/jpage/dataproxy.jsp");</script></div></body></html>')


# --- JSON board ---------------------------------------------------------------------------------

def _json_item(number: int) -> dict[str, Any]:
    m = message(number)
    return {"id": number, "title": m["title"], "content": m["text"], "nickname": m["author"], "createTime": m["posted"],
            "area": m["place"], "type": m["category"],
            "reply": {"content": m["reply_text"], "unit": m["reply_unit"], "time": m["posted"][:10]}}


def json_page(messages: int, query: dict[str, str]) -> dict[str, Any]:
    """``/api/messages`` (page, pageSize, minId) and ``/api/feed`` (lastItem): newest first."""
    min_id = int(query.get("minId") or 0)
    size = int(query.get("pageSize") or 10)
    numbers = [n for n in range(messages, 0, -1) if n > min_id]
    if "lastItem" in query or query.get("_feed"):
        last = int(query.get("lastItem") or messages + 1)
        chosen = [n for n in numbers if n < last][:size]
        more = bool(chosen) and chosen[-1] > min_id + 1
        return {"code": 0, "data": {"list": [_json_item(n) for n in chosen],
                                    "lastItem": chosen[-1] if chosen and more else None}}
    page = int(query.get("page") or 1)
    chosen = numbers[(page - 1) * size: page * size]
    return {"code": 0, "data": {"total": len(numbers), "list": [_json_item(n) for n in chosen]}}


class _Handler(BaseHTTPRequestHandler):
    site: DynamicSite
    kind: str

    def _answer(self, status: int, content_type: str, text: str) -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _serve(self, form: dict[str, str]) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/robots.txt":
            self._answer(200, "text/plain", "User-agent: *\nAllow: /\n")
            return
        self.site.requests.append({"method": self.command, "path": parts.path, "query": query, "form": form})
        total = self.site.messages
        if self.kind == "hanweb":
            if parts.path.endswith("/dataproxy.jsp"):
                start, end = int(query.get("startrecord", 1)), int(query.get("endrecord", 45))
                self._answer(200, "text/xml;charset=UTF-8", hanweb_datastore(total, start, end))
            elif parts.path.startswith("/col/"):
                self._answer(200, "text/html", hanweb_list_page(total))
            elif parts.path.startswith("/art/") and parts.path.rsplit("_", 1)[-1][:-5].isdigit():
                number = int(parts.path.rsplit("_", 1)[-1][:-5])
                if 1 <= number <= total:
                    self._answer(200, "text/html", hanweb_detail(number))
                    return
                self._answer(404, "text/html", "<html><body>404</body></html>")
            else:
                self._answer(404, "text/html", "<html><body>404</body></html>")
            return
        if parts.path in ("/api/messages", "/api/feed"):
            if parts.path == "/api/feed":
                query["_feed"] = "1"
            self._answer(200, "application/json;charset=UTF-8", json.dumps(json_page(total, query), ensure_ascii=False))
        else:
            self._answer(404, "application/json", '{"code": 404}')

    def do_GET(self) -> None:
        self._serve({})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        self._serve({k: v[-1] for k, v in parse_qs(raw).items()})

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


@contextmanager
def serve_dynamic(kind: str, messages: int) -> Iterator[DynamicSite]:
    """Serve a generated ``hanweb`` column or ``json`` board of ``messages`` items while the block runs.

    Hanweb: ``/col/col12/index.html`` (first page), ``/module/web/jpage/dataproxy.jsp``
    and ``/art/.../art_12_N.html``. JSON: ``/api/messages`` (page paging, ``minId``)
    and ``/api/feed`` (``lastItem`` cursor).
    """
    if kind not in ("hanweb", "json"):
        raise ValueError(f"kind must be 'hanweb' or 'json', got {kind!r}")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    host, port = server.server_address[:2]
    site = DynamicSite(base=f"http://{host}:{port}", messages=messages)
    server.RequestHandlerClass = type("_SiteHandler", (_Handler,), {"site": site, "kind": kind})
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"serve {kind}", daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
