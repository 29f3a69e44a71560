"""``wirewatch incidents``: list incidents (events linked across reports), show one, merge, split, relink."""

from __future__ import annotations

import json
from typing import Any

import click

from wirewatch.cli import db_option, db_url, filter_options, handle_errors, make_filter
from wirewatch.errors import UserError
from wirewatch.store.incidents_read import INCIDENT_ORDERS


def _place(inc: dict[str, Any]) -> str:
    loc = inc.get("location")
    if not loc:
        return ""
    name = loc.get("name") or loc.get("text") or ""
    return f"{name} {loc.get('country') or ''} ({loc.get('resolution') or '?'})".strip()


def _parties(items: list[dict[str, Any]]) -> str:
    return ", ".join(p["party"] for p in items)


def standing_text(st: dict[str, Any]) -> str:
    """One line: the summary, then who claims / denies it."""
    parts = [st["summary"]]
    if st["claimed_by"]:
        parts.append("claimed by " + _parties(st["claimed_by"]))
    if st["denied_by"]:
        parts.append("denied by " + _parties(st["denied_by"]))
    if st["asserted_independently"] and st["summary"] != "asserted":
        parts.append("asserted independently")
    return "; ".join(parts)


def print_incidents(incidents: list[dict[str, Any]], total: int) -> None:
    """A table: id, type, place, period, reports, outlets, standing."""
    from wirewatch.render import print_table

    rows = []
    for inc in incidents:
        d = inc["date"]
        period = d["value"] or "?"
        if d["start"] and d["end"] and d["start"] != d["end"]:
            period = f"{d['start']}..{d['end']}"
        period += f" ({d['precision']})"
        rows.append((
            inc["id"], inc["event_type"] + (f"/{inc['mode']}" if inc.get("mode") else ""), _place(inc),
            period, f"{inc['n_reports']} in {inc['n_articles']} articles",
            f"{inc['n_outlets']}: " + ", ".join(inc["outlets"][:4])
            + (" …" if len(inc["outlets"]) > 4 else ""),
            standing_text(inc["standing"]),
        ))
    print_table(f"{total} incidents", ("id", "type", "place", "period", "reports", "outlets", "standing"),
                rows)


@click.group("incidents", invoke_without_command=True)
@db_option
@filter_options
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--order", type=click.Choice(INCIDENT_ORDERS), default="-date", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "json"]), default="table",
              show_default=True)
@click.pass_context
@handle_errors
def incidents(ctx: click.Context, db: str | None, limit: int, offset: int, order: str, fmt: str,
              **filters: Any) -> None:
    """List incidents (reports of one real-world event linked together): id, type, place, period,
    reports, outlets, standing. Filters as for `events`: type, country, bbox and dates test the
    incident's own best type/place/date; the others match when any of its reports does.

    Subcommands: show INC, merge A B, split INC EVENT..., relink.
    """
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"db": db}
        return
    from wirewatch.store import Store

    flt = make_filter(filters)
    with Store.open(db_url(db)) as store:
        rows, total = store.incident_page(flt, limit=limit, offset=offset, order=order)
    if fmt == "jsonl":
        for inc in rows:
            click.echo(json.dumps(inc, ensure_ascii=False))
    elif fmt == "json":
        click.echo(json.dumps({"total": total, "incidents": rows}, ensure_ascii=False, indent=2))
    else:
        print_incidents(rows, total)


def _db(ctx: click.Context, db: str | None) -> str:
    return db_url(db or (ctx.obj or {}).get("db"))


@incidents.command("show")
@click.argument("incident_id")
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
@handle_errors
def show(ctx: click.Context, incident_id: str, db: str | None, fmt: str) -> None:
    """One incident and its reports (outlet, modality, sentence)."""
    from wirewatch.store import Store

    with Store.open(_db(ctx, db)) as store:
        inc = store.incident(incident_id)
    if inc is None:
        raise UserError(f"no incident {incident_id!r}; list them with `wirewatch incidents`")
    if fmt == "json":
        click.echo(json.dumps(inc, ensure_ascii=False, indent=2))
        return
    print_incidents([inc], 1)
    for r in inc["reports"]:
        click.echo(f"  {r['id']}  {r['outlet'] or '?'}  {r['article']['published'] or '?'}  "
                   f"{r['modality']}: {r['evidence']['sentence_text'].strip()}")


@incidents.command("merge")
@click.argument("keep")
@click.argument("absorb")
@db_option
@click.pass_context
@handle_errors
def merge_cmd(ctx: click.Context, keep: str, absorb: str, db: str | None) -> None:
    """Merge incident ABSORB into KEEP (kept by later ingests and by `incidents relink`)."""
    from wirewatch.incidents import merge_incidents
    from wirewatch.store import Store

    with Store.open(_db(ctx, db)) as store:
        n = merge_incidents(store, keep, absorb)
    click.echo(f"merged {absorb} into {keep}: {n} reports moved", err=True)


@incidents.command("split")
@click.argument("incident_id")
@click.argument("event_ids", nargs=-1, required=True)
@db_option
@click.pass_context
@handle_errors
def split_cmd(ctx: click.Context, incident_id: str, event_ids: tuple[str, ...], db: str | None) -> None:
    """Move reports EVENT... of INCIDENT_ID into a new incident (kept by later runs)."""
    from wirewatch.incidents import split_incident
    from wirewatch.store import Store

    with Store.open(_db(ctx, db)) as store:
        new_id = split_incident(store, incident_id, list(event_ids))
    click.echo(new_id)
    click.echo(f"split {len(event_ids)} reports off {incident_id} into {new_id}", err=True)


@incidents.command("relink")
@db_option
@click.pass_context
@handle_errors
def relink_cmd(ctx: click.Context, db: str | None) -> None:
    """Recompute every incident from scratch, then replay the manual merges and splits."""
    from wirewatch.incidents import relink_all
    from wirewatch.store import Store

    with Store.open(_db(ctx, db)) as store:
        res = relink_all(store)
    click.echo(f"relinked {res['events']} events into {res['incidents']} incidents "
               f"({res['edits_replayed']} manual edits replayed)", err=True)
