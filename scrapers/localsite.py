"""A local HTTP server for a directory of saved pages: the demo site and crawl tests.

It serves like a plain static web server that says nothing about encodings:
``.html`` goes out as ``text/html`` without a charset, so each page's own ``<meta>``
has to be read, as on many real Chinese sites. A ``robots.txt`` allowing everything
is served when the directory has none, so the crawler's robots.txt handling runs
for real. Bound to 127.0.0.1 on an ephemeral port; request logs are kept quiet.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from opinion.errors import InputError

log = logging.getLogger(__name__)

ALLOW_ALL_ROBOTS = b"User-agent: *\nAllow: /\n"


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html",
        ".htm": "text/html",
        ".txt": "text/plain",
    }

    delay = 0.0

    def do_GET(self) -> None:
        if self.delay:
            time.sleep(self.delay)
        if self.path.split("?", 1)[0] == "/robots.txt" and not (Path(self.directory) / "robots.txt").exists():
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(ALLOW_ALL_ROBOTS)))
            self.end_headers()
            self.wfile.write(ALLOW_ALL_ROBOTS)
            return
        super().do_GET()

    def translate_path(self, path: str) -> str:
        """A page saved with its query in its file name (``list.jsp?page=2``, as wget saves it) answers that query."""
        local = super().translate_path(path)
        query = path.split("#", 1)[0].partition("?")[2]
        if query and Path(f"{local}?{query}").is_file():
            return f"{local}?{query}"
        return local

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


@contextmanager
def serve_directory(root: Path, delay: float = 0.0) -> Iterator[str]:
    """Serve ``root`` over HTTP while the block runs.

    Yields the base URL without a trailing slash (``http://127.0.0.1:PORT``), so
    page URLs read ``f"{base}/letters/list_1.html"``. ``delay`` seconds are spent
    before each answer, like a slow site (to interrupt a crawl half-way in tests).
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: not a directory of pages to serve")
    handler = type("_DelayedHandler", (_Handler,), {"delay": float(delay)}) if delay else _Handler
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"serve {root}", daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    if isinstance(host, bytes):  # typeshed allows bytes; an AF_INET server gives str
        host = host.decode()
    log.info("serving %s at http://%s:%d/", root, host, port)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
