"""Situate actors the text gives no country: domestic actors ("police", "the gunman", "protesters")
act in the country where the event happens ("police in Peshawar" -> PAK police); named people and
domestic actors of an event with no place take the article's home country, the one country its
places and known actors are mostly in ("Trump" in an article about Kenosha and Washington -> USA).

Only actors outside the knowledge base, with no country of their own, are changed; KB actors keep
theirs, and IGOs, NGOs and multinationals have none to take.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from spacy.tokens import Doc

from wirewatch.records import Mention, Toponym

# sectors of actors that belong to a country; IGOs, NGOs and multinationals do not
DOMESTIC_SECTORS = frozenset({"COP", "CRM", "CVL", "GOV", "MIL", "JUD", "LEG", "OPP", "REB", "INS", "MED",
                              "BUS", "EDU", "HLH", "LAB", "REF", "SPY", "PTY", "ELI", "AGR", "UAF", "SEP"})
HOME_MIN_COUNT = 2  # country mentions (places + known actors) the home country needs at least
HOME_MIN_SHARE = 0.5  # and its share of all of them


def home_country(mentions: Iterable[Mention], toponyms: Iterable[Toponym]) -> str | None:
    """The article's home country: the country most of its resolved places and knowledge-base actors
    are in, when it has at least ``HOME_MIN_COUNT`` of them, ``HOME_MIN_SHARE`` of the total and more
    than any other country (a tie has no home)."""
    counts: Counter[str] = Counter(t.place.country for t in toponyms
                                   if t.place is not None and t.place.country)
    counts.update(m.actor.country for m in mentions if m.actor.known and m.actor.country)
    if not counts:
        return None
    ranked = counts.most_common(2)
    country, n = ranked[0]
    if len(ranked) > 1 and ranked[1][1] == n:
        return None  # a tie: no home
    return country if n >= HOME_MIN_COUNT and n >= HOME_MIN_SHARE * sum(counts.values()) else None


def people(mentions: Iterable[Mention], doc: Doc) -> frozenset[str]:
    """Ids of the actors with no sector that some mention names as a person (a PERSON entity): the
    article's named people ("Kyle Rittenhouse ... Rittenhouse", whatever the tagger made of the second)."""
    return frozenset(m.actor.actor_id for m in mentions
                     if m.actor.sector is None and not m.actor.known and doc[m.head].ent_type_ == "PERSON")


def situate(mentions: Sequence[Mention], country: str | None, home: str | None = None,
            persons: frozenset[str] = frozenset()) -> tuple[Mention, ...]:
    """Give countries to the actors that have none (knowledge-base actors keep theirs): a domestic
    actor takes ``country``, the event's, or else ``home``, the article's; a named person (an id in
    ``persons``, see :func:`people`) takes ``home``, a guess at nationality, never the event's place."""
    out = []
    for m in mentions:
        if m.actor.country is None and not m.actor.known:
            domestic = m.actor.sector in DOMESTIC_SECTORS
            fill = (country or home) if domestic else home if m.actor.actor_id in persons else None
            if fill:
                m = replace(m, actor=replace(m.actor, country=fill))
        out.append(m)
    return tuple(out)
