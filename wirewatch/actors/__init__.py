"""Actors: find every actor mention in a parsed Doc, resolve it (KB entry or head-noun actor with
country + CAMEO sector) and give coreferent mentions in one article the same ``actor_id``.

    resolver = ActorResolver()
    resolver.mentions(doc, published=date(2015, 2, 13)) -> list[Mention]
    resolver.resolve_text("Turkish authorities") -> Actor(country="TUR", sector="GOV", ...)

KB actors have stable ids across articles ("TUR:national-intelligence-organization", "TUR" for the
country); actors built from a head noun have article-scoped ids starting with "~"
("~TURGOV:government").
"""

from __future__ import annotations

from datetime import date

from spacy.language import Language
from spacy.tokens import Doc

from wirewatch.actors.coref import corefer
from wirewatch.actors.kb import KnowledgeBase, load_kb
from wirewatch.actors.mentions import Candidate, MentionFinder
from wirewatch.actors.normalize import norm_token
from wirewatch.actors.quotes import quoted_first_person
from wirewatch.dateline import doc_dateline
from wirewatch.records import Actor, Mention

__all__ = ["ActorResolver"]


class ActorResolver:
    """Actor mention finder + resolver; the KB is loaded lazily on first use, once per process."""

    def __init__(self, kb: KnowledgeBase | None = None, nlp: Language | None = None) -> None:
        self._kb = kb
        self._nlp = nlp
        self._finder: MentionFinder | None = None

    @property
    def kb(self) -> KnowledgeBase:
        if self._kb is None:
            self._kb = load_kb()
        return self._kb

    def _candidates(self, doc: Doc, published: date | None) -> list[Candidate]:
        if self._finder is None:
            self._finder = MentionFinder(self.kb)
        return quoted_first_person(doc, corefer(doc, self._finder.find(doc, published)))

    def mentions(self, doc: Doc, published: date | None = None) -> list[Mention]:
        """Every actor mention in ``doc``, in text order; ``published`` picks date-bounded roles."""
        if len(doc) == 0:
            return []
        line = doc_dateline(doc)
        out = []
        for c in self._candidates(doc, published):
            span = doc[c.start:c.end]
            if line is not None and line.in_place(span.start_char, span.end_char):
                continue  # "KYIV, June 18 —" says where the story was filed: never an actor
            out.append(Mention(
                text=span.text, start=span.start_char, end=span.end_char, actor=c.actor,
                token_start=c.start, token_end=c.end, head=c.head,
            ))
        return out

    def country_of(self, text: str) -> str | None:
        """ISO3 country named by a bare country name or demonym ("German", "Saudi", "Turkey")."""
        words = text.replace("’", "'").split()
        key = " ".join(norm_token(w) for w in words)
        if key in self.kb.demonyms:
            return self.kb.demonyms[key]
        for entry in self.kb.lookup(key):
            if entry.kind in ("country", "capital", "place"):
                return entry.code[:3]
        for word in reversed(words):
            found = self.kb.demonyms.get(norm_token(word))
            if found:
                return found
        return None

    def resolve_text(self, text: str, published: date | None = None) -> Actor | None:
        """Resolve a bare actor string ("Kurdish Peshmerga fighters"); None when it names no actor.

        Parses the string with the default model (loaded lazily) and returns the actor of the
        mention nearest the root of the parse.
        """
        if not text.strip():
            return None
        if self._nlp is None:
            from wirewatch.nlp import load_nlp

            self._nlp = load_nlp()
        doc = self._nlp(text.strip())
        cands = self._candidates(doc, published)
        if not cands:
            # a bare place name ("Tehran", "Kosovo") still names its country
            key = " ".join(norm_token(t.text) for t in doc)
            capital = next((e for e in self.kb.lookup(key) if e.kind == "capital"), None)
            if capital is not None:  # "Tehran" as an actor is Iran's government
                return self.kb.actor(capital, published)
            iso = self.country_of(text.strip())
            if iso is None:
                return None
            entry = self.kb.country_entry.get(iso)
            return self.kb.actor(entry, published) if entry else Actor(iso, self.kb.country_name(iso), iso)

        def depth(c: Candidate) -> int:
            tok, d = doc[c.head], 0
            while tok.head.i != tok.i and d < 50:
                tok, d = tok.head, d + 1
            return d

        best = min(cands, key=lambda c: (depth(c), c.start))
        actor = best.actor
        if not actor.known and actor.country is None and actor.sector is None:
            return None
        return actor
