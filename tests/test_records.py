"""Records: JSON form of every span-carrying record, stable event ids."""

from __future__ import annotations

from datetime import date

from wirewatch.records import (
    Actor,
    Article,
    Attribution,
    EventDraft,
    Mention,
    Place,
    Sentence,
    Span,
    TimeExpr,
    Toponym,
    event_id,
)

TEXT = "The MİT said 🙂 Daesh “attacked” Syria’s Kobani."


def _span(sub: str) -> Span:
    start = TEXT.index(sub)
    return Span(sub, start, start + len(sub))


def test_to_dict_keeps_offsets_in_code_points():
    mit = _span("MİT")
    assert TEXT[mit.start:mit.end] == "MİT" and len("MİT".lower()) != len("MİT")
    actor = Actor("TUR:mit", "MİT", "TUR", "SPY", known=True)
    mention = Mention(mit.text, mit.start, mit.end, actor, 1, 2, 1)
    assert mention.to_dict() == {"text": "MİT", "start": 4, "end": 7, "actor_id": "TUR:mit", "name": "MİT",
                                 "country": "TUR", "sector": "SPY"}
    kobani = _span("Kobani")
    place = Place(172256, "Kobanî", "SYR", "Aleppo", 36.89, 38.35, "PPL", "city")
    topo = Toponym(kobani.text, kobani.start, kobani.end, place, 9, 10).to_dict()
    assert TEXT[topo["start"]:topo["end"]] == "Kobani" and topo["geonameid"] == 172256
    assert Toponym("X", 0, 1, None, 0, 1).to_dict()["lat"] is None
    attacked = _span("attacked")
    assert TEXT[attacked.start:attacked.end] == "attacked"
    assert Attribution("MİT", 4, 7, "TUR:mit", "claimant").to_dict()["role"] == "claimant"
    assert TimeExpr(None, None, None, "2015-02-13", "published").to_dict() == {
        "text": None, "start": None, "end": None, "value": "2015-02-13", "precision": "published"}
    assert Sentence(0, 0, len(TEXT)).to_dict() == {"index": 0, "start": 0, "end": len(TEXT)}
    art = Article("t_1", TEXT, published=date(2015, 2, 13))
    assert art.ref() == {"id": "t_1", "url": None, "title": None, "source": None, "published": "2015-02-13"}


def test_event_id_is_stable_and_distinguishes_events():
    draft = EventDraft(Sentence(0, 0, len(TEXT)), "ASSAULT", _span("attacked"), 5, (), (), "claimed")
    same = EventDraft(Sentence(0, 0, len(TEXT)), "ASSAULT", _span("attacked"), 5, (), (), "possible",
                      confidence=0.9)
    other_type = EventDraft(Sentence(0, 0, len(TEXT)), "COERCE", _span("attacked"), 5, (), (), "claimed")
    assert event_id("a1", draft) == event_id("a1", same)  # modality/confidence do not change identity
    assert event_id("a1", draft) != event_id("a2", draft)
    assert event_id("a1", draft) != event_id("a1", other_type)
    assert event_id("a1", draft).startswith("ev_") and len(event_id("a1", draft)) == 19
