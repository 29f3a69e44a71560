"""REST API and web UI for a wirewatch event database (``wirewatch serve``).

``create_app(store_url, write_token=None)`` builds the FastAPI app; ``serve(...)`` runs it with uvicorn.
"""

from __future__ import annotations

from wirewatch.api.app import create_app, serve

__all__ = ["create_app", "serve"]
