"""Inter-annotator agreement between two annotators' Wikinews article files (issue 10).

    python scripts/annotation_agreement.py                      # A: articles/, B: articles_b/ (in tree)
    python scripts/annotation_agreement.py --a /work/wt/annot/tests/data/gold/wikinews/articles \\
        --b tests/data/gold/wikinews/articles_b --disagreements 40
    python scripts/annotation_agreement.py --json               # the figures as JSON

Both folders hold article JSON files as written by ``scripts/annotate_wikinews.py apply``. The compared
articles are those with ``status done`` in both folders (``--ids`` restricts them further). B is scored
against A (A plays "gold" in P/R/F1; kappa is symmetric).

Figures:
- sentence-level event detection (a sentence is positive when it has at least one event): Cohen's
  kappa, and P/R/F1 of B against A; blank segments are skipped;
- event matching: in the same sentence, a B event and an A event match when their trigger spans overlap
  (one-to-one, same type preferred, then exact span, then the first); trigger F1 counts matches of any
  type, type F1 (micro, and per type) counts matches with the same type;
- mode accuracy on matched events of the same type (``null`` = ``null`` agrees);
- source/target argument F1: arguments of the same role match when their spans overlap (one-to-one);
  "+ country" also needs the same country (``null`` = ``null``). Counted over matched events (conditional
  on the trigger) and over all events (arguments of unmatched events are misses);
- modality accuracy and Cohen's kappa on matched events;
- attribution on matched events: exact agreement (same length, each position overlapping with the same
  role) and span+role F1.

Stdlib only.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "gold" / "wikinews"
DEFAULT_A = GOLD / "articles"
DEFAULT_B = GOLD / "articles_b"


# --------------------------------------------------------------------------- small metrics

def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    """Precision, recall, F1 of predictions (B) against gold (A); 0/0 is 0 (1.0 when both are empty)."""
    if n_pred == 0 and n_gold == 0:
        return {"p": 1.0, "r": 1.0, "f1": 1.0, "tp": 0, "n_b": 0, "n_a": 0}
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f1, 4), "tp": tp, "n_b": n_pred, "n_a": n_gold}


def cohen_kappa(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Cohen's kappa of two equally long label sequences; 1.0 when chance agreement is 1 and all agree."""
    if len(a) != len(b):
        raise ValueError("label sequences differ in length")
    n = len(a)
    if n == 0:
        return 1.0
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    if pe == 1.0:
        return 1.0 if po == 1.0 else 0.0
    return round((po - pe) / (1 - pe), 4)


def overlaps(x: dict[str, Any], y: dict[str, Any]) -> bool:
    """Two article-offset spans share at least one character."""
    return x["start"] < y["end"] and y["start"] < x["end"]


def match_spans(bs: Sequence[dict[str, Any]], as_: Sequence[dict[str, Any]], *, country: bool = False
                ) -> int:
    """Number of one-to-one overlap matches between B's and A's argument spans (greedy, exact first)."""
    used: set[int] = set()
    tp = 0
    for x in bs:
        cands = [j for j, y in enumerate(as_) if j not in used and overlaps(x, y)
                 and (not country or x.get("country") == y.get("country"))]
        if cands:
            exact = [j for j in cands if (as_[j]["start"], as_[j]["end"]) == (x["start"], x["end"])]
            used.add((exact or cands)[0])
            tp += 1
    return tp


# --------------------------------------------------------------------------- loading, matching

def load_done(folder: Path) -> dict[str, dict[str, Any]]:
    """Articles with status done in ``folder``, by doc_id."""
    out = {}
    for path in sorted(folder.glob("*.json")):
        art = json.loads(path.read_text(encoding="utf-8"))
        if art.get("status") == "done":
            out[art["doc_id"]] = art
    return out


def match_events(bs: Sequence[dict[str, Any]], as_: Sequence[dict[str, Any]]
                 ) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """One-to-one trigger-overlap matching inside a sentence: (pairs (b, a), unmatched b, unmatched a).
    For each B event the A candidate with the same type wins, then the exact span, then the first."""
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for i, eb in enumerate(bs):
        cands = [j for j, ea in enumerate(as_) if j not in used and overlaps(eb["trigger"], ea["trigger"])]
        if not cands:
            continue

        def rank(j: int, eb: dict[str, Any] = eb) -> tuple[int, int, int]:
            ea = as_[j]
            same_span = (ea["trigger"]["start"], ea["trigger"]["end"]) == (eb["trigger"]["start"],
                                                                           eb["trigger"]["end"])
            return (ea["event_type"] != eb["event_type"], not same_span, j)

        best = min(cands, key=rank)
        used.add(best)
        pairs.append((i, best))
    matched_b = {i for i, _ in pairs}
    return pairs, [i for i in range(len(bs)) if i not in matched_b], [j for j in range(len(as_))
                                                                       if j not in used]


def _attr_equal(x: Sequence[dict[str, Any]], y: Sequence[dict[str, Any]]) -> bool:
    return len(x) == len(y) and all(p.get("role") == q.get("role") and overlaps(p, q)
                                    for p, q in zip(x, y, strict=True))


def _attr_tp(x: Sequence[dict[str, Any]], y: Sequence[dict[str, Any]]) -> int:
    used: set[int] = set()
    tp = 0
    for p in x:
        for j, q in enumerate(y):
            if j not in used and p.get("role") == q.get("role") and overlaps(p, q):
                used.add(j)
                tp += 1
                break
    return tp


def event_str(ev: dict[str, Any]) -> str:
    """A compact one-line rendering of an event for the disagreement list."""
    def actors(xs: Iterable[dict[str, Any]]) -> str:
        return ",".join(f"{a['text']}({a.get('sector') or '-'}/{a.get('country') or '-'})" for a in xs)

    head = ev["event_type"] + (f"/{ev['mode']}" if ev.get("mode") else "")
    attr = ",".join(f"{a['text']}:{a['role']}" for a in ev.get("attribution", []))
    return (f"{head} {ev['trigger']['text']!r} src=[{actors(ev['source'])}] tgt=[{actors(ev['target'])}] "
            f"{ev['modality']}" + (f" attr=[{attr}]" if attr else ""))


# --------------------------------------------------------------------------- the comparison

@dataclass
class Tally:
    """Running counts over all compared sentences."""

    det_a: list[bool] = field(default_factory=list)
    det_b: list[bool] = field(default_factory=list)
    n_ev_a: int = 0
    n_ev_b: int = 0
    trig_tp: int = 0
    type_tp: Counter = field(default_factory=Counter)
    type_a: Counter = field(default_factory=Counter)
    type_b: Counter = field(default_factory=Counter)
    confusion: Counter = field(default_factory=Counter)
    mode_pairs: int = 0
    mode_agree: int = 0
    mod_a: list[str] = field(default_factory=list)
    mod_b: list[str] = field(default_factory=list)
    attr_equal: int = 0
    attr_tp: int = 0
    attr_n_a: int = 0
    attr_n_b: int = 0
    arg: dict[str, Counter] = field(default_factory=dict)
    disagreements: list[dict[str, Any]] = field(default_factory=list)

    def add_args(self, key: str, tp: int, n_b: int, n_a: int) -> None:
        c = self.arg.setdefault(key, Counter())
        c["tp"] += tp
        c["n_b"] += n_b
        c["n_a"] += n_a


def compare_sentence(t: Tally, doc_id: str, si: int, text: str, evs_a: list[dict[str, Any]],
                     evs_b: list[dict[str, Any]]) -> None:
    """Add one sentence's annotations by A and B to the tally."""
    t.det_a.append(bool(evs_a))
    t.det_b.append(bool(evs_b))
    t.n_ev_a += len(evs_a)
    t.n_ev_b += len(evs_b)
    for ev in evs_a:
        t.type_a[ev["event_type"]] += 1
    for ev in evs_b:
        t.type_b[ev["event_type"]] += 1
    pairs, un_b, un_a = match_events(evs_b, evs_a)
    t.trig_tp += len(pairs)
    issues: list[str] = []
    for i, j in pairs:
        eb, ea = evs_b[i], evs_a[j]
        t.confusion[(ea["event_type"], eb["event_type"])] += 1
        if ea["event_type"] == eb["event_type"]:
            t.type_tp[ea["event_type"]] += 1
            t.mode_pairs += 1
            t.mode_agree += ea.get("mode") == eb.get("mode")
            if ea.get("mode") != eb.get("mode"):
                issues.append("mode")
        else:
            issues.append("type")
        t.mod_a.append(ea["modality"])
        t.mod_b.append(eb["modality"])
        if ea["modality"] != eb["modality"]:
            issues.append("modality")
        aa, ab = ea.get("attribution", []), eb.get("attribution", [])
        t.attr_equal += _attr_equal(ab, aa)
        t.attr_tp += _attr_tp(ab, aa)
        t.attr_n_a += len(aa)
        t.attr_n_b += len(ab)
        if not _attr_equal(ab, aa):
            issues.append("attribution")
        for role in ("source", "target"):
            for suffix, country in (("", False), ("+country", True)):
                tp = match_spans(eb[role], ea[role], country=country)
                t.add_args(f"{role}{suffix}|matched", tp, len(eb[role]), len(ea[role]))
                t.add_args(f"{role}{suffix}|all", tp, len(eb[role]), len(ea[role]))
            if match_spans(eb[role], ea[role], country=True) != max(len(eb[role]), len(ea[role])):
                issues.append(role)
    for role in ("source", "target"):
        for suffix in ("", "+country"):
            t.add_args(f"{role}{suffix}|all", 0, sum(len(evs_b[i][role]) for i in un_b),
                       sum(len(evs_a[j][role]) for j in un_a))
    if un_a:
        issues.append("missed_by_b")
    if un_b:
        issues.append("extra_in_b")
    if issues:
        t.disagreements.append({"doc_id": doc_id, "sentence": si, "text": text, "issues": sorted(set(issues)),
                                "a": [event_str(e) for e in evs_a], "b": [event_str(e) for e in evs_b]})


def compare(arts_a: dict[str, dict[str, Any]], arts_b: dict[str, dict[str, Any]],
            ids: Iterable[str] | None = None) -> dict[str, Any]:
    """All agreement figures for the doc_ids done by both (or ``ids``)."""
    common = sorted(set(arts_a) & set(arts_b) if ids is None else set(ids))
    missing = [d for d in common if d not in arts_a or d not in arts_b]
    if missing:
        raise SystemExit(f"not done by both annotators: {', '.join(missing)}")
    t = Tally()
    for d in common:
        a, b = arts_a[d], arts_b[d]
        if a["text"] != b["text"] or len(a["sentences"]) != len(b["sentences"]):
            raise SystemExit(f"{d}: the two files have different text or segmentation")
        for sa, sb in zip(a["sentences"], b["sentences"], strict=True):
            text = a["text"][sa["start"]:sa["end"]]
            if text.strip():
                compare_sentence(t, d, sa["index"], text.strip(), sa["events"], sb["events"])
    det_tp = sum(x and y for x, y in zip(t.det_a, t.det_b, strict=True))
    types = sorted(set(t.type_a) | set(t.type_b))
    args = {}
    for key, c in sorted(t.arg.items()):
        args[key] = prf(c["tp"], c["n_b"], c["n_a"])
    for scope in ("matched", "all"):
        tp = sum(t.arg[f"{r}|{scope}"]["tp"] for r in ("source", "target"))
        nb = sum(t.arg[f"{r}|{scope}"]["n_b"] for r in ("source", "target"))
        na = sum(t.arg[f"{r}|{scope}"]["n_a"] for r in ("source", "target"))
        args[f"source+target|{scope}"] = prf(tp, nb, na)
        tp = sum(t.arg[f"{r}+country|{scope}"]["tp"] for r in ("source", "target"))
        args[f"source+target+country|{scope}"] = prf(tp, nb, na)
    n_pairs = len(t.mod_a)
    return {
        "articles": len(common),
        "sentences": len(t.det_a),
        "event_sentences": {"a": sum(t.det_a), "b": sum(t.det_b)},
        "events": {"a": t.n_ev_a, "b": t.n_ev_b},
        "detection": {"kappa": cohen_kappa(t.det_a, t.det_b),
                      "agreement": round(sum(x == y for x, y in zip(t.det_a, t.det_b, strict=True))
                                         / len(t.det_a), 4) if t.det_a else 1.0,
                      **prf(det_tp, sum(t.det_b), sum(t.det_a))},
        "trigger": prf(t.trig_tp, t.n_ev_b, t.n_ev_a),
        "type_micro": prf(sum(t.type_tp.values()), t.n_ev_b, t.n_ev_a),
        "type_per_type": {ty: prf(t.type_tp[ty], t.type_b[ty], t.type_a[ty]) for ty in types},
        "type_confusion": {f"{a}->{b}": n for (a, b), n in sorted(t.confusion.items()) if a != b},
        "mode": {"pairs": t.mode_pairs,
                 "accuracy": round(t.mode_agree / t.mode_pairs, 4) if t.mode_pairs else 1.0},
        "arguments": args,
        "modality": {"pairs": n_pairs,
                     "accuracy": round(sum(x == y for x, y in zip(t.mod_a, t.mod_b, strict=True))
                                       / n_pairs, 4) if n_pairs else 1.0,
                     "kappa": cohen_kappa(t.mod_a, t.mod_b)},
        "attribution": {"pairs": n_pairs,
                        "exact": round(t.attr_equal / n_pairs, 4) if n_pairs else 1.0,
                        **prf(t.attr_tp, t.attr_n_b, t.attr_n_a)},
        "disagreements": t.disagreements,
    }


# --------------------------------------------------------------------------- report

def _row(name: str, m: dict[str, Any]) -> str:
    return f"| {name} | {m['p']:.3f} | {m['r']:.3f} | {m['f1']:.3f} | {m['tp']} | {m['n_b']} | {m['n_a']} |"


def render(res: dict[str, Any], n_disagreements: int = 0) -> str:
    """The figures as Markdown tables (plus the first ``n_disagreements`` disagreeing sentences)."""
    d = res["detection"]
    lines = [
        f"Articles {res['articles']}, sentences {res['sentences']} "
        f"(event sentences A {res['event_sentences']['a']}, B {res['event_sentences']['b']}), "
        f"events A {res['events']['a']}, B {res['events']['b']}.",
        "",
        "| measure (B against A) | P | R | F1 | tp | n B | n A |",
        "|---|---|---|---|---|---|---|",
        _row("sentence event detection", d),
        _row("trigger (any type)", res["trigger"]),
        _row("event type (micro, trigger-matched)", res["type_micro"]),
    ]
    for key in ("source", "target", "source+target"):
        for scope in ("matched", "all"):
            lines.append(_row(f"{key} span overlap ({scope} events)", res["arguments"][f"{key}|{scope}"]))
            lines.append(_row(f"{key} span + country ({scope} events)",
                              res["arguments"][f"{key}+country|{scope}"]))
    lines.append(_row("attribution span + role (matched events)", res["attribution"]))
    lines += [
        "",
        "| agreement | value | pairs |",
        "|---|---|---|",
        f"| sentence detection Cohen's kappa | {d['kappa']:.3f} | {res['sentences']} |",
        f"| sentence detection raw agreement | {d['agreement']:.3f} | {res['sentences']} |",
        f"| mode accuracy (same-type matches) | {res['mode']['accuracy']:.3f} | {res['mode']['pairs']} |",
        f"| modality accuracy (matched) | {res['modality']['accuracy']:.3f} | {res['modality']['pairs']} |",
        f"| modality Cohen's kappa (matched) | {res['modality']['kappa']:.3f} | {res['modality']['pairs']} |",
        f"| attribution exact (matched) | {res['attribution']['exact']:.3f} "
        f"| {res['attribution']['pairs']} |",
        "",
        "| type | P | R | F1 | tp | n B | n A |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [_row(ty, m) for ty, m in res["type_per_type"].items()]
    if res["type_confusion"]:
        lines += ["", "Type confusions on matched triggers (A->B): "
                  + ", ".join(f"{k} {v}" for k, v in res["type_confusion"].items())]
    if n_disagreements:
        lines += ["", f"Disagreeing sentences ({len(res['disagreements'])}; first {n_disagreements}):", ""]
        for x in res["disagreements"][:n_disagreements]:
            lines.append(f"- {x['doc_id']} s{x['sentence']} [{', '.join(x['issues'])}]: {x['text'][:200]}")
            lines += [f"    A: {e}" for e in x["a"]] or ["    A: none"]
            lines += [f"    B: {e}" for e in x["b"]] or ["    B: none"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", type=Path, default=DEFAULT_A, help="annotator A's article folder")
    ap.add_argument("--b", type=Path, default=DEFAULT_B, help="annotator B's article folder")
    ap.add_argument("--ids", nargs="*", help="doc_ids to compare (default: done in both)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--disagreements", type=int, default=0, metavar="N",
                    help="also list the first N disagreeing sentences")
    args = ap.parse_args(argv)
    for folder in (args.a, args.b):
        if not folder.is_dir():
            print(f"error: no such folder: {folder}", file=sys.stderr)
            return 1
    res = compare(load_done(args.a), load_done(args.b), args.ids)
    if res["articles"] == 0:
        print("error: no article is done in both folders", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(res, indent=1, ensure_ascii=False))
    else:
        print(render(res, args.disagreements))
    return 0


if __name__ == "__main__":
    sys.exit(main())
