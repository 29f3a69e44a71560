"""Typed records passed between pipeline stages.

Every stage takes and returns these frozen dataclasses; dicts appear only at the JSON/SQL edges
(``to_dict`` / ``from_dict`` here). All offsets are 0-based, end-exclusive Python ``str`` indices
(Unicode code points) into ``Article.text``, so ``text[start:end] == span.text`` always holds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

PLOVER_TYPES: tuple[str, ...] = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)
MODALITIES: tuple[str, ...] = (
    "asserted", "reported", "claimed", "possible", "planned", "negated", "historical",
)
RESOLUTIONS: tuple[str, ...] = ("continent", "region", "feature", "country", "admin1", "admin2", "city",
                                 "sub-city")  # region: named region/disputed territory/island; feature: sea,
# river, lake, mountain range, desert (docs/geo-eval.md)
PRECISIONS: tuple[str, ...] = ("day", "week", "month", "year", "decade", "published")


@dataclass(frozen=True)
class Span:
    """A piece of article text: ``article.text[start:end] == text``."""

    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Article:
    """One news article as ingested. ``id`` is the canonical URL's hash, else the content hash."""

    id: str
    text: str
    url: str | None = None
    title: str | None = None
    source: str | None = None
    published: date | None = None
    language: str = "en"
    origin: str | None = None  # file path / "stdin" / feed URL it came from

    def ref(self) -> dict[str, Any]:
        """The ``article`` object of an event record."""
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "source": self.source,
            "published": self.published.isoformat() if self.published else None,
        }


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Actor:
    """A resolved actor: a knowledge-base entry or an actor built from a mention's head noun."""

    actor_id: str
    name: str
    country: str | None = None  # ISO 3166-1 alpha-3
    sector: str | None = None  # CAMEO actor-type code: GOV MIL SPY COP REB INS OPP MED IGO NGO CVL BUS ...
    known: bool = False  # True when it comes from the knowledge base


@dataclass(frozen=True)
class Mention:
    """An actor mention in the text. ``token_start``/``token_end`` index the spaCy Doc."""

    text: str
    start: int
    end: int
    actor: Actor
    token_start: int
    token_end: int
    head: int  # doc index of the mention's syntactic head token

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "actor_id": self.actor.actor_id,
            "name": self.actor.name,
            "country": self.actor.country,
            "sector": self.actor.sector,
        }


@dataclass(frozen=True)
class Place:
    """A gazetteer entry."""

    geonameid: int | None
    name: str
    country: str | None  # ISO alpha-3
    admin1: str | None
    lat: float | None
    lon: float | None
    feature_code: str | None
    resolution: str  # one of RESOLUTIONS
    admin2: str | None = None
    population: int = 0


@dataclass(frozen=True)
class Toponym:
    """A place name in the text and what it resolved to (``place`` None when unresolved)."""

    text: str
    start: int
    end: int
    place: Place | None
    token_start: int
    token_end: int
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        p = self.place
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "geonameid": p.geonameid if p else None,
            "name": p.name if p else None,
            "country": p.country if p else None,
            "admin1": p.admin1 if p else None,
            "lat": p.lat if p else None,
            "lon": p.lon if p else None,
            "feature_code": p.feature_code if p else None,
            "resolution": p.resolution if p else None,
        }


@dataclass(frozen=True)
class TimeExpr:
    """A temporal expression normalised against the publication date.

    ``kind`` is ``date`` (a point or period), ``duration``, ``set`` or ``published`` (no text: the
    publication date stands in). ``value`` is an ISO string at ``precision`` (``2015-01-26``,
    ``2014-10``, ``2015-W06``, ``2014``, ``199X``) or None when it cannot be resolved.
    """

    text: str | None
    start: int | None
    end: int | None
    value: str | None
    precision: str | None
    kind: str = "date"
    token_start: int | None = None
    token_end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "value": self.value,
            "precision": self.precision,
        }


@dataclass(frozen=True)
class Attribution:
    """One link of the chain of who says so: ``reporter`` (outlet) or ``claimant`` (party)."""

    text: str
    start: int
    end: int
    actor_id: str | None
    role: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "actor_id": self.actor_id,
            "role": self.role,
        }


@dataclass(frozen=True)
class EventDraft:
    """What the event stage finds, before geo and time fill in place and date."""

    sentence: Sentence
    event_type: str
    trigger: Span
    trigger_token: int  # doc index of the trigger's head token
    source: tuple[Mention, ...]
    target: tuple[Mention, ...]
    modality: str
    attribution: tuple[Attribution, ...] = ()
    mode: str | None = None
    contexts: tuple[str, ...] = ()
    cameo_root: str | None = None
    confidence: float = 0.5


@dataclass(frozen=True)
class Event:
    """A finished event record (the SPEC.md JSON record)."""

    id: str
    article: Article
    sentence: Sentence
    event_type: str
    mode: str | None
    contexts: tuple[str, ...]
    cameo_root: str | None
    trigger: Span
    source: tuple[Mention, ...]
    target: tuple[Mention, ...]
    location: Toponym | None
    date: TimeExpr
    modality: str
    attribution: tuple[Attribution, ...]
    confidence: float
    incident: str | None = None  # set by the store (incident linking); None from the pipeline

    def to_dict(self) -> dict[str, Any]:
        """The JSON event record of SPEC.md."""
        return {
            "id": self.id,
            "article": self.article.ref(),
            "sentence": self.sentence.to_dict(),
            "event_type": self.event_type,
            "mode": self.mode,
            "contexts": list(self.contexts),
            "cameo_root": self.cameo_root,
            "trigger": self.trigger.to_dict(),
            "source": [m.to_dict() for m in self.source],
            "target": [m.to_dict() for m in self.target],
            "location": self.location.to_dict() if self.location else None,
            "date": self.date.to_dict(),
            "modality": self.modality,
            "attribution": [a.to_dict() for a in self.attribution],
            "confidence": round(self.confidence, 4),
            "incident": self.incident,
        }


def event_id(article_id: str, draft: EventDraft) -> str:
    """Stable id: same article + same trigger span + same type -> same id across runs."""
    key = f"{article_id}|{draft.trigger.start}|{draft.trigger.end}|{draft.event_type}"
    return "ev_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class AnalyzedArticle:
    """The output of the pipeline for one article."""

    article: Article
    sentences: tuple[Sentence, ...]
    mentions: tuple[Mention, ...]
    toponyms: tuple[Toponym, ...]
    timexes: tuple[TimeExpr, ...]
    events: tuple[Event, ...] = field(default_factory=tuple)
