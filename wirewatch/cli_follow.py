"""`wirewatch follow` (feeds and sitemaps over HTTP(S)) and `watch failed` / `watch retry`."""

from __future__ import annotations

import json
import logging
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click

from wirewatch.cli import db_option, db_url, handle_errors, model_option
from wirewatch.errors import UserError

log = logging.getLogger("wirewatch.follow")


@click.group()
def follow() -> None:
    """Follow RSS / Atom / JSON Feed / sitemaps over HTTP(S): add, list, remove, run."""


def _urls(urls: tuple[str, ...], from_file: Path | None) -> list[str]:
    out = list(urls)
    if from_file is not None:
        try:
            lines = from_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"cannot read {from_file}: {exc}") from None
        out += [x.strip() for x in lines if x.strip() and not x.lstrip().startswith("#")]
    if not out:
        raise UserError("give at least one URL (or --from FILE with one URL per line)")
    return out


@follow.command("add")
@click.argument("urls", nargs=-1)
@click.option("--from", "from_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="a file listing URLs, one per line (# comments)")
@click.option("--allow-private", is_flag=True, help="allow loopback/private addresses for these sources")
@db_option
@handle_errors
def follow_add(urls: tuple[str, ...], from_file: Path | None, allow_private: bool, db: str | None) -> None:
    """Follow feed or sitemap URLS (saved in the database)."""
    from wirewatch.follow.sources import add_source, check_source_url
    from wirewatch.store import Store

    wanted = [check_source_url(u) for u in _urls(urls, from_file)]
    with Store.open(db_url(db)) as store:
        for url in wanted:
            _, created = add_source(store, url, allow_private)
            click.echo(f"{'following' if created else 'already following'} {url}", err=True)


@follow.command("list")
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True)
@handle_errors
def follow_list(db: str | None, fmt: str) -> None:
    """Show the followed sources and their health (last success, last error, consecutive failures)."""
    from wirewatch.follow.sources import list_sources
    from wirewatch.store import Store

    with Store.open(db_url(db)) as store:
        found = list_sources(store)
    if fmt == "jsonl":
        for x in found:
            click.echo(json.dumps(x.to_dict(), ensure_ascii=False))
        return
    if not found:
        click.echo("no sources followed; add one with `wirewatch follow add URL`", err=True)
        return
    from wirewatch.render import print_table, stamp

    print_table(f"{len(found)} sources", ("url", "items", "last success", "failures", "last error"),
                [(x.url, x.items, stamp(x.last_success), x.failures, x.last_error or "") for x in found])


@follow.command("remove")
@click.argument("urls", nargs=-1, required=True)
@db_option
@handle_errors
def follow_remove(urls: tuple[str, ...], db: str | None) -> None:
    """Stop following URLS."""
    from wirewatch.follow.sources import remove_source
    from wirewatch.store import Store

    with Store.open(db_url(db)) as store:
        for url in urls:
            if not remove_source(store, url):
                raise UserError(f"not followed: {url}; see `wirewatch follow list`")
            click.echo(f"stopped following {url}", err=True)


@follow.command("run")
@click.argument("urls", nargs=-1)
@db_option
@model_option
@click.option("--once", is_flag=True, help="one cycle, then exit (the default without --every)")
@click.option("--every", default=None, metavar="DURATION", help="keep running: a cycle every DURATION (5m)")
@click.option("--max-runs", type=click.IntRange(1), default=None, help="with --every: stop after N cycles")
@click.option("--allow-private", is_flag=True,
              help="allow loopback/private/link-local addresses (intranet feeds, tests)")
@click.option("--delay", type=click.FloatRange(0), default=1.0, show_default=True,
              help="seconds between two requests to one host")
@click.option("--timeout", type=click.FloatRange(0.1), default=30.0, show_default=True,
              help="total seconds per request (connect 5 s, read 10 s at most)")
@click.option("--max-bytes", type=click.IntRange(1000), default=10_000_000, show_default=True,
              help="largest body accepted (after decompression)")
@click.option("--max-items", type=click.IntRange(1), default=1000, show_default=True,
              help="new items taken per source per cycle")
@click.option("--workers", type=click.IntRange(1, 16), default=2, show_default=True,
              help="pages fetched at once (each host still gets at most --per-host)")
@click.option("--per-host", type=click.IntRange(1, 2), default=1, show_default=True)
@click.option("--deliver", is_flag=True, help="after each cycle, deliver the alerts (as `watch run`)")
@click.option("--base-url", envvar="WIREWATCH_BASE_URL", default="http://127.0.0.1:8000",
              help="the UI's address, for evidence links in alert messages")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--health-port", type=click.IntRange(1, 65535), default=None,
              help="serve GET /healthz on 127.0.0.1:PORT while running")
@handle_errors
def follow_run(urls: tuple[str, ...], db: str | None, model: str | None, once: bool, every: str | None,
               max_runs: int | None, allow_private: bool, delay: float, timeout: float, max_bytes: int,
               max_items: int, workers: int, per_host: int, deliver: bool, base_url: str, log_format: str,
               health_port: int | None) -> None:
    """Fetch what is new in the followed sources (or URLS, which are then followed), code and store it.

    Idempotent: items already seen are neither fetched nor stored again. SIGTERM finishes the item in
    flight and exits 0.
    """
    from wirewatch.follow.fetch import Limits
    from wirewatch.follow.runner import Follower
    from wirewatch.follow.service import HealthServer, Service, parse_duration, setup_logging
    from wirewatch.follow.sources import add_source
    from wirewatch.store import Store

    seconds = parse_duration(every)
    if once and seconds is not None:
        raise UserError("give --once or --every, not both")
    if max_runs is not None and seconds is None:
        raise UserError("--max-runs needs --every DURATION")
    setup_logging(log_format)
    limits = Limits(total_timeout=timeout, read_timeout=min(10.0, timeout), connect_timeout=min(5.0, timeout),
                    max_bytes=max_bytes, delay=delay, per_host=per_host)

    def pipeline() -> Any:
        from wirewatch.pipeline import Pipeline

        return Pipeline(model)

    service = Service()
    if seconds is not None:
        service.install()
    health = HealthServer(service.state, health_port) if health_port else nullcontext()
    failed_any = False
    with Store.open(db_url(db)) as store, health, service:
        for url in urls:
            add_source(store, url, allow_private)
        follower = Follower(store, pipeline, limits, allow_private=allow_private, workers=workers,
                            max_items=max_items, stop=service.stop)
        runs = 0
        try:
            while True:
                summary = follower.run_once(list(urls) or None)
                runs += 1
                failed_any = failed_any or bool(summary.failed)
                for where, reason in summary.failed:
                    if log_format == "json":
                        log.warning("fetch failed", extra={"fields": {"where": where, "reason": reason}})
                    else:
                        click.echo(f"Error: {where}: {reason}", err=True)
                _report(summary, log_format == "json")
                if deliver and not service.stop.is_set():
                    _deliver(store, base_url, log_format == "json")
                service.cycle_done(last_summary=summary.to_dict())
                if seconds is None or service.stop.is_set() or (max_runs is not None and runs >= max_runs):
                    break
                if service.wait(seconds):
                    break
        finally:
            follower.close()
    if failed_any and seconds is None:
        sys.exit(1)


def _report(summary: Any, as_json: bool) -> None:
    d = summary.to_dict()
    log.info("follow cycle", extra={"fields": {k: v for k, v in d.items() if k != "failed"}
                                    | {"failed": len(summary.failed)}})
    if as_json:
        return
    click.echo(f"follow: {d['sources']} sources, {d['new_items']} new items, {d['stored']} stored "
               f"({d['events']} events), {d['duplicates']} duplicates, {len(summary.failed)} failed, "
               f"{d['not_modified']} not modified, {d['seconds']}s" + (" (stopped)" if d["stopped"] else ""),
               err=True)


def _deliver(store: Any, base_url: str, as_json: bool) -> None:
    from wirewatch.deliver import SmtpSettings, deliver_alerts

    def fallback(hit: Any) -> None:
        click.echo(json.dumps(hit.to_dict(), ensure_ascii=False))

    counts = deliver_alerts(store, base_url=base_url, smtp=SmtpSettings.from_env(), fallback=fallback,
                            finish=sys.stdout.flush)
    for name, n in counts.items():
        log.info("alert delivered", extra={"fields": {"alert": name, "hits": n}})
        if not as_json:
            click.echo(f"alert {name}: {n} new events", err=True)


@click.command("failed")
@click.argument("names", nargs=-1)
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True)
@handle_errors
def watch_failed(names: tuple[str, ...], db: str | None, fmt: str) -> None:
    """List dead letters: hits whose delivery failed after every retry."""
    from wirewatch.deliver import failed
    from wirewatch.store import Store

    with Store.open(db_url(db)) as store:
        rows = failed(store, list(names) or None)
    if fmt == "jsonl":
        for r in rows:
            rec = {**r, "failed_at": r["failed_at"].isoformat()}
            click.echo(json.dumps(rec, ensure_ascii=False, default=str))
        return
    if not rows:
        click.echo("no failed deliveries", err=True)
        return
    from wirewatch.render import print_table, stamp

    print_table(f"{len(rows)} failed deliveries", ("alert", "event", "attempts", "failed at", "error"),
                [(r["alert"], r["event_id"], r["attempts"], stamp(r["failed_at"]), r["error"]) for r in rows])


@click.command("retry")
@click.argument("names", nargs=-1)
@db_option
@click.option("--base-url", envvar="WIREWATCH_BASE_URL", default="http://127.0.0.1:8000")
@handle_errors
def watch_retry(names: tuple[str, ...], db: str | None, base_url: str) -> None:
    """Deliver the dead letters again (all, or those of alerts NAMES); delivered ones are removed."""
    from wirewatch.deliver import SmtpSettings, retry_failed
    from wirewatch.store import Store

    with Store.open(db_url(db)) as store:
        ok, bad = retry_failed(store, list(names) or None, base_url, SmtpSettings.from_env())
    click.echo(f"retried: {ok} delivered, {bad} still failing", err=True)
    if bad:
        sys.exit(1)


__all__ = ["follow", "watch_failed", "watch_retry"]
