"""Source/target roles from the dependency parse, mapped onto actor mentions."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence

from spacy.tokens import Doc, Token

from wirewatch.records import Mention

SUBJ_DEPS = ("nsubj", "csubj")
TARGET_PREPS = {"against", "on", "with", "at", "from", "upon", "toward", "towards", "for", "to", "into"}
NOUN_TARGET_PREPS = {"against", "on", "with", "at", "upon", "for", "to", "of", "into", "towards"}
LIGHT_VERBS = {
    "launch", "carry", "stage", "conduct", "wage", "hold", "issue", "mount", "make", "begin", "start",
    "continue", "resume", "step", "impose", "announce", "order", "unleash", "intensify", "escalate",
    "lead", "organize", "organise", "call", "join", "send", "deliver", "provide", "give", "offer",
    "sign", "reach", "declare", "file", "level", "lodge", "face", "suffer", "work", "plan", "prepare",
    "reiterate", "renew", "repeat", "voice", "express", "register",
}


NON_ACTOR_ENTS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"}
# third-person pronouns resolved to a subject of a clause that contains them ("the country ... its
# reluctance", "the rebels said they will ..."); singular ones only to singular antecedents
PRONOUNS = {"its": True, "it": True, "their": False, "they": False}
# nouns whose possessor is the agent of their infinitive ("its refusal to withdraw")
CONTROL_NOUNS = {"reluctance", "refusal", "willingness", "readiness", "decision", "attempt", "effort",
                 "failure", "plan", "bid", "determination", "pledge", "promise", "threat", "intention",
                 "commitment", "move", "offer", "vow", "unwillingness", "inability", "ability"}
ADJUNCT_PREPS = {"after", "before", "since", "amid", "during", "following", "despite", "until"}
# prepositions whose object inside a non-actor noun phrase is the actor behind it ("aid to Serbia",
# "calls by X", "dozens of militants", "relations between Sudan and Israel"); "in" is only passed
# through after an amount ("$500m in aid to Ukraine")
DESCEND_PREPS = {"to", "against", "on", "upon", "at", "with", "for", "from", "by", "toward", "towards",
                 "of", "in", "between"}
DEMAND_NOUNS = {"demand", "call", "appeal", "request", "ultimatum", "insistence"}
# common nouns that name the agent when they modify an act ("the police shooting of Jacob Blake",
# "a government crackdown"); others ("child abuse", "hostage release") name who undergoes it
AGENT_COMPOUNDS = {"police", "army", "military", "government", "rebel", "militant", "insurgent", "troop",
                   "regime", "protester", "terrorist", "gang", "militia", "navy", "coalition"}
# acts told as nouns whose possessor is who undergoes them, not who does them
UNDERGOER_NOUNS = {"killing", "murder", "assassination", "arrest", "detention", "execution", "kidnapping",
                   "abduction", "extradition", "deportation", "impeachment", "ouster", "removal", "dismissal",
                   "firing", "beating", "torture", "imprisonment", "conviction", "sentencing", "trial",
                   "prosecution", "expulsion", "indictment", "jailing", "capture", "rape", "lynching"}
# verbs whose subject causes the object's event but does not do it ("the arrest sparked protests")
CAUSE_VERBS = {"spark", "trigger", "prompt", "provoke", "cause", "fuel", "ignite", "set", "touch", "inspire"}
# heads of "a group of protesters": the argument is the members named after "of"
COLLECTIVE_HEADS = {"group", "band", "number", "crowd", "gang", "mob", "team", "delegation"}
# nouns whose "of" object is who asks, not who is asked ("at the request of Boris Johnson")
AGENT_OF_NOUNS = {"request", "behest", "invitation", "urging", "initiative", "instruction", "order",
                  "insistence", "bidding"}
STATIVE_PASSIVES = {"oppose"}
# verbs whose "that" clause names who is to act or who is accused: its subject is the target
# ("demanded that X ...", "alleged that X ...")
CLAUSE_TARGET_VERBS = {"demand", "insist", "urge", "ask", "request", "call", "accuse", "press", "beg",
                       "order", "allege", "charge"}  # "Trump alleged Biden's plan would ...": Biden


class MentionIndex:
    """Find the actor mention(s) standing for a token."""

    def __init__(self, mentions: Sequence[Mention]) -> None:
        self.by_token: dict[int, Mention] = {}
        self.by_head: dict[int, Mention] = {}
        self._mentions = sorted(mentions, key=lambda m: m.token_start)
        self._starts = [m.token_start for m in self._mentions]
        for m in mentions:
            self.by_head.setdefault(m.head, m)
            for i in range(m.token_start, m.token_end):
                self.by_token.setdefault(i, m)

    def of(self, tok: Token, resolve: bool = True) -> Mention | None:
        """The mention headed by or containing the token, else one in its own noun phrase.

        A pronoun given directly is resolved to its antecedent; one inside the noun phrase is not
        ("its territory" does not stand for the country)."""
        hit = self.by_head.get(tok.i) or self.by_token.get(tok.i)
        if hit:
            return hit
        if tok.pos_ == "PRON":
            return self.antecedent(tok) if resolve else None
        for child in tok.children:
            if child.dep_ in ("compound", "amod", "poss", "nmod") or (
                child.dep_ == "prep" and child.lower_ == "of"
            ):
                found = self.of(child, False) if child.dep_ != "prep" else next(
                    (self.of(g, False) for g in child.children if g.dep_ == "pobj"), None)
                if found:
                    return found
        return None

    def antecedent(self, pron: Token) -> Mention | None:
        """The actor a third-person pronoun stands for: the nearest preceding mention in the same
        sentence that is the subject of a clause containing the pronoun (None when there is none)."""
        singular = PRONOUNS.get(pron.lower_)
        if singular is None:
            return None
        governing = {a.i for a in pron.ancestors}
        doc = pron.doc
        sent_start = pron.sent.start
        # mentions are sorted by token_start: walk back from the pronoun to its sentence start only
        for k in range(bisect_left(self._starts, pron.i) - 1, -1, -1):
            m = self._mentions[k]
            if m.token_start < sent_start:
                break
            head = doc[m.head]
            if head.dep_ not in ("nsubj", "nsubjpass") or head.head.i not in governing:
                continue
            if singular and (head.tag_ in ("NNS", "NNPS") or any(c.dep_ == "conj" for c in head.children)):
                continue
            return m
        return None

    def expand(self, toks: Iterable[Token]) -> tuple[Mention, ...]:
        """Mentions for the tokens and their conjuncts ("Peshmerga and YPG" -> two), de-duplicated."""
        out: list[Mention] = []
        for tok in toks:
            if tok.ent_type_ in NON_ACTOR_ENTS:
                continue
            for t in (tok, *tok.conjuncts):
                m = self.of(t)
                for n in self.named(m, tok.doc) if m else ():
                    if n not in out:
                        out.append(n)
        return tuple(out)

    def named(self, m: Mention, doc: Doc) -> tuple[Mention, ...]:
        """The mention(s) an argument is best shown by: the people an unnamed mention's apposition
        names ("The Italian foreign minister, Luigi Di Maio" -> Luigi Di Maio; "his counterparts,
        Nikos Dendias and Jean-Yves Le Drian" -> both); the members of "a group of protesters"
        (-> protesters). Else the mention itself."""
        head = doc[m.head]
        if head.ent_type_ == "PERSON":
            return (m,)
        names = [n for c in head.children if c.dep_ == "appos" for t in (c, *c.conjuncts)
                 if t.ent_type_ == "PERSON" and (n := self.by_head.get(t.i)) is not None]
        if not names and head.lemma_.lower() in COLLECTIVE_HEADS:
            names = [n for c in head.children if c.dep_ == "prep" and c.lower_ == "of"
                     for g in c.children if g.dep_ == "pobj" and (n := self.by_head.get(g.i)) is not None]
        return tuple(names) or (m,)


def _subject(verb: Token) -> list[Token]:
    """The (active) subject of a verb, inherited through conj/xcomp/relcl/acl when absent."""
    seen = 0
    tok = verb
    while seen < 6:
        seen += 1
        subj = [c for c in tok.children if c.dep_ in SUBJ_DEPS]
        if tok.dep_ == "relcl" and (not subj or subj[0].tag_ in ("WP", "WDT") or subj[0].lower_ == "that"):
            return [tok.head]  # "Daesh, who controls ..." -> Daesh
        if subj:
            return subj
        if tok.dep_ == "acl" and tok.head.lower_ == "order" and tok.head.head.dep_ == "prep":
            tok = tok.head.head.head  # "... in order to attack" -> the clause it belongs to
            continue
        if tok.dep_ == "acl" and tok.tag_ != "VBN":
            if tok.head.lemma_.lower() in CONTROL_NOUNS:  # "its reluctance to crack down": the possessor
                owner = [c for c in tok.head.children if c.dep_ == "poss"]
                return owner or [tok.head]
            return [tok.head]
        if tok.dep_ in ("conj", "xcomp", "advcl", "pcomp", "acomp") and tok.head.i != tok.i:
            # "Iran is ready to attack": through the predicate adjective to the copula's subject
            tok = tok.head
            continue
        break
    return []


def _agent(verb: Token) -> list[Token]:
    for c in verb.children:
        if c.dep_ == "agent":
            return [g for g in c.children if g.dep_ == "pobj"]
    return []


def _is_passive(verb: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children) or (
        verb.dep_ == "acl" and verb.tag_ == "VBN"
    )


def _prep_objects(tok: Token, preps: set[str]) -> list[Token]:
    out = []
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in preps:
            out += _pobjs(c)
    return out


def verb_roles(verb: Token) -> tuple[list[Token], list[Token], list[Token]]:
    """(source, direct target, prepositional target) tokens of a verb trigger. A passive's source is
    its agent, else the actor of an "in"/"during" phrase ("arrested during a raid", "condemned in a
    statement by Egypt": Egypt)."""
    if _is_passive(verb) and not _stative(verb):
        source = _agent(verb) or [by for t in _prep_objects(verb, {"during", "in"})
                                  for by in (_prep_objects(t, {"by"}) or [t])]
        target = [c for c in verb.children if c.dep_ == "nsubjpass"]
        relative = not target or target[0].tag_ in ("WP", "WDT") or target[0].lower_ == "that"
        if verb.dep_ == "relcl" and relative:
            target = [verb.head]  # "soldiers who had been captured" -> soldiers
        if not target and verb.dep_ == "acl":
            target = [verb.head]
        if not target and verb.dep_ in ("conj", "xcomp"):
            target = [c for c in verb.head.children if c.dep_ == "nsubjpass"]
        return source, target, []
    if _stative(verb):  # "Israel is opposed to French mediation": an active stance of the subject
        subj = [c for c in verb.children if c.dep_ == "nsubjpass"] or _subject(verb)
        return subj, [], _prep_objects(verb, {"to"})
    source = _subject(verb)
    target = [c for c in verb.children if c.dep_ in ("dobj", "dative")]
    return source, target, _prep_objects(verb, TARGET_PREPS)


def first_person_subject(verb: Token) -> bool:
    """Is the (active) subject of the verb "I" or "we"? ("... said: 'We expect assurances'")"""
    subj = _subject(verb) if verb.pos_ in ("VERB", "AUX") and not _is_passive(verb) else []
    return bool(subj) and subj[0].lower_ in ("i", "we")


def _stative(verb: Token) -> bool:
    """An adjectival passive naming the subject's stance ("X is opposed to Y")."""
    return verb.lemma_.lower() in STATIVE_PASSIVES and not any(c.dep_ == "agent" for c in verb.children)


def noun_roles(noun: Token) -> tuple[list[Token], list[Token]]:
    """(source tokens, target tokens) of a noun trigger ("an attack by X on Y", "X's attack")."""
    agent_of = noun.lemma_.lower() in AGENT_OF_NOUNS
    source = _prep_objects(noun, {"by", "from", "of"} if agent_of else {"by", "from"})
    undergoer = noun.lemma_.lower() in UNDERGOER_NOUNS
    # "Khashoggi's killing", "his arrest": the possessor (or a named person before it) undergoes it
    undergoes = [c for c in noun.children if undergoer and (
        c.dep_ == "poss" or (c.dep_ == "compound" and c.ent_type_ == "PERSON"))]
    source += [c for c in noun.children if c not in undergoes and (c.dep_ in ("poss",) or (
        c.dep_ in ("compound", "amod", "nmod") and (c.ent_type_ or c.pos_ == "PROPN"))
        or (c.dep_ == "compound" and c.lemma_.lower() in AGENT_COMPOUNDS))]
    target = _prep_objects(noun, NOUN_TARGET_PREPS - {"of"} if agent_of else NOUN_TARGET_PREPS) or undergoes
    if noun.dep_ == "pobj" and noun.head.lower_ == "under" and noun.head.head.pos_ in ("VERB", "AUX"):
        # "X came under attack", "X was placed under arrest": the clause's subject undergoes it
        verb = noun.head.head
        under = [c for c in verb.children if c.dep_ == "nsubjpass"] or _subject(verb)
        return source or _agent(verb), target or under
    # climb to the governing verb ("launched an attack", "days of fighting")
    tok, steps = noun, 0
    while tok.dep_ in ("dobj", "pobj", "prep", "attr", "nsubj", "conj", "appos", "compound") and steps < 8:
        if tok.dep_ == "prep" and tok.lower_ in ADJUNCT_PREPS:
            break  # "arrested ... after the summit": the arresting police did not hold the summit
        child = tok
        tok, steps = tok.head, steps + 1
        if tok.pos_ in ("VERB", "AUX"):
            if not source:
                if tok.dep_ == "acl" and tok.tag_ == "VBN":
                    source = _agent(tok)
                elif tok.lemma_.lower() not in CAUSE_VERBS:  # "the arrest sparked protests": a cause
                    # the noun's own phrase is no source of it ("Navalny's arrest sparked ...")
                    found = _agent(tok) if _is_passive(tok) else _subject(tok)
                    source = [t for t in found if t.i != child.i]
            if not target and child.dep_ == "dobj":
                # "gave the Ivory Coast $5m of aid", "sent aid to Serbia": the recipient of the object
                target = [c for c in tok.children if c.dep_ == "dative"] or _prep_objects(
                    tok, {"to", "with", "against", "on", "upon", "at", "for"})
            if not target and agent_of:  # "at the request of X, the Queen suspended ...": the Queen
                target = _subject(tok)
            if not target:
                target = _prep_objects(tok, {"against", "on", "at", "upon", "for"})
            break
        if not target:
            target = _prep_objects(tok, {"against"})
    return source, target


def _own_mention(tok: Token, index: MentionIndex) -> Mention | None:
    """The mention headed by or containing the token; a pronoun is resolved to its antecedent."""
    hit = index.by_head.get(tok.i) or index.by_token.get(tok.i)
    if hit is None and tok.pos_ == "PRON":
        return index.antecedent(tok)
    return hit


def _recipient(tok: Token, index: MentionIndex, depth: int = 2, modifiers: bool = True
               ) -> tuple[Mention, ...]:
    """The actor(s) a target token stands for, looking inside a noun phrase that is no actor itself.

    Order: the token's own mention; a possessor ("Serbia's suppression"); prepositional objects and
    their conjuncts ("relations with Congo and Costa Rica", "calls by Belarus's rulers", "a camp for
    refugees", "dozens of militants", "$500m in aid to Ukraine": "in" only after an amount); the
    subject of a demand's "that" clause ("demands that the government grant"); then the noun
    phrase's own modifiers ("a Hamas training camp"), unless ``modifiers`` is False. A place in an
    "in" phrase is never taken."""
    numeric = tok.ent_type_ in NON_ACTOR_ENTS
    if not numeric:
        hit = _own_mention(tok, index)
        if hit is not None:
            return (hit,)
        if tok.pos_ == "PRON":
            return ()
    if tok.pos_ not in ("NOUN", "PROPN", "NUM"):
        hit = None if numeric else index.of(tok)
        return (hit,) if hit else ()
    for c in tok.children:
        if c.dep_ == "poss" and not numeric:
            hit = index.of(c, False)
            if hit is not None:
                return (hit,)
    if depth:
        for c in tok.children:
            if c.dep_ != "prep" or c.lower_ not in DESCEND_PREPS or (c.lower_ == "in" and not numeric):
                continue
            found: list[Mention] = []
            for obj in _pobjs(c):
                for t in (obj, *obj.conjuncts):
                    inner = (_inner if c.lower_ == "in" else _recipient)(t, index, depth - 1, modifiers)
                    found += [m for m in inner if m not in found]
            if found:
                return tuple(found)
        if tok.lemma_.lower() in DEMAND_NOUNS:
            for c in tok.children:
                if c.dep_ == "acl" and any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children):
                    subj = [g for g in c.children if g.dep_ == "nsubj"]
                    found_subj = _recipient(subj[0], index, 0) if subj else ()
                    if found_subj:
                        return found_subj
    hit = None if numeric or not modifiers else index.of(tok, False)
    return (hit,) if hit else ()


def _inner(tok: Token, index: MentionIndex, depth: int, modifiers: bool = True) -> tuple[Mention, ...]:
    """Recipients inside a pass-through phrase ("in aid to Ukraine"), never the phrase itself."""
    if not depth:
        return ()
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in DESCEND_PREPS and c.lower_ != "in":
            for obj in _pobjs(c):
                hit = _recipient(obj, index, depth - 1, modifiers)
                if hit:
                    return hit
    return ()


def _pobjs(prep: Token) -> list[Token]:
    """Objects of a preposition; "fired at students marching ..." -> students (the pcomp's subject)."""
    out = [g for g in prep.children if g.dep_ == "pobj"]
    for g in prep.children:
        if g.dep_ == "pcomp":
            out += [s for s in g.children if s.dep_ == "nsubj"]
    return out


def _recipients(toks: Iterable[Token], index: MentionIndex, exclude: tuple[Mention, ...],
                depth: int = 2, modifiers: bool = True) -> tuple[Mention, ...]:
    """Target mentions for the tokens and their conjuncts, without the source's mentions.

    A prepositional phrase before its verb is an adjunct ("With the signing of ..., X agreed"):
    only its own object counts there."""
    out: list[Mention] = []
    for tok in toks:
        deep = 0 if tok.head.dep_ == "prep" and tok.head.i < tok.head.head.i else depth
        for t in (tok, *tok.conjuncts):
            out += [n for m in _recipient(t, index, deep, modifiers) for n in index.named(m, t.doc)
                    if n not in out and n not in exclude]
    return tuple(out)


def _clause_targets(verb: Token, index: MentionIndex, source: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """Targets inside the content of the trigger: "threatened to retaliate against South Korea",
    "refused to meet Jordan's king", "demanded that Israel ease ..." (the demanded clause's subject)."""
    for c in verb.children:
        if c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX"):
            _, direct, oblique = verb_roles(c)
            # "agreed to hold joint military exercises": no actor behind the content's modifiers
            found = (_recipients(direct, index, source, modifiers=False)
                     or _recipients(oblique, index, source, modifiers=False))
            if found:
                return found
        if c.dep_ == "ccomp" and verb.lemma_.lower() in CLAUSE_TARGET_VERBS:
            subj = [g for g in c.children if g.dep_ == "nsubj"]
            found = _recipients(subj, index, source)
            if found:
                return found
    return ()


def roles(doc: Doc, trigger: int, index: MentionIndex) -> tuple[tuple[Mention, ...], tuple[Mention, ...]]:
    """Source and target mentions of the trigger token."""
    tok = doc[trigger]
    verbal = tok.pos_ in ("VERB", "AUX")
    if verbal:
        src, direct, oblique = verb_roles(tok)
    else:
        src, oblique = noun_roles(tok)
        direct = []
    source = index.expand(src)
    # direct objects first; prepositional objects only when no direct object is an actor; then the
    # content clause of the trigger. A noun trigger's own phrases are not searched deeper
    # ("negotiations on independence for Namibia" has no actor target).
    target = _recipients(direct, index, source) or _recipients(
        oblique, index, source, 2 if verbal else 0)
    if not target and verbal:
        target = _clause_targets(tok, index, source)
    return source, target
