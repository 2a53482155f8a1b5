"""A real HTTP server on 127.0.0.1 for the feed-cache tests, serving files from one folder.

It answers as a static file server does: ``ETag`` and ``Last-Modified`` on every file, 304 to a
matching ``If-None-Match``, byte ranges (206) when ``If-Range`` still matches. A few paths
misbehave on purpose, each as real servers do:

- ``/error/NAME``: 500 Internal Server Error.
- ``/cut/NAME``: announces the whole length, sends the first half and closes the connection
  (ranges allowed, so the next request can resume). ``/cut-once/NAME`` does it only on the
  first request for NAME.
- ``/cut-norange/NAME``: the same without ``Accept-Ranges`` and without validators.

``server.requests`` records each request's path and headers, so tests can check what was asked.
"""

from __future__ import annotations

import hashlib
import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = Path(root)
        self.requests: list[tuple[str, dict]] = []
        self.cut_done: set[str] = set()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{path.lstrip('/')}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.server.requests.append((self.path, dict(self.headers)))
        kind, _, name = self.path.lstrip("/").partition("/")
        if kind not in ("error", "cut", "cut-once", "cut-norange"):
            kind, name = "file", self.path.lstrip("/")
        path = self.server.root / name
        if kind == "error":
            return self._plain(500, b"boom")
        if not path.is_file():
            return self._plain(404, b"not found")
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        modified = formatdate(path.stat().st_mtime, usegmt=True)
        if kind != "cut-norange" and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        start = 0
        wanted = self.headers.get("Range", "")
        if wanted.startswith("bytes=") and self.headers.get("If-Range") in (etag, modified):
            start = int(wanted[6:].rstrip("-"))
            if start >= len(body):
                return self._plain(416, b"")
        cut = kind in ("cut", "cut-norange") or (kind == "cut-once" and name not in self.server.cut_done)
        self.server.cut_done.add(name)
        self.send_response(206 if start else 200)
        if kind != "cut-norange":
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", modified)
            self.send_header("Accept-Ranges", "bytes")
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        rest = body[start:]
        if cut:
            self.wfile.write(rest[: len(rest) // 2])
            self.wfile.flush()
            self.close_connection = True
            return None
        self.wfile.write(rest)
        return None

    def _plain(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
