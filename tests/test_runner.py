"""Ingest runs into a real SQLite store: idempotency, near-duplicates, failures, and a real SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import EXAMPLES, ROOT
from helpers import synthetic_news, write_jsonl

from wirewatch.ingest.readers import read_articles
from wirewatch.ingest.runner import ingest
from wirewatch.query import EventFilter
from wirewatch.store import Store


@pytest.fixture(scope="module")
def pipeline():
    from wirewatch.pipeline import Pipeline

    return Pipeline()


def test_ingest_twice_adds_nothing(tmp_path, pipeline):
    corpus = write_jsonl(tmp_path / "a.jsonl", synthetic_news(5))
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        first = ingest([corpus, EXAMPLES], store, pipeline)
        events = store.count_events(EventFilter())
        second = ingest([corpus, EXAMPLES], store, pipeline)
        assert (first.added, first.skipped, first.failed) == (8, 0, [])
        assert (second.added, second.skipped) == (0, 8)
        assert store.count_events(EventFilter()) == events == first.events > 0


def test_near_duplicate_is_linked_not_processed(tmp_path, pipeline, kobani_text):
    rewired = write_jsonl(tmp_path / "wire.jsonl", [
        {"text": kobani_text, "url": "https://hurriyet.example/kobani", "published": "2015-02-13"},
        {"text": "Turkish spies warn of Daesh infiltration\n\n" + kobani_text,
         "url": "https://aggregator.example/copy", "published": "2015-02-13"},
    ])
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        summary = ingest([rewired], store, pipeline)
        assert (summary.added, summary.near_duplicates) == (1, 1)
        stats = store.stats()
        assert stats["articles"] == 1 and stats["duplicates"] == 1  # analysed + linked copy
        original = store.article(store.articles(limit=10, offset=0)[0]["id"])
        assert original is not None
        assert store.count_events(EventFilter()) == summary.events


def test_failures_are_reported_and_batch_continues(tmp_path, pipeline):
    (tmp_path / "empty.txt").write_text("")
    write_jsonl(tmp_path / "ok.jsonl", synthetic_news(2))
    (tmp_path / "broken.jsonl").write_text('{"text": "Rebels attacked a post."}\n{oops\n')
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        summary = ingest([tmp_path], store, pipeline)
    assert summary.added == 3
    assert sorted(w.rsplit("/", 1)[-1] for w, _ in summary.failed) == ["broken.jsonl:2", "empty.txt"]


class FailsOn:
    """The real pipeline, except that analysing texts containing ``marker`` raises (fault injection)."""

    def __init__(self, pipeline, marker: str) -> None:
        self.pipeline, self.marker = pipeline, marker

    def analyze(self, article):
        if self.marker in article.text:
            raise RuntimeError("injected failure")
        return self.pipeline.analyze(article)

    def analyze_many(self, articles):
        return [self.analyze(a) for a in articles]


def test_copy_of_a_failed_original_is_analysed_itself(tmp_path, pipeline, kobani_text):
    corpus = write_jsonl(tmp_path / "wire.jsonl", [
        {"text": "POISON " + kobani_text, "url": "https://a.example/1", "published": "2015-02-13"},
        {"text": kobani_text, "url": "https://b.example/2", "published": "2015-02-13"},
        *synthetic_news(2),
    ])
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        summary = ingest([corpus], store, FailsOn(pipeline, "POISON"))
        reason = "analysis failed: internal error RuntimeError: injected failure (please report it)"
        assert summary.failed == [(f"{corpus}:1", reason)]
        assert (summary.added, summary.near_duplicates) == (3, 0)
        assert store.stats()["articles"] == 3 and store.count_events(EventFilter()) == summary.events


def _count_articles(db_path) -> int:
    import sqlite3

    if not db_path.exists():
        return 0
    try:
        with sqlite3.connect(db_path, timeout=5) as con:
            return con.execute("select count(*) from articles").fetchone()[0]
    except sqlite3.OperationalError:  # schema not created yet
        return 0


def _children(pid: int) -> set[int]:
    """Live (not zombie) processes whose parent is ``pid``, read from /proc."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_batches_commit_on_the_writer_thread_in_order_one_at_a_time(tmp_path, pipeline, monkeypatch):
    """The writer thread commits batch k while batch k+1 is analysed: never two at once, in input
    order, all committed and counted when ingest returns."""
    import threading

    corpus = write_jsonl(tmp_path / "a.jsonl", synthetic_news(9, seed=4))
    calls: list[tuple[str, list[str]]] = []
    busy = threading.Semaphore(1)
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        add_batch = store.add_batch

        def watched(items, duplicates=()):
            assert busy.acquire(blocking=False), "two batches in flight"
            try:
                time.sleep(0.05)  # a slow commit: the next batch is analysed meanwhile
                items = list(items)
                calls.append((threading.current_thread().name, [an.article.id for an, _ in items]))
                return add_batch(items, duplicates)
            finally:
                busy.release()

        monkeypatch.setattr(store, "add_batch", watched)
        summary = ingest([corpus], store, pipeline, batch_size=2)
        stored = {a["id"] for a in store.articles(limit=100)}
        assert summary.added == 9 and summary.failed == []
        assert store.count_events(EventFilter()) == summary.events > 0
    assert len(calls) == 5 and all(name.startswith("wirewatch-writer") for name, _ in calls)
    order = [aid for _, ids in calls for aid in ids]
    assert order == [item.id for item in read_articles([corpus])]  # input order, each once
    assert stored == set(order)


def test_sigkill_then_rerun_loses_and_duplicates_nothing(tmp_path):
    rows = synthetic_news(60, seed=11)
    corpus = write_jsonl(tmp_path / "corpus.jsonl", rows)
    db_path = tmp_path / "k.db"
    cmd = [sys.executable, "-m", "wirewatch", "ingest", str(corpus), "--db", f"sqlite:///{db_path}", "-q",
           "--workers", "2"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while _count_articles(db_path) < 5 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed; use a bigger corpus"
    workers = _children(proc.pid)
    assert len(workers) >= 2, "the ingest runs two worker processes"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    # the workers die with their parent: none is left waiting on the dead pool's pipes
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = [pid for pid in workers if _alive(pid)]
    for pid in survivors:  # stop what the test started, even when it fails
        os.kill(pid, signal.SIGKILL)
    assert not survivors, "worker processes outlived the killed ingest"
    partial = _count_articles(db_path)
    assert 5 <= partial < 60
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert f"skipped {partial} already stored" in rerun.stderr
    # a clean run of the same corpus gives the same articles and events
    clean_path = tmp_path / "clean.db"
    clean = subprocess.run(cmd[:5] + ["--db", f"sqlite:///{clean_path}", "-q", "--workers", "2"], env=env,
                           capture_output=True, text=True, timeout=600)
    assert clean.returncode == 0, clean.stderr
    with Store.open(f"sqlite:///{db_path}") as killed, Store.open(f"sqlite:///{clean_path}") as fresh:
        assert killed.stats()["articles"] == fresh.stats()["articles"] == 60
        ids = sorted(e["id"] for e in killed.iter_events(EventFilter()))
        assert len(ids) == len(set(ids))
        assert ids == sorted(e["id"] for e in fresh.iter_events(EventFilter()))
