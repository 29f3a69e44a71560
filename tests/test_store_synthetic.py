"""The synthetic seeder used for load tests and the UI."""

from __future__ import annotations

from store_loadtest import run
from synthetic_events import seed_synthetic, synthetic_articles

from wirewatch.query import EventFilter
from wirewatch.records import MODALITIES, PLOVER_TYPES
from wirewatch.store import Store


def test_synthetic_articles_are_consistent():
    arts = list(synthetic_articles(600, seed=3))
    assert sum(len(a.events) for a in arts) == 600
    assert [a.article.id for a in arts] == [a.article.id for a in synthetic_articles(600, seed=3)]
    types, modalities, precisions = set(), set(), set()
    for an in arts:
        text = an.article.text
        for ev in an.events:
            assert text[ev.trigger.start:ev.trigger.end] == ev.trigger.text
            for m in (*ev.source, *ev.target):
                assert text[m.start:m.end] == m.text
            if ev.location:
                assert text[ev.location.start:ev.location.end] == ev.location.text
            if ev.date.text:
                assert text[ev.date.start:ev.date.end] == ev.date.text
            for a in ev.attribution:
                assert text[a.start:a.end] == a.text
            assert text[ev.sentence.start:ev.sentence.end].rstrip().endswith(".")
            types.add(ev.event_type)
            modalities.add(ev.modality)
            precisions.add(ev.date.precision)
    assert types == set(PLOVER_TYPES)
    assert modalities == set(MODALITIES)
    assert precisions == {"day", "month", "week", "year", "published"}


def test_seed_and_query(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'syn.db'}") as st:
        assert seed_synthetic(st, 1000, seed=1, batch=37) == 1000
        assert seed_synthetic(st, 1000, seed=1) == 0  # idempotent
        assert st.count_events() == 1000
        first = next(synthetic_articles(1000, seed=1))
        assert st.events(EventFilter(article_id=first.article.id), order="article") == [
            e.to_dict() for e in first.events
        ]
        syr = st.events(EventFilter(country="SYR"), limit=1000)
        assert syr and all(e["location"]["country"] == "SYR" for e in syr)
        assert st.count_events(EventFilter(text="shelled")) > 0
        days = st.aggregate(EventFilter(), "day")
        assert sum(d["count"] for d in days) == st.count_events()  # every synthetic event has a date
        # other outlets' copies share their original's incidents; aggregates count each once
        n_inc = st.count_incidents()
        assert 0 < n_inc < st.count_events()
        inc_days = st.aggregate(EventFilter(), "day", count="incidents")
        assert sum(d["count"] for d in inc_days) == n_inc
        assert sum(d["events"] for d in inc_days) == st.count_events()
        timings = run(st, repeat=3)
        assert len(timings) == 7 and all(p50 >= 0 and p95 >= p50 for p50, p95, _ in timings.values())
