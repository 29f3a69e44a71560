"""Finding actor mentions in a parsed Doc and resolving each one on its own.

Pure Python over tokens with the precompiled KB lookups: (1) greedy longest KB alias matches on
normalised tokens, (2) noun-phrase spans built from the dependency parse around each nominal head,
(3) resolution of each span from its KB matches, agent noun and country modifiers, (4) countries
that act from outside a phrase: recipients ("aid to Ukraine"), agents ("an admission by Moscow"),
possessors ("Syria's capital was shelled") and nationality modifiers of non-actor nouns ("a US offer").
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from spacy.tokens import Doc, Token

from wirewatch.actors.codes import NON_ISO_PREFIXES
from wirewatch.actors.kb import Entry, KnowledgeBase
from wirewatch.actors.normalize import norm_token, slug
from wirewatch.records import Actor

MOD_DEPS = frozenset({"det", "amod", "compound", "poss", "nummod", "nmod", "quantmod", "npadvmod",
                      "predet", "case", "nn", "punct"})
NOMINAL = frozenset({"NOUN", "PROPN"})
ACTOR_ENTS = frozenset({"ORG", "PERSON", "NORP"})
LOCATIVE_PREPS = frozenset({"in", "into", "to", "from", "across", "near", "through", "at", "inside",
                            "within", "toward", "towards", "via", "throughout", "over", "along", "on",
                            "around", "outside", "beyond", "of", "out"})
BORDER_NOUNS = frozenset({"border", "frontier", "boundary", "line"})
AFFILIATION_PREPS = frozenset({"of", "for", "from", "with", "at", "in"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "agent"})
# heads meaning "members of" the modifying organisation ("Daesh militants", "Hamas spokesman")
MEMBER_HEADS = frozenset({
    "militant", "fighter", "member", "terrorist", "gunman", "gunmen", "supporter", "leader", "spokesman",
    "spokeswoman", "spokesperson", "commander", "official", "force", "unit", "insurgent", "jihadist",
    "rebel", "soldier", "troop", "operative", "cell", "wing", "chief", "head", "agent", "officer",
    "reporter", "correspondent", "journalist", "staff", "worker", "employee", "source", "group",
    "extremist", "loyalist", "affiliate", "faction", "branch", "sniper", "bomber",
})
# person nouns that make an actor with a country alone ("Russian hackers", "American personnel")
PERSON_HEADS = frozenset({"personnel", "hacker", "national", "expatriate", "man", "woman", "men", "women",
                          "student", "diplomat", "envoy", "delegation", "team", "crew", "volunteer"})
# definite descriptions that refer back ("the group", "the militants", "the army")
ANAPHOR_HEADS: dict[str, frozenset[str] | None] = {
    "group": None, "organisation": None, "organization": None, "movement": None, "outfit": None,
    "militant": frozenset({"REB", "INS", "UAF"}), "rebel": frozenset({"REB", "INS", "UAF"}),
    "insurgent": frozenset({"REB", "INS", "UAF"}), "jihadist": frozenset({"REB", "INS", "UAF"}),
    "army": frozenset({"MIL"}), "military": frozenset({"MIL"}), "police": frozenset({"COP"}),
    "government": frozenset({"GOV"}), "agency": None, "ministry": frozenset({"GOV"}),
}
# unknown actors with these heads share one id per country+sector ("Turkish authorities" and
# "the Turkish government" are one actor)
CANONICAL_HEADS: dict[str, str] = {
    "government": "government", "authority": "government", "authorities": "government",
    "administration": "government", "regime": "government", "cabinet": "government",
    "army": "military", "military": "military", "troop": "military", "troops": "military",
    "soldier": "military", "force": "military", "forces": "military",
    "police": "police", "policeman": "police", "policemen": "police",
    "intelligence": "intelligence", "service": "intelligence", "agency": "intelligence",
    "organization": "intelligence", "organisation": "intelligence", "directorate": "intelligence",
}
# agent nouns the KB lacks that make an actor with a country modifier ("his Russian counterpart")
EXTRA_AGENT_HEADS: dict[str, str] = {
    "counterpart": "GOV", "firm": "BUS", "company": "BUS", "corporation": "BUS", "contractor": "BUS",
    "manufacturer": "BUS", "producer": "BUS", "exporter": "BUS", "lender": "BUS", "investor": "BUS",
    "pilot": "MIL", "airman": "MIL", "sailor": "MIL", "marine": "MIL", "peacekeeper": "MIL",
}
# heads that make a modifying country a place, not an actor ("Turkish cities", "Syria's border town")
PLACE_HEADS = frozenset({
    "city", "town", "village", "border", "frontier", "boundary", "side", "region", "province", "territory",
    "soil", "airspace", "water", "coast", "district", "area", "north", "south", "east", "west", "part",
    "city-state", "enclave", "countryside", "mainland", "island", "port", "capital", "embassy",
    "consulate", "street", "road", "highway", "mountain", "desert", "sea", "citizen", "citizenship",
    "passport", "language", "word", "name", "time", "history", "population", "people", "economy",
    "currency", "map", "flag", "interior", "heartland", "base", "airbase", "site", "facility",
    "installation", "plant", "mine", "field", "airport", "airfield", "building", "hospital", "school",
})
# a country object of these prepositions is a recipient after an event noun ("aid to Ukraine")
CAPITAL_PREPS = frozenset({"by", "with", "to", "from", "against"})  # "an admission by Moscow"
RECIPIENT_PREPS = frozenset({"to", "on", "toward", "towards"})
# verbs whose "on"/"upon" + country names who is asked, punished or watched, not a place: "called on
# Italy to join", "imposed tariffs on China", "declared war on Germany", "spied on France"
ADDRESSEE_VERBS = frozenset({"call", "urge", "prevail", "impose", "declare", "spy", "crack", "lean",
                             "retaliate", "turn", "levy", "place", "slap", "press"})
# verbs and nouns after which "to"/"into"/"from" + country is a destination or origin, not an actor
MOTION_LEMMAS = frozenset({
    "cross", "travel", "return", "flee", "come", "go", "move", "head", "fly", "send", "deploy", "march",
    "advance", "arrive", "retreat", "withdraw", "escape", "migrate", "drive", "walk", "sail", "spread",
    "extend", "relocate", "evacuate", "transfer", "smuggle", "bring", "take", "push", "expand", "carry",
    "deport", "be", "get", "lead", "ship", "export", "import", "emigrate", "immigrate", "pour", "stream",
    "journey", "trip", "flight", "road", "route", "way", "gateway", "corridor", "access", "entry", "exodus",
    "passage", "border", "crossing", "migration", "deployment", "path", "door", "bridge",
    "close", "near", "next", "adjacent", "visitor", "tourist", "refugee", "migrant", "ambassador", "envoy",
    "embassy", "mission", "delegation", "trade", "flow", "influx", "arrival",
})
LINKABLE_SECTORS = frozenset({"SPY", "MIL", "COP"})
PLACE_KINDS = frozenset({"country", "capital", "place"})  # KB kinds that name a country
MAX_LEFT = 12  # longest pre-modification kept in a mention span (degenerate parses)
FORMER = frozenset({"former", "ex", "ex-", "late"})
SPONSOR_VERBS = frozenset({"back", "backed", "sponsor", "sponsored", "support", "supported", "fund", "funded",
                           "arm", "armed", "ally", "allied", "train", "trained", "inspire", "inspired"})


@dataclass
class Candidate:
    """A mention under construction (mutable while the document is processed)."""

    start: int  # token index
    end: int
    head: int
    actor: Actor
    entry: Entry | None = None  # the KB entry when the actor comes from the KB
    kind: str = "unknown"  # country | capital | place | org | person | unknown | anaphor | member
    canonical: str | None = None
    ent: str = ""


@dataclass
class DocIndex:
    """Per-document token data computed once."""

    doc: Doc
    toks: list[Token]
    norm: list[str]
    lemma: list[str]
    match_at: dict[int, tuple[int, int, tuple[Entry, ...]]]  # token -> (start, end, entries)
    countries: frozenset[str]  # countries named anywhere in the document (names, demonyms)


def kb_matches(doc: Doc, norm: list[str], kb: KnowledgeBase) -> list[tuple[int, int, tuple[Entry, ...]]]:
    """Greedy longest, non-overlapping alias matches on normalised tokens."""
    out = []
    n = len(doc)
    i = 0
    first = kb.first
    aliases = kb.aliases
    while i < n:
        lengths = first.get(norm[i])
        found = None
        if lengths:
            for length in lengths:
                if i + length > n:
                    continue
                key = norm[i] if length == 1 else " ".join(norm[i:i + length])
                if key in aliases and _cased_ok(doc, i, i + length):
                    found = (i, i + length, kb.lookup(key))
                    break
        if found:
            out.append(found)
            i = found[1]
        else:
            i += 1
    return out


def _cased_ok(doc: Doc, start: int, end: int) -> bool:
    """A KB name must look like a name: some capitalised token; short single tokens all-caps."""
    if end - start == 1:
        text = doc[start].text
        if len(text) <= 3 and text.isalpha():
            return text.isupper() or (len(text) == 3 and doc[start].ent_type_ in ACTOR_ENTS | {"GPE"}
                                      and text[:1].isupper())
        return text[:1].isupper() or not text[:1].isalpha()
    return any(doc[k].text[:1].isupper() for k in range(start, end) if doc[k].is_alpha)


def build_index(doc: Doc, kb: KnowledgeBase) -> DocIndex:
    toks = list(doc)  # one pass creates the Token objects every later pass reuses
    norm = [norm_token(t.text) for t in toks]
    lemma = [norm_token(t.lemma_) if t.lemma_ else norm[t.i] for t in toks]
    match_at: dict[int, tuple[int, int, tuple[Entry, ...]]] = {}
    countries = {kb.demonyms[w] for w in norm if w in kb.demonyms}
    for m in kb_matches(doc, norm, kb):
        for k in range(m[0], m[1]):
            match_at[k] = m
        if len(m[2]) == 1 and m[2][0].kind in PLACE_KINDS:
            countries.add(m[2][0].code[:3])
    return DocIndex(doc, toks, norm, lemma, match_at, frozenset(countries))


def phrase_span(tok: Token) -> tuple[int, int]:
    """Token range of the base noun phrase headed by ``tok`` (modifiers on the left + possessor)."""
    left = tok.i
    for child in tok.lefts:
        if child.dep_ in MOD_DEPS and not (child.dep_ == "punct" and child.text not in "-–"):
            left = min(left, child.left_edge.i)
    right = tok.i + 1
    doc = tok.doc
    # a possessor the parser attached elsewhere: "Turkey's National Intelligence Organization"
    if left >= 2 and doc[left - 1].tag_ == "POS" and doc[left - 2].pos_ == "PROPN":
        owner = doc[left - 2]
        left = owner.left_edge.i if owner.left_edge.i >= owner.i - 3 else owner.i
    left = max(left, tok.i - MAX_LEFT)
    while left < tok.i and (doc[left].is_punct or doc[left].dep_ == "cc"):
        left += 1
    # hyphenated names split by the parser: "Haider al-Abadi"
    while right + 1 < len(doc) and doc[right].text == "-" and not doc[right - 1].whitespace_ \
            and not doc[right].whitespace_ and doc[right + 1].pos_ == "PROPN":
        right += 2
    # a KB name or entity that runs past the head ("People's Protection Units")
    return left, right


def agent_sector(ix: DocIndex, kb: KnowledgeBase, start: int, end: int, at: int) -> tuple[str | None, int]:
    """Sector of the longest agent phrase ending at token ``at`` within [start, end)."""
    for words in (ix.norm, ix.lemma):
        lengths = kb.agent_last.get(words[at])
        if not lengths:
            continue
        for length in lengths:
            s = at - length + 1
            if s < start:
                continue
            key = words[at] if length == 1 else " ".join(ix.norm[s:at] + [words[at]])
            sector = kb.agents.get(key)
            if sector is not None:
                return sector, s
    return None, at


def salient(countries: list[str]) -> str:
    """The country an article keeps naming: most frequent so far, the latest on a tie."""
    counts = Counter(countries)
    best = max(counts.values())
    return next(c for c in reversed(countries) if counts[c] == best)


PERSONAL_PRONOUNS = frozenset({"he", "she", "him"})
PRONOUN_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj"})
ANTECEDENT_DEPS = frozenset({"nsubj", "nsubjpass"})  # a clause subject a pronoun refers back to


def _is_person(c: Candidate) -> bool:
    return c.kind == "person" or c.ent == "PERSON" or (c.entry is not None and c.entry.kind == "person")


def _is_lone_person(c: Candidate, lemma: str, pronoun: str) -> bool:
    """An unnamed man or woman a "he"/"she" can stand for ("a man wearing a fake vest ... he")."""
    return c.actor.sector == "CVL" and lemma == ("woman" if pronoun == "she" else "man")


def _pronoun_mentions(ix: DocIndex, cands: list[Candidate], pool: list[Candidate], words: frozenset[str],
                      choose: Callable[[Token, list[Candidate]], Candidate | None]) -> list[Candidate]:
    """Add each uncovered pronoun in ``words`` (as subject or object) as a mention of the antecedent
    that ``choose`` picks among the ``pool`` candidates ending before it in its sentence or the one
    before (in text order; found by bisection, so the cost stays linear in the article). The mention
    keeps the pronoun's own span, so the evidence shows "He", and the antecedent's actor."""
    if not pool:
        return cands
    pool = sorted(pool, key=lambda c: c.start)
    starts = [c.start for c in pool]
    sent_starts = [s.start for s in ix.doc.sents]
    covered = {k for c in cands for k in range(c.start, c.end)}
    added: list[Candidate] = []
    for tok in ix.toks:
        if tok.lower_ not in words or tok.pos_ != "PRON" or tok.i in covered or tok.dep_ not in PRONOUN_DEPS:
            continue
        window = sent_starts[max(0, bisect_right(sent_starts, tok.i) - 2)]
        before = [c for c in pool[bisect_left(starts, window):bisect_left(starts, tok.i)] if c.end <= tok.i]
        ante = choose(tok, before)
        if ante is not None:
            added.append(Candidate(tok.i, tok.i + 1, tok.i, ante.actor, ante.entry, ante.kind, None, ""))
    return sorted(cands + added, key=lambda c: c.start) if added else cands


def personal_pronouns(ix: DocIndex, cands: list[Candidate]) -> list[Candidate]:
    """Add "he", "she", "him" and object "her" as mentions of the person they stand for: the nearest
    earlier named person that is a clause subject, in the pronoun's sentence or the one before ("Trump
    spoke in Ohio. He criticized Biden." -> "He" is Trump), or an unnamed "a man"/"a woman" subject
    there for "he"/"she"; with none, the one person named in that window whatever its role ("A jury
    convicted Blankenship ... He maintains his innocence"); with none or several, no actor."""
    doc = ix.doc

    def choose(tok: Token, before: list[Candidate]) -> Candidate | None:
        pronoun = "she" if tok.lower_ in ("she", "her") else "he"
        subjects = [c for c in before if doc[c.head].dep_ in ANTECEDENT_DEPS
                    and (_is_person(c) or _is_lone_person(c, ix.lemma[c.head], pronoun))]
        named = [c for c in before if _is_person(c)]
        if subjects:
            return subjects[-1]
        return named[-1] if len({c.actor.actor_id for c in named}) == 1 else None

    pool = [c for c in cands if _is_person(c) or (
        c.actor.sector == "CVL" and c.entry is None and ix.lemma[c.head] in ("man", "woman"))]
    return _pronoun_mentions(ix, cands, pool, PERSONAL_PRONOUNS | {"her"}, choose)


def _plural(c: Candidate, doc: Doc) -> bool:
    """A plural noun, a coordination, or a name the tagger calls singular but is plural ("the Houthis")."""
    head = doc[c.head]
    return head.tag_ in ("NNS", "NNPS") or any(t.dep_ == "conj" for t in head.children) or (
        head.tag_ == "NNP" and head.lower_.endswith("s") and not head.lower_.endswith(("ss", "us")))


def plural_pronouns(ix: DocIndex, cands: list[Candidate]) -> list[Candidate]:
    """Add "they"/"them" as mentions of the group they stand for (no person, no place): the nearest
    earlier plural group that is a clause subject in the pronoun's sentence or the one before
    ("Protesters blocked the road. They chanted slogans."), else the one plural group named there
    ("The Houthis rejected it, and the government said talks would go ahead without them"), else an
    organisation that is the subject of a clause governing a subject "they" ("UNICEF reported they
    had delivered ..."); with none or several, no actor."""
    doc = ix.doc

    def choose(tok: Token, before: list[Candidate]) -> Candidate | None:
        plural = [c for c in before if _plural(c, doc)]
        subjects = [c for c in plural if doc[c.head].dep_ in ANTECEDENT_DEPS]
        if subjects:
            return subjects[-1]
        if len({c.actor.actor_id for c in plural}) == 1:
            return plural[-1]
        governing = {a.i for a in tok.ancestors}
        speakers = [c for c in before if tok.lower_ == "they" and doc[c.head].dep_ == "nsubj"
                    and doc[c.head].head.i in governing]
        return speakers[-1] if speakers else None

    pool = [c for c in cands if c.kind not in PLACE_KINDS and c.kind != "person"
            and (c.entry.is_org if c.entry is not None else c.actor.sector and c.ent != "PERSON")
            and ix.lemma[c.head] not in ("man", "woman")]  # a KB group the tagger calls PERSON counts
    return _pronoun_mentions(ix, cands, pool, frozenset({"they", "them"}), choose)


class MentionFinder:
    """Builds resolved (but not yet coreferred) candidates for one document."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def find(self, doc: Doc, published: date | None = None) -> list[Candidate]:
        ix = build_index(doc, self.kb)
        heads = [t for t in ix.toks if self._is_head(t, ix)]
        found: list[Candidate] = []
        deferred = []
        last_country: list[str] = []
        for tok in heads:
            if tok.dep_ == "poss":
                deferred.append(tok)
                continue
            cand = self._resolve(ix, tok, published, last_country)
            if cand is not None:
                found.append(cand)
        # overlapping spans: the longer phrase wins ("Turkey" inside "Turkey's National ...")
        out: list[Candidate] = []
        taken: set[int] = set()
        for cand in sorted(found, key=lambda c: (c.kind == "country", -(c.end - c.start), c.start)):
            if not taken.intersection(range(cand.start, cand.end)):
                out.append(cand)
                taken.update(range(cand.start, cand.end))
        for tok in deferred:
            if tok.i in taken:
                continue
            cand = self._resolve(ix, tok, published, last_country)
            if cand is not None and (cand.kind not in PLACE_KINDS or cand.end - cand.start == 1
                                     or ix.match_at.get(cand.start, (0, 0))[1] == cand.end) \
                    and not taken.intersection(
                    range(cand.start, cand.end)):
                out.append(cand)
                taken.update(range(cand.start, cand.end))
        # KB names left inside non-actor phrases: "Houthi positions", "a Taliban attack"
        seen_matches = set()
        for k in sorted(ix.match_at):
            m = ix.match_at[k]
            if id(m) in seen_matches or taken.intersection(range(m[0], m[1])):
                continue
            seen_matches.add(id(m))
            entry = self._pick(m[2], ix)
            if entry.kind == "country":
                cand = self._country_modifier(ix, m, entry, published)
                if cand is not None:
                    out.append(cand)
                    taken.update(range(m[0], m[1]))
                continue
            if entry.kind not in ("org", "person"):
                continue
            root = next((t for t in doc[m[0]:m[1]] if not m[0] <= t.head.i < m[1] or t.head.i == t.i),
                        doc[m[1] - 1])
            out.append(Candidate(m[0], m[1], root.i, self.kb.actor(entry, published), entry, entry.kind,
                                 None, root.ent_type_))
            taken.update(range(m[0], m[1]))
        # a bare surname repeating an earlier named person: "... Nawaz Sharif ... Sharif said"
        persons: dict[str, list[Candidate]] = {}  # by last word: a dict hit per token, not a scan
        for c in out:
            person = c.kind == "person" or (c.entry is not None and c.entry.kind == "person")
            if person and c.end - c.start > 1:
                persons.setdefault(doc[c.end - 1].text, []).append(c)
        for tok in heads:
            if tok.i in taken or tok.pos_ != "PROPN" or not tok.text[:1].isupper():
                continue
            prior = [c for c in persons.get(tok.text, ()) if c.end <= tok.i]
            if prior:
                p = prior[-1]
                out.append(Candidate(tok.i, tok.i + 1, tok.i, p.actor, p.entry, p.kind, None, tok.ent_type_))
                taken.add(tok.i)
        out.sort(key=lambda c: c.start)
        out = self._anaphora(ix, out)
        self._inherit(ix, out)
        out = plural_pronouns(ix, personal_pronouns(ix, out))
        return [c for c in out if c.kind != "member" or c.actor.country or c.actor.sector]

    def _anaphora(self, ix: DocIndex, cands: list[Candidate]) -> list[Candidate]:
        """Resolve definite descriptions to the nearest fitting earlier mention; drop the rest."""
        keep: list[Candidate] = []
        for c in cands:
            lemma = ix.lemma[c.head]
            if c.kind == "anaphor" and lemma in ANAPHOR_HEADS:
                sectors = ANAPHOR_HEADS[lemma]
                target = None
                for o in reversed(keep):
                    if o.kind in PLACE_KINDS or o.kind == "person" or (
                            not o.actor.country and o.entry is None):
                        continue
                    # "the group" is not the news outlet that reported it ("An Al Jazeera reporter ...")
                    org_fits = sectors is None and o.entry is not None and o.entry.is_org \
                        and o.actor.sector != "MED"
                    sector_fits = sectors is not None and o.actor.sector in sectors and (
                        o.entry is not None or o.canonical == c.canonical)
                    if org_fits or sector_fits:
                        target = o
                        break
                if target is not None:
                    c.actor, c.entry, c.kind = target.actor, target.entry, target.kind
                elif c.actor.sector is None:
                    continue
                else:
                    c.kind = "unknown"
            keep.append(c)
        return keep

    def _is_head(self, tok: Token, ix: DocIndex) -> bool:
        if tok.pos_ not in NOMINAL and not (tok.i in ix.match_at and tok.pos_ in ("ADJ", "X", "NUM")):
            return False
        if tok.dep_ in ("compound", "amod", "nmod", "npadvmod", "nn"):
            # inside a bigger phrase unless it ends a KB name whose phrase head is elsewhere
            return False
        m = ix.match_at.get(tok.i)
        if m is None:
            return True
        # inside a KB name only its syntactic root heads the phrase
        return not (m[0] <= tok.head.i < m[1] and tok.head.i != tok.i)

    def _country_of(self, ix: DocIndex, k: int, last_country: list[str]) -> str | None:
        """Country given by modifier token k (demonym, country/place name, "the country")."""
        m = ix.match_at.get(k)
        if m is not None:
            for e in m[2]:
                if e.kind in PLACE_KINDS:
                    return e.code[:3]
        country = self.kb.demonyms.get(ix.norm[k])
        if country is None and ix.lemma[k] == "country" and last_country:
            country = salient(last_country)
        return country

    def _country_of_text(self, norm: str) -> str | None:
        """Country of a normalised word or name ("u.s.", "saudi", "turkey")."""
        found = self.kb.demonyms.get(norm)
        if found is None:
            found = next((e.code[:3] for e in self.kb.lookup(norm) if e.kind in PLACE_KINDS), None)
        return found

    def _resolve(self, ix: DocIndex, tok: Token, published: date | None,
                 last_country: list[str]) -> Candidate | None:
        doc = ix.doc
        toks = ix.toks
        start, end = phrase_span(tok)
        head_match = ix.match_at.get(tok.i)
        if head_match is not None:
            start = min(start, head_match[0])
            end = max(end, head_match[1])
        before = ix.match_at.get(start - 1) if start > 0 else None
        if head_match is None and before is not None and before[1] == start and before[2] \
                and before[2][0].kind == "org" and ix.lemma[tok.i] in MEMBER_HEADS:
            start = before[0]  # mis-parsed "Boko Haram gunmen": the name belongs to the phrase
        # KB matches and countries among the modifiers
        mod_entries: list[Entry] = []
        countries: list[str] = []
        k = start
        while k < end:
            m = ix.match_at.get(k)
            if k >= 2 and toks[k - 1].text == "-" and ix.norm[k - 2] in ("anti", "counter", "pro"):
                k = m[1] if m is not None else k + 1  # "anti-Daesh coalition" is not Daesh
                continue
            last = m[1] - 1 if m is not None else k
            if last + 2 < end and toks[last + 1].text == "-" and ix.lemma[last + 2] in SPONSOR_VERBS:
                k = last + 1  # "Iranian-backed Houthis" are not Iranian
                continue
            if m is not None and m is not head_match:
                entries = m[2]
                if entries and entries[0].kind in ("org", "person"):
                    mod_entries.append(self._pick(entries, ix))
                elif entries:
                    countries.append(entries[0].code[:3])
                k = m[1]
                continue
            if m is None and ix.norm[k].startswith(("pro-", "anti-")):
                k += 1
                continue
            if m is None and ix.norm[k].endswith("-led"):
                c = self._country_of_text(ix.norm[k][:-4])
                if c is not None:
                    countries.append(c)
            if m is None:
                c = self._country_of(ix, k, last_country)
                if c is not None and k != tok.i:
                    countries.append(c)
            k += 1
        last_country.extend(countries)
        # the US-led coalition: "US" hangs off "led"
        for child in tok.lefts:
            if child.dep_ == "amod" and ix.lemma[child.i] == "lead":
                for sub in child.lefts:
                    c = self._country_of(ix, sub.i, last_country)
                    if c is not None:
                        countries.append(c)
        if head_match is not None:
            entry = self._pick(head_match[2], ix)
            actor = self.kb.actor(entry, published)
            if entry.kind == "org" and countries and actor.country and countries[-1] != actor.country \
                    and entry.code[:3] not in NON_ISO_PREFIXES:
                # "Chile's Defense Department" is not the Pentagon: resolve from the words instead
                head_match = None
        if head_match is not None:
            if entry.kind == "person":
                org = next((self._pick(ix.match_at[k][2], ix) for k in range(start, head_match[0])
                            if k in ix.match_at and ix.match_at[k][2][0].kind == "org"), None)
                if org is not None:  # "AU envoy Pierre Buyoya" acts for the AU
                    oa = self.kb.actor(org, published)
                    actor = Actor(actor.actor_id, actor.name, oa.country, oa.sector, True)
                else:  # an explicit title outranks the dictionary's dates: "President Ashraf Ghani"
                    title = None
                    for k in range(head_match[0] - 1, start - 1, -1):
                        title, _ = agent_sector(ix, self.kb, start, head_match[0], k)
                        if title is not None:
                            break
                    if any(ix.norm[k] in FORMER for k in range(start, head_match[0])):
                        title = "ELI"
                    if title is not None and title != actor.sector:
                        actor = Actor(actor.actor_id, actor.name, actor.country, title, True)
            if entry.kind == "country":
                last_country.append(entry.code[:3])
                if self._locative(tok) or (tok.dep_ == "poss" and not self._actor_possessor(ix, tok)):
                    return None
            if entry.kind == "place":
                return None  # cities and regions are places, not actors
            if entry.kind == "capital":
                if tok.ent_type_ not in ("GPE", "") or not (
                        tok.dep_ in SUBJECT_DEPS
                        or (tok.dep_ == "poss" and self._actor_possessor(ix, tok))
                        or (tok.dep_ == "pobj" and tok.head.lower_ in CAPITAL_PREPS
                            and not self._locative(tok))):
                    return None
                # "Ankara said": the capital stands for the government
                iso = entry.code[:3]
                actor = Actor(f"~{iso}GOV:government", f"{self.kb.country_name(iso)} government", iso, "GOV")
            return Candidate(start, end, tok.i, actor, entry, entry.kind, None, tok.ent_type_)
        sector, agent_start = agent_sector(ix, self.kb, start, end, tok.i)
        if sector is None and countries and ix.lemma[tok.i] in EXTRA_AGENT_HEADS:
            sector = EXTRA_AGENT_HEADS[ix.lemma[tok.i]]  # "his Russian counterpart", "US defence firms"
        title_sector = None
        head = tok.i
        if sector is None:
            for k in range(end - 1, start - 1, -1):
                if k != tok.i and k not in ix.match_at:
                    title_sector, _ = agent_sector(ix, self.kb, start, end, k)
                    if title_sector is not None:
                        break
            if title_sector is not None and tok.pos_ != "PROPN" and tok.ent_type_ not in ACTOR_ENTS \
                    and ix.lemma[tok.i] not in MEMBER_HEADS:
                # "Syrian army operations": the actor is the modifier phrase "Syrian army"
                end, head = k + 1, k
                sector, title_sector = title_sector, None
                tok = toks[head]
        head_lemma = ix.lemma[tok.i]
        org_mod = next((e for e in reversed(mod_entries) if e.kind == "org"), None)
        if org_mod is not None and tok.pos_ == "PROPN" and tok.ent_type_ == "PERSON":
            # a named person titled by an organisation: "UN envoy Martin Kobler"
            oa = self.kb.actor(org_mod, published)
            name = doc[start:end].text
            key = slug(" ".join(t.text for t in doc[start:end] if t.ent_type_ == "PERSON")) or slug(name)
            return Candidate(start, end, tok.i, Actor(f"~{oa.country or ''}{oa.sector or ''}:{key}", name,
                                                      oa.country, oa.sector, False),
                             None, "person", None, "PERSON")
        if org_mod is not None and (sector is not None or head_lemma in MEMBER_HEADS):
            actor = self.kb.actor(org_mod, published)
            return Candidate(start, end, tok.i, actor, org_mod, "org", None, tok.ent_type_)
        person_mod = next((e for e in reversed(mod_entries) if e.kind == "person"), None)
        if person_mod is not None:
            pa = self.kb.actor(person_mod, published)
            if pa.country:
                countries.append(pa.country)
            if sector is None and title_sector is None and head_lemma in MEMBER_HEADS:
                sector = pa.sector
        if head_lemma == "country" and tok.tag_ == "NN" and last_country and end - start == 2 \
                and toks[start].lower_ == "the" and not self._locative(tok):
            # "the country has long been under fire": the last country named
            entry = self.kb.country_entry.get(salient(last_country))
            if entry is not None:
                return Candidate(start, end, tok.i, self.kb.actor(entry, published), entry, "country",
                                 None, tok.ent_type_)
        sector = sector or title_sector
        country = countries[-1] if countries else None
        ent = tok.ent_type_
        definite = any(t.lower_ in ("the", "this", "that") for t in tok.lefts)
        if definite and head_lemma in ANAPHOR_HEADS and country is None and ent not in ACTOR_ENTS:
            name = doc[start:end].text
            return Candidate(start, end, tok.i, Actor(f"~{sector or ''}:{head_lemma}", name, None, sector),
                             None, "anaphor", CANONICAL_HEADS.get(head_lemma), ent)
        if tok.dep_ == "attr" and not mod_entries:
            return None  # predicate nominal: "Daesh was the prime suspect"
        if sector is None and country is None and head_lemma in MEMBER_HEADS and any(
                c.dep_ == "prep" and c.lower_ in ("for", "of") for c in tok.rights):
            name = doc[start:end].text
            return Candidate(start, end, tok.i, Actor(f"~:{head_lemma}", name, None, None), None,
                             "member", None, ent)
        if sector is None and country is None and ent not in ("ORG", "PERSON", "NORP"):
            return None
        if ent == "GPE" and sector is None:
            return None
        if ent == "NORP" and sector is None:
            country = country or self.kb.demonyms.get(ix.norm[tok.i]) or self.kb.demonyms.get(ix.lemma[tok.i])
            if tok.tag_ in ("NNS", "NNPS"):
                sector = "CVL"  # "Libyans", "Iraqi Kurds": people of a nation or group
        if sector is None and country is not None and head_lemma == "leader" and not mod_entries:
            sector = "GOV"  # "Palestinian leaders"
        if sector is None and country is not None and ent not in ("ORG", "PERSON", "NORP") and \
                tok.pos_ != "PROPN" and head_lemma not in MEMBER_HEADS and head_lemma not in PERSON_HEADS:
            return None  # "Turkish cities", "Syria's border town": places and things, not actors
        canonical = CANONICAL_HEADS.get(head_lemma) if sector is not None else None
        if canonical == "intelligence" and sector != "SPY":
            canonical = None
        words = [ix.norm[k] for k in range(start, end) if toks[k].pos_ in ("NOUN", "PROPN", "ADJ")
                 and toks[k].dep_ != "poss" and self._country_of(ix, k, []) is None]
        key = canonical or slug(" ".join(words[-3:]) or ix.norm[tok.i]) or "x"
        actor_id = f"~{country or ''}{sector or ''}:{key}"
        name = doc[start:end].text
        for det in ("the ", "The ", "a ", "A ", "an ", "An "):
            if name.startswith(det):
                name = name[len(det):]
        actor = Actor(actor_id, name, country, sector, False)
        kind = "person" if ent == "PERSON" or any(toks[k].ent_type_ == "PERSON" for k in range(start, end)) \
            else "unknown"
        return Candidate(start, end, tok.i, actor, None, kind, canonical, ent)

    @staticmethod
    def _pick(entries: tuple[Entry, ...], ix: DocIndex) -> Entry:
        """Disambiguate an alias: prefer the entry whose country the article mentions ("MIT")."""
        if len(entries) > 1:
            for e in entries:
                if e.code[:3] in ix.countries:
                    return e
        return entries[0]

    @staticmethod
    def _actor_possessor(ix: DocIndex, tok: Token) -> bool:
        """A possessive country/capital that acts: "Moscow's annexation", "Syria's capital was shelled"."""
        gov = tok.head
        return gov.pos_ == "NOUN" and (ix.lemma[gov.i] == "capital" or ix.lemma[gov.i] not in PLACE_HEADS)

    def _country_modifier(self, ix: DocIndex, m: tuple[int, int, tuple[Entry, ...]], entry: Entry,
                          published: date | None) -> Candidate | None:
        """A country name or adjective modifying a non-actor noun is the country acting alone:
        "a US offer", "French mediation", "the Israeli strike" (but not "Turkish cities")."""
        doc, toks = ix.doc, ix.toks
        start, end = m[0], m[1]
        root = next((t for t in doc[start:end] if not start <= t.head.i < end or t.head.i == t.i),
                    doc[end - 1])
        gov = root.head
        if root.dep_ not in ("amod", "compound", "nmod", "nn") or gov.i == root.i or gov.pos_ != "NOUN":
            return None
        if ix.lemma[gov.i] in PLACE_HEADS or gov.ent_type_ in ("GPE", "LOC", "FAC"):
            return None
        if start >= 2 and toks[start - 1].text == "-" and ix.norm[start - 2] in ("anti", "counter", "pro"):
            return None  # "anti-US protests"
        if end + 1 < len(doc) and toks[end].text == "-" and (
                ix.lemma[end + 1] in SPONSOR_VERBS or ix.lemma[end + 1] == "lead"):
            return None  # "US-backed", "Saudi-led"
        return Candidate(start, end, root.i, self.kb.actor(entry, published), entry, "country", None,
                         root.ent_type_)

    @staticmethod
    def _locative(tok: Token) -> bool:
        """A country used as a place: object of a locative preposition or a modifier of a place."""
        if tok.dep_ == "pobj" and tok.head.lower_ == "with":
            return tok.head.head.lemma_ in BORDER_NOUNS
        if tok.dep_ == "pobj" and tok.head.lower_ in LOCATIVE_PREPS:
            gov = tok.head.head
            gov_lemma = gov.lemma_.lower()
            bare = not any(c.dep_ in ("amod", "compound") for c in tok.lefts)  # not "northern Ethiopia"
            if bare and tok.head.lower_ in RECIPIENT_PREPS and gov_lemma not in MOTION_LEMMAS \
                    and gov_lemma not in PLACE_HEADS and (
                    gov.pos_ == "NOUN" or (gov.pos_ == "VERB" and tok.head.lower_ == "to")
                    or (gov.pos_ == "VERB" and tok.head.lower_ == "on" and gov_lemma in ADDRESSEE_VERBS)):
                return False  # a recipient: "aid to Ukraine", "apologized to Brazil", "called on Iran"
            # "support from Turkey" / "talks with Turkey" still read as actors after event nouns
            return not (tok.head.lower_ in ("from", "with", "by") and gov.pos_ == "VERB"
                        and gov.lemma_ not in ("cross", "travel", "return", "flee", "come", "go", "move"))
        return tok.dep_ in ("conj",) and MentionFinder._locative(tok.head)

    def _inherit(self, ix: DocIndex, cands: list[Candidate]) -> None:
        """Unknown actors take a missing country/sector from what they work for ("a reporter
        working for Britain's Sky News", "members of the PKK", "trade unions in Denmark")."""
        by_token = {}
        for i, c in enumerate(cands):
            for k in range(c.start, c.end):
                by_token[k] = i
        for c in cands:
            if c.entry is not None or (c.actor.country and c.actor.sector):
                continue
            head = ix.toks[c.head]
            targets = []
            for child in head.rights:
                if child.dep_ == "prep" and child.lower_ in AFFILIATION_PREPS:
                    targets.extend((child.lower_, g) for g in child.children if g.dep_ == "pobj")
                elif child.dep_ in ("acl", "relcl"):
                    for prep in child.children:
                        if prep.dep_ == "prep" and prep.lower_ in ("for", "with", "from", "of"):
                            targets.extend((prep.lower_, g) for g in prep.children if g.dep_ == "pobj")
            for prep, g in targets:
                j = by_token.get(g.i)
                other = cands[j] if j is not None else None
                if other is None:
                    m = ix.match_at.get(g.i)
                    if m is not None and m[2][0].kind in PLACE_KINDS:
                        country = m[2][0].code[:3]
                        if c.actor.country is None:
                            c.actor = _with(c.actor, country=country)
                    continue
                if prep == "in" and other.kind not in PLACE_KINDS:
                    continue
                if c.kind == "member" and other.entry is not None and other.kind == "org":
                    c.actor, c.entry, c.kind = other.actor, other.entry, "org"
                    break
                if c.kind == "member" and other.kind == "unknown" and other.actor.sector:
                    c.actor, c.kind = other.actor, "unknown"
                    break
                country = c.actor.country or other.actor.country
                sector = c.actor.sector or (other.actor.sector if other.kind != "country" else None)
                if (country, sector) != (c.actor.country, c.actor.sector):
                    c.actor = _with(c.actor, country=country, sector=sector)
                break


def _with(actor: Actor, country: str | None = None, sector: str | None = None) -> Actor:
    key = actor.actor_id.split(":", 1)[1] if ":" in actor.actor_id else slug(actor.name)
    country = country or actor.country
    sector = sector or actor.sector
    return Actor(f"~{country or ''}{sector or ''}:{key}", actor.name, country, sector, actor.known)
