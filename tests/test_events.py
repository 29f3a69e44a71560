"""Event coding: PLOVER types, roles, modality/attribution, confidence, offsets, eval task."""

from __future__ import annotations

from pathlib import Path

import pytest

from wirewatch.events import EventExtractor
from wirewatch.records import PLOVER_TYPES, EventDraft

GOLD = Path(__file__).resolve().parent / "data" / "gold"

# strict: the test fails the day the coder codes this case again, so the mark must then go
V2_MISS = ("the v2 coder (trained on the Wikinews train split, thresholds tuned on its dev split) misses "
           "this hand-written case: a known recall loss, listed in README Limits")


@pytest.fixture(scope="module")
def resolver():
    from wirewatch.actors import ActorResolver

    return ActorResolver()


@pytest.fixture(scope="module")
def extractor() -> EventExtractor:
    return EventExtractor()


@pytest.fixture(scope="module")
def kobani_events(kobani_doc, resolver, extractor) -> list[EventDraft]:
    return extractor.extract(kobani_doc, resolver.mentions(kobani_doc))


def run(nlp, resolver, extractor, text: str) -> list[EventDraft]:
    doc = nlp(text)
    return extractor.extract(doc, resolver.mentions(doc))


def in_sentence(events: list[EventDraft], index: int) -> list[EventDraft]:
    return [e for e in events if e.sentence.index == index]


def test_kobani_retake_is_asserted_assault_with_joint_sources(kobani_events):
    retake = [e for e in in_sentence(kobani_events, 2) if e.trigger.text == "retook"]
    assert len(retake) == 1
    ev = retake[0]
    assert ev.event_type == "ASSAULT" and ev.cameo_root == "19"
    assert ev.modality == "asserted" and ev.attribution == ()
    assert [m.text for m in ev.source] == ["Kurdish Peshmerga fighters", "People's Protection Units"]
    assert [m.text for m in ev.target] == ["Daesh"]
    # "after more than 100 days of fierce fighting with them": an actorless background mention of the
    # same conflict, not a second coded event (GSR/CAMEO practice: one event for the retaking)
    assert sorted(e.trigger.text for e in in_sentence(kobani_events, 2)) == ["retook"]


def test_kobani_possible_attacks_are_claims_by_mit(kobani_events):
    attacks = in_sentence(kobani_events, 1)
    assert attacks and all(e.event_type == "ASSAULT" for e in attacks)
    for ev in attacks:
        assert ev.modality == "possible"
        assert [(a.text, a.role) for a in ev.attribution] == [("MİT", "claimant")]
        assert ev.attribution[0].actor_id == "TUR:national-intelligence-organization"
    assert any(m.text == "The Daesh militants" for e in attacks for m in e.source)


def test_kobani_warning_reported_by_hurriyet(kobani_events):
    first = in_sentence(kobani_events, 0)
    warning = [e for e in first if e.trigger.text == "warning"]
    assert len(warning) == 1
    ev = warning[0]
    assert ev.event_type == "COOPERATE" and "intelligence" in ev.contexts
    assert ev.modality == "reported"
    assert [(a.text, a.role) for a in ev.attribution] == [("Hurriyet Daily", "reporter")]
    assert ev.source[0].actor.actor_id == "TUR:national-intelligence-organization"
    assert ev.target[0].text == "the country’s police and security forces"
    # the retreat inside MİT's warning: reporter first, then the claimant
    retreat = [e for e in first if e.event_type == "RETREAT"]
    assert len(retreat) == 1
    assert [a.role for a in retreat[0].attribution] == ["reporter", "claimant"]
    assert retreat[0].attribution[1].text == "The MİT"
    assert retreat[0].modality in ("claimed", "reported")


def test_kobani_no_asserted_claims_and_no_event_in_state_sentence(kobani_events):
    assert in_sentence(kobani_events, 3) == []  # "still scattered in the countryside"
    planned = [e for e in in_sentence(kobani_events, 5) if e.event_type == "ASSAULT"]
    assert planned and all(e.modality == "planned" for e in planned)
    claims = in_sentence(kobani_events, 1) + in_sentence(kobani_events, 5)
    assert all(e.modality != "asserted" for e in claims)


def test_relative_clause_source(kobani_events):
    last = in_sentence(kobani_events, 10)
    assert len(last) == 1 and last[0].event_type == "ASSAULT"
    assert last[0].source[0].text == "Daesh"


def test_passive_agent_is_source(nlp, resolver, extractor):
    text = "Two police officers were shot dead by gunmen in Peshawar on Sunday."
    events = run(nlp, resolver, extractor, text)
    assert len(events) == 1
    ev = events[0]
    assert ev.event_type == "ASSAULT"
    assert [m.text for m in ev.source] == ["gunmen"]
    assert [m.text for m in ev.target] == ["Two police officers"]


def test_a_crowd_fired_on_is_the_target(nlp, resolver, extractor):
    events = run(nlp, resolver, extractor, "Four protesters died when police opened fire on the crowd.")
    assert [(e.event_type, [m.text for m in e.source], [m.text for m in e.target]) for e in events] == [
        ("ASSAULT", ["police"], ["the crowd"])]
    assert events[0].target[0].actor.sector == "CVL"


def _roles(events: list[EventDraft]) -> list[tuple[str, list[str], list[str]]]:
    return [(e.event_type, [m.text for m in e.source], [m.text for m in e.target]) for e in events]


def test_countries_called_on_are_targets_not_places(nlp, resolver, extractor):
    events = run(nlp, resolver, extractor, "Netanyahu called on Italy and Egypt to join the project.")
    assert _roles(events) == [("REQUEST", ["Netanyahu"], ["Italy", "Egypt"])]
    assert [m.actor.country for m in events[0].target] == ["ITA", "EGY"]
    events = run(nlp, resolver, extractor, "Carroll called on the US to end its involvement in foreign wars.")
    assert [m.actor.country for e in events for m in e.target] == ["USA"]


def test_a_passive_source_in_a_statement_by(nlp, resolver, extractor):
    events = run(nlp, resolver, extractor,
                 "Turkey was condemned in a joint statement by Egypt, Greece and Cyprus on October 8.")
    assert _roles(events) == [("ACCUSE", ["Egypt", "Greece", "Cyprus"], ["Turkey"])]


def test_relations_between_two_countries_are_the_targets(nlp, resolver, extractor):
    events = run(nlp, resolver, extractor,
                 "The White House announced a deal it brokered to normalize relations between Sudan "
                 "and Israel.")
    assert ["Sudan", "Israel"] in [[m.text for m in e.target] for e in events]


def test_at_the_request_of_names_who_asks(nlp, resolver, extractor):
    events = run(nlp, resolver, extractor,
                 "Per request of Prime Minister Boris Johnson, the Queen suspended parliament.")
    assert ("REQUEST", ["Prime Minister Boris Johnson"], ["the Queen"]) in _roles(events)
    # "of" after an act still names who undergoes it
    events = run(nlp, resolver, extractor, "The arrest of the opposition leader was condemned by the EU.")
    assert [m.text for e in events if e.event_type == "ACCUSE" for m in e.target] == ["the opposition leader"]


def test_an_apposed_name_is_the_argument(nlp, resolver, extractor):
    events = run(nlp, resolver, extractor,
                 "The Italian foreign minister, Luigi Di Maio, joined the talks as an observer.")
    assert [(m.text, m.actor.country) for e in events for m in e.source] == [("Luigi Di Maio", "ITA")]


def test_an_unnamed_individual_is_a_civilian_argument(nlp, resolver, extractor):
    events = run(nlp, resolver, extractor, "An individual has been arrested after the mayor was stabbed.")
    arrest = next(e for e in events if e.event_type == "COERCE")
    assert [(m.text, m.actor.sector) for m in arrest.target] == [("An individual", "CVL")]


def test_a_quoted_we_acts_as_its_speaker(nlp, resolver, extractor):
    events = run(nlp, resolver, extractor, '"These attacks are our right, and we warn the Saudis that our '
                 'targets will keep expanding", Houthi spokesman Yahya Saree said.')
    threat = next(e for e in events if e.event_type == "THREATEN")
    assert [(m.text, m.actor.name) for m in threat.source] == [("we", "Houthi spokesman Yahya Saree")]
    # the warning is the saying: the speaker is its source and no claimant of it (guideline, speech acts)
    assert (threat.modality, threat.attribution) == ("asserted", ())


def test_a_police_shooting_has_the_police_as_source(nlp, resolver, extractor):
    events = run(nlp, resolver, extractor,
                 "Protests escalated in June with the police killing of Rayshard Brooks in Atlanta.")
    killing = next(e for e in events if e.trigger.text == "killing")
    assert (killing.event_type, [m.text for m in killing.source], [m.text for m in killing.target]) == (
        "ASSAULT", ["the police"], ["Rayshard Brooks"])


def test_an_act_that_continues_is_coded_on_its_noun(nlp, resolver, extractor):
    events = run(nlp, resolver, extractor, "Russia's attack on Ukraine continued.")
    assert [(e.trigger.text, *_roles([e])[0][1:]) for e in events] == [("attack", ["Russia"], ["Ukraine"])]


def test_the_possessor_of_an_arrest_undergoes_it(nlp, resolver, extractor):
    events = run(nlp, resolver, extractor, "Alexei Navalny's arrest sparked protests across Russia.")
    arrest = next(e for e in events if e.trigger.text == "arrest")
    assert ([m.text for m in arrest.source], [m.text for m in arrest.target]) == ([], ["Alexei Navalny"])
    # the arrest caused the protests: Navalny is no protester
    assert all("Alexei Navalny" not in [m.text for m in e.source] for e in events)


def test_an_announced_endorsement_is_the_speakers_own_act(nlp, resolver, extractor):
    events = run(nlp, resolver, extractor,
                 "Former US presidential candidate Elizabeth Warren announced she was endorsing Joe Biden.")
    endorse = next(e for e in events if e.trigger.text == "endorsing")
    assert (endorse.event_type, endorse.modality, endorse.attribution) == ("SUPPORT", "asserted", ())
    # another's act stays reported
    events = run(nlp, resolver, extractor, "Warren announced that Sanders was endorsing Joe Biden.")
    assert [e.modality for e in events if e.trigger.text == "endorsing"] == ["reported"]


def test_a_group_of_protesters_is_the_protesters(nlp, resolver, extractor):
    events = run(nlp, resolver, extractor, "A group of protesters threatened Senator Rand Paul.")
    assert [m.text for e in events for m in e.source] == ["protesters"]


def test_the_group_is_not_the_outlet_that_reported_it(nlp, resolver):
    doc = nlp("An Al Jazeera reporter in Kenya noted local reports. Nkurunziza served in the CNDD-FDD, "
              "the group that would become the ruling party.")
    others = [m.actor.actor_id for m in resolver.mentions(doc) if "Jazeera" not in m.text]
    assert others and "QAT:al-jazeera" not in others


def test_negation(nlp, resolver, extractor):
    events = run(nlp, resolver, extractor, "The army did not attack the refugee camp on Monday.")
    assert [(e.event_type, e.modality) for e in events] == [("ASSAULT", "negated")]


@pytest.mark.parametrize(("text", "expected"), [
    # a second act after "and" / a comma is outside the first one's negation
    ("The army denied the report and attacked rebel positions near Gao.",
     [("ASSAULT", "asserted"), ("REJECT", "asserted")]),
    ("The rebels did not attack the town, but shelled the airport.",
     [("ASSAULT", "asserted"), ("ASSAULT", "negated")]),
    # a list joined by "or" shares it: arrest and detain are both negated
    ("Police did not arrest, beat or detain the protesters.",
     [("COERCE", "negated"), ("COERCE", "negated")]),
])
def test_negation_stops_at_a_second_act(nlp, resolver, extractor, text, expected):
    events = run(nlp, resolver, extractor, text)
    assert sorted((e.event_type, e.modality) for e in events) == expected


def test_denial(nlp, resolver, extractor):
    text = "The government denied that its troops had killed civilians in the village."
    events = run(nlp, resolver, extractor, text)
    assert [(e.event_type, e.modality) for e in events] == [("ASSAULT", "negated")]
    assert [a.role for a in events[0].attribution] == ["claimant"]
    assert events[0].attribution[0].text == "The government"


def test_weather_and_no_event_sentences(nlp, resolver, extractor):
    assert run(nlp, resolver, extractor, "The weather was cold.") == []
    assert run(nlp, resolver, extractor, "Inflation in the country reached nine percent in March.") == []


def test_joint_sources_and_accusation(nlp, resolver, extractor):
    text = "Ukraine accused Russia of shelling the Zaporizhzhia nuclear plant."
    events = run(nlp, resolver, extractor, text)
    assert [e.event_type for e in events] == ["ACCUSE"]
    assert [m.text for m in events[0].source] == ["Ukraine"]
    assert [m.text for m in events[0].target] == ["Russia"]


def test_reported_by_outlet(nlp, resolver, extractor):
    text = "Security forces killed at least eight protesters in Basra, the Associated Press reported."
    events = run(nlp, resolver, extractor, text)
    assert [e.event_type for e in events] == ["ASSAULT"]
    assert events[0].modality == "reported"
    assert [(a.text, a.role) for a in events[0].attribution] == [("the Associated Press", "reporter")]


def test_confidence_varies_and_offsets_exact(kobani_events, kobani_text):
    confidences = {e.confidence for e in kobani_events}
    assert len(confidences) > 2
    for ev in kobani_events:
        assert 0.0 <= ev.confidence <= 1.0
        assert ev.event_type in PLOVER_TYPES
        assert ev.cameo_root and len(ev.cameo_root) == 2
        assert kobani_text[ev.trigger.start:ev.trigger.end] == ev.trigger.text
        assert ev.sentence.start <= ev.trigger.start < ev.sentence.end
        for m in ev.source + ev.target:
            assert kobani_text[m.start:m.end] == m.text
        for a in ev.attribution:
            assert kobani_text[a.start:a.end] == a.text


def test_empty_and_whitespace_docs(nlp, extractor):
    assert extractor.extract(nlp(""), []) == []
    assert extractor.extract(nlp("   \n  "), []) == []


def test_works_without_mentions(nlp, extractor):
    events = extractor.extract(nlp("Police arrested 14 protesters outside parliament."), [])
    assert [e.event_type for e in events] == ["COERCE"]
    assert events[0].source == () and events[0].target == ()


def test_eval_task_runs_on_news_gold(nlp, resolver, extractor):
    from types import SimpleNamespace

    from wirewatch.evaluate.events import evaluate_events
    from wirewatch.evaluate.scoring import TASKS

    assert TASKS["events"] is evaluate_events
    pipeline = SimpleNamespace(nlp=nlp, actors=resolver, events=extractor)
    report = evaluate_events(GOLD / "events_news.jsonl", pipeline)
    assert report.metrics["units"] >= 40
    assert report.metrics["micro_f1"] > 0.5
    assert 0.0 <= report.metrics["modality_accuracy"] <= 1.0
    titles = [t.title for t in report.tables]
    assert any(t.startswith("confusion") for t in titles)


def test_gold_files_are_consistent():
    import json

    for name in ("events_news.jsonl", "events_gsr_heldout.jsonl", "events_petrarch.jsonl"):
        lines = [json.loads(line) for line in (GOLD / name).read_text(encoding="utf-8").splitlines()]
        assert len(lines) >= 40
        for obj in lines:
            for ev in obj["events"]:
                assert ev["event_type"] in PLOVER_TYPES
                trig = ev.get("trigger") or {}
                if "start" in trig:
                    assert obj["text"][trig["start"]:trig["end"]] == trig["text"]


def test_promise_is_agree_and_must_is_request(nlp, resolver, extractor):
    text = ("Germany will provide 500 million euros in military aid to Ukraine, "
            "the defence minister announced.")
    events = run(nlp, resolver, extractor, text)
    assert [(e.event_type, e.modality, e.cameo_root) for e in events] == [("AGREE", "asserted", "03")]
    assert [a.role for a in events[0].attribution] == ["claimant"]
    text = "Russia said on Tuesday that Sudan must return a Mi-26 helicopter."
    events = run(nlp, resolver, extractor, text)
    assert [e.event_type for e in events] == ["REQUEST"]
    assert [m.text for m in events[0].source] == ["Russia"]
    assert [m.text for m in events[0].target] == ["Sudan"]


def test_plan_and_hedge(nlp, resolver, extractor):
    text = "Opposition parties intend to boycott the parliamentary elections."
    planned = run(nlp, resolver, extractor, text)
    assert [(e.event_type, e.modality, e.mode) for e in planned] == [("PROTEST", "planned", "boycott")]
    possible = run(nlp, resolver, extractor, "Officials fear that the militants may attack polling stations.")
    assert [(e.event_type, e.modality) for e in possible] == [("ASSAULT", "possible")]


def test_kobani_reluctance_to_crack_down_is_no_asserted_act(kobani_doc, kobani_events, resolver):
    # "the country has long been under fire for its perceived reluctance to crack down on militants":
    # a reluctance is a state, not an act; "militants passing through its territory to join Daesh" is
    # membership. The coder may code the crack-down only as a negated COERCE by the country.
    sixth = in_sentence(kobani_events, 6)
    assert {e.trigger.text for e in sixth} <= {"crack down"}
    assert all((e.event_type, e.modality) == ("COERCE", "negated") for e in sixth)
    from wirewatch.events.roles import MentionIndex, roles

    crack = next(t for t in kobani_doc if t.lower_ == "crack")
    source, target = roles(kobani_doc, crack.i, MentionIndex(resolver.mentions(kobani_doc)))
    assert [(m.text, m.actor.country) for m in source] == [("the country", "TUR")]
    assert [m.text for m in target] == ["militants"]


def test_kobani_warning_about_third_parties_and_stamped_passports_are_not_coded(kobani_events):
    # "MIT warned that 3,000 Daesh members ... aim to cross into Turkey": a warning of danger with no
    # addressee is a statement (CAMEO 01, not PLOVER); stamping passports is no codebook event
    assert in_sentence(kobani_events, 4) == []
    assert in_sentence(kobani_events, 7) == []


@pytest.mark.xfail(strict=True, reason=V2_MISS)
def test_pronoun_subject_resolves_to_the_speaker(nlp, resolver, extractor):
    events = run(nlp, resolver, extractor, "The rebels said they will release 12 soldiers next week.")
    assert [(e.event_type, [m.text for m in e.source]) for e in events] == [("CONCEDE", ["The rebels"])]
    # no antecedent outside the clause that contains the pronoun
    events = run(nlp, resolver, extractor, "Police arrested five men. They were released on bail.")
    assert all(not e.source or e.source[0].text == "Police" for e in events if e.sentence.index == 0)


def test_reciprocal_agreement_is_agree(nlp, resolver, extractor):
    events = run(nlp, resolver, extractor, "Sudan and South Sudan agreed to reopen the border crossings.")
    assert [(e.event_type, [m.text for m in e.source]) for e in events] == [
        ("AGREE", ["Sudan", "South Sudan"])]
    events = run(nlp, resolver, extractor, "Kenya agreed with Somalia to share intelligence on al-Shabaab.")
    assert [(e.event_type, [m.text for m in e.target]) for e in events] == [("AGREE", ["Somalia"])]


def test_background_mentions_and_adjunct_patterns(nlp, resolver, extractor):
    # the CAMEO verb group of "detain" carries "hold * summit" (040): an adjunct must not match it,
    # and the arresting police are not the actors of the summit
    text = "Police detained three journalists after the summit in the capital."
    events = run(nlp, resolver, extractor, text)
    assert [(e.event_type, e.trigger.text) for e in events] == [("COERCE", "detained")]


def test_warning_of_own_coercion_is_a_threat(nlp, resolver, extractor):
    text = "The interior minister warned that police will not tolerate any more road blockades."
    assert [e.event_type for e in run(nlp, resolver, extractor, text)] == ["THREATEN"]
    text = "The agency warned that militants are planning to enter the country."
    assert [e.event_type for e in run(nlp, resolver, extractor, text)] == []


def test_per_type_thresholds_are_shipped(extractor):
    thresholds = extractor.classifier.thresholds
    assert set(thresholds) == set(PLOVER_TYPES) & set(extractor.classifier.classes)
    floor = extractor.classifier.floor
    assert 0.1 <= floor <= 0.5 and all(floor <= t <= 0.8 for t in thresholds.values())


def test_main_event_metric(nlp, resolver, extractor, tmp_path):
    import json
    from types import SimpleNamespace

    from wirewatch.evaluate.events import evaluate_events

    gold = tmp_path / "gold.jsonl"
    lines = [
        {"text": "Police arrested 14 protesters outside parliament.", "published": "2024-01-01",
         "events": [{"event_type": "COERCE"}]},
        {"text": "The weather was cold.", "published": "2024-01-01", "events": []},
        {"text": "The weather was cold and wet.", "published": "2024-01-01",
         "events": [{"event_type": "PROTEST"}]},
    ]
    gold.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    pipeline = SimpleNamespace(nlp=nlp, actors=resolver, events=extractor)
    m = evaluate_events(gold, pipeline).metrics
    assert m["main_event_precision"] == 1.0 and m["main_event_recall"] == 0.5
    assert m["micro_recall"] == 0.5


def test_petrarch_gold_origin_and_mapping():
    import json

    lines = [json.loads(x) for x in (GOLD / "events_petrarch.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) >= 150
    assert all(obj["license"] == "MIT" and "petrarch2" in obj["origin"] for obj in lines)
    assert any(not obj["events"] for obj in lines)  # "no event" tests kept as empty lines
    for obj in lines:
        types = [e["event_type"] for e in obj["events"]]
        assert len(types) == len(set(types))  # one event per type and sentence (PLOVER actor lists)


def test_one_sided_agreement_offer_and_relations(nlp, resolver, extractor):
    # one side agreeing to a concession is CONCEDE; an offer to mediate is AGREE (PLOVER codebook)
    events = run(nlp, resolver, extractor, "The junta agreed to lift the nighttime curfew in the capital.")
    assert [(e.event_type, e.trigger.text) for e in events] == [("CONCEDE", "agreed")]
    events = run(nlp, resolver, extractor, "Qatar offered to mediate between the two factions.")
    assert [(e.event_type, [m.text for m in e.source]) for e in events] == [("AGREE", ["Qatar"])]
    # "armed with rifles" describes the attackers, it is no act of cooperation
    events = run(nlp, resolver, extractor, "Gunmen armed with rifles attacked a police station in Kano.")
    assert [e.event_type for e in events] == ["ASSAULT"]


def test_own_speech_act_is_asserted(nlp, resolver, extractor):
    events = run(nlp, resolver, extractor, "The union announced its demand for higher wages.")
    assert [(e.event_type, e.modality, e.attribution) for e in events] == [("REQUEST", "asserted", ())]


def targets(events: list[EventDraft], event_type: str) -> list[list[str]]:
    return [[m.text for m in e.target] for e in events if e.event_type == event_type]


def test_dative_recipient_of_a_nominal_aid_trigger(nlp, resolver, extractor):
    # "gave X N of aid": the aid noun climbs to "gave", whose dative is the recipient
    events = run(nlp, resolver, extractor,
                 "The European Community on Monday gave the Ivory Coast 5.1 million dollars of aid.")
    aid = [e for e in events if e.event_type == "AID"]
    assert aid and [m.text for m in aid[0].source] == ["The European Community"]
    assert [m.actor.country for m in aid[0].target] == ["CIV"]


def test_target_inside_the_content_of_the_trigger(nlp, resolver, extractor):
    # xcomp content: the threatened/refused action's object is the target, conjuncts included
    events = run(nlp, resolver, extractor,
                 "Turkey threatened to cut diplomatic relations with Israel and Egypt.")
    assert targets(events, "THREATEN") == [["Israel", "Egypt"]]
    events = run(nlp, resolver, extractor, "North Korea threatened to retaliate against South Korea.")
    assert targets(events, "THREATEN") == [["South Korea"]]
    events = run(nlp, resolver, extractor, "France has refused to meet the Iranian foreign minister.")
    rej = [e for e in events if e.event_type == "REJECT"]
    assert rej and [m.actor.country for m in rej[0].target] == ["IRN"]
    assert [m.text for m in rej[0].source] == ["France"]
    # a demanded "that" clause: its subject is who is asked to act
    events = run(nlp, resolver, extractor, "Hamas demanded that Israel release all prisoners.")
    req = [e for e in events if e.event_type == "REQUEST"]
    assert req and [m.text for m in req[0].source] == ["Hamas"]
    assert [m.text for m in req[0].target] == ["Israel"]


def test_actor_behind_a_non_actor_object(nlp, resolver, extractor):
    # "calls by X", "dozens of X", "a camp for X", "fired ... at X marching": the actor inside the phrase
    events = run(nlp, resolver, extractor, "Germany rejected calls by Poland for war reparations.")
    assert targets(events, "REJECT") == [["Poland"]]
    events = run(nlp, resolver, extractor, "Police killed dozens of protesters in Nairobi.")
    assert targets(events, "ASSAULT") == [["protesters"]]
    events = run(nlp, resolver, extractor,
                 "A temporary camp for Congolese refugees was attacked by Burundian militiamen.")
    att = [e for e in events if e.event_type == "ASSAULT"]
    assert att and [m.text for m in att[0].source] == ["Burundian militiamen"]
    assert [m.actor.country for m in att[0].target] == ["COD"]
    events = run(nlp, resolver, extractor,
                 "Riot police fired tear gas at students marching toward the palace.")
    assert ["students"] in targets(events, "ASSAULT")


@pytest.mark.xfail(strict=True, reason=V2_MISS)
def test_passive_relative_clause_and_stance_predicates(nlp, resolver, extractor):
    # "soldiers who had been captured": the relative clause's head is the target, not "who"
    events = run(nlp, resolver, extractor,
                 "The rebels released 12 soldiers who had been captured last month.")
    assert ["12 soldiers"] in targets(events, "ASSAULT")
    # "X is opposed to Y" is X's stance: X is the source, never the target
    for text in ("Russia is opposed to NATO expansion, the Kremlin said.",
                 "Israel is opposed to French mediation, an aide said."):
        events = run(nlp, resolver, extractor, text)
        stance = [e for e in events if e.trigger.text == "opposed"]
        assert stance and [m.text for m in stance[0].source] == [text.split()[0]]
        assert all(m.text != text.split()[0] for m in stance[0].target)
    # "Iran is ready to attack Israel": the copula's subject acts
    events = run(nlp, resolver, extractor, "Iran is ready to attack Israel, the minister said.")
    att = [e for e in events if e.event_type == "ASSAULT"]
    assert att and [m.text for m in att[0].source] == ["Iran"]
    assert [m.text for m in att[0].target] == ["Israel"]


def test_targets_do_not_absorb_places_or_adjuncts(nlp, resolver, extractor):
    # a place in an "in" phrase is not the recipient; a sentence-initial "with" phrase is an adjunct
    events = run(nlp, resolver, extractor, "Serbia lifted a night curfew in Montenegro.")
    assert all(not e.target for e in events)
    events = run(nlp, resolver, extractor,
                 "Jordan and Britain have agreed to undertake joint military exercises this month.")
    agree = [e for e in events if e.event_type == "AGREE"]
    assert agree and agree[0].target == ()
    events = run(nlp, resolver, extractor, "A convoy carrying aid to Gaza was attacked by Israeli settlers.")
    assert all("Gaza" not in [m.text for m in e.target] for e in events)


def test_role_accuracy_on_gsr_heldout_gold(nlp, resolver, extractor):
    from types import SimpleNamespace

    from wirewatch.evaluate.events import evaluate_events

    pipe = SimpleNamespace(nlp=nlp, actors=resolver, events=extractor)
    m = evaluate_events(GOLD / "events_gsr_heldout.jsonl", pipe).metrics
    # before the target rules: target country 0.30, sector 0.38; sources 0.69 / 0.63
    assert m["target_country_accuracy"] >= 0.4 and m["target_sector_accuracy"] >= 0.45
    # micro F1 0.69 -> 0.646 when the coder began to code any candidate whose event probability clears
    # its type's threshold (not only those where an event type beats NONE): +0.06 detection F1 on the
    # Wikinews dev split, a few more false events on these CAMEO-style sentences
    assert m["source_country_accuracy"] >= 0.69 and m["micro_f1"] >= 0.62


def test_subject_undergoes_an_event_it_is_under(nlp, resolver, extractor):
    # "X was placed under arrest by Y", "X has been put under investigation": X is the target
    events = run(nlp, resolver, extractor,
                 "The opposition leader was placed under house arrest by the military.")
    arrest = [e for e in events if e.event_type == "COERCE"]
    assert arrest and [m.text for m in arrest[0].target] == ["The opposition leader"]
    assert [m.text for m in arrest[0].source] == ["the military"]
    events = run(nlp, resolver, extractor, "A US national has been put under investigation in Italy.")
    assert [[m.actor.country for m in e.target] for e in events if e.event_type == "ACCUSE"] == [["USA"]]


def test_detection_and_argument_metrics(nlp, resolver, extractor, tmp_path):
    import json
    from types import SimpleNamespace

    from wirewatch.evaluate.events import evaluate_events

    gold = tmp_path / "gold.jsonl"
    lines = [
        {"text": "Police arrested 14 protesters outside parliament.", "published": "2024-01-01",
         "events": [{"event_type": "COERCE", "source": [{"text": "Police", "start": 0, "end": 6}]}]},
        {"text": "The weather was cold.", "published": "2024-01-01", "events": []},
        {"text": "Floods killed 40 people in northern Nigeria.", "published": "2024-01-01", "events": []},
        {"text": "The weather was cold and wet.", "published": "2024-01-01",
         "events": [{"event_type": "PROTEST"}]},
    ]
    gold.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    m = evaluate_events(gold, SimpleNamespace(nlp=nlp, actors=resolver, events=extractor)).metrics
    assert (m["detection_precision"], m["detection_recall"]) == (1.0, 0.5)
    assert m["no_event_precision"] == pytest.approx(2 / 3, abs=1e-3) and m["no_event_recall"] == 1.0
    assert m["sentences"] == 4 and m["sentences_without_event"] == 2
    assert m["arg_span_recall"] == 1.0  # "Police" found as the source


def test_an_allegation_targets_the_accused_of_its_clause(nlp, resolver):
    from wirewatch.events.roles import MentionIndex, roles

    doc = nlp("Iran alleged that Israel sabotaged the Natanz facility.")
    verb = next(t for t in doc if t.lower_ == "alleged")
    source, target = roles(doc, verb.i, MentionIndex(resolver.mentions(doc)))
    assert [m.text for m in source] == ["Iran"]
    assert [m.text for m in target] == ["Israel"]
    doc = nlp("Iran said that Israel sabotaged the Natanz facility.")  # a statement names no target
    verb = next(t for t in doc if t.lower_ == "said")
    assert roles(doc, verb.i, MentionIndex(resolver.mentions(doc)))[1] == ()
