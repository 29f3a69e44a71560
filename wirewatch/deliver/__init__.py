"""Delivering alert hits where analysts work: JSONL files, generic webhooks (HMAC-SHA256 signed,
with an idempotency key), Slack and Matrix incoming webhooks, and e-mail over SMTP.

An alert's destination and conditions (a radius around a point, the standing and outlet count of
the event's incident) are saved with
:func:`set_destination` (table ``alert_settings``). :func:`deliver_alerts` runs the checkpointed
delivery of :func:`wirewatch.watch.run_alerts`: each hit goes to its alert's destination with
retries and backoff; a hit that still fails becomes a dead letter (``watch failed``), retried by
:func:`retry_failed` (``watch retry``), and the run goes on.
"""

from __future__ import annotations

import logging
import os
import smtplib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from wirewatch.deliver import messages
from wirewatch.errors import UserError
from wirewatch.follow.fetch import Fetcher, FetchError, Limits
from wirewatch.store import alerts as sql
from wirewatch.watch import Alert, AlertHit, Condition, get_alert, run_alerts

log = logging.getLogger(__name__)
KINDS = ("jsonl", "webhook", "slack", "matrix", "email", "output")  # output: `watch run`'s --output
WEBHOOK_LIMITS = Limits(connect_timeout=5, read_timeout=10, total_timeout=20, max_bytes=100_000,
                        max_redirects=0, retries=3, backoff=0.5, max_retry_after=30, delay=0.0, per_host=2)
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Destination:
    """Where an alert's hits go (``kind`` in KINDS; ``target`` a path, URL or address) and its
    geographic condition (``near`` (lat, lon) within ``radius_km``)."""

    kind: str
    target: str
    secret: str | None = None
    allow_private: bool = False
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    standing: tuple[str, ...] = ()  # the event's incident has one of these standings (STANDINGS)
    min_outlets: int | None = None  # ... and at least this many outlets

    def describe(self) -> str:
        """E.g. ' within 100 km of 36.89,38.35 -> webhook https://h/x (signed)'."""
        out = ""
        if self.near is not None:
            out += f" within {self.radius_km:g} km of {self.near[0]:.4g},{self.near[1]:.4g}"
        if self.standing:
            out += f" where the incident is {' or '.join(self.standing)}"
        if self.min_outlets:
            out += f" reported by >= {self.min_outlets} outlets"
        if self.kind != "output":
            out += f" -> {self.kind} {self.target}" + (" (signed)" if self.secret else "")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "target": self.target, "signed": bool(self.secret),
                "allow_private": self.allow_private,
                "near": list(self.near) if self.near else None, "radius_km": self.radius_km,
                "standing": list(self.standing), "min_outlets": self.min_outlets}


@dataclass(frozen=True)
class SmtpSettings:
    """SMTP server for e-mail alerts; :meth:`from_env` reads ``WIREWATCH_SMTP_*``."""

    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "wirewatch@localhost"
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0

    @classmethod
    def from_env(cls, **over: Any) -> SmtpSettings:
        env = os.environ
        base = cls(host=env.get("WIREWATCH_SMTP_HOST", "127.0.0.1"),
                   port=int(env.get("WIREWATCH_SMTP_PORT", "25")),
                   sender=env.get("WIREWATCH_SMTP_FROM", "wirewatch@localhost"),
                   user=env.get("WIREWATCH_SMTP_USER") or None,
                   password=env.get("WIREWATCH_SMTP_PASSWORD") or None,
                   starttls=env.get("WIREWATCH_SMTP_STARTTLS", "") in ("1", "true", "yes"))
        return cls(**{**base.__dict__, **{k: v for k, v in over.items() if v is not None}})


def check_destination(dest: Destination) -> Destination:
    """UserError for a bad destination (unknown kind, bad URL or address, bad radius)."""
    if dest.kind not in KINDS:
        raise UserError(f"unknown destination {dest.kind!r}; use one of {', '.join(KINDS)}")
    if dest.kind in ("webhook", "slack", "matrix"):
        parts = dest.target.split("://", 1)
        if len(parts) != 2 or parts[0].lower() not in ("http", "https") or not parts[1]:
            raise UserError(f"bad webhook URL {dest.target!r}; give an http:// or https:// URL")
    if dest.kind == "email" and ("@" not in dest.target or any(c in dest.target for c in " \r\n,;")):
        raise UserError(f"bad e-mail address {dest.target!r}")
    if dest.secret is not None and dest.kind != "webhook":
        raise UserError("--secret signs generic webhooks only (--webhook URL)")
    if (dest.near is None) != (dest.radius_km is None):
        raise UserError("give --near and --radius-km together")
    unknown = [x for x in dest.standing if x not in STANDINGS]
    if unknown:
        raise UserError(f"unknown incident standing {unknown[0]!r}; use {', '.join(STANDINGS)}")
    if dest.min_outlets is not None and dest.min_outlets < 1:
        raise UserError("--min-outlets must be at least 1")
    if dest.near is not None:
        lat, lon = dest.near
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise UserError(f"--near {lat},{lon} is not a point (lat -90..90, lon -180..180)")
        if not dest.radius_km or not 0 < dest.radius_km <= 20_000:
            raise UserError("--radius-km must be between 0 and 20000")
    return dest


def set_destination(store: Any, name: str, dest: Destination) -> None:
    """Save alert ``name``'s destination and conditions (the alert must exist)."""
    get_alert(store, name)
    check_destination(dest)
    sql.set_settings(store, name, {
        "kind": dest.kind, "target": dest.target, "secret": dest.secret, "allow_private": dest.allow_private,
        "near_lat": dest.near[0] if dest.near else None, "near_lon": dest.near[1] if dest.near else None,
        "radius_km": dest.radius_km, "standing": ",".join(dest.standing) or None,
        "min_outlets": dest.min_outlets})


def destinations(store: Any, names: Sequence[str] | None = None) -> dict[str, Destination]:
    """name -> Destination for the alerts that have one."""
    out = {}
    for name, r in sql.settings_rows(store, names).items():
        near = (r["near_lat"], r["near_lon"]) if r["near_lat"] is not None else None
        standing = tuple(x for x in (r.get("standing") or "").split(",") if x)
        out[name] = Destination(r["kind"], r["target"], r["secret"], bool(r["allow_private"]), near,
                                r["radius_km"], standing, r.get("min_outlets"))
    return out


def resolve_place(name: str) -> tuple[float, float]:
    """(lat, lon) of a place name via the shipped gazetteer (most prominent match); UserError if none."""
    from wirewatch.geo.gazetteer import Gazetteer

    places = [p for p in Gazetteer().lookup(name) if p.lat is not None and p.lon is not None]
    if not places:
        raise UserError(f"unknown place {name!r}; give --near LAT,LON instead")
    cities = [p for p in places if p.resolution in ("city", "sub-city")]  # a town, not its province
    best = max(cities, key=lambda p: p.population) if cities else places[0]
    return float(best.lat), float(best.lon)  # type: ignore[arg-type]


def near_condition(dests: dict[str, Destination]) -> Condition:
    """Alert condition: events whose location lies within the alert's radius (alerts without one pass)."""
    from wirewatch.geo.gazetteer import haversine_km

    def ok(alert: Alert, event: dict[str, Any]) -> bool:
        d = dests.get(alert.name)
        if d is None or d.near is None or d.radius_km is None:
            return True
        loc = event.get("location") or {}
        if loc.get("lat") is None or loc.get("lon") is None:
            return False
        return haversine_km(d.near[0], d.near[1], float(loc["lat"]), float(loc["lon"])) <= d.radius_km

    return ok


# an incident's standing summary (wirewatch.incidents), plus "claimed-by-any": some party claims it
STANDINGS = ("asserted", "reported", "disputed", "claimed", "denied", "possible", "planned", "historical",
             "claimed-by-any")


def standing_condition(store: Any, dests: dict[str, Destination]) -> Condition:
    """Alert condition on the event's incident: its standing ("claimed by any party": a party claims
    it) and how many outlets report it ("confirmed by >= 2 outlets"). An alert fires for the report
    that makes its incident qualify, and for later reports of it; alerts without such a condition pass."""
    from wirewatch.store.incidents_read import get_incident

    seen: dict[str, dict[str, Any] | None] = {}  # one read per incident per delivery run

    def ok(alert: Alert, event: dict[str, Any]) -> bool:
        d = dests.get(alert.name)
        if d is None or not (d.standing or d.min_outlets):
            return True
        incident_id = event.get("incident")
        if not incident_id:
            return False
        if incident_id not in seen:
            with store._read() as conn:
                seen[incident_id] = get_incident(conn, incident_id)
        inc = seen[incident_id]
        if inc is None:
            return False
        standing = inc.get("standing") or {}
        if d.min_outlets and int(inc.get("n_outlets") or 0) < d.min_outlets:
            return False
        if not d.standing:
            return True
        return standing.get("summary") in d.standing or (
            "claimed-by-any" in d.standing and bool(standing.get("claimed_by")))

    return ok


def alert_condition(store: Any, dests: dict[str, Destination]) -> Condition:
    """Every saved condition of the alerts: radius and incident standing / outlets."""
    return all_of(near_condition(dests), standing_condition(store, dests))


def all_of(*conditions: Condition | None) -> Condition:
    """A condition that holds when every given one does (None entries ignored)."""
    active = [c for c in conditions if c is not None]
    return lambda alert, event: all(c(alert, event) for c in active)


class Dispatcher:
    """Sends one hit to its alert's destination (with retries); returns None or the error message.
    Hits of alerts without a destination go to ``fallback`` (the CLI's --output / stdout)."""

    def __init__(self, dests: dict[str, Destination], base_url: str = DEFAULT_BASE_URL,
                 smtp: SmtpSettings | None = None, fallback: Callable[[AlertHit], None] | None = None,
                 limits: Limits = WEBHOOK_LIMITS, sleep: Callable[[float], None] = time.sleep) -> None:
        self.dests = dests
        self.base_url = base_url
        self.smtp = smtp or SmtpSettings.from_env()
        self.fallback = fallback
        self.limits = limits
        self.sleep = sleep
        self._fetchers: dict[bool, Fetcher] = {}
        self._files: dict[str, IO[str]] = {}

    def fetcher(self, allow_private: bool) -> Fetcher:
        if allow_private not in self._fetchers:
            self._fetchers[allow_private] = Fetcher(self.limits, allow_private=allow_private, robots=False,
                                                    sleep=self.sleep)
        return self._fetchers[allow_private]

    def __call__(self, hit: AlertHit) -> str | None:
        dest = self.dests.get(hit.alert)
        if dest is None or dest.kind == "output":
            if self.fallback is not None:
                self.fallback(hit)
            return None
        if dest.kind == "jsonl":
            import json

            self._file(dest.target).write(json.dumps(hit.to_dict(), ensure_ascii=False) + "\n")
            return None
        if dest.kind == "email":
            return self._email(hit, dest)
        payload = messages.body(dest.kind, hit, self.base_url)
        try:
            self.fetcher(dest.allow_private).post(dest.target, payload,
                                                  messages.headers(hit, payload, dest.secret))
        except FetchError as exc:
            log.warning("alert %s: delivery of %s to %s failed: %s", hit.alert, hit.event["id"],
                        dest.kind, exc.reason)
            return f"{dest.kind} {exc.reason}"
        return None

    def _file(self, path: str) -> IO[str]:
        if path not in self._files:
            try:
                self._files[path] = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close)
            except OSError as exc:
                raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
        return self._files[path]

    def _email(self, hit: AlertHit, dest: Destination) -> str | None:
        cfg = self.smtp  # the operator's own relay (often local): no SSRF check
        msg = messages.email(hit, self.base_url, cfg.sender, dest.target)
        error = ""
        for attempt in range(self.limits.retries + 1):
            try:
                with smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout) as smtp:
                    if cfg.starttls:
                        smtp.starttls()
                    if cfg.user:
                        smtp.login(cfg.user, cfg.password or "")
                    smtp.send_message(msg)
                return None
            except (OSError, smtplib.SMTPException) as exc:
                error = f"email {type(exc).__name__}: {exc}"
                if isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPAuthenticationError):
                    break
                if attempt < self.limits.retries:
                    self.sleep(self.limits.backoff * 2 ** attempt)
        log.warning("alert %s: e-mail to %s failed: %s", hit.alert, dest.target, error)
        return error[:500]

    def finish(self) -> None:
        """Flush and fsync the JSONL files (called after each batch, before its checkpoint)."""
        for f in self._files.values():
            f.flush()
            os.fsync(f.fileno())

    def close(self) -> None:
        for f in self._files.values():
            f.close()
        self._files.clear()
        for fetcher in self._fetchers.values():
            fetcher.close()
        self._fetchers.clear()


def deliver_alerts(store: Any, names: Sequence[str] | None = None, base_url: str = DEFAULT_BASE_URL,
                   smtp: SmtpSettings | None = None, fallback: Callable[[AlertHit], None] | None = None,
                   finish: Callable[[], None] | None = None, advance: bool = True,
                   incident_condition: Condition | None = None,
                   dispatcher: Dispatcher | None = None) -> dict[str, int]:
    """Deliver the new hits of the alerts (all, or ``names``) to their destinations, checkpointed
    per batch. ``incident_condition(alert, event)`` is the hook for incident-standing conditions
    ("claimed by any party", "confirmed by >= 2 outlets") once the incidents table exists."""
    dests = destinations(store)
    disp = dispatcher or Dispatcher(dests, base_url, smtp, fallback)

    def done() -> None:
        disp.finish()
        if finish is not None:
            finish()

    try:
        return run_alerts(store, disp, names, advance=advance, finish=done,
                          condition=all_of(alert_condition(store, dests), incident_condition))
    finally:
        if dispatcher is None:
            disp.close()


def failed(store: Any, names: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The dead letters: alert, event_id, key, error, attempts, failed_at."""
    return sql.failure_rows(store, names)


def retry_failed(store: Any, names: Sequence[str] | None = None, base_url: str = DEFAULT_BASE_URL,
                 smtp: SmtpSettings | None = None, dispatcher: Dispatcher | None = None) -> tuple[int, int]:
    """Deliver the dead letters again; those that succeed are removed. Returns (delivered, still failed)."""
    disp = dispatcher or Dispatcher(destinations(store), base_url, smtp)
    ok = bad = 0
    try:
        for row in sql.failure_rows(store, names):
            record = store.event(row["event_id"])
            if record is None or row["alert"] not in disp.dests:  # event or destination gone
                sql.delete_failure(store, row["alert"], row["event_id"])
                continue
            record.pop("evidence", None)
            error = disp(AlertHit(row["alert"], record))
            if error:
                sql.bump_failure(store, row["alert"], row["event_id"], error)
                bad += 1
            else:
                sql.delete_failure(store, row["alert"], row["event_id"])
                ok += 1
        disp.finish()
    finally:
        if dispatcher is None:
            disp.close()
    return ok, bad
