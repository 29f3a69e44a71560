"""One JSON error shape for every error the API returns: ``{"ok": false, "error": str, "status": int}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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
    return error_response(422, _validation_message(list(exc.errors())))


async def _user_error(request: Request, exc: UserError) -> JSONResponse:
    return error_response(400, str(exc))


async def _server_error(request: Request, exc: Exception) -> JSONResponse:
    # the traceback is logged by the server (Starlette re-raises after this handler answers)
    log.error("internal error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return error_response(500, f"internal error ({type(exc).__name__}); see the server log")


def install_error_handlers(app: FastAPI) -> None:
    """Route every error (404/405 routes, 422 validation, 400 bad filter, 401/403, 500) to one shape."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(UserError, _user_error)
    app.add_exception_handler(Exception, _server_error)
