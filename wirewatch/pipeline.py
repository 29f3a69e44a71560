"""The pipeline: one spaCy parse per article, then actors → events → geo → time → Event records."""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from spacy.tokens import Doc

from wirewatch.actors.scope import article_actors
from wirewatch.actors.situate import home_country, people, situate
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

    def analyze_each(self, articles: Iterable[Article]) -> Iterator[AnalyzedArticle | AnalysisFailure]:
        """Like :meth:`analyze_many`, but an article that cannot be analysed is yielded as an
        :class:`AnalysisFailure` and the others go on (see :func:`analyze_isolated`)."""
        return analyze_isolated(self, articles, self.batch_size)

    def from_doc(self, article: Article, doc: Doc) -> AnalyzedArticle:
        """Run the stages after the parse."""
        sentences = tuple(Sentence(i, s.start_char, s.end_char) for i, s in enumerate(doc.sents))
        toponyms = tuple(self.geo.toponyms(doc, article))
        mentions = tuple(article_actors(self.actors.mentions(doc, published=article.published), article.id,
                                        toponyms))
        drafts = self.events.extract(doc, list(mentions))
        timexes = tuple(self.time.find(doc, article.published))
        events = []
        near = SentenceIndex(sentences, toponyms, timexes)
        home, persons = home_country(mentions, toponyms), people(mentions, doc)
        for draft in drafts:
            location = self.geo.locate(doc, draft, near.toponyms(draft))
            country = location.place.country if location is not None and location.place is not None else None
            draft = replace(draft, source=situate(draft.source, country, home, persons),
                            target=situate(draft.target, country, home, persons))
            when = self.time.date_event(doc, draft, near.timexes(draft), article.published)
            modality = draft.modality
            if modality == "asserted" and self.is_historical(when, article.published):
                modality = "historical"
            events.append(_event(article, draft, location, when, modality))
        return AnalyzedArticle(article, sentences, mentions, toponyms, timexes, tuple(events))


@dataclass(frozen=True)
class AnalysisFailure:
    """An article that could not be analysed, and why (one line, no article text)."""

    article: Article
    reason: str


def analyze_isolated(
    pipeline: Any, articles: Iterable[Article], batch_size: int = 16
) -> Iterator[AnalyzedArticle | AnalysisFailure]:
    """Analyse ``articles`` in batches with ``pipeline.analyze_many``; one bad article never sinks the run.

    Each article is first checked (:func:`~wirewatch.ingest.validate.check_article`: too long, NUL, bad
    fields). When a batch raises, its articles are analysed one by one with ``pipeline.analyze`` and the
    one that raises becomes an :class:`AnalysisFailure`. Results come in input order.
    """
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) >= batch_size:
            yield from _analyze_batch(pipeline, batch)
            batch = []
    if batch:
        yield from _analyze_batch(pipeline, batch)


def _analyze_batch(pipeline: Any, batch: list[Article]) -> list[AnalyzedArticle | AnalysisFailure]:
    from wirewatch.errors import InputError
    from wirewatch.ingest.validate import check_article

    checked: list[Article | AnalysisFailure] = []
    for article in batch:
        try:
            checked.append(check_article(article))
        except InputError as err:
            checked.append(AnalysisFailure(article, err.reason))
    good = [a for a in checked if isinstance(a, Article)]
    try:
        done = iter(list(pipeline.analyze_many(good)))
    except Exception:  # one bad article must not sink the batch: retry one by one
        log.info("batch analysis failed; analysing its %d articles one by one", len(good), exc_info=True)
        done = iter([_analyze_alone(pipeline, a) for a in good])
    return [next(done) if isinstance(a, Article) else a for a in checked]


def _analyze_alone(pipeline: Any, article: Article) -> AnalyzedArticle | AnalysisFailure:
    from wirewatch.errors import describe

    try:
        return pipeline.analyze(article)
    except Exception as exc:  # a pipeline bug on one article: report it, go on with the rest
        log.info("analysis failed for %s", article.origin or article.id, exc_info=True)
        return AnalysisFailure(article, f"analysis failed: internal error {describe(exc)} (please report it)")


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
