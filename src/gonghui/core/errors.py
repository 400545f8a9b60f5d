"""One error type for refused domain actions, carrying a stable code and a user message."""

from __future__ import annotations


class DomainError(Exception):
    """A refused action: ``code`` is stable for API clients, ``message`` is for people
    (already translated), ``field`` names the input at fault when there is one."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.field = field
