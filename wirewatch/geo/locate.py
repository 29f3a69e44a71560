"""Event location: the place where the event of a draft happened, from the trigger's clause.

Only resolved toponyms of the event's sentence are considered. Each gets a score from its syntactic link
to the trigger (dependency path: short, through no other clause verb), the preposition that introduces it
("in", "near", "at", "across", "into" ...; "the town of X" as the trigger's object) and its precision (a
city beats its country in the same phrase: "Syria’s border town of Kobani" -> Kobani). Excluded: a place
that is only an actor's origin ("militants from Syria"), a place inside an actor mention ("the Turkish
intelligence service"), a place in another clause with its own verb unless introduced by a locative
preposition. Several coordinated places ("in Ankara and Istanbul") -> the first one; the others are
conjuncts of it and score lower. A more precise place inside the best one ("near the town of Menaka in
northeastern Mali") and scoring nearly as well is chosen over it. None when no place qualifies.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from wirewatch.geo.gazetteer import RESOLUTION_RANK
from wirewatch.records import EventDraft, Toponym

STRONG_PREPS = frozenset(("in", "near", "at", "outside", "around", "across", "inside", "within", "into",
                          "throughout", "on", "off", "along", "over", "onto", "toward", "towards", "to",
                          "through", "between", "via", "beyond"))
PLACE_HEADS = frozenset(("town", "city", "village", "province", "region", "district", "county", "capital",
                         "port", "governorate", "area", "suburb", "outskirts", "enclave", "island", "camp",
                         "cities", "towns", "villages", "provinces", "regions", "areas", "countryside",
                         "border", "part", "parts", "north", "south", "east", "west", "centre", "center",
                         "streets", "street", "neighbourhood", "neighborhood", "municipality", "hamlet"))
CLAUSE_DEPS = frozenset(("relcl", "advcl", "ccomp", "xcomp", "acl", "csubj", "parataxis", "conj"))
MAX_DEPTH = 8


def _head_token(doc: Doc, t: Toponym) -> Token:
    span = doc[t.token_start:t.token_end]
    return span.root


def _path_up(tok: Token, limit: int = MAX_DEPTH) -> list[Token]:
    path = [tok]
    while path[-1].head.i != path[-1].i and len(path) <= limit:
        path.append(path[-1].head)
    return path


def _governing_prep(tok: Token) -> tuple[Token | None, Token]:
    """The preposition introducing ``tok``'s noun phrase, looking through "the town of", conjuncts and
    appositions; returns (prep, top noun of the phrase)."""
    cur = tok
    for _ in range(6):
        dep = cur.dep_
        if dep in ("conj", "appos", "compound", "poss", "nmod", "amod"):
            cur = cur.head
            continue
        if dep == "pobj":
            prep = cur.head
            if prep.lower_ == "of" and prep.head.lower_ in PLACE_HEADS:
                cur = prep.head
                continue
            return prep, cur
        return None, cur
    return None, cur


def _in_mention(t: Toponym, draft: EventDraft) -> bool:
    return any(m.start <= t.start and t.end <= m.end and (m.end - m.start) > (t.end - t.start)
               for m in (*draft.source, *draft.target))


def score_toponym(doc: Doc, draft: EventDraft, t: Toponym) -> float | None:
    """How likely ``t`` is the event's location (None: it is not)."""
    if t.place is None or _in_mention(t, draft):
        return None
    trigger = doc[draft.trigger_token]
    head = _head_token(doc, t)
    prep, top = _governing_prep(head)
    prep_word = prep.lower_ if prep is not None else ""
    if prep_word == "from" and prep.head.pos_ in ("NOUN", "PROPN", "PRON"):
        return None  # origin of an actor: "militants from Syria"
    if head.dep_ == "poss" and head.head.lower_ not in PLACE_HEADS:
        return None  # "Turkey's intelligence agency"
    # distance along the dependency tree to the trigger, and clause boundaries crossed
    up_t = _path_up(head)
    up_trig = _path_up(trigger)
    trig_ids = {tok.i: n for n, tok in enumerate(up_trig)}
    lca_steps = None
    for n, tok in enumerate(up_t):
        if tok.i in trig_ids:
            lca_steps = (n, trig_ids[tok.i])
            break
    if lca_steps is None:
        return None
    steps_up, steps_trig = lca_steps
    clauses = sum(1 for tok in up_t[1:steps_up] if tok.dep_ in CLAUSE_DEPS and tok.pos_ in ("VERB", "AUX"))
    clauses += sum(1 for tok in up_trig[:steps_trig] if tok.dep_ in CLAUSE_DEPS and tok.i != trigger.i)
    score = 10.0 - 0.7 * (steps_up + steps_trig)
    if prep_word in STRONG_PREPS:
        score += 3.0
    elif prep_word == "from":
        score += 0.5  # "withdrew from Kobani": a place, but weaker
    elif top.dep_ in ("dobj", "nsubjpass", "attr") and top.head.i == trigger.i and top.lower_ in PLACE_HEADS:
        score += 3.0  # "retook the town of Kobani"
    elif head.dep_ in ("dobj", "nsubjpass") and head.head.i == trigger.i:
        score += 2.0  # "shelled Aleppo"
    else:
        score -= 2.0
    if clauses:
        if prep_word not in STRONG_PREPS:
            return None
        score -= 2.5 * clauses
    if head.dep_ == "poss" or (head.dep_ == "compound" and head.head.lower_ in PLACE_HEADS):
        score -= 2.5  # "Syria’s border town of Kobani": the town is more precise
    if head.dep_ == "conj":
        score -= 1.0  # "Ankara and Istanbul": the first one
    score += 0.4 * RESOLUTION_RANK.get(t.place.resolution, 0)
    return score if score > 0 else None


DATELINE_DASHES = frozenset(("-", "—", "–", "--", "("))


def is_dateline(doc: Doc, t: Toponym) -> bool:
    """``t`` opens a dateline ("TORONTO -", "Jordan, Minn. —", "KABUL (Reuters)"): the place the story was
    filed from, at the start of a line and followed by a dash or an agency tag (after an optional
    ", State")."""
    start = t.token_start
    if start > 0 and "\n" not in doc[start - 1].text_with_ws and not doc[start - 1].is_space:
        return False
    i = t.token_end
    if i + 1 < len(doc) and doc[i].text == "," and doc[i + 1].text[:1].isupper():
        i += 2
        while i < len(doc) and doc[i].text == ".":
            i += 1
    return i < len(doc) and doc[i].text in DATELINE_DASHES


def locate(doc: Doc, draft: EventDraft, toponyms: list[Toponym]) -> Toponym | None:
    """The toponym naming where ``draft`` happened, or None when the sentence states none. A dateline city
    is the location only when the sentence names no other place."""
    s, e = draft.sentence.start, draft.sentence.end
    scored: list[tuple[float, int, Toponym]] = []
    dateline: Toponym | None = None
    for t in toponyms:
        if t.start < s or t.end > e:
            continue
        sc = score_toponym(doc, draft, t)
        if sc is None:
            continue
        if is_dateline(doc, t):
            dateline = dateline or t
            continue
        scored.append((sc, -t.start, t))
    if not scored:
        return dateline
    best = max(scored, key=lambda k: k[:2])
    inside = [k for k in scored if k[0] >= best[0] - CONTAINED_MARGIN and _within(k[2], best[2])]
    if not inside:
        return best[2]
    return max(inside, key=lambda k: (RESOLUTION_RANK.get(k[2].place.resolution, 0), k[:2]))[2]


CONTAINED_MARGIN = 2.0  # a more precise place this close to the best one, and inside it, is the location


def _within(inner: Toponym, outer: Toponym) -> bool:
    """``inner`` is a more precise place inside ``outer`` (a country or first-level division): "near the
    town of Menaka in northeastern Mali" -> Ménaka, not Mali."""
    a, b = inner.place, outer.place
    if a is None or b is None or RESOLUTION_RANK.get(a.resolution, 0) <= RESOLUTION_RANK.get(b.resolution, 0):
        return False
    if b.resolution == "country":
        return a.country == b.country
    if b.resolution == "admin1":
        return a.country == b.country and a.admin1 is not None and a.admin1 == b.admin1
    return False
