"""The FastAPI application: JSON API under /api, the web page at /, local Swagger UI at /docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from wirewatch import __version__
from wirewatch.api import manage, routes, write
from wirewatch.api.errors import SECURITY_HEADERS, error_response, install_error_handlers
from wirewatch.api.state import ServerState

MAX_BODY_BYTES = 8_000_000  # a posted article (2M characters of text at most) plus metadata

# Swagger UI injects <style> elements, so /docs alone allows inline styles (never inline scripts).
_DOCS_CSP = SECURITY_HEADERS["Content-Security-Policy"].replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)

_DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>wirewatch API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script></body></html>
"""


def static_dir() -> Path:
    """The UI's static files inside the installed package."""
    return Path(str(files("wirewatch.ui") / "static"))


def create_app(store_url: str, write_token: str | None = None) -> FastAPI:
    """Build the app over the store at ``store_url``; writes are enabled only with ``write_token``."""
    state = ServerState(store_url, write_token)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.warm_up()
        yield
        state.close()

    app = FastAPI(
        title="wirewatch",
        version=__version__,
        description="Coded events from news: who did what to whom, where, when, and according to whom.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.wirewatch = state
    install_error_handlers(app)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_BODY_BYTES:
            return error_response(413, f"request body too large (limit {MAX_BODY_BYTES // 1_000_000} MB)")
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.include_router(routes.router)
    app.include_router(write.router)
    app.include_router(manage.router)
    root = static_dir()
    app.mount("/static", StaticFiles(directory=root), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(root / "index.html", media_type="text/html")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_DOCS_HTML, headers={"Content-Security-Policy": _DOCS_CSP})

    return app


def serve(
    store_url: str, host: str = "127.0.0.1", port: int = 8000, write_token: str | None = None
) -> None:
    """Run the API and web UI with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(store_url, write_token), host=host, port=port, log_level="info")
