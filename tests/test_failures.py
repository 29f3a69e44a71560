"""Per-article failure isolation in ingest, the ``failures`` table and ``wirewatch failures``
(list/retry/clear), on SQLite and PostgreSQL; PostgreSQL value limits (continents, NUL, language)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from helpers import fresh_pg_schema, synthetic_news, write_jsonl
from sqlalchemy import text

from wirewatch.cli import cli
from wirewatch.ingest.failures import list_failures
from wirewatch.ingest.runner import ingest
from wirewatch.ingest.validate import make_article
from wirewatch.query import EventFilter
from wirewatch.store import Store

PG_URL = os.environ.get("WIREWATCH_TEST_PG_URL")
PG_REQUIRED = os.environ.get("WIREWATCH_REQUIRE_PG") == "1"
ASIA = "Police arrested dozens of protesters across Asia on Monday."


@pytest.fixture(scope="module")
def pipeline():
    from wirewatch.pipeline import Pipeline

    return Pipeline()


def _pg() -> Iterator[str]:
    if not PG_URL:
        if PG_REQUIRED:
            pytest.fail("WIREWATCH_REQUIRE_PG=1 but WIREWATCH_TEST_PG_URL is not set")
        pytest.skip("set WIREWATCH_TEST_PG_URL (scripts/start_postgres.sh)")
    yield from fresh_pg_schema(PG_URL)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'f.db'}"
    else:
        yield from _pg()


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _pg()


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


class FailsOn:
    """The real pipeline, except that analysing texts containing ``marker`` raises (fault injection)."""

    def __init__(self, pipeline, marker: str) -> None:
        self.pipeline, self.marker = pipeline, marker

    def analyze(self, article):
        if self.marker in article.text:
            raise KeyError("")  # what geo/resolve.py::_coherence raised on an empty admin1 code
        return self.pipeline.analyze(article)

    def analyze_many(self, articles):
        return [self.analyze(a) for a in articles]


class RefusingStore:
    """A real store whose database refuses articles containing ``marker`` (as PostgreSQL refused NUL)."""

    def __init__(self, store, marker: str) -> None:
        self._store, self.marker = store, marker

    def __getattr__(self, name):
        return getattr(self._store, name)

    def _refuse(self, analyzed) -> None:
        if self.marker in analyzed.article.text:
            from sqlalchemy.exc import DataError

            raise DataError("INSERT INTO articles (text) VALUES (%(text)s)", {"text": analyzed.article.text},
                            ValueError("integer out of range"))

    def add_analyzed(self, analyzed, minhash=None):
        self._refuse(analyzed)
        return self._store.add_analyzed(analyzed, minhash)

    def add_batch(self, analyzed, duplicates=()):  # one transaction per batch: refused whole
        for an, _ in analyzed:
            self._refuse(an)
        return self._store.add_batch(analyzed, duplicates)


def test_bad_inputs_are_recorded_and_a_retry_after_the_fix_clears_them(tmp_path, db_url, pipeline):
    rows = synthetic_news(2)
    corpus = tmp_path / "wire.jsonl"
    bad = [{"url": 12345, "text": "Rebels shelled Aleppo."}, {"title": ["a"], "text": "Rebels shelled Homs."},
           {"source": {"o": 1}, "text": "Rebels shelled Hama."}]
    corpus.write_text("\n".join(json.dumps(r) for r in [rows[0], *bad, rows[1]]) + "\n")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02 not text")
    with Store.open(db_url) as store:
        summary = ingest([corpus, tmp_path / "bin.txt"], store, pipeline)
        assert summary.added == 2  # the good articles around the bad ones
        failed = list_failures(store)
    labels = [f"{corpus}:2", f"{corpus}:3", f"{corpus}:4", str(tmp_path / "bin.txt")]
    assert [f["label"] for f in failed] == labels
    assert [f["stage"] for f in failed] == ["read"] * 4
    assert "url must be a string" in failed[0]["reason"] and failed[0]["path"] == str(corpus)
    listed = run("failures", "--db", db_url, "--format", "jsonl")
    assert listed.exit_code == 0 and len(listed.stdout.splitlines()) == 4
    assert "INSERT" not in listed.stdout

    fixed = [dict(b, url="https://x.example/1") if "url" in b else {"text": b["text"]} for b in bad]
    corpus.write_text("\n".join(json.dumps(r) for r in [rows[0], *fixed, rows[1]]) + "\n")
    ids = [str(f["id"]) for f in failed[:3]]
    again = run("failures", "retry", *ids, "--db", db_url, "-q")
    assert again.exit_code == 0, again.output
    assert "added 3" in again.stderr and "skipped 2 already stored" in again.stderr
    with Store.open(db_url) as store:
        left = list_failures(store)
        assert store.stats()["articles"] == 5
    assert [f["label"] for f in left] == [str(tmp_path / "bin.txt")]  # not fixed: still listed
    still = run("failures", "retry", "--db", db_url, "-q")
    assert still.exit_code == 1 and "binary file" in still.stderr
    with Store.open(db_url) as store:
        assert list_failures(store)[0]["attempts"] == 2
    unknown = run("failures", "retry", "999", "--db", db_url)
    assert unknown.exit_code == 1 and "no recorded failure with id 999" in unknown.stderr
    assert run("failures", "clear", "--all", "--db", db_url).exit_code == 0
    with Store.open(db_url) as store:
        assert list_failures(store) == []


def test_analysis_and_store_failures_keep_the_article_for_retry(tmp_path, db_url, pipeline):
    corpus = write_jsonl(tmp_path / "wire.jsonl", [
        {"text": "POISON Rebels attacked an army post near Aleppo on Monday.", "url": "https://a.example/1"},
        {"text": "REFUSE Police arrested 12 protesters in Cairo on Friday.", "url": "https://a.example/2"},
        *synthetic_news(2),
    ])
    with Store.open(db_url) as store:
        summary = ingest([corpus], RefusingStore(store, "REFUSE"), FailsOn(pipeline, "POISON"))
        assert summary.added == 2
        assert [w for w, _ in summary.failed] == [f"{corpus}:1", f"{corpus}:2"]
        assert "internal error KeyError" in summary.failed[0][1]
        assert summary.failed[1][1] == "could not be stored (ValueError: integer out of range)"  # no SQL
        failed = list_failures(store)
    assert [(f["stage"], f["article_id"] is not None) for f in failed] == [("analyse", True), ("store", True)]
    corpus.unlink()  # a retry needs no file: the article was kept
    retried = run("failures", "retry", "--db", db_url, "-q")
    assert retried.exit_code == 0, retried.output
    with Store.open(db_url) as store:
        assert list_failures(store) == [] and store.stats()["articles"] == 4


def test_ingest_exit_1_one_line_each_and_stdin_failures_listed(tmp_path, db_url):
    lines = [json.dumps({"text": "Rebels attacked an army post near Aleppo on Monday."}),
             "[" * 100_000, json.dumps({"text": "x", "language": "a" * 25})]
    result = run("ingest", "-", "--db", db_url, "-q", input="\n".join(lines) + "\n")
    assert result.exit_code == 1
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("failed")]
    assert errors == ["failed <stdin>:2: JSON nested too deeply to read",
                      "failed <stdin>:3: language 'aaaaaaaaaaaaaaaaaaaaaaaaa' is not a language tag such as "
                      "en or pt-BR"]
    assert "Traceback" not in result.stderr
    listed = run("failures", "--db", db_url)
    assert listed.exit_code == 0 and "<stdin>:2" in listed.stdout
    retry = run("failures", "retry", "--db", db_url, "-q")
    assert retry.exit_code == 1 and retry.stderr.count("came from stdin") == 2


@pytest.mark.postgres
def test_postgres_stores_continents_nul_and_goes_on_after_bad_values(tmp_path, pipeline, pg_url):
    url = pg_url
    corpus = write_jsonl(tmp_path / "pg.jsonl", [
        {"text": ASIA},  # Asia: population 3.8e9 overflowed INTEGER, exit 2 on every rerun
        {"text": "Troops\u0000 shelled Aleppo on Monday.", "title": "nul\u0000title"},
        {"text": "Police detained 5 people in Ankara.", "language": "x" * 30},
        *synthetic_news(1),
    ])
    with Store.open(url) as store:
        summary = ingest([corpus], store, pipeline)
        assert summary.added == 3 and [w for w, _ in summary.failed] == [f"{corpus}:3"]
        with store.engine.connect() as conn:
            top = conn.execute(text("SELECT max(population) FROM places")).scalar_one()
            titles = set(conn.scalars(text("SELECT title FROM articles")))
        assert top > 2**31 and "nultitle" in titles
        asia = [e for e in store.iter_events(EventFilter()) if e["article"]["id"].startswith("t_")]
        assert any((e["location"] or {}).get("name") == "Asia" for e in asia)


@pytest.mark.postgres
def test_migration_0004_widens_an_existing_postgres_population_column(pipeline, pg_url):
    url = pg_url
    with Store.open(url) as store, store.engine.begin() as conn:  # a database made before 0004
        conn.execute(text("ALTER TABLE places ALTER COLUMN population TYPE INTEGER"))
        conn.execute(text("DELETE FROM migrations WHERE name = '0004_population_bigint'"))
    with Store.open(url) as store:
        assert "0004_population_bigint" in store.migrations()
        with store.engine.connect() as conn:
            kind = conn.execute(text("SELECT data_type FROM information_schema.columns WHERE "
                                     "table_name = 'places' AND column_name = 'population' "
                                     "AND table_schema = current_schema()")).scalar_one()
        assert kind == "bigint"
        assert store.add_analyzed(pipeline.analyze(make_article(ASIA, {}, "asia")))
