"""End to end, as a service: a local feed server publishes items over time; `follow run --every
--deliver` (a real subprocess) picks up only the new ones, stores their events and delivers the
matching alert to a local webhook receiver; the follower is SIGKILLed midway and restarted; the
receiver (dedup by idempotency key) gets every matching event exactly once with a valid signature.
Then SIGTERM stops the service cleanly (exit 0); /healthz answers and logs are JSON lines."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter

import httpx
from click.testing import CliRunner
from feedserver import FeedServer, send
from test_follow import NEWS, page, rss

from wirewatch.cli import cli
from wirewatch.deliver import messages as msg
from wirewatch.query import EventFilter
from wirewatch.store import Store
from wirewatch.watch import idempotency_key

SECRET = "e2e-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(cond, timeout: float = 120.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_follow_every_deliver_exactly_once_across_sigkill(tmp_path):
    published: list[int] = [0, 1]
    posts: list[tuple[dict, bytes]] = []

    def feed(h):
        send(h, rss(srv.url("/"), [(i, srv.url(f"/a{i}")) for i in published]), ctype="application/rss+xml")

    def hook(h):
        posts.append((dict(h.headers.items()), h.body))
        send(h, "ok", ctype="text/plain")

    def article(i: int):
        return lambda h: send(h, page(i))

    routes = {"/feed.xml": feed, "/hook": hook, **{f"/a{i}": article(i) for i in range(len(NEWS))}}
    url = f"sqlite:///{tmp_path / 'ww.db'}"
    runner = CliRunner()
    health_port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with FeedServer(routes) as srv:
        r = runner.invoke(cli, ["watch", "add", "assaults", "--db", url, "--type", "ASSAULT",
                                "--webhook", srv.url("/hook"), "--secret", SECRET, "--allow-private"])
        assert r.exit_code == 0, r.output
        r = runner.invoke(cli, ["follow", "add", srv.url("/feed.xml"), "--allow-private", "--db", url])
        assert r.exit_code == 0, r.output
        cmd = [sys.executable, "-m", "wirewatch", "follow", "run", "--db", url, "--every", "1",
               "--delay", "0", "--deliver", "--log-format", "json"]

        def stored() -> int:
            with Store.open(url) as st:
                return st.stats()["articles"]

        first = subprocess.Popen([*cmd, "--health-port", str(health_port)], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: stored() == 2 and len(posts) > 0, what="the first two items")
            def health() -> dict:
                return httpx.get(f"http://127.0.0.1:{health_port}/healthz", timeout=5).json()

            assert health()["ok"] is True
            wait_for(lambda: health()["cycles"] >= 1, what="a finished cycle on /healthz")
            assert health()["last_summary"]["sources"] == 1
            published.extend(range(2, 8))  # new items appear; kill the follower while it works on them
            wait_for(lambda: stored() >= 3, what="a third item")
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
        assert first.returncode == -signal.SIGKILL
        second = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: stored() == 8, what="items 2-7 after the restart")
            published.extend([8, 9])
            wait_for(lambda: stored() == 10, what="items 8-9")
            with Store.open(url) as st:
                assaults = st.iter_events(EventFilter(types=("ASSAULT",)))
                want = {idempotency_key("assaults", e["id"]) for e in assaults}
            wait_for(lambda: {h["Idempotency-Key"] for h, _ in posts} >= want, what="every delivery")
            time.sleep(2.5)  # two more idle cycles: nothing new must arrive
            second.send_signal(signal.SIGTERM)
            _, err = second.communicate(timeout=60)
        finally:
            if second.poll() is None:
                second.kill()
                second.wait()
        assert second.returncode == 0, err[-2000:]
        page_hits = [srv.hits[f"/a{i}"] for i in range(10)]
    assert len(want) >= 8
    keys = Counter(h["Idempotency-Key"] for h, _ in posts)
    assert set(keys) == want  # each matching event delivered, nothing else
    assert max(keys.values()) <= 2  # a kill repeats at most the batch in flight; the receiver drops repeats
    for hdrs, body in posts:
        doc = json.loads(body)
        assert msg.verify(SECRET, body, hdrs["X-Wirewatch-Signature"])
        assert hdrs["Idempotency-Key"] == idempotency_key("assaults", doc["event"]["id"])
    # every page fetched once, except those of the batch the kill interrupted (fetched, not yet stored)
    assert all(1 <= n <= 2 for n in page_hits)
    logs = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(x["msg"] == "follow cycle" and x["stored"] >= 0 for x in logs)
    assert any("SIGTERM" in x["msg"] for x in logs)


def test_watch_run_every_stops_cleanly_on_sigterm(tmp_path):
    url = f"sqlite:///{tmp_path / 'ww.db'}"
    assert CliRunner().invoke(cli, ["watch", "add", "all", "--db", url]).exit_code == 0
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "wirewatch", "watch", "run", "--db", url,
                             "--every", "200ms", "--health-port", str(port), "--log-format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        def cycles() -> int:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()["cycles"]
            except httpx.HTTPError:
                return 0

        wait_for(lambda: cycles() >= 3, timeout=60, what="three watch cycles")
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    logs = [json.loads(x) for x in err.splitlines()]  # JSON lines only
    assert any(x["msg"] == "alert delivered" and x["alert"] == "all" and x["hits"] == 0 for x in logs)


def test_durations():
    from wirewatch.follow.service import parse_duration

    assert [parse_duration(x) for x in ("90", "30s", "5m", "1h", "1d", "200ms", None)] == [
        90.0, 30.0, 300.0, 3600.0, 86400.0, 0.2, None]
    import pytest

    from wirewatch.errors import UserError

    for bad in ("5 minutes", "-1m", "m", ""):
        with pytest.raises(UserError, match="bad duration"):
            parse_duration(bad)
