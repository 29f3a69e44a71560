"""Domestic actors without a country act where the event happens; known actors keep their country."""

from __future__ import annotations

from wirewatch.actors.situate import situate
from wirewatch.pipeline import Pipeline
from wirewatch.records import Actor, Article, Mention


def _mention(actor: Actor) -> Mention:
    return Mention(text=actor.name, start=0, end=len(actor.name), actor=actor, token_start=0, token_end=1,
                   head=0)


def test_situate_fills_only_domestic_unknown_actors():
    police = _mention(Actor("~COP:police", "police", None, "COP"))
    un = _mention(Actor("IGO:united-nations", "United Nations", None, "IGO", known=True))
    army = _mention(Actor("~SYRMIL:army", "army", "SYR", "MIL"))
    out = situate((police, un, army), "PAK")
    assert [m.actor.country for m in out] == ["PAK", None, "SYR"]
    assert situate((police,), None) == (police,)


def test_gunman_in_el_paso_is_american():
    text = "On Saturday a gunman shot shoppers at a Walmart store in El Paso, Texas."
    (event,) = Pipeline().analyze(Article(id="a1", text=text)).events
    assert event.location is not None and event.location.place.country == "USA"
    assert [(m.text, m.actor.country) for m in event.source] == [("a gunman", "USA")]
