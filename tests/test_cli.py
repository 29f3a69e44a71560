"""The command line end to end on real text: extract, ingest, events, export, eval, bench, serve --get."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES
from helpers import synthetic_news, write_jsonl

from wirewatch.cli import cli

KOBANI = str(EXAMPLES / "kobani-warning.txt")


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture(scope="module")
def kobani_events() -> list[dict]:
    result = run("extract", KOBANI)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_extract_kobani_spans_hold(kobani_events, kobani_text):
    assert len(kobani_events) >= 4
    for rec in kobani_events:
        assert rec["article"]["published"] == "2015-02-13"
        spans = [rec["trigger"], *rec["source"], *rec["target"], *rec["attribution"]]
        spans += [s for s in (rec["location"], rec["date"]) if s and s.get("start") is not None]
        for span in spans:
            assert kobani_text[span["start"]:span["end"]] == span["text"]
        assert 0.0 <= rec["confidence"] <= 1.0


def test_extract_kobani_key_events(kobani_events):
    retake = [e for e in kobani_events if e["trigger"]["text"] == "retook"]
    assert retake, [e["trigger"]["text"] for e in kobani_events]
    assert retake[0]["date"]["value"] == "2015-01-26"
    assert retake[0]["location"]["country"] == "SYR"
    assert retake[0]["modality"] == "asserted"
    ankara = [e for e in kobani_events if "Ankara" in json.dumps(e) and e["event_type"] == "ASSAULT"]
    assert ankara and all(e["modality"] != "asserted" for e in ankara)


def test_extract_is_deterministic_and_ids_stable():
    first = run("extract", KOBANI).stdout
    assert run("extract", KOBANI).stdout == first


def test_extract_stdin_and_formats():
    text = "Rebels attacked an army base near Aleppo on Monday, the army said."
    result = run("extract", "-", "--published", "2016-03-09", "--format", "json", input=text)
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert records and records[0]["article"]["published"] == "2016-03-09"
    table = run("extract", KOBANI, "--format", "table")
    assert table.exit_code == 0 and "ASSAULT" in table.stdout


def test_bad_input_one_line_error_exit_1(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9")
    result = CliRunner().invoke(cli, ["extract", str(bad), KOBANI])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: {bad}: not valid UTF-8 at byte 3 (re-save the file as UTF-8)"]
    assert "Traceback" not in result.output
    assert result.stdout.strip()  # the good file's events still printed
    usage = CliRunner().invoke(cli, ["extract", KOBANI, "--published", "13/02/2015"])
    assert usage.exit_code == 1 and "is not a date; use YYYY-MM-DD" in usage.stderr  # usage error: 1
    unknown = CliRunner().invoke(cli, ["events", "--colour", "red"])
    assert unknown.exit_code == 1 and "No such option '--colour'" in unknown.stderr


def test_ingest_events_export_roundtrip(tmp_path):
    db = f"sqlite:///{tmp_path / 'w.db'}"
    corpus = write_jsonl(tmp_path / "news.jsonl", synthetic_news(6))
    first = run("ingest", KOBANI, str(corpus), "--db", db, "-q")
    assert first.exit_code == 0, first.output
    assert "added 7" in first.stderr and "failed" in first.stderr
    again = run("ingest", KOBANI, str(corpus), "--db", db, "-q")
    assert "added 0, skipped 7" in again.stderr
    listed = run("events", "--db", db, "--format", "json", "--limit", "500")
    data = json.loads(listed.stdout)
    assert data["total"] == len(data["events"]) > 6
    syr = json.loads(run("events", "--db", db, "--format", "json", "--country", "SYR").stdout)
    assert syr["total"] >= 1 and all(e["location"]["country"] == "SYR" for e in syr["events"])
    claims = json.loads(run("events", "--db", db, "--format", "json", "--modality", "possible").stdout)
    assert all(e["modality"] == "possible" for e in claims["events"])
    text = json.loads(run("events", "--db", db, "--format", "json", "--text", "Peshmerga").stdout)
    assert text["total"] >= 1 and {e["article"]["published"] for e in text["events"]} == {"2015-02-13"}
    assert run("events", "--db", db).exit_code == 0
    for fmt in ("jsonl", "csv", "geojson", "parquet", "plover"):
        out = tmp_path / f"events.{fmt}"
        result = run("export", "--db", db, "--format", fmt, "-o", str(out))
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    rows = list(csv.DictReader((tmp_path / "events.csv").open(encoding="utf-8")))
    assert len(rows) == data["total"]
    geo = json.loads((tmp_path / "events.geojson").read_text())
    assert geo["features"] and all(f["geometry"]["type"] == "Point" for f in geo["features"])
    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "events.parquet")
    assert table.num_rows == data["total"]
    assert json.loads(table.column("record_json")[0].as_py())["id"]


def test_events_bad_filter_is_user_error(tmp_path):
    db = f"sqlite:///{tmp_path / 'w.db'}"
    result = CliRunner().invoke(cli, ["events", "--db", db, "--bbox", "1,2,3"])
    assert result.exit_code == 1 and result.stderr.startswith("Error:") and "bbox" in result.stderr


def test_eval_scores_and_json(tmp_path):
    gold = write_jsonl(tmp_path / "gold.jsonl", [
        {"text": "Rebels attacked an army base near Aleppo on Monday.", "published": "2016-03-09",
         "events": [{"event_type": "ASSAULT"}]},
        {"text": "The weather was cold in Oslo.", "published": "2016-03-09", "events": []},
    ])
    result = run("eval", str(gold), "--task", "events", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["task"] == "events" and "micro_f1" in json.dumps(report)
    missing = CliRunner().invoke(cli, ["eval", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 1 and "does not exist" in missing.stderr


def test_bench_small():
    result = run("bench", "--articles", "5", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["articles"] == 5 and data["spacy"]["seconds"] > 0 and data["pipeline"]["seconds"] > 0
    assert data["ratio"] == pytest.approx(data["pipeline"]["seconds"] / data["spacy"]["seconds"])
    assert data["events"] > 0 and data["words"] > 0
    assert set(data["stages"]) == {"actors", "events", "geo", "time"}


def test_python_m_and_version():
    out = subprocess.run([sys.executable, "-m", "wirewatch", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "wirewatch" in out.stdout


def test_every_command_has_help():
    for name, command in cli.commands.items():
        assert command.help, name
        assert run(name, "--help").exit_code == 0
