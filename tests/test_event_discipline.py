"""Issue 10 patterns: no event where nothing happened between actors, riots vs crowd control,
claim scope (negation, plans, requests, party claims)."""

from __future__ import annotations

from datetime import date

import pytest

from wirewatch.ingest import article_id
from wirewatch.pipeline import Pipeline
from wirewatch.records import Article

# strict: the test fails the day the coder codes this case again, so the mark must then go
V2_MISS = ("the v2 coder (trained on the Wikinews train split, thresholds tuned on its dev split) misses "
           "this hand-written case: a known recall loss, listed in README Limits")


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline()


def _events(pipeline: Pipeline, text: str) -> list[dict]:
    article = Article(id=article_id(text), text=text, published=date(2023, 6, 19))
    return [e.to_dict() for e in pipeline.analyze(article).events]


@pytest.mark.parametrize("text", [
    "Three people died after drinking poisoned alcohol in the village.",
    "Floods killed 40 people in northern Nigeria on Monday.",
    "A fire at a factory killed 12 workers.",
    "Ten people were killed in a gas explosion.",
    "The claims could not be independently verified.",
    "An observation point was established near the border.",
    "The government wants better relations with Turkey.",
    "There was a pause in the bombing on Tuesday.",
    "More than 6,000 people have died in the conflict since 2011, according to the UN.",
    "Despite signs of recovery on Sunday, the president suffered a cardiac arrest on Monday.",
    "The senator had a heart attack during the debate in Washington.",
    "That event destroyed at least 300 homes and ripped up roads.",
    "A bystander was also injured.",
    # a storm, a virus or an accident as the actor
    "SARS-CoV-2 has already killed more than 1,000 people.",
    "Category Two Hurricane Zeta slammed into the Louisiana coast.",
    "Winds from the storm delayed a rally Trump planned for North Carolina.",
    "At least seven people were killed when a World War II-era bomber crashed at Bradley International "
    "Airport in Windsor Locks, Connecticut.",
    # a forecast, a discharge from hospital, an oath of office
    "On Saturday the Bahamian government withdrew its tropical storm warnings.",
    "After a three day stay, Trump was released from the hospital and returned to the White House.",
    "The now-former governor Pierluisi was sworn in as governor on August 2.",
    "Justice Clarence Thomas swore her in at a White House ceremony.",
    "The National Transportation Safety Board (NTSB) and Federal Aviation Administration (FAA) began "
    "investigations of the crash of the plane.",
    "The NTSB opened an investigation into the crash of the bomber.",
    "Police launched a probe into the fire at the factory.",
    # a sentence in another script: the English coder does not guess at it
    "सिर्फ़ diagnose बोल के लेना पड़ता है, दिखा के नहीं लेना पड़ता।  कभी कभी यही fight हम कर रहे थे",
])
def test_nothing_happened_between_actors(pipeline, text):
    assert _events(pipeline, text) == []


@pytest.mark.parametrize(("text", "expected"), [
    # the same cues next to a real act keep it
    ("Ten soldiers were killed in a wave of attacks on army posts.", ["ASSAULT"]),
    ("Twelve soldiers were killed by rebels when their convoy crashed into a roadblock.", ["ASSAULT"]),
    ("The court released him from custody.", ["RETREAT"]),
    ("The Fire Department accused the landlord of ignoring safety rules.", ["ACCUSE"]),
    ("Prosecutors opened an investigation into the minister over the bribes.", ["ACCUSE"]),
    ("Police shot dead a dog and arrested two men.", ["COERCE"]),  # the dog is no victim to code
])
def test_cues_of_no_event_leave_real_acts(pipeline, text, expected):
    assert [e["event_type"] for e in _events(pipeline, text)] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Blankenship attacked the media for maintaining the status quo.", "ACCUSE"),
    ("The opposition attacked the government for its handling of the crisis.", "ACCUSE"),
    ("Rebels attacked the convoy for two hours.", "ASSAULT"),  # a duration, not a reason
])
def test_an_attack_for_a_reason_is_criticism(pipeline, text, expected):
    assert [e["event_type"] for e in _events(pipeline, text)] == [expected]


def test_an_animal_cull_is_no_assault(pipeline):
    events = _events(pipeline, "The government of Egypt ordered the killing of over 300,000 pigs.")
    assert "ASSAULT" not in [e["event_type"] for e in events]


def test_harm_in_a_violent_sentence_stays_an_assault(pipeline):
    events = _events(pipeline, "A bystander was also injured in the shooting.")
    assert [e["event_type"] for e in events] == ["ASSAULT"]


def test_victims_are_never_sources(pipeline):
    for event in _events(pipeline, "Four protesters died during the clashes."):
        assert event["trigger"]["text"] != "died"
        assert all("protesters" not in s["text"] for s in event["source"])


@pytest.mark.xfail(strict=True, reason=V2_MISS)
def test_deaths_in_an_ambush_keep_the_ambush(pipeline):
    (event,) = _events(pipeline, "Seven soldiers died when their convoy was ambushed near Kidal.")
    assert event["event_type"] == "ASSAULT" and event["trigger"]["text"] == "ambushed"


def test_riot_is_protest_and_tear_gas_is_crowd_control(pipeline):
    (riot,) = _events(pipeline, "Protesters rioted in the capital, burning cars and looting shops.")
    assert (riot["event_type"], riot["mode"]) == ("PROTEST", "riot")
    (gas,) = _events(pipeline, "Police fired tear gas and water cannon at the protesters.")
    assert (gas["event_type"], gas["mode"]) == ("ASSAULT", "crowd-control")
    assert [s["sector"] for s in gas["source"]] == ["COP"]


def test_negation_does_not_cross_and(pipeline):
    text = "Hezbollah denied its positions had been hit and said the strike killed three civilians."
    by_trigger = {e["trigger"]["text"]: e for e in _events(pipeline, text)}
    assert by_trigger["hit"]["modality"] == "negated"
    assert by_trigger["killed"]["modality"] == "claimed"
    assert [a["text"] for a in by_trigger["killed"]["attribution"]] == ["Hezbollah"]


@pytest.mark.parametrize("text, trigger", [
    ("The opposition would march next Tuesday.", "march"),
    ("The party said it would file a complaint with the electoral commission.", "complaint"),
])
def test_would_is_planned(pipeline, text, trigger):
    (event,) = [e for e in _events(pipeline, text) if e["trigger"]["text"] == trigger]
    assert event["modality"] == "planned"


def test_called_on_to_release_is_a_request(pipeline):
    (event,) = _events(pipeline, "The UN called on the government to release the detainees.")
    assert event["event_type"] == "REQUEST" and event["trigger"]["text"] in ("called", "called on")
    assert [s["text"] for s in event["source"]] == ["The UN"]
    assert [t["text"] for t in event["target"]] == ["the government"]
    assert event["modality"] == "asserted"


def test_a_party_saying_it_happened_is_a_claim(pipeline):
    (event,) = _events(pipeline, "Israel said a mortar was fired from Gaza.")
    assert event["event_type"] == "ASSAULT" and event["modality"] == "claimed"
    assert [(a["text"], a["role"]) for a in event["attribution"]] == [("Israel", "claimant")]


def test_an_outside_state_reports_rather_than_claims(pipeline):
    text = "Thai military sources said Vietnamese-led forces have retaken a village in Cambodia."
    (event,) = _events(pipeline, text)
    assert event["modality"] == "reported"


def test_arresting_protesters_is_coerce(pipeline):
    (event,) = _events(pipeline, "Police arrested dozens of protesters in Ankara on Monday.")
    assert (event["event_type"], event["mode"], event["cameo_root"]) == ("COERCE", "arrest", "17")


@pytest.mark.parametrize("text", [
    "Some militants plan to travel to Europe through Bulgaria in order to attack coalition countries.",
    "Farmers sold their cattle in order to pay the new tax.",
])
def test_connective_nouns_are_no_events(pipeline, text):
    # "in order to": the noun is a connective, never a COERCE ("order") of its own
    assert "order" not in [e["trigger"]["text"] for e in _events(pipeline, text)]


def test_an_event_can_win_over_none_by_its_total_probability():
    # P(NONE) 0.45 is the largest class, but P(any event) 0.55: with the shipped "event" decision the
    # best event type is coded at 0.55 (the per-type thresholds then decide); "argmax" says NONE
    import numpy as np

    from wirewatch.events.model import EventClassifier

    p = np.array([0.30, 0.45, 0.25])
    weights = np.log(p).reshape(1, 3).astype(np.float32)
    args = (weights, np.zeros(3, dtype=np.float32), {"f": 0}, ["ASSAULT", "NONE", "PROTEST"], (1.0, 0.0))
    label, conf = EventClassifier(*args, decision="event").predict_many([["f"]])[0]
    assert label == "ASSAULT" and abs(conf - 0.55) < 1e-4
    assert EventClassifier(*args, decision="argmax").predict_many([["f"]])[0][0] == "NONE"
    assert abs(EventClassifier(*args, decision="event").event_probability(["f"]) - 0.55) < 1e-4
