"""The incident map with a summary filter (country) and a report filter (modality) together: the report
probe must not lose its FROM to the map's join of the representative event (was a 500)."""

from __future__ import annotations

from conftest import EXAMPLES
from fastapi.testclient import TestClient

from wirewatch.api import create_app
from wirewatch.ingest.runner import ingest
from wirewatch.pipeline import Pipeline
from wirewatch.store import Store


def test_map_with_summary_and_report_filters(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    with Store.open(url) as store:
        ingest([EXAMPLES], store, Pipeline())
        located = [e for e in store.iter_events() if e["location"] and e["location"]["country"]]
    assert located
    country, modality = located[0]["location"]["country"], located[0]["modality"]
    with TestClient(create_app(url), base_url="http://127.0.0.1") as client:
        reply = client.get("/api/events.geojson", params={"country": country, "modality": modality})
        assert reply.status_code == 200, reply.text
        assert reply.json()["total"] >= 1
        other = client.get("/api/events.geojson", params={"country": country, "modality": "negated",
                                                          "min_confidence": 0.99})
        assert other.status_code == 200 and other.json()["total"] <= reply.json()["total"]
