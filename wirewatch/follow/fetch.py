"""Fetching over HTTP(S) for `wirewatch follow` and webhook delivery: httpx with every guard a
crawler of untrusted servers needs.

- **SSRF guard**: only ``http``/``https``; the host is resolved once, *every* address is checked
  (loopback, private, link-local, multicast, reserved, unspecified, shared, IPv4-mapped IPv6 are
  refused unless ``allow_private``), and the connection goes to the checked IP (the name is sent as
  ``Host`` and TLS SNI, so certificates are still verified for it) - a DNS answer cannot change
  between the check and the connect (rebinding). Redirects are followed by hand, each hop re-checked.
- **Limits** (:class:`Limits`): connect/read timeouts, a total deadline per request, a body cap
  counted while streaming on the *decompressed* bytes (gzip bombs stop at the cap, decompression is
  bounded per step), at most N redirects.
- **Politeness**: per-host concurrency (1 by default) and delay, ``Retry-After`` honoured,
  robots.txt honoured (cached per host), retries with exponential backoff and jitter on network
  errors, 429 and 5xx, conditional GET (ETag / Last-Modified), a clear User-Agent.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import socket
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

from wirewatch import __version__

log = logging.getLogger(__name__)

USER_AGENT = f"wirewatch/{__version__} (news event coder; +https://pypi.org/project/wirewatch/)"
ROBOTS_AGENT = "wirewatch"
REDIRECTS = {301, 302, 303, 307, 308}
RETRY_STATUS = {429, 500, 502, 503, 504}
Resolver = Callable[[str, int], list[str]]
Policy = Callable[[Any], "str | None"]  # ip address -> why it is refused, or None


class FetchError(Exception):
    """A fetch that failed: ``url`` and a one-line ``reason``; ``retryable`` for transient causes."""

    def __init__(self, url: str, reason: str, retryable: bool = False, retry_after: float | None = None):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


class Refused(FetchError):
    """Refused before any connection: a forbidden scheme or address, or robots.txt."""


@dataclass(frozen=True)
class Limits:
    """Bounds on one request (seconds, bytes) and on how it is retried and paced."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    retries: int = 2
    backoff: float = 0.5
    max_retry_after: float = 60.0
    delay: float = 1.0  # between two requests to one host
    per_host: int = 1  # concurrent requests to one host


@dataclass(frozen=True)
class Response:
    """A fetched resource: final URL, status, body (decompressed), headers we use."""

    url: str
    status: int
    content: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    redirects: tuple[str, ...] = ()
    location: str | None = None  # of a redirect
    retry_after: float | None = None  # of a 429 / 5xx

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def blocked_reason(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why ``ip`` may not be fetched by default (None when it is a public unicast address)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return "an IPv4-mapped IPv6 address"
    checks = (("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
              ("multicast", ip.is_multicast), ("private", ip.is_private), ("reserved", ip.is_reserved),
              ("unspecified", ip.is_unspecified), ("not globally routable", not ip.is_global))
    for what, hit in checks:
        if hit:
            return f"a {what} address"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (getaddrinfo)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(host, f"cannot resolve host {host!r}: {exc}", retryable=True) from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (``ip``) and what to send as Host / SNI."""

    url: str
    scheme: str
    host: str
    port: int
    ip: str

    def connect_url(self) -> str:
        parts = urlsplit(self.url)
        ip = f"[{self.ip}]" if ":" in self.ip else self.ip
        return urlunsplit((self.scheme, f"{ip}:{self.port}", parts.path or "/", parts.query, ""))

    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def check_url(url: str, allow_private: bool = False, resolver: Resolver = system_resolver,
              policy: Policy = blocked_reason) -> Target:
    """Parse, resolve (once) and check ``url``; Refused (no connection made) when it is not allowed:
    every address the name resolves to must pass ``policy``. The Target keeps the checked IP."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise Refused(url, f"bad URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise Refused(url, f"scheme {scheme or '(none)'!r} is not allowed; only http and https")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise Refused(url, "URL has no host")
    if parts.username or parts.password:
        raise Refused(url, "credentials in URLs are not allowed")
    port = port or (443 if scheme == "https" else 80)
    try:
        addrs = [str(ipaddress.ip_address(host))]
    except ValueError:
        addrs = resolver(host, port)
    if not addrs:
        raise FetchError(url, f"host {host!r} has no address", retryable=True)
    if not allow_private:
        for a in addrs:
            reason = policy(ipaddress.ip_address(a.split("%")[0]))
            if reason:
                raise Refused(url, f"refused: {host} is {reason} ({a}); use --allow-private for "
                                   "intranet sources")
    return Target(url, scheme, host, port, addrs[0])


_DEADLINE = threading.local()  # the total deadline of the request running on this thread


def _bounded(timeout: float | None) -> float | None:
    """The socket timeout for one read/write: at most what is left of the request's total deadline."""
    at = getattr(_DEADLINE, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the request's total time limit passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read/write is bounded by the total deadline: a server dripping its
    status line or headers a byte at a time cannot hold a request past ``total_timeout``."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self.inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self.inner.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Any = None) -> httpcore.NetworkStream:
        stream = super().connect_tcp(host, port, _bounded(timeout), local_address, socket_options)
        return _DeadlineStream(stream)


def _transport() -> httpx.HTTPTransport:
    """httpx's transport over a connection pool whose sockets honour the per-request deadline."""
    transport = httpx.HTTPTransport(trust_env=False)
    transport._pool = httpcore.ConnectionPool(  # the one private hook: httpx has no backend option
        ssl_context=httpx.create_ssl_context(trust_env=False), max_connections=20,
        max_keepalive_connections=10, keepalive_expiry=5.0, network_backend=_DeadlineBackend())
    return transport


class HostGate:
    """Per-host pacing: at most ``per_host`` requests at once and ``delay`` seconds between starts
    (longer after a ``Retry-After``)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._sems: dict[str, threading.Semaphore] = {}
        self._next: dict[str, float] = {}

    def acquire(self, host: str) -> None:
        """Wait for ``host``'s turn; FetchError at once when the host asked (Retry-After) for a
        pause longer than ``max_retry_after`` (we never sit on a request that long)."""
        with self._lock:
            sem = self._sems.setdefault(host, threading.Semaphore(self.limits.per_host))
            wait = self._next.get(host, 0.0) - time.monotonic()
        if wait > self.limits.max_retry_after:
            raise FetchError(host, f"{host} asked for a pause (Retry-After); next request in {wait:.0f}s")
        sem.acquire()
        while True:
            with self._lock:
                wait = self._next.get(host, 0.0) - time.monotonic()
                if wait <= 0:
                    self._next[host] = time.monotonic() + self.limits.delay
                    return
            time.sleep(min(wait, 1.0))

    def release(self, host: str, pause: float | None = None) -> None:
        with self._lock:
            if pause:
                self._next[host] = max(self._next.get(host, 0.0), time.monotonic() + pause)
            sem = self._sems[host]
        sem.release()


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass
class Fetcher:
    """A guarded HTTP client (see the module docstring). Thread-safe; close it when done."""

    limits: Limits = field(default_factory=Limits)
    allow_private: bool = False
    user_agent: str = USER_AGENT
    resolver: Resolver = system_resolver
    robots: bool = True
    sleep: Callable[[float], None] = time.sleep
    policy: Policy = blocked_reason

    def __post_init__(self) -> None:
        lim = self.limits
        timeout = httpx.Timeout(connect=lim.connect_timeout, read=lim.read_timeout,
                                write=lim.read_timeout, pool=lim.connect_timeout)
        self._client = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False,
                                    headers={"User-Agent": self.user_agent}, transport=_transport())
        self._gate = HostGate(lim)
        self._robots: dict[str, tuple[float, RobotFileParser | None, str]] = {}
        self._robots_lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public --------------------------------------------------------------------------------
    def get(self, url: str, etag: str | None = None, last_modified: str | None = None,
            accept: str = "*/*") -> Response:
        """GET ``url`` with retries, redirects (re-checked), robots.txt and pacing. A 304 comes back
        as ``Response.not_modified``; other non-2xx statuses raise FetchError."""
        headers = {"Accept": accept, "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._with_retries(lambda: self._follow(url, headers))

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Response:
        """POST ``body`` (no redirects followed, retried on network errors/429/5xx); FetchError on a
        non-2xx answer."""
        def once() -> Response:
            target = check_url(url, self.allow_private, self.resolver, self.policy)
            resp = self._request("POST", target, headers, body)
            if not 200 <= resp.status < 300:
                raise FetchError(url, f"HTTP {resp.status}", retryable=resp.status in RETRY_STATUS)
            return resp
        return self._with_retries(once)

    # -- internals -----------------------------------------------------------------------------
    def _with_retries(self, attempt: Callable[[], Response]) -> Response:
        lim = self.limits
        for i in range(lim.retries + 1):
            try:
                return attempt()
            except FetchError as exc:
                if not exc.retryable or i == lim.retries:
                    raise
                pause = lim.backoff * 2 ** i + random.uniform(0, lim.backoff)
                if exc.retry_after is not None:
                    if exc.retry_after > lim.max_retry_after:
                        raise FetchError(exc.url, f"{exc.reason}; Retry-After {exc.retry_after:.0f}s is "
                                                  f"longer than {lim.max_retry_after:.0f}s") from None
                    pause = max(pause, exc.retry_after)
                log.info("retrying %s in %.1fs (%s)", exc.url, pause, exc.reason)
                self.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover

    def _follow(self, url: str, headers: dict[str, str]) -> Response:
        hops: list[str] = []
        current = url
        for _ in range(self.limits.max_redirects + 1):
            target = check_url(current, self.allow_private, self.resolver, self.policy)
            if self.robots and not self.allowed(target):
                raise Refused(current, "disallowed by robots.txt")
            resp = self._request("GET", target, headers)
            if resp.status in REDIRECTS:
                location = resp.location
                if not location:
                    raise FetchError(current, f"HTTP {resp.status} without a Location")
                hops.append(current)
                nxt = urljoin(current, location)
                if nxt in hops:
                    raise FetchError(url, f"redirect loop at {nxt}")
                current = nxt
                continue
            if resp.status == 304:
                return resp
            if not 200 <= resp.status < 300:
                raise FetchError(current, f"HTTP {resp.status}", retryable=resp.status in RETRY_STATUS,
                                 retry_after=resp.retry_after)
            return Response(resp.url, resp.status, resp.content, resp.content_type, resp.etag,
                            resp.last_modified, tuple(hops))
        raise FetchError(url, f"more than {self.limits.max_redirects} redirects")

    def _request(self, method: str, target: Target, headers: dict[str, str],
                 body: bytes | None = None) -> Response:
        """One request to the checked IP, the body streamed under the limits (not read for
        redirects, 304, 429 and 5xx)."""
        lim = self.limits
        req = self._client.build_request(
            method, target.connect_url(), headers={**headers, "Host": target.host_header()},
            content=body, extensions={"sni_hostname": target.host} if target.scheme == "https" else {},
        )
        self._gate.acquire(target.host)
        deadline = time.monotonic() + lim.total_timeout  # after the politeness wait
        _DEADLINE.at = deadline
        pause: float | None = None
        try:
            try:
                resp = self._client.send(req, stream=True)
            except httpx.TimeoutException as exc:
                if time.monotonic() >= deadline:
                    raise FetchError(target.url, f"took longer than {lim.total_timeout:g}s in total") \
                        from None
                raise FetchError(target.url, f"timed out ({type(exc).__name__})", retryable=True) from None
            except httpx.TransportError as exc:
                raise FetchError(target.url, f"connection failed: {exc or type(exc).__name__}",
                                 retryable=True) from None
            try:
                status = resp.status_code
                if status in REDIRECTS:
                    return Response(target.url, status, location=resp.headers.get("location", ""))
                if status in RETRY_STATUS:
                    pause = _retry_after(resp.headers.get("retry-after"))
                    return Response(target.url, status, retry_after=pause)
                content = b"" if status == 304 else self._read_body(resp, target.url, deadline)
                return Response(target.url, status, content, resp.headers.get("content-type", ""),
                                resp.headers.get("etag"), resp.headers.get("last-modified"))
            finally:
                resp.close()
        finally:
            _DEADLINE.at = None
            self._gate.release(target.host, pause)

    def _read_body(self, resp: httpx.Response, url: str, deadline: float) -> bytes:
        """The body, decompressed (gzip/deflate) in bounded steps; FetchError past the byte cap
        (compressed or not) or the total deadline."""
        cap = self.limits.max_bytes
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(url, f"body of {int(declared):,} bytes is over the {cap:,}-byte limit")
        encoding = resp.headers.get("content-encoding", "").strip().lower()
        inflater: Any = None
        if encoding in ("gzip", "x-gzip", "deflate"):
            inflater = zlib.decompressobj(47 if encoding != "deflate" else 15)
        elif encoding not in ("", "identity"):
            raise FetchError(url, f"unsupported Content-Encoding {encoding!r}")
        out = bytearray()
        raw_total = 0
        try:
            for chunk in resp.iter_raw():
                if time.monotonic() > deadline:
                    raise FetchError(url, f"took longer than {self.limits.total_timeout:g}s in total")
                raw_total += len(chunk)
                if raw_total > cap:
                    raise FetchError(url, f"body is over the {cap:,}-byte limit")
                if inflater is None:
                    out += chunk
                else:
                    data = chunk
                    while data:
                        out += inflater.decompress(data, cap + 1 - len(out))
                        if len(out) > cap:
                            raise FetchError(url, f"decompressed body is over the {cap:,}-byte limit")
                        data = inflater.unconsumed_tail
                if len(out) > cap:
                    raise FetchError(url, f"body is over the {cap:,}-byte limit")
        except httpx.TimeoutException:
            if time.monotonic() >= deadline:
                raise FetchError(url, f"took longer than {self.limits.total_timeout:g}s in total") from None
            raise FetchError(url, "timed out reading the body", retryable=True) from None
        except httpx.TransportError as exc:
            raise FetchError(url, f"connection broken: {exc or type(exc).__name__}", retryable=True) from None
        except zlib.error as exc:
            raise FetchError(url, f"corrupt {encoding} body: {exc}") from None
        if time.monotonic() > deadline:
            raise FetchError(url, f"took longer than {self.limits.total_timeout:g}s in total")
        return bytes(out)

    def allowed(self, target: Target) -> bool:
        """robots.txt allows our user agent to fetch ``target`` (fetched once per host per hour)."""
        origin = f"{target.scheme}://{target.host_header()}"
        with self._robots_lock:
            cached = self._robots.get(origin)
        if cached is None or cached[0] < time.monotonic():
            parser = self._load_robots(origin)
            cached = (time.monotonic() + 3600, parser, origin)
            with self._robots_lock:
                self._robots[origin] = cached
        parser = cached[1]
        return True if parser is None else parser.can_fetch(ROBOTS_AGENT, target.url)

    def _load_robots(self, origin: str) -> RobotFileParser | None:
        """The parsed robots.txt, None (allow all) when there is none; disallow-all when it is
        forbidden (401/403) or unreachable (RFC 9309)."""
        url = origin + "/robots.txt"
        parser = RobotFileParser(url)
        try:
            target = check_url(url, self.allow_private, self.resolver, self.policy)
            resp = self._request("GET", target, {"Accept": "text/plain", "Accept-Encoding": "gzip"})
        except Refused:
            raise
        except FetchError as exc:
            log.warning("robots.txt of %s unreachable (%s): not fetching from it this hour",
                        origin, exc.reason)
            parser.disallow_all = True
            return parser
        if resp.status in (401, 403) or resp.status >= 500:
            parser.disallow_all = True
            return parser
        if resp.status != 200:
            return None
        parser.parse(resp.content[:500_000].decode("utf-8", "replace").splitlines())
        return parser
