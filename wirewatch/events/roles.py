"""Source/target roles from the dependency parse, mapped onto actor mentions."""

from __future__ import annotations

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


class MentionIndex:
    """Find the actor mention(s) standing for a token."""

    def __init__(self, mentions: Sequence[Mention]) -> None:
        self.by_token: dict[int, Mention] = {}
        self.by_head: dict[int, Mention] = {}
        self._mentions = sorted(mentions, key=lambda m: m.token_start)
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
        for m in reversed(self._mentions):
            if m.token_start >= pron.i or m.token_start < pron.sent.start:
                continue
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
                if m and m not in out:
                    out.append(m)
        return tuple(out)


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
        if tok.dep_ in ("conj", "xcomp", "advcl", "pcomp") and tok.head.i != tok.i:
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
            out += [g for g in c.children if g.dep_ == "pobj"]
    return out


def verb_roles(verb: Token) -> tuple[list[Token], list[Token], list[Token]]:
    """(source, direct target, prepositional target) tokens of a verb trigger."""
    if _is_passive(verb):
        source = _agent(verb) or _prep_objects(verb, {"during", "in"})
        target = [c for c in verb.children if c.dep_ == "nsubjpass"]
        if not target and verb.dep_ == "acl":
            target = [verb.head]
        if not target and verb.dep_ in ("conj", "xcomp"):
            target = [c for c in verb.head.children if c.dep_ == "nsubjpass"]
        return source, target, []
    source = _subject(verb)
    target = [c for c in verb.children if c.dep_ in ("dobj", "dative")]
    return source, target, _prep_objects(verb, TARGET_PREPS)


def noun_roles(noun: Token) -> tuple[list[Token], list[Token]]:
    """(source tokens, target tokens) of a noun trigger ("an attack by X on Y", "X's attack")."""
    source = _prep_objects(noun, {"by", "from"})
    source += [c for c in noun.children if c.dep_ in ("poss",) or (
        c.dep_ in ("compound", "amod", "nmod") and (c.ent_type_ or c.pos_ == "PROPN"))]
    target = _prep_objects(noun, NOUN_TARGET_PREPS)
    # climb to the governing verb ("launched an attack", "days of fighting")
    tok, steps = noun, 0
    while tok.dep_ in ("dobj", "pobj", "prep", "attr", "nsubj", "conj", "appos", "compound") and steps < 8:
        if tok.dep_ == "prep" and tok.lower_ in ADJUNCT_PREPS:
            break  # "arrested ... after the summit": the arresting police did not hold the summit
        tok, steps = tok.head, steps + 1
        if tok.pos_ in ("VERB", "AUX"):
            if not source:
                if tok.dep_ == "acl" and tok.tag_ == "VBN":
                    source = _agent(tok)
                else:
                    source = _agent(tok) if _is_passive(tok) else _subject(tok)
            if not target:
                target = _prep_objects(tok, {"against", "on", "at", "upon", "for"})
            break
        if not target:
            target = _prep_objects(tok, {"against"})
    return source, target


def roles(doc: Doc, trigger: int, index: MentionIndex) -> tuple[tuple[Mention, ...], tuple[Mention, ...]]:
    """Source and target mentions of the trigger token."""
    tok = doc[trigger]
    if tok.pos_ in ("VERB", "AUX"):
        src, direct, oblique = verb_roles(tok)
    else:
        src, oblique = noun_roles(tok)
        direct = []
    source = index.expand(src)
    # direct objects first; prepositional objects only when no direct object is an actor
    target = tuple(m for m in index.expand(direct) if m not in source)
    if not target:
        target = tuple(m for m in index.expand(oblique) if m not in source)
    return source, target
