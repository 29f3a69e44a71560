"""``ingest --ray``: a real local Ray cluster on 127.0.0.1 (head + 2 worker nodes), the test PostgreSQL.

Asserts: the same event ids and counts as a single-process ingest of the same input; a rerun skips
everything (resume); killing an analysing worker process mid-run still ends with nothing lost or
duplicated. The cluster is started by a fixture and always shut down.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from helpers import fresh_pg_schema, synthetic_news, write_jsonl

from wirewatch.query import EventFilter
from wirewatch.store import Store

PG_URL = os.environ.get("WIREWATCH_TEST_PG_URL")
REQUIRED = os.environ.get("WIREWATCH_REQUIRE_PG") == "1"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL and not REQUIRED,
                       reason="set WIREWATCH_TEST_PG_URL (scripts/start_postgres.sh)"),
]


@pytest.fixture(scope="module")
def cluster():
    from ray.cluster_utils import Cluster

    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    try:
        c.add_node(num_cpus=1)
        c.add_node(num_cpus=1)
        c.wait_for_nodes()
        yield c
    finally:
        c.shutdown()


@pytest.fixture
def pg_url():
    assert PG_URL, "WIREWATCH_REQUIRE_PG=1 but WIREWATCH_TEST_PG_URL is not set"
    yield from fresh_pg_schema(PG_URL)


def _ids(url: str) -> list[str]:
    with Store.open(url) as store:
        return sorted(e["id"] for e in store.iter_events(EventFilter()))


def _articles(url: str) -> int:
    with Store.open(url) as store:
        return store.stats()["articles"]


def test_ray_ingest_equals_single_process_and_resumes(cluster, tmp_path):
    from wirewatch.ingest.cluster import ingest_ray
    from wirewatch.ingest.runner import ingest
    from wirewatch.pipeline import Pipeline

    (tmp_path / "in").mkdir()
    write_jsonl(tmp_path / "in" / "a.jsonl", synthetic_news(14, seed=21))
    other = [{**r, "url": r["url"] + "-b"} for r in synthetic_news(10, seed=22)]  # distinct urls, ids
    write_jsonl(tmp_path / "in" / "b.jsonl", other)
    (tmp_path / "in" / "bad.jsonl").write_text('{"text": "Rebels attacked a post."}\n{oops\n')
    gen_r, gen_l = fresh_pg_schema(PG_URL), fresh_pg_schema(PG_URL)
    ray_url, local_url = next(gen_r), next(gen_l)
    try:
        summary = ingest_ray([tmp_path / "in"], ray_url, address=cluster.address, workers=2, batch_size=4)
        assert summary.added == 25 and [w.rsplit("/", 1)[-1] for w, _ in summary.failed] == ["bad.jsonl:2"]
        with Store.open(local_url) as store:
            local = ingest([tmp_path / "in"], store, Pipeline(), batch_size=4)
        assert local.added == 25 and local.events == summary.events > 25
        assert _ids(ray_url) == _ids(local_url)
        again = ingest_ray([tmp_path / "in"], ray_url, address=cluster.address, workers=2, batch_size=4)
        assert (again.added, again.skipped, again.events) == (0, 25, 0)
        assert len(_ids(ray_url)) == len(set(_ids(ray_url))) == summary.events
    finally:
        for gen in (gen_r, gen_l):
            for _ in gen:
                pass


def _analyzer_pids(cluster) -> list[int]:
    """Analysing actor processes of THIS cluster (children of its raylets): the machine is shared,
    and another user's Ray actors must never be touched."""
    from ray._private import ray_constants

    raylets = {info.process.pid for node in cluster.list_all_nodes()
               for info in node.all_processes.get(ray_constants.PROCESS_TYPE_RAYLET, [])}
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes()
                ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if b"MapBatches(Analyzer)" in cmd and ppid in raylets:
                pids.append(int(proc.name))
    return pids


def test_killing_a_worker_mid_run_loses_and_duplicates_nothing(cluster, tmp_path, pg_url):
    corpus = write_jsonl(tmp_path / "c.jsonl", synthetic_news(40, seed=23))
    cmd = [sys.executable, "-m", "wirewatch", "ingest", str(corpus), "--db", pg_url, "--ray", cluster.address,
           "--workers", "2", "-q"]
    proc = subprocess.Popen(cmd, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 400
        killed = None
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                stored = _articles(pg_url)
            except Exception:  # schema not created yet
                stored = 0
            pids = _analyzer_pids(cluster)
            if stored >= 4 and pids:
                killed = pids[0]
                os.kill(killed, signal.SIGKILL)
                break
            time.sleep(0.2)
        assert killed is not None, "the run ended before a worker could be killed"
        _, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert _articles(pg_url) == 40, err[-2000:]
    ids = _ids(pg_url)
    assert len(ids) == len(set(ids)) > 40
    with Store.open(pg_url) as store:  # every article's events are there, each once
        scanned = store.count_events(EventFilter(min_confidence=0.0))
        assert store.count_events(EventFilter()) == scanned == len(ids)
