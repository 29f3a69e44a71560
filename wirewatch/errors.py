"""Errors. A :class:`UserError` is the user's to fix: the CLI prints its one line and exits 1."""

from __future__ import annotations


class WirewatchError(Exception):
    """Base class of wirewatch's own errors."""


class UserError(WirewatchError):
    """Bad input or usage; the message says what is wrong and how to fix it (exit code 1)."""


class InputError(UserError):
    """One input (file, line) could not be read; the batch goes on without it."""

    def __init__(self, where: str, reason: str, path: str | None = None) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason
        self.path = path  # the file to read again when retrying (None: stdin, or not a file)


def describe(exc: BaseException, limit: int = 200) -> str:
    """One short line naming an unexpected exception, safe to show a user: the exception type and the
    first line of its message (a database error's own message, never the SQL or the bound values)."""
    orig = getattr(exc, "orig", None)  # SQLAlchemy wraps the driver's exception
    inner = orig if isinstance(orig, BaseException) else exc
    lines = str(inner).strip().splitlines()
    first = lines[0] if lines else ""
    if len(first) > limit:
        first = first[:limit] + "…"
    return f"{type(inner).__name__}: {first}" if first else type(inner).__name__
