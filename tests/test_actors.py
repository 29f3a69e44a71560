"""Actor mentions, resolution and in-article coreference with the real model."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from wirewatch.actors import ActorResolver
from wirewatch.actors.codes import parse_code
from wirewatch.actors.kb import load_kb
from wirewatch.actors.normalize import norm_token
from wirewatch.evaluate.actors import evaluate_actors

GOLD = Path(__file__).resolve().parent / "data" / "gold"
PUBLISHED = date(2015, 2, 13)


@pytest.fixture(scope="module")
def resolver(nlp) -> ActorResolver:
    return ActorResolver(nlp=nlp)


@pytest.fixture(scope="module")
def kobani(resolver, kobani_doc):
    return resolver.mentions(kobani_doc, PUBLISHED)


def _by_text(mentions, text):
    found = [m for m in mentions if m.text == text]
    assert found, f"no mention {text!r} in {[m.text for m in mentions]}"
    return found[0]


def test_offsets_are_exact(kobani, kobani_text):
    assert kobani
    for m in kobani:
        assert kobani_text[m.start:m.end] == m.text
        assert m.token_start < m.token_end
        assert m.token_start <= m.head < m.token_end
    assert [m.start for m in kobani] == sorted(m.start for m in kobani)


def test_mit_is_one_turkish_intelligence_actor(kobani):
    names = ["The MİT", "Turkey’s National Intelligence Organization", "MİT",
             "the Turkish intelligence service", "the Turkish intelligence agency"]
    actors = [_by_text(kobani, n).actor for n in names]
    assert {a.actor_id for a in actors} == {"TUR:national-intelligence-organization"}
    assert all(a.country == "TUR" and a.sector == "SPY" and a.known for a in actors)


def test_daesh_mentions_share_one_id(kobani):
    daesh = [m for m in kobani if "Daesh" in m.text and "anti-" not in m.text]
    assert len(daesh) >= 8
    assert {m.actor.actor_id for m in daesh} == {"IMG:islamic-state"}
    assert {m.actor.sector for m in daesh} == {"REB"}
    anti = _by_text(kobani, "anti-Daesh coalition")
    assert anti.actor.actor_id != "IMG:islamic-state"


def test_kobani_heads_and_sectors(kobani, kobani_doc):
    pesh = _by_text(kobani, "Kurdish Peshmerga fighters")
    assert (pesh.actor.country, pesh.actor.sector) == ("IRQ", "MIL")
    assert kobani_doc[pesh.head].text == "fighters"
    reporter = _by_text(kobani, "a reporter")
    assert (reporter.actor.country, reporter.actor.sector) == ("GBR", "MED")
    sky = _by_text(kobani, "Britain’s Sky News")
    assert (sky.actor.country, sky.actor.sector) == ("GBR", "MED")
    gov = _by_text(kobani, "the Turkish government")
    assert (gov.actor.country, gov.actor.sector, gov.actor.known) == ("TUR", "GOV", False)
    army = _by_text(kobani, "Syrian army")
    assert (army.actor.country, army.actor.sector) == ("SYR", "MIL")
    coalition = _by_text(kobani, "the US-led coalition")
    assert coalition.actor.country == "USA" and coalition.actor.sector in ("IGO", "MIL")
    country = _by_text(kobani, "the country")  # "the country has long been under fire" = Turkey
    assert country.actor.actor_id == "TUR"
    hurriyet = _by_text(kobani, "Hurriyet Daily")
    assert (hurriyet.actor.country, hurriyet.actor.sector) == ("TUR", "MED")


def test_acronym_and_expansion_corefer(kobani):
    ypg = _by_text(kobani, "YPG")
    units = _by_text(kobani, "People's Protection Units")
    assert ypg.actor.actor_id == units.actor.actor_id
    assert (ypg.actor.country, ypg.actor.sector) == ("SYR", "REB")


def test_places_are_not_actors(kobani):
    texts = {m.text for m in kobani}
    assert "Kobani" not in texts and "Ankara" not in texts and "Hatay" not in texts
    assert not any(m.text.startswith("Syria’s border town") for m in kobani)


@pytest.mark.parametrize("text,country,sector", [
    ("Kurdish Peshmerga fighters", "IRQ", "MIL"),
    ("a reporter working for Britain's Sky News", "GBR", "MED"),
    ("Turkish authorities", "TUR", "GOV"),
    ("police", None, "COP"),
    ("Syrian army", "SYR", "MIL"),
    ("Mexican authorities", "MEX", "GOV"),
    ("Pakistani Army", "PAK", "MIL"),
    ("The DEA", "USA", "COP"),
    ("two Chinese warplanes", "CHN", "MIL"),
    ("Boko Haram gunmen", "NGA", "REB"),
    ("Kyiv police", "UKR", "COP"),
])
def test_resolve_text(resolver, text, country, sector):
    actor = resolver.resolve_text(text)
    assert actor is not None
    assert (actor.country, actor.sector) == (country, sector)


def test_resolve_text_non_actors(resolver):
    assert resolver.resolve_text("Frank") is None
    assert resolver.resolve_text("") is None
    assert resolver.resolve_text("a cat") is None


def test_date_bounded_roles(resolver):
    kb = load_kb()
    entry = kb.lookup("recep tayyip erdogan")[0]
    assert kb.actor(entry, date(2015, 2, 13)).sector == "GOV"
    assert kb.actor(entry, date(1995, 1, 1)).sector != "GOV"
    assert resolver.resolve_text("Recep Tayyip Erdogan", date(2015, 2, 13)).sector == "GOV"


def test_turkish_dotted_i_and_curly_apostrophe(nlp, resolver):
    text = "MİT warned on Monday. Syria’s government denied it, and Turkey’s MİT said nothing."
    mentions = resolver.mentions(nlp(text))
    for m in mentions:
        assert text[m.start:m.end] == m.text
    mit = [m for m in mentions if "MİT" in m.text]
    assert len(mit) == 2 and len({m.actor.actor_id for m in mit}) == 1
    syria = [m for m in mentions if m.text.startswith("Syria’s")]
    assert syria and syria[0].actor.country == "SYR" and syria[0].actor.sector == "GOV"
    assert norm_token("MİT") == "mit"


def test_empty_and_whitespace_docs(nlp, resolver):
    assert resolver.mentions(nlp("")) == []
    assert resolver.mentions(nlp("   \n ")) == []


def test_parse_code():
    assert parse_code("TURGOV") == ("TUR", "GOV")
    assert parse_code("IGOUNO") == (None, "IGO")
    assert parse_code("NGOUSAHRI") == ("USA", "NGO")
    assert parse_code("SYR") == ("SYR", None)


def test_eval_task_on_both_gold_files(nlp, resolver):
    class P:
        pass

    pipe = P()
    pipe.nlp, pipe.actors = nlp, resolver
    ngec = evaluate_actors(GOLD / "actors_ngec.jsonl", pipe)
    assert ngec.metrics["resolution_cases"] >= 300
    assert ngec.metrics["country_accuracy"] > 0.6
    assert ngec.metrics["sector_accuracy"] > 0.55
    news = evaluate_actors(GOLD / "actors_news.jsonl", pipe)
    assert news.metrics["mention_texts"] >= 40
    assert news.metrics["mention_overlap_f1"] > 0.8
    assert news.metrics["mention_country_accuracy"] > 0.8
    assert 0.0 < news.metrics["coref_pairwise_f1"] <= 1.0
    assert news.to_dict()["tables"]
    gsr = evaluate_actors(GOLD / "actors_gsr.jsonl", pipe)
    assert gsr.metrics["resolution_cases"] >= 600
    assert gsr.metrics["country_accuracy"] > 0.75


def test_capital_as_subject_is_the_government(nlp, resolver):
    text = "Ankara rejected the report, and the Turkish government summoned the envoy."
    mentions = resolver.mentions(nlp(text))
    ankara = _by_text(mentions, "Ankara")
    gov = _by_text(mentions, "the Turkish government")
    assert (ankara.actor.country, ankara.actor.sector) == ("TUR", "GOV")
    assert ankara.actor.actor_id == gov.actor.actor_id


def test_surname_and_titled_person_coreference(nlp, resolver):
    text = ("Pakistani Prime Minister Nawaz Sharif met army chiefs in Islamabad. "
            "Sharif later addressed parliament, and UN envoy Jan Eliasson arrived.")
    mentions = resolver.mentions(nlp(text), date(2015, 3, 1))
    full = _by_text(mentions, "Pakistani Prime Minister Nawaz Sharif")
    short = _by_text(mentions, "Sharif")
    assert full.actor.actor_id == short.actor.actor_id
    assert (full.actor.country, full.actor.sector) == ("PAK", "GOV")
    envoy = _by_text(mentions, "UN envoy Jan Eliasson")
    assert envoy.actor.sector == "IGO" and envoy.actor.actor_id != full.actor.actor_id


def test_definite_description_refers_back(nlp, resolver):
    text = "Islamic State captured the town, and the group later executed 20 prisoners."
    mentions = resolver.mentions(nlp(text))
    group, isis = _by_text(mentions, "the group"), _by_text(mentions, "Islamic State")
    assert group.actor.actor_id == isis.actor.actor_id
    text = "Nigerian troops recaptured Bama from Boko Haram, the army said."
    mentions = resolver.mentions(nlp(text))
    army, troops = _by_text(mentions, "the army"), _by_text(mentions, "Nigerian troops")
    assert army.actor.actor_id == troops.actor.actor_id and army.actor.country == "NGA"


def test_explicit_country_beats_a_foreign_kb_alias(resolver):
    actor = resolver.resolve_text("Chile's Defense Department")
    assert (actor.country, actor.sector) == ("CHL", "GOV")
    pentagon = resolver.resolve_text("the Defense Department")
    assert (pentagon.country, pentagon.sector) == ("USA", "MIL")


def test_held_out_gold_runs(nlp, resolver):
    class P:
        pass

    pipe = P()
    pipe.nlp, pipe.actors = nlp, resolver
    report = evaluate_actors(GOLD / "actors_news_heldout.jsonl", pipe)
    assert report.metrics["mention_texts"] == 20
    assert report.metrics["mention_overlap_f1"] > 0.75


@pytest.mark.parametrize("text,country,sector", [
    ("the Saudi-led coalition", "SAU", "IGO"),
    ("the U.S.-led coalition", "USA", "IGO"),
    ("the Iranian-backed Houthis", "YEM", "REB"),
    ("Russian-backed separatists", None, "REB"),
    ("pro-Russian separatists", None, "REB"),
])
def test_led_backed_and_pro_modifiers(resolver, text, country, sector):
    actor = resolver.resolve_text(text)
    assert (actor.country, actor.sector) == (country, sector)


def test_country_of_and_bare_places(resolver):
    assert resolver.country_of("German") == "DEU"
    assert resolver.country_of("Saudi") == "SAU"
    assert resolver.country_of("a cat") is None
    tehran = resolver.resolve_text("Tehran")
    assert (tehran.country, tehran.sector) == ("IRN", "GOV")
    assert resolver.resolve_text("America").country == "USA"


def test_ambiguous_alias_follows_the_article_country(nlp, resolver):
    us = resolver.mentions(nlp("Researchers at MIT said the American study was flawed."))
    assert _by_text(us, "MIT").actor.actor_id == "USA:massachusetts-institute-of-technology"
    tr = resolver.mentions(nlp("MIT warned Turkish police on Monday."))
    assert _by_text(tr, "MIT").actor.actor_id == "TUR:national-intelligence-organization"


def _mentioned(nlp, resolver, text):
    return {(m.text, m.actor.country, m.actor.sector) for m in resolver.mentions(nlp(text))}


@pytest.mark.parametrize("text,expected", [
    ("The EU pledged aid to Ukraine.", ("Ukraine", "UKR", None)),
    ("Germany apologized to Brazil on Monday.", ("Brazil", "BRA", None)),
    ("It was an admission by Moscow that troops were there.", ("Moscow", "RUS", "GOV")),
    ("The US held talks with Iran.", ("Iran", "IRN", None)),
    ("Syria's capital was shelled overnight.", ("Syria", "SYR", None)),
])
def test_countries_as_recipients_agents_and_possessors(nlp, resolver, text, expected):
    assert expected in _mentioned(nlp, resolver, text)


@pytest.mark.parametrize("text,expected", [
    ("Iran rejected a US offer.", ("US", "USA", None)),
    ("Mali welcomed the Senegalese peace plan.", ("Senegalese", "SEN", None)),
    ("French mediation ended the standoff.", ("French", "FRA", None)),
    ("The Israeli strike killed five people.", ("Israeli", "ISR", None)),
    ("Kerry met his Russian counterpart in Geneva.", ("his Russian counterpart", "RUS", "GOV")),
    ("US defence firms lobbied Congress.", ("US defence firms", "USA", "BUS")),
])
def test_nationality_modifiers(nlp, resolver, text, expected):
    assert expected in _mentioned(nlp, resolver, text)


@pytest.mark.parametrize("text,place", [
    ("Refugees crossed into Turkey.", "Turkey"),
    ("Rebels shelled Turkish cities.", "Turkish"),
    ("Thousands fled to Turkey last year.", "Turkey"),
    ("Fighters returned to Syria's border town of Kobani.", "Syria"),
    ("Protesters burned US flags outside the embassy.", "US"),
    ("Students staged anti-US protests.", "US"),
    ("Troops attacked the US-backed forces.", "US"),
    ("The WFP suspended food deliveries to northern Ethiopia.", "northern Ethiopia"),
    ("Hezbollah condemned the Israeli strike on Damascus.", "Damascus"),
    ("Jets hit a Syrian air base overnight.", "Syrian"),
])
def test_places_and_non_actor_modifiers_stay_out(nlp, resolver, text, place):
    assert place not in {m.text for m in resolver.mentions(nlp(text))}


def test_personal_pronoun_is_a_mention_of_the_person_before_it(nlp, resolver):
    text = ("Kyle Rittenhouse appeared in court on Monday. He pleaded not guilty. "
            "The weather was cold. She said nothing.")
    mentions = resolver.mentions(nlp(text))
    by_text = {m.text: m for m in mentions}
    assert by_text["He"].actor.actor_id == by_text["Kyle Rittenhouse"].actor.actor_id
    assert (by_text["He"].start, by_text["He"].end) == (text.index("He"), text.index("He") + 2)
    assert "She" not in by_text  # two sentences after the only person: no antecedent in reach


def test_pronoun_subject_becomes_the_events_source():
    from wirewatch.pipeline import Pipeline
    from wirewatch.records import Article

    text = "Emmanuel Macron spoke in Paris on Monday. He criticized Russia for the attack."
    analyzed = Pipeline().analyze(Article(id="p1", text=text))
    accuse = [e for e in analyzed.events if e.event_type == "ACCUSE"]
    assert accuse and [(m.text, m.actor.country) for m in accuse[0].source] == [("He", "FRA")]


@pytest.mark.parametrize("text,noun,sector", [
    ("Police arrested a suspect in Kenosha.", "a suspect", "CRM"),
    ("The attacker stabbed two guards.", "The attacker", "CRM"),
    ("Critics blamed the mayor for the delay.", "Critics", "CVL"),
    ("His sister made public requests for help.", "His sister", "CVL"),
])
def test_people_named_by_their_part_are_actors(nlp, resolver, text, noun, sector):
    got = {m.text: m.actor.sector for m in resolver.mentions(nlp(text))}
    assert got.get(noun) == sector, got


def test_queen_elizabeth_is_the_british_head_of_state(resolver, nlp):
    doc = nlp("Queen Elizabeth II announced she will comply with the request.")
    assert [(m.text, m.actor.country) for m in resolver.mentions(doc)][:2] == [
        ("Queen Elizabeth II", "GBR"), ("she", "GBR")]


def test_he_refers_to_the_one_person_named_before_whatever_its_role(resolver, nlp):
    doc = nlp("A jury convicted Don Blankenship of conspiracy. He maintains his innocence.")
    he = next(m for m in resolver.mentions(doc) if m.text == "He")
    assert he.actor.name == "Don Blankenship"
    # two people named before and neither a subject: no guess
    doc = nlp("A jury convicted Don Blankenship and Jane Roe of conspiracy. He maintains his innocence.")
    assert "He" not in [m.text for m in resolver.mentions(doc)]


def test_he_refers_to_an_unnamed_man_who_is_the_subject(resolver, nlp):
    doc = nlp("A man wearing a fake vest entered a store. He injured two women.")
    mentions = resolver.mentions(doc)
    he = next(m for m in mentions if m.text == "He")
    assert he.actor.actor_id == next(m for m in mentions if m.text == "A man").actor.actor_id


def test_they_refers_to_the_group_that_was_the_subject(resolver, nlp):
    doc = nlp("Hundreds of protesters blocked the main road. They chanted slogans against the government.")
    mentions = resolver.mentions(doc)
    they = next(m for m in mentions if m.text == "They")
    assert they.actor.actor_id == next(m for m in mentions if "protesters" in m.text).actor.actor_id
    # a place is never what "they" stands for
    doc = nlp("Turkey is a big country. They said nothing.")
    assert "They" not in [m.text for m in resolver.mentions(doc)]


def test_quoted_first_person_is_the_speaker(resolver, nlp):
    from wirewatch.actors.quotes import quotation_spans

    text = ('Police chief Alexis Boon said: "His fascination with dying was clear. We recovered his '
            'devices." '
            '"We will not negotiate," Interior Minister Priti Patel said. "I was there," a witness recalled.')
    assert [text[a:b] for a, b in quotation_spans(text)][1] == "We will not negotiate,"
    mentions = resolver.mentions(nlp(text))
    firsts = [(m.text, m.actor.name) for m in mentions if m.text in ("We", "I")]
    assert firsts[:2] == [("We", "Police chief Alexis Boon"), ("We", "Priti Patel")]
    # "a witness" is no actor: its "I" stays none
    assert len(firsts) == 2


def test_an_unclosed_quotation_mark_quotes_nothing():
    from wirewatch.actors.quotes import quotation_spans

    assert list(quotation_spans('He said "we will win and left.')) == []
    assert list(quotation_spans("“a” and “b”")) == [(1, 2), (9, 10)]
    # a hostile text of opening marks alone: no quotation, and no scan from each mark to the end
    assert list(quotation_spans("“" * 200_000 + "x")) == []


def test_them_is_the_plural_group_not_the_singular_speaker(resolver, nlp):
    doc = nlp("The Houthis rejected the proposal, and Yemen's exiled government said talks in Geneva "
              "would go ahead without them.")
    assert [(m.text, m.actor.actor_id) for m in resolver.mentions(doc) if m.text == "them"] == [
        ("them", "YEM:houthis")]


def test_officers_and_juries_have_sectors(resolver):
    assert resolver.resolve_text("officers").sector == "COP"
    assert resolver.resolve_text("the jury").sector == "JUD"
    assert resolver.resolve_text("an army officer").sector == "MIL"
