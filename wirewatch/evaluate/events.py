"""``wirewatch eval GOLD --task events``: event type P/R/F1, confusion, modality, roles, calibration.

Gold (SPEC): JSONL ``{"text", "published", "events": [partial event records]}``. A partial record has
``event_type`` and optionally ``mode``, ``modality``, ``trigger`` ({"text"[, "start"]}), ``source`` /
``target`` (lists of {"text", "country", "sector"}). Each gold line is scored as one unit (our gold files
hold one sentence per line; multi-sentence lines whose events all give ``trigger.start`` are split into
sentences). Types are compared as multisets per unit; events are then aligned (trigger overlap first,
then same type, then text order) for the confusion table and the per-event checks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from wirewatch.evaluate.scoring import (
    PRFCounter,
    Table,
    TaskReport,
    confusion_table,
    gold_published,
    prf,
    read_gold,
    register_task,
)
from wirewatch.ingest.identity import article_id
from wirewatch.records import Article, EventDraft, Mention


def _components(pipeline: Any) -> tuple[Any, Any, Any]:
    if pipeline is not None:
        return pipeline.nlp, pipeline.actors, pipeline.events
    from wirewatch.actors import ActorResolver
    from wirewatch.events import EventExtractor
    from wirewatch.nlp import load_nlp

    return load_nlp(), ActorResolver(), EventExtractor()


def _mentions(actors: Any, doc: Any, published: date | None) -> list[Mention]:
    try:
        return actors.mentions(doc, published)
    except TypeError:  # a resolver without the published argument
        return actors.mentions(doc)


def _trigger_hit(gold: dict[str, Any], pred: EventDraft, text: str) -> bool:
    trig = gold.get("trigger") or {}
    if "start" in trig and "end" in trig:
        return pred.trigger.start < trig["end"] and trig["start"] < pred.trigger.end
    words = {w.lower() for w in str(trig.get("text", "")).split()}
    return bool(words) and pred.trigger.text.lower().split()[0] in words


def align(gold: Sequence[dict[str, Any]], pred: Sequence[EventDraft], text: str
          ) -> list[tuple[dict[str, Any] | None, EventDraft | None]]:
    """Pair gold and predicted events of one unit; unpaired ones get None on the other side."""
    pairs: list[tuple[dict[str, Any] | None, EventDraft | None]] = []
    free_g = list(range(len(gold)))
    free_p = list(range(len(pred)))
    for rule in ("trigger+type", "trigger", "type", "order"):
        for gi in list(free_g):
            for pi in free_p:
                g, p = gold[gi], pred[pi]
                same = g.get("event_type") == p.event_type
                hit = _trigger_hit(g, p, text)
                ok = {"trigger+type": hit and same, "trigger": hit, "type": same, "order": True}[rule]
                if ok:
                    pairs.append((g, p))
                    free_g.remove(gi)
                    free_p.remove(pi)
                    break
    pairs += [(gold[i], None) for i in free_g] + [(None, pred[i]) for i in free_p]
    return pairs


def _role_checks(gold: dict[str, Any], pred: EventDraft, counts: Counter[str]) -> None:
    for role in ("source", "target"):
        gold_actors = gold.get(role) or []
        pred_actors: tuple[Mention, ...] = getattr(pred, role)
        for attr in ("country", "sector"):
            wanted = {a.get(attr) for a in gold_actors if a.get(attr)}
            if not wanted:
                continue
            got = {getattr(m.actor, attr) for m in pred_actors}
            counts[f"{role}_{attr}_n"] += len(wanted)
            counts[f"{role}_{attr}_ok"] += len(wanted & got)


def _overlap(gold: dict[str, Any], mention: Mention) -> bool:
    """A gold argument and a predicted mention are the same span: offsets overlap, or (gold without
    offsets) one text contains the other."""
    if "start" in gold and "end" in gold:
        return mention.start < gold["end"] and gold["start"] < mention.end
    g, m = str(gold.get("text", "")).lower(), mention.text.lower()
    return bool(g) and (g in m or m in g)


def _argument_checks(gold: dict[str, Any], pred: EventDraft, counts: Counter[str]) -> None:
    """Source/target argument matches, one to one: by span alone and by span + country."""
    for role in ("source", "target"):
        gold_args = [a for a in gold.get(role) or [] if a.get("text")]
        pred_args = list(getattr(pred, role))
        for strict in (False, True):
            key = "arg_country" if strict else "arg_span"
            free = list(pred_args)
            for g in gold_args:
                hit = next((m for m in free if _overlap(g, m) and (
                    not strict or not g.get("country") or g.get("country") == m.actor.country)), None)
                if hit is not None:
                    free.remove(hit)
                    counts[f"{key}_tp"] += 1
                else:
                    counts[f"{key}_fn"] += 1
            counts[f"{key}_fp"] += len(free)


def _reliability(conf: list[tuple[float, bool]], bins: int = 5) -> tuple[Table, float, float]:
    rows = []
    ece = 0.0
    n = len(conf)
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        sel = [(c, ok) for c, ok in conf if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if not sel:
            continue
        mean_c = sum(c for c, _ in sel) / len(sel)
        acc = sum(ok for _, ok in sel) / len(sel)
        ece += len(sel) / n * abs(mean_c - acc)
        rows.append((f"{lo:.1f}-{hi:.1f}", len(sel), round(mean_c, 3), round(acc, 3)))
    brier = sum((c - ok) ** 2 for c, ok in conf) / n if n else 0.0
    table = Table("confidence reliability (predicted events)", ("bin", "n", "mean confidence", "precision"),
                  tuple(rows))
    return table, ece, brier


def _main_event(gold: Sequence[dict[str, Any]], pred: Sequence[EventDraft], counts: Counter[str]) -> None:
    """Count the unit for the main-event view (the most confident prediction vs the gold types)."""
    counts["gold_units"] += bool(gold)
    if not pred:
        return
    counts["pred_units"] += 1
    top = max(pred, key=lambda p: p.confidence)
    counts["correct"] += top.event_type in {g["event_type"] for g in gold}


def _main_metrics(counts: Counter[str]) -> dict[str, float]:
    p = counts["correct"] / counts["pred_units"] if counts["pred_units"] else 0.0
    r = counts["correct"] / counts["gold_units"] if counts["gold_units"] else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"main_event_precision": round(p, 4), "main_event_recall": round(r, 4),
            "main_event_f1": round(f, 4)}


def _detection_metrics(d: Counter[str]) -> dict[str, float]:
    """Sentence-level event detection and its mirror, no-event detection."""
    p, r, f = prf(d["tp"], d["fp"], d["fn"])
    np_, nr, nf = prf(d["tn"], d["fn"], d["fp"])
    return {"detection_precision": round(p, 4), "detection_recall": round(r, 4), "detection_f1": round(f, 4),
            "no_event_precision": round(np_, 4), "no_event_recall": round(nr, 4), "no_event_f1": round(nf, 4),
            "sentences": sum(d.values()), "sentences_without_event": d["tn"] + d["fp"]}


@register_task("events")
def evaluate_events(gold_path: Path, pipeline: Any = None) -> TaskReport:
    """Score event extraction against a gold JSONL file."""
    nlp, actors, extractor = _components(pipeline)
    type_counts = PRFCounter()
    pairs_all: list[tuple[str, str]] = []
    checks: Counter[str] = Counter()
    conf: list[tuple[float, bool]] = []
    main: Counter[str] = Counter()
    detect: Counter[str] = Counter()
    lines = 0
    for number, obj in read_gold(Path(gold_path)):
        lines += 1
        text = obj["text"]
        doc = nlp(text)
        published = gold_published(obj, f"{gold_path}:{number}")
        if hasattr(pipeline, "from_doc"):  # the whole pipeline: actors situated where the event happens
            article = Article(id=article_id(text), text=text, published=published)
            drafts = list(pipeline.from_doc(article, doc).events)
        else:
            drafts = extractor.extract(doc, _mentions(actors, doc, published))
        gold_events = [e for e in obj.get("events") or [] if e.get("event_type")]
        units: dict[int, tuple[list[dict[str, Any]], list[EventDraft]]] = {}
        split = bool(gold_events) and all("start" in (e.get("trigger") or {}) for e in gold_events)
        sents = list(doc.sents)
        for e in gold_events:
            key = next((i for i, s in enumerate(sents) if s.start_char <= e["trigger"]["start"] < s.end_char),
                       0) if split else 0
            units.setdefault(key, ([], []))[0].append(e)
        for d in drafts:
            units.setdefault(d.sentence.index if split else 0, ([], []))[1].append(d)
        # sentence-level detection, no-event units included (a split line: each of its sentences)
        for key in range(len(sents)) if split else [0]:
            gold_has, pred_has = (bool(x) for x in units.get(key, ([], [])))
            detect["tp" if gold_has and pred_has else "fn" if gold_has else "fp" if pred_has else "tn"] += 1
        for gold, pred in units.values():
            type_counts.add([g["event_type"] for g in gold], [p.event_type for p in pred])
            _main_event(gold, pred, main)
            gold_types = Counter(g["event_type"] for g in gold)
            for p in pred:
                ok = gold_types[p.event_type] > 0
                conf.append((p.confidence, ok))
            for g, p in align(gold, pred, text):
                pairs_all.append((g["event_type"] if g else "-", p.event_type if p else "-"))
                if g is None or p is None:
                    continue
                if g.get("modality"):
                    checks["modality_n"] += 1
                    checks["modality_ok"] += int(g["modality"] == p.modality)
                if g.get("mode"):
                    checks["mode_n"] += 1
                    checks["mode_ok"] += int(g["mode"] == p.mode)
                if g["event_type"] == p.event_type:
                    _role_checks(g, p, checks)
                    _argument_checks(g, p, checks)
    avg = type_counts.averages()
    metrics: dict[str, float] = {k: round(v, 4) for k, v in avg.items()}
    metrics["units"] = lines
    for name in ("modality", "mode", "source_country", "source_sector", "target_country", "target_sector"):
        n = checks[f"{name}_n"]
        if n:
            metrics[f"{name}_accuracy"] = round(checks[f"{name}_ok"] / n, 4)
            metrics[f"{name}_n"] = n
    metrics.update(_main_metrics(main))
    metrics.update(_detection_metrics(detect))
    for key in ("arg_span", "arg_country"):
        p_, r_, f_ = prf(checks[f"{key}_tp"], checks[f"{key}_fp"], checks[f"{key}_fn"])
        metrics.update({f"{key}_precision": round(p_, 4), f"{key}_recall": round(r_, 4),
                        f"{key}_f1": round(f_, 4)})
    rel_table, ece, brier = _reliability(conf)
    metrics["confidence_ece"] = round(ece, 4)
    metrics["confidence_brier"] = round(brier, 4)
    high = [ok for c, ok in conf if c >= 0.8]
    metrics["confidence_high_precision"] = round(sum(high) / len(high), 4) if high else 0.0
    metrics["confidence_high_n"] = len(high)
    notes = (
        "types scored as multisets per gold line; modality/mode on aligned events; roles on aligned events "
        "of the right type (share of gold countries/sectors found among predicted actors)",
        "detection_*: per sentence (per gold line when its events carry no offsets), does it hold an "
        "event at all; no_event_* scores the sentences without one (most sentences of real news)",
        "arg_span_* / arg_country_*: source and target arguments of aligned events of the right type, "
        "one to one, by span overlap (text containment where the gold has no offsets) / and same country",
        "confidence_high_precision: precision of predicted events with confidence >= 0.8",
        "main_event_*: a second view, not the primary score: per unit only the highest-confidence "
        "predicted event, right if its type is among the gold types (precision over units with a "
        "prediction, recall over units with gold events)",
    )
    return TaskReport(
        task="events", gold=str(gold_path), metrics=metrics,
        tables=(type_counts.table("event type (per gold line)"), confusion_table(pairs_all), rel_table),
        notes=notes,
    )
