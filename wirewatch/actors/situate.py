"""Situate domestic actors: "police", "the gunman", "protesters" act in the country where the event
happens when the text names no other country for them ("police in Peshawar" -> PAK police)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from wirewatch.records import Mention

# sectors of actors that belong to a country; IGOs, NGOs and multinationals do not
DOMESTIC_SECTORS = frozenset({"COP", "CRM", "CVL", "GOV", "MIL", "JUD", "LEG", "OPP", "REB", "INS", "MED",
                              "BUS", "EDU", "HLH", "LAB", "REF", "SPY", "PTY", "ELI", "AGR", "UAF", "SEP"})


def situate(mentions: Sequence[Mention], country: str | None) -> tuple[Mention, ...]:
    """Give ``country`` to the domestic actors that have none; knowledge-base actors keep theirs."""
    if not country:
        return tuple(mentions)
    return tuple(
        replace(m, actor=replace(m.actor, country=country))
        if m.actor.country is None and not m.actor.known and m.actor.sector in DOMESTIC_SECTORS else m
        for m in mentions
    )
