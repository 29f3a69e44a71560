"""``wirewatch eval GOLD --task time``: temporal expression spans and normalised values.

Gold (SPEC): JSONL ``{"text", "published", "timexes": [{"start", "end", "value"}]}`` (an optional
``"type"`` per timex — TimeML DATE/TIME/DURATION/SET — gives a per-type recall table, an optional
``"corpus"`` per line is reported in the notes). Scores follow TempEval-3 task A:

- **strict** span P/R/F1: identical offsets; **relaxed** span P/R/F1: overlapping spans, one-to-one;
- **value accuracy** on strictly and on relaxed-matched spans, and **value F1** (TempEval-3's
  "value" score: a relaxed match whose value is also right, as F1 over all gold and predicted).

Values are compared at the granularity ``TimeExpr`` keeps: a TIMEX time of day is cut to its day
(``2013-03-22T10:00`` and ``2013-03-22TMO`` -> ``2013-03-22``), and gold ``PRESENT_REF`` counts as
the publication day (what ``now`` / ``currently`` resolve to here), gold ``PAST_REF``/``FUTURE_REF``
as an unresolved value (None: ``recently`` has no date and never dates an event).

:mod:`scripts.convert_meantime_time` converts MEANTIME (CC BY 4.0, shipped as
``tests/data/gold/time_meantime.jsonl``) to this format.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from wirewatch.errors import UserError
from wirewatch.evaluate.scoring import Table, TaskReport, gold_published, prf, read_gold, register_task
from wirewatch.records import TimeExpr

_TIME_OF_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})T.*$")


def value_key(value: str | None, published: date | None) -> str | None:
    """A value as compared: time of day cut to the day, PRESENT_REF as the publication day."""
    if value is None:
        return None
    m = _TIME_OF_DAY.match(value)
    if m:
        return m.group(1)
    if value == "PRESENT_REF" and published is not None:
        return published.isoformat()
    if re.fullmatch(r"\d{2}", value):  # TIMEX century "19" is 19XX here
        return value + "XX"
    if value in ("PAST_REF", "FUTURE_REF"):
        return None  # "recently", "the future": TimeExpr leaves them unresolved
    return value


def match_relaxed(gold: list[tuple[int, int]], pred: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """One-to-one overlap matching (indices into gold, pred), exact matches first, then by overlap."""
    pairs = []
    for gi, (gs, ge) in enumerate(gold):
        for pi, (ps, pe) in enumerate(pred):
            overlap = min(ge, pe) - max(gs, ps)
            if overlap > 0:
                pairs.append((gs == ps and ge == pe, overlap, gi, pi))
    pairs.sort(key=lambda p: (not p[0], -p[1], p[2], p[3]))
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = []
    for _exact, _ov, gi, pi in pairs:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            out.append((gi, pi))
    return out


class _Tally:
    def __init__(self) -> None:
        self.gold = self.pred = self.strict = self.relaxed = 0
        self.strict_value = self.relaxed_value = 0
        self.type_gold: Counter[str] = Counter()
        self.type_found: Counter[str] = Counter()
        self.type_value: Counter[str] = Counter()
        self.errors: list[str] = []

    def add(
        self, text: str, published: date | None, gold: list[dict[str, Any]], pred: list[TimeExpr]
    ) -> None:
        gspans = [(int(g["start"]), int(g["end"])) for g in gold]
        pspans = [(p.start or 0, p.end or 0) for p in pred]
        self.gold += len(gspans)
        self.pred += len(pspans)
        for g in gold:
            self.type_gold[g.get("type", "ALL")] += 1
        matched = set()
        for gi, pi in match_relaxed(gspans, pspans):
            matched.add(gi)
            g, p = gold[gi], pred[pi]
            gtype = g.get("type", "ALL")
            self.type_found[gtype] += 1
            exact = gspans[gi] == pspans[pi]
            ok = value_key(g.get("value"), published) == value_key(p.value, published)
            self.relaxed += 1
            self.relaxed_value += ok
            self.type_value[gtype] += ok
            if exact:
                self.strict += 1
                self.strict_value += ok
            if not ok and len(self.errors) < 40:
                self.errors.append(f"value {text[gspans[gi][0]:gspans[gi][1]]!r}: gold {g.get('value')} "
                                   f"got {p.value} ({p.text!r}, published {published})")
            elif not exact and len(self.errors) < 40:
                self.errors.append(f"span gold {text[gspans[gi][0]:gspans[gi][1]]!r} got {p.text!r}")
        for gi, (s, e) in enumerate(gspans):
            if gi not in matched and len(self.errors) < 40:
                self.errors.append(f"missed {text[s:e]!r} ({gold[gi].get('value')})")

    def metrics(self) -> dict[str, float]:
        sp, sr, sf = prf(self.strict, self.pred - self.strict, self.gold - self.strict)
        rp, rr, rf = prf(self.relaxed, self.pred - self.relaxed, self.gold - self.relaxed)
        vp, vr, vf = prf(self.relaxed_value, self.pred - self.relaxed_value, self.gold - self.relaxed_value)
        return {
            "gold_timexes": float(self.gold),
            "predicted_timexes": float(self.pred),
            "strict_precision": sp, "strict_recall": sr, "strict_f1": sf,
            "relaxed_precision": rp, "relaxed_recall": rr, "relaxed_f1": rf,
            "value_accuracy_strict": self.strict_value / self.strict if self.strict else 0.0,
            "value_accuracy_relaxed": self.relaxed_value / self.relaxed if self.relaxed else 0.0,
            "value_precision": vp, "value_recall": vr, "value_f1": vf,
        }


@register_task("time")
def evaluate_time(gold_path: Path, pipeline: Any = None) -> TaskReport:
    """Score ``pipeline.time.find`` against a time gold file (see module docstring)."""
    if pipeline is None:
        from wirewatch.nlp import load_nlp
        from wirewatch.temporal import TimeTagger

        pipeline = SimpleNamespace(nlp=load_nlp(), time=TimeTagger())
    lines = []
    for number, obj in read_gold(gold_path):
        timexes = obj.get("timexes")
        if not isinstance(timexes, list):
            raise UserError(f"{gold_path}:{number}: a time gold line needs a \"timexes\" list")
        for t in timexes:
            if not isinstance(t, dict) or "start" not in t or "end" not in t:
                raise UserError(f"{gold_path}:{number}: each timex needs \"start\" and \"end\"")
        lines.append((obj["text"], gold_published(obj, f"{gold_path}:{number}"), timexes,
                      obj.get("corpus")))
    tally = _Tally()
    docs = pipeline.nlp.pipe(text for text, _p, _t, _c in lines)
    corpora: Counter[str] = Counter()
    for (text, published, gold, corpus), doc in zip(lines, docs, strict=True):
        tally.add(text, published, gold, pipeline.time.find(doc, published))
        corpora[corpus or "-"] += 1
    metrics = tally.metrics()
    rows = tuple(
        (name, round(metrics[f"{name}_precision"], 3), round(metrics[f"{name}_recall"], 3),
         round(metrics[f"{name}_f1"], 3))
        for name in ("strict", "relaxed", "value")
    )
    types = tuple(
        (t, n, round(tally.type_found[t] / n, 3), round(tally.type_value[t] / n, 3))
        for t, n in sorted(tally.type_gold.items())
    )
    notes = (
        f"lines per corpus: {dict(corpora)}",
        f"value accuracy: {metrics['value_accuracy_strict']:.3f} on strict matches, "
        f"{metrics['value_accuracy_relaxed']:.3f} on relaxed matches",
        *tally.errors[:25],
    )
    return TaskReport(
        task="time",
        gold=str(gold_path),
        metrics=metrics,
        tables=(
            Table("time expressions (TempEval-3 style)", ("match", "precision", "recall", "f1"), rows),
            Table("recall by gold type", ("type", "gold", "span recall (relaxed)", "value recall"), types),
        ),
        notes=notes,
    )
