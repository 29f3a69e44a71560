"""``wirewatch eval --task incidents``: cross-document event coreference (incident linking).

Two gold layouts (JSONL, one article per line, in the order they are ingested):

- **MEANTIME** lines have ``mentions``: ``[{"start", "end", "instance"}]`` (scripts/
  convert_meantime_incidents.py). Scored on the gold event mentions that a coded event's trigger
  overlaps ("events of the types we code"): gold clusters = MEANTIME instances, response clusters =
  our incidents.
- **Wire copies** lines have ``story``, ``original`` and ``sentences`` (``origin``: the original's line
  a copy's line came from; scripts/build_wire_copies.py). It scores what copies do to the counts: the
  key is the incidents of a run over the originals alone (their within-article linking is taken as
  given; MEANTIME scores that), each copy event keyed to the original's event on its origin line with
  the same type; events on new lines are their own. Count error = |incidents found - true| / true.

Articles are analysed and stored in a temporary SQLite store in file order, so incidents are linked
incrementally exactly as on ingest. Scores: MUC, B³, CEAF-e and their mean (CoNLL F1).
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Hashable
from pathlib import Path
from typing import Any

from wirewatch.evaluate.scoring import Table, TaskReport, gold_published, read_gold, register_task
from wirewatch.incidents.link import stem
from wirewatch.records import Article

Clusters = list[set[Hashable]]


def _clusters(assign: dict[Hashable, Hashable]) -> Clusters:
    groups: dict[Hashable, set[Hashable]] = defaultdict(set)
    for m, c in assign.items():
        groups[c].add(m)
    return list(groups.values())


def _f(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def muc(key: Clusters, response: Clusters) -> tuple[float, float, float]:
    """MUC (Vilain et al. 1995) P, R, F1 over links."""

    def score(a: Clusters, b: Clusters) -> float:
        where = {m: i for i, c in enumerate(b) for m in c}
        num = den = 0
        for c in a:
            parts = {where.get(m, ("single", m)) for m in c}
            num += len(c) - len(parts)
            den += len(c) - 1
        return num / den if den else 0.0

    r, p = score(key, response), score(response, key)
    return p, r, _f(p, r)


def b_cubed(key: Clusters, response: Clusters) -> tuple[float, float, float]:
    """B³ (Bagga & Baldwin 1998) P, R, F1, averaged over mentions."""
    k_of = {m: c for c in key for m in c}
    r_of = {m: c for c in response for m in c}
    mentions = list(k_of)
    if not mentions:
        return 0.0, 0.0, 0.0
    p = sum(len(k_of[m] & r_of.get(m, {m})) / len(r_of.get(m, {m})) for m in mentions) / len(mentions)
    r = sum(len(k_of[m] & r_of.get(m, {m})) / len(k_of[m]) for m in mentions) / len(mentions)
    return p, r, _f(p, r)


def ceaf_e(key: Clusters, response: Clusters) -> tuple[float, float, float]:
    """Entity-based CEAF (Luo 2005, phi4) with the optimal cluster alignment."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    if not key or not response:
        return 0.0, 0.0, 0.0
    sim = np.array([[2 * len(k & r) / (len(k) + len(r)) for r in response] for k in key])
    rows, cols = linear_sum_assignment(-sim)
    total = float(sim[rows, cols].sum())
    p, r = total / len(response), total / len(key)
    return p, r, _f(p, r)


def coref_scores(key_of: dict[Hashable, Hashable], response_of: dict[Hashable, Hashable]) -> dict[str, float]:
    """MUC, B³, CEAF-e (P/R/F1) and CoNLL F1 for two assignments of the same mentions."""
    key, response = _clusters(key_of), _clusters(response_of)
    out: dict[str, float] = {}
    for name, fn in (("muc", muc), ("b3", b_cubed), ("ceafe", ceaf_e)):
        p, r, f = fn(key, response)
        out.update({f"{name}_p": round(p, 4), f"{name}_r": round(r, 4), f"{name}_f1": round(f, 4)})
    out["conll_f1"] = round((out["muc_f1"] + out["b3_f1"] + out["ceafe_f1"]) / 3, 4)
    return out


def _articles(lines: list[tuple[int, dict[str, Any]]], gold: Path) -> list[Article]:
    return [
        Article(
            id=f"gold-{number}", text=obj["text"], url=obj.get("url"), title=obj.get("title"),
            source=obj.get("outlet") or obj.get("source"),
            published=gold_published(obj, f"{gold}:{number}"), origin=f"{gold}:{number}",
        )
        for number, obj in lines
    ]


def _store_all(analyzed: list[Any]) -> list[dict[str, Any]]:
    """Store analysed articles (in order, 16 per transaction) in a temporary store, as ingest
    would; return the stored event records (with their incidents)."""
    from wirewatch.store import Store

    with tempfile.TemporaryDirectory(prefix="wirewatch-eval-") as tmp, \
            Store.open(f"sqlite:///{Path(tmp) / 'eval.db'}") as store:
        for i in range(0, len(analyzed), 16):
            store.add_many(analyzed[i:i + 16])
        return list(store.iter_events())


def _line_of(obj: dict[str, Any], offset: int) -> int | None:
    for s in obj["sentences"]:
        if s["start"] <= offset <= s["end"]:
            return s["origin"]
    return None


def _wire(lines: list[tuple[int, dict[str, Any]]], analyzed: list[Any]) -> tuple[
        dict[Hashable, Hashable], dict[Hashable, Hashable], list[dict[str, Any]]]:
    """Key: the originals' incidents (their within-article linking, from a run over the originals
    alone); each copy event takes the key of the original's event on its origin line with the same
    type (and trigger stem, when several), else its own. Response: a run over every article."""
    by_article = {f"gold-{n}": obj for n, obj in lines}
    originals = [a for a in analyzed if by_article[a.article.id].get("original")]
    ref = _store_all(originals)
    ref_of: dict[tuple[Any, ...], str] = {}
    for ev in ref:
        obj = by_article[ev["article"]["id"]]
        line = _line_of(obj, ev["trigger"]["start"])
        stemmed = stem(ev["trigger"]["text"])
        ref_of.setdefault((obj["story"], line, ev["event_type"], stemmed), ev["incident"])
        ref_of.setdefault((obj["story"], line, ev["event_type"]), ev["incident"])
    events = _store_all(analyzed)
    key, resp = {}, {}
    for ev in events:
        obj = by_article[ev["article"]["id"]]
        line = _line_of(obj, ev["trigger"]["start"])
        k = ref_of.get((obj["story"], line, ev["event_type"], stem(ev["trigger"]["text"]))) \
            or ref_of.get((obj["story"], line, ev["event_type"])) if line is not None else None
        key[ev["id"]] = k or ("new", ev["id"])
        resp[ev["id"]] = ev["incident"]
    return key, resp, events


def _meantime(lines: list[tuple[int, dict[str, Any]]], analyzed: list[Any]) -> tuple[
        dict[Hashable, Hashable], dict[Hashable, Hashable], list[dict[str, Any]]]:
    events = _store_all(analyzed)
    by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ev in events:
        by_article[ev["article"]["id"]].append(ev)
    key, resp = {}, {}
    for n, obj in lines:
        evs = by_article.get(f"gold-{n}", [])
        for i, m in enumerate(obj["mentions"]):
            hit = next((e for e in evs
                        if e["trigger"]["start"] < m["end"] and m["start"] < e["trigger"]["end"]), None)
            if hit is not None and (n, i) not in key:
                key[(n, i)] = m["instance"]
                resp[(n, i)] = hit["incident"]
    return key, resp, events


def _count_row(name: str, key: dict[Hashable, Hashable], resp: dict[Hashable, Hashable]) -> dict[str, float]:
    true, found = len(set(key.values())), len(set(resp.values()))
    return {"events": len(key), "incidents_true": true, "incidents_found": found,
            "count_error": round(abs(found - true) / true, 4) if true else 0.0}


@register_task("incidents")
def evaluate(gold: Path, pipeline: Any) -> TaskReport:
    """Score incident linking against MEANTIME or wire-copy gold (see the module docstring)."""
    lines = list(read_gold(gold))
    wire = bool(lines) and "story" in lines[0][1]
    analyzed = list(pipeline.analyze_many(_articles(lines, gold)))
    key, resp, events = (_wire if wire else _meantime)(lines, analyzed)
    metrics: dict[str, float] = {**coref_scores(key, resp), **_count_row("all", key, resp)}
    rows: list[tuple[Any, ...]] = [
        (m.upper(), metrics[f"{m}_p"], metrics[f"{m}_r"], metrics[f"{m}_f1"]) for m in ("muc", "b3", "ceafe")
    ]
    rows.append(("CoNLL", "", "", metrics["conll_f1"]))
    tables = [Table("Cross-document event coreference", ("metric", "P", "R", "F1"), tuple(rows)),
              Table("Incident counts", ("events scored", "true incidents", "incidents found", "count error"),
                    ((metrics["events"], metrics["incidents_true"], metrics["incidents_found"],
                      metrics["count_error"]),))]
    what = ("wire copies: key = the originals' incidents, copy events mapped by origin line + type"
            if wire else
            "MEANTIME: gold event mentions overlapped by a coded event's trigger; clusters = instances")
    return TaskReport("incidents", str(gold), metrics, tuple(tables),
                      (what, f"{len(lines)} articles, {len(events)} coded events"))

