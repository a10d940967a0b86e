"""A small HTTP file server on 127.0.0.1 for download tests.

It serves in-memory files, honours ``Range: bytes=N-`` (206 + Content-Range, 416 past the end),
and can misbehave on purpose: cut a response after N body bytes (declaring the full length, so
the client sees a broken transfer), ignore Range headers, or wait before sending the body. Every
request is logged with its Range header.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

__all__ = ["FileServer", "LoggedRequest", "unused_port"]

_RANGE = re.compile(r"bytes=(\d+)-")


@dataclass(frozen=True)
class LoggedRequest:
    path: str
    range: str | None


class FileServer:
    """Serve ``files`` ({name: bytes}) at ``http://127.0.0.1:<port>/<name>``; use as a context
    manager so the server thread is always shut down."""

    def __init__(self, files: dict[str, bytes] | None = None) -> None:
        self.files = dict(files or {})
        self.ignore_range = False
        self.delay_s = 0.0
        self._cut_after: int | None = None
        self._cuts_left = 0
        self._log: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.owner = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/{name}"

    def cut_next(self, after_bytes: int, *, times: int = 1) -> None:
        """Break the next ``times`` responses off after ``after_bytes`` body bytes."""
        with self._lock:
            self._cut_after, self._cuts_left = after_bytes, times

    @property
    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._log)

    def _record(self, request: LoggedRequest) -> None:
        with self._lock:
            self._log.append(request)

    def _take_cut(self) -> int | None:
        with self._lock:
            if self._cuts_left <= 0:
                return None
            self._cuts_left -= 1
            return self._cut_after


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def do_GET(self) -> None:
        owner: FileServer = self.server.owner  # type: ignore[attr-defined]
        name = unquote(self.path.lstrip("/"))
        range_header = self.headers.get("Range")
        owner._record(LoggedRequest(name, range_header))
        data = owner.files.get(name)
        if data is None:
            self.send_error(404, "no such file")
            return
        match = _RANGE.fullmatch(range_header or "")
        start = int(match.group(1)) if match and not owner.ignore_range else 0
        if start and start >= len(data):
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{len(data)}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send_body(owner, data, start, partial=match is not None and not owner.ignore_range)

    def _send_body(self, owner: FileServer, data: bytes, start: int, *, partial: bool) -> None:
        body = data[start:]
        self.send_response(206 if partial else 200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        if partial:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        time.sleep(owner.delay_s)
        cut = owner._take_cut()
        self.wfile.write(body if cut is None else body[:cut])
        self.wfile.flush()
        if cut is not None:  # end the stream early: the client sees fewer bytes than declared
            self.connection.shutdown(socket.SHUT_WR)
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass


def unused_port() -> int:
    """A local TCP port that nothing listens on (bound once by the OS, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
