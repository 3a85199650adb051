"""Sending mail through the office's SMTP server, one message at a time, throttled.

The settings come from ``SURVEY_SMTP_HOST``, ``_PORT``, ``_USERNAME``,
``_PASSWORD``, ``_STARTTLS``, ``_TIMEOUT``, ``SURVEY_MAIL_FROM`` and
``SURVEY_MAIL_RATE_PER_SECOND`` (see config.py). Failures are sorted into two
kinds, because the caller treats them differently:

* :class:`MailRefused`: the server answered and refused this message (unknown
  mailbox, 5xx on RCPT or DATA). Other recipients may still work.
* :class:`MailServerDown`: no usable server (connection refused, timeout, lost
  connection, authentication failed). Every following message would fail too,
  so a sending run stops and resumes later.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType

# A refusal reason is stored per contact and shown in the console: keep it short.
MAX_REASON = 300


class MailError(Exception):
    """A message was not accepted; ``reason`` is short and safe to store."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:MAX_REASON]


class MailRefused(MailError):
    """The server refused this message (this recipient); others may still go."""


class MailServerDown(MailError):
    """The server cannot be used at all right now."""


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    timeout: float
    sender: str
    rate_per_second: float

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> MailSettings:
        return cls(
            host=str(config["SMTP_HOST"]),
            port=int(str(config["SMTP_PORT"])),
            username=_optional(config.get("SMTP_USERNAME")),
            password=_optional(config.get("SMTP_PASSWORD")),
            starttls=_flag(config.get("SMTP_STARTTLS")),
            timeout=float(str(config.get("SMTP_TIMEOUT", 20))),
            sender=str(config["MAIL_FROM"]),
            rate_per_second=float(str(config.get("MAIL_RATE_PER_SECOND", 0) or 0)),
        )


def _optional(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def _flag(value: object) -> bool:
    """``SURVEY_SMTP_STARTTLS=true`` arrives as a bool; ``=yes`` or ``=1`` as text or int."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


class Throttle:
    """At most ``rate`` calls of :meth:`wait` per second (0 or less: no limit).

    Providers and the office's own server reject bursts; spacing messages
    evenly is kinder than sending in bursts and backing off.
    """

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._next = 0.0

    def wait(self) -> None:
        if self.interval == 0:
            return
        now = self._clock()
        if now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


class Mailer:
    """One SMTP connection, opened on the first message and reused; a context manager."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self.throttle = Throttle(settings.rate_per_second)
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (smtplib.SMTPException, OSError):
            self._smtp.close()
        self._smtp = None

    def send(self, message: EmailMessage) -> None:
        """Send one message or raise :class:`MailRefused` / :class:`MailServerDown`.

        A connection the server dropped since the last message (idle timeout)
        is reopened once before giving up.
        """
        self.throttle.wait()
        try:
            self._send_once(message)
        except smtplib.SMTPServerDisconnected:
            self._smtp = None
            try:
                self._send_once(message)
            except smtplib.SMTPServerDisconnected as exc:
                raise MailServerDown(f"connection lost: {exc}") from exc

    def _send_once(self, message: EmailMessage) -> None:
        smtp = self._connection()
        try:
            refused = smtp.send_message(message, from_addr=self.settings.sender)
        except smtplib.SMTPRecipientsRefused as exc:
            raise MailRefused(_describe_refusals(exc.recipients)) from exc
        except smtplib.SMTPSenderRefused as exc:
            raise MailServerDown(f"sender refused: {exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except smtplib.SMTPDataError as exc:
            raise _by_code(exc.smtp_code, f"message refused: {exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except smtplib.SMTPServerDisconnected:
            raise
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code, f"{exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            self._smtp = None
            raise MailServerDown(f"{type(exc).__name__}: {exc}") from exc
        if refused:  # only some recipients refused; we send to one, so this is ours
            raise MailRefused(_describe_refusals(refused))

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        s = self.settings
        try:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise MailServerDown(f"authentication failed: {exc.smtp_code}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise MailServerDown(f"cannot connect to {s.host}:{s.port}: {type(exc).__name__}: {exc}") from exc
        self._smtp = smtp
        return smtp


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _by_code(code: int, reason: str) -> MailError:
    """5xx is a refusal of this message; 4xx (try later) and the rest mean the server is unusable now."""
    return MailRefused(reason) if 500 <= code < 600 else MailServerDown(reason)


def _describe_refusals(recipients: Mapping[str, tuple[int, bytes]]) -> str:
    """The server's code and text, without the address (it must not reach logs)."""
    return "; ".join(f"recipient refused: {code} {_text(text)}" for code, text in recipients.values())
