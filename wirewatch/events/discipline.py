"""No-event discipline and request frames (issue 10: "events coded where nothing happened").

An event is an interaction between actors. Deaths from floods, fires, accidents or illness, a death
told without a perpetrator ("four protesters died"), a wish ("the government wants ..."), an
unverifiable claim ("could not be independently verified"), "a pause in the bombing", a storm or a
virus as the actor ("Hurricane Zeta slammed into the coast"), an animal cull, a storm warning, an
inquiry into a crash, a discharge from hospital, an oath of office ("was sworn in") and a relation with
no actor at all ("an observation point was established") report nothing between actors:
:func:`no_event_reason` says why such a trigger is dropped. :func:`request_frame` finds the
"called on X to release" / "urged X to halt" verb that makes the nested act a REQUEST by the caller.
"""

from __future__ import annotations

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

# a death is told, not done: the victims are never sources, and without a perpetrator there is no event
DEATH_VERBS = frozenset({"die", "perish", "drown", "succumb", "starve", "suffocate"})
# causes that are no actor: "floods killed 40", "killed in a gas explosion", "died of cholera"
NATURAL_CAUSES = frozenset({
    "flood", "flooding", "fire", "blaze", "wildfire", "bushfire", "storm", "earthquake", "quake",
    "tremor", "landslide", "mudslide", "avalanche", "cyclone", "hurricane", "typhoon", "tornado",
    "tsunami", "eruption", "volcano", "lightning", "heatwave", "heat", "cold", "drought", "famine",
    "disease", "illness", "virus", "outbreak", "epidemic", "pandemic", "cholera", "malaria", "covid",
    "coronavirus", "ebola", "measles", "flu", "influenza", "cancer", "infection", "pneumonia",
    "crash", "accident", "collision", "derailment", "collapse", "stampede", "leak", "poisoning",
    "overdose", "drinking", "eating", "consumption", "inhalation", "rain", "rains", "snow", "weather",
    "wave", "waves", "sinking", "capsizing", "wind", "winds", "gust", "aftershock", "hailstorm",
})
# the titles of named storms: "Hurricane Zeta", "Typhoon Haiyan", "Storm Ciara"
STORM_TITLES = frozenset({"hurricane", "typhoon", "cyclone", "storm", "tropical"})
# pathogens by name: "SARS-CoV-2 has killed 1,000", "COVID-19 killed 300"
PATHOGENS = frozenset({"sars", "sars-cov-2", "cov-2", "covid-19", "covid19", "mers", "hiv", "aids", "h1n1",
                       "h5n1", "h7n9", "mpox", "monkeypox", "zika", "dengue", "tuberculosis", "plague",
                       "smallpox", "polio", "typhoid", "meningitis", "hepatitis", "omicron"})
# "killed when a plane crashed": the clause names an accident
ACCIDENT_VERBS = frozenset({"crash", "capsize", "derail", "overturn", "collide", "sink"})
# an animal cull or a hunt is no event between actors ("ordered the killing of 300,000 pigs")
ANIMALS = frozenset({"animal", "pig", "hog", "chicken", "hen", "bird", "poultry", "duck", "goose",
                     "turkey", "cattle", "cow", "sheep", "goat", "livestock", "mink", "dog", "cat", "bat",
                     "deer", "horse", "camel", "fish", "whale", "dolphin", "shark", "elephant", "rhino",
                     "wolf", "bear", "monkey", "rat", "mosquito"})
# "a tropical storm warning", "a flood alert": a forecast, not a threat
FORECAST_NOUNS = frozenset({"warning", "alert", "watch", "advisory"})
WEATHER_MODIFIERS = frozenset({"tropical", "weather", "gale", "frost", "fog", "tsunami", "severe"})
INQUIRY_WORDS = frozenset({"investigate", "investigation", "probe", "inquiry", "enquiry", "inquest"})
# "released from hospital": a discharge, not a release from custody
CARE_PLACES = frozenset({"hospital", "clinic", "care", "infirmary", "icu", "rehab", "rehabilitation"})
ACCIDENT_MODIFIERS = frozenset({"gas", "car", "road", "traffic", "train", "plane", "bus", "boat",
                                "mine", "industrial", "factory", "boiler", "chemical", "kitchen"})
# "a cardiac arrest", "a heart attack", "respiratory failure": a medical condition, not an arrest or attack
MEDICAL_MODIFIERS = frozenset({"cardiac", "heart", "respiratory", "cardiopulmonary", "asthma", "panic",
                               "anxiety", "epileptic", "pulmonary", "cardiovascular"})
MEDICAL_NOUNS = frozenset({"arrest", "attack", "failure", "seizure", "episode"})
CAUSE_PREPS = frozenset({"in", "by", "from", "during", "of", "after"})
DESIRE_VERBS = frozenset({"want", "wish", "hope", "like", "love", "need", "desire", "prefer"})
VERIFY_VERBS = frozenset({"verify", "confirm", "corroborate", "substantiate", "ascertain"})
PAUSE_NOUNS = frozenset({"pause", "lull", "halt", "cessation", "suspension", "break", "respite",
                         "letup", "end"})
# types an actorless report can still carry ("a car bomb exploded in Kabul", "protests erupted")
ACTOR_OPTIONAL = frozenset({"ASSAULT", "PROTEST", "COERCE", "MOBILIZE"})
# harm told by its outcome: with no actor on either side and no violence in the sentence it is a
# disaster's toll ("destroyed 300 homes, ripped up roads, killed one"), not an attack
OUTCOME_VERBS = frozenset({"destroy", "damage", "injure", "wound", "hurt", "crack", "rip", "decimate",
                           "devastate", "flatten", "raze", "kill"})
VIOLENCE_CUES = frozenset({
    "attack", "attacker", "assailant", "gunman", "gun", "gunfire", "shoot", "shooting", "shot", "stab",
    "stabbing", "knife", "bomb", "bombing", "bomber", "explosive", "grenade", "rocket", "missile",
    "mortar", "drone", "airstrike", "shelling", "raid", "ambush", "militant", "rebel", "insurgent",
    "terrorist", "militia", "troop", "soldier", "army", "police", "clash", "fight", "fighting",
    "altercation", "assault", "war", "conflict", "violence", "riot", "protest", "murder", "suspect",
    "massacre", "execution", "combat", "mob", "gang", "lynch",
})
REQUEST_VERBS = frozenset({"urge", "ask", "call", "appeal", "press", "implore", "request", "plead",
                           "beg", "exhort", "petition", "invite", "demand"})
COMPLEMENT_DEPS = frozenset({"xcomp", "ccomp", "advcl"})


def _cause_word(tok: Token) -> bool:
    """A noun phrase head naming a natural or accidental cause ("floods", "a gas explosion")."""
    lemma = tok.lemma_.lower()
    if lemma in ("wave", "series") and any(c.dep_ == "prep" and c.lower_ == "of" for c in tok.children):
        return False  # "a wave of attacks" is what its "of" names
    if lemma in NATURAL_CAUSES or tok.lower_ in NATURAL_CAUSES or tok.lower_ in PATHOGENS:
        return True
    mods = {c.lower_ for c in tok.children if c.dep_ in ("compound", "amod")}
    if tok.pos_ == "PROPN" and mods & (STORM_TITLES | PATHOGENS):
        return True  # "Hurricane Zeta", "SARS-CoV-2" (not "the Fire Department")
    return lemma in ("explosion", "blast", "fire") and bool(mods & ACCIDENT_MODIFIERS)


def _pobjs_of(tok: Token, preps: frozenset[str] | set[str], deps: tuple[str, ...] = ("prep",)) -> list[Token]:
    """The objects of the trigger's prepositions in ``preps`` ("the killing *of* pigs")."""
    return [g for c in tok.children if c.dep_ in deps and c.lower_ in preps
            for g in c.children if g.dep_ == "pobj"]


def natural_cause(tok: Token) -> bool:
    """Is the trigger told as caused by a flood, fire, accident or disease ("killed in a crash", "were
    killed when a bomber crashed")? A cause as the subject is :func:`_cause_subject`, for every type."""
    if any(_cause_word(g) for g in _pobjs_of(tok, CAUSE_PREPS, ("prep", "agent"))):
        return True
    for child in tok.children:
        if (child.dep_ == "advcl" and child.lemma_.lower() in ACCIDENT_VERBS
                and not any(c.dep_ in ("nsubj", "agent") for c in tok.children)):
            return True  # "were killed when a bomber crashed" (no one killed them)
    return False


def _cause_subject(tok: Token) -> bool:
    """A storm, a disease or an accident as the trigger's subject: "Hurricane Zeta slammed into the
    coast", "winds from the storm delayed a rally", "aftershocks increased the death toll"."""
    return any(c.dep_ in ("nsubj", "csubj") and _cause_word(c) for c in tok.children)


def _animal_victims(tok: Token) -> bool:
    """"culled 2,000 chickens", "the killing of 300,000 pigs": the ones harmed are animals."""
    victims = [c for c in tok.children if c.dep_ in ("dobj", "nsubjpass")] + _pobjs_of(tok, {"of"})
    return bool(victims) and all(v.lemma_.lower() in ANIMALS for v in victims)


def _forecast(tok: Token) -> bool:
    """"its tropical storm warnings", "a flood alert": a weather forecast, or issuing or withdrawing one
    ("withdrew its tropical storm warnings")."""
    if tok.pos_ in ("VERB", "AUX"):
        return any(c.dep_ == "dobj" and _forecast(c) for c in tok.children)
    if tok.pos_ != "NOUN" or tok.lemma_.lower() not in FORECAST_NOUNS:
        return False
    return any(c.dep_ in ("compound", "amod") and (c.lower_ in WEATHER_MODIFIERS or _cause_word(c))
               for c in tok.children)


def _accident_inquiry(tok: Token) -> bool:
    """"began investigations of the crash", "investigating the fire": an inquiry into an accident
    accuses no one; nor does opening one ("opened an investigation into the crash")."""
    if tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() not in INQUIRY_WORDS:
        return any(c.dep_ == "dobj" and c.lemma_.lower() in INQUIRY_WORDS and _accident_inquiry(c)
                   for c in tok.children)
    if tok.lemma_.lower() not in INQUIRY_WORDS:
        return False
    objects = [c for c in tok.children if c.dep_ == "dobj"] + _pobjs_of(tok, {"of", "into"})
    if tok.dep_ == "dobj":  # the parser hangs "into the crash" on "opened"
        objects += _pobjs_of(tok.head, {"into"})
    return bool(objects) and all(_cause_word(o) for o in objects)


def _discharged(tok: Token) -> bool:
    """"released from the hospital": a patient leaving care."""
    return tok.lemma_.lower() in ("release", "discharge") and any(
        g.lemma_.lower() in CARE_PLACES for g in _pobjs_of(tok, {"from"}))


def _sworn_in(tok: Token) -> bool:
    """"was sworn in", "swore her in": an oath of office."""
    return tok.lemma_.lower() == "swear" and any(
        c.lower_ == "in" and c.dep_ in ("prt", "advmod") for c in tok.children)


def foreign_sentence(sent: SpacySpan) -> bool:
    """A sentence mostly in another script (a quote in Hindi, Arabic, Cyrillic): the English coder
    cannot read it, so it codes nothing there."""
    letters = [ch for ch in sent.text if ch.isalpha()]
    return bool(letters) and sum(ord(ch) > 0x24F for ch in letters) > len(letters) / 2


def _paused(tok: Token) -> bool:
    """"a pause in the bombing", "an end to the shelling": the act is what stopped."""
    prep = tok.head if tok.dep_ == "pobj" else None
    return prep is not None and prep.dep_ == "prep" and prep.head.lemma_.lower() in PAUSE_NOUNS


def lexical_no_event(tok: Token, label: str) -> str | None:
    """Why this candidate trigger codes no event whatever its arguments (None: it may)."""
    lemma = tok.lemma_.lower()
    if tok.dep_ == "amod" and tok.pos_ in ("VERB", "ADJ"):
        return "a participle used as an adjective"  # "poisoned alcohol", "a banned party"
    if lemma in DEATH_VERBS:
        return "a death without a perpetrator"
    if lemma in DESIRE_VERBS:
        return "a wish, not an act"
    if lemma in VERIFY_VERBS and any(c.lower_ == "independently" for c in tok.children):
        return "verification of a report"
    if label in ("ASSAULT", "COERCE") and natural_cause(tok):
        return "a natural or accidental cause"
    if _cause_subject(tok):
        return "a storm, disease or accident as the actor"
    if label == "ASSAULT" and _animal_victims(tok):
        return "animals harmed, no actor harmed"
    if _forecast(tok):
        return "a weather forecast"
    if _discharged(tok):
        return "a discharge from hospital"
    if _accident_inquiry(tok):
        return "an inquiry into an accident"
    if _sworn_in(tok):
        return "an oath of office"
    if tok.pos_ == "NOUN" and lemma in MEDICAL_NOUNS and any(
            c.dep_ in ("amod", "compound") and c.lower_ in MEDICAL_MODIFIERS for c in tok.children):
        return "a medical condition"  # "suffered a cardiac arrest"
    if tok.pos_ == "NOUN" and lemma in ("explosion", "blast", "fire") and _cause_word(tok):
        return "an accident"  # "a gas explosion"
    if _paused(tok):
        return "a pause in an act"
    if _fixed_phrase(tok):
        return "part of a fixed phrase"
    return None


# "in order to", "in terms of", "in charge of", "on behalf of", "in favour of": the noun is a connective
FIXED_PHRASES = {("in", "order"), ("in", "term"), ("in", "charge"), ("on", "behalf"), ("in", "favour"),
                 ("in", "favor"), ("in", "line"), ("in", "response")}


def _fixed_phrase(tok: Token) -> bool:
    if tok.pos_ != "NOUN" or tok.i == 0:
        return False
    before = tok.doc[tok.i - 1]
    return (before.lower_, tok.lemma_.lower()) in FIXED_PHRASES and before.dep_ in ("prep", "mark", "advmod")


def no_event_reason(tok: Token, label: str, has_actor: bool) -> str | None:
    """Why this coded trigger is no event (None: it is). ``has_actor``: the draft has a source or target.

    A relation (AGREE, CONSULT, SUPPORT ...) with no actor is kept only when a person or group is its
    grammatical subject ("the two leaders are expected to meet"), so "an observation point was
    established" and an actorless "summit" are dropped."""
    reason = lexical_no_event(tok, label)
    if reason:
        return reason
    if tok.lemma_.lower() in VERIFY_VERBS and not has_actor:
        return "verification of a report"
    if label not in ACTOR_OPTIONAL and not has_actor and not _agentive(tok):
        return "no actor"
    if (label == "ASSAULT" and not has_actor and tok.lemma_.lower() in OUTCOME_VERBS
            and not any(t.lemma_.lower() in VIOLENCE_CUES for t in tok.sent)):
        return "harm without an actor or any violence"
    return None


HUMAN_NOUNS = frozenset({
    "leader", "official", "side", "party", "government", "minister", "president", "country", "nation",
    "group", "people", "delegation", "army", "force", "police", "troop", "rebel", "militant", "protester",
    "demonstrator", "worker", "student", "state", "authority", "administration", "ministry", "spokesman",
    "spokeswoman", "spokesperson", "envoy", "diplomat", "negotiator", "representative", "member",
    "lawmaker", "legislator", "parliament", "council", "court", "judge", "prosecutor", "commander",
    "soldier", "fighter", "militia", "movement", "organization", "organisation", "union", "company",
    "premier", "chancellor", "king", "prince", "emir", "general", "mayor", "governor", "chief", "head",
})


def _agentive(tok: Token) -> bool:
    """Does a person or group stand as the trigger's subject (its own, or the governing verb's)?"""
    subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
    if subj is None and tok.dep_ in ("xcomp", "conj") and tok.pos_ in ("VERB", "AUX"):
        subj = next((c for c in tok.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subj is None or tok.pos_ not in ("VERB", "AUX"):
        return False
    if subj.pos_ == "PRON":
        return subj.lower_ not in ("it", "this", "that", "which", "what")
    return (subj.pos_ == "PROPN" or subj.ent_type_ in ("PERSON", "ORG", "NORP", "GPE")
            or subj.lemma_.lower() in HUMAN_NOUNS)


ARREST_VERBS = frozenset({"arrest", "detain", "apprehend", "jail", "imprison", "incarcerate", "handcuff"})


# "attacked the media for maintaining the status quo": an attack told with its reason is criticism
VERBAL_ATTACK_VERBS = frozenset({"attack", "slam", "blast", "lash", "hit", "savage", "assail"})


def _attacked_for_a_reason(tok: Token) -> bool:
    """"attacked X for maintaining ...", "for its handling of ...": the "for" gives a reason (a gerund
    or a possessed act), not a duration ("attacked the convoy for two hours")."""
    if tok.lemma_.lower() not in VERBAL_ATTACK_VERBS:
        return False
    for prep in (c for c in tok.children if c.dep_ == "prep" and c.lower_ == "for"):
        for g in prep.children:
            if g.dep_ == "pcomp" and g.tag_ == "VBG":
                return True
            if g.dep_ == "pobj" and (g.tag_ == "VBG" or any(c.dep_ == "poss" for c in g.children)):
                return True
    return False


def retype(tok: Token, label: str) -> str:
    """PLOVER over CAMEO where they part: an arrest is COERCE (mode arrest) even where CAMEO's
    "arrest protesters" pattern (175, violent repression) would make it ASSAULT; an attack for a
    reason ("attacked the media for maintaining the status quo") is ACCUSE."""
    if label == "ASSAULT" and tok.lemma_.lower() in ARREST_VERBS:
        return "COERCE"
    if label == "ASSAULT" and _attacked_for_a_reason(tok):
        return "ACCUSE"
    return label


def request_frame(tok: Token) -> Token | None:
    """The verb that asks for the trigger's act: "called on X to release", "urged X to halt",
    "called for the release of", "appealed to X to end"; None when nobody asks for it."""
    if tok.dep_ in COMPLEMENT_DEPS and tok.pos_ in ("VERB", "AUX"):
        head = tok.head
        if tok.dep_ == "ccomp" and not any(c.dep_ == "mark" and c.lower_ == "that" for c in tok.children):
            return None
        if head.lemma_.lower() in REQUEST_VERBS and _asks(head):
            return head
    if tok.dep_ == "pobj" and tok.head.dep_ == "prep" and tok.head.lower_ == "for":
        head = tok.head.head
        if head.lemma_.lower() in ("call", "appeal", "press", "plead", "push", "lobby", "ask"):
            return head
    return None


def _asks(verb: Token) -> bool:
    """"call"/"appeal" ask only with "on"/"upon"/"to" ("called on", "appealed to"); the rest always do."""
    if verb.lemma_.lower() not in ("call", "appeal", "invite"):
        return True
    return any(c.dep_ in ("prep", "prt") and c.lower_ in ("on", "upon", "to") for c in verb.children)
