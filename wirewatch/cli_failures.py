"""``wirewatch failures``: list, retry and clear the inputs that an ingest run could not read, analyse
or store (the ``failures`` table; see :mod:`wirewatch.ingest.failures`)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from wirewatch.cli import db_option, db_url, handle_errors, model_option


def _printable(value: Any) -> str:
    """User data for the terminal: control characters shown as escapes, never interpreted."""
    text = str(value)
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _check_ids(store: Any, ids: list[int] | None) -> None:
    """UserError naming the ids that are not recorded failures."""
    if not ids:
        return
    from wirewatch.errors import UserError
    from wirewatch.ingest.failures import list_failures

    known = {r["id"] for r in list_failures(store)}
    unknown = sorted(set(ids) - known)
    if unknown:
        raise UserError(f"no recorded failure with id {', '.join(map(str, unknown))}; "
                        "`wirewatch failures` lists them")


@click.group(invoke_without_command=True)
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True)
@click.pass_context
@handle_errors
def failures(ctx: click.Context, db: str | None, fmt: str) -> None:
    """Inputs that failed to ingest (list them; `failures retry` tries again, `failures clear` forgets)."""
    if ctx.invoked_subcommand is not None:
        return
    from wirewatch.ingest.failures import list_failures
    from wirewatch.store import Store

    with Store.open(db_url(db)) as store:
        rows = list_failures(store)
    if fmt == "jsonl":
        for r in rows:
            click.echo(json.dumps({k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in r.items()},
                                  ensure_ascii=False))
        return
    if not rows:
        click.echo("no failures recorded", err=True)
        return
    from wirewatch.render import print_table, stamp

    print_table(f"{len(rows)} failed inputs (retry: wirewatch failures retry [ID...])",
                ("id", "stage", "input", "reason", "tries", "last failed"),
                [(r["id"], r["stage"], _printable(r["label"]), _printable(r["reason"]), r["attempts"],
                  stamp(r["last_failed"])) for r in rows])


@failures.command("retry")
@click.argument("ids", nargs=-1, type=int)
@db_option
@model_option
@click.option("--quiet", "-q", is_flag=True, help="no progress bar")
@handle_errors
def failures_retry(ids: tuple[int, ...], db: str | None, model: str | None, quiet: bool) -> None:
    """Ingest the failed inputs again (all, or the ids given): stored articles are analysed again, files
    are read again. Exit 1 while any still fails."""
    from itertools import chain

    from wirewatch.ingest.failures import FailureLog, forget_fixed, retry_inputs
    from wirewatch.ingest.readers import read_articles
    from wirewatch.ingest.runner import ingest_items
    from wirewatch.pipeline import Pipeline
    from wirewatch.render import ingest_progress, print_summary
    from wirewatch.store import Store

    wanted = list(ids) or None
    with Store.open(db_url(db)) as store:
        _check_ids(store, wanted)
        articles, paths, stuck = retry_inputs(store, wanted)
        if not articles and not paths and not stuck:
            click.echo("no failures to retry", err=True)
            return
        log = FailureLog(store)
        summary = None
        if articles or paths:
            pipeline = Pipeline(model)
            with ingest_progress(disabled=quiet) as progress:
                summary = ingest_items(chain(articles, read_articles(paths)), store, pipeline,
                                       progress=progress, failures=log)
            forget_fixed(store, wanted, log)
    if summary is not None:
        print_summary(summary)
    for row in stuck:
        click.echo(f"cannot retry #{row['id']} {_printable(row['label'])}: it came from stdin and was not "
                   "kept; fix it, ingest it again, then `wirewatch failures clear "
                   f"{row['id']}`", err=True)
    if stuck or (summary is not None and summary.failed):
        sys.exit(1)


@failures.command("clear")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "everything", is_flag=True, help="forget every recorded failure")
@db_option
@handle_errors
def failures_clear(ids: tuple[int, ...], everything: bool, db: str | None) -> None:
    """Forget recorded failures (the ids given, or --all); nothing is ingested."""
    from wirewatch.errors import UserError
    from wirewatch.ingest.failures import clear_failures
    from wirewatch.store import Store

    if not ids and not everything:
        raise UserError("give the ids to forget (see `wirewatch failures`) or --all")
    with Store.open(db_url(db)) as store:
        _check_ids(store, None if everything else list(ids))
        n = clear_failures(store, None if everything else list(ids))
    click.echo(f"forgot {n} failures", err=True)
