"""The pipeline: one spaCy parse per article, then actors → events → geo → time → Event records."""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date

from spacy.tokens import Doc

from wirewatch.nlp import load_nlp, model_name
from wirewatch.records import (
    AnalyzedArticle,
    Article,
    Event,
    EventDraft,
    Sentence,
    TimeExpr,
    Toponym,
    event_id,
)

log = logging.getLogger(__name__)


class Pipeline:
    """Runs every stage on articles. Stages are attributes so eval and tests can call one alone."""

    def __init__(self, model: str | None = None, batch_size: int = 16) -> None:
        from wirewatch.actors import ActorResolver
        from wirewatch.events import EventExtractor
        from wirewatch.geo import Geoparser
        from wirewatch.temporal import TimeTagger, is_historical

        self.model = model_name(model)
        self.nlp = load_nlp(self.model)
        self.actors = ActorResolver(nlp=self.nlp)
        self.events = EventExtractor()
        self.geo = Geoparser()
        self.time = TimeTagger()
        self.is_historical = is_historical
        self.batch_size = batch_size

    def analyze(self, article: Article) -> AnalyzedArticle:
        """Analyse one article."""
        return self.from_doc(article, self.nlp(article.text))

    def analyze_many(self, articles: Iterable[Article]) -> Iterator[AnalyzedArticle]:
        """Analyse articles in batches through ``nlp.pipe`` (same order as given)."""
        pairs = ((a.text, a) for a in articles)
        for doc, article in self.nlp.pipe(pairs, as_tuples=True, batch_size=self.batch_size):
            yield self.from_doc(article, doc)

    def from_doc(self, article: Article, doc: Doc) -> AnalyzedArticle:
        """Run the stages after the parse."""
        sentences = tuple(Sentence(i, s.start_char, s.end_char) for i, s in enumerate(doc.sents))
        mentions = tuple(self.actors.mentions(doc, published=article.published))
        drafts = self.events.extract(doc, list(mentions))
        toponyms = tuple(self.geo.toponyms(doc, article))
        timexes = tuple(self.time.find(doc, article.published))
        events = []
        near = SentenceIndex(sentences, toponyms, timexes)
        for draft in drafts:
            location = self.geo.locate(doc, draft, near.toponyms(draft))
            when = self.time.date_event(doc, draft, near.timexes(draft), article.published)
            modality = draft.modality
            if modality == "asserted" and self.is_historical(when, article.published):
                modality = "historical"
            events.append(_event(article, draft, location, when, modality))
        return AnalyzedArticle(article, sentences, mentions, toponyms, timexes, tuple(events))


class SentenceIndex:
    """Toponyms and time expressions grouped by sentence, so dating and locating an event looks at
    its own sentence only instead of every expression of the article (O(n) per event, O(n²) per
    long article). What each lookup returns gives exactly the answer of the whole list:

    - ``toponyms(draft)``: those starting in the event's sentence (``locate`` keeps only those);
    - ``timexes(draft)``: those of the sentence plus the article's leading ones up to the first that
      cannot be a dateline (``date_event`` reads the sentence, then a dateline), in list order.
    """

    def __init__(self, sentences: tuple[Sentence, ...], toponyms: tuple[Toponym, ...],
                 timexes: tuple[TimeExpr, ...]) -> None:
        self._starts = [s.start for s in sentences]
        self._topos: dict[int, list[Toponym]] = {}
        for t in toponyms:
            self._topos.setdefault(self._sentence_at(t.start), []).append(t)
        self._times: dict[int, list[int]] = {}
        for i, t in enumerate(timexes):
            self._times.setdefault(self._sentence_at(t.start or 0), []).append(i)
        self._all = timexes
        self._lead: list[int] = []
        for i, t in enumerate(timexes):
            self._lead.append(i)
            usable = t.kind == "date" and t.value and t.precision and t.token_start is not None
            if usable and (t.start is None or t.token_end is None or t.start > 60):
                break  # ``dateline`` stops at the first usable expression past the article's start

    def _sentence_at(self, offset: int) -> int:
        return bisect_right(self._starts, offset) - 1

    def toponyms(self, draft: EventDraft) -> list[Toponym]:
        return self._topos.get(self._sentence_at(draft.sentence.start), [])

    def timexes(self, draft: EventDraft) -> list[TimeExpr]:
        own = self._times.get(self._sentence_at(draft.sentence.start), [])
        return [self._all[i] for i in sorted(set(self._lead).union(own))]


def _event(article: Article, draft: EventDraft, location, when, modality: str) -> Event:
    return Event(
        id=event_id(article.id, draft),
        article=article,
        sentence=draft.sentence,
        event_type=draft.event_type,
        mode=draft.mode,
        contexts=draft.contexts,
        cameo_root=draft.cameo_root,
        trigger=draft.trigger,
        source=draft.source,
        target=draft.target,
        location=location,
        date=when,
        modality=modality,
        attribution=draft.attribution,
        confidence=draft.confidence,
    )


def with_published(article: Article, published: date | None) -> Article:
    """The article with ``published`` set (an explicit ``--published`` wins over metadata)."""
    return replace(article, published=published) if published else article
