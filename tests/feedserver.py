"""A bounded local HTTP server for the follow/delivery tests: routes are functions of the request
handler; it counts connections and requests, binds 127.0.0.x (or ::1) on a free port, and is always
shut down by its context manager. Hostile behaviours (slow drip, gzip bomb, endless body, redirect
loops) are routes in tests/test_follow_fetch.py."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Route = Callable[[BaseHTTPRequestHandler], None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, addr: tuple[str, int], handler: Any, family: int) -> None:
        self.address_family = family
        super().__init__(addr, handler)
        self.connections = 0

    def handle_error(self, request, client_address):  # type: ignore[no-untyped-def]
        pass  # a client that hangs up (a killed follower, a refused body) is normal here

    def get_request(self):  # type: ignore[no-untyped-def]
        conn, addr = super().get_request()
        self.connections += 1
        return conn, addr


class FeedServer:
    """``with FeedServer({"/feed": fn}) as srv: srv.url("/feed")``; ``srv.hits`` counts paths,
    ``srv.connections`` TCP connections, ``srv.requests`` keeps (method, path, headers, body)."""

    def __init__(self, routes: dict[str, Route] | None = None, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 10

            def _handle(self) -> None:
                path = self.path.split("?")[0]
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                with outer.lock:
                    outer.hits[path] += 1
                    outer.requests.append((self.command, self.path, dict(self.headers.items()), body))
                self.body = body
                route = outer.routes.get(path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    route(self)

            do_GET = do_POST = _handle  # noqa: N815

            def log_message(self, *_args: Any) -> None:
                pass

        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.server = _Server((host, 0), Handler, family)
        self.host = host
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    @property
    def connections(self) -> int:
        return self.server.connections

    def url(self, path: str = "/") -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def send(handler: BaseHTTPRequestHandler, body: bytes | str, status: int = 200,
         ctype: str = "text/html; charset=utf-8", headers: dict[str, str] | None = None) -> None:
    """Answer with ``body`` (Content-Length set)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    for k, v in (headers or {}).items():
        handler.send_header(k, v)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(data)


def ipv6_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False
