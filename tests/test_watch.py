"""Saved alerts (wirewatch.watch + `wirewatch watch`) on a real SQLite file, and on PostgreSQL when
``WIREWATCH_TEST_PG_URL`` is set (with ``WIREWATCH_REQUIRE_PG=1`` a missing URL fails, never skips).

Records are built directly with test_store's builders: kobani_article() has 4 events (ev_warn
THREATEN/TUR 0.81, ev_close SANCTION/no place 0.41, ev_retook ASSAULT/Kobani SYR 0.87, ev_rally
PROTEST/Ankara TUR 0.3); aleppo_article() has 1 (ev_shell_<id> ASSAULT/Aleppo SYR 0.66).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from click.testing import CliRunner
from helpers import fresh_pg_schema
from test_store import aleppo_article, kobani_article

from wirewatch.cli import cli
from wirewatch.errors import UserError
from wirewatch.query import EventFilter
from wirewatch.store import Store
from wirewatch.store import migrations as mig
from wirewatch.watch import (
    Alert,
    AlertHit,
    add_alert,
    check_alerts,
    get_alert,
    list_alerts,
    pending,
    remove_alert,
    run_alerts,
)

PG_URL = os.environ.get("WIREWATCH_TEST_PG_URL")
REQUIRED = os.environ.get("WIREWATCH_REQUIRE_PG") == "1"
ALEPPO2 = ("Syrian government forces shelled Aleppo again on Monday, the Syrian Observatory said. "
           "Talks stalled.")
KOBANI_IDS = ["ev_warn", "ev_close", "ev_retook", "ev_rally"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path) -> Iterator[str]:
    """A fresh database: a SQLite file, or a fresh schema on the PostgreSQL test server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ww.db'}"
        return
    if not PG_URL:
        if REQUIRED:
            pytest.fail("WIREWATCH_REQUIRE_PG=1 but WIREWATCH_TEST_PG_URL is not set")
        pytest.skip("set WIREWATCH_TEST_PG_URL (scripts/start_postgres.sh)")
    yield from fresh_pg_schema(PG_URL)


@pytest.fixture
def store(store_url) -> Iterator[Store]:
    with Store.open(store_url) as st:
        yield st


def hit_ids(hits: list[AlertHit]) -> list[tuple[str, str]]:
    return [(h.alert, h.event["id"]) for h in hits]


# -- add / list / remove -----------------------------------------------------------------------------

def test_add_list_remove(store):
    assert "0003_alerts" in store.migrations()
    flt = EventFilter.from_params(type="ASSAULT,PROTEST", country="syr,irq", bbox="35,32,43,38",
                                  date_from="2014-10", date_to="2015", modality="asserted,reported",
                                  min_confidence="0.6", actor="Peshmerga", actor_country="IRQ", text="Kobani")
    a = add_alert(store, "syr-irq", flt)
    add_alert(store, "all", EventFilter())
    assert isinstance(a, Alert) and a.cursor == 0 and a.last_run is None
    assert a.created.tzinfo is not None
    listed = list_alerts(store)
    assert [x.name for x in listed] == ["all", "syr-irq"]
    got = get_alert(store, "syr-irq")
    assert got.filter == flt  # every field survives the JSON round trip
    assert got.filter.date_to == date(2015, 12, 31) and got.filter.bbox == (35.0, 32.0, 43.0, 38.0)
    assert got.to_dict()["filter"]["types"] == "ASSAULT,PROTEST"
    removed = remove_alert(store, "all")
    assert removed.name == "all"
    assert [x.name for x in list_alerts(store)] == ["syr-irq"]
    with pytest.raises(UserError, match="no alert named 'all'"):
        remove_alert(store, "all")


def test_bad_and_duplicate_names(store):
    add_alert(store, "wagner", EventFilter(actor="Wagner"))
    with pytest.raises(UserError, match="already exists"):
        add_alert(store, "wagner", EventFilter(types=("ASSAULT",)))
    assert get_alert(store, "wagner").filter.actor == "Wagner"  # the first one is kept
    for bad in ("", "two words", "-dash", "x" * 65, "semi;colon", "ünï"):
        with pytest.raises(UserError, match="bad alert name"):
            add_alert(store, bad, EventFilter())
    with pytest.raises(UserError, match="no alert named 'nope'; saved alerts: wagner"):
        check_alerts(store, ["nope"])
    with pytest.raises(UserError, match="no alert named"):
        get_alert(store, "missing")


# -- delivery ----------------------------------------------------------------------------------------

ALERTS = {
    "assault": (EventFilter(types=("ASSAULT",)), ["ev_retook", "ev_shell_art-aleppo"]),
    "syr-irq": (EventFilter.from_params(country="SYR,IRQ"), ["ev_retook", "ev_shell_art-aleppo"]),
    "turkey-actor": (EventFilter(actor_country="TUR"), ["ev_warn", "ev_close", "ev_retook", "ev_rally"]),
    "peshmerga": (EventFilter(actor="peshmerga"), ["ev_retook"]),
    "mit": (EventFilter(actor="MİT"), ["ev_warn", "ev_retook"]),
    "confident": (EventFilter(min_confidence=0.8), ["ev_warn", "ev_retook"]),
    "ankara-bbox": (EventFilter.from_params(bbox="32,39,33,40.5"), ["ev_rally"]),
    "north-syria-bbox": (EventFilter.from_params(bbox="36,35,39,38"), ["ev_retook", "ev_shell_art-aleppo"]),
    "assault-syr-conf": (EventFilter.from_params(type="ASSAULT", country="SYR,IRQ", min_confidence="0.7"),
                         ["ev_retook"]),
    "protest": (EventFilter(types=("PROTEST",), modality=("asserted",)), []),
    "kobani-text": (EventFilter(text="Kobani"), ["ev_warn", "ev_close", "ev_retook", "ev_rally"]),
    "since-2016": (EventFilter.from_params(since="2016", modality="reported"), ["ev_shell_art-aleppo"]),
}


def test_filters_respected(store):
    for name, (flt, _) in ALERTS.items():
        add_alert(store, name, flt)
    assert check_alerts(store) == []  # nothing stored yet
    store.add_analyzed(kobani_article())
    store.add_analyzed(aleppo_article())
    hits = check_alerts(store)
    by_alert: dict[str, list[str]] = {}
    for h in hits:
        by_alert.setdefault(h.alert, []).append(h.event["id"])
    for name, (_, want) in ALERTS.items():
        assert by_alert.get(name, []) == want, name
    assert [h.alert for h in hits] == sorted(h.alert for h in hits)  # alert by alert, by name
    # the event is the full SPEC record, as `events` returns it
    retook = next(h.event for h in hits if h.event["id"] == "ev_retook")
    assert retook == {k: v for k, v in store.event("ev_retook").items() if k != "evidence"}
    assert retook == kobani_article().events[2].to_dict()
    assert retook["location"]["name"] == "Kobanî" and retook["source"][0]["name"] == "Peshmerga"


def test_new_alert_starts_at_the_end_and_cursor_advances_once(store):
    store.add_analyzed(kobani_article())
    alert = add_alert(store, "assault", EventFilter(types=("ASSAULT",)))
    assert alert.cursor > 0 and pending(store, alert) == 0  # no flood of old events
    assert check_alerts(store) == []
    store.add_analyzed(aleppo_article())
    assert pending(store, get_alert(store, "assault")) == 1
    assert hit_ids(check_alerts(store)) == [("assault", "ev_shell_art-aleppo")]
    after = get_alert(store, "assault")
    assert after.cursor > alert.cursor and after.last_run is not None
    assert check_alerts(store) == []  # delivered once
    assert get_alert(store, "assault").cursor == after.cursor
    store.add_analyzed(aleppo_article("art-aleppo-2", ALEPPO2))
    assert hit_ids(check_alerts(store)) == [("assault", "ev_shell_art-aleppo-2")]
    assert check_alerts(store) == []


def test_dry_run_does_not_advance(store):
    add_alert(store, "all", EventFilter())
    store.add_analyzed(kobani_article())
    before = get_alert(store, "all")
    dry = check_alerts(store, advance=False)
    assert [h.event["id"] for h in dry] == KOBANI_IDS  # insertion order
    assert check_alerts(store, advance=False) == dry
    assert get_alert(store, "all") == before
    assert check_alerts(store) == dry
    assert check_alerts(store, advance=False) == []


def test_backfill(store):
    store.add_analyzed(kobani_article())
    store.add_analyzed(aleppo_article())
    add_alert(store, "late", EventFilter(types=("ASSAULT",)))
    back = add_alert(store, "back", EventFilter(types=("ASSAULT",)), backfill=True)
    assert back.cursor == 0 and pending(store, back) == 2
    assert hit_ids(check_alerts(store)) == [("back", "ev_retook"), ("back", "ev_shell_art-aleppo")]
    assert check_alerts(store) == []


def test_only_named_alerts_advance(store):
    add_alert(store, "a", EventFilter())
    add_alert(store, "b", EventFilter(types=("ASSAULT",)))
    store.add_analyzed(aleppo_article())
    assert hit_ids(check_alerts(store, ["b"])) == [("b", "ev_shell_art-aleppo")]
    assert hit_ids(check_alerts(store)) == [("a", "ev_shell_art-aleppo")]  # a was not advanced


def test_failed_delivery_does_not_advance(store):
    add_alert(store, "all", EventFilter())
    store.add_analyzed(kobani_article())
    seen: list[str] = []

    def deliver(hit: AlertHit) -> None:
        seen.append(hit.event["id"])
        if len(seen) == 2:
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        run_alerts(store, deliver)
    with pytest.raises(RuntimeError):
        run_alerts(store, lambda h: None, finish=lambda: (_ for _ in ()).throw(RuntimeError("flush")))
    assert [h.event["id"] for h in check_alerts(store)] == KOBANI_IDS  # all of them, again


def test_concurrent_runs_deliver_each_event_once(store_url):
    with Store.open(store_url) as st:
        add_alert(st, "all", EventFilter())
        st.add_analyzed(kobani_article())
    stores = [Store.open(store_url) for _ in range(4)]
    try:
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(check_alerts, stores))
        delivered = sorted(h.event["id"] for r in results for h in r)
        assert delivered == sorted(KOBANI_IDS)
    finally:
        for st in stores:
            st.close()


def test_alerts_added_to_an_existing_database(store_url, monkeypatch):
    """A database made before migration 0003 gets the alerts table on open; its events stay, and
    the cursor counts them as already there."""
    with monkeypatch.context() as m:
        m.setattr(mig, "MIGRATIONS", mig.MIGRATIONS[:2])
        with Store.open(store_url) as old:
            old.add_analyzed(kobani_article())
            assert "0003_alerts" not in old.migrations()
    with Store.open(store_url) as st:
        assert "0003_alerts" in st.migrations()
        add_alert(st, "all", EventFilter())
        assert check_alerts(st) == []
        st.add_analyzed(aleppo_article())
        assert hit_ids(check_alerts(st)) == [("all", "ev_shell_art-aleppo")]


# -- CLI ---------------------------------------------------------------------------------------------

def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_cli_end_to_end(store_url, tmp_path):
    db = ["--db", store_url]
    with Store.open(store_url) as st:
        st.add_analyzed(kobani_article())
    r = run("watch", "add", "syr", *db, "--type", "ASSAULT", "--country", "SYR,IRQ",
            "--min-confidence", "0.6")
    assert r.exit_code == 0, r.output
    assert "added alert syr" in r.output
    r = run("watch", "add", "back", *db, "--actor", "MİT", "--backfill")
    assert r.exit_code == 0 and "2 stored events will be delivered" in r.output
    r = run("watch", "list", *db, "--format", "jsonl")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(x["name"], x["pending"]) for x in rows] == [("back", 2), ("syr", 0)]
    assert rows[1]["filter"] == {"types": "ASSAULT", "country": "SYR,IRQ", "min_confidence": "0.6"}
    table = run("watch", "list", *db)
    assert table.exit_code == 0 and "syr" in table.stdout and "never" in table.stdout

    out = tmp_path / "hits.jsonl"
    r = run("watch", "run", *db, "--dry-run")  # prints, advances nothing
    assert r.exit_code == 0
    assert [json.loads(x)["event"]["id"] for x in r.stdout.splitlines()] == ["ev_warn", "ev_retook"]
    r = run("watch", "run", *db, "--output", str(out))
    assert r.exit_code == 0 and "alert back: 2 new events" in r.output
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [(x["alert"], x["event"]["id"]) for x in lines] == [("back", "ev_warn"), ("back", "ev_retook")]
    assert set(lines[0]) == {"alert", "event"} and lines[0]["event"]["article"]["id"] == "art-kobani"

    with Store.open(store_url) as st:
        st.add_analyzed(aleppo_article())
    r = run("watch", "run", "syr", *db, "--format", "table")
    assert r.exit_code == 0 and "alert syr: 1 new events" in r.output and "shelled" in r.stdout
    r = run("watch", "run", *db, "--output", str(out))  # appends; syr already delivered
    assert r.exit_code == 0 and "alert syr: 0 new events" in r.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2  # nothing new for back either

    r = run("watch", "remove", "syr", *db)
    assert r.exit_code == 0 and "removed alert syr" in r.output
    listed = run("watch", "list", *db, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(x)["name"] for x in listed] == ["back"]


def test_cli_every_keeps_running(store_url):
    db = ["--db", store_url]
    assert run("watch", "add", "all", *db, "--backfill").exit_code == 0
    with Store.open(store_url) as st:
        st.add_analyzed(aleppo_article())
    r = run("watch", "run", *db, "--every", "0", "--max-runs", "3")
    assert r.exit_code == 0
    assert r.stderr.count("alert all: 1 new events") == 1 and r.stderr.count("alert all: 0 new events") == 2
    assert len(r.stdout.splitlines()) == 1
    r = run("watch", "run", *db, "--max-runs", "2")
    assert r.exit_code == 1 and "--max-runs needs --every" in r.output


def test_cli_errors_are_one_line(store_url, tmp_path):
    db = ["--db", store_url]
    assert run("watch", "add", "a", *db, "--type", "ASSAULT", "--backfill").exit_code == 0
    with Store.open(store_url) as st:
        st.add_analyzed(aleppo_article())
    cases = [
        (("watch", "add", "a", *db), "already exists"),
        (("watch", "add", "bad name", *db), "bad alert name"),
        (("watch", "add", "b", *db, "--type", "BOMBING"), "unknown event type"),
        (("watch", "remove", "zz", *db), "no alert named 'zz'"),
        (("watch", "run", "zz", *db), "no alert named 'zz'"),
        (("watch", "run", *db, "--output", str(tmp_path / "no" / "dir.jsonl")), "cannot write"),
        (("watch", "run", *db, "--output", str(tmp_path), "--format", "jsonl"), "cannot write"),
        (("watch", "run", *db, "--output", str(tmp_path / "x"), "--format", "table"), "--format table"),
    ]
    for args, message in cases:
        r = run(*args)
        assert r.exit_code == 1, (args, r.output)
        assert message in r.output and len(r.output.strip().splitlines()) == 1, r.output
    # none of the failed runs advanced the alert
    r = run("watch", "run", *db)
    assert [json.loads(x)["event"]["id"] for x in r.stdout.splitlines()] == ["ev_shell_art-aleppo"]
