"""Terminal output with rich: event tables, the ingest progress bar and summary, eval and bench reports."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from wirewatch.evaluate.scoring import TaskReport


class _Console(Console):
    """A rich Console that ends like other Unix tools when its reader goes away (``| head``):
    quietly, exit status 141 (128 + SIGPIPE), instead of rich's exit 1."""

    def on_broken_pipe(self) -> None:
        with suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(141)


out = _Console(width=None if sys.stdout.isatty() else 160)
err = _Console(stderr=True, width=None if sys.stderr.isatty() else 160)

# C0/C1 control characters and DEL (ESC starts ANSI sequences); tab/newline become spaces
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[\t\n\r]")


def strip_controls(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` (no escape sequence reaches the
    terminal) and tabs/newlines as spaces."""
    return _SPACES.sub(" ", _CONTROLS.sub(lambda m: f"\\x{ord(m[0]):02x}", text))


def safe(value: object) -> str:
    """User-controlled text (article data, file names, error reasons) for a rich print or table cell:
    control characters neutralised and rich markup escaped, so ``[bold]`` or ``[/]`` print as typed."""
    return escape(strip_controls("" if value is None else str(value)))


def _actors(items: list[dict[str, Any]]) -> str:
    return ", ".join(f"{a.get('name') or a['text']} ({a.get('country') or '?'} {a.get('sector') or '?'})"
                     for a in items)


def events_title(shown: int, total: int | None, offset: int = 0) -> str:
    """"26 events", or "2 of 26 events" when a page shows fewer ("events 11-12 of 26" past the first)."""
    if total is None or total == shown and offset == 0:
        return f"{shown} event" + ("" if shown == 1 else "s")
    if offset and shown:
        return f"events {offset + 1}-{offset + shown} of {total}"
    return f"{shown} of {total} events"


def print_events(records: list[dict[str, Any]], total: int | None = None, offset: int = 0) -> None:
    """A table of events: date, type, source, target, place, modality, claimant, confidence."""
    table = RichTable(show_lines=False, title=events_title(len(records), total, offset))
    for col in ("date", "type", "source", "trigger", "target", "where", "modality", "according to", "conf"):
        table.add_column(col, overflow="fold")
    for rec in records:
        loc = rec.get("location") or {}
        table.add_row(
            safe(f"{rec['date']['value'] or '?'} ({rec['date']['precision']})"),
            safe(rec["event_type"] + (f"/{rec['mode']}" if rec.get("mode") else "")),
            safe(_actors(rec["source"])),
            safe(rec["trigger"]["text"]),
            safe(_actors(rec["target"])),
            safe(f"{loc.get('name')} {loc.get('country') or ''}" if loc else ""),
            safe(rec["modality"]),
            safe(" > ".join(a["text"] for a in rec.get("attribution") or [])),
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
        progress.update(task, advance=1, description=f"{desc}  {safe(where[-40:])}")

    with progress:
        yield note


def print_summary(summary: Any) -> None:
    """The end-of-ingest summary; each failure on its own line with its reason."""
    for where, reason in summary.failed:
        err.print(f"[red]failed[/] {safe(where)}: {safe(reason)}", highlight=False, soft_wrap=True)
    err.print(
        f"read {summary.read} articles: added {summary.added}, skipped {summary.skipped} already stored, "
        f"{summary.near_duplicates} near-duplicates linked, {len(summary.failed)} failed; "
        f"{summary.events} events written in {summary.seconds:.1f} s",
        highlight=False, soft_wrap=True,
    )


def stamp(moment: Any, never: str = "never") -> str:
    """A datetime as ``YYYY-MM-DD HH:MM`` for a table cell; ``never`` when there is none."""
    return moment.strftime("%Y-%m-%d %H:%M") if moment else never


def print_table(title: str, columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    """A titled table on stdout; every cell is user data made safe (controls shown, markup escaped)
    and long cells fold instead of being cut."""
    table = RichTable(title=safe(title))
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*[safe(c) for c in row])
    out.print(table)


def print_report(report: TaskReport) -> None:
    """An eval report: headline metrics then each table."""
    out.print(f"[bold]{safe(report.task)}[/] on {safe(report.gold)}")
    for key, value in report.metrics.items():
        shown = f"{value:.3f}" if isinstance(value, float) else safe(value)
        out.print(f"  {safe(key)}: {shown}")
    for table in report.tables:
        rich_table = RichTable(title=safe(table.title))
        for col in table.columns:
            rich_table.add_column(safe(col))
        for row in table.rows:
            rich_table.add_row(*[safe(c) for c in row])
        out.print(rich_table)
    for note in report.notes:
        out.print(f"note: {safe(note)}")


def print_bench(result: dict[str, Any]) -> None:
    """The bench table: bare parse vs full pipeline."""
    title = safe(f"{result['articles']} articles, {result['words']} words, model {result['model']}")
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
