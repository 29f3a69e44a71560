"""Long-lived services (`follow run --every`, `watch run --every`): durations, clean SIGTERM/SIGINT
shutdown (the item in flight finishes, then exit 0), JSON-lines logs, and a small ``/healthz`` HTTP
endpoint (``--health-port``)."""

from __future__ import annotations

import json
import logging
import re
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from wirewatch.errors import UserError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$", re.IGNORECASE)
_UNITS = {None: 1.0, "ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(value: str | float | None) -> float | None:
    """Seconds from '90', '30s', '5m', '1h', '1d' (None stays None); UserError otherwise."""
    if value is None or isinstance(value, int | float):
        return None if value is None else float(value)
    m = _DURATION.match(value)
    if not m:
        raise UserError(f"bad duration {value!r}; use e.g. 30s, 5m, 1h or a number of seconds")
    return float(m.group(1)) * _UNITS[(m.group(2) or "").lower() or None]


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts, level, logger, msg, plus any ``extra={"fields": {...}}``."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {"ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
                               "level": record.levelname.lower(), "logger": record.name,
                               "msg": record.getMessage()}
        doc.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(doc, ensure_ascii=False, default=str)


def setup_logging(fmt: str) -> None:
    """``json``: JSON lines on stderr for every wirewatch logger (INFO and up); ``text``: unchanged."""
    if fmt != "json":
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("wirewatch").setLevel(logging.INFO)


class Service:
    """A stop flag set by SIGTERM/SIGINT; :meth:`wait` sleeps between cycles and wakes on a signal."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.state: dict[str, Any] = {"started": datetime.now(UTC).isoformat(), "cycles": 0,
                                      "last_cycle": None, "last_error": None}

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        self.uninstall()

    def uninstall(self) -> None:
        """Put back the signal handlers :meth:`install` replaced."""
        for signum, old in getattr(self, "_old", {}).items():
            signal.signal(signum, old)
        self._old = {}

    def install(self) -> None:
        """SIGTERM and SIGINT set :attr:`stop` (main thread only; a no-op elsewhere)."""
        if threading.current_thread() is not threading.main_thread():
            return

        def handle(signum: int, _frame: Any) -> None:
            logging.getLogger("wirewatch.service").info(
                "signal %s: finishing the current item, then stopping", signal.Signals(signum).name)
            self.stop.set()

        self._old = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}

    def wait(self, seconds: float) -> bool:
        """Sleep ``seconds`` or until stopped; True when stopped."""
        return self.stop.wait(max(0.0, seconds))

    def cycle_done(self, **fields: Any) -> None:
        self.state["cycles"] += 1
        self.state["last_cycle"] = datetime.now(UTC).isoformat()
        self.state.update(fields)


class HealthServer:
    """``GET /healthz`` -> 200 ``{"ok": true, ...state}`` on ``host:port`` in a daemon thread."""

    def __init__(self, state: dict[str, Any], port: int, host: str = "127.0.0.1") -> None:
        self.state = state
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                if self.path.split("?")[0] != "/healthz":
                    self.send_error(404)
                    return
                body = json.dumps({"ok": True, **outer.state}, default=str).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        try:
            self.server = ThreadingHTTPServer((host, port), Handler)
        except OSError as exc:
            raise UserError(f"cannot listen on {host}:{port} for /healthz: {exc.strerror or exc}") from None
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="wirewatch-healthz",
                                       daemon=True)

    def __enter__(self) -> HealthServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def sleep_until(deadline: float, stop: threading.Event) -> bool:
    """Wait until ``deadline`` (monotonic) or a stop; True when stopped."""
    return stop.wait(max(0.0, deadline - time.monotonic()))
