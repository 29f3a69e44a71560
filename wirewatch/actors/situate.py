"""Situate domestic actors: "police", "the gunman", "protesters" act in the country where the event
happens when the text names no other country for them ("police in Peshawar" -> PAK police)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from wirewatch.records import Mention, Toponym

# sectors of actors that belong to a country; IGOs, NGOs and multinationals do not
DOMESTIC_SECTORS = frozenset({"COP", "CRM", "CVL", "GOV", "MIL", "JUD", "LEG", "OPP", "REB", "INS", "MED",
                              "BUS", "EDU", "HLH", "LAB", "REF", "SPY", "PTY", "ELI", "AGR", "UAF", "SEP"})


def focus_country(toponyms: Iterable[Toponym]) -> str | None:
    """The article's country: the one its resolved places name most often (ties: the first named)."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for t in toponyms:
        country = t.place.country if t.place is not None else None
        if country:
            counts[country] += 1
            first.setdefault(country, t.start)
    if not counts:
        return None
    return max(counts, key=lambda c: (counts[c], -first[c]))


def situate(mentions: Sequence[Mention], country: str | None) -> tuple[Mention, ...]:
    """Give ``country`` to the domestic actors that have none; knowledge-base actors keep theirs."""
    if not country:
        return tuple(mentions)
    return tuple(
        replace(m, actor=replace(m.actor, country=country))
        if m.actor.country is None and not m.actor.known and m.actor.sector in DOMESTIC_SECTORS else m
        for m in mentions
    )
