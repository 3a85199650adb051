"""Domain exceptions raised by services and mapped to pages by the views."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class of expected, user-facing failures."""


class NotFound(ServiceError):
    """The thing asked for does not exist (unknown desk code, token, round...)."""


class RoundNotOpen(ServiceError):
    """No round accepts answers right now; ``reason`` is ``not_yet`` or ``closed``."""

    def __init__(self, reason: str, round_name: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.round_name = round_name


class AlreadyUsed(ServiceError):
    """A one-time link or code has already produced its response."""


class Invalid(ServiceError):
    """Input that breaks a rule; the message says which."""
