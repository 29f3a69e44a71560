"""Incident exports: one row per incident (``wirewatch export --what incidents``).

Formats: ``jsonl`` (the API's incident record), ``csv`` and ``parquet`` (flat columns below; lists
joined with ``;``), ``geojson`` (one Feature per located incident, the flat row as properties).
Parquet is typed: dates are date32, counts int32, ``asserted_independently`` bool, lat/lon float64.
For CSV give pandas :data:`INCIDENT_CSV_DTYPES`.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from wirewatch.errors import UserError
from wirewatch.export import parquet_schema, write_rows_parquet

FORMATS = ("jsonl", "csv", "geojson", "parquet")
INCIDENT_COLUMNS = (
    "id", "event_type", "mode", "cameo_root", "standing", "asserted_independently", "claimed_by",
    "denied_by", "reported_by", "location", "location_country", "admin1", "geonameid", "lat", "lon",
    "resolution", "date", "date_precision", "date_start", "date_end", "first_report", "last_report",
    "n_reports", "n_articles", "n_outlets", "outlets", "representative_event", "event_ids", "manual",
)
_NUMERIC = {"geonameid": "int64", "lat": "float64", "lon": "float64", "n_reports": "int32",
            "n_articles": "int32", "n_outlets": "int32"}
_DATES = ("date_start", "date_end", "first_report", "last_report")
_BOOLS = ("asserted_independently", "manual")
INCIDENT_CSV_DTYPES = {
    c: "string" for c in INCIDENT_COLUMNS if c not in _NUMERIC and c not in _DATES and c not in _BOOLS
} | {"geonameid": "Int64", "lat": "float64", "lon": "float64", "n_reports": "Int32",
     "n_articles": "Int32", "n_outlets": "Int32", "asserted_independently": "boolean", "manual": "boolean"}


def incident_row(inc: dict[str, Any]) -> dict[str, Any]:
    """The flat row of one incident record."""
    loc = inc.get("location") or {}
    st = inc["standing"]

    def parties(items: list[dict[str, Any]]) -> str:
        return ";".join(p["party"] for p in items)

    return {
        "id": inc["id"], "event_type": inc["event_type"], "mode": inc.get("mode"),
        "cameo_root": inc.get("cameo_root"), "standing": st["summary"],
        "asserted_independently": st["asserted_independently"],
        "claimed_by": parties(st["claimed_by"]), "denied_by": parties(st["denied_by"]),
        "reported_by": parties(st["reported_by"]),
        "location": loc.get("name"), "location_country": loc.get("country"), "admin1": loc.get("admin1"),
        "geonameid": loc.get("geonameid"), "lat": loc.get("lat"), "lon": loc.get("lon"),
        "resolution": loc.get("resolution"),
        "date": inc["date"]["value"], "date_precision": inc["date"]["precision"],
        "date_start": inc["date"]["start"], "date_end": inc["date"]["end"],
        "first_report": inc.get("first_report"), "last_report": inc.get("last_report"),
        "n_reports": inc["n_reports"], "n_articles": inc["n_articles"], "n_outlets": inc["n_outlets"],
        "outlets": ";".join(inc["outlets"]), "representative_event": inc.get("representative"),
        "event_ids": ";".join(inc["event_ids"]), "manual": bool(inc.get("manual")),
    }


def _write_text(incidents: Iterable[dict[str, Any]], fmt: str, out: IO[str], stats: dict[str, int]) -> int:
    n = skipped = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=INCIDENT_COLUMNS)
        writer.writeheader()
    if fmt == "geojson":
        out.write('{"type": "FeatureCollection", "features": [\n')
    for inc in incidents:
        if fmt == "jsonl":
            out.write(json.dumps(inc, ensure_ascii=False) + "\n")
        elif fmt == "csv":
            writer.writerow(incident_row(inc))
        else:
            loc = inc.get("location") or {}
            if loc.get("lat") is None or loc.get("lon") is None:
                skipped += 1
                continue
            point = {"type": "Point", "coordinates": [loc["lon"], loc["lat"]]}
            feature = {"type": "Feature", "geometry": point, "properties": incident_row(inc)}
            out.write(("," if n else "") + json.dumps(feature, ensure_ascii=False) + "\n")
        n += 1
    if fmt == "geojson":
        out.write("]}\n")
        stats["without_location"] = skipped
    return n


def export_incidents(incidents: Iterable[dict[str, Any]], fmt: str, path: Path | None,
                     stats: dict[str, int] | None = None) -> int:
    """Write incident records in ``fmt`` to ``path`` (None or ``-``: stdout); returns rows written.
    ``stats["without_location"]``: incidents left out of a geojson for want of coordinates."""
    stats = stats if stats is not None else {}
    if fmt not in FORMATS:
        raise UserError(f"cannot export incidents as {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        if path is None or str(path) == "-":
            raise UserError("parquet needs a file: give -o incidents.parquet")
        schema = parquet_schema(INCIDENT_COLUMNS, _NUMERIC, _DATES, _BOOLS)
        return write_rows_parquet((incident_row(i) for i in incidents), path, schema)
    if path is None or str(path) == "-":
        return _write_text(incidents, fmt, sys.stdout, stats)
    try:
        with open(path, "w", encoding="utf-8", newline="") as out:
            return _write_text(incidents, fmt, out, stats)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}") from exc
