"""Scale: parallel analysis = one worker, batched writes, the stored LSH index, concurrent first opens,
and linear cost (each stage looks at the event's sentence, not the whole document)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from conftest import ROOT
from helpers import synthetic_news, write_jsonl
from sqlalchemy import event as sa_event

from wirewatch.ingest.dedupe import band_hashes, minhash, to_bytes
from wirewatch.ingest.runner import ingest
from wirewatch.parallel import analyze_parallel
from wirewatch.query import EventFilter
from wirewatch.records import Article
from wirewatch.store import Store


@pytest.fixture
def pg_url_fresh():
    from helpers import fresh_pg_schema, pg_server_or_skip

    url = pg_server_or_skip()
    yield from fresh_pg_schema(url)


@pytest.fixture(scope="module")
def pipeline():
    from wirewatch.pipeline import Pipeline

    return Pipeline()


def _articles(n: int, seed: int = 5) -> list[Article]:
    return [Article(id=f"a{i}", text=r["text"], published=date.fromisoformat(r["published"]), origin=f"a{i}")
            for i, r in enumerate(synthetic_news(n, seed=seed))]


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "spawned"])
def test_two_workers_give_the_same_events_in_the_same_order(pipeline, monkeypatch, fork):
    """Forked workers share this process's pipeline; spawned ones (where other threads run) load
    their own: both give exactly the events of one worker, in input order."""
    import wirewatch.parallel

    monkeypatch.setattr(wirewatch.parallel, "can_fork", lambda: fork)
    articles = _articles(40)
    one = [r.analyzed.events for r in analyze_parallel(articles, workers=1, pipeline=pipeline, batch_size=8)]
    two = list(analyze_parallel(articles, workers=2, batch_size=8))
    assert [r.article.id for r in two] == [a.id for a in articles]
    assert all(r.error is None for r in two)
    assert [tuple(e.to_dict() for e in r.analyzed.events) for r in two] == [
        tuple(e.to_dict() for e in evs) for evs in one]
    assert sum(len(evs) for evs in one) > 40


class _Boom:
    """The real pipeline, except that articles containing "EXPLODE" raise (fault injection)."""

    def __init__(self, pipeline) -> None:
        self.pipeline, self.model = pipeline, pipeline.model

    def analyze(self, article):
        if "EXPLODE" in article.text:
            raise RuntimeError("injected")
        return self.pipeline.analyze(article)

    def analyze_many(self, articles):
        return [self.analyze(a) for a in articles]


def test_one_failing_article_is_reported_alone(pipeline):
    articles = _articles(6)
    articles[2] = Article(id="bad", text="EXPLODE. Police arrested ten men.", origin="bad")
    out = list(analyze_parallel(articles, workers=1, pipeline=_Boom(pipeline), batch_size=4))
    assert [r.article.id for r in out] == [a.id for a in articles]
    assert [r.error is not None for r in out] == [False, False, True, False, False, False]
    assert "injected" in out[2].error


def test_forked_workers_run_the_callers_pipeline_and_report_its_failures(pipeline, monkeypatch):
    """The fork path hands the workers this process's pipeline object (no model load per worker):
    the fault-injecting wrapper, which a fresh process could not have, fails exactly its article."""
    import wirewatch.parallel

    monkeypatch.setattr(wirewatch.parallel, "can_fork", lambda: True)
    articles = _articles(24)
    articles[13] = Article(id="bad", text="EXPLODE. Police arrested ten men.", origin="bad")
    out = list(analyze_parallel(articles, workers=2, pipeline=_Boom(pipeline), batch_size=4))
    assert [r.article.id for r in out] == [a.id for a in articles]
    assert [i for i, r in enumerate(out) if r.error is not None] == [13]
    assert "injected" in out[13].error
    assert wirewatch.parallel._WORKER_PIPELINE is None  # not kept after the run


def _stored(store: Store) -> tuple[list, list, dict]:
    evs = store.events(None, limit=5000, order="article")
    return [e["id"] for e in evs], [e["incident"] for e in evs], store.stats()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_ingest_on_two_forked_workers_stores_what_one_worker_stores(tmp_path, pipeline, backend, monkeypatch):
    """The writer's open database connection is inherited by the forked workers, which never use
    it: after the run the store works and holds exactly what a one-worker ingest wrote."""
    import wirewatch.parallel

    monkeypatch.setattr(wirewatch.parallel, "can_fork", lambda: True)
    corpus = write_jsonl(tmp_path / "c.jsonl", synthetic_news(40, seed=12))
    if backend == "postgres":
        from helpers import fresh_pg_schema, pg_server_or_skip

        server = pg_server_or_skip()
        urls = [fresh_pg_schema(server), fresh_pg_schema(server)]
        one_url, two_url = next(urls[0]), next(urls[1])
    else:
        one_url, two_url = f"sqlite:///{tmp_path / 'one.db'}", f"sqlite:///{tmp_path / 'two.db'}"
    with Store.open(one_url) as one:
        first = ingest([corpus], one, pipeline=pipeline, batch_size=8, workers=1)
        expected = _stored(one)
    with Store.open(two_url) as two:
        summary = ingest([corpus], two, pipeline=pipeline, batch_size=8, workers=2)
        assert not summary.failed and summary.added == first.added > 32  # more than two batches
        assert _stored(two) == expected and len(expected[0]) > 40
    if backend == "postgres":
        for gen in urls:
            gen.close()  # drops the schema


def test_fork_is_refused_while_another_thread_runs():
    import threading

    from wirewatch.parallel import can_fork

    assert can_fork() == (threading.active_count() == 1)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not can_fork()
    finally:
        stop.set()
        thread.join()


def test_one_write_transaction_per_batch(tmp_path, pipeline):
    corpus = write_jsonl(tmp_path / "c.jsonl", synthetic_news(20, seed=3))
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        begins: list[str] = []
        sa_event.listen(store.engine, "begin", lambda conn: begins.append("w" if conn.get_execution_options()
                                                                           .get("wirewatch_write") else "r"))
        summary = ingest([corpus], store, pipeline, batch_size=8)
        assert summary.added == 20
        assert begins.count("w") == 3  # 8 + 8 + 4 articles: three transactions, not twenty


def test_near_duplicate_of_a_stored_article_found_by_band_lookup(tmp_path, pipeline, kobani_text):
    url = f"sqlite:///{tmp_path / 's.db'}"
    first = write_jsonl(tmp_path / "a.jsonl", [{"text": kobani_text, "published": "2015-02-13"}])
    with Store.open(url) as store:
        assert ingest([first], store, pipeline).added == 1
    copy = write_jsonl(tmp_path / "b.jsonl", [
        {"text": "Spies warn of infiltration\n\n" + kobani_text, "published": "2015-02-13"}])
    with Store.open(url) as store:
        store.minhashes = None  # the run must not load every stored signature
        summary = ingest([copy], store, pipeline)
        assert (summary.added, summary.near_duplicates) == (0, 1)
        assert store.stats()["duplicates"] == 1
        hits = store.similar(band_hashes(minhash("Spies warn of infiltration\n\n" + kobani_text)))
        assert len(hits) == 1 and len(hits[0][1]) == 128 * 8
        assert store.similar(band_hashes(minhash("Completely different text about football."))) == []


def test_band_migration_backfills_stored_signatures(tmp_path, pipeline, kobani_text):
    from sqlalchemy import delete

    from wirewatch.store import migrations as mig
    from wirewatch.store import schema

    url = f"sqlite:///{tmp_path / 's.db'}"
    with Store.open(url) as store:
        analyzed = pipeline.analyze(Article(id="k", text=kobani_text))
        store.add_analyzed(analyzed, to_bytes(minhash(kobani_text)))
        with store.engine.begin() as conn:  # as a database made before 0030
            conn.execute(delete(schema.lsh_bands))
            conn.execute(delete(schema.migrations).where(schema.migrations.c.name == "0030_lsh_bands"))
            conn.exec_driver_sql("DROP TABLE lsh_bands")
        assert mig.migrate(store.engine) == ["0030_lsh_bands"]
        assert [k for k, _ in store.similar(band_hashes(minhash(kobani_text)))] == ["k"]


OPEN = "import sys; from wirewatch.store import Store; Store.open(sys.argv[1]).close(); print('ok')"


def test_concurrent_first_open_of_a_fresh_sqlite_file(tmp_path):
    for attempt in range(3):
        url = f"sqlite:///{tmp_path / f'fresh{attempt}.db'}"
        procs = [subprocess.Popen([sys.executable, "-c", OPEN, url], cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
        outs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0, 0], [e for _, e in outs]
        with Store.open(url) as store:
            names = store.migrations()
        assert len(names) == len(set(names)) and "0030_lsh_bands" in names


@pytest.mark.postgres
def test_concurrent_first_open_of_a_fresh_postgres_schema(pg_url_fresh):
    procs = [subprocess.Popen([sys.executable, "-c", OPEN, pg_url_fresh], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [e for _, e in outs]
    with Store.open(pg_url_fresh) as store:
        names = store.migrations()
    assert len(names) == len(set(names)) and "0030_lsh_bands" in names


def test_stages_see_only_the_event_sentence(pipeline):
    """SentenceIndex hands locate/date_event a sentence's share, with the same answers as the full
    lists (the O(n) per event scan made long documents quadratic)."""
    from wirewatch.pipeline import SentenceIndex

    text = ("ANKARA, Feb 12 (Reuters) - Turkish troops shelled Kobani on Monday. "
            "Police arrested 20 men in Istanbul on March 3, 2015. "
            "Kurdish fighters attacked a post near Mosul last week.")
    article = Article(id="s", text=text, published=date(2015, 3, 5))
    doc = pipeline.nlp(text)
    analyzed = pipeline.from_doc(article, doc)
    near = SentenceIndex(analyzed.sentences, analyzed.toponyms, analyzed.timexes)
    assert len(analyzed.events) >= 3
    drafts = pipeline.events.extract(doc, list(analyzed.mentions))
    for d in drafts:
        assert pipeline.geo.locate(doc, d, near.toponyms(d)) == pipeline.geo.locate(
            doc, d, list(analyzed.toponyms))
        assert pipeline.time.date_event(doc, d, near.timexes(d), article.published) == \
            pipeline.time.date_event(doc, d, list(analyzed.timexes), article.published)
        assert all(d.sentence.start <= t.start < d.sentence.end for t in near.toponyms(d))


def _scan_and_counted(store):
    everything = EventFilter(min_confidence=0.0)  # matches all events but takes the scanning path
    assert not everything.is_empty()
    scanned = {by: store.aggregate(everything, by) for by in ("day", "month", "year", "type", "country",
                                                               "modality")}
    counted = {by: store.aggregate(EventFilter(), by) for by in scanned}
    return scanned, counted, everything


def test_counters_kept_on_write_equal_the_scans(tmp_path, pipeline, kobani_text):
    from wirewatch.store import counters, schema
    from wirewatch.store import migrations as mig

    corpus = write_jsonl(tmp_path / "c.jsonl", synthetic_news(12, seed=9) + [
        {"text": kobani_text, "published": "2015-02-13"},
        {"text": "Spies warn\n\n" + kobani_text, "published": "2015-02-13"}])
    url = f"sqlite:///{tmp_path / 's.db'}"
    with Store.open(url) as store:
        ingest([corpus], store, pipeline, batch_size=5)
        scanned, counted, everything = _scan_and_counted(store)
        assert counted == scanned and scanned["day"] and scanned["type"]
        assert store.count_events() == store.count_events(everything) > 12
        assert store.actors(EventFilter(), limit=5) == store.actors(everything, limit=5)
        stats = store.stats()
        assert (stats["articles"], stats["duplicates"]) == (13, 1)
        with store.engine.connect() as conn:
            from sqlalchemy import func, select

            n_mentions = conn.execute(select(func.count()).select_from(schema.mentions)).scalar()
            assert stats["mentions"] == n_mentions
            assert stats["last_event_date"] == conn.execute(select(func.max(schema.events.c.date_end))
                                                            ).scalar().isoformat()
        live = sorted(counters.buckets(store.engine.connect(), "actor"))
        # the migration's backfill counts the same as the writes did
        with store.engine.begin() as conn:
            conn.execute(schema.event_counts.delete())
            conn.execute(schema.migrations.delete().where(schema.migrations.c.name.in_(
                ("0031_event_counts", "0034_incident_derived"))))
        assert mig.migrate(store.engine) == ["0031_event_counts", "0034_incident_derived"]
        # (the re-applied migration is recorded again, now after the later ones: compare as a set)
        again = store.stats()
        assert _scan_and_counted(store)[1] == scanned
        assert {**again, "migrations": sorted(again["migrations"])} == {**stats, "migrations": sorted(
            stats["migrations"])}
        assert sorted(counters.buckets(store.engine.connect(), "actor")) == live


def test_bench_sweep_reports_per_1k_words():
    from click.testing import CliRunner

    from wirewatch.cli import cli

    result = CliRunner().invoke(cli, ["bench", "--articles", "3", "--rounds", "2", "--sweep", "100,400",
                                      "--json"])
    assert result.exit_code == 0, result.output
    import json

    data = json.loads(result.stdout)
    assert [round(r["words"], -2) for r in data["sweep"]] == [100, 400]
    assert all(r["stages_ms_per_1k"] > 0 and r["events_ms_per_1k"] > 0 for r in data["sweep"])
    assert data["rounds"] == 2 and len(data["spread"]["ratios"]) == 2
    assert data["corpus"].startswith("wikinews")


def test_parallel_extract_with_a_missing_model_is_one_line_error(tmp_path):
    from click.testing import CliRunner

    from wirewatch.cli import cli

    corpus = write_jsonl(tmp_path / "c.jsonl", synthetic_news(40, seed=1))
    result = CliRunner().invoke(cli, ["extract", str(corpus), "--workers", "2", "--model", "no_such_model"])
    assert result.exit_code == 1 and "no_such_model' is not installed" in result.output


@pytest.mark.postgres
def test_a_continent_population_fits_on_postgres(pg_url_fresh, pipeline, kobani_text):
    """Real news names continents (Asia: 4.7 billion people): over PostgreSQL's INTEGER (0004)."""
    from dataclasses import replace

    analyzed = pipeline.analyze(Article(id="big", text=kobani_text, published=date(2015, 2, 13)))
    placed = [t for t in analyzed.toponyms if t.place is not None]
    assert placed
    huge = replace(placed[0], place=replace(placed[0].place, population=4_700_000_000))
    analyzed = replace(analyzed, toponyms=tuple(huge if t is placed[0] else t for t in analyzed.toponyms))
    with Store.open(pg_url_fresh) as store:
        assert store.add_analyzed(analyzed)
        assert "0004_population_bigint" in store.migrations()


def test_text_filters_by_article_key_agree_with_every_plan_and_the_backfill(tmp_path, pipeline):
    # a text filter tests events.article_pk (0036) against the FTS rowids: alone it drives by that key's
    # index, with a type or country by their range (``+ 0``); both must select what the other filters
    # and the text select separately, and the migration's backfill must give the keys writes gave
    from sqlalchemy import select

    from wirewatch.store import migrations as mig
    from wirewatch.store import schema

    corpus = write_jsonl(tmp_path / "c.jsonl", synthetic_news(14, seed=21))
    with Store.open(f"sqlite:///{tmp_path / 't.db'}") as store:
        ingest([corpus, ROOT / "examples"], store, pipeline, batch_size=6)
        every = store.events(EventFilter(), limit=1000)
        incidents = store.incidents(None, limit=1000)
        assert len(every) > 20

        def answers() -> dict:
            out = {}
            for word in ("police", "Kobani", "militants", "the"):
                hits = [e["id"] for e in store.events(EventFilter(text=word), limit=1000)]
                out[word] = hits
                for typ in sorted({e["event_type"] for e in every})[:4]:
                    both = [e["id"] for e in store.events(EventFilter(types=(typ,), text=word), limit=1000)]
                    assert sorted(both) == sorted(e["id"] for e in every if e["id"] in hits
                                                  and e["event_type"] == typ)
                    out[word, typ] = both
                    # incidents: their own type, any report's text (the probe of one incident's reports)
                    got = [i["id"] for i in store.incidents(EventFilter(types=(typ,), text=word), limit=1000)]
                    assert sorted(got) == sorted(i["id"] for i in incidents if i["event_type"] == typ
                                                 and set(i["event_ids"]) & set(hits))
                    out[word, typ, "incidents"] = got
            return out

        want = answers()
        assert want["police"] and want["Kobani"] and len(want["the"]) > len(want["Kobani"])
        assert any(v for k, v in want.items() if isinstance(k, tuple) and len(k) == 3)  # type+text incidents
        with store.engine.begin() as conn:
            keys = conn.execute(select(schema.events.c.id, schema.events.c.article_pk)).all()
            ev, art = schema.events, schema.articles
            joined = dict(conn.execute(select(ev.c.id, art.c.pk).select_from(
                ev.join(art, art.c.id == ev.c.article_id))).all())
            assert dict(keys) == joined
            conn.execute(schema.events.update().values(article_pk=None))
            done = schema.migrations.c.name == "0036_event_article_pk"
            conn.execute(schema.migrations.delete().where(done))
        assert mig.migrate(store.engine) == ["0036_event_article_pk"]
        with store.engine.connect() as conn:
            assert dict(conn.execute(select(schema.events.c.id, schema.events.c.article_pk)).all()) == joined
        assert answers() == want
