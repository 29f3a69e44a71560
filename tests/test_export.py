"""Export writers on hand-built records (no store, no model)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from wirewatch.errors import UserError
from wirewatch.export import export, flat_row, plover_record, to_text

RECORD = {
    "id": "ev_1",
    "article": {"id": "t_1", "url": "https://x.example/a", "title": "T", "source": "Hürriyet",
                "published": "2015-02-13"},
    "sentence": {"index": 2, "start": 10, "end": 90},
    "event_type": "ASSAULT", "mode": None, "contexts": ["military"], "cameo_root": "19",
    "trigger": {"text": "retook", "start": 50, "end": 56},
    "source": [{"text": "Peshmerga", "start": 10, "end": 19, "actor_id": "a1", "name": "Peshmerga",
                "country": "IRQ", "sector": "MIL"},
               {"text": "YPG", "start": 24, "end": 27, "actor_id": "a2", "name": "YPG", "country": "SYR",
                "sector": "REB"}],
    "target": [{"text": "Daesh", "start": 70, "end": 75, "actor_id": "a3", "name": "Islamic State",
                "country": None, "sector": "INS"}],
    "location": {"text": "Kobani", "start": 60, "end": 66, "geonameid": 170017, "name": "Kobanî",
                 "country": "SYR", "admin1": "Aleppo", "lat": 36.89, "lon": 38.35, "feature_code": "PPLA2",
                 "resolution": "city"},
    "date": {"text": "January 26", "start": 78, "end": 88, "value": "2015-01-26", "precision": "day"},
    "modality": "asserted",
    "attribution": [{"text": "Hurriyet Daily", "start": 0, "end": 14, "actor_id": "a4", "role": "reporter"}],
    "confidence": 0.87,
}
UNLOCATED = {**RECORD, "id": "ev_2", "location": None}


def test_flat_row_joins_joint_actors():
    row = flat_row(RECORD)
    assert row["source_countries"] == "IRQ;SYR" and row["target_countries"] == ""
    assert row["attribution"] == "reporter:Hurriyet Daily"
    assert row["lat"] == 36.89


def test_csv_and_jsonl_and_geojson():
    rows = list(csv.DictReader(io.StringIO(to_text([RECORD, UNLOCATED], "csv"))))
    assert [r["id"] for r in rows] == ["ev_1", "ev_2"] and rows[1]["lat"] == ""
    lines = to_text([RECORD], "jsonl").splitlines()
    assert json.loads(lines[0]) == RECORD
    geo = json.loads(to_text([RECORD, UNLOCATED], "geojson"))
    assert len(geo["features"]) == 1
    assert geo["features"][0]["geometry"]["coordinates"] == [38.35, 36.89]


def test_plover_layout():
    rec = plover_record(RECORD, article_text="x" * 100)
    assert rec["event"] == ["ASSAULT"] and rec["date"] == "2015-01-26"
    assert [a["code"] for a in rec["actor"]] == ["IRQ", "SYR"]
    assert rec["recipient"][0]["identifier_text"] == "Islamic State"
    assert rec["event_loc"]["resolution"] == 4 and rec["event_loc"]["geonameid"] == 170017
    assert rec["text"] == "x" * 80


def test_parquet_roundtrip(tmp_path):
    import pyarrow.parquet as pq

    path = tmp_path / "e.parquet"
    assert export([RECORD, UNLOCATED], "parquet", path) == 2
    table = pq.read_table(path)
    assert table.column("geonameid").to_pylist() == [170017, None]
    assert json.loads(table.column("record_json")[0].as_py()) == RECORD


def test_export_errors(tmp_path):
    with pytest.raises(UserError, match="parquet needs a file"):
        export([RECORD], "parquet", None)
    with pytest.raises(UserError, match="unknown export format"):
        export([RECORD], "xml", tmp_path / "x")
    with pytest.raises(UserError, match="cannot write"):
        export([RECORD], "csv", tmp_path / "missing-dir" / "x.csv")
