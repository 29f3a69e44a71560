"""Terminal output with rich: event tables, the ingest progress bar and summary, eval and bench reports."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from wirewatch.evaluate.scoring import TaskReport

out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)


def _actors(items: list[dict[str, Any]]) -> str:
    return ", ".join(f"{a.get('name') or a['text']} ({a.get('country') or '?'} {a.get('sector') or '?'})"
                     for a in items)


def print_events(records: list[dict[str, Any]], total: int | None = None) -> None:
    """A table of events: date, type, source, target, place, modality, claimant, confidence."""
    table = RichTable(show_lines=False, title=f"{total if total is not None else len(records)} events")
    for col in ("date", "type", "source", "trigger", "target", "where", "modality", "according to", "conf"):
        table.add_column(col, overflow="fold")
    for rec in records:
        loc = rec.get("location") or {}
        table.add_row(
            f"{rec['date']['value'] or '?'} ({rec['date']['precision']})",
            rec["event_type"] + (f"/{rec['mode']}" if rec.get("mode") else ""),
            _actors(rec["source"]),
            rec["trigger"]["text"],
            _actors(rec["target"]),
            f"{loc.get('name')} {loc.get('country') or ''}" if loc else "",
            rec["modality"],
            " > ".join(a["text"] for a in rec.get("attribution") or []),
            f"{rec['confidence']:.2f}",
        )
    out.print(table)


@contextmanager
def ingest_progress(disabled: bool = False) -> Iterator[Callable[[str, str], None]]:
    """A progress display for ingest; yields the callback the runner calls per item."""
    counts: dict[str, int] = {}
    progress = Progress(SpinnerColumn(), TextColumn("[bold]ingest[/]"), BarColumn(),
                        TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                        disable=disabled, transient=True)
    task = progress.add_task("", total=None)

    def note(outcome: str, where: str) -> None:
        counts[outcome] = counts.get(outcome, 0) + 1
        desc = " ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        progress.update(task, advance=1, description=f"{desc}  {where[-40:]}")

    with progress:
        yield note


def print_summary(summary: Any) -> None:
    """The end-of-ingest summary; each failure on its own line with its reason."""
    for where, reason in summary.failed:
        err.print(f"[red]failed[/] {where}: {reason}", highlight=False, soft_wrap=True)  # one line each
    err.print(
        f"read {summary.read} articles: added {summary.added}, skipped {summary.skipped} already stored, "
        f"{summary.near_duplicates} near-duplicates linked, {len(summary.failed)} failed; "
        f"{summary.events} events written in {summary.seconds:.1f} s",
        highlight=False, soft_wrap=True,
    )


def print_report(report: TaskReport) -> None:
    """An eval report: headline metrics then each table."""
    out.print(f"[bold]{report.task}[/] on {report.gold}")
    for key, value in report.metrics.items():
        out.print(f"  {key}: {value:.3f}" if isinstance(value, float) else f"  {key}: {value}")
    for table in report.tables:
        rich_table = RichTable(title=escape(table.title))
        for col in table.columns:
            rich_table.add_column(escape(str(col)))
        for row in table.rows:
            rich_table.add_row(*[escape(str(c)) for c in row])
        out.print(rich_table)
    for note in report.notes:
        out.print(f"note: {note}")


def print_bench(result: dict[str, Any]) -> None:
    """The bench table: bare parse vs full pipeline."""
    title = f"{result['articles']} articles, {result['words']} words, model {result['model']}"
    table = RichTable(title=title)
    for col in ("run", "seconds", "articles/s", "words/s", "peak RSS MB"):
        table.add_column(col)
    for name in ("spacy", "pipeline"):
        r = result[name]
        table.add_row(name, f"{r['seconds']:.2f}", f"{r['articles_per_s']:.1f}", f"{r['words_per_s']:.0f}",
                      f"{r['peak_rss_mb']:.0f}")
    out.print(table)
    out.print(f"pipeline / bare parse time ratio: {result['ratio']:.2f} "
              f"(one-off start-up of the stages' data: {result['startup_seconds']:.1f} s, not included)")
    for stage, seconds in result.get("stages", {}).items():
        out.print(f"  {stage}: {seconds:.2f} s ({100 * seconds / result['spacy']['seconds']:.1f} % of parse)")
