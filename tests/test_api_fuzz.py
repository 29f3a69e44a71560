"""Hostile requests against a real ``wirewatch serve`` (uvicorn) on 127.0.0.1, over SQLite and
PostgreSQL: NUL bytes, huge and malformed requests, deep JSON, bad dates, unknown parameters, foreign
Host names, FTS syntax, chunked bodies of hundreds of MB without a token. Every answer is a 4xx in
the one error shape (or a 200 for what is harmless), never a 500; the server stays up and its memory
stays bounded (a 1 GB chunked POST without a token used to take it to 3.2 GB RSS).

Requests are written on raw sockets so that nothing (client library, URL quoting) tidies them up.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import fresh_pg_schema, pg_server_or_skip
from test_api import KOBANI_SPECS, build_analyzed, kobani_article

from wirewatch.limits import MAX_ARTICLE_BYTES, MAX_ARTICLE_CHARS
from wirewatch.store import Store

TOKEN = "fuzz-token"
PG_URL = os.environ.get("WIREWATCH_TEST_PG_URL")
ATTACK_BYTES = 256 * 1024 * 1024  # what a client without a token tries to push (stops at the answer)
RSS_GROWTH_LIMIT_MB = 150


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _read_reply(sock: socket.socket) -> Reply:
    data = b""
    sock.settimeout(120)
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines and lines[0].startswith("HTTP/"), data[:200]
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        out, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0] or b"0", 16)
            if size == 0:
                break
            out, rest = out + rest[:size], rest[size + 2:]
        body = out
    return Reply(int(lines[0].split()[1]), headers, body)


def raw(port: int, request: bytes) -> Reply:
    """Send ``request`` as is; return the parsed reply (the server closes the connection)."""
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        sock.sendall(request)
        return _read_reply(sock)


def get(port: int, target: str, host: str = "127.0.0.1", extra: str = "") -> Reply:
    return raw(port, f"GET {target} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n"
               .encode("latin-1"))


def post(port: int, body: bytes, token: str | None = TOKEN, ctype: str = "application/json",
         target: str = "/api/articles") -> Reply:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    head = (f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Content-Type: {ctype}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    return raw(port, head + body)


def chunked_flood(port: int, total: int, token: str | None, chunk: int = 1 << 20) -> tuple[Reply, int]:
    """POST a chunked body of up to ``total`` bytes, stopping as soon as the server answers;
    returns the reply and how many body bytes were sent."""
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    head = (f"POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Content-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
    piece = f"{chunk:x}\r\n".encode() + b"[" * chunk + b"\r\n"
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        sock.sendall(head)
        try:
            while sent < total:
                readable, _, _ = select.select([sock], [], [], 0)
                if readable:  # the server has answered (or closed): stop pushing
                    break
                sock.sendall(piece)
                sent += chunk
            else:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        return _read_reply(sock), sent


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field} for {pid}")


def check_shape(reply: Reply, status: int | tuple[int, ...]) -> None:
    wanted = (status,) if isinstance(status, int) else status
    assert reply.status in wanted, (reply.status, reply.body[:300])
    assert reply.headers.get("content-type", "").startswith("application/json"), reply.headers
    body = reply.json()
    assert set(body) == {"ok", "error", "status"} and body["ok"] is False
    assert body["status"] == reply.status and body["error"].strip()


@dataclass
class Server:
    port: int
    pid: int


@contextmanager
def running_server(url: str, tmp: Path) -> Iterator[Server]:
    port = _free_port()
    log = (tmp / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "wirewatch", "serve", "--db", url, "--port", str(port), "--token", TOKEN],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, (tmp / "server.log").read_text()
            try:
                if get(port, "/api/meta").status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        yield Server(port, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(request, tmp_path_factory, kobani_text) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    with _database(request.param, tmp) as url:
        with Store.open(url) as store:
            store.add_analyzed(build_analyzed(kobani_article(kobani_text), KOBANI_SPECS))
        with running_server(url, tmp) as srv:
            # one real article first: the pipeline is loaded, so the memory figures below are steady
            ok = post(srv.port, json.dumps({"text": "Rebels shelled Aleppo on Monday.",
                                            "published": "2020-03-02"}).encode())
            assert ok.status == 201, ok.body
            yield srv
            alive = get(srv.port, "/api/stats")
            assert alive.status == 200 and alive.json()["stats"]["articles"] == 2


@contextmanager
def _database(kind: str, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'fuzz.db'}"
        return
    pg_server_or_skip()
    with contextmanager(fresh_pg_schema)(PG_URL) as url:
        yield url


HOSTILE_QUERIES = [
    "text=a%00b", "actor=%00", "article_id=%00", "text=%22", "text=*", "text=%2A%2A", "text=" + "x" * 12_000,
    "date_from=0000-00-00", "date_from=99999-01-01", "date_from=2015-02-30", "date_to=-1", "since=notadate",
    "until=2015-13", "date_from=2015-03-01&date_to=2015-01-01", "colour=red", "country=XXX",
    "country=%C3%28", "type=%C3%28", "type=ASSAULT%00", "actor=a&actor=b", "min_confidence=nan",
    "min_confidence=1e999", "bbox=nan,nan,nan,nan", "bbox=1e999,0,1,1", "bbox=" + "1," * 5000,
    "limit=-1", "limit=1e9", "limit=99999999999999999999", "offset=-5", "order=%00", "by=week",
    "text=" + "%5B" * 3000, "q=x", "modality=rumoured", "bbox=1,2,3",
]
HARMLESS_QUERIES = [
    "text=NEAR(", "text=a%20OR", "text=a%20AND", "text=NOT%20x", "text=-x", "text=title:x", "text=%5Ea",
    "text=%22Peshmerga", "text=Peshmerga*", "text=(a", "text=a%01b", "text=%27Peshmerga%27:*",
    "text=a%20%26%20!b", "date_from=0001-01-01", "date_to=9999-12-31", "since=0001", "country=Syria",
    "country=SYR&country=TUR", "actor=%25", "actor=_", "actor=%5C", "type=assault,,,", "text=%E2%80%AE",
]


@pytest.mark.parametrize("path", ["/api/events", "/api/events.geojson", "/api/aggregate", "/api/actors"])
def test_hostile_queries_are_4xx_in_one_shape(server, path):
    for query in HOSTILE_QUERIES:
        reply = get(server.port, f"{path}?{query}")
        if reply.status == 200 and path == "/api/aggregate" and query == "by=week":
            raise AssertionError("by=week accepted")
        check_shape(reply, 400)
    for query in HARMLESS_QUERIES:
        reply = get(server.port, f"{path}?{query}")
        assert reply.status in (200, 400), (query, reply.status, reply.body[:300])
        if reply.status == 400:
            check_shape(reply, 400)


def test_hostile_paths_hosts_and_methods(server):
    port = server.port
    check_shape(get(port, "/api/events/ev%00x"), 400)
    check_shape(get(port, "/api/events/" + "e" * 300), 400)
    check_shape(get(port, "/api/articles/..%2F..%2Fetc%2Fpasswd"), 404)
    check_shape(get(port, "/static/%2e%2e/%2e%2e/etc/passwd"), 404)
    for host in ("evil.example", "evil.example:80", "127.0.0.1.evil.example", "localhost.", "[::2]"):
        reply = get(port, "/api/events", host=host)
        if host == "localhost.":
            assert reply.status == 200  # a trailing dot is the same name
            continue
        check_shape(reply, 400)
    check_shape(raw(port, b"GET /api/events HTTP/1.0\r\nConnection: close\r\n\r\n"), 400)  # no Host
    check_shape(raw(port, b"PROPFIND /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
                405)
    check_shape(raw(port, b"DELETE /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
                405)
    # a 100 kB query string or header: answered (an unknown parameter) or refused, never a 500
    check_shape(raw(port, b"GET /api/events?" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Connection: close\r\n\r\n"), 400)
    big_header = raw(port, b"GET /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + b"y" * 100_000
                     + b"\r\nConnection: close\r\n\r\n")
    assert big_header.status in (200, 400, 431), big_header.status
    # what cannot be HTTP is refused by the server itself (uvicorn/h11): still a 4xx
    for bad in (b"GET /api/events HTTP/1.1\r\nHost: 127.0.\x00.1\r\n\r\n",
                b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64):
        reply = raw(port, bad)
        assert 400 <= reply.status < 500, (bad[:40], reply.status)


def test_hostile_bodies(server):
    port = server.port
    check_shape(post(port, b"{}", token=None), 401)
    check_shape(post(port, b"{}", token="wrong"), 403)
    check_shape(post(port, b'{"text": "x"}', token=None, target="/api/events"), 401)  # a body needs the token
    check_shape(post(port, b"[" * 100_000), (400, 422))  # deep JSON
    check_shape(post(port, b'{"text": {"a": ' * 20_000 + b"1" + b"}" * 20_000), (400, 422))
    check_shape(post(port, b"{not json"), 422)
    check_shape(post(port, b"\xff\xfe\x00\x00garbage"), (400, 422))
    check_shape(post(port, b'{"text": 5}'), 422)
    check_shape(post(port, b'{"text": ["a"]}'), 422)
    check_shape(post(port, b'{"text": "a\\u0000b"}'), 422)
    check_shape(post(port, b'{"text": "a", "published": "0000-01-01"}'), 422)
    check_shape(post(port, b'{"text": "a", "published": "2015-02-30"}'), 422)
    check_shape(post(port, b'{"text": "a", "title": "' + b"t" * 3000 + b'"}'), 422)
    check_shape(post(port, b"text=a", ctype="application/x-www-form-urlencoded"), 422)
    check_shape(post(port, json.dumps({"text": "a " * (MAX_ARTICLE_CHARS // 2 + 1)}).encode()), 413)
    # a declared length over the limit is refused before a byte of the body is sent
    head = (f"POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {10 ** 9}\r\nConnection: close\r\n\r\n")
    check_shape(raw(port, head.encode()), 413)
    check_shape(raw(port, head.replace(f"Authorization: Bearer {TOKEN}\r\n", "").encode()), 401)


def test_chunked_floods_keep_memory_bounded(server):
    port = server.port
    before = rss_mb(server.pid)
    peak_before = rss_mb(server.pid, "VmHWM")
    reply, sent = chunked_flood(port, ATTACK_BYTES, token=None)  # was: buffered in full, then 401
    check_shape(reply, 401)
    reply, _ = chunked_flood(port, ATTACK_BYTES, token="wrong")
    check_shape(reply, 403)
    reply, sent_with_token = chunked_flood(port, ATTACK_BYTES, token=TOKEN)
    check_shape(reply, 413)  # streamed, stopped at the limit
    assert sent_with_token < ATTACK_BYTES
    assert sent_with_token + (1 << 20) * 8 >= MAX_ARTICLE_BYTES  # it did read up to the limit
    grown = rss_mb(server.pid, "VmHWM") - max(before, peak_before)
    assert grown < RSS_GROWTH_LIMIT_MB, f"server peak RSS grew {grown:.0f} MB (was {before:.0f} MB)"
    assert get(port, "/api/stats").status == 200
