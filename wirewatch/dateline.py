"""Datelines: the "KYIV, June 18 (Reuters) —" that opens a wire story.

A dateline is context, not content: its city is where the story was filed (never an actor, a place only
when a sentence names none) and its date is when it was filed (never over a date that the sentence gives).
:func:`find_dateline` locates one at the start of an article so each stage can keep it in its place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_WORD = r"[A-ZÀ-ÖØ-Þ][\w.'’-]*"
_PLACE = rf"{_WORD}(?:[ \t]+{_WORD}){{0,3}}"
_DATELINE = re.compile(
    rf"""^[ \t]*
    (?P<place>{_PLACE}(?:,[ \t]*{_PLACE}){{0,2}})
    (?:,?[ \t]+(?P<date>{_MONTH}[ \t]+\d{{1,2}}(?:,[ \t]*\d{{4}})?))?
    [ \t]*(?:\((?P<agency>[^()\n]{{1,40}})\))?
    [ \t]*(?:[-–—]{{1,2}}|:)[ \t]""",
    re.VERBOSE,
)
HEAD_CHARS = 160  # a dateline sits in the first line of the article


@dataclass(frozen=True)
class Dateline:
    """Character offsets (into the article text) of a dateline and its parts."""

    start: int
    end: int  # just after the dash: where the story's first sentence begins
    place_start: int
    place_end: int
    date_start: int | None = None
    date_end: int | None = None

    def covers(self, start: int, end: int) -> bool:
        """Whether the span [start, end) lies inside the dateline."""
        return self.start <= start and end <= self.end

    def in_place(self, start: int, end: int) -> bool:
        """Whether the span [start, end) overlaps the dateline's place name."""
        return start < self.place_end and end > self.place_start


def find_dateline(text: str) -> Dateline | None:
    """The dateline opening ``text``, if any: an upper-case place ("KYIV —"), or a place followed by a
    date or an agency ("Kyiv, June 18 —", "Bamako (AFP) -"), then a dash or colon."""
    m = _DATELINE.match(text[:HEAD_CHARS])
    if m is None:
        return None
    place = m.group("place")
    if not (place.isupper() or m.group("date") or m.group("agency")):
        return None
    date_span = (m.start("date"), m.end("date")) if m.group("date") else (None, None)
    return Dateline(m.start("place"), m.end(), m.start("place"), m.end("place"), *date_span)


_CACHE_KEY = "wirewatch.dateline"


def doc_dateline(doc: Doc) -> Dateline | None:
    """:func:`find_dateline` on a parsed article, reading only its first tokens; found once per doc
    (kept in ``doc.user_data``), however many stages and events ask."""
    if _CACHE_KEY not in doc.user_data:
        head = doc[: min(len(doc), 60)].text_with_ws  # (Doc.text would rebuild the whole article)
        doc.user_data[_CACHE_KEY] = find_dateline(head)
    return doc.user_data[_CACHE_KEY]
