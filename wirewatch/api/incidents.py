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
    incidents, total = state.reader.incident_page(flt, limit=limit, offset=offset, order=order)
    return JSONResponse({
        "ok": True,
        "total": total,
        "limit": limit,
        "offset": offset,
        "order": order,
        "incidents": incidents,
    })


@router.get("/incidents/{incident_id}", summary="One incident with every report (record + evidence)")
def get_incident(state: State, incident_id: Annotated[str, Path(max_length=200)]) -> JSONResponse:
    inc = state.reader.incident(incident_id)
    if inc is None:
        raise HTTPException(404, f"no incident with id {incident_id!r}")
    return JSONResponse({"ok": True, "incident": inc})


def incident_features(
    store: Any, flt: Any, limit: int, offset: int, order: str
) -> tuple[list[str], int]:
    """Map features (GeoJSON Feature JSON text, as stored with each incident: see
    ``store/incident_derived.map_features``) of a page of located matching incidents, and the number
    of matching incidents."""
    inc_order = order if order in ("date", "-date") else "-date"
    return store.incident_map_page(flt, limit=limit, offset=offset, order=inc_order)
