"""Quoted first person: "I" and "we" inside a quotation are mentions of the one who is quoted.

    Alexis Boon said about Amman: "We recovered ..."          -> "We" is Alexis Boon
    "These attacks are our right, and we warn the Saudis", Saree said.   -> "we" is Saree

A quotation runs from an opening to its closing quotation mark (curly or straight, across sentences).
Its speaker is the subject of a speech verb just outside it: in the sentence where the quotation ends,
after the closing mark ('"...", X said'), else in the sentence where it opens, before the opening mark
('X said: "..."'). The subject must be an actor mention; with none, the pronouns stay no actor. Each
pronoun mention keeps its own span, so the evidence shows "we", and the speaker's actor.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import replace

from spacy.tokens import Doc, Token

from wirewatch.actors.mentions import Candidate

SPEECH_LEMMAS = frozenset({
    "say", "tell", "write", "add", "state", "tweet", "declare", "announce", "explain", "note", "insist",
    "warn", "claim", "stress", "conclude", "ask", "reply", "respond", "recall", "argue", "post", "urge",
    "comment", "remark", "testify", "acknowledge", "admit", "affirm", "assert", "vow", "pledge",
})
FIRST_PERSON = frozenset({"i", "we", "me", "us"})
OPENING = {"“": "”", '"': '"'}
MAX_QUOTE_CHARS = 3000  # a stray mark never makes the rest of a long article one quotation


def quotation_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) character offsets of the text inside each quotation, marks excluded. Linear in the
    text (a closing mark is found by bisection, not by scanning), whatever marks a hostile text holds."""
    closes = {c: [i for i, ch in enumerate(text) if ch == c] for c in set(OPENING.values())}
    i = 0
    n = len(text)
    while i < n:
        close = OPENING.get(text[i])
        if close is None:
            i += 1
            continue
        marks = closes[close]
        k = bisect_right(marks, i)
        if k == len(marks) or marks[k] - i > MAX_QUOTE_CHARS:
            i += 1
            continue
        yield i + 1, marks[k]
        i = marks[k] + 1


def _speaker_near(tokens: list[Token], by_token: dict[int, Candidate]) -> Candidate | None:
    """The actor mention that is the subject of a speech verb among ``tokens``, nearest first."""
    for tok in tokens:
        if tok.pos_ not in ("VERB", "AUX") or tok.lemma_.lower() not in SPEECH_LEMMAS:
            continue
        for c in tok.children:
            if c.dep_ in ("nsubj", "nsubjpass") and c.i in by_token:
                return by_token[c.i]
    return None


def _tokens_between(doc: Doc, start_char: int, end_char: int) -> list[Token]:
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    return list(span) if span is not None else []


def quoted_first_person(doc: Doc, cands: list[Candidate]) -> list[Candidate]:
    """Add each uncovered first-person pronoun inside a quotation as a mention of its speaker."""
    text = doc.text
    if '"' not in text and "“" not in text:
        return cands
    by_token = {k: c for c in cands for k in range(c.start, c.end)}
    added: list[Candidate] = []
    for qs, qe in quotation_spans(text):
        inside = [t for t in _tokens_between(doc, qs, qe) if t.lower_ in FIRST_PERSON and t.pos_ == "PRON"
                  and t.i not in by_token]
        if not inside:
            continue
        end_sent = doc.char_span(qe, min(qe + 1, len(text)), alignment_mode="expand")
        start_sent = doc.char_span(max(qs - 1, 0), qs, alignment_mode="expand")
        after = _tokens_between(doc, qe + 1, end_sent.sent.end_char) if end_sent is not None else []
        before = _tokens_between(doc, start_sent.sent.start_char, qs - 1) if start_sent is not None else []
        speaker = _speaker_near(after, by_token) or _speaker_near(list(reversed(before)), by_token)
        if speaker is None:
            continue
        added += [replace(speaker, start=t.i, end=t.i + 1, head=t.i, canonical=None, ent="") for t in inside]
    return sorted(cands + added, key=lambda c: c.start) if added else cands
