"""Read endpoints: events, articles, actors, aggregates, stats."""

from __future__ import annotations

import inspect
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from wirewatch import __version__
from wirewatch.api.state import ServerState, server_state
from wirewatch.records import MODALITIES, PLOVER_TYPES

PUBLIC_ORIGINS = ("api", "stdin", "synthetic")

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


def _filter_dependency() -> Any:
    """The FastAPI dependency parsing the shared filter parameters (``wirewatch.query.FILTER_PARAMS``)
    into an ``EventFilter``: one query parameter per filter, repeated values of a list filter add
    up, bad values are a 400. Its signature is built from the table so the OpenAPI schema, the
    unknown-parameter check and the CLI options all come from the same list."""
    from wirewatch.query import FILTER_PARAMS, filter_from_values

    spellings = [s for p in FILTER_PARAMS for s in p.spellings()]
    params = [inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request)]
    for p in FILTER_PARAMS:
        kind = list[str] | None if p.multiple else str | None
        params.append(inspect.Parameter(
            p.name, inspect.Parameter.KEYWORD_ONLY, default=None,
            annotation=Annotated[kind, Query(description=p.help)],
        ))
        for alias in p.aliases:
            params.append(inspect.Parameter(
                alias, inspect.Parameter.KEYWORD_ONLY, default=None,
                annotation=Annotated[kind, Query(include_in_schema=False)],
            ))

    def event_filter(request: Request, **_declared: Any) -> Any:
        query = request.query_params
        return filter_from_values({k: query.getlist(k) for k in spellings if k in query})

    event_filter.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return event_filter


event_filter = _filter_dependency()


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
    else:
        feats, total = store.event_map_page(flt, limit=limit, offset=offset, order=order)
    # the features are stored JSON text: joined as they are, not parsed and encoded again
    body = (f'{{"type":"FeatureCollection","ok":true,"count":"{count}","total":{int(total)},'
            f'"features":[{",".join(feats)}]}}')
    return Response(body, media_type="application/json")


@router.get("/events/{event_id}", summary="One event with its evidence (article text, sentence, spans)")
def get_event(state: State, event_id: Annotated[str, Path(max_length=200)]) -> JSONResponse:
    ev = state.reader.event(event_id)
    if ev is None:
        raise HTTPException(404, f"no event with id {event_id!r}")
    return JSONResponse({"ok": True, "event": ev})


def public_origin(origin: str | None) -> str | None:
    """What the API shows of where an article came from: a feed or page URL and the fixed names
    (api, stdin, ...) as they are; a path on the machine that ingested it only as ``file``."""
    if origin is None or origin in PUBLIC_ORIGINS or origin.startswith(("http://", "https://")):
        return origin
    return "file"


def public_article(article: dict[str, Any]) -> dict[str, Any]:
    """An article record fit to publish (``origin`` through :func:`public_origin`); every route that
    returns stored article metadata passes it through here."""
    if "origin" in article:
        return {**article, "origin": public_origin(article["origin"])}
    return article


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
        "articles": [public_article(a) for a in store.articles(limit=limit, offset=offset)],
    })


@router.get("/articles/{article_id}", summary="One article with the ids of its events")
def get_article(state: State, article_id: Annotated[str, Path(max_length=200)]) -> JSONResponse:
    from wirewatch.query import EventFilter

    store = state.reader
    art = store.article(article_id)
    if art is None:
        raise HTTPException(404, f"no article with id {article_id!r}")
    events = store.events(EventFilter.from_params(article_id=article_id), limit=1000, offset=0)
    return JSONResponse({"ok": True, "article": public_article(art), "events": events})


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
