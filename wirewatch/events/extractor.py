"""EventExtractor: spaCy Doc + actor mentions -> EventDrafts (PLOVER 2.0).

Steps per sentence: the lexicon proposes candidate triggers (CAMEO verb patterns + event nouns); the
classifier gives each its best PLOVER type and the probability that it is an event at all, kept when that
clears the type's threshold (see ``model.EventClassifier``); a trigger nested as the argument
of another event ("threatened to attack", "condemned the attack") is folded into it, unless the outer
one is a light verb ("launched an attack"); roles come from the dependency parse; modality and
attribution from reporting verbs, "according to", hedges, intentions and negation.

Coding decisions (PLOVER codebook): capture/retake of territory by force is ASSAULT (CAMEO 19; the
codebook's COERCE "seize" modes are police searches and confiscations); a warning passed to one's own
police or security forces is intelligence sharing, COOPERATE (CAMEO 064, context intelligence); a
warning that threatens the addressee stays THREATEN.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from wirewatch.events.discipline import (
    foreign_sentence,
    lexical_no_event,
    no_event_reason,
    request_frame,
    retype,
)
from wirewatch.events.lexicon import Candidate, Lexicon, load_lexicon
from wirewatch.events.modality import modality_and_attribution
from wirewatch.events.model import NONE, EventClassifier, features, load_classifier
from wirewatch.events.modes import mode_for
from wirewatch.events.roles import LIGHT_VERBS, MentionIndex, first_person_subject, roles
from wirewatch.records import PLOVER_TYPES, Attribution, EventDraft, Mention, Sentence, Span

# dependency relations through which a nested trigger is the *content* of an outer event
NESTING_DEPS = {"xcomp", "dobj", "pobj", "pcomp", "acomp", "attr", "nsubjpass", "ccomp", "advcl", "acl"}
ADJUNCT_PREPS = {"after", "before", "since", "amid", "following", "despite", "over", "against"}
CLAUSE_BOUNDARY = {"ccomp", "advcl", "relcl", "parataxis", "conj", "acl", "xcomp", "csubj"}
NESTING_PREPS = {"of", "for", "to", "on", "against", "over", "about", "into", "with", "as", "like"}
COMMITMENTS = {"AID": "AGREE", "COOPERATE": "AGREE", "CONSULT": "AGREE", "SUPPORT": "AGREE",
               "RETREAT": "CONCEDE", "ASSAULT": "THREATEN", "COERCE": "THREATEN", "SANCTION": "THREATEN"}
VIOLENT_TYPES = {"ASSAULT", "COERCE", "THREATEN", "MOBILIZE"}
# statement types whose speech *is* the act (guideline: the speaker is the source, no attribution)
SPEECH_TYPES = {"ACCUSE", "REQUEST", "SUPPORT", "THREATEN", "REJECT", "CONCEDE"}
RELATION_TYPES = {"COOPERATE", "SUPPORT", "AGREE", "AID"}
RECIPROCAL_NOUNS = {"side", "party", "country", "nation", "government", "leader", "state", "neighbour",
                    "neighbor", "rival", "faction", "delegation"}
OWN_FORCES = {"it", "we", "they", "police", "army", "military", "troops", "force", "government",
              "authority", "security"}
PROMISE_VERBS = {"promise", "pledge", "vow", "offer", "agree", "commit", "undertake"}
# CAMEO roots per PLOVER type, used when the lexicon's code disagrees with the classifier's type
DEFAULT_ROOT = {
    "AGREE": "03", "CONSULT": "04", "SUPPORT": "05", "COOPERATE": "06", "AID": "07", "CONCEDE": "08",
    "RETREAT": "08", "REQUEST": "10", "ACCUSE": "11", "REJECT": "12", "THREATEN": "13",
    "PROTEST": "14", "MOBILIZE": "15", "SANCTION": "16", "COERCE": "17", "ASSAULT": "19",
}


class EventExtractor:
    """Detect and code events. ``extract(doc, mentions)`` is the pipeline entry point."""

    def __init__(self, lexicon: Lexicon | None = None, classifier: EventClassifier | None = None,
                 threshold: float | None = None) -> None:
        self._lexicon = lexicon
        self._classifier = classifier
        self.threshold = threshold
        self.raw_confidence = False  # True: skip the final (event-level) calibration, for fitting it

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = load_lexicon()
        return self._lexicon

    @property
    def classifier(self) -> EventClassifier:
        if self._classifier is None:
            self._classifier = load_classifier()
        return self._classifier

    def extract(self, doc: Doc, mentions: Sequence[Mention]) -> list[EventDraft]:
        """All events in the document, in text order."""
        index = MentionIndex(mentions)
        drafts: list[EventDraft] = []
        sents = list(doc.sents)
        for number, (sent, scored) in enumerate(zip(sents, self.classify_sentences(doc, sents), strict=True)):
            drafts += self._sentence(doc, sent, number, index, scored)
        if self.raw_confidence or self.classifier.event_platt is None:
            return drafts
        calibrate = self.classifier.calibrate_event
        return [replace(d, confidence=round(calibrate(d.confidence), 4)) for d in drafts]

    def classify(self, doc: Doc, sent: SpacySpan) -> list[tuple[Candidate, str, float]]:
        """Candidates of one sentence with their predicted label (NONE included) and confidence."""
        return self.classify_sentences(doc, [sent])[0]

    def classify_sentences(self, doc: Doc, sents: Sequence[SpacySpan]
                           ) -> list[list[tuple[Candidate, str, float]]]:
        """:meth:`classify` for several sentences, scored in one matrix operation (per sentence: one
        small operation each, whose fixed cost was most of the classifier's time)."""
        cands = [[] if foreign_sentence(sent) else self.lexicon.candidates(sent) for sent in sents]
        feats = [features(doc, sent, c, self.lexicon)
                 for sent, cs in zip(sents, cands, strict=True) for c in cs]
        preds = iter(self.classifier.predict_many(feats))
        return [[(c, *next(preds)) for c in cs] for cs in cands]

    def _sentence(self, doc: Doc, sent: SpacySpan, number: int, index: MentionIndex,
                  classified: list[tuple[Candidate, str, float]]) -> list[EventDraft]:
        per_type = self.classifier.thresholds
        floor = self.classifier.floor if self.threshold is None else self.threshold
        scored = [self._reciprocal(doc, sent, c) if _reciprocal_agreement(doc[c.token]) else (c, lab, conf)
                  for c, lab, conf in classified]
        scored = _one_sided_agreements(doc, scored)
        scored = [(c, retype(doc[c.token], lab), conf) for c, lab, conf in scored]
        scored = [(c, lab, conf) for c, lab, conf in scored
                  if lab != NONE and conf >= max(floor, per_type.get(lab, 0.0))
                  and not lexical_no_event(doc[c.token], lab)]  # before folding: "died when ambushed"
        kept = _fold_nested(doc, scored, self.lexicon.reporting)
        sentence = Sentence(number, sent.start_char, sent.end_char)
        drafts = []
        kept_tokens = {c.token for c, _, _ in kept}
        askers: set[int] = set()
        for cand, label, conf in kept:
            tok = doc[cand.token]
            asker = request_frame(tok)
            if asker is not None and asker.i not in kept_tokens:
                if asker.i not in askers:  # "called on X to release": the call is the event
                    askers.add(asker.i)
                    drafts.append(self._request(doc, sentence, asker, conf, index))
                continue
            draft = self._draft(doc, sentence, cand, label, conf, index)
            if no_event_reason(tok, draft.event_type, bool(draft.source or draft.target)):
                continue
            if (cand.key in self.lexicon.reporting and not draft.target
                    and any(c.dep_ == "ccomp" for c in tok.children) and not _own_threat(tok)):
                continue  # "X warned that ...": a statement frame, not an event between actors
            if (tok.dep_ == "acl" and tok.tag_ == "VBN" and label in RELATION_TYPES
                    and not any(c.dep_ == "agent" for c in tok.children)):
                continue  # "militiamen armed with machetes", "hackers linked to X": a relation, not an act
            if (cand.key.startswith("n:") and tok.dep_ in ("nsubj", "nsubjpass") and not draft.target
                    and any(c.lower_ == "the" for c in tok.children)):
                continue  # "The fresh warning ... comes as": a reference back to an event already coded
            drafts.append(draft)
        return _drop_background(doc, drafts)

    def _request(self, doc: Doc, sentence: Sentence, verb: Token, conf: float,
                 index: MentionIndex) -> EventDraft:
        """REQUEST by the caller of "called on X to release ..." (source caller, target the one asked)."""
        trigger = Span(verb.text, verb.idx, verb.idx + len(verb.text))
        source, target = roles(doc, verb.i, index)
        modality, attribution = modality_and_attribution(
            doc, verb, index, self.lexicon.reporting, source + target)
        return EventDraft(
            sentence=sentence, event_type="REQUEST", trigger=trigger, trigger_token=verb.i,
            source=source, target=target, modality=modality, attribution=attribution,
            mode=mode_for("REQUEST", verb, None), contexts=(), cameo_root="10", confidence=round(conf, 4),
        )

    def _reciprocal(self, doc: Doc, sent: SpacySpan, cand: Candidate) -> tuple[Candidate, str, float]:
        """A mutual agreement is AGREE; its confidence is that of being an event at all."""
        p_event = self.classifier.event_probability(features(doc, sent, cand, self.lexicon))
        if self.classifier.decision != "event":
            p_event = self.classifier.calibrate(p_event)
        return cand, "AGREE", p_event

    def _draft(self, doc: Doc, sentence: Sentence, cand: Candidate, label: str, conf: float,
               index: MentionIndex) -> EventDraft:
        tok = doc[cand.token]
        end_tok = doc[cand.particle] if cand.particle is not None and cand.particle == tok.i + 1 else tok
        # the span's text, not ``doc.text[...]``: Doc.text joins every token each time (O(doc) per event)
        trigger = Span(doc[tok.i:end_tok.i + 1].text, tok.idx, end_tok.idx + len(end_tok.text))
        source, target = roles(doc, tok.i, index)
        modality, attribution = modality_and_attribution(
            doc, tok, index, self.lexicon.reporting, source + target, violent=label in VIOLENT_TYPES)
        first_person = first_person_subject(tok)
        speech = label in SPEECH_TYPES
        # 'Zelensky said, "We expect ..."': Zelensky (looked up only where it can matter)
        speaker = _speaker(doc, attribution, index) if speech or first_person else ()
        if speaker and speech and (
                first_person or any(m.actor.actor_id == speaker[0].actor.actor_id for m in source)):
            # saying "we warn the Saudis" is the warning; "Warren announced she was endorsing Biden"
            # is the endorsement: the speaker is its source, not its claimant (guideline, speech acts)
            attribution = tuple(a for a in attribution if a.start != speaker[0].start)
            if modality in ("reported", "claimed"):
                modality = "reported" if attribution else "asserted"
        if first_person and not source:
            source = speaker
        demand = _demand(tok, attribution)
        if demand is not None:  # "Russia said Sudan must return the helicopter": Russia demands
            claimant = demand
            speaker = index.by_token.get(_token_at(doc, claimant.start))
            rest = tuple(a for a in attribution if a is not claimant)
            return EventDraft(
                sentence=sentence, event_type="REQUEST", trigger=trigger, trigger_token=tok.i,
                source=(speaker,) if speaker else (), target=source, modality="reported" if rest
                else "asserted", attribution=rest, mode=None, contexts=(), cameo_root="10",
                confidence=round(conf, 4),
            )
        offered = tok.dep_ == "xcomp" and tok.head.lemma_.lower() in PROMISE_VERBS
        promised = COMMITMENTS.get(label) if modality == "planned" or offered else None
        if promised and _is_commitment(tok, source, attribution):
            # PLOVER codebook: a promise of future aid/cooperation is AGREE, of a future retreat or
            # release CONCEDE, of future violence or sanctions THREATEN; the promise itself happened.
            reporters = [a for a in attribution if a.role == "reporter"]
            return EventDraft(
                sentence=sentence, event_type=promised, trigger=trigger, trigger_token=tok.i,
                source=source, target=target, modality="reported" if reporters else "asserted",
                attribution=attribution, mode=None, contexts=(), cameo_root=DEFAULT_ROOT[promised],
                confidence=round(conf, 4),
            )
        plover = self.lexicon.to_plover(cand.cameo)
        if plover is not None and plover.event_type == label:
            mode, contexts = plover.mode, plover.contexts
            root = (cand.cameo or "")[:2] or DEFAULT_ROOT[label]
        else:
            mode, contexts, root = None, (), DEFAULT_ROOT[label]
        mode = mode_for(label, tok, mode)
        if label == "ASSAULT" and root in ("18", "20", "19") and not contexts:
            contexts = ("military",) if root == "19" else ()
        assert label in PLOVER_TYPES
        return EventDraft(
            sentence=sentence, event_type=label, trigger=trigger, trigger_token=tok.i,
            source=source, target=target, modality=modality, attribution=attribution,
            mode=mode, contexts=tuple(contexts), cameo_root=root, confidence=round(conf, 4),
        )


def _one_sided_agreements(
    doc: Doc, scored: list[tuple[Candidate, str, float]]
) -> list[tuple[Candidate, str, float]]:
    """"The government agreed to lift the curfew": one side agreeing to a concession is CONCEDE
    (PLOVER: a promise of future concessions), not AGREE (cooperation between parties)."""
    label_of = {c.token: lab for c, lab, _ in scored}
    out = []
    for c, lab, conf in scored:
        tok = doc[c.token]
        if lab == "AGREE" and tok.lemma_.lower() == "agree" and not _reciprocal_agreement(tok) and any(
                x.dep_ == "xcomp" and label_of.get(x.i) in ("RETREAT", "CONCEDE") for x in tok.children):
            lab = "CONCEDE"
        out.append((c, lab, conf))
    return out


def _reciprocal_agreement(tok: Token) -> bool:
    """"X and Y agreed (to ...)", "the two sides agreed", "X agreed with Y": a mutual agreement is
    AGREE (PLOVER: both parties are actors) even when its content is a concession."""
    if tok.lemma_.lower() != "agree" or tok.pos_ != "VERB":
        return False
    subj = [c for c in tok.children if c.dep_ == "nsubj"]
    if any(c.dep_ == "prep" and c.lower_ == "with" for c in tok.children):
        return True
    return bool(subj) and (any(c.dep_ == "conj" for c in subj[0].children) or (
        subj[0].tag_ == "NNS" and subj[0].lemma_.lower() in RECIPROCAL_NOUNS))


def _drop_background(doc: Doc, drafts: list[EventDraft]) -> list[EventDraft]:
    """Drop actorless nominal mentions ("after the summit", "killed in riots") beside a coded event.

    A noun trigger with neither source nor target, in a sentence where another event has actors,
    is background to that event (or a reference to one reported elsewhere), not a new coded event;
    so is a noun event of the same type and source as a verb event of the sentence.
    """
    if not any(d.source or d.target for d in drafts):
        return drafts
    drafts = [d for d in drafts if d.source or d.target or not _subordinate(doc[d.trigger_token])]
    # "reiterated its demand that Israel ease ...": the noun and the verb are one event of one source
    verbal = {(d.event_type, m.actor.actor_id) for d in drafts if doc[d.trigger_token].pos_ in ("VERB", "AUX")
              for m in d.source}
    return [d for d in drafts if doc[d.trigger_token].pos_ in ("VERB", "AUX")
            or not any((d.event_type, m.actor.actor_id) in verbal for m in d.source)]


def _subordinate(tok: Token) -> bool:
    """A noun, or a verb inside a noun phrase or an adjunct clause ("a letter handed over")."""
    if tok.pos_ not in ("VERB", "AUX"):
        return True
    return tok.dep_ in ("acl", "pcomp") or (tok.dep_ != "relcl" and tok.head.pos_ in ("NOUN", "PROPN"))


def _is_commitment(tok: Token, source: tuple[Mention, ...], attribution: tuple[Attribution, ...]) -> bool:
    """Does the actor itself announce or promise the planned action?"""
    claimants = [a for a in attribution if a.role == "claimant"]
    if any(a.lemma_.lower() in PROMISE_VERBS for a in tok.ancestors if a.sent == tok.sent):
        return True
    if not claimants:
        return False
    speaker = claimants[-1]
    subj = [c for c in tok.children if c.dep_ == "nsubj"]
    if subj and subj[0].lower_ in ("it", "they", "we"):
        return True  # "the rebels said they will release ..."
    aid = speaker.actor_id or ""
    for m in source:
        if m.actor.actor_id == speaker.actor_id or m.text.split()[0].lower() in (
                "it", "they", "we", "its", "their", "our") or (m.start == speaker.start):
            return True
        if m.actor.country and aid.startswith(m.actor.country):
            return True
        if m.actor.actor_id == m.actor.country and aid.startswith(("~GOV", "~MIL")):
            return True  # "Germany will ..., the defence minister announced"
    return False


def _speaker(doc: Doc, attribution: tuple[Attribution, ...], index: MentionIndex) -> tuple[Mention, ...]:
    """The actor mention of the nearest claimant that is an actor (none when there is none)."""
    for a in reversed(attribution):
        if a.role == "claimant" and a.actor_id:
            hit = index.by_token.get(_token_at(doc, a.start))
            if hit is not None:
                return (hit,)
    return ()


def _demand(tok: Token, attribution: tuple[Attribution, ...]) -> Attribution | None:
    """The claimant who says the trigger's subject *must*/*should* act, if any."""
    claimants = [a for a in attribution if a.role == "claimant"]
    if not claimants or tok.pos_ not in ("VERB", "AUX"):
        return None
    if any(c.dep_ == "aux" and c.lower_ in ("must", "should") for c in tok.children):
        return claimants[-1]
    if (tok.tag_ == "VB" and tok.dep_ in ("ccomp", "acl")
            and any(c.dep_ == "mark" and c.lower_ == "that" for c in tok.children)
            and any(c.dep_ == "nsubj" and c.tag_ in ("NN", "NNP", "PRP") for c in tok.children)
            and not any(c.dep_ in ("aux", "auxpass") for c in tok.children)):
        return claimants[-1]  # subjunctive "demanded that Israel ease ...": a demand
    return None


def _own_threat(verb: Token) -> bool:
    """"warned that police will no longer tolerate ...": the speaker's own side announces coercion.

    A warning whose content clause has the speaker ("it", "we", "they") or security forces as
    subject and a future modal is a THREATEN; a warning about what others may do is a statement."""
    if verb.lemma_.lower() not in ("warn", "caution"):
        return False
    for clause in (c for c in verb.children if c.dep_ == "ccomp"):
        subj = [c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")]
        future = any(c.dep_ == "aux" and c.lower_ in ("will", "would", "shall") for c in clause.children)
        if subj and future and subj[0].lemma_.lower() in OWN_FORCES:
            return True
    return False


def _token_at(doc: Doc, char: int) -> int:
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    return span.start if span is not None else -1


def _fold_nested(
    doc: Doc, scored: list[tuple[Candidate, str, float]], reporting: frozenset[str]
) -> list[tuple[Candidate, str, float]]:
    """Drop a trigger that is the argument of another event trigger in the same sentence.

    "threatened to attack" -> THREATEN only; "condemned the attack" -> ACCUSE only; but for a light
    verb ("launched an attack", "issued a warning") the noun is kept and the verb dropped.
    """
    by_token = {c.token: (c, lab, conf) for c, lab, conf in scored}
    drop: set[int] = set()
    for cand, _, _ in scored:
        tok = doc[cand.token]
        child = tok
        for anc in tok.ancestors:
            if child.dep_ == "prep" and child.lower_ not in NESTING_PREPS:
                break
            if child.dep_ not in NESTING_DEPS and child.dep_ != "prep" and not (
                child.dep_ == "conj" and child.head.pos_ == "NOUN"
            ):
                break
            if anc.i in by_token and anc.i != tok.i:
                outer = by_token[anc.i][0]
                if child.dep_ in ("ccomp", "advcl") and outer.key in reporting:
                    break
                if outer.key.split(" ")[0] in LIGHT_VERBS:
                    drop.add(anc.i)
                else:
                    drop.add(tok.i)
                break
            child = anc
    kept = [item for item in scored if item[0].token not in drop]
    return _merge_same_event(doc, kept)


def _merge_same_event(
    doc: Doc, scored: list[tuple[Candidate, str, float]]
) -> list[tuple[Candidate, str, float]]:
    """One event told twice: "killed in a bombing", "attacks ... have killed" -> keep the verb (the
    noun when the verb only continues or steps it up: "the attack continued").

    Same type, and the noun is the means ("in", "by", "with", "during") or the subject of the verb.
    "retook ... after 100 days of fighting" stays two events (a different preposition).
    """
    by_token = {c.token: (c, lab) for c, lab, _ in scored}
    drop: set[int] = set()
    for cand, label, _ in scored:
        tok = doc[cand.token]
        if not cand.key.startswith("n:"):
            continue
        if tok.dep_ == "conj" and tok.head.i in by_token and by_token[tok.head.i][1] == label:
            drop.add(tok.i)  # "killings and kidnappings": one event per head noun is enough
            continue
        if tok.dep_ in ("nsubj", "nsubjpass") and by_token.get(tok.head.i, (None, ""))[1] == label:
            outer = by_token[tok.head.i][0]
            # "attacks ... have killed" keeps the verb; "Russia's attack on Ukraine continued" the noun
            drop.add(tok.head.i if outer.key.split(" ")[0] in LIGHT_VERBS else tok.i)
            continue
        child = tok
        for anc in tok.ancestors:  # "provide ... in military aid", "killed in a bombing"
            if child.dep_ in CLAUSE_BOUNDARY or (child.dep_ == "prep" and child.lower_ in ADJUNCT_PREPS):
                break
            if anc.i in by_token:
                if by_token[anc.i][1] == label:
                    drop.add(tok.i)
                break
            child = anc
    return [item for item in scored if item[0].token not in drop]
