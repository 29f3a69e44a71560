"""CLI hardening (issue 9): read-only commands refuse a missing database, country codes and names,
repeated filters add up, the CLI and API share filter names, eval tells the task from the gold file,
a closed stdout pipe ends quietly, user data never becomes terminal markup or escapes, "2 of 26".
Each test reproduces a case that failed before the fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA
from helpers import fresh_pg_schema, pg_server_or_skip
from test_api import KOBANI_SPECS, build_analyzed, kobani_article

from wirewatch import render
from wirewatch.cli import cli
from wirewatch.query import FILTER_PARAMS
from wirewatch.store import Store

PG_URL = os.environ.get("WIREWATCH_TEST_PG_URL")


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture()
def db(tmp_path: Path, kobani_text: str) -> str:
    url = f"sqlite:///{tmp_path / 'events.db'}"
    with Store.open(url) as store:
        store.add_analyzed(build_analyzed(kobani_article(kobani_text), KOBANI_SPECS))
    return url


def triggers(result) -> set[str]:
    assert result.exit_code == 0, result.output
    return {json.loads(line)["trigger"]["text"] for line in result.stdout.splitlines()}


# ---- a database that does not exist ---------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ["events"],
        ["export", "--format", "jsonl", "-o", "-"],
        ["watch", "list"],
        ["watch", "run"],
        ["watch", "remove", "x"],
        ["serve", "--get", "/api/stats"],
    ],
)
def test_read_only_commands_refuse_a_missing_database(tmp_path, args):
    missing = tmp_path / "nope.db"
    result = run(*args, "--db", f"sqlite:///{missing}")
    assert result.exit_code == 1, result.output
    assert "does not exist" in result.stderr and "wirewatch ingest" in result.stderr
    assert "Traceback" not in result.output
    assert not missing.exists()  # was: an empty database created, exit 0


def test_serve_with_a_token_may_start_a_new_database(tmp_path):
    new = tmp_path / "new.db"
    result = run("serve", "--db", f"sqlite:///{new}", "--token", "t", "--get", "/api/stats")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["stats"]["events"] == 0


@pytest.mark.postgres
def test_postgres_schema_without_wirewatch_tables_is_refused():
    pg_server_or_skip()
    from sqlalchemy import create_engine, inspect

    from wirewatch.store import normalize_url

    with contextmanager(fresh_pg_schema)(PG_URL) as url:
        result = run("events", "--db", url)
        assert result.exit_code == 1 and "holds no wirewatch data" in result.stderr
        engine = create_engine(normalize_url(url))
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == []  # nothing created
        engine.dispose()
        with Store.open(url):
            pass
        assert run("events", "--db", url).exit_code == 0


# ---- filters: one vocabulary, countries, repeats -----------------------------------------------------
def test_repeated_country_options_add_up(db):
    # was: --country MLI --country TUR kept only TUR
    both = run("events", "--db", db, "--country", "SYR", "--country", "TUR", "--format", "jsonl")
    assert triggers(both) == {"retook", "attacks", "crossed"}
    assert triggers(run("events", "--db", db, "--country", "Syria", "--format", "jsonl")) == {"retook"}
    assert triggers(run("events", "--db", db, "--country", "sy", "--format", "jsonl")) == {"retook"}
    assert triggers(run("events", "--db", db, "--actor-country", "IRQ", "--format", "jsonl")) == {"retook"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--country", "XXX"], "unknown country 'XXX'"),  # was: accepted, 0 events
        (["--country", "Malli"], "did you mean Mali (MLI)"),
        (["--actor", "a", "--actor", "b"], "--actor given more than once"),
        (["--since", "2015", "--date-from", "2016"], "--date-from given more than once"),
        (["--min-confidence", "lots"], "between 0 and 1"),
        (["--text", "*"], "no words to search for"),
    ],
)
def test_bad_filters_are_one_line_errors(db, args, message):
    result = run("events", "--db", db, *args)
    assert result.exit_code == 1 and message in result.stderr, result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_since_year_one_is_not_an_internal_error(db):
    # was: Internal error: OverflowError, exit 2
    assert triggers(run("events", "--db", db, "--since", "0001-01-01", "--format", "jsonl")) == {
        "retook", "attacks", "crossed"}
    assert triggers(run("events", "--db", db, "--date-from", "0001", "--format", "jsonl")) == {
        "retook", "attacks", "crossed"}


def test_cli_and_api_filter_names_are_the_same(db):
    from wirewatch.api.routes import event_filter

    api_names = [p for p in event_filter.__signature__.parameters if p != "request"]
    cli_names = [o for p in cli.commands["events"].params for o in p.opts if o.startswith("--")]
    for p in FILTER_PARAMS:
        assert p.name in api_names and p.option in cli_names
    assert "--actor-country" in cli_names and "--article-id" in cli_names  # the API had them, the CLI not
    export_names = [o for p in cli.commands["export"].params for o in p.opts]
    assert all(p.option in export_names for p in FILTER_PARAMS)


# ---- eval tells the task from the gold file ------------------------------------------------------------
def test_eval_refuses_a_gold_file_of_another_task():
    # was: scored geo gold as events and printed all zeros
    result = run("eval", str(DATA / "gold" / "geo_news.jsonl"), "--task", "events")
    assert result.exit_code == 1
    assert "this looks like a geo gold file" in result.stderr and "--task geo" in result.stderr


@pytest.mark.parametrize(
    ("name", "task"),
    [("geo_news.jsonl", "geo"), ("time_news.jsonl", "time"), ("events_news.jsonl", "events"),
     ("actors_news.jsonl", "actors"), ("actors_gsr.jsonl", "actors")],
)
def test_gold_task_detection(name, task):
    from wirewatch.evaluate.detect import detect_task

    assert detect_task(DATA / "gold" / name)[0] == task


def test_eval_without_task_scores_the_detected_task(tmp_path):
    gold = tmp_path / "g.jsonl"
    line = {"text": "Police arrested 20 people in Paris on Monday.", "published": "2020-03-02",
            "timexes": [{"start": 38, "end": 44, "value": "2020-03-02"}]}
    gold.write_text(json.dumps(line) + "\n")
    result = run("eval", str(gold), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["task"] == "time"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x"}\n')
    result = run("eval", str(bad))
    assert result.exit_code == 1 and "cannot tell which task" in result.stderr


# ---- closed pipe -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [["export", "--format", "csv", "-o", "-"], ["events", "--format", "jsonl"], ["events"],
     ["serve", "--get", "/api/events"]],
)
def test_closed_stdout_ends_quietly(db, args):
    # was: "Internal error: BrokenPipeError", exit 2 (`wirewatch export --format csv -o - | head`)
    proc = subprocess.Popen([sys.executable, "-m", "wirewatch", *args, "--db", db],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the first write
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 141), err
    assert b"Error" not in err and b"Traceback" not in err and b"Exception ignored" not in err, err


# ---- user data is text, not markup or escape sequences ------------------------------------------------
@pytest.mark.parametrize("name", ["x[/]y.txt", "[bold]loud[/bold].txt", "ansi\x1b[31mred\x1b[0m.txt"])
def test_hostile_file_names_in_the_summary(tmp_path, name):
    bad = tmp_path / name  # "x[/]y.txt" is the file "]y.txt" in the folder "x["
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text("")  # an empty file fails, so its name is printed in the summary
    result = run("ingest", "-q", str(bad), "--db", f"sqlite:///{tmp_path / 'e.db'}")
    assert result.exit_code == 1, result.output  # was: MarkupError, exit 2 for x[/]y.txt
    assert "\x1b" not in result.stderr
    assert ("[/]" in result.stderr) if "[/]" in name else True
    assert ("[bold]loud[/bold]" in result.stderr) if "bold" in name else True


def test_hostile_published_value_in_the_summary(tmp_path):
    art = tmp_path / "a.json"
    art.write_text(json.dumps({"text": "Rebels shelled Aleppo on Monday.", "published": "[/]"}))
    result = run("ingest", "-q", str(art), "--db", f"sqlite:///{tmp_path / 'e.db'}")
    assert result.exit_code in (0, 1), result.output  # was: MarkupError, exit 2
    assert "Internal error" not in result.stderr


def test_markup_in_event_fields_prints_as_typed(capsys, monkeypatch):
    monkeypatch.setattr(render, "out", render._Console(width=1000))  # one line per row: easy to search
    rec = {
        "date": {"value": "2015-01-26", "precision": "day"}, "event_type": "ASSAULT", "mode": None,
        "source": [{"text": "[bold]Rebels[/bold]", "name": None, "country": None, "sector": None}],
        "target": [{"text": "t", "name": "x[/]y \x1b[2Jwiped", "country": "SYR", "sector": "CVL"}],
        "trigger": {"text": "[red]shelled"}, "location": {"name": "Aleppo", "country": "SYR"},
        "modality": "asserted", "attribution": [{"text": "[link=http://e.x]src[/link]"}], "confidence": 0.5,
    }
    render.print_events([rec], total=26)
    out = capsys.readouterr().out
    assert "[bold]Rebels[/bold]" in out and "[red]shelled" in out and "x[/]y" in out
    assert "\x1b[2J" not in out and "\\x1b[2Jwiped" in out
    assert "1 of 26 events" in out


def test_table_title_says_how_many_of_the_total(db):
    result = run("events", "--db", db, "--limit", "2")
    assert result.exit_code == 0 and "2 of 3 events" in result.stdout  # was: "3 events"
    assert "events 3-3 of 3" in run("events", "--db", db, "--limit", "2", "--offset", "2").stdout
    assert "3 events" in run("events", "--db", db).stdout
    assert render.events_title(1, 1) == "1 event"


def test_error_messages_strip_control_characters(tmp_path):
    result = run("eval", f"{tmp_path}/\x1b[31mred.jsonl")
    assert result.exit_code == 1 and "\x1b" not in result.stderr and "\\x1b[31mred.jsonl" in result.stderr
    result = run("events", "--db", f"sqlite:///{tmp_path}/\x1b[31mred.db")
    assert result.exit_code == 1 and "\x1b" not in result.stderr


def test_alert_filters_print_as_typed(db):
    assert run("watch", "add", "loud", "--db", db, "--actor", "[bold]Rebels").exit_code == 0
    result = run("watch", "list", "--db", db)
    assert result.exit_code == 0 and "actor=[bold]Rebels" in result.stdout  # was: "actor=Rebels"
