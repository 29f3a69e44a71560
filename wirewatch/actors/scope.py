"""Article-scoped actor ids and place names that are not actors.

Only knowledge-base actors have ids that mean the same thing in every article. An actor built from a
mention's head noun (``~MIL:military``, "the air force") names *some* army: two articles' "military"
are not one actor, so such ids get the article as a scope (``~MIL:military@3f2a9c1b``). Counting
"top actors" then counts each article's army once instead of merging every army into one. Incident
linking still compares them across articles by country + sector + head noun (the id before ``@``).

A bare mention with no KB entry, no country and no sector whose text the geoparser resolved as a
place ("Gao", "Maungdaw") is a place, not an actor, and is dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace

from wirewatch.records import Mention, Toponym
from wirewatch.textnorm import strip_accents


def fold(text: str) -> str:
    return strip_accents(text.casefold()).strip()


def article_scope(article_id: str) -> str:
    """The short, stable scope suffix of one article's unknown-actor ids."""
    return hashlib.sha1(article_id.encode("utf-8")).hexdigest()[:8]


def scoped_id(actor_id: str, article_id: str) -> str:
    """``actor_id`` scoped to the article (KB ids, which never start with ``~``, are unchanged)."""
    if not actor_id.startswith("~") or "@" in actor_id:
        return actor_id
    return f"{actor_id}@{article_scope(article_id)}"


def _bare(m: Mention) -> bool:
    return not (m.actor.known or m.actor.country or m.actor.sector)


def article_actors(
    mentions: Iterable[Mention], article_id: str, toponyms: Iterable[Toponym]
) -> list[Mention]:
    """The article's actor mentions: places dropped, unknown actors' ids scoped to the article.

    A bare mention is a place when it lies inside a resolved toponym, or when its text (or another
    mention of the same actor) is the text of one ("Soldiers torched homes in Maungdaw. Maungdaw
    was under curfew.": both are the place)."""
    mentions = list(mentions)
    resolved = [t for t in toponyms if t.place is not None]
    spans = [(t.start, t.end) for t in resolved]
    names = {fold(t.text) for t in resolved}
    place_ids = {
        m.actor.actor_id for m in mentions
        if _bare(m) and (fold(m.text) in names or any(s <= m.start and m.end <= e for s, e in spans))
    }
    out = []
    for m in mentions:
        if _bare(m) and m.actor.actor_id in place_ids:
            continue
        if not m.actor.known and m.actor.actor_id.startswith("~"):
            m = replace(m, actor=replace(m.actor, actor_id=scoped_id(m.actor.actor_id, article_id)))
        out.append(m)
    return out
