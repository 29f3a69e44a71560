"""The compiled actor knowledge base (``wirewatch/data/actors/kb.json.gz``), loaded lazily once.

Built by ``scripts/build_actor_kb.py`` from the Phoenix dictionaries, NGEC's country/agent lists
and ``curated.txt``. Aliases are keyed by normalised token sequences (see ``normalize.py``).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from wirewatch.actors.codes import parse_code
from wirewatch.records import Actor

MAX_ALIAS_TOKENS = 12


@dataclass(frozen=True)
class Entry:
    """One KB actor: ``roles`` are (code, start YYYYMMDD | None, end YYYYMMDD | None)."""

    index: int
    actor_id: str
    name: str
    code: str
    kind: str  # country | capital | place | org | person
    roles: tuple[tuple[str, int | None, int | None], ...]

    @property
    def is_org(self) -> bool:
        return self.kind == "org"


class KnowledgeBase:
    """Alias, agent-noun and demonym lookups over the compiled KB."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.entries: tuple[Entry, ...] = tuple(
            Entry(i, e["id"], e["name"], e["code"], e["kind"],
                  tuple((r[0], r[1], r[2]) for r in e["roles"]))
            for i, e in enumerate(data["entries"])
        )
        self.aliases: dict[str, tuple[int, ...]] = {k: tuple(v) for k, v in data["aliases"].items()}
        self.agents: dict[str, str] = data["agents"]
        self.demonyms: dict[str, str] = data["demonyms"]
        self.countries: dict[str, str] = data["countries"]
        self.country_entry: dict[str, Entry] = {
            e.code: e for e in self.entries if e.kind == "country"
        }
        # first token -> lengths (descending) of aliases starting with it
        lengths: dict[str, set[int]] = {}
        for key in self.aliases:
            toks = key.split(" ")
            if len(toks) <= MAX_ALIAS_TOKENS:
                lengths.setdefault(toks[0], set()).add(len(toks))
        self.first: dict[str, tuple[int, ...]] = {
            k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()
        }
        agent_lengths: dict[str, set[int]] = {}
        for key in self.agents:
            toks = key.split(" ")
            agent_lengths.setdefault(toks[-1], set()).add(len(toks))
        self.agent_last: dict[str, tuple[int, ...]] = {
            k: tuple(sorted(v, reverse=True)) for k, v in agent_lengths.items()
        }
        self._actor_cache: dict[tuple[int, str], Actor] = {}  # bounded by entries x roles

    def lookup(self, key: str) -> tuple[Entry, ...]:
        """Entries for a normalised alias key (most preferred first)."""
        return tuple(self.entries[i] for i in self.aliases.get(key, ()))

    def code_for(self, entry: Entry, published: date | None) -> str:
        """The role code in force on ``published``.

        With a date: the first dated role covering it, else the undated default, else the latest
        role's country as ``ELI`` (a former office holder). Without a date: the open-ended or
        latest role.
        """
        roles = entry.roles
        if len(roles) == 1:
            return roles[0][0]
        undated = [r for r in roles if r[1] is None and r[2] is None]
        dated = [r for r in roles if r[1] is not None or r[2] is not None]
        if published is not None:
            day = published.year * 10000 + published.month * 100 + published.day
            for code, start, end in dated:
                if (start is None or start <= day) and (end is None or day <= end):
                    return code
            if undated:
                return undated[0][0]
            last = max(dated, key=lambda r: r[2] or 99999999)
            country, _ = parse_code(last[0], self.countries)
            return f"{country}ELI" if country else "ELI"
        open_ended = [r for r in dated if r[2] is None]
        if open_ended:
            return max(open_ended, key=lambda r: r[1] or 0)[0]
        if dated:
            return max(dated, key=lambda r: r[2] or 0)[0]
        return undated[0][0]

    def actor(self, entry: Entry, published: date | None = None) -> Actor:
        """The Actor for an entry on a date (cached)."""
        code = self.code_for(entry, published)
        cached = self._actor_cache.get((entry.index, code))
        if cached is not None:
            return cached
        country, sector = parse_code(code, self.countries)
        if entry.kind in ("country", "place"):
            country, sector = entry.code[:3], None
        elif entry.kind == "capital":
            country, sector = entry.code[:3], "GOV"
        actor = Actor(actor_id=entry.actor_id, name=entry.name, country=country, sector=sector, known=True)
        self._actor_cache[(entry.index, code)] = actor
        return actor

    def country_name(self, iso: str) -> str:
        return self.countries.get(iso, iso)


@lru_cache(maxsize=1)
def load_kb() -> KnowledgeBase:
    """Load the packaged KB once per process."""
    path = resources.files("wirewatch").joinpath("data/actors/kb.json.gz")
    with path.open("rb") as raw, gzip.GzipFile(fileobj=raw) as handle:
        return KnowledgeBase(json.loads(handle.read().decode("utf-8")))
