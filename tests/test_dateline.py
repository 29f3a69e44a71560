"""Datelines are context: never an actor, never a date over the sentence's own (issue 10, item 5)."""

from __future__ import annotations

from datetime import date

import pytest

from wirewatch.dateline import find_dateline
from wirewatch.ingest import article_id
from wirewatch.pipeline import Pipeline
from wirewatch.records import Article


@pytest.mark.parametrize("text, place", [
    ("KYIV, June 18 — Russian drones struck", "KYIV"),
    ("BAMAKO, March 4 (Reuters) - Jihadists attacked", "BAMAKO"),
    ("Beirut, Lebanon, Feb. 12 (AP) — Israeli jets", "Beirut, Lebanon"),
    ("WASHINGTON — The Senate voted", "WASHINGTON"),
    ("Kabul (AFP) - Taliban fighters", "Kabul"),
])
def test_find_dateline(text, place):
    line = find_dateline(text)
    assert line is not None
    assert text[line.place_start:line.place_end] == place
    assert text[line.end:][:1].isalpha()  # the story starts right after the dash


@pytest.mark.parametrize("text", [
    "Police arrested dozens of protesters in Ankara on Monday.",
    "Turkish police detained 20 suspects - officials said.",
    "Friday, January 4, 2019\n\nAn apartment building collapsed.",
    "The army said: rebels attacked.",
])
def test_no_dateline(text):
    assert find_dateline(text) is None


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline()


def _events(pipeline: Pipeline, text: str, published: date) -> list[dict]:
    analyzed = pipeline.analyze(Article(id=article_id(text), text=text, published=published))
    return [e.to_dict() for e in analyzed.events]


def test_dateline_city_is_no_actor_and_its_date_does_not_win(pipeline):
    text = ("KYIV, June 18 — Russian drones struck an apartment block in the capital on Sunday, "
            "killing three people, officials said.")
    (event,) = [e for e in _events(pipeline, text, date(2023, 6, 20)) if e["trigger"]["text"] == "struck"]
    assert [s["text"] for s in event["source"]] == ["Russian drones"]
    assert event["source"][0]["country"] == "RUS"
    assert event["date"]["text"] == "Sunday" and event["date"]["value"] == "2023-06-18"


def test_dateline_date_still_dates_an_undated_sentence(pipeline):
    text = "BAMAKO, March 4 (Reuters) - Gunmen killed 12 soldiers near Menaka, the army said."
    (event,) = _events(pipeline, text, date(2023, 3, 6))
    assert event["date"]["value"] == "2023-03-04"
    assert all("BAMAKO" not in s["text"] for s in event["source"] + event["target"])
