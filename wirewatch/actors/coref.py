"""In-article actor coreference: one ``actor_id`` for every mention of the same actor.

Links: same actor id; apposition ("The MİT, Turkey's National Intelligence Organization");
a parenthesised or matching acronym ("People's Protection Units (YPG)"); a repeated surname;
a descriptive agency ("the Turkish intelligence service") and the one named KB agency with the same
country and sector in the article.
"""

from __future__ import annotations

from bisect import bisect_left

from spacy.tokens import Doc

from wirewatch.actors.mentions import LINKABLE_SECTORS, Candidate

_SKIP_INITIALS = frozenset({"of", "the", "and", "for", "'s", "in", "on", "de", "al", "-", "&"})


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _acronym(doc: Doc, c: Candidate) -> str:
    letters = [doc[k].text[0] for k in range(c.start, c.end)
               if doc[k].is_alpha and doc[k].lower_ not in _SKIP_INITIALS and doc[k].text[:1].isupper()]
    return "".join(letters).upper()


def _compatible(a: Candidate, b: Candidate) -> bool:
    """Two mentions may be merged unless both are different KB entries or countries differ."""
    if a.entry is not None and b.entry is not None and a.actor.actor_id != b.actor.actor_id:
        return False
    if a.kind == "country" or b.kind == "country":
        return a.actor.actor_id == b.actor.actor_id
    ca, cb = a.actor.country, b.actor.country
    return not (ca and cb and ca != cb)


def corefer(doc: Doc, cands: list[Candidate]) -> list[Candidate]:
    """Give coreferent candidates the same (best) actor, in place; returns ``cands``."""
    n = len(cands)
    uf = _UnionFind(n)
    by_id: dict[str, int] = {}
    by_token: dict[int, int] = {}
    for i, c in enumerate(cands):
        for k in range(c.start, c.end):
            by_token[k] = i
        first = by_id.setdefault(c.actor.actor_id, i)
        if first != i:
            uf.union(first, i)
    # earlier candidates by acronym and by last word, so each lookup below is a dict hit, not a scan
    # back over every candidate of the article (O(n^2) on long documents)
    by_acronym: dict[str, list[int]] = {}
    by_last: dict[str, list[int]] = {}
    for j, o in enumerate(cands):
        if o.end - o.start >= 2:
            by_acronym.setdefault(_acronym(doc, o), []).append(j)
            if o.entry is None and (o.kind == "person" or doc[o.end - 1].ent_type_ == "PERSON"):
                by_last.setdefault(doc[o.end - 1].lower_, []).append(j)
    for i, c in enumerate(cands):
        head = doc[c.head]
        # apposition and parenthesised names
        if head.dep_ == "appos":
            j = by_token.get(head.head.i)
            if j is not None and j != i and _compatible(cands[i], cands[j]):
                uf.union(i, j)
        # acronyms: "YPG" <-> "People's Protection Units"
        text = doc[c.start:c.end].text
        if c.end - c.start == 1 and text.isupper() and 2 <= len(text) <= 7:
            earlier = by_acronym.get(text, [])
            for j in reversed(earlier[:bisect_left(earlier, i)]):
                if _compatible(c, cands[j]):
                    uf.union(i, j)
                    break
        # repeated person names: "Recep Tayyip Erdogan" ... "Erdogan"
        if c.entry is None and c.kind in ("person", "unknown") and doc[c.end - 1].pos_ == "PROPN":
            last = doc[c.end - 1].lower_
            earlier = by_last.get(last, [])
            for j in reversed(earlier[:bisect_left(earlier, i)]):
                o = cands[j]
                if o.end - o.start > c.end - c.start:
                    uf.union(i, j)
                    break
    # descriptive agency -> the single named org with the same country+sector in the article
    named: dict[tuple[str, str], set[str]] = {}
    first_named: dict[str, int] = {}
    for i, c in enumerate(cands):
        if c.entry is not None and c.entry.is_org and c.actor.country and c.actor.sector:
            named.setdefault((c.actor.country, c.actor.sector), set()).add(c.actor.actor_id)
            first_named.setdefault(c.actor.actor_id, i)
    for i, c in enumerate(cands):
        if c.entry is None and c.canonical and c.actor.sector in LINKABLE_SECTORS and c.actor.country:
            ids = named.get((c.actor.country, c.actor.sector), set())
            if len(ids) == 1:
                uf.union(i, first_named[next(iter(ids))])
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(uf.find(i), []).append(i)
    for members in groups.values():
        if len(members) == 1:
            continue
        best = min(members, key=lambda j: (cands[j].entry is None, cands[j].kind == "country",
                                           cands[j].actor.sector is None, j))
        for j in members:
            cands[j].actor = cands[best].actor
    return cands
