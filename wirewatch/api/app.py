"""The FastAPI application: JSON API under /api, the web page at /, local Swagger UI at /docs."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from wirewatch import __version__
from wirewatch.api import incidents, manage, routes, write
from wirewatch.api.errors import SECURITY_HEADERS, install_error_handlers
from wirewatch.api.guard import RequestGuard, allowed_hosts, reject_unknown_params
from wirewatch.api.state import ServerState
from wirewatch.limits import MAX_ARTICLE_BYTES, QUERY_TIME_LIMIT_MS

MAX_BODY_BYTES = MAX_ARTICLE_BYTES  # one posted article: the same limit as one input file

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


def create_app(
    store_url: str,
    write_token: str | None = None,
    *,
    hosts: Iterable[str] | None = None,
    time_limit_ms: int | None = None,
) -> FastAPI:
    """Build the app over the store at ``store_url``; writes are enabled only with ``write_token``.

    ``hosts``: the ``Host`` names it answers to (default: 127.0.0.1, localhost, ::1; ``"*"`` any);
    ``time_limit_ms``: the database time limit per request (default ``QUERY_TIME_LIMIT_MS``; 0: none).
    Every route, including those of routers added later, gets the checks of ``wirewatch.api.guard``.
    """
    limit = QUERY_TIME_LIMIT_MS if time_limit_ms is None else time_limit_ms
    state = ServerState(store_url, write_token, time_limit_ms=limit)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.warm_up()
        gc.freeze()  # what start-up made lives as long as the server: full collections skip it
        try:
            yield
        finally:
            state.close()
            gc.unfreeze()  # an app made and stopped inside a longer process leaves nothing pinned

    app = FastAPI(
        title="wirewatch",
        version=__version__,
        description="Coded events from news: who did what to whom, where, when, and according to whom.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
        dependencies=[Depends(reject_unknown_params)],
    )
    app.state.wirewatch = state
    install_error_handlers(app)

    app.add_middleware(
        RequestGuard,  # type: ignore[arg-type]
        hosts=allowed_hosts() if hosts is None else tuple(hosts),
        max_body=MAX_BODY_BYTES,
        time_limit_ms=limit,
        check_token=state.check_token,
    )
    app.include_router(routes.router)
    app.include_router(write.router)
    app.include_router(incidents.router)
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
    store_url: str,
    host: str = "127.0.0.1",
    port: int = 8000,
    write_token: str | None = None,
    allow_hosts: Iterable[str] = (),
    time_limit_ms: int | None = None,
) -> None:
    """Run the API and web UI with uvicorn until interrupted; it answers to the loopback names, the
    bound ``host`` and ``allow_hosts``."""
    import uvicorn

    app = create_app(store_url, write_token, hosts=allowed_hosts(host, allow_hosts),
                     time_limit_ms=time_limit_ms)
    uvicorn.run(app, host=host, port=port, log_level="info")
