"""The pipeline glue and the records it produces, on real text with the real model."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import EXAMPLES

from wirewatch.ingest import article_id, read_articles
from wirewatch.pipeline import Pipeline, with_published
from wirewatch.records import PLOVER_TYPES, Article, Event

SPEC_KEYS = ["id", "article", "sentence", "event_type", "mode", "contexts", "cameo_root", "trigger", "source",
             "target", "location", "date", "modality", "attribution", "confidence", "incident"]


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline()


def _article(text: str, published: date | None = date(2024, 3, 5)) -> Article:
    return Article(id=article_id(text), text=text, published=published)


def _spans(rec: dict) -> list[dict]:
    spans = [rec["trigger"], *rec["source"], *rec["target"], *rec["attribution"]]
    return spans + [s for s in (rec["location"], rec["date"]) if s and s.get("start") is not None]


def test_records_follow_the_spec_and_spans_hold(pipeline):
    text = "Rebels 🔥 attacked the MİT office in Syria’s city of Aleppo on “Monday”, the army said."
    analyzed = pipeline.analyze(_article(text))
    assert analyzed.events, "an attack between actors must give an event"
    for event in analyzed.events:
        assert isinstance(event, Event)
        rec = event.to_dict()
        assert list(rec) == SPEC_KEYS
        assert rec["event_type"] in PLOVER_TYPES and rec["incident"] is None  # the store links them
        for span in _spans(rec):
            assert text[span["start"]:span["end"]] == span["text"]
    for s in analyzed.sentences:
        assert text[s.start:s.end].strip()


def test_batch_and_single_agree(pipeline):
    articles = [a for a in read_articles([EXAMPLES]) if isinstance(a, Article)]
    one_by_one = [[e.to_dict() for e in pipeline.analyze(a).events] for a in articles]
    batched = [[e.to_dict() for e in r.events] for r in pipeline.analyze_many(articles)]
    assert batched == one_by_one and all(one_by_one)


def test_long_past_events_are_historical(pipeline):
    sahel = next(a for a in read_articles([EXAMPLES / "synthetic-sahel.txt"]) if isinstance(a, Article))
    events = pipeline.analyze(sahel).events
    drove = [e for e in events if e.trigger.text == "drove"]
    assert drove and drove[0].modality == "historical" and drove[0].date.value == "2013"
    recent = [e for e in events if e.trigger.text != "drove"]
    assert recent and all(e.modality != "historical" for e in recent)  # recent events are not historical


def test_no_publication_date_still_works(pipeline):
    text = "Police arrested dozens of protesters in Cairo on Friday."
    events = pipeline.analyze(_article(text, published=None)).events
    assert events and events[0].date.value is None and events[0].date.precision == "published"


def test_with_published_overrides():
    art = _article("text", published=date(2020, 1, 1))
    assert with_published(art, date(2015, 2, 13)).published == date(2015, 2, 13)
    assert with_published(art, None) is art


def test_empty_and_whitespace_articles(pipeline):
    for text in ("", "   \n\t "):
        analyzed = pipeline.analyze(_article(text))
        assert analyzed.events == () and analyzed.mentions == ()
