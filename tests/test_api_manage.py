"""The management API: alerts and followed sources (list/create/delete; writes need the token),
dead letters, and /healthz — one error shape throughout."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from test_api import check_error_shape
from test_store import kobani_article

from wirewatch.api import create_app
from wirewatch.store import Store

AUTH = {"Authorization": "Bearer tok"}


@pytest.fixture
def app_clients(tmp_path):
    url = f"sqlite:///{tmp_path / 'ww.db'}"
    with Store.open(url) as st:
        st.add_analyzed(kobani_article())
    with TestClient(create_app(url, write_token="tok"), raise_server_exceptions=False) as w, \
            TestClient(create_app(url), raise_server_exceptions=False) as ro:
        yield w, ro, url


def test_alerts_crud(app_clients):
    w, ro, url = app_clients
    body = {"name": "hatay", "filter": {"type": "ASSAULT", "modality": "claimed,asserted"}, "backfill": True,
            "destination": {"kind": "webhook", "target": "https://hooks.example/x", "secret": "k",
                            "near": [36.2, 36.16], "radius_km": 50, "standing": ["claimed-by-any"],
                            "min_outlets": 2}}
    r = w.post("/api/alerts", json=body, headers=AUTH)
    assert r.status_code == 201, r.text
    alert = r.json()["alert"]
    assert alert["name"] == "hatay"
    assert alert["filter"] == {"types": "ASSAULT", "modality": "claimed,asserted"}
    assert alert["destination"] == {"kind": "webhook", "target": "https://hooks.example/x", "signed": True,
                                    "allow_private": False, "near": [36.2, 36.16], "radius_km": 50.0,
                                    "standing": ["claimed-by-any"], "min_outlets": 2}
    assert alert["pending"] == 1
    listed = ro.get("/api/alerts").json()["alerts"]
    assert [a["name"] for a in listed] == ["hatay"] and "secret" not in str(listed)
    check_error_shape(w.post("/api/alerts", json=body, headers=AUTH), 400)  # name taken
    check_error_shape(w.post("/api/alerts", json={**body, "name": "x", "filter": {"type": "FIGHT"}},
                             headers=AUTH), 400)
    check_error_shape(w.post("/api/alerts", json={**body, "name": "y", "destination": {"kind": "pager"}},
                             headers=AUTH), 400)
    check_error_shape(w.post("/api/alerts", json={**body, "name": "z"}), 401)
    check_error_shape(ro.post("/api/alerts", json={**body, "name": "z"}, headers=AUTH), 403)
    check_error_shape(w.delete("/api/alerts/hatay"), 401)
    assert w.delete("/api/alerts/hatay", headers=AUTH).json() == {"ok": True, "removed": "hatay"}
    check_error_shape(w.delete("/api/alerts/hatay", headers=AUTH), 404)
    assert ro.get("/api/alerts").json()["alerts"] == []
    assert ro.get("/api/alerts/failed").json() == {"ok": True, "failed": []}


def test_sources_crud_and_health(app_clients):
    w, ro, url = app_clients
    r = w.post("/api/sources", json={"url": "https://news.example/rss"}, headers=AUTH)
    assert r.status_code == 201 and r.json()["created"] is True
    assert w.post("/api/sources", json={"url": "https://news.example/rss"}, headers=AUTH).status_code == 200
    check_error_shape(w.post("/api/sources", json={"url": "file:///etc/passwd"}, headers=AUTH), 400)
    check_error_shape(w.post("/api/sources", json={"url": "https://x.example/"}), 401)
    (src,) = ro.get("/api/sources").json()["sources"]
    assert src["url"] == "https://news.example/rss" and src["consecutive_failures"] == 0
    assert src["last_success"] is None and src["healthy"] is True
    check_error_shape(w.delete("/api/sources", params={"url": "https://news.example/rss"}), 401)
    r = w.delete("/api/sources", params={"url": "https://news.example/rss"}, headers=AUTH)
    assert r.json() == {"ok": True, "removed": "https://news.example/rss"}
    check_error_shape(w.delete("/api/sources", params={"url": "https://news.example/rss"}, headers=AUTH), 404)


def test_healthz(app_clients):
    w, ro, url = app_clients
    with Store.open(url) as st:
        last = st.migrations()[-1]
    assert ro.get("/healthz").json() == {"ok": True, "schema": last, "writable": False}
    assert w.get("/healthz").json()["writable"] is True
