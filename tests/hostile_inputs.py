"""Hostile inputs shared by test_readers_hostile.py and test_fuzz_inputs.py: a local HTTP server that
counts requests (nothing may reach it) and feeds/JSON/HTML built to make readers misbehave."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GOOD_RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Served</title>
<item><title>S</title><link>https://served.example/s</link>
<description>FETCHED-BY-READER Rebels attacked an army post near Aleppo.</description></item>
</channel></rss>"""


class CountingServer:
    """An HTTP server on 127.0.0.1 that answers every GET with a valid feed and counts the requests."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                owner.requests.append(self.path)
                body = GOOD_RSS.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@contextmanager
def counting_server() -> Iterator[CountingServer]:
    """A running :class:`CountingServer`, stopped afterwards."""
    srv = CountingServer()
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.server.shutdown()
        srv.server.server_close()
        srv.thread.join(timeout=10)


def billion_laughs() -> str:
    """The classic entity-expansion bomb as an RSS feed (10^9 "lol" if expanded)."""
    ents = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    ]
    return ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(ents) + "\n]>\n"
            '<rss version="2.0"><channel><title>Bomb</title><item><title>b</title>'
            "<description>&lol9; Police arrested protesters in Paris.</description></item></channel></rss>")


def xxe(target: str) -> str:
    """An RSS feed whose entity names a local file (external entity)."""
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "{target}"> ]>\n'
            '<rss version="2.0"><channel><title>X</title><item><title>x</title>'
            "<description>Police arrested protesters in Paris. &xxe; end</description></item>"
            "</channel></rss>")


def deep_json(depth: int = 100_000) -> str:
    return "[" * depth + "]" * depth


def deep_html(depth: int = 20_000) -> str:
    return ("<html><body>" + "<div>" * depth + "Police arrested protesters in Paris on Monday."
            + "</div>" * depth + "</body></html>")
