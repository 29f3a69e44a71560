"""Eval task ``actors``: actor resolution and actor mention detection/coreference.

Two gold formats, chosen per line by its keys:

(a) resolution ``{"text": "<actor string>", "country": ISO3|null, "sector": CODE|[CODES]|null,
    "published": "YYYY-MM-DD"?, "context": "..."?}`` -- a key that is absent is not scored; country
    and sector accuracy and both (``tests/data/gold/actors_ngec.jsonl``, converted from NGEC).
(b) mentions ``{"text": <sentences>, "published"?, "actors": [{"start", "end", "country", "sector",
    "group"}]}`` -- mention P/R/F1 (exact and overlapping span), country/sector accuracy on matched
    mentions, pairwise coreference P/R/F1 on ``group`` (``tests/data/gold/actors_news.jsonl``: 44
    composed news-style texts used during development; ``actors_news_heldout.jsonl``: 20 more kept
    out of tuning).

Annotation conventions for (b): a mention is a base noun phrase with its determiner, pre-modifiers and
possessor ("the country's police and security forces", "Kurdish Peshmerga fighters"), not its
post-modifiers ("[a reporter] working for [Britain's Sky News]"); a KB name modifying a non-actor noun
is a mention on its own ("[Houthi] positions"); countries count only when they act, not as places;
pronouns are not annotated; victims are (CVL); unaffiliated gunmen/bombers are UAF; ministries are
GOV (CAMEO/NGEC practice).
"""

from __future__ import annotations

from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Any

from wirewatch.errors import UserError
from wirewatch.evaluate.scoring import (
    Table,
    TaskReport,
    confusion_table,
    gold_published,
    prf,
    read_gold,
    register_task,
)


def _parts(pipeline: Any) -> tuple[Any, Any]:
    if pipeline is not None:
        return pipeline.nlp, pipeline.actors
    from wirewatch.actors import ActorResolver
    from wirewatch.nlp import load_nlp

    nlp = load_nlp()
    return nlp, ActorResolver(nlp=nlp)


def _sector_ok(gold: Any, pred: str | None) -> bool:
    if isinstance(gold, list):
        return pred in gold
    return pred == gold


@register_task("actors")
def evaluate_actors(gold_path: Path, pipeline: Any) -> TaskReport:
    """Score actor resolution (format a) and/or mention finding + coreference (format b)."""
    nlp, resolver = _parts(pipeline)
    res = {"n": 0, "country_n": 0, "country_ok": 0, "sector_n": 0, "sector_ok": 0, "both_n": 0, "both_ok": 0}
    sector_pairs: list[tuple[str, str]] = []
    misses: list[tuple[Any, ...]] = []
    det = {"exact_tp": 0, "overlap_tp": 0, "pred": 0, "gold": 0, "country_n": 0, "country_ok": 0,
           "sector_n": 0, "sector_ok": 0, "coref_tp": 0, "coref_pred": 0, "coref_gold": 0, "texts": 0}
    mention_sectors: list[tuple[str, str]] = []
    for number, obj in read_gold(gold_path):
        where = f"{gold_path}:{number}"
        published = gold_published(obj, where)
        if "actors" in obj:
            _score_mentions(nlp, resolver, obj, published, det, mention_sectors, where)
            continue
        if "country" not in obj and "sector" not in obj:
            raise UserError(f"{where}: a gold line needs \"actors\" or \"country\"/\"sector\"")
        actor = resolver.resolve_text(obj["text"], published)
        country = actor.country if actor else None
        sector = actor.sector if actor else None
        if country is None and obj.get("context") and actor is not None:
            country = resolver.country_of(obj["context"])
        res["n"] += 1
        ok_c = ok_s = True
        if "country" in obj:
            res["country_n"] += 1
            ok_c = country == obj["country"]
            res["country_ok"] += ok_c
        if "sector" in obj:
            res["sector_n"] += 1
            ok_s = _sector_ok(obj["sector"], sector)
            res["sector_ok"] += ok_s
            g = obj["sector"]
            sector_pairs.append((("|".join(g) if isinstance(g, list) else g) or "-", sector or "-"))
        if "country" in obj and "sector" in obj:
            res["both_n"] += 1
            res["both_ok"] += ok_c and ok_s
        if not (ok_c and ok_s) and len(misses) < 40:
            misses.append((obj["text"], obj.get("country"), str(obj.get("sector")), country, sector))
    metrics: dict[str, float] = {}
    tables: list[Table] = []
    notes: list[str] = []
    if res["n"]:
        metrics.update({
            "resolution_cases": res["n"],
            "country_accuracy": res["country_ok"] / res["country_n"] if res["country_n"] else 0.0,
            "sector_accuracy": res["sector_ok"] / res["sector_n"] if res["sector_n"] else 0.0,
            "both_accuracy": res["both_ok"] / res["both_n"] if res["both_n"] else 0.0,
        })
        tables.append(confusion_table(sector_pairs, "resolution sector (rows gold, cols predicted)"))
        tables.append(Table("resolution errors (first 40)",
                            ("text", "gold country", "gold sector", "country", "sector"), tuple(misses)))
    if det["texts"]:
        p, r, f = prf(det["exact_tp"], det["pred"] - det["exact_tp"], det["gold"] - det["exact_tp"])
        po, ro, fo = prf(det["overlap_tp"], det["pred"] - det["overlap_tp"], det["gold"] - det["overlap_tp"])
        ctp = det["coref_tp"]
        cp, cr, cf = prf(ctp, det["coref_pred"] - ctp, det["coref_gold"] - ctp)
        metrics.update({
            "mention_texts": det["texts"], "gold_mentions": det["gold"], "predicted_mentions": det["pred"],
            "mention_exact_precision": p, "mention_exact_recall": r, "mention_exact_f1": f,
            "mention_overlap_precision": po, "mention_overlap_recall": ro, "mention_overlap_f1": fo,
            "mention_country_accuracy": det["country_ok"] / det["country_n"] if det["country_n"] else 0.0,
            "mention_sector_accuracy": det["sector_ok"] / det["sector_n"] if det["sector_n"] else 0.0,
            "coref_pairwise_precision": cp, "coref_pairwise_recall": cr, "coref_pairwise_f1": cf,
        })
        tables.append(confusion_table(mention_sectors, "mention sector (rows gold, cols predicted)"))
        notes.append("country/sector accuracy is over gold mentions matched by overlapping span")
    if not metrics:
        raise UserError(f"{gold_path}: no gold lines")
    return TaskReport("actors", str(gold_path), metrics, tuple(tables), tuple(notes))


def _score_mentions(nlp: Any, resolver: Any, obj: dict[str, Any], published: date | None,
                    det: dict[str, int], sectors: list[tuple[str, str]], where: str) -> None:
    text = obj["text"]
    gold = obj["actors"]
    for g in gold:
        if not (isinstance(g, dict) and 0 <= g.get("start", -1) < g.get("end", -1) <= len(text)):
            raise UserError(f"{where}: each actor needs 0 <= start < end <= len(text)")
    pred = resolver.mentions(nlp(text), published)
    det["texts"] += 1
    det["gold"] += len(gold)
    det["pred"] += len(pred)
    exact = {(m.start, m.end) for m in pred}
    det["exact_tp"] += sum((g["start"], g["end"]) in exact for g in gold)
    # one-to-one overlap matching, exact matches first, then by largest overlap
    pairs = []
    for gi, g in enumerate(gold):
        for pi, m in enumerate(pred):
            ov = min(g["end"], m.end) - max(g["start"], m.start)
            if ov > 0:
                pairs.append((-(g["start"] == m.start and g["end"] == m.end), -ov, gi, pi))
    matched: dict[int, int] = {}
    used: set[int] = set()
    for _, _, gi, pi in sorted(pairs):
        if gi not in matched and pi not in used:
            matched[gi] = pi
            used.add(pi)
    det["overlap_tp"] += len(matched)
    for gi, pi in matched.items():
        g, m = gold[gi], pred[pi]
        if "country" in g:
            det["country_n"] += 1
            det["country_ok"] += m.actor.country == g["country"]
        if "sector" in g:
            det["sector_n"] += 1
            det["sector_ok"] += _sector_ok(g["sector"], m.actor.sector)
            gold_sector = "|".join(g["sector"]) if isinstance(g["sector"], list) else g["sector"]
            sectors.append((gold_sector or "-", m.actor.sector or "-"))
    gold_pairs = {(a, b) for a, b in combinations(range(len(gold)), 2)
                  if gold[a].get("group") is not None and gold[a].get("group") == gold[b].get("group")}
    pred_pairs = {(a, b) for a, b in combinations(sorted(matched), 2)
                  if pred[matched[a]].actor.actor_id == pred[matched[b]].actor.actor_id}
    det["coref_gold"] += len(gold_pairs)
    det["coref_pred"] += len(pred_pairs)
    det["coref_tp"] += len(gold_pairs & pred_pairs)
