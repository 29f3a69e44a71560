"""Scoring primitives shared by every eval task: P/R/F1 per class, averages, confusion tables.

A task scorer (``wirewatch/evaluate/<task>.py``) reads a gold file, runs the pipeline and returns a
:class:`TaskReport`; it registers itself with :func:`register_task` so ``wirewatch eval --task NAME``
finds it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from wirewatch.errors import UserError


@dataclass(frozen=True)
class Table:
    """A named table of rows for printing (rich) or JSON."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "columns": list(self.columns), "rows": [list(r) for r in self.rows]}


@dataclass(frozen=True)
class TaskReport:
    """What one eval task returns: headline metrics plus tables."""

    task: str
    gold: str
    metrics: dict[str, float]
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "gold": self.gold,
            "metrics": self.metrics,
            "tables": [t.to_dict() for t in self.tables],
            "notes": list(self.notes),
        }


@dataclass
class PRFCounter:
    """Counts true/false positives and false negatives per class."""

    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)

    def add(self, gold: Iterable[str], predicted: Iterable[str]) -> None:
        """Add one unit (sentence, article) given its gold and predicted label multisets."""
        g, p = Counter(gold), Counter(predicted)
        for label in g.keys() | p.keys():
            hit = min(g[label], p[label])
            self.tp[label] += hit
            self.fp[label] += p[label] - hit
            self.fn[label] += g[label] - hit

    def add_counts(self, label: str, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        self.tp[label] += tp
        self.fp[label] += fp
        self.fn[label] += fn

    @property
    def labels(self) -> list[str]:
        return sorted(self.tp.keys() | self.fp.keys() | self.fn.keys())

    def per_class(self) -> dict[str, dict[str, float]]:
        out = {}
        for label in self.labels:
            p, r, f = prf(self.tp[label], self.fp[label], self.fn[label])
            out[label] = {"precision": p, "recall": r, "f1": f, "support": self.tp[label] + self.fn[label]}
        return out

    def averages(self) -> dict[str, float]:
        """micro/macro/weighted precision, recall and F1."""
        per = self.per_class()
        tp, fp, fn = sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())
        mp, mr, mf = prf(tp, fp, fn)
        out = {"micro_precision": mp, "micro_recall": mr, "micro_f1": mf}
        if per:
            n = len(per)
            out["macro_precision"] = sum(v["precision"] for v in per.values()) / n
            out["macro_recall"] = sum(v["recall"] for v in per.values()) / n
            out["macro_f1"] = sum(v["f1"] for v in per.values()) / n
            total = sum(v["support"] for v in per.values())
            for key in ("precision", "recall", "f1"):
                out[f"weighted_{key}"] = (
                    sum(v[key] * v["support"] for v in per.values()) / total if total else 0.0
                )
        return out

    def table(self, title: str) -> Table:
        rows = [
            (label, round(v["precision"], 3), round(v["recall"], 3), round(v["f1"], 3), int(v["support"]))
            for label, v in self.per_class().items()
        ]
        avg = self.averages()
        support = sum(int(r[4]) for r in rows)
        for kind in ("micro", "macro", "weighted"):
            if f"{kind}_f1" in avg:
                rows.append((
                    f"[{kind}]",
                    round(avg[f"{kind}_precision"], 3),
                    round(avg[f"{kind}_recall"], 3),
                    round(avg[f"{kind}_f1"], 3),
                    support,
                ))
        return Table(title, ("label", "precision", "recall", "f1", "support"), tuple(rows))


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1 from counts (0.0 where undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def confusion_table(
    pairs: Iterable[tuple[str, str]], title: str = "confusion (rows gold, cols predicted)"
) -> Table:
    """A confusion table from (gold, predicted) pairs; use "-" for a missing side."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    labels: set[str] = set()
    for gold, pred in pairs:
        counts[gold][pred] += 1
        labels.update((gold, pred))
    order = sorted(labels - {"-"}) + (["-"] if "-" in labels else [])
    rows = tuple(tuple([g] + [counts[g][p] for p in order]) for g in order if g in counts)
    return Table(title, tuple(["gold\\pred"] + order), rows)


def read_gold(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, object) from a JSONL gold file; a bad line is a UserError naming it."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot read gold file {path}: {exc.strerror}") from exc
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UserError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
            if not isinstance(obj, dict) or "text" not in obj:
                raise UserError(f"{path}:{number}: a gold line must be an object with a \"text\" field")
            yield number, obj


def gold_published(obj: dict[str, Any], where: str) -> date | None:
    """A gold line's ``published`` date (None when absent); a bad value is a UserError naming the line."""
    from wirewatch.ingest.readers import parse_published

    return parse_published(obj.get("published"), where)


TaskScorer = Callable[[Path, Any], TaskReport]
TASKS: dict[str, TaskScorer] = {}


def register_task(name: str) -> Callable[[TaskScorer], TaskScorer]:
    """Decorator: make ``fn(gold_path, pipeline) -> TaskReport`` available as ``--task name``."""

    def wrap(fn: TaskScorer) -> TaskScorer:
        TASKS[name] = fn
        return fn

    return wrap
