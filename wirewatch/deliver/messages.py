"""Alert messages: one short human-readable line per hit with a link to the event's evidence page in
the UI (``BASE/#event=ID``, which the UI opens), and the JSON shapes of generic webhooks, Slack and
Matrix incoming webhooks, and e-mail."""

from __future__ import annotations

import hashlib
import hmac
import json
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

from wirewatch.watch import AlertHit

SIGNATURE_HEADER = "X-Wirewatch-Signature"
KEY_HEADER = "Idempotency-Key"


def event_link(base_url: str, event_id: str) -> str:
    """The UI page showing the event and its evidence."""
    return f"{base_url.rstrip('/')}/#event={quote(event_id, safe='')}"


def _names(actors: Any) -> str:
    return " and ".join(str(a.get("name") or a.get("text")) for a in actors or []) or ""


def summary_line(event: dict[str, Any]) -> str:
    """E.g. 'ASSAULT (asserted, 0.87): Peshmerga → Islamic State in Kobanî, SYR on 2015-01-26 —
    "retook" — Hurriyet: Kurds retake Kobani'."""
    head = f"{event.get('event_type')} ({event.get('modality')}, {float(event.get('confidence') or 0):.2f})"
    who = _names(event.get("source"))
    whom = _names(event.get("target"))
    parts = [head + ":"]
    if who or whom:
        parts.append(f"{who or '?'} → {whom}" if whom else who)
    loc = event.get("location") or {}
    if loc:
        parts.append(f"in {loc.get('name')}" + (f", {loc['country']}" if loc.get("country") else ""))
    when = (event.get("date") or {}).get("value")
    if when:
        parts.append(f"on {when}")
    line = " ".join(parts)
    trigger = (event.get("trigger") or {}).get("text")
    if trigger:
        line += f' — "{trigger}"'
    art = event.get("article") or {}
    title = " ".join(str(art.get("title") or "").split())[:140]
    if title or art.get("source"):
        line += " — " + ": ".join(x for x in (art.get("source"), title) if x)
    return line


def text(hit: AlertHit, base_url: str) -> str:
    """'[alert] summary line — evidence: LINK'."""
    return f"[{hit.alert}] {summary_line(hit.event)} — evidence: {event_link(base_url, hit.event['id'])}"


def sign(secret: str, body: bytes) -> str:
    """The signature header value: ``sha256=`` + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """True when ``signature`` (the header value) signs ``body`` with ``secret`` (constant time)."""
    return hmac.compare_digest(sign(secret, body), signature or "")


def body(kind: str, hit: AlertHit, base_url: str) -> bytes:
    """The POST body for a webhook / slack / matrix destination."""
    link = event_link(base_url, hit.event["id"])
    line = summary_line(hit.event)
    if kind == "slack":
        doc: dict[str, Any] = {"text": f"*[{hit.alert}]* {line} — <{link}|evidence>"}
    elif kind == "matrix":  # Matrix hookshot / matrix-webhook shape
        plain = text(hit, base_url)
        doc = {"msgtype": "m.text", "text": plain, "body": plain,
               "format": "org.matrix.custom.html",
               "html": f"<b>[{_html(hit.alert)}]</b> {_html(line)} — <a href=\"{_html(link)}\">evidence</a>"}
    else:
        doc = {"alert": hit.alert, "key": hit.key, "text": text(hit, base_url), "link": link,
               "event": hit.event}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")


def headers(hit: AlertHit, payload: bytes, secret: str | None) -> dict[str, str]:
    out = {"Content-Type": "application/json", KEY_HEADER: hit.key, "X-Wirewatch-Alert": hit.alert}
    if secret:
        out[SIGNATURE_HEADER] = sign(secret, payload)
    return out


def email(hit: AlertHit, base_url: str, sender: str, to: str) -> EmailMessage:
    """A short plain-text e-mail; its Message-ID is the idempotency key (mail clients drop repeats)."""
    msg = EmailMessage()
    ev = hit.event
    loc = (ev.get("location") or {}).get("name")
    msg["Subject"] = f"[wirewatch {hit.alert}] {ev.get('event_type')}" + (f" in {loc}" if loc else "")
    msg["From"] = sender
    msg["To"] = to
    msg["Message-ID"] = f"<{hit.key}@wirewatch>"
    msg["X-Wirewatch-Key"] = hit.key
    msg.set_content(f"{summary_line(ev)}\n\nEvidence: {event_link(base_url, ev['id'])}\n"
                    f"Article: {(ev.get('article') or {}).get('url') or '-'}\n")
    return msg


def _html(s: str) -> str:
    import html

    return html.escape(s, quote=True)
