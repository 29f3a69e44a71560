"""One JSON error shape for every error the API returns: ``{"ok": false, "error": str, "status": int}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from wirewatch.errors import UserError

log = logging.getLogger("wirewatch.api")

# Security headers every response carries (the 500 handler adds them itself: it runs outside middleware).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The API's error body with ``status``."""
    return JSONResponse(
        {"ok": False, "error": message, "status": status},
        status_code=status,
        headers={**SECURITY_HEADERS, **(headers or {})},
    )


def _validation_message(errors: list[dict[str, Any]]) -> str:
    """Turn pydantic's error list into one readable line: ``query.limit: must be <= 1000; ...``."""
    parts = []
    for err in errors:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 404 and message == "Not Found":
        message = f"not found: {request.url.path}"
    elif exc.status_code == 405:
        message = f"method {request.method} not allowed on {request.url.path}"
    return error_response(exc.status_code, message, dict(exc.headers or {}))


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    # a bad query/path parameter is the client's 400; a body that does not fit the schema stays 422
    in_body = any(tuple(err.get("loc", ()))[:1] == ("body",) for err in errors)
    return error_response(422 if in_body else 400, _validation_message(errors))


def is_timeout(exc: BaseException) -> bool:
    """True for a query stopped by the time limit (SQLite progress handler: "interrupted";
    PostgreSQL statement_timeout: QueryCanceled)."""
    orig = getattr(exc, "orig", None)
    return (type(orig).__name__ == "QueryCanceled"
            or (type(orig).__module__.startswith("sqlite3") and "interrupted" in str(orig)))


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    if is_timeout(exc):
        state = getattr(request.app.state, "wirewatch", None)
        limit = getattr(state, "time_limit_ms", None)
        return error_response(
            503,
            f"the query took longer than the server's time limit ({limit} ms); narrow the filters "
            "(a date range, a type, a country) or start the server with a larger --time-limit-ms",
        )
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, f"internal error ({type(exc).__name__}); see the server log")


async def _user_error(request: Request, exc: UserError) -> JSONResponse:
    return error_response(400, str(exc))


async def _server_error(request: Request, exc: Exception) -> JSONResponse:
    # the traceback is logged by the server (Starlette re-raises after this handler answers)
    log.error("internal error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return error_response(500, f"internal error ({type(exc).__name__}); see the server log")


def install_error_handlers(app: FastAPI) -> None:
    """Route every error (404/405 routes, 400 bad parameter, 422 bad body, 401/403, 503 time limit,
    500) to one shape."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(UserError, _user_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(Exception, _server_error)
