"""A misbehaving letter board on 127.0.0.1: every fault a real government site has shown.

The list page ``/list.html`` (read by the ``gov-letters`` profile) links to one detail
page per fault: a 500 that succeeds on the second try, a 429 with ``Retry-After``, a
response that never comes, a reset connection, a truncated body, GBK bytes labelled
UTF-8, a redirect loop, a 50 MB page, malformed HTML, a 403 and a captcha page, and
the same letter under two URLs (one with tracking parameters). ``/cal/N.html`` is an
endless calendar of "next day" links. A crawl of it must end with each fault either
stored as a document or counted under a name, and must not hang.

``hits`` records when each path was asked for, so a test can check retry waits.
"""
from __future__ import annotations

import socket
import struct
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# fault path -> what a correct crawl ends with: a stored letter ("stored") or an error kind
EXPECTED: dict[str, str] = {
    "/d/retry500.html": "stored",
    "/d/retry429.html": "stored",
    "/d/gbk-as-utf8.html": "stored",
    "/d/malformed.html": "stored",
    "/d/same.html?id=7": "stored",
    "/d/hang.html": "download:timeout",
    "/d/reset.html": "download:connection-lost",
    "/d/truncated.html": "download:truncated",
    "/d/loop.html": "redirect:loop",
    "/d/huge.html": "download:too-large",
    "/d/forbidden.html": "blocked",
    "/d/captcha.html": "blocked",
}
HUGE_BYTES = 50 * 1024 * 1024


def letter_page(title: str, text: str, charset: str = "utf-8") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head><body>'
            f'<table class="letter-detail"><tr><th>标题</th><td>{title}</td></tr>'
            f'<tr><th>来信人</th><td>张**</td></tr><tr><th>来信时间</th><td>2026-11-20 10:00</td></tr>'
            f'<tr><th>内容</th><td>{text}</td></tr></table></body></html>')


LIST_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>来信列表</title></head><body>'
    '<ul class="letter-list">'
    + "".join(f'<li><a href="{path}">{path}</a> <span class="date">2026-11-20</span></li>' for path in EXPECTED)
    + '<li><a href="/d/same.html?id=7&amp;utm_source=weibo&amp;sid=abc">同一封信</a></li>'
    '</ul><div class="pages"><a class="next" href="/cal/1.html">下一页</a></div></body></html>'
)

MALFORMED = ('<html><head><meta charset="utf-8"><title>残缺页面</title><body><table class="letter-detail">'
             '<tr><th>标题<td>排水沟堵塞<tr><th>内容<td>下雨就<b>积水<i>，请清理</b>排水沟。'
             '<tr><th>来信时间<td>2026-11-19')

CAPTCHA = ('<html><head><meta charset="utf-8"><title>安全验证</title></head><body>'
           '<form><img src="/captcha.jpg"><input name="vcode"><button>提交</button></form></body></html>')


@dataclass
class FaultSite:
    base: str
    hits: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


def _handler(site: FaultSite, stop: threading.Event) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
                 headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path
            site.hits[path.split("?")[0]].append(time.monotonic())
            count = len(site.hits[path.split("?")[0]])
            if path == "/robots.txt":
                self.send(200, b"User-agent: *\nAllow: /\n", "text/plain")
            elif path == "/list.html":
                self.send(200, LIST_PAGE.encode("utf-8"))
            elif path.startswith("/cal/"):
                day = int(path.rsplit("/", 1)[1].split(".")[0])
                page = ('<html><head><meta charset="utf-8"></head><body><ul class="letter-list">'
                        '<li><a href="/d/malformed.html">排水沟堵塞</a></li></ul>'
                        f'<a class="next" href="/cal/{day + 1}.html">下一天</a></body></html>')
                self.send(200, page.encode("utf-8"))
            elif path == "/d/retry500.html":
                if count == 1:
                    self.send(500, b"<html><body>Internal Server Error</body></html>")
                else:
                    self.send(200, letter_page("路灯不亮", "小区路灯坏了一个月。").encode("utf-8"))
            elif path == "/d/retry429.html":
                if count == 1:
                    self.send(429, b"slow down", "text/plain", {"Retry-After": "1"})
                else:
                    self.send(200, letter_page("噪音扰民", "夜里施工噪音太大。").encode("utf-8"))
            elif path == "/d/gbk-as-utf8.html":
                self.send(200, letter_page("供水不稳定", "自来水经常停，水压也低。", "gbk").encode("gbk"),
                          "text/html; charset=utf-8")
            elif path == "/d/malformed.html":
                self.send(200, MALFORMED.encode("utf-8"))
            elif path.startswith("/d/same.html"):
                self.send(200, letter_page("公交班次太少", "去县城的公交一小时一班。").encode("utf-8"))
            elif path == "/d/hang.html":
                stop.wait(30)  # longer than any test's DOWNLOAD_TIMEOUT; ends when the server stops
            elif path == "/d/reset.html":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
            elif path == "/d/truncated.html":
                body = letter_page("半截页面", "这封信的内容没有传完" * 20).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body) + 5000))
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True
            elif path in ("/d/loop.html", "/d/loop2.html"):
                target = "/d/loop2.html" if path == "/d/loop.html" else "/d/loop.html"
                self.send(302, b"", headers={"Location": target})
            elif path == "/d/huge.html":
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(HUGE_BYTES))
                self.end_headers()
                chunk = b" " * 65536
                try:
                    for _ in range(HUGE_BYTES // len(chunk)):
                        if stop.is_set():
                            break
                        self.wfile.write(chunk)
                except OSError:
                    pass  # the crawler hung up: that is the point
                self.close_connection = True
            elif path == "/d/forbidden.html":
                self.send(403, b"<html><body>Forbidden</body></html>")
            elif path == "/d/captcha.html":
                self.send(200, CAPTCHA.encode("utf-8"))
            else:
                self.send(404, b"not found")

    return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # resets and hang-ups are the faults being served, not server errors


@contextmanager
def serve_faults() -> Iterator[FaultSite]:
    """Run the fault site while the block runs; yields it (``site.base``, ``site.hits``)."""
    stop = threading.Event()
    site = FaultSite(base="")
    server = _QuietServer(("127.0.0.1", 0), _handler(site, stop))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="fault site", daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    site.base = f"http://{host}:{port}"
    try:
        yield site
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
