"""Claim vs fact: modality and the attribution chain (reporter, claimant) of a trigger."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from wirewatch.events.roles import MentionIndex
from wirewatch.records import Attribution, Mention

HEDGES = {"could", "may", "might", "possibly", "perhaps", "likely", "probably", "potential", "possible"}
FUTURE = {"will", "shall", "'ll"}
INTENT_VERBS = {"plan", "aim", "intend", "prepare", "seek", "want", "vow", "plot", "scheme", "hope",
                "try", "attempt", "threaten", "expect", "schedule", "mean", "wish", "pledge", "promise"}
NEGATING_VERBS = {"deny", "refute", "dismiss", "fail", "refrain", "avoid", "reject"}
ADJUNCT_PREPS = {"in", "after", "before", "since", "amid", "during", "following", "despite", "over"}
NEGATING_NOUNS = {"reluctance", "refusal", "failure", "unwillingness", "inability", "denial"}
CLAIM_VERBS = {"claim", "allege", "accuse", "insist", "assert", "contend", "charge", "blame"}
REPORT_NOUNS = {"warning", "statement", "claim", "report", "notice", "announcement", "allegation",
                "accusation", "assessment", "document", "message", "letter", "communique", "alert"}
MEDIA_WORDS = {"news", "daily", "times", "post", "agency", "tv", "television", "radio", "press",
               "reuters", "afp", "ap", "bbc", "cnn", "journal", "gazette", "herald", "tribune",
               "telegraph", "guardian", "aljazeera", "jazeera", "anadolu", "xinhua", "tass", "sana",
               "irna", "yonhap", "kyodo", "newspaper", "channel", "outlet", "broadcaster", "hurriyet",
               "media", "reporter", "correspondent", "wire", "observer", "monitor"}
ARMED_SECTORS = {"GOV", "MIL", "REB", "INS", "SPY", "COP", "SEP", "UAF"}
PARTY_SECTORS = {"GOV", "MIL", "REB", "INS", "SPY", "COP", "OPP", "PTY", "SEP", "UAF", "JUD", "LEG"}


@dataclass(frozen=True)
class Speaker:
    """Someone the trigger's clause is attributed to."""

    token: Token  # head token of the speaker phrase
    verb: str  # lemma of the reporting verb/noun ("say", "according", "warning")
    depth: int  # distance from the sentence root (outermost first)


def _subject_of(tok: Token) -> Token | None:
    for c in tok.children:
        if c.dep_ in ("nsubj", "nsubjpass"):
            return c
    return None


def _speakers(doc: Doc, trigger: Token, reporting: frozenset[str]) -> list[Speaker]:
    """Reporting verbs/nouns/"according to" governing the trigger, plus parenthetical "X said"."""
    sent = trigger.sent
    ancestors = _governors(trigger)
    found: list[Speaker] = []
    for depth, anc in enumerate(reversed(ancestors)):
        lemma = anc.lemma_.lower()
        if anc.pos_ in ("VERB", "AUX") and lemma in reporting and anc.i != trigger.i:
            subj = _subject_of(anc) or (_subject_of(anc.head) if anc.dep_ == "conj" else None)
            if subj is not None and not (subj.i <= trigger.i <= max(t.i for t in subj.subtree)):
                found.append(Speaker(subj, lemma, depth))
        elif anc.pos_ == "NOUN" and lemma in REPORT_NOUNS:
            src = _noun_owner(anc)
            if src is not None:
                found.append(Speaker(src, lemma, depth))
    anc_ids = {a.i for a in ancestors}
    for tok in sent:
        lemma = tok.lemma_.lower()
        if tok.i == trigger.i or tok.i in anc_ids:
            continue
        if tok.lower_ == "according" or (lemma == "accord" and tok.dep_ == "prep"):
            to = next((c for c in tok.children if c.lower_ == "to"), None)
            pobj = next((g for g in to.children if g.dep_ == "pobj"), None) if to is not None else None
            if pobj is not None and _governs_same_clause(tok, trigger):
                found.append(Speaker(pobj, "according", 1))
        elif (tok.pos_ == "VERB" and lemma in reporting and tok.dep_ in ("conj", "parataxis", "ROOT")
              and tok.i > trigger.i and not list(tok.subtree)[0].i <= trigger.i):
            subj = _subject_of(tok)
            if subj is not None:
                found.append(Speaker(subj, lemma, 0))
    found.sort(key=lambda s: s.depth)
    return found


def _governors(trigger: Token) -> list[Token]:
    """The trigger's ancestors that govern it, nearest first. A verb coordinated with one of them is
    not a governor, though what governs the coordination is: in "Hezbollah denied X had been hit and
    said the strike killed three", "said" governs "killed" and "denied" does not; in "the notice
    claimed that people have entered Turkey and are planning to attack", "claimed" governs "attack". A
    trigger coordinated with a speech verb is an act beside the speech, not its content: in "Bolsonaro
    has said X, and his critics blame him", "said" does not govern "blame"."""
    out: list[Token] = []
    child = trigger
    for anc in trigger.ancestors:
        sibling = child.dep_ == "conj" and child.pos_ in ("VERB", "AUX")
        if not sibling:
            out.append(anc)
        child = anc
    return out


def _governs_same_clause(according: Token, trigger: Token) -> bool:
    head = according.head
    return head.i == trigger.i or head in trigger.ancestors or head.sent == trigger.sent


def _noun_owner(noun: Token) -> Token | None:
    """Who issued a warning/statement: poss, "by X", or the subject of the verb that governs it."""
    for c in noun.children:
        if c.dep_ == "poss":
            return c
        if c.dep_ == "prep" and c.lower_ == "by":
            return next((g for g in c.children if g.dep_ == "pobj"), None)
    head = noun.head
    if noun.dep_ in ("dobj", "pobj") and head.pos_ in ("VERB", "AUX"):
        return _subject_of(head)
    if noun.dep_ == "nsubj" and any(c.dep_ == "det" for c in noun.children):
        return None
    return None


def _is_media(tok: Token, mention: Mention | None) -> bool:
    if mention is not None and mention.actor.sector == "MED":
        return True
    words = {t.lower_ for t in tok.subtree} | {tok.lower_}
    if mention is not None:
        words |= {w.lower() for w in mention.text.split()}
    return bool(words & MEDIA_WORDS)


def _chunk_of(doc: Doc, tok: Token) -> SpacySpan | None:
    """The noun chunk containing ``tok``, from its sentence's chunks alone (chunks never cross
    sentences, so this equals a scan of ``doc.noun_chunks``, which costs O(doc) per call)."""
    if doc.noun_chunks_iterator is None:
        return next((c for c in doc.noun_chunks if c.start <= tok.i < c.end), None)
    for start, end, _label in doc.noun_chunks_iterator(tok.sent):
        if start <= tok.i < end:
            return doc[start:end]
    return None


def _span_of(doc: Doc, tok: Token, mention: Mention | None) -> tuple[str, int, int]:
    if mention is not None:
        return mention.text, mention.start, mention.end
    chunk = _chunk_of(doc, tok)
    if chunk is not None:
        return chunk.text, chunk.start_char, chunk.end_char
    return tok.text, tok.idx, tok.idx + len(tok.text)


def modality_and_attribution(
    doc: Doc, trigger: Token, index: MentionIndex, reporting: frozenset[str],
    parties: tuple[Mention, ...] = (), violent: bool = False,
) -> tuple[str, tuple[Attribution, ...]]:
    """The modality (asserted/reported/claimed/possible/planned/negated) and the attribution chain.

    A statement is ``claimed`` when the speaker uses a claim verb ("claimed", "alleged", a warning)
    or is a party to the event (same actor or country as its source/target, or the source is the
    speaker's own "its forces"/"they"), or — for ``violent`` events — a state or armed actor
    ("Israel said a mortar was fired": a party to the conflict speaks); otherwise a named source makes
    it ``reported``.
    """
    speakers = _speakers(doc, trigger, reporting)
    chain: list[Attribution] = []
    claim_verb = False
    party = False
    seen: set[int] = set()
    for sp in speakers:
        mention = index.of(sp.token)
        if _speech_act(trigger, sp.token, mention, parties):
            continue  # "the union announced its demand": the demand is the union's own act, asserted
        text, start, end = _span_of(doc, sp.token, mention)
        if start in seen:
            continue
        seen.add(start)
        role = "reporter" if _is_media(sp.token, mention) else "claimant"
        if role == "claimant":
            claim_verb = claim_verb or sp.verb in CLAIM_VERBS or sp.verb in REPORT_NOUNS
            party = party or _is_party(mention, parties) or (
                violent and _armed_or_state(mention) and not _third_party(mention, parties))
        chain.append(Attribution(text, start, end, mention.actor.actor_id if mention else None, role))
    # reporters first (outermost), then claimants, each in order of depth
    chain.sort(key=lambda a: 0 if a.role == "reporter" else 1)
    modality = _clause_modality(trigger)
    if modality is None:
        denied = any(sp.verb in NEGATING_VERBS for sp in speakers)
        if denied:
            modality = "negated"
        elif any(a.role == "claimant" for a in chain):
            modality = "claimed" if (claim_verb or party) else "reported"
        elif chain:
            modality = "reported"
        else:
            modality = "asserted"
    return modality, tuple(chain)


def _speech_act(trigger: Token, speaker: Token, mention: Mention | None,
                parties: tuple[Mention, ...]) -> bool:
    """Is the trigger a noun the speaker's verb performs ("X reiterated/announced its demand")?"""
    if trigger.pos_ in ("VERB", "AUX") or trigger.dep_ != "dobj" or mention is None:
        return False
    subj = _subject_of(trigger.head)
    return mention in parties and subj is not None and subj.i == speaker.i


def _armed_or_state(speaker: Mention | None) -> bool:
    """A government, a state, its forces or an armed group: a party to any conflict it speaks of."""
    if speaker is None:
        return False
    actor = speaker.actor
    return actor.sector in ARMED_SECTORS or (actor.country is not None and actor.actor_id == actor.country)


def _third_party(speaker: Mention | None, parties: tuple[Mention, ...]) -> bool:
    """The speaker's country is none of the event's known actors' ("Thai military sources said
    Vietnamese-led forces retook ..."): an outside observer reports, it does not claim."""
    countries = {m.actor.country for m in parties if m.actor.country}
    return bool(countries) and speaker is not None and speaker.actor.country not in countries


def _is_party(speaker: Mention | None, parties: tuple[Mention, ...]) -> bool:
    """Is the speaker one of the event's actors (or speaking of "its forces" / "they")?"""
    for m in parties:
        first = m.text.split()[0].lower() if m.text else ""
        if first in ("its", "their", "our", "we", "they", "his", "her"):
            return True
        if speaker is None:
            continue
        if m.actor.actor_id == speaker.actor.actor_id:
            return True
        if m.actor.country and m.actor.country == speaker.actor.country and (
            speaker.actor.sector in PARTY_SECTORS
        ):
            return True
    return False


def _and_conjunct(tok: Token) -> bool:
    """A verb coordinated by "and"/"but" with the one above it: a second act, outside the first one's
    negation ("denied the report and attacked", "denied it, labelled it a lie": neither act is denied;
    "did not loot, burn or kill" shares it)."""
    if tok.dep_ != "conj" or tok.pos_ not in ("VERB", "AUX"):
        return False
    kids = [*tok.head.children, *tok.children]  # spaCy hangs a list's "or" on one of its conjuncts
    return not any(c.dep_ == "cc" and c.lower_ in ("or", "nor") for c in kids)


def _clause_modality(trigger: Token) -> str | None:
    """negated / possible / planned from the trigger's own clause and the verbs governing it."""
    chain = [trigger]
    negation_scope = 0  # how much of the chain a negation reaches: not across "and"/"but"
    tok = trigger
    for anc in trigger.ancestors:
        if not negation_scope and _and_conjunct(tok):
            negation_scope = len(chain)
        # stop at a reporting clause boundary: "X said that ..." keeps its own modality; and at an
        # adjunct ("arrested no one in connection with the bombing": the bombing did happen)
        if tok.dep_ in ("ccomp", "parataxis") or (tok.dep_ == "relcl"):
            break
        if anc.dep_ == "prep" and anc.lower_ in ADJUNCT_PREPS:
            if any(c.lower_ == "order" for c in anc.children):
                return "planned"  # "in order to attack": a purpose, not yet done
            break
        chain.append(anc)
        tok = anc
    for t in chain[:negation_scope or len(chain)]:
        kids = list(t.children)
        if any(c.dep_ == "neg" for c in kids) or any(c.lower_ in ("never", "no") and c.dep_ in (
                "neg", "advmod", "det") for c in kids):
            return "negated"
        if t.lemma_.lower() in NEGATING_VERBS and t.i != trigger.i and t.pos_ == "VERB":
            return "negated"
        if t.lemma_.lower() in NEGATING_NOUNS and t.i != trigger.i:
            return "negated"
    for t in chain:
        kids = list(t.children)
        if any(c.lower_ in HEDGES and c.dep_ in ("aux", "advmod", "amod") for c in kids):
            return "possible"
        if t.i != trigger.i and t.lemma_.lower() in INTENT_VERBS and t.pos_ in ("VERB", "NOUN"):
            return "planned"
        if any(c.lower_ in FUTURE and c.dep_ == "aux" for c in kids):
            return "planned"
        if any(c.lower_ in ("would", "'d") and c.dep_ == "aux" for c in kids):
            # "would march next Tuesday" is a plan; "would have attacked" a counterfactual
            return "possible" if any(c.lower_ == "have" and c.dep_ == "aux" for c in kids) else "planned"
        if any(c.lower_ == "order" and c.dep_ in ("prep", "mark") for c in kids):
            return "planned"
        if t.dep_ == "xcomp" and t.head.lemma_.lower() in ("go",):
            return "planned"
    return None
