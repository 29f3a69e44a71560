"""Temporal expressions in a parsed article, and the date of each event.

:class:`TimeTagger` runs the rule grammar (:mod:`wirewatch.temporal.grammar`) over the text, uses
the parse for tense ("will meet on Thursday" is the next Thursday) and to drop numbers that only look
like years, adds spaCy DATE/TIME entities the grammar missed (normalised by dateparser, gated and
cached: :mod:`wirewatch.temporal.fallback`), and picks the expression that dates an event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from spacy.tokens import Doc, Span, Token

from wirewatch.dateline import doc_dateline
from wirewatch.periods import period_end
from wirewatch.records import EventDraft, TimeExpr
from wirewatch.temporal import fallback
from wirewatch.temporal.grammar import ANAPHORIC_RULES, YEAR_PATTERN, Context
from wirewatch.temporal.scanner import normalize, scan

# rules whose value depends on the tense of the clause
TENSE_RULES = frozenset({"month", "month_may", "weekday", "full_date", "full_date_dmy", "the_weekend",
                         "quarter", "relperiod", "holiday", "edge_the_year", "day_tail", "ordinal_day"})
FUTURE_GOVERNORS = frozenset({
    "plan", "schedule", "set", "slate", "due", "expect", "intend", "aim", "prepare", "hope", "go",
    "threaten", "vow", "pledge", "promise", "propose", "want", "seek", "agree", "decide",
})
COMMUNICATION_VERBS = frozenset({
    "say", "report", "tell", "announce", "state", "add", "write", "note", "quote", "accord", "warn",
    "confirm", "reveal", "disclose", "declare", "insist", "explain", "publish", "cite", "broadcast",
})
# clause boundaries: a child with one of these relations starts another clause
CLAUSE_DEPS = frozenset({"ccomp", "advcl", "relcl", "parataxis", "csubj", "csubjpass", "xcomp", "acl"})
# spaCy DATE entities the grammar cannot normalise are kept (value None) only when they name a period
_NAMED_PERIOD = re.compile(
    r"\b(?:ramadan|eid|easter|passover|hanukkah|diwali|thanksgiving|lent|holidays?)\b", re.I
)
# "ANKARA, Feb 12 (Reuters) -", "BEIRUT, Lebanon, Feb. 12 -", "Feb 12, 2015\n...": a place (or nothing)
# before the date, an agency in brackets and a dash, colon or line break after it
_DATELINE_BEFORE = re.compile(
    r"^\s*(?:(?:Updated|Published|Posted)\b:?\s*)?(?:[A-Z][\w.'’ /-]{0,40},\s*){0,2}$"
)
_DATELINE_AFTER = re.compile(r"^(?:,?\s*(?:1[89]|20)\d\d)?[ \t]*(?:\([^)]{1,40}\))?[ \t]*(?:[-–—:|]|\n)")
_YEAR_NOUNS = frozenset({"election", "talk", "protest", "riot", "war", "attack", "law", "budget", "game",
                         "olympics", "result", "figure", "level", "accord", "agreement", "census"})
# a date text that names its year: "2019", "August 2018", "the 1990s", "last year", "two years ago"
NAMED_YEAR = re.compile(
    rf"\b{YEAR_PATTERN}(?:s|\b)|\b(?:last|previous|past) year\b|\byears? (?:ago|earlier)\b", re.I)
_NUMERIC_ENTS = frozenset({"CARDINAL", "MONEY", "QUANTITY", "PERCENT", "ORDINAL"})


class TimeTagger:
    """Finds and normalises temporal expressions; dates events. Stateless apart from caches."""

    def find(self, doc: Doc, published: date | None) -> list[TimeExpr]:
        """All temporal expressions of ``doc`` in text order, normalised against ``published``.

        Relative expressions have value and precision None when ``published`` is None.
        """
        text = doc.text
        out: list[TimeExpr] = []
        covered: list[tuple[int, int]] = []
        ref = published
        for start, end, rule, match in scan(text):
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None or not len(span):
                continue
            if rule == "year" and _not_a_year(span):
                covered.append((start, end))  # keep dateparser off it too
                continue
            future = rule in TENSE_RULES and is_future(span)
            ctx = Context(published, future, ref if rule in ANAPHORIC_RULES else published)
            value, precision, kind = normalize(rule, match, ctx)
            out.append(TimeExpr(text[start:end], start, end, value, precision, kind, span.start, span.end))
            covered.append((start, end))
            if kind == "date" and precision == "day" and value:
                ref = date.fromisoformat(value)
        out = _anchor_times(doc, out)
        out.extend(self._entities(doc, published, covered))
        out.sort(key=lambda t: t.start or 0)
        return out

    def _entities(self, doc: Doc, published: date | None, covered: list[tuple[int, int]]) -> list[TimeExpr]:
        """spaCy DATE/TIME entities the grammar did not cover, normalised by dateparser if possible."""
        out = []
        for ent in doc.ents:
            if ent.label_ not in ("DATE", "TIME"):
                continue
            s, e = ent.start_char, ent.end_char
            if any(s < ce and e > cs for cs, ce in covered):
                continue
            parsed = None
            if fallback.gate(ent.text):
                parsed = fallback.parse_date(ent.text, published, is_future(ent))
            if parsed is not None:
                out.append(TimeExpr(ent.text, s, e, parsed[0], parsed[1], "date", ent.start, ent.end))
            elif _NAMED_PERIOD.search(ent.text) and not re.search(r"\d", ent.text):
                out.append(TimeExpr(ent.text, s, e, None, None, "date", ent.start, ent.end))
        return out

    def date_event(
        self, doc: Doc, draft: EventDraft, timexes: Iterable[TimeExpr], published: date | None
    ) -> TimeExpr:
        """The expression that dates one event, else the dateline, else the publication date.

        Order: the trigger's own phrase and clause (nearest first), then the rest of the sentence minus
        dates attached to a communication verb that is not the trigger ("X reported on Thursday that
        ... crossed": Thursday dates the report, not the crossing), then a dateline at the start of
        the article (a dateline's date only ever here), then ``published`` (precision
        ``published``). Durations, sets and unresolved expressions never date an event.
        """
        usable = [
            t for t in timexes if t.kind == "date" and t.value and t.precision and t.token_start is not None
        ]
        trigger = doc[draft.trigger_token]
        filed = doc_dateline(doc)  # a dateline's date dates the story, never over the sentence's own
        sent = [t for t in usable if draft.sentence.start <= (t.start or 0) < draft.sentence.end
                and not (filed is not None and filed.covers(t.start or 0, t.end or 0))]
        verb = _governing_verb(trigger)
        scopes = [_clause(trigger)]
        if verb is not None and verb.i != trigger.i:
            scopes.append(_clause(verb))
        for scope in scopes:
            inside = [t for t in sent if _inside(t, scope)]
            if inside:
                return _nearest(inside, trigger.i)
        rest = [t for t in sent if not _reported_by_other(doc, t, verb if verb is not None else trigger)]
        if rest:
            return _nearest(rest, trigger.i)
        line = dateline(doc, usable)
        if line is not None:
            return line
        return published_expr(published)


def _anchor_times(doc: Doc, found: list[TimeExpr]) -> list[TimeExpr]:
    """A clock time ("6 a.m.") takes the day of the nearest day-precision date in its sentence."""
    out = []
    for t in found:
        if t.kind == "date" and t.value and t.precision == "day" and _is_clock(t.text or ""):
            sent = doc[t.token_start or 0].sent
            days = [d for d in found if d is not t and d.precision == "day" and d.value
                    and not _is_clock(d.text or "") and sent.start <= (d.token_start or 0) < sent.end]
            if days:
                near = min(days, key=lambda d: abs((d.token_start or 0) - (t.token_start or 0)))
                t = TimeExpr(t.text, t.start, t.end, near.value, "day", t.kind, t.token_start, t.token_end)
        out.append(t)
    return out


_CLOCK = re.compile(r"\d\s*(?:a\.m\.|p\.m\.|am|pm)|\d:\d\d|\b(?:noon|midnight|midday)\b|GMT|UTC", re.I)


def _is_clock(text: str) -> bool:
    return bool(_CLOCK.search(text))


def published_expr(published: date | None) -> TimeExpr:
    """The stand-in date: the publication date at precision ``published`` (value None if unknown)."""
    if published is None:
        return TimeExpr(None, None, None, None, "published", "published")
    return TimeExpr(None, None, None, published.isoformat(), "published", "published")


def dateline(doc: Doc, timexes: Iterable[TimeExpr]) -> TimeExpr | None:
    """A date at the very start of the article ("ANKARA, Feb 12 (Reuters) -"), if any."""
    for t in timexes:
        if t.start is None or t.token_start is None or t.token_end is None or t.start > 60:
            return None
        before = doc[: t.token_start].text_with_ws  # (Doc.text would rebuild the whole article)
        after = doc[t.token_end : t.token_end + 12].text
        if _DATELINE_BEFORE.match(before) and _DATELINE_AFTER.match(after):
            return t
    return None


def is_future(span: Span) -> bool:
    """Whether the clause an expression belongs to is in the future tense (will/shall, plans to ...)."""
    tok: Token = span.root
    for _ in range(6):
        if tok.pos_ in ("VERB", "AUX") or tok.head is tok:
            break
        tok = tok.head
    if _infinitive_ahead(tok):
        return True
    for _ in range(4):
        if any(c.dep_ == "aux" and c.lower_ in ("will", "shall", "'ll", "wo", "’ll") for c in tok.children):
            return True
        if tok.lemma_ in FUTURE_GOVERNORS and _present(tok):
            return True
        if tok.dep_ not in ("xcomp", "acomp") or tok.head is tok:
            return False
        tok = tok.head
    return False


def _infinitive_ahead(tok: Token) -> bool:
    """"a program to run through June": an infinitive hanging off a clause not told in the past."""
    if tok.tag_ != "VB" or tok.dep_ not in ("acl", "relcl", "advcl") or not any(
        c.dep_ == "aux" and c.tag_ == "TO" for c in tok.children
    ):
        return False
    gov = _governing_verb(tok.head)
    return gov is not None and not _past(gov)


def _past(tok: Token) -> bool:
    if tok.tag_ == "VBD":
        return True
    helpers = [c for c in tok.children if c.dep_ in ("aux", "auxpass")]
    return any(h.tag_ == "VBD" for h in helpers)


def _present(tok: Token) -> bool:
    if tok.tag_ in ("VBP", "VBZ"):
        return True
    if tok.tag_ == "VBG" and tok.lemma_ == "go":  # "is going to"
        return True
    helpers = [c for c in tok.children if c.dep_ in ("aux", "auxpass")]
    if tok.dep_ == "acomp":
        helpers.append(tok.head)
    return any(h.tag_ in ("VBP", "VBZ") for h in helpers)


def _not_a_year(span: Span) -> bool:
    """A four-digit number that is a count ("2000 troops", "1,900"), not a year."""
    tok = span[-1]
    if tok.ent_type_ in _NUMERIC_ENTS:
        return True
    if len(span) > 1:  # "mid-2014", "fiscal 2014", "the year 2014"
        return False
    nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
    prev = tok.nbor(-1) if tok.i > 0 else None
    # "displaced 1990 families" is a count; "the 2014 elections", "in 2014 talks" are years
    return (nxt is not None and nxt.tag_ == "NNS" and nxt.lemma_ not in _YEAR_NOUNS
            and (prev is None or prev.tag_ not in ("DT", "IN", "POS", "PRP$")))


def _governing_verb(tok: Token) -> Token | None:
    for _ in range(8):
        if tok.pos_ in ("VERB", "AUX"):
            return tok
        if tok.head is tok:
            return None
        tok = tok.head
    return None


def _clause(head: Token) -> set[int]:
    """Token indices of ``head``'s subtree minus embedded clauses (and minus coordinated verbs)."""
    keep: set[int] = set()
    stack = [head]
    while stack:
        tok = stack.pop()
        keep.add(tok.i)
        for child in tok.children:
            if child.dep_ in CLAUSE_DEPS:
                continue
            if child.dep_ == "conj" and child.pos_ in ("VERB", "AUX"):
                continue
            stack.append(child)
    return keep


def _inside(t: TimeExpr, scope: set[int]) -> bool:
    return t.token_start is not None and t.token_end is not None and all(
        i in scope for i in range(t.token_start, t.token_end)
    )


def _nearest(cands: list[TimeExpr], index: int) -> TimeExpr:
    def distance(t: TimeExpr) -> tuple[int, int]:
        s, e = t.token_start or 0, t.token_end or 0
        d = s - index if s > index else (index - e + 1 if e <= index else 0)
        return d, s

    return min(cands, key=distance)


def _reported_by_other(doc: Doc, t: TimeExpr, own: Token) -> bool:
    """True if ``t`` hangs off a communication verb other than the event's own verb."""
    verb = _governing_verb(doc[t.token_start or 0 : t.token_end or 0].root)
    return verb is not None and verb.i != own.i and verb.lemma_ in COMMUNICATION_VERBS


def is_historical(expr: TimeExpr, published: date | None) -> bool:
    """True when the period ``expr`` names is background: it ended more than 365 days before
    publication, or its text names an earlier calendar year ("in 2019", "August 2018", "his 2016
    arrest", "January of last year") than the publication's.

    Published 2015-02-13: "2013" and "the 1990s" are historical, and so are "in 2014" and "October
    2014" (a year the text names, before 2015); "last October" and "on December 30" (resolved into 2014
    but naming no year: the recent past) are not. Durations, unresolved and publication stand-ins
    never are (annotation guideline, modality ``historical``).
    """
    if published is None or expr.kind != "date" or not expr.value or expr.precision in (None, "published"):
        return False
    end = period_end(expr.value)
    if end is None:
        return False
    if (published - end).days > 365:
        return True
    return end.year < published.year and bool(NAMED_YEAR.search(expr.text or ""))


