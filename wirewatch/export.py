"""Writers for event records: jsonl, csv, geojson, parquet and PLOVER JSON records.

Every writer takes an iterable of SPEC event records (dicts, as the store and ``Event.to_dict`` give
them) and a binary or text destination, and returns the number of events written.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from wirewatch import __version__
from wirewatch.errors import UserError

FORMATS = ("jsonl", "csv", "geojson", "parquet", "plover")
_PLOVER_RESOLUTION = {"country": 1, "admin1": 2, "admin2": 3, "city": 4, "sub-city": 5}
_NUMERIC = {
    "sentence_index": "int32", "trigger_start": "int32", "trigger_end": "int32", "geonameid": "int64",
    "lat": "float64", "lon": "float64", "confidence": "float64",
}

CSV_COLUMNS = (
    "id", "article_id", "article_url", "published", "sentence_index", "event_type", "mode", "contexts",
    "cameo_root", "trigger", "trigger_start", "trigger_end", "source_names", "source_countries",
    "source_sectors", "source_actor_ids", "target_names", "target_countries", "target_sectors",
    "target_actor_ids", "location", "geonameid", "location_country", "admin1", "lat", "lon",
    "resolution", "date", "date_precision", "date_text", "modality", "attribution", "confidence",
)


def flat_row(rec: dict[str, Any]) -> dict[str, Any]:
    """One flat row of an event (CSV and parquet): lists joined with ``;``."""

    def join(items: list[dict[str, Any]], key: str) -> str:
        return ";".join("" if i.get(key) is None else str(i[key]) for i in items)

    loc = rec.get("location") or {}
    when = rec.get("date") or {}
    return {
        "id": rec["id"],
        "article_id": rec["article"]["id"],
        "article_url": rec["article"].get("url"),
        "published": rec["article"].get("published"),
        "sentence_index": rec["sentence"]["index"],
        "event_type": rec["event_type"],
        "mode": rec.get("mode"),
        "contexts": ";".join(rec.get("contexts") or []),
        "cameo_root": rec.get("cameo_root"),
        "trigger": rec["trigger"]["text"],
        "trigger_start": rec["trigger"]["start"],
        "trigger_end": rec["trigger"]["end"],
        "source_names": join(rec["source"], "name"),
        "source_countries": join(rec["source"], "country"),
        "source_sectors": join(rec["source"], "sector"),
        "source_actor_ids": join(rec["source"], "actor_id"),
        "target_names": join(rec["target"], "name"),
        "target_countries": join(rec["target"], "country"),
        "target_sectors": join(rec["target"], "sector"),
        "target_actor_ids": join(rec["target"], "actor_id"),
        "location": loc.get("name"),
        "geonameid": loc.get("geonameid"),
        "location_country": loc.get("country"),
        "admin1": loc.get("admin1"),
        "lat": loc.get("lat"),
        "lon": loc.get("lon"),
        "resolution": loc.get("resolution"),
        "date": when.get("value"),
        "date_precision": when.get("precision"),
        "date_text": when.get("text"),
        "modality": rec["modality"],
        "attribution": " > ".join(f"{a['role']}:{a['text']}" for a in rec.get("attribution") or []),
        "confidence": rec["confidence"],
    }


def plover_record(rec: dict[str, Any], article_text: str | None = None) -> dict[str, Any]:
    """The PLOVER data-exchange record (PLOVER manual, chapter 6) of one event."""

    def entity(m: dict[str, Any]) -> dict[str, Any]:
        return {
            "code": m.get("country"),
            "sector": m.get("sector"),
            "entity_text": m["text"],
            "identifier_id": m.get("actor_id"),
            "identifier_text": m.get("name"),
        }

    loc = rec.get("location")
    art = rec["article"]
    out: dict[str, Any] = {
        "id": rec["id"],
        "has_event": True,
        "date": (rec.get("date") or {}).get("value"),
        "date_precision": (rec.get("date") or {}).get("precision"),
        "actor": [entity(m) for m in rec["source"]],
        "recipient": [entity(m) for m in rec["target"]],
        "event": [rec["event_type"]],
        "mode": [rec["mode"]] if rec.get("mode") else [],
        "context": list(rec.get("contexts") or []),
        "event_text": [rec["trigger"]["text"]],
        "text_info": {"sequence": rec["sentence"]["index"], "start": rec["sentence"]["start"],
                      "end": rec["sentence"]["end"]},
        "cite_info": {"url": art.get("url"), "title": art.get("title"), "publication": art.get("source"),
                      "coder": f"wirewatch {__version__}", "codebook": "PLOVER 2.0"},
        "modality": rec["modality"],
        "confidence": rec["confidence"],
        "cameo_root": rec.get("cameo_root"),
    }
    if article_text is not None:
        out["text"] = article_text[rec["sentence"]["start"]:rec["sentence"]["end"]]
    if loc:
        out["event_loc"] = {
            "extracted_place": loc["text"], "resolved_place": loc.get("name"),
            "geonameid": loc.get("geonameid"), "lat": loc.get("lat"), "lon": loc.get("lon"),
            "province": loc.get("admin1"), "country_code": loc.get("country"),
            "feature_code": loc.get("feature_code"),
            "resolution": _PLOVER_RESOLUTION.get(loc.get("resolution") or ""),
        }
    return out


def write_jsonl(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    n = 0
    for rec in records:
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_plover(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    return write_jsonl((plover_record(r) for r in records), out)


def write_csv(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    n = 0
    for rec in records:
        writer.writerow(flat_row(rec))
        n += 1
    return n


def write_geojson(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """A FeatureCollection of the located events (events without coordinates are left out)."""
    out.write('{"type": "FeatureCollection", "features": [\n')
    n = 0
    for rec in records:
        loc = rec.get("location") or {}
        if loc.get("lat") is None or loc.get("lon") is None:
            continue
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [loc["lon"], loc["lat"]]},
            "properties": flat_row(rec),
        }
        out.write(("," if n else "") + json.dumps(feature, ensure_ascii=False) + "\n")
        n += 1
    out.write("]}\n")
    return n


def write_parquet(records: Iterable[dict[str, Any]], path: Path, batch: int = 5000) -> int:
    """Flat columns plus the full record as JSON in ``record_json`` (nothing lost)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [(c, pa.string()) for c in CSV_COLUMNS if c not in _NUMERIC] +
        [(c, pa.type_for_alias(t)) for c, t in _NUMERIC.items()] + [("record_json", pa.string())]
    )
    n = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        rows: list[dict[str, Any]] = []
        for rec in records:
            row = flat_row(rec)
            row = {c: (None if row[c] is None else (row[c] if c in _NUMERIC else str(row[c])))
                   for c in CSV_COLUMNS}
            row["record_json"] = json.dumps(rec, ensure_ascii=False)
            rows.append(row)
            n += 1
            if len(rows) >= batch:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows.clear()
        if rows or n == 0:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
    return n


_TEXT_WRITERS: dict[str, Callable[[Iterable[dict[str, Any]], IO[str]], int]] = {
    "jsonl": write_jsonl, "csv": write_csv, "geojson": write_geojson, "plover": write_plover,
}


def export(records: Iterable[dict[str, Any]], fmt: str, path: Path | None) -> int:
    """Write ``records`` in ``fmt`` to ``path`` (``None`` or ``-``: stdout; parquet needs a file)."""
    if fmt not in FORMATS:
        raise UserError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        if path is None or str(path) == "-":
            raise UserError("parquet needs a file: give -o events.parquet")
        return write_parquet(records, path)
    if path is None or str(path) == "-":
        import sys

        return _TEXT_WRITERS[fmt](records, sys.stdout)
    try:
        with open(path, "w", encoding="utf-8", newline="") as out:
            return _TEXT_WRITERS[fmt](records, out)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}") from exc


def to_text(records: Iterable[dict[str, Any]], fmt: str) -> str:
    """Render text formats into a string (tests, API)."""
    buf = io.StringIO()
    _TEXT_WRITERS[fmt](records, buf)
    return buf.getvalue()
