"""Protections every request passes, whatever route serves it (added once in ``create_app``).

:class:`RequestGuard` (ASGI middleware, outermost) checks, in this order:

1. the ``Host`` header is one of the allowed host names (DNS rebinding: a web page on another
   origin cannot read an API bound to 127.0.0.1), else 400;
2. the path and query string hold no NUL byte (the store's text columns cannot hold one), else 400;
3. a request that carries a body (``Content-Length`` > 0 or chunked) to ``/api/`` presents the write
   token *before* any byte of the body is read (401/403), and the body is streamed with a byte limit
   (``MAX_ARTICLE_BYTES``; 413 as soon as it is passed, declared or not);
4. the request's database time limit starts (:data:`DEADLINE`, read by the store connections that
   ``ServerState`` opens; 503 when it runs out);
5. every response gets the security headers (CSP, nosniff, frame denial; ``no-store`` under /api/).

:func:`reject_unknown_params` is an app-wide dependency: a query parameter that the matched route does
not declare is a 400 naming the valid ones.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from contextvars import ContextVar
from typing import Any

from fastapi import HTTPException, Request
from fastapi.routing import APIRoute

from wirewatch.api.errors import SECURITY_HEADERS, error_response
from wirewatch.limits import megabytes

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
WILDCARD_BINDS = ("0.0.0.0", "::", "")

# monotonic time at which the current request's database work must stop (None: no limit)
DEADLINE: ContextVar[float | None] = ContextVar("wirewatch_deadline", default=None)


def host_name(header: str) -> str:
    """The host name of a ``Host`` header, lower-case, without port or brackets
    (``[::1]:8000`` -> ``::1``, ``Example.org.:80`` -> ``example.org``)."""
    h = header.strip().lower()
    if h.startswith("["):
        h = h[1:h.find("]")] if "]" in h else h[1:]
    elif h.count(":") == 1:
        h = h.split(":", 1)[0]
    return h.rstrip(".")


def allowed_hosts(bind_host: str | None = None, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The host names a server bound to ``bind_host`` answers to: the loopback names, the bound
    host (unless it is a wildcard such as 0.0.0.0) and ``extra`` (``serve --allow-host``; ``*``
    allows any)."""
    names = [*LOOPBACK_HOSTS]
    if bind_host and bind_host not in WILDCARD_BINDS:
        names.append(host_name(bind_host))
    names.extend(host_name(h) if h != "*" else "*" for h in extra)
    return tuple(dict.fromkeys(n for n in names if n))


class RequestGuard:
    """ASGI middleware applying the checks in this module's docstring."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str], max_body: int, time_limit_ms: int,
                 check_token: Callable[[Request], None]) -> None:
        self.app = app
        self.hosts = frozenset(hosts)
        self.max_body = max_body
        self.time_limit_ms = time_limit_ms
        self.check_token = check_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        problem = self._check(scope, headers)
        if problem is not None:
            await problem(scope, receive, send)
            return
        limit = self.time_limit_ms
        token = DEADLINE.set(time.monotonic() + limit / 1000 if limit > 0 else None)
        try:
            await self.app(scope, self._limited(receive) if _has_body(headers) else receive,
                           _with_headers(send, scope.get("path", "").startswith("/api/")))
        finally:
            DEADLINE.reset(token)

    def _check(self, scope: Scope, headers: dict[str, str]) -> Any:
        host = headers.get("host", "")
        if "*" not in self.hosts and host_name(host) not in self.hosts:
            shown = host_name(host)[:100] or "(none)"
            return error_response(
                400,
                f"host {shown!r} is not allowed: this server answers to "
                f"{', '.join(sorted(self.hosts))}; to serve it under this name, start it with "
                f"`wirewatch serve --allow-host {shown}`",
            )
        if "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b"").lower():
            return error_response(400, "the request path or query contains a NUL character (%00); remove it")
        if scope.get("path", "").startswith("/api/") and _has_body(headers):
            try:  # the token first: nobody without it gets the server to read a byte of the body
                self.check_token(Request(scope))
            except HTTPException as exc:
                return error_response(exc.status_code, str(exc.detail), dict(exc.headers or {}))
            length = headers.get("content-length", "")
            if length.isdigit() and int(length) > self.max_body:
                return error_response(413, self._too_large())
        return None

    def _too_large(self) -> str:
        return f"request body too large (limit {megabytes(self.max_body)})"

    def _limited(self, receive: Receive) -> Receive:
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise HTTPException(413, self._too_large())
            return message

        return limited


def _with_headers(send: Send, api: bool) -> Send:
    """``send`` adding the security headers (and ``Cache-Control: no-store`` under /api/) to every
    response that does not set them itself (/docs sets its own CSP)."""
    extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()]
    if api:
        extra.append((b"cache-control", b"no-store"))

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {k.lower() for k, _ in headers}
            headers.extend((k, v) for k, v in extra if k not in present)
            message = {**message, "headers": headers}
        await send(message)

    return send_with_headers


def _has_body(headers: dict[str, str]) -> bool:
    length = headers.get("content-length", "").strip()
    return (length not in ("", "0")) or "chunked" in headers.get("transfer-encoding", "").lower()


def _declared(route: APIRoute) -> tuple[frozenset[str], tuple[str, ...]]:
    """(every query parameter name the route reads, the documented ones in order)."""
    names: list[str] = []
    shown: list[str] = []
    stack = [route.dependant]
    while stack:
        dep = stack.pop()
        for field in dep.query_params:
            names.append(field.alias)
            if getattr(field.field_info, "include_in_schema", True):
                shown.append(field.alias)
        stack.extend(reversed(dep.dependencies))
    return frozenset(names), tuple(dict.fromkeys(shown))


async def reject_unknown_params(request: Request) -> None:
    """App-wide dependency: 400 when the query string names a parameter the route does not read."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.url.path.startswith("/api/"):
        return
    declared = getattr(route, "_wirewatch_params", None)
    if declared is None:  # worked out once per route, kept on the route itself
        declared = _declared(route)
        route._wirewatch_params = declared  # type: ignore[attr-defined]
    known, shown = declared
    unknown = [k for k in dict.fromkeys(request.query_params.keys()) if k not in known]
    if unknown:
        names = ", ".join(repr(k[:60]) for k in unknown[:5])
        valid = ", ".join(shown) if shown else "none"
        raise HTTPException(
            400, f"unknown parameter {names} for {request.url.path}; valid parameters: {valid}"
        )
