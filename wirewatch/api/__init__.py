"""REST API and web UI for a wirewatch event database (``wirewatch serve``).

``create_app(store_url, write_token=None, *, hosts=None, time_limit_ms=None)`` builds the FastAPI app;
``serve(...)`` runs it with uvicorn. Every request passes ``wirewatch.api.guard`` (Host allow-list, token
before body, body limit, time limit, unknown parameters).
"""

from __future__ import annotations

from wirewatch.api.app import create_app, serve

__all__ = ["create_app", "serve"]
