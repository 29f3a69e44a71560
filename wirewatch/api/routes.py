"""Read endpoints: events, articles, actors, aggregates, stats."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import JSONResponse

from wirewatch import __version__
from wirewatch.api.state import ServerState, server_state
from wirewatch.records import MODALITIES, PLOVER_TYPES

# Store records are plain JSON values: JSONResponse serialises them with the C encoder directly instead
# of walking them through FastAPI's jsonable_encoder (3-5x faster on a 2,000-event map response).
router = APIRouter(prefix="/api", default_response_class=JSONResponse)

State = Annotated[ServerState, Depends(server_state)]
Limit = Annotated[int, Query(ge=1, le=1000, description="page size (1-1000)")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")]
Count = Annotated[
    Literal["incidents", "events"],
    Query(description="count incidents (events linked across reports; the default) or events (reports)"),
]
Order = Annotated[
    Literal["date", "-date", "confidence", "-confidence", "article"],
    Query(description="sort: date (oldest first), -date (newest first), confidence, -confidence, article"),
]


def _csv(values: list[str] | None) -> str | None:
    """Repeated (``?type=A&type=B``) or comma-separated (``?type=A,B``) values as one comma string."""
    if not values:
        return None
    parts = [p.strip() for v in values for p in v.split(",") if p.strip()]
    return ",".join(parts) or None


def event_filter(
    type: Annotated[
        list[str] | None, Query(description="PLOVER event type(s), repeated or comma-separated")
    ] = None,
    actor: Annotated[str | None, Query(description="actor name or actor_id (source or target)")] = None,
    actor_country: Annotated[str | None, Query(description="ISO3 country of a source/target actor")] = None,
    country: Annotated[
        list[str] | None, Query(description="ISO 3166-1 alpha-3 country of the event location")
    ] = None,
    bbox: Annotated[str | None, Query(description="west,south,east,north in degrees")] = None,
    date_from: Annotated[str | None, Query(description="YYYY-MM-DD (inclusive)")] = None,
    date_to: Annotated[str | None, Query(description="YYYY-MM-DD (inclusive)")] = None,
    modality: Annotated[
        list[str] | None, Query(description="modalities: " + ", ".join(MODALITIES))
    ] = None,
    min_confidence: Annotated[str | None, Query(description="0..1")] = None,
    text: Annotated[str | None, Query(description="full-text search in the sentence/article")] = None,
    article_id: Annotated[str | None, Query(description="only this article's events")] = None,
) -> Any:
    """Parse the shared filter query parameters into an ``EventFilter`` (bad values -> 400)."""
    from wirewatch.query import EventFilter

    params = {
        "types": _csv(type),
        "actor": actor,
        "actor_country": actor_country,
        "country": _csv(country),
        "bbox": bbox,
        "date_from": date_from,
        "date_to": date_to,
        "modality": _csv(modality),
        "min_confidence": min_confidence,
        "text": text,
        "article_id": article_id,
    }
    return EventFilter.from_params(**{k: v for k, v in params.items() if v not in (None, "")})


Filter = Annotated[Any, Depends(event_filter)]


@router.get("/meta", summary="Server version, write mode and the code lists the UI needs")
def meta(state: State) -> JSONResponse:
    return JSONResponse({
        "ok": True,
        "version": __version__,
        "writable": state.writable,
        "event_types": list(PLOVER_TYPES),
        "modalities": list(MODALITIES),
    })


@router.get("/events", summary="Events matching the filters (newest first by default), with the total")
def list_events(
    state: State, flt: Filter, limit: Limit = 100, offset: Offset = 0, order: Order = "-date"
) -> JSONResponse:
    store = state.reader
    return JSONResponse({
        "ok": True,
        "total": store.count_events(flt),
        "limit": limit,
        "offset": offset,
        "order": order,
        "events": store.events(flt, limit=limit, offset=offset, order=order),
    })


def _feature(ev: dict[str, Any]) -> dict[str, Any] | None:
    loc = ev.get("location") or {}
    if loc.get("lat") is None or loc.get("lon") is None:
        return None
    return {
        "type": "Feature",
        "id": ev["id"],
        "geometry": {"type": "Point", "coordinates": [loc["lon"], loc["lat"]]},
        "properties": {
            "id": ev["id"],
            "event_type": ev.get("event_type"),
            "modality": ev.get("modality"),
            "date": (ev.get("date") or {}).get("value"),
            "confidence": ev.get("confidence"),
            "trigger": (ev.get("trigger") or {}).get("text"),
            "source": [m.get("name") or m.get("text") for m in ev.get("source") or []],
            "target": [m.get("name") or m.get("text") for m in ev.get("target") or []],
            "place": loc.get("name") or loc.get("text"),
            "country": loc.get("country"),
            "resolution": loc.get("resolution"),
        },
    }


@router.get(
    "/events.geojson",
    summary="Located events as a GeoJSON FeatureCollection (for the map and GIS tools)",
)
def events_geojson(
    state: State,
    flt: Filter,
    limit: Annotated[int, Query(ge=1, le=20_000)] = 2000,
    offset: Offset = 0,
    order: Order = "-date",
    count: Count = "incidents",
) -> JSONResponse:
    store = state.reader
    if count == "incidents":  # one feature per incident, at its best place (api/incidents.py)
        from wirewatch.api.incidents import incident_features

        feats, total = incident_features(store, flt, limit, offset, order)
        return JSONResponse({"type": "FeatureCollection", "ok": True, "count": count, "total": total,
                             "features": feats})
    records = store.events(flt, limit=limit, offset=offset, order=order)
    feats = [f for f in (_feature(e) for e in records) if f]
    total = store.count_events(flt)
    return JSONResponse({"type": "FeatureCollection", "ok": True, "count": count, "total": total,
                         "features": feats})


@router.get("/events/{event_id}", summary="One event with its evidence (article text, sentence, spans)")
def get_event(state: State, event_id: Annotated[str, Path(max_length=200)]) -> JSONResponse:
    ev = state.reader.event(event_id)
    if ev is None:
        raise HTTPException(404, f"no event with id {event_id!r}")
    return JSONResponse({"ok": True, "event": ev})


def _article_total(store: Any) -> int | None:
    stats = store.stats()
    total = stats.get("articles") if isinstance(stats, dict) else None
    return total if isinstance(total, int) else None


@router.get("/articles", summary="Stored articles, newest first")
def list_articles(state: State, limit: Limit = 100, offset: Offset = 0) -> JSONResponse:
    store = state.reader
    return JSONResponse({
        "ok": True,
        "total": _article_total(store),
        "limit": limit,
        "offset": offset,
        "articles": store.articles(limit=limit, offset=offset),
    })


@router.get("/articles/{article_id}", summary="One article with the ids of its events")
def get_article(state: State, article_id: Annotated[str, Path(max_length=200)]) -> JSONResponse:
    from wirewatch.query import EventFilter

    store = state.reader
    art = store.article(article_id)
    if art is None:
        raise HTTPException(404, f"no article with id {article_id!r}")
    events = store.events(EventFilter.from_params(article_id=article_id), limit=1000, offset=0)
    return JSONResponse({"ok": True, "article": art, "events": events})


@router.get("/actors", summary="Actors in the matching events, most frequent first")
def list_actors(
    state: State, flt: Filter, limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    count: Count = "incidents",
) -> JSONResponse:
    return JSONResponse({"ok": True, "count": count, "actors": state.reader.actors(flt, limit, count=count)})


@router.get("/aggregate", summary="Event counts per day, month, year, type, location country or modality")
def aggregate(
    state: State, flt: Filter, by: Literal["day", "month", "year", "type", "country", "modality"] = "day",
    count: Count = "incidents",
) -> JSONResponse:
    buckets = state.reader.aggregate(flt, by, count=count)
    return JSONResponse({"ok": True, "by": by, "count": count, "buckets": buckets})


@router.get("/stats", summary="Database totals")
def stats(state: State) -> JSONResponse:
    return JSONResponse({"ok": True, "stats": state.reader.stats()})
