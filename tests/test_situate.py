"""Domestic actors without a country act where the event happens; known actors keep their country."""

from __future__ import annotations

from wirewatch.actors.situate import home_country, situate
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


def _toponym(country: str, start: int = 0):
    from wirewatch.records import Place, Toponym

    place = Place(geonameid=1, name=country, country=country, admin1=None, lat=0.0, lon=0.0,
                  feature_code="PPL", resolution="city")
    return Toponym(text=country, start=start, end=start + 3, place=place, token_start=0, token_end=1,
                   score=1.0)


def test_home_country_needs_a_majority_of_places_and_known_actors():
    known = _mention(Actor("USA:joe-biden", "Joe Biden", "USA", "GOV", known=True))
    unknown = _mention(Actor("~GBRCOP:police", "police", "GBR", "COP"))
    assert home_country([known], [_toponym("USA")]) == "USA"
    assert home_country([known], []) is None  # one mention is not an article's home
    assert home_country([unknown, unknown], [_toponym("USA")]) is None  # only known actors count
    assert home_country([known], [_toponym("USA"), _toponym("MEX"), _toponym("MEX")]) is None  # a tie
    assert home_country([known], [_toponym("USA"), _toponym("MEX"), _toponym("USA")]) == "USA"


def test_home_country_fills_domestic_actors_without_a_place_but_never_known_ones():
    police = _mention(Actor("~COP:police", "police", None, "COP"))
    un = _mention(Actor("IGO:united-nations", "United Nations", None, "IGO", known=True))
    ngo = _mention(Actor("~NGO:charity", "charity", None, "NGO"))
    out = situate((police, un, ngo), None, "IND")
    assert [m.actor.country for m in out] == ["IND", None, None]
    assert situate((police,), "PAK", "IND")[0].actor.country == "PAK"  # the event's place comes first


def test_named_person_takes_the_articles_home_country():
    text = ("Kyle Rittenhouse was acquitted in Kenosha, Wisconsin on Friday. Protests followed in Chicago "
            "and Portland, Oregon. Rittenhouse had shot three men during unrest in the city.")
    analyzed = Pipeline().analyze(Article(id="k1", text=text))
    shooters = [m for e in analyzed.events if e.event_type == "ASSAULT" for m in e.source]
    assert shooters and all(m.actor.country == "USA" for m in shooters), analyzed.events


def test_people_in_the_news_since_2016_are_in_the_knowledge_base():
    text = "Donald Trump met Emmanuel Macron and Volodymyr Zelensky in Paris. Zelensky thanked Macron."
    analyzed = Pipeline().analyze(Article(id="k2", text=text))
    got = {(m.text, m.actor.country, m.actor.known) for m in analyzed.mentions}
    assert {("Donald Trump", "USA", True), ("Emmanuel Macron", "FRA", True), ("Zelensky", "UKR", True),
            ("Macron", "FRA", True)} <= got
