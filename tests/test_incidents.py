"""Incidents end to end: linking on ingest (real model, real SQLite), ids, manual edits, API, eval."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from helpers import fresh_pg_schema

from wirewatch.api import create_app
from wirewatch.cli import cli
from wirewatch.evaluate.incidents import b_cubed, ceaf_e, coref_scores, muc
from wirewatch.incidents import relink_all, split_incident
from wirewatch.incidents.link import ActorRef, LinkFeatures, pair_score
from wirewatch.incidents.model import ArticleRef, Party, Report, standing, summarize
from wirewatch.ingest.runner import ingest
from wirewatch.query import EventFilter
from wirewatch.store import Store
from wirewatch.store import migrations as mig

ROOT = Path(__file__).resolve().parent.parent
GOLD = Path(__file__).resolve().parent / "data" / "gold"

STORY = [
    "Suspected jihadists attacked a military base in Boni in central Mali on Tuesday, killing four "
    "soldiers, the army said.",
    "The attackers arrived on motorcycles before dawn and set fire to vehicles, a local official said.",
    "Troops repelled the assault after two hours of fighting.",
    "Protesters rallied in Bamako on Wednesday to demand better protection for the army.",
]


@pytest.fixture(scope="module")
def pipeline():
    from wirewatch.pipeline import Pipeline

    return Pipeline()


def _write(folder: Path, name: str, text: str, **meta: str) -> None:
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    (folder / f"{name}.json").write_text(json.dumps(meta), encoding="utf-8")


def _wire_folder(tmp_path: Path) -> Path:
    """The story from one outlet, and three other outlets' rewrites of it."""
    folder = tmp_path / "wire"
    folder.mkdir()
    title = "Jihadists attack army base in central Mali"
    _write(folder, "a", title + "\n\n" + " ".join(STORY), source="Reuters", published="2019-06-05",
           url="https://reuters.example/mali")
    # same text under a second URL: a near-duplicate, linked, not analysed again
    _write(folder, "b", title + "\n\n" + " ".join(STORY), source="AFP", published="2019-06-05",
           url="https://afp.example/mali-base")
    # a 4-sentence copy with one sentence changed and another headline (was missed at MinHash 0.8)
    changed = [*STORY[:2], "Soldiers pushed the attackers back after a two-hour gunfight.", STORY[3]]
    _write(folder, "c", "Four soldiers killed in Mali\n\n" + " ".join(changed), source="Al Jazeera",
           published="2019-06-06", url="https://aljazeera.example/mali")
    # a real rewrite: reordered, shortened, reworded (analysed; its events link to the same incidents)
    background = ("Mali is a landlocked country in West Africa with a population of about twenty million. "
                  "Its capital Bamako lies on the Niger river in the south-west of the country. "
                  "The country has large deposits of gold and its economy relies on farming and mining. "
                  "French is an official language and Bambara is widely spoken in the capital.")
    rewrite = " ".join((STORY[2], STORY[0], STORY[1], background))
    _write(folder, "d", "Mali update\n\n" + rewrite, source="The Associated Press",
           published="2019-06-06", url="https://ap.example/mali")
    return folder


def _incident_sets(store: Store) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for ev in store.iter_events():
        out.setdefault(ev["incident"], set()).add(ev["id"])
    return out


def test_wire_copies_give_the_incident_counts_of_the_story_alone(tmp_path, pipeline):
    folder = _wire_folder(tmp_path)
    alone = tmp_path / "alone"
    alone.mkdir()
    for suffix in ("txt", "json"):
        (alone / f"a.{suffix}").write_text((folder / f"a.{suffix}").read_text())
    with Store.open(f"sqlite:///{tmp_path / 'alone.db'}") as st:
        ingest([alone], st, pipeline)
        true_count = st.count_incidents()
        story_events = st.count_events()
    with Store.open(f"sqlite:///{tmp_path / 'all.db'}") as st:
        summary = ingest([folder], st, pipeline)
        assert (summary.added, summary.near_duplicates) == (2, 2)  # b and c are copies of a
        assert st.count_events() > story_events  # the rewrite was analysed ...
        assert st.count_incidents() == true_count  # ... and added no incident
        attack = st.incidents(EventFilter(types=("ASSAULT",)), order="-reports")[0]
        assert attack["n_outlets"] == 4 and attack["n_articles"] == 4
        assert set(attack["outlets"]) == {"Reuters", "AFP", "Al Jazeera", "The Associated Press"}
        assert attack["first_report"] == "2019-06-05" and attack["last_report"] == "2019-06-06"
        assert attack["n_reports"] >= 2 and len(attack["event_ids"]) == attack["n_reports"]
        protest = st.incidents(EventFilter(types=("PROTEST",)))
        assert protest and all(p["id"] != attack["id"] for p in protest)


def test_ids_are_stable_and_manual_edits_survive(tmp_path, pipeline):
    folder = _wire_folder(tmp_path)
    url1, url2 = f"sqlite:///{tmp_path / '1.db'}", f"sqlite:///{tmp_path / '2.db'}"
    for url in (url1, url2):
        with Store.open(url) as st:
            ingest([folder], st, pipeline)
    with Store.open(url1) as a, Store.open(url2) as b:
        assert _incident_sets(a) == _incident_sets(b)  # same articles, same incident ids
        before = _incident_sets(a)
        ingest([folder], a, pipeline)  # re-ingest: nothing changes
        assert _incident_sets(a) == before
    db = ["--db", url1]
    runner = CliRunner()
    with Store.open(url1) as st:
        big = st.incidents(order="-reports")[0]
        other = next(i for i in st.incidents(limit=1000) if i["id"] != big["id"])
    moved = big["event_ids"][-1]
    res = runner.invoke(cli, ["incidents", "split", big["id"], moved, *db])
    assert res.exit_code == 0, res.output
    new_id = res.stdout.strip().splitlines()[0]
    res = runner.invoke(cli, ["incidents", "merge", big["id"], other["id"], *db])
    assert res.exit_code == 0, res.output
    with Store.open(url1) as st:
        edited = _incident_sets(st)
        assert edited[new_id] == {moved}
        assert set(other["event_ids"]) <= edited[big["id"]] and moved not in edited[big["id"]]
        assert st.incident(big["id"])["manual"] is True
    res = runner.invoke(cli, ["incidents", "relink", *db])
    assert res.exit_code == 0 and "2 manual edits replayed" in res.output
    with Store.open(url1) as st:
        assert _incident_sets(st) == edited  # recomputed from scratch, the edits replayed
    # bad input: one line, exit 1
    res = runner.invoke(cli, ["incidents", "split", big["id"], "ev_nope", *db])
    assert res.exit_code == 1 and "no such event" in res.output
    res = runner.invoke(cli, ["incidents", "merge", big["id"], big["id"], *db])
    assert res.exit_code == 1


def test_api_contract(tmp_path, pipeline):
    folder = _wire_folder(tmp_path)
    url = f"sqlite:///{tmp_path / 'api.db'}"
    with Store.open(url) as st:
        ingest([folder], st, pipeline)
        n_events = st.count_events()
    with TestClient(create_app(url)) as client:
        body = client.get("/api/incidents", params={"limit": 1000}).json()
        assert body["total"] == len(body["incidents"]) > 0
        inc = max(body["incidents"], key=lambda i: i["n_reports"])
        for key in ("id", "event_type", "mode", "location", "date", "first_report", "last_report",
                    "n_reports", "n_articles", "n_outlets", "outlets", "standing", "event_ids"):
            assert key in inc, key
        assert set(inc["date"]) == {"value", "precision", "start", "end"}
        assert {"claimed_by", "denied_by", "asserted_independently"} <= set(inc["standing"])
        assert inc["location"] is None or "resolution" in inc["location"]
        one = client.get(f"/api/incidents/{inc['id']}").json()["incident"]
        assert [r["id"] for r in one["reports"]] == inc["event_ids"]
        rep = one["reports"][0]
        assert rep["incident"] == inc["id"] and rep["outlet"] and rep["modality"]
        assert rep["evidence"]["sentence_text"] and rep["evidence"]["spans"]
        assert client.get("/api/incidents/inc_nope").status_code == 404
        syr = client.get("/api/incidents", params={"country": "SYR"}).json()
        assert syr["total"] == 0 and syr["incidents"] == []
        by_type = client.get("/api/aggregate", params={"by": "type"}).json()
        assert by_type["count"] == "incidents"
        assert sum(b["count"] for b in by_type["buckets"]) == body["total"]
        assert sum(b["events"] for b in by_type["buckets"]) == n_events
        events = client.get("/api/aggregate", params={"by": "type", "count": "events"}).json()
        assert sum(b["count"] for b in events["buckets"]) == n_events > body["total"]
        days = client.get("/api/aggregate", params={"by": "day", "type": "ASSAULT"}).json()["buckets"]
        assert sum(b["count"] for b in days) <= sum(b["events"] for b in days)
        geo = client.get("/api/events.geojson").json()
        assert geo["total"] == body["total"]
        assert len({f["properties"]["incident"] for f in geo["features"]}) == len(geo["features"])
        assert client.get("/api/events.geojson", params={"count": "events"}).json()["total"] == n_events
        actors = client.get("/api/actors").json()["actors"]
        assert actors and all(a["count"] == a["incidents"] <= a["events"] for a in actors)
        assert client.get("/api/aggregate", params={"count": "reports"}).status_code == 400
        assert client.get("/api/incidents", params={"order": "size"}).status_code == 400


def test_cli_incidents_table_and_json(tmp_path, pipeline):
    folder = _wire_folder(tmp_path)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    with Store.open(url) as st:
        ingest([folder], st, pipeline)
        total = st.count_incidents()
    runner = CliRunner()
    res = runner.invoke(cli, ["incidents", "--db", url, "--format", "json"])
    assert res.exit_code == 0
    assert json.loads(res.stdout)["total"] == total
    res = runner.invoke(cli, ["incidents", "--db", url, "--type", "ASSAULT"])
    assert res.exit_code == 0 and "ASSAULT" in res.stdout and "incidents" in res.stdout
    res = runner.invoke(cli, ["incidents", "--db", url, "--format", "jsonl", "--country", "MLI"])
    assert all(json.loads(line)["event_ids"] for line in res.stdout.splitlines())
    res = runner.invoke(cli, ["incidents", "show", "inc_missing", "--db", url])
    assert res.exit_code == 1 and "no incident" in res.output


def test_old_database_gets_incidents_on_open(tmp_path, pipeline):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    folder = _wire_folder(tmp_path)
    mp = pytest.MonkeyPatch()
    mp.setattr(mig, "MIGRATIONS", tuple(m for m in mig.MIGRATIONS if m[0] != "0020_incidents"))
    try:
        with Store.open(url) as old:
            ingest([folder], old, pipeline)
            n = old.count_events()
    finally:
        mp.undo()
    with Store.open(url) as st:
        assert "0020_incidents" in st.migrations()
        assert all(e["incident"] for e in st.iter_events()) and st.count_events() == n
        assert 0 < st.count_incidents() < n


# -- pure parts ----------------------------------------------------------------------------------
def _features(**kw) -> LinkFeatures:
    base = dict(event_id="ev_1", pk=1, article_id="a1", incident_id="inc_1", event_type="ASSAULT",
                window=(date(2019, 6, 4), date(2019, 6, 4)), precise=True, lat=15.0, lon=-2.0,
                country="MLI", resolution="city",
                actors=(ActorRef("source", "~REB:jihadists@a1", None, "REB", False),),
                words=frozenset({"jihadists", "attacked", "base", "boni"}), trigger="attack")
    base.update(kw)
    return LinkFeatures(**base)


def test_pair_score_rules():
    a = _features()
    b = _features(event_id="ev_2", pk=2, article_id="a2",
                  actors=(ActorRef("source", "~REB:jihadists@a2", None, "REB", False),))
    assert pair_score(a, b) > 0.9  # article-scoped ids still match across articles by kind
    assert pair_score(a, _features(event_type="PROTEST")) is None
    assert pair_score(a, _features(window=(date(2019, 6, 9), date(2019, 6, 9)))) is None
    assert pair_score(a, _features(lat=16.0)) is None  # 111 km apart at city resolution
    assert pair_score(a, _features(country="NER")) is None
    known = _features(actors=(ActorRef("source", "MLIMIL", "MLI", "MIL", True),))
    other = _features(actors=(ActorRef("source", "FRAMIL", "FRA", "MIL", True),))
    assert pair_score(known, other) < pair_score(known, known)


def _report(i: int, modality: str, outlet: str, claimant: str | None = None, **kw) -> Report:
    base = dict(event_id=f"ev_{i}", pk=i, article_id=f"a{i}", event_type="ASSAULT", mode=None,
                cameo_root="19", modality=modality, confidence=0.5, date_value="2019-06-04",
                date_precision="day", date_start=date(2019, 6, 4), date_end=date(2019, 6, 4), date_class=0,
                place=None, published=date(2019, 6, 5), outlet=outlet,
                claimants=(Party("IMGISI", claimant),) if claimant else ())
    base.update(kw)
    return Report(**base)


def test_a_claim_repeated_by_ten_outlets_is_one_party():
    reports = [_report(i, "claimed", f"Outlet {i}", "Islamic State") for i in range(10)]
    reports.append(_report(10, "negated", "Outlet 0", None, claimants=(Party(None, "the army"),)))
    st = standing(reports)
    assert len(st["claimed_by"]) == 1 and st["claimed_by"][0]["n_reports"] == 10
    assert len(st["claimed_by"][0]["outlets"]) == 10
    assert st["denied_by"][0]["party"] == "the army"
    assert st["summary"] == "disputed" and st["asserted_independently"] is False
    sm = summarize(reports, [ArticleRef(r.article_id, r.outlet, r.published) for r in reports])
    assert (sm.n_reports, sm.n_articles, sm.n_outlets) == (11, 11, 10)
    assert standing([*reports, _report(11, "asserted", "Reuters")])["asserted_independently"] is True


def test_coreference_metrics():
    key = {1: "a", 2: "a", 3: "a", 4: "b", 5: "b"}
    assert coref_scores(key, dict(key))["conll_f1"] == 1.0
    one = [{1, 2, 3, 4, 5}]
    k = [{1, 2, 3}, {4, 5}]
    assert muc(k, one)[1] == 1.0 and muc(k, one)[0] == pytest.approx(3 / 4)
    p, r, _ = b_cubed(k, one)
    assert r == 1.0 and p == pytest.approx((3 * 3 / 5 + 2 * 2 / 5) / 5)
    assert ceaf_e(k, one)[1] == pytest.approx((2 * 3 / 8) / 2)


def test_eval_task_on_wire_copies_and_meantime(tmp_path, pipeline):
    from wirewatch.evaluate.incidents import evaluate

    wire = tmp_path / "wire.jsonl"
    wire.write_text("".join((GOLD / "incidents_wire.jsonl").read_text().splitlines(True)[:8]))
    report = evaluate(wire, pipeline)
    m = report.metrics
    assert m["events"] > 0 and m["incidents_found"] > 0
    assert m["count_error"] <= 0.1 and m["b3_f1"] >= 0.8
    meantime = tmp_path / "mt.jsonl"
    meantime.write_text("".join((GOLD / "incidents_meantime.jsonl").read_text().splitlines(True)[:12]))
    m = evaluate(meantime, pipeline).metrics
    assert m["events"] > 0 and 0.0 <= m["b3_f1"] <= 1.0 and 0.0 <= m["conll_f1"] <= 1.0


def test_exports_load_with_the_right_dtypes(tmp_path, pipeline):
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from wirewatch.export import CSV_DTYPES
    from wirewatch.export_incidents import INCIDENT_CSV_DTYPES

    folder = _wire_folder(tmp_path)
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with Store.open(url) as st:
        ingest([folder], st, pipeline)
        n_events, n_inc = st.count_events(), st.count_incidents()
        located = sum(1 for e in st.iter_events() if e["location"] and e["location"]["lat"] is not None)
    runner = CliRunner()
    paths = {}
    for what in ("events", "incidents"):
        for fmt in ("csv", "parquet", "geojson", "jsonl"):
            paths[what, fmt] = tmp_path / f"{what}.{fmt}"
            res = runner.invoke(cli, ["export", "--db", url, "--what", what, "--format", fmt,
                                      "-o", str(paths[what, fmt])])
            assert res.exit_code == 0, res.output
            if what == "events" and fmt == "geojson":
                assert f"wrote {located} of {n_events} events" in res.output
                assert f"{n_events - located} without a location" in res.output
    ev = pd.read_csv(paths["events", "csv"], dtype=CSV_DTYPES,
                     parse_dates=["published", "date_start", "date_end"])
    assert len(ev) == n_events and ev["cameo_root"].str.fullmatch(r"\d\d").all()
    assert str(ev["cameo_root"].dtype) == "string" and ev["lat"].dtype == "float64"
    assert str(ev["date_start"].dtype).startswith("datetime64") and (ev["date_start"] <= ev["date_end"]).all()
    assert ev["incident"].str.startswith("inc_").all() and ev["sentence_text"].notna().all()
    assert set(ev["resolution"].dropna()) <= {"country", "admin1", "admin2", "city", "sub-city"}
    table = pq.read_table(paths["events", "parquet"])
    assert table.schema.field("date_start").type == pa.date32()
    assert table.schema.field("cameo_root").type == pa.string()
    assert table.schema.field("sentence_index").type == pa.int32()
    frame = table.to_pandas()
    assert frame["cameo_root"].iloc[0] in {"19", "04", "14", "11", "08", "02", "03", "05", "06", "07",
                                          "12", "13", "15", "16", "17", "18", "20", "01", "09", "10"}
    assert json.loads(frame["record_json"].iloc[0])["incident"] == frame["incident"].iloc[0]
    inc = pd.read_csv(paths["incidents", "csv"], dtype=INCIDENT_CSV_DTYPES, parse_dates=["date_start"])
    assert len(inc) == n_inc and inc["n_reports"].sum() == n_events
    assert str(inc["n_outlets"].dtype) == "Int32" and str(inc["asserted_independently"].dtype) == "boolean"
    it = pq.read_table(paths["incidents", "parquet"])
    assert it.schema.field("first_report").type == pa.date32()
    assert it.schema.field("n_reports").type == pa.int32()
    assert it.schema.field("asserted_independently").type == pa.bool_()
    assert it.num_rows == n_inc
    lines = paths["incidents", "jsonl"].read_text().splitlines()
    assert len(lines) == n_inc and all(json.loads(x)["standing"] for x in lines)
    geo = json.loads(paths["incidents", "geojson"].read_text())
    assert all(f["properties"]["id"].startswith("inc_") for f in geo["features"])


PG_URL = os.environ.get("WIREWATCH_TEST_PG_URL")


@pytest.mark.skipif(not PG_URL and os.environ.get("WIREWATCH_REQUIRE_PG") != "1",
                    reason="set WIREWATCH_TEST_PG_URL (scripts/start_postgres.sh)")
def test_postgresql_links_as_sqlite_does(tmp_path, pipeline):
    assert PG_URL, "WIREWATCH_REQUIRE_PG=1 but WIREWATCH_TEST_PG_URL is not set"
    folder = _wire_folder(tmp_path)
    with Store.open(f"sqlite:///{tmp_path / 'lite.db'}") as lite:
        ingest([folder], lite, pipeline)
        want = _incident_sets(lite)
        want_list = lite.incidents(limit=1000)
        want_days = lite.aggregate(None, "day", count="incidents")
    for url in fresh_pg_schema(PG_URL):
        with Store.open(url) as pg:
            ingest([folder], pg, pipeline)
            assert _incident_sets(pg) == want
            assert pg.incidents(limit=1000) == want_list
            assert pg.aggregate(None, "day", count="incidents") == want_days
            big = pg.incidents(order="-reports")[0]
            new_id = split_incident(pg, big["id"], big["event_ids"][-1:])
            assert pg.incident(new_id)["event_ids"] == big["event_ids"][-1:]
            assert relink_all(pg)["edits_replayed"] == 1
            assert pg.incident(new_id)["n_reports"] == 1


def _actor_incidents_in_step(store) -> None:
    from sqlalchemy import select

    from wirewatch.store import schema as sch

    with store.engine.connect() as conn:
        ev = dict(conn.execute(select(sch.events.c.id, sch.events.c.incident_id)).all())
        rows = conn.execute(select(sch.event_actors.c.event_id, sch.event_actors.c.incident_id)).all()
    assert rows and all(inc == ev[eid] for eid, inc in rows)


def test_event_actors_carry_their_events_incident_through_merge_split_relink(tmp_path):
    # actors counted by incidents read event_actors.incident_id alone: it must follow every move
    from wirewatch.incidents import merge_incidents

    with Store.open(f"sqlite:///{tmp_path / 'a.db'}") as store:
        ingest([ROOT / "examples"], store)
        _actor_incidents_in_step(store)
        incs = store.incidents(None, limit=50)
        with_two = next(i for i in incs if len(i["event_ids"]) >= 2)
        other = next(i for i in incs if i["id"] != with_two["id"])
        new_id = split_incident(store, with_two["id"], with_two["event_ids"][:1])
        _actor_incidents_in_step(store)
        merge_incidents(store, other["id"], new_id)
        _actor_incidents_in_step(store)
        relink_all(store)
        _actor_incidents_in_step(store)
        top = store.actors(None, limit=5, count="incidents")
        assert top and all(a["incidents"] <= a["events"] for a in top)
