"""Which eval task a gold file is for, told from the keys of its lines (``wirewatch eval`` without
``--task``, and a check that a given ``--task`` fits the file)."""

from __future__ import annotations

import json
from pathlib import Path

# the key that marks each task's gold lines, in the order they are tried (SPEC.md "Eval gold formats")
GOLD_KEYS: tuple[tuple[str, str], ...] = (
    ("toponyms", "geo"),
    ("timexes", "time"),
    ("events", "events"),
    ("actors", "actors"),
    ("country", "actors"),
    ("sector", "actors"),
)


def detect_task(gold: Path, max_lines: int = 50) -> tuple[str, str] | None:
    """(task, the key that told it) from the first JSON object line among the first ``max_lines``
    of ``gold``, or None when no line is a JSON object with one of :data:`GOLD_KEYS`."""
    try:
        with gold.open(encoding="utf-8", errors="replace") as fh:
            for _, line in zip(range(max_lines), fh, strict=False):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                try:
                    obj = json.loads(line[:1_000_000])
                except (json.JSONDecodeError, RecursionError):
                    return None
                if not isinstance(obj, dict):
                    return None
                for key, task in GOLD_KEYS:
                    if key in obj:
                        return task, key
                return None
    except OSError:
        return None
    return None
