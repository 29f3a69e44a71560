"""CLI pieces for alert destinations and conditions, used by ``watch add`` / ``watch run`` in
:mod:`wirewatch.cli` (kept here so that module stays small; nothing here imports it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click

from wirewatch.errors import UserError


def destination_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``watch add`` options: where hits go (one of --jsonl/--webhook/--slack/--matrix/--email) and
    the geographic condition."""
    options = [
        click.option("--jsonl", "dest_jsonl", metavar="FILE",
                     help="append this alert's hits to FILE (JSONL)"),
        click.option("--webhook", "dest_webhook", metavar="URL",
                     help="POST each hit as JSON to URL (Idempotency-Key header; signed with --secret)"),
        click.option("--secret", "dest_secret", metavar="S", envvar="WIREWATCH_WEBHOOK_SECRET",
                     help="HMAC-SHA256 key: X-Wirewatch-Signature: sha256=HEX over the body"),
        click.option("--slack", "dest_slack", metavar="URL", help="Slack incoming-webhook URL"),
        click.option("--matrix", "dest_matrix", metavar="URL", help="Matrix (hookshot) incoming-webhook URL"),
        click.option("--email", "dest_email", metavar="ADDR",
                     help="e-mail each hit to ADDR (SMTP: see watch run)"),
        click.option("--near", "near", metavar="LAT,LON|PLACE",
                     help="only events within --radius-km of this point or gazetteer place"),
        click.option("--radius-km", "radius_km", type=click.FloatRange(0, 20000, min_open=True),
                     default=None),
        click.option("--standing", "standing", multiple=True, metavar="STANDING",
                     help="only events whose incident stands so: asserted, reported, disputed, claimed, "
                          "denied, possible, planned, historical, or claimed-by-any (a party claims it); "
                          "repeat for any"),
        click.option("--min-outlets", "min_outlets", type=click.IntRange(1), default=None,
                     help="only events whose incident is reported by at least N outlets"),
        click.option("--allow-private", "dest_private", is_flag=True,
                     help="allow a webhook on a loopback/private address (intranet, tests)"),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def pop_destination(kw: dict[str, Any]) -> Any:
    """The Destination given by the ``watch add`` options (removed from ``kw``), or None."""
    from wirewatch.deliver import Destination, check_destination, resolve_place

    chosen = [(k, kw.pop(f"dest_{k}")) for k in ("jsonl", "webhook", "slack", "matrix", "email")]
    chosen = [(k, v) for k, v in chosen if v]
    secret, private = kw.pop("dest_secret"), kw.pop("dest_private")
    near_raw, radius = kw.pop("near"), kw.pop("radius_km")
    standing = tuple(x.strip().lower() for v in kw.pop("standing") or () for x in v.split(",") if x.strip())
    min_outlets = kw.pop("min_outlets")
    if len(chosen) > 1:
        raise UserError("give one destination: --jsonl, --webhook, --slack, --matrix or --email")
    near = None
    if near_raw:
        parts = near_raw.split(",")
        try:
            near = (float(parts[0]), float(parts[1])) if len(parts) == 2 else None
        except ValueError:
            near = None
        if near is None:
            near = resolve_place(near_raw)
        if radius is None:
            raise UserError("--near needs --radius-km")
    elif radius is not None:
        raise UserError("--radius-km needs --near LAT,LON or a place")
    if secret and not (chosen and chosen[0][0] == "webhook"):
        raise UserError("--secret signs generic webhooks only: add --webhook URL")
    if not chosen:
        if near is not None or standing or min_outlets:  # conditions only: hits go to `watch run`'s output
            return check_destination(Destination("output", "-", near=near, radius_km=radius,
                                                 standing=standing, min_outlets=min_outlets))
        return None
    kind, target = chosen[0]
    return check_destination(Destination(kind, target, secret or None, bool(private), near, radius, standing,
                                         min_outlets))


def run_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``watch run`` options for delivery and for running as a service."""
    options = [
        click.option("--base-url", envvar="WIREWATCH_BASE_URL", default="http://127.0.0.1:8000",
                     show_default=True, help="the UI's address, for the evidence links in messages"),
        click.option("--smtp-host", envvar="WIREWATCH_SMTP_HOST", default=None,
                     help="SMTP server (127.0.0.1)"),
        click.option("--smtp-port", envvar="WIREWATCH_SMTP_PORT", type=int, default=None,
                     help="SMTP port (25)"),
        click.option("--smtp-from", envvar="WIREWATCH_SMTP_FROM", default=None, help="sender address"),
        click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
                     help="json: one JSON object per log line on stderr (for services)"),
        click.option("--health-port", type=click.IntRange(1, 65535), default=None,
                     help="serve GET /healthz on 127.0.0.1:PORT while running"),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def deliver_once(store: Any, names: Sequence[str] | None, fallback: Callable[[Any], None],
                 finish: Callable[[], None], dry_run: bool, opts: dict[str, Any]) -> dict[str, int]:
    """One `watch run`: alerts with a destination are sent there, the others go to ``fallback``;
    a dry run sends nothing and prints every hit."""
    from wirewatch.deliver import SmtpSettings, alert_condition, deliver_alerts, destinations
    from wirewatch.watch import run_alerts

    if dry_run:
        return run_alerts(store, fallback, names, advance=False, finish=finish,
                          condition=alert_condition(store, destinations(store)))
    smtp = SmtpSettings.from_env(host=opts.get("smtp_host"), port=opts.get("smtp_port"),
                                 sender=opts.get("smtp_from"))
    return deliver_alerts(store, names, base_url=opts.get("base_url") or "http://127.0.0.1:8000", smtp=smtp,
                          fallback=fallback, finish=finish)
