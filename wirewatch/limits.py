"""Size and time limits shared by every entry point (readers, CLI, API), defined once.

- ``MAX_ARTICLE_BYTES``: the most bytes one input article (a file, a ``text_file``, stdin, one API
  request body) may have; ``$WIREWATCH_MAX_BYTES`` overrides it (default 10 MiB).
- ``MAX_ARTICLE_CHARS``: the most characters of article text the pipeline analyses in one piece
  (spaCy's ``max_length``); longer texts are refused with a one-line error / HTTP 413.
- ``QUERY_TIME_LIMIT_MS``: the API's default time limit for one request's database work
  (``$WIREWATCH_TIME_LIMIT_MS`` or ``wirewatch serve --time-limit-ms``; 0 disables it).
- ``MAX_PARAM_CHARS``: the longest value a filter parameter (``text``, ``actor``, ...) may have.
"""

from __future__ import annotations

import os


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() else default


MAX_ARTICLE_BYTES = _env_int("WIREWATCH_MAX_BYTES", 10 * 1024 * 1024)
MAX_ARTICLE_CHARS = 1_000_000
QUERY_TIME_LIMIT_MS = _env_int("WIREWATCH_TIME_LIMIT_MS", 5000)
MAX_PARAM_CHARS = 500


def megabytes(n: int) -> str:
    """``n`` bytes as a short human figure for messages ("10 MB")."""
    return f"{n / 1_000_000:.0f} MB" if n >= 1_000_000 else f"{n} bytes"
