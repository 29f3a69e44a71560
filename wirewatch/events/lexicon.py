"""Trigger lexicon: CAMEO verb patterns and event nouns, mapped to PLOVER 2.0.

The lexicon is compiled by ``scripts/train_events.py`` from the Phoenix CAMEO 2.0 verb dictionary,
the CAMEO2PLOVER table and the project's own noun list, and shipped as
``wirewatch/data/events/lexicon.json``. It proposes candidate triggers with a CAMEO code; the
classifier (``model.py``) picks the final type.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

VERB_POS = {"VERB"}
MODIFIER_DEPS = {"compound", "amod", "nmod", "det", "nummod", "poss", "case"}
FRAME_VERBS = {"intend", "plan", "aim", "hope", "want", "seek", "expect", "try", "attempt", "prepare",
               "continue", "begin", "start", "need", "decide", "vow", "resume", "manage", "fail"}
# time/circumstance adjuncts are not part of the pattern phrase: "detained ... after the summit" must
# not match the "hold * summit" pattern that CAMEO verb groups share
ADJUNCT_PREPS = {"after", "before", "since", "amid", "during", "following", "despite", "until", "ahead"}
CLAUSE_DEPS = {"ccomp", "advcl", "relcl", "conj", "parataxis", "acl", "cc", "punct", "xcomp", "mark"}


@dataclass(frozen=True)
class Plover:
    """The PLOVER reading of one CAMEO code."""

    event_type: str
    mode: str | None
    contexts: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    """A proposed trigger: a token, the lexicon key it matched and the CAMEO code the patterns give."""

    token: int  # doc index
    key: str  # lexicon entry ("attack", "pull out", "n:airstrike")
    cameo: str | None  # None when a pattern explicitly nulls the verb (e.g. "killed in an accident")
    particle: int | None = None  # doc index of the particle of a phrasal verb
    specific: bool = False  # the code comes from a multi-word pattern, not the entry's default


def data_file(name: str) -> Traversable:
    """A shipped data file of this stage (``wirewatch/data/events/NAME``)."""
    return resources.files("wirewatch").joinpath("data").joinpath("events").joinpath(name)


def read_json(name: str) -> Any:
    """Read one shipped data file of this stage (gzip-compressed when the name ends in .gz)."""
    raw = data_file(name).read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    return json.loads(raw.decode("utf-8"))


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The shipped lexicon (loaded once)."""
    return Lexicon(read_json("lexicon.json.gz"))


class Lexicon:
    """Verb/noun trigger entries with CAMEO codes and pattern refinements."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.verbs: dict[str, dict[str, Any]] = data["verbs"]
        self.forms: dict[str, str] = data["forms"]
        self.nouns: dict[str, dict[str, Any]] = data["nouns"]
        self.plover: dict[str, Plover] = {
            code: Plover(v[0], v[1] or None, tuple(v[2])) for code, v in data["cameo2plover"].items()
        }
        self.reporting: frozenset[str] = frozenset(data["reporting"])
        self.phrasal = {key.split(" ")[0] for key in self.verbs if " " in key}

    def to_plover(self, cameo: str | None) -> Plover | None:
        """PLOVER type/mode/contexts of a CAMEO code (longest known prefix); None for dropped codes."""
        if not cameo:
            return None
        for n in range(len(cameo), 1, -1):
            hit = self.plover.get(cameo[:n])
            if hit:
                return hit
        return None

    def verb_key(self, tok: Token) -> tuple[str | None, int | None]:
        """The lexicon key of a verb token (phrasal first), and the particle token if phrasal."""
        lemma = self.forms.get(tok.lower_) or tok.lemma_.lower()
        if lemma in self.phrasal:
            for child in tok.children:
                if child.dep_ in ("prt", "prep", "advmod") and child.i > tok.i:
                    key = f"{lemma} {child.lower_}"
                    if key in self.verbs:
                        return key, child.i
        return (lemma, None) if lemma in self.verbs else (None, None)

    def candidates(self, sent: SpacySpan) -> list[Candidate]:
        """Every token of the sentence that the lexicon proposes as a trigger."""
        out: list[Candidate] = []
        for tok in sent:
            if tok.pos_ in VERB_POS or (tok.pos_ == "AUX" and tok.dep_ != "aux"):
                if _is_state(tok) or tok.lower_ == "according" or tok.dep_ in ("amod", "compound"):
                    continue  # states, "according to", participles as adjectives ("US-led")
                if tok.lemma_.lower() in FRAME_VERBS and any(c.dep_ == "xcomp" for c in tok.children):
                    continue  # "intend to boycott": the boycott is the event (modality planned)
                key, particle = self.verb_key(tok)
                if key:
                    code, specific = self._code(self.verbs[key], _local_words(tok))
                    out.append(Candidate(tok.i, key, code, particle, specific))
                    continue
            if tok.pos_ == "NOUN" or (tok.pos_ == "PROPN" and not tok.ent_type_) or tok.tag_ == "VBG":
                entry = self.nouns.get(tok.lemma_.lower()) or self.nouns.get(tok.lower_)
                if entry and not _is_modifier(tok):
                    every, heads = _local_words(tok)
                    head = tok.head.lemma_.lower()
                    code, specific = self._code(entry, (every | {head}, heads | {head}))
                    out.append(Candidate(tok.i, "n:" + tok.lemma_.lower(), code, None, specific))
        return out

    @staticmethod
    def _code(entry: dict[str, Any], words: tuple[set[str], set[str]]) -> tuple[str | None, bool]:
        """The entry's default code, refined by the most specific pattern whose words all occur.

        ``words`` is (all words of the trigger's phrase, its head words). A one-word pattern that
        nulls the event ("killed in an accident") must match a head word, not a modifier
        ("a Hamas *training* camp" does not make "struck" a training accident).
        """
        every, heads = words
        best, best_len = entry.get("code"), 0
        for slots, code in entry.get("patterns", ()):
            pool = heads if code is None and len(slots) == 1 else every
            if len(slots) > best_len and all(any(w in pool for w in alts) for alts in slots):
                best, best_len = code, len(slots)
        return best, best_len > 0


def _local_words(tok: Token) -> tuple[set[str], set[str]]:
    """Words of the trigger's own phrase (not of clauses embedded in it), for pattern matching."""
    words: set[str] = set()
    heads: set[str] = set()
    stack = [c for c in tok.children if c.dep_ not in CLAUSE_DEPS
             and not (c.dep_ == "prep" and c.lower_ in ADJUNCT_PREPS)]
    while stack:
        t = stack.pop()
        words.add(t.lower_)
        words.add(t.lemma_.lower())
        if t.dep_ not in MODIFIER_DEPS:
            heads.add(t.lower_)
            heads.add(t.lemma_.lower())
        stack.extend(c for c in t.children if c.dep_ not in CLAUSE_DEPS)
    return words, heads


def _is_state(tok: Token) -> bool:
    """A simple-present verb in a relative clause describes a state ("Daesh, who controls ...")."""
    return (tok.dep_ == "relcl" and tok.tag_ in ("VBZ", "VBP")
            and not any(c.dep_ in ("aux", "auxpass") for c in tok.children))


def _is_modifier(tok: Token) -> bool:
    """A noun used as a modifier ("attack helicopter", "protest leaders") is not a trigger."""
    if tok.dep_ == "conj" and tok.head.dep_ in ("compound", "amod", "nmod"):
        tok = tok.head
    return tok.dep_ in ("compound", "amod", "nmod") and tok.head.i > tok.i
