"""Writers for event records: jsonl, csv, geojson, parquet and PLOVER JSON records; and for incidents
(one row per incident: jsonl, csv, geojson, parquet; see :mod:`wirewatch.export_incidents`).

Every writer takes an iterable of SPEC event records (dicts, as the store and ``Event.to_dict`` give
them) and a binary or text destination, and returns the number of events written. Flat rows (CSV,
parquet, GeoJSON properties) carry the sentence text when the record has ``sentence_text`` (the store
adds it for exports: :func:`with_sentence_text`), ``date_start``/``date_end`` (ISO days of the date
period) beside ``date`` and ``date_precision``, the location ``resolution``, the ``incident`` id and
``cameo_root`` as a string ("06"). Parquet columns are typed (dates as date32, counts as integers);
for CSV give pandas :data:`CSV_DTYPES` (``pd.read_csv(f, dtype=CSV_DTYPES)``) so "06" stays "06".
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from wirewatch import __version__
from wirewatch.errors import UserError
from wirewatch.periods import period_bounds

FORMATS = ("jsonl", "csv", "geojson", "parquet", "plover")
_PLOVER_RESOLUTION = {"country": 1, "admin1": 2, "admin2": 3, "city": 4, "sub-city": 5}
_NUMERIC = {
    "sentence_index": "int32", "trigger_start": "int32", "trigger_end": "int32", "geonameid": "int64",
    "lat": "float64", "lon": "float64", "confidence": "float64",
}
_DATES = ("published", "date_start", "date_end")

CSV_COLUMNS = (
    "id", "article_id", "article_url", "published", "sentence_index", "event_type", "mode", "contexts",
    "cameo_root", "trigger", "trigger_start", "trigger_end", "source_names", "source_countries",
    "source_sectors", "source_actor_ids", "target_names", "target_countries", "target_sectors",
    "target_actor_ids", "location", "geonameid", "location_country", "admin1", "lat", "lon",
    "resolution", "date", "date_precision", "date_start", "date_end", "date_text", "modality",
    "attribution", "confidence", "incident", "sentence_text",
)
# pandas dtypes for reading the CSV export: codes that look numeric stay strings
CSV_DTYPES = {c: "string" for c in CSV_COLUMNS if c not in _NUMERIC and c not in _DATES} | {
    "sentence_index": "Int32", "trigger_start": "Int32", "trigger_end": "Int32", "geonameid": "Int64",
    "lat": "float64", "lon": "float64", "confidence": "float64",
}


def flat_row(rec: dict[str, Any]) -> dict[str, Any]:
    """One flat row of an event (CSV and parquet): lists joined with ``;``."""

    def join(items: list[dict[str, Any]], key: str) -> str:
        return ";".join("" if i.get(key) is None else str(i[key]) for i in items)

    loc = rec.get("location") or {}
    when = rec.get("date") or {}
    period = period_bounds(when.get("value"))
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
        "date_start": period[0].isoformat() if period else None,
        "date_end": period[1].isoformat() if period else None,
        "date_text": when.get("text"),
        "modality": rec["modality"],
        "attribution": " > ".join(f"{a['role']}:{a['text']}" for a in rec.get("attribution") or []),
        "confidence": rec["confidence"],
        "incident": rec.get("incident"),
        "sentence_text": rec.get("sentence_text") or (rec.get("evidence") or {}).get("sentence_text"),
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


def write_geojson(
    records: Iterable[dict[str, Any]], out: IO[str], stats: dict[str, int] | None = None
) -> int:
    """A FeatureCollection of the located events (events without coordinates are left out and
    counted in ``stats["without_location"]``)."""
    out.write('{"type": "FeatureCollection", "features": [\n')
    n = skipped = 0
    for rec in records:
        loc = rec.get("location") or {}
        if loc.get("lat") is None or loc.get("lon") is None:
            skipped += 1
            continue
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [loc["lon"], loc["lat"]]},
            "properties": flat_row(rec),
        }
        out.write(("," if n else "") + json.dumps(feature, ensure_ascii=False) + "\n")
        n += 1
    out.write("]}\n")
    if stats is not None:
        stats["without_location"] = skipped
    return n


def parquet_schema(columns: Iterable[str], numeric: dict[str, str], dates: Iterable[str],
                   booleans: Iterable[str] = ()) -> Any:
    """A pyarrow schema: typed numeric, date32 and bool columns, strings for the rest."""
    import pyarrow as pa

    dates, booleans = set(dates), set(booleans)

    def typ(c: str) -> Any:
        if c in numeric:
            return pa.type_for_alias(numeric[c])
        if c in dates:
            return pa.date32()
        return pa.bool_() if c in booleans else pa.string()

    return pa.schema([(c, typ(c)) for c in columns])


def parquet_value(value: Any, typ: Any) -> Any:
    """A flat-row value as the parquet column type wants it (ISO strings -> dates)."""
    import pyarrow as pa

    if value is None or value == "":
        return None
    if pa.types.is_date32(typ):
        from datetime import date

        return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    if pa.types.is_string(typ):
        return str(value)
    return value


def write_rows_parquet(rows: Iterable[dict[str, Any]], path: Path, schema: Any, batch: int = 5000) -> int:
    """Write flat rows (dicts with the schema's columns) as parquet; returns the row count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {f.name: f.type for f in schema}
    n = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        buf: list[dict[str, Any]] = []
        for row in rows:
            buf.append({c: parquet_value(row.get(c), t) for c, t in types.items()})
            n += 1
            if len(buf) >= batch:
                writer.write_table(pa.Table.from_pylist(buf, schema=schema))
                buf.clear()
        if buf or n == 0:
            writer.write_table(pa.Table.from_pylist(buf, schema=schema))
    return n


EVENT_PARQUET_COLUMNS = (*CSV_COLUMNS, "record_json")


def write_parquet(records: Iterable[dict[str, Any]], path: Path, batch: int = 5000) -> int:
    """Flat typed columns plus the full record as JSON in ``record_json`` (nothing lost)."""
    schema = parquet_schema(EVENT_PARQUET_COLUMNS, _NUMERIC, _DATES)

    def rows() -> Iterable[dict[str, Any]]:
        for rec in records:
            row = flat_row(rec)
            plain = {k: v for k, v in rec.items() if k != "sentence_text"}
            row["record_json"] = json.dumps(plain, ensure_ascii=False)
            yield row

    return write_rows_parquet(rows(), path, schema, batch)


_TEXT_WRITERS: dict[str, Callable[[Iterable[dict[str, Any]], IO[str]], int]] = {
    "jsonl": write_jsonl, "csv": write_csv, "geojson": write_geojson, "plover": write_plover,
}


def export(records: Iterable[dict[str, Any]], fmt: str, path: Path | None,
           stats: dict[str, int] | None = None) -> int:
    """Write ``records`` in ``fmt`` to ``path`` (``None`` or ``-``: stdout; parquet needs a file).
    ``stats`` (geojson) gets ``without_location``: how many records had no coordinates."""
    if fmt not in FORMATS:
        raise UserError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        if path is None or str(path) == "-":
            raise UserError("parquet needs a file: give -o events.parquet")
        return write_parquet(records, path)

    def write(out: IO[str]) -> int:
        if fmt == "geojson":
            return write_geojson(records, out, stats)
        return _TEXT_WRITERS[fmt](records, out)

    if path is None or str(path) == "-":
        import sys

        return write(sys.stdout)
    try:
        with open(path, "w", encoding="utf-8", newline="") as out:
            return write(out)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}") from exc


def with_sentence_text(store: Any, records: Iterable[dict[str, Any]], batch: int = 1000
                       ) -> Iterator[dict[str, Any]]:
    """The records with ``sentence_text`` added (read from the store ``batch`` events at a time)."""
    buf: list[dict[str, Any]] = []

    def flush() -> Iterator[dict[str, Any]]:
        texts = store.sentence_texts([r["id"] for r in buf])
        for r in buf:
            yield {**r, "sentence_text": texts.get(r["id"])}
        buf.clear()

    for rec in records:
        buf.append(rec)
        if len(buf) >= batch:
            yield from flush()
    if buf:
        yield from flush()


def to_text(records: Iterable[dict[str, Any]], fmt: str) -> str:
    """Render text formats into a string (tests, API)."""
    buf = io.StringIO()
    _TEXT_WRITERS[fmt](records, buf)
    return buf.getvalue()
