"""Errors. A :class:`UserError` is the user's to fix: the CLI prints its one line and exits 1."""

from __future__ import annotations


class WirewatchError(Exception):
    """Base class of wirewatch's own errors."""


class UserError(WirewatchError):
    """Bad input or usage; the message says what is wrong and how to fix it (exit code 1)."""


class InputError(UserError):
    """One input (file, line) could not be read; the batch goes on without it."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason
