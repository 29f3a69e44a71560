"""Incident endpoints: ``GET /api/incidents`` (the event filters, paged) and ``/api/incidents/{id}``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import JSONResponse

from wirewatch.api.routes import Filter, Limit, Offset, State

router = APIRouter(prefix="/api", default_response_class=JSONResponse)

IncidentOrder = Annotated[
    Literal["date", "-date", "reports", "-reports", "first_report", "-first_report", "last_report",
            "-last_report"],
    Query(description="sort: date (the incident's date, oldest first), -date (newest first), "
                      "-reports (most reports first), first_report, last_report (and their - forms)"),
]
Count = Annotated[
    Literal["incidents", "events"],
    Query(description="count incidents (one per real-world event, the default) or events (reports)"),
]


@router.get("/incidents", summary="Incidents (events linked across reports) with a matching report")
def list_incidents(
    state: State, flt: Filter, limit: Limit = 100, offset: Offset = 0, order: IncidentOrder = "-date"
) -> JSONResponse:
    store = state.reader
    return JSONResponse({
        "ok": True,
        "total": store.count_incidents(flt),
        "limit": limit,
        "offset": offset,
        "order": order,
        "incidents": store.incidents(flt, limit=limit, offset=offset, order=order),
    })


@router.get("/incidents/{incident_id}", summary="One incident with every report (record + evidence)")
def get_incident(state: State, incident_id: Annotated[str, Path(max_length=200)]) -> JSONResponse:
    inc = state.reader.incident(incident_id)
    if inc is None:
        raise HTTPException(404, f"no incident with id {incident_id!r}")
    return JSONResponse({"ok": True, "incident": inc})


MODALITY_OF_STANDING = {"disputed": "claimed", "denied": "negated"}


def incident_features(
    store: Any, flt: Any, limit: int, offset: int, order: str
) -> tuple[list[dict[str, Any]], int]:
    """Map features of a page of located matching incidents and the number of matching incidents.

    One feature per incident at its best place. Its ``id`` (and ``properties.id``) is the incident's
    representative report, so a client that opens ``/api/events/{id}`` on click keeps working;
    ``properties.incident`` is the incident id; trigger, actors and confidence are the
    representative report's (as event features have them)."""
    inc_order = order if order in ("date", "-date") else "-date"
    incs = store.incident_map(flt, limit=limit, offset=offset, order=inc_order)
    feats = []
    for inc in incs:
        loc = inc["location"]
        feats.append({
            "type": "Feature",
            "id": inc["representative"],
            "geometry": {"type": "Point", "coordinates": [loc["lon"], loc["lat"]]},
            "properties": {
                "id": inc["representative"],
                "incident": inc["id"],
                "event_type": inc["event_type"],
                "modality": MODALITY_OF_STANDING.get(inc["standing"], inc["standing"]),
                "standing": inc["standing"],
                "date": inc["date"],
                "n_reports": inc["n_reports"],
                "n_outlets": inc["n_outlets"],
                "place": loc.get("name") or loc.get("text"),
                "country": loc.get("country"),
                "resolution": loc.get("resolution"),
                "event_ids": inc["event_ids"],
                "confidence": inc["confidence"],
                "trigger": inc["trigger"],
                "source": inc["source"],
                "target": inc["target"],
            },
        })
    if flt is not None and flt.bbox is not None and offset == 0 and len(incs) < limit:
        return feats, len(incs)  # a bbox matches located incidents only: this page is all of them
    return feats, store.count_incidents(flt)
