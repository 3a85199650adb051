"""Helpers for the invitation tests: a real SMTP server on loopback, contact files, links in mail."""

from __future__ import annotations

import email
import email.policy
import io
import re
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from openpyxl import Workbook

HEADER = ("name", "email", "unit", "sector", "size")
LINK = re.compile(r"https?://[^\s\"<>]+/i/([A-Za-z0-9_-]+)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Mailbox:
    """What an aiosmtpd server received, and the addresses it refuses with 550."""

    port: int = 0
    refuse: set[str] = field(default_factory=set)
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[list[str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd API)
        if address.lower() in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
            self.envelopes.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def recipients(self) -> list[str]:
        return [rcpt for rcpts in self.envelopes for rcpt in rcpts]


def start_smtp(mailbox: Mailbox) -> Controller:
    mailbox.port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    return controller


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML bodies."""
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


def token_in(message: EmailMessage) -> str:
    plain, _ = parts(message)
    match = LINK.search(plain)
    assert match, plain
    return match.group(1)


def csv_bytes(rows: list[tuple[str, ...]], header: tuple[str, ...] = HEADER) -> bytes:
    lines = [",".join(header), *(",".join(row) for row in rows)]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def xlsx_bytes(rows: list[tuple[object, ...]], header: tuple[str, ...] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def businesses(n: int, unit: str = "XA_AN_PHU", start: int = 0) -> list[tuple[str, ...]]:
    return [(f"Công ty TNHH Số {i}", f"ketoan{i}@doanhnghiep{i}.vn", unit, "2", "1") for i in range(start, start + n)]


def valid_answers(questionnaire) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A complete, valid answer to any questionnaire: the first option, the minimum, a short text."""
    answers: dict[str, str] = {}
    for item in questionnaire.items:
        if item.options:
            answers[item.code] = str(item.options[-1].code if item.type == "yes_no" else item.options[0].code)
        elif item.type == "number":
            answers[item.code] = str(item.min if item.min is not None else 0)
        else:
            answers[item.code] = "Thủ tục nhanh, cán bộ nhiệt tình."
    return answers


class LiveServer:
    """The app served by Werkzeug's threaded server on a free loopback port, for concurrency tests."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        from werkzeug.serving import make_server

        self.port = free_port()
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)

    def request(self, method: str, path: str, form: dict[str, str] | None = None,
                cookie: str | None = None) -> tuple[int, dict[str, str], str]:
        import http.client
        from urllib.parse import urlencode

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": cookie} if cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8")
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def open_form(self, path: str) -> tuple[str, dict[str, str]]:
        """GET a survey page: the session cookie and the hidden fields a POST needs."""
        from tests.factories import form_field

        status, headers, html = self.request("GET", path)
        assert status == 200, (status, html[:300])
        cookie = headers["set-cookie"].split(";", 1)[0]
        return cookie, {"form_token": form_field(html, "form_token")}
