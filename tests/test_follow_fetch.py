"""The guarded fetcher against real local HTTP servers: SSRF refusals (no connection made), DNS
pinning, redirects re-checked, limits against hostile servers (slow drip, gzip bomb, endless body,
redirect loops), conditional GET, robots.txt, Retry-After and retries."""

from __future__ import annotations

import functools
import gzip
import ipaddress
import time

import pytest
from feedserver import FeedServer, ipv6_available, send

from wirewatch.follow.fetch import Fetcher, FetchError, Limits, Refused, blocked_reason, check_url

FAST = Limits(connect_timeout=2, read_timeout=2, total_timeout=3, max_bytes=1_000_000, max_redirects=3,
              retries=1, backoff=0.05, delay=0.0, max_retry_after=2)


def only_test_server(ip):  # the default policy, except the test server's own address is "public"
    return None if str(ip) == "127.0.0.1" else blocked_reason(ip)


def fetcher(**kw) -> Fetcher:
    return Fetcher(kw.pop("limits", FAST), policy=kw.pop("policy", only_test_server), **kw)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://127.0.0.2:9/", "http://10.1.2.3/feed",
    "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:8.8.8.8]/", "http://0.0.0.0/", "http://224.0.0.1/",
    "http://192.168.1.1/", "http://172.16.0.1/", "http://100.64.0.1/", "http://[fe80::1]/", "http://240.0.0.1/",
    "http://localhost/",
])
def test_ssrf_refused_by_default(url):
    calls = []

    def resolver(host, port):
        calls.append(host)
        return ["127.0.0.1"]  # localhost

    t0 = time.monotonic()
    with pytest.raises(Refused, match="refused"):
        check_url(url, resolver=resolver)
    assert time.monotonic() - t0 < 0.5


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x/",
                                 "data:text/plain,hi",
                                 "http://user:pw@example.org/", "http:///nohost"])
def test_bad_schemes_and_urls_refused(url):
    with pytest.raises(Refused):
        check_url(url, allow_private=True)


def test_allow_private_and_public_addresses():
    assert check_url("http://10.1.2.3/x", allow_private=True).ip == "10.1.2.3"
    assert check_url("https://example.org/", resolver=lambda h, p: ["93.184.215.14"]).ip == "93.184.215.14"
    # any blocked address among the answers refuses the name (a rebinding DNS mixes them)
    with pytest.raises(Refused, match="10.0.0.5"):
        check_url("https://example.org/", resolver=lambda h, p: ["93.184.215.14", "10.0.0.5"])
    assert blocked_reason(ipaddress.ip_address("8.8.8.8")) is None


def test_connects_to_the_checked_ip_not_a_reresolved_name():
    answers = iter([["127.0.0.1"], ["10.9.9.9"]])  # a rebinding DNS: second answer is private
    calls = []

    def resolver(host, port):
        calls.append(host)
        return next(answers)

    with FeedServer({"/x": lambda h: send(h, f"host={h.headers['Host']}")}) as srv:
        with fetcher(resolver=resolver, robots=False) as f:
            resp = f.get(f"http://feed.test:{srv.port}/x")
        assert resp.content == f"host=feed.test:{srv.port}".encode()  # Host kept, connected to the IP
        assert calls == ["feed.test"]  # resolved once, the checked answer used


def test_redirect_to_private_is_refused_without_connecting():
    with FeedServer(host="127.0.0.2") as inner, FeedServer({
        "/to-inner": lambda h: send(h, "", 302, headers={"Location": inner.url("/secret")}),
        "/to-metadata": lambda h: send(h, "", 301, headers={"Location": "http://169.254.169.254/latest/"}),
        "/to-ten": lambda h: send(h, "", 307, headers={"Location": "http://10.0.0.1/"}),
        "/to-v6": lambda h: send(h, "", 308, headers={"Location": "http://[::1]:9/"}),
        "/to-file": lambda h: send(h, "", 302, headers={"Location": "file:///etc/passwd"}),
    }) as srv, fetcher() as f:
        for path in ("/to-inner", "/to-metadata", "/to-ten", "/to-v6", "/to-file"):
            with pytest.raises(Refused):
                f.get(srv.url(path))
        assert inner.connections == 0 and inner.hits == {}


def test_redirects_followed_by_hand_and_bounded():
    routes = {
        "/a": lambda h: send(h, "", 301, headers={"Location": "/b"}),
        "/b": lambda h: send(h, "", 302, headers={"Location": "/final"}),
        "/final": lambda h: send(h, "done"),
        "/loop1": lambda h: send(h, "", 302, headers={"Location": "/loop2"}),
        "/loop2": lambda h: send(h, "", 302, headers={"Location": "/loop1"}),
    }
    def hop(i):
        return lambda h: send(h, "", 302, headers={"Location": f"/chain{i + 1}"})

    for i in range(6):
        routes[f"/chain{i}"] = hop(i)
    with FeedServer(routes) as srv, fetcher() as f:
        resp = f.get(srv.url("/a"))
        assert resp.content == b"done" and resp.url == srv.url("/final") and len(resp.redirects) == 2
        with pytest.raises(FetchError, match="redirect loop"):
            f.get(srv.url("/loop1"))
        with pytest.raises(FetchError, match="more than 3 redirects"):
            f.get(srv.url("/chain0"))
        assert srv.hits["/loop1"] == 1 and srv.hits["/chain4"] == 0


def _slow(h):
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "100000")
    h.end_headers()
    for _ in range(200):
        h.wfile.write(b"x")
        h.wfile.flush()
        time.sleep(0.1)


@functools.lru_cache(maxsize=1)
def bomb_bytes() -> bytes:
    return gzip.compress(b"\0" * 50_000_000, 9)  # 50 MB of zeros in ~50 KB


def _bomb(h):
    send(h, bomb_bytes(), ctype="application/rss+xml", headers={"Content-Encoding": "gzip"})


def _endless(h):
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()
    chunk = b"<item>" * 10000
    for _ in range(10_000):
        h.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")


def _drip_headers(h):
    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: " + b"p" * 200:
        h.wfile.write(bytes([byte]))
        h.wfile.flush()
        time.sleep(0.1)


def _silent(h):
    time.sleep(6)


def test_hostile_servers_are_bounded():
    gz = {"Content-Encoding": "gzip"}
    routes = {"/slow": _slow, "/drip-headers": _drip_headers, "/bomb": _bomb, "/endless": _endless,
              "/silent": _silent,
              "/big": lambda h: send(h, b"y" * 2_000_000),
              "/gz": lambda h: send(h, gzip.compress(b"hello " * 1000), headers=gz),
              "/br": lambda h: send(h, b"xx", headers={"Content-Encoding": "br"})}
    cases = (("/slow", "longer than 3s in total"), ("/drip-headers", "longer than 3s in total"),
             ("/bomb", "decompressed body is over"),
             ("/endless", "over the 1,000,000-byte limit"), ("/silent", "timed out"),
             ("/big", "over the 1,000,000-byte limit"), ("/br", "unsupported"))
    once = Limits(**{**FAST.__dict__, "retries": 0})
    assert len(bomb_bytes()) < 100_000  # built before the clock starts
    with FeedServer(routes) as srv, fetcher(limits=once, robots=False) as f:
        for path, message in cases:
            t0 = time.monotonic()
            with pytest.raises(FetchError, match=message):
                f.get(srv.url(path))
            assert time.monotonic() - t0 < 5, path
        assert f.get(srv.url("/gz")).content == b"hello " * 1000


def test_conditional_get_and_health_headers():
    def feed(h):
        if h.headers.get("If-None-Match") == '"v1"':
            h.send_response(304)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        send(h, "<rss/>", ctype="application/rss+xml",
             headers={"ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"})

    with FeedServer({"/feed": feed}) as srv, fetcher() as f:
        first = f.get(srv.url("/feed"))
        assert first.etag == '"v1"' and first.last_modified and not first.not_modified
        again = f.get(srv.url("/feed"), etag=first.etag, last_modified=first.last_modified)
        assert again.not_modified and again.content == b""
        ua = srv.requests[-1][2]["User-Agent"]
        assert ua.startswith("wirewatch/") and srv.requests[-1][2]["Accept-Encoding"] == "gzip, deflate"


def test_robots_txt_honoured_and_cached():
    robots = "User-agent: wirewatch\nDisallow: /private\n"
    with FeedServer({"/robots.txt": lambda h: send(h, robots, ctype="text/plain"),
                     "/private/feed": lambda h: send(h, "no"), "/public": lambda h: send(h, "yes")}) as srv:
        with fetcher() as f:
            assert f.get(srv.url("/public")).content == b"yes"
            with pytest.raises(Refused, match="robots.txt"):
                f.get(srv.url("/private/feed"))
            f.get(srv.url("/public"))
        assert srv.hits["/robots.txt"] == 1 and srv.hits["/private/feed"] == 0


def test_retry_after_and_backoff():
    state = {"n": 0}

    def flaky(h):
        state["n"] += 1
        if state["n"] == 1:
            send(h, "busy", 503, headers={"Retry-After": "1"})
        elif state["n"] == 2:
            send(h, "oops", 500)
        else:
            send(h, "ok")

    slept: list[float] = []
    with FeedServer({"/f": flaky, "/long": lambda h: send(h, "", 429, headers={"Retry-After": "3600"}),
                     "/gone": lambda h: send(h, "", 404)}) as srv:
        with fetcher(limits=Limits(**{**FAST.__dict__, "retries": 2}), robots=False, sleep=slept.append) as f:
            assert f.get(srv.url("/f")).content == b"ok"
            assert slept[0] >= 1.0 and 0.1 <= slept[1] < 0.5  # Retry-After, then backoff 0.05*2 + jitter
            with pytest.raises(FetchError, match="Retry-After 3600s is longer"):
                f.get(srv.url("/long"))
            with pytest.raises(FetchError, match="asked for a pause"):  # the host is paused: no hang
                f.get(srv.url("/gone"))
        with fetcher(robots=False, sleep=slept.append) as f:
            with pytest.raises(FetchError, match="HTTP 404"):
                f.get(srv.url("/gone"))
            assert srv.hits["/gone"] == 1  # a 404 is not retried


def test_per_host_delay():
    slow = Limits(**{**FAST.__dict__, "delay": 0.3})
    with FeedServer({"/x": lambda h: send(h, "x")}) as srv, fetcher(limits=slow, robots=False) as f:
        t0 = time.monotonic()
        for _ in range(3):
            f.get(srv.url("/x"))
        assert time.monotonic() - t0 >= 0.6


@pytest.mark.skipif(not ipv6_available(), reason="no IPv6 loopback")
def test_ipv6_loopback_server_refused_without_connection():
    with FeedServer({"/x": lambda h: send(h, "x")}, host="::1") as srv, fetcher() as f:
        with pytest.raises(Refused, match="loopback"):
            f.get(srv.url("/x"))
        assert srv.connections == 0
    with FeedServer({"/x": lambda h: send(h, "x")}, host="::1") as srv, Fetcher(FAST, allow_private=True,
                                                                              robots=False) as f:
        assert f.get(srv.url("/x")).content == b"x"
