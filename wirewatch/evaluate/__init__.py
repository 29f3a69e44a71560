"""``wirewatch eval``: task scorers register themselves in :data:`scoring.TASKS`."""

from __future__ import annotations

import importlib
from pathlib import Path

from wirewatch.errors import UserError
from wirewatch.evaluate.scoring import TASKS, TaskReport

TASK_MODULES = {"events": "events", "actors": "actors", "geo": "geo", "time": "temporal",
                "incidents": "incidents"}


def run_task(task: str, gold: Path, model: str | None = None) -> TaskReport:
    """Run one eval task on a gold file with a fresh pipeline."""
    if task not in TASK_MODULES:
        raise UserError(f"unknown eval task {task!r}; use one of {', '.join(TASK_MODULES)}")
    importlib.import_module(f"wirewatch.evaluate.{TASK_MODULES[task]}")
    from wirewatch.pipeline import Pipeline

    return TASKS[task](gold, Pipeline(model))
