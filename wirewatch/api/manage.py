"""Alert and followed-source management: ``GET/POST /api/alerts``, ``DELETE /api/alerts/{name}``,
``GET /api/alerts/failed``, ``GET/POST/DELETE /api/sources`` (writes need the bearer token, as
``POST /api/articles``), and ``GET /healthz`` for service monitors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from wirewatch.api.state import ServerState, server_state
from wirewatch.api.write import require_token

router = APIRouter()


class DestinationIn(BaseModel):
    """Where the alert's hits go and the radius condition."""

    kind: str = Field(description="jsonl | webhook | slack | matrix | email | output")
    target: str = Field(default="-", max_length=2000, description="file path, URL or e-mail address")
    secret: str | None = Field(default=None, max_length=500, description="webhook HMAC-SHA256 key")
    allow_private: bool = False
    near: tuple[float, float] | None = Field(default=None, description="[lat, lon]")
    radius_km: float | None = None
    standing: list[str] = Field(default_factory=list, description="incident standings (any of)")
    min_outlets: int | None = Field(default=None, description="the incident has at least this many outlets")


class AlertIn(BaseModel):
    """A saved alert: name, filter parameters (as for /api/events), backfill, destination."""

    name: str = Field(max_length=64)
    filter: dict[str, str] = Field(default_factory=dict)
    backfill: bool = False
    destination: DestinationIn | None = None


class SourceIn(BaseModel):
    url: str = Field(max_length=2000)
    allow_private: bool = False


def _writer(state: ServerState, fn: Callable[[Any], Any]) -> Any:
    """Run ``fn(store)`` on the server's single writer, under its lock."""
    store = getattr(state, "_writer", None)
    if store is None:
        raise HTTPException(403, "this server is read-only: start it with a write token")
    with state._write_lock:
        return fn(store)


def _alert_dict(store: Any, alert: Any, dests: dict[str, Any]) -> dict[str, Any]:
    from wirewatch.watch import pending

    d = dests.get(alert.name)
    return {**alert.to_dict(), "pending": pending(store, alert), "destination": d.to_dict() if d else None}


@router.get("/healthz", summary="Liveness: the server answers and its database opens")
def healthz(state: Annotated[ServerState, Depends(server_state)]) -> dict[str, Any]:
    migrations = state.reader.migrations()  # cheap, and proves the database answers
    return {"ok": True, "schema": migrations[-1] if migrations else None, "writable": state.writable}


@router.get("/api/alerts", summary="Saved alerts with their destination (secrets hidden) and pending hits")
def alerts(state: Annotated[ServerState, Depends(server_state)]) -> dict[str, Any]:
    from wirewatch.deliver import destinations
    from wirewatch.watch import list_alerts

    store = state.reader
    dests = destinations(store)
    return {"ok": True, "alerts": [_alert_dict(store, a, dests) for a in list_alerts(store)]}


@router.get("/api/alerts/failed", summary="Dead letters: hits whose delivery failed after every retry")
def alerts_failed(state: Annotated[ServerState, Depends(server_state)]) -> dict[str, Any]:
    from wirewatch.deliver import failed

    rows = [{**r, "failed_at": r["failed_at"].isoformat()} for r in failed(state.reader)]
    return {"ok": True, "failed": rows}


@router.post("/api/alerts", status_code=201, summary="Save an alert (needs 'Authorization: Bearer TOKEN')")
def create_alert(body: AlertIn, state: Annotated[ServerState, Depends(require_token)]) -> dict[str, Any]:
    from wirewatch.deliver import Destination, check_destination, destinations, set_destination
    from wirewatch.query import EventFilter
    from wirewatch.watch import add_alert, check_name

    check_name(body.name)
    flt = EventFilter.from_params(**body.filter)
    dest = None
    if body.destination is not None:
        d = body.destination
        dest = check_destination(Destination(d.kind, d.target, d.secret, d.allow_private, d.near,
                                             d.radius_km, tuple(d.standing), d.min_outlets))

    def write(store: Any) -> dict[str, Any]:
        alert = add_alert(store, body.name, flt, backfill=body.backfill)
        if dest is not None:
            set_destination(store, body.name, dest)
        return _alert_dict(store, alert, destinations(store, [body.name]))

    return {"ok": True, "alert": _writer(state, write)}


@router.delete("/api/alerts/{name}", summary="Delete an alert (needs the token)")
def delete_alert(name: str, state: Annotated[ServerState, Depends(require_token)]) -> dict[str, Any]:
    from wirewatch.errors import UserError
    from wirewatch.watch import remove_alert

    try:
        _writer(state, lambda store: remove_alert(store, name))
    except UserError as exc:
        if "no alert named" in str(exc):
            raise HTTPException(404, str(exc)) from None
        raise
    return {"ok": True, "removed": name}


@router.get("/api/sources", summary="Followed feeds and sitemaps with their health")
def sources(state: Annotated[ServerState, Depends(server_state)]) -> dict[str, Any]:
    from wirewatch.follow.sources import list_sources

    return {"ok": True, "sources": [s.to_dict() for s in list_sources(state.reader)]}


@router.post("/api/sources", status_code=201, summary="Follow a feed or sitemap URL (needs the token)")
def create_source(body: SourceIn, response: Response,
                  state: Annotated[ServerState, Depends(require_token)]) -> dict[str, Any]:
    from wirewatch.follow.sources import add_source

    source, created = _writer(state, lambda store: add_source(store, body.url, body.allow_private))
    if not created:
        response.status_code = 200
    return {"ok": True, "created": created, "source": source.to_dict()}


@router.delete("/api/sources", summary="Stop following a URL (needs the token)")
def delete_source(request: Request, state: Annotated[ServerState, Depends(require_token)],
                  url: Annotated[str, Query(max_length=2000)]) -> dict[str, Any]:
    from wirewatch.follow.sources import remove_source

    if not _writer(state, lambda store: remove_source(store, url)):
        raise HTTPException(404, f"not followed: {url}")
    return {"ok": True, "removed": url}
