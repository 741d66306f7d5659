"""Errors kg reports to its users.

Every error a user can cause (a bad path, a malformed query, an unreadable file) is a
:class:`KgError` with a message that names the problem and a ``hint`` that says what to
do. The CLI prints them as one line on stderr (plus the hint) and exits with code 2;
``--debug`` adds the traceback. Anything else is a bug and keeps its traceback.
"""
from __future__ import annotations


class KgError(Exception):
    """A problem with the user's input or environment, explained for the user."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str = "", code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code

    def __str__(self) -> str:
        prefix = f"[{self.code}] " if self.code else ""
        return prefix + self.message
