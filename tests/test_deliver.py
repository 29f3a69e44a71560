"""Alert delivery: signed webhooks with idempotency keys, Slack / Matrix shapes, e-mail to a local
aiosmtpd server, dead letters (`watch failed` / `watch retry`), the radius condition, and the
`watch add` destination options — against real local servers and real SQLite."""

from __future__ import annotations

import json
import socket

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from feedserver import FeedServer, send
from test_store import aleppo_article, kobani_article
from test_watch import store_url  # noqa: F401 (fixture: SQLite, and PostgreSQL when configured)

from wirewatch.cli import cli
from wirewatch.deliver import (
    Destination,
    Dispatcher,
    SmtpSettings,
    deliver_alerts,
    destinations,
    failed,
    retry_failed,
    set_destination,
)
from wirewatch.deliver import messages as msg
from wirewatch.errors import UserError
from wirewatch.follow.fetch import Limits
from wirewatch.query import EventFilter
from wirewatch.store import Store
from wirewatch.watch import add_alert, idempotency_key

QUICK = Limits(connect_timeout=2, read_timeout=2, total_timeout=5, max_bytes=100_000, max_redirects=0,
               retries=2, backoff=0.01, delay=0.0, per_host=2)
BASE = "http://ui.example:8000"


@pytest.fixture
def store(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'ww.db'}") as st:
        st.add_analyzed(kobani_article())
        st.add_analyzed(aleppo_article())
        yield st


class Receiver:
    """A webhook receiver: records every POST; ``fail`` makes it answer 500."""

    def __init__(self) -> None:
        self.fail = False
        self.srv = FeedServer({"/hook": self.hook})

    def hook(self, h) -> None:
        send(h, "no", 500) if self.fail else send(h, "ok", ctype="text/plain")

    @property
    def posts(self) -> list[tuple[dict, bytes]]:
        return [(hdrs, body) for method, _, hdrs, body in self.srv.requests if method == "POST"]


def dispatcher(store, **kw) -> Dispatcher:
    return Dispatcher(destinations(store), BASE, limits=QUICK, sleep=lambda s: None, **kw)


def test_signed_webhook_with_idempotency_key(store):
    add_alert(store, "assault", EventFilter(types=("ASSAULT",)), backfill=True)
    rx = Receiver()
    with rx.srv:
        hook = Destination("webhook", rx.srv.url("/hook"), "s3cret", allow_private=True)
        set_destination(store, "assault", hook)
        counts = deliver_alerts(store, dispatcher=dispatcher(store))
        assert counts == {"assault": 2}
        assert deliver_alerts(store, dispatcher=dispatcher(store)) == {"assault": 0}  # delivered once
    assert len(rx.posts) == 2
    ids = []
    for hdrs, body in rx.posts:
        doc = json.loads(body)
        ids.append(doc["event"]["id"])
        assert msg.verify("s3cret", body, hdrs["X-Wirewatch-Signature"])
        assert not msg.verify("wrong", body, hdrs["X-Wirewatch-Signature"])
        assert hdrs["Idempotency-Key"] == doc["key"] == idempotency_key("assault", doc["event"]["id"])
        assert doc["link"] == f"{BASE}/#event={doc['event']['id']}" and doc["link"] in doc["text"]
        assert hdrs["Content-Type"] == "application/json" and hdrs["User-Agent"].startswith("wirewatch/")
    assert ids == ["ev_retook", "ev_shell_art-aleppo"]
    line = json.loads(rx.posts[0][1])["text"]
    assert line.startswith("[assault] ASSAULT (") and "Kobanî" in line and "Peshmerga" in line


def test_webhook_to_private_address_refused_unless_allowed(store):
    add_alert(store, "all", EventFilter(), backfill=True)
    rx = Receiver()
    with rx.srv:
        set_destination(store, "all", Destination("webhook", rx.srv.url("/hook")))
        assert deliver_alerts(store, dispatcher=dispatcher(store)) == {"all": 0}
    assert rx.srv.connections == 0
    dead = failed(store)
    assert len(dead) == 5 and all("refused" in d["error"] for d in dead)


def test_slack_and_matrix_shapes(store):
    add_alert(store, "slack", EventFilter(types=("ASSAULT",)), backfill=True)
    add_alert(store, "matrix", EventFilter(types=("ASSAULT",)), backfill=True)
    rx = Receiver()
    with rx.srv:
        set_destination(store, "slack", Destination("slack", rx.srv.url("/hook"), allow_private=True))
        set_destination(store, "matrix", Destination("matrix", rx.srv.url("/hook"), allow_private=True))
        deliver_alerts(store, dispatcher=dispatcher(store))
    by_alert: dict[str, list[dict]] = {}
    for hdrs, body in rx.posts:
        by_alert.setdefault(hdrs["X-Wirewatch-Alert"], []).append(json.loads(body))
        assert "X-Wirewatch-Signature" not in hdrs and hdrs["Idempotency-Key"]
    m = by_alert["matrix"][0]
    assert m["msgtype"] == "m.text" and m["body"] == m["text"] and "#event=ev_retook" in m["html"]
    s = by_alert["slack"][0]
    assert set(s) == {"text"} and s["text"].startswith("*[slack]* ASSAULT")
    assert s["text"].endswith(f"<{BASE}/#event=ev_retook|evidence>")


@pytest.fixture
def both(store_url):  # noqa: F811
    with Store.open(store_url) as st:
        st.add_analyzed(kobani_article())
        st.add_analyzed(aleppo_article())
        yield st


def test_dead_letters_then_retry(both):
    store = both
    add_alert(store, "assault", EventFilter(types=("ASSAULT",)), backfill=True)
    rx = Receiver()
    rx.fail = True
    with rx.srv:
        set_destination(store, "assault", Destination("webhook", rx.srv.url("/hook"), allow_private=True))
        assert deliver_alerts(store, dispatcher=dispatcher(store)) == {"assault": 0}
        assert len(rx.posts) == 2 * (QUICK.retries + 1)  # each hit retried, then dead-lettered
        dead = failed(store)
        assert [(d["alert"], d["event_id"]) for d in dead] == [("assault", "ev_retook"),
                                                               ("assault", "ev_shell_art-aleppo")]
        assert "HTTP 500" in dead[0]["error"] and dead[0]["key"] == idempotency_key("assault", "ev_retook")
        assert deliver_alerts(store, dispatcher=dispatcher(store)) == {"assault": 0}  # cursor moved on
        assert retry_failed(store, dispatcher=dispatcher(store)) == (0, 2)
        assert failed(store)[0]["attempts"] == 2
        rx.fail = False
        assert retry_failed(store, dispatcher=dispatcher(store)) == (2, 0)
        assert failed(store) == []
    delivered = [json.loads(b)["event"]["id"] for h, b in rx.posts[-2:]]
    assert delivered == ["ev_retook", "ev_shell_art-aleppo"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope)
        return "250 OK"


def test_email_to_local_smtp_server(store):
    inbox = Inbox()
    port = free_port()
    ctl = Controller(inbox, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        add_alert(store, "mail", EventFilter(types=("ASSAULT",)), backfill=True)
        set_destination(store, "mail", Destination("email", "analyst@example.org"))
        smtp = SmtpSettings(host="127.0.0.1", port=port, sender="ww@example.org")
        assert deliver_alerts(store, dispatcher=dispatcher(store, smtp=smtp)) == {"mail": 2}
    finally:
        ctl.stop()
    import email
    import email.policy

    assert len(inbox.messages) == 2
    env = inbox.messages[0]
    assert env.rcpt_tos == ["analyst@example.org"] and env.mail_from == "ww@example.org"
    m = email.message_from_bytes(env.content, policy=email.policy.default)
    assert m["Subject"] == "[wirewatch mail] ASSAULT in Kobanî"
    assert m["Message-ID"] == f"<{idempotency_key('mail', 'ev_retook')}@wirewatch>"
    assert f"{BASE}/#event=ev_retook" in m.get_content()


def test_email_server_down_is_a_dead_letter(store):
    add_alert(store, "mail", EventFilter(types=("ASSAULT",)), backfill=True)
    set_destination(store, "mail", Destination("email", "analyst@example.org"))
    smtp = SmtpSettings(host="127.0.0.1", port=free_port(), timeout=2)
    assert deliver_alerts(store, dispatcher=dispatcher(store, smtp=smtp)) == {"mail": 0}
    assert [d["event_id"] for d in failed(store)] == ["ev_retook", "ev_shell_art-aleppo"]


def test_radius_condition(store, tmp_path):
    out = tmp_path / "near.jsonl"
    add_alert(store, "aleppo-50km", EventFilter(), backfill=True)
    set_destination(store, "aleppo-50km", Destination("jsonl", str(out), near=(36.2, 37.15), radius_km=50))
    add_alert(store, "kobani-300km", EventFilter(types=("ASSAULT",)), backfill=True)
    set_destination(store, "kobani-300km", Destination("jsonl", str(out), near=(36.89, 38.35), radius_km=300))
    assert deliver_alerts(store, dispatcher=dispatcher(store)) == {"aleppo-50km": 1, "kobani-300km": 2}
    got = [(x["alert"], x["event"]["id"]) for x in map(json.loads, out.read_text().splitlines())]
    assert got == [("aleppo-50km", "ev_shell_art-aleppo"), ("kobani-300km", "ev_retook"),
                   ("kobani-300km", "ev_shell_art-aleppo")]


def test_bad_destinations():
    from wirewatch.deliver import check_destination

    for dest, message in ((Destination("pager", "x"), "unknown destination"),
                          (Destination("webhook", "ftp://x/"), "bad webhook URL"),
                          (Destination("email", "not-an-address"), "bad e-mail"),
                          (Destination("slack", "https://h/", secret="s"), "--secret"),
                          (Destination("jsonl", "f", near=(95.0, 0.0), radius_km=5), "not a point"),
                          (Destination("jsonl", "f", near=(1.0, 2.0)), "together")):
        with pytest.raises(UserError, match=message):
            check_destination(dest)


def test_cli_watch_add_destinations_run_failed_retry(tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'ww.db'}"]
    with Store.open(db[1]) as st:
        st.add_analyzed(kobani_article())
    runner = CliRunner()
    rx = Receiver()
    with rx.srv:
        hook = rx.srv.url("/hook")
        r = runner.invoke(cli, ["watch", "add", "hook", *db, "--type", "ASSAULT", "--backfill",
                                "--webhook", hook, "--secret", "k", "--allow-private"])
        assert r.exit_code == 0, r.output
        r = runner.invoke(cli, ["watch", "add", "near", *db, "--near", "Aleppo", "--radius-km", "200",
                                "--backfill"])
        assert r.exit_code == 0, r.output
        for args, message in ((["--webhook", hook, "--email", "a@b.c"], "give one destination"),
                              (["--near", "36,37"], "--near needs --radius-km"),
                              (["--near", "Nowhereville Xyz", "--radius-km", "5"], "unknown place"),
                              (["--secret", "x"], "--secret signs generic webhooks only")):
            r = runner.invoke(cli, ["watch", "add", "bad", *db, *args])
            assert r.exit_code == 1 and message in r.output, r.output
            assert len(r.output.strip().splitlines()) == 1, r.output
        r = runner.invoke(cli, ["watch", "run", *db, "--base-url", BASE])
        assert r.exit_code == 0, r.output
        assert "alert hook: 1 new events" in r.stderr and "alert near: 1 new events" in r.stderr
        printed = [json.loads(x) for x in r.stdout.splitlines()]  # `near` has no destination: printed
        assert [(x["alert"], x["event"]["id"]) for x in printed] == [("near", "ev_retook")]
        assert len(rx.posts) == 1 and msg.verify("k", rx.posts[0][1], rx.posts[0][0]["X-Wirewatch-Signature"])
        r = runner.invoke(cli, ["watch", "failed", *db])
        assert r.exit_code == 0 and "no failed deliveries" in r.output
        rx.fail = True
        with Store.open(db[1]) as st:
            st.add_analyzed(aleppo_article())
        r = runner.invoke(cli, ["watch", "run", "hook", *db])
        assert r.exit_code == 0 and "alert hook: 0 new events" in r.stderr
        r = runner.invoke(cli, ["watch", "failed", *db, "--format", "jsonl"])
        dead = [json.loads(x) for x in r.stdout.splitlines()]
        assert [d["event_id"] for d in dead] == ["ev_shell_art-aleppo"] and "HTTP 500" in dead[0]["error"]
        rx.fail = False
        r = runner.invoke(cli, ["watch", "retry", *db])
        assert r.exit_code == 0 and "1 delivered, 0 still failing" in r.output
        assert json.loads(rx.posts[-1][1])["event"]["id"] == "ev_shell_art-aleppo"
