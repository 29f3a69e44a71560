"""The pipeline: one spaCy parse per article, then actors → events → geo → time → Event records."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date

from spacy.tokens import Doc

from wirewatch.actors.scope import article_actors
from wirewatch.nlp import load_nlp, model_name
from wirewatch.records import AnalyzedArticle, Article, Event, EventDraft, Sentence, event_id

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
        toponyms = tuple(self.geo.toponyms(doc, article))
        mentions = tuple(article_actors(self.actors.mentions(doc, published=article.published), article.id,
                                        toponyms))
        drafts = self.events.extract(doc, list(mentions))
        timexes = tuple(self.time.find(doc, article.published))
        events = []
        for draft in drafts:
            location = self.geo.locate(doc, draft, list(toponyms))
            when = self.time.date_event(doc, draft, list(timexes), article.published)
            modality = draft.modality
            if modality == "asserted" and self.is_historical(when, article.published):
                modality = "historical"
            events.append(_event(article, draft, location, when, modality))
        return AnalyzedArticle(article, sentences, mentions, toponyms, timexes, tuple(events))


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
