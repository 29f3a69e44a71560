"""Alert conditions on the event's incident (issue 13): its standing and how many outlets report it."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES
from test_incidents import _wire_folder

from wirewatch.deliver import Destination, deliver_alerts, destinations, set_destination
from wirewatch.errors import UserError
from wirewatch.ingest.runner import ingest
from wirewatch.pipeline import Pipeline
from wirewatch.query import EventFilter
from wirewatch.store import Store
from wirewatch.watch import add_alert


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline()


def _hits(store: Store, name: str) -> list[dict]:
    got: list[dict] = []
    deliver_alerts(store, [name], fallback=lambda hit: got.append(hit.event))
    return got


def test_min_outlets_and_standing(tmp_path, pipeline):
    with Store.open(f"sqlite:///{tmp_path / 'w.db'}") as store:
        for name in ("everything", "two-outlets", "claimed"):
            add_alert(store, name, EventFilter(), backfill=True)
        set_destination(store, "two-outlets", Destination("output", "-", min_outlets=2))
        set_destination(store, "claimed", Destination("output", "-", standing=("claimed-by-any",)))
        ingest([_wire_folder(tmp_path), EXAMPLES / "kobani-warning.txt"], store, pipeline)
        everything = _hits(store, "everything")
        two = _hits(store, "two-outlets")
        claimed = _hits(store, "claimed")
        assert everything and two and len(two) < len(everything)
        for event in two:
            assert store.incident(event["incident"])["n_outlets"] >= 2
        single = [e for e in everything if store.incident(e["incident"])["n_outlets"] < 2]
        assert single and not {e["id"] for e in single} & {e["id"] for e in two}
        for event in claimed:
            assert store.incident(event["incident"])["standing"]["claimed_by"]
        assert destinations(store)["two-outlets"].min_outlets == 2
        assert "reported by >= 2 outlets" in destinations(store)["two-outlets"].describe()


def test_unknown_standing_is_refused(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'x.db'}") as store:
        add_alert(store, "a", EventFilter())
        with pytest.raises(UserError, match="unknown incident standing"):
            set_destination(store, "a", Destination("output", "-", standing=("rumoured",)))
