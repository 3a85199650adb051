"""One-time codes printed as a QR on the citizen's result slip: ``<base URL>/r/<code>``.

The one-stop desk software mints the codes itself, offline, with the round's
secret; we only check them. Each code says which round, desk and procedure
field it belongs to (so the respondent is not asked the field again), carries
a random serial (so codes differ), and is signed, so a respondent cannot make
one up or change the desk or field. A code gives one response: its hash goes
into ``used_slip_codes`` in the response's own transaction, whose primary key
refuses the second use, even when both arrive at once.

Algorithm (version 1), for desk vendors
---------------------------------------
Inputs: the round's secret ``K`` (32 bytes, shown in hex by
``flask --app wsgi invitations slip-secret --round R``), the round id ``R``
(same command), the desk's public code ``D`` (ASCII, as in its QR URL,
lower case, at most 40 characters), the procedure field ``F`` (the answer
code of the citizen questionnaire's ``field`` item, 1 to 255).

1. ``serial`` = 6 bytes from a cryptographically secure random generator.
2. ``message`` = ``0x01`` (version, 1 byte)
   || ``R`` as unsigned 32-bit big-endian (4 bytes)
   || ``F`` (1 byte)
   || ``len(D)`` (1 byte) || ``D`` in ASCII
   || ``serial`` (6 bytes).
3. ``tag`` = the first 10 bytes of HMAC-SHA256(key=K, msg=message).
4. ``code`` = Base32 (RFC 4648 alphabet ``A-Z2-7``) of ``message || tag``,
   upper case, without ``=`` padding. For a 7-character desk code that is 48
   characters; upper-case Base32 keeps the QR in its dense alphanumeric mode.
5. Print a QR code of ``<base URL>/r/<code>``.

We accept the code in any letter case, ignoring spaces and hyphens (for
people who type it). Test vector: K = the 32 bytes 0x00, 0x01, ..., 0x1f;
R = 7; D = ``demo``; F = 2; serial = 0x010203040506. Then message =
``01 00000007 02 04 64656d6f 010203040506`` (hex), tag =
``973648ae70f0ca89dbf0`` and code = ``AEAAAAAHAICGIZLNN4AQEAYEAUDJONSIVZYPBSUJ3PYA``.
The same with the shell: ``openssl dgst -sha256 -mac HMAC -macopt hexkey:<K>``
on the message bytes, then ``base32`` of message and tag (see the tests).

Why these choices: 80 bits of tag make guessing a valid code hopeless even
online; 48 random bits make two slips of one desk and field collide with
probability about n²/2⁴⁹ (n = 100,000 slips: 2 in 100,000); the round id tells
us which secret to check with, and a leaked secret exposes one round only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import struct
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from survey_app.models import QuestionnaireVersion, Round, ServicePoint, StaffUser, UsedSlipCode
from survey_app.questionnaire import Questionnaire
from survey_app.services import audit
from survey_app.services.desks import find_desk
from survey_app.services.errors import AlreadyUsed, Invalid, NotFound
from survey_app.services.questionnaires import questionnaire_of
from survey_app.services.rounds import check_round_open, current_round, desk_version

VERSION = 1
SERIAL_BYTES = 6
TAG_BYTES = 10
MAX_DESK_CODE = 40
MAX_CODE_CHARS = 120
FIELD_ITEM = "field"
_BASE32 = re.compile(r"[A-Z2-7]+\Z")


@dataclass(frozen=True)
class SlipPayload:
    round_id: int
    field: int
    desk_code: str
    serial: bytes
    message: bytes
    tag: bytes

    @property
    def code_hash(self) -> str:
        """What ``used_slip_codes`` stores: the hash of the exact signed bytes, whatever their spelling."""
        return hashlib.sha256(self.message + self.tag).hexdigest()


def _tag(secret: bytes, message: bytes) -> bytes:
    return hmac.new(secret, message, hashlib.sha256).digest()[:TAG_BYTES]


def mint(secret: bytes, round_id: int, desk_code: str, field: int, serial: bytes | None = None) -> str:
    """A code as the desk software makes it (the algorithm in the module docstring)."""
    desk = desk_code.lower().encode("ascii")
    if not 0 < len(desk) <= MAX_DESK_CODE:
        raise ValueError("desk code must have 1 to 40 ASCII characters")
    if not 0 < field < 256 or not 0 <= round_id < 2**32:
        raise ValueError("field must be 1..255 and round id a 32-bit number")
    serial = secrets.token_bytes(SERIAL_BYTES) if serial is None else serial
    if len(serial) != SERIAL_BYTES:
        raise ValueError(f"serial must have {SERIAL_BYTES} bytes")
    message = struct.pack(">BIBB", VERSION, round_id, field, len(desk)) + desk + serial
    return base64.b32encode(message + _tag(secret, message)).decode("ascii").rstrip("=")


def decode(code: str) -> SlipPayload:
    """Parse a code without checking its signature; NotFound when it is not a code at all."""
    text = re.sub(r"[\s-]+", "", code).upper()
    if not text or len(text) > MAX_CODE_CHARS or not _BASE32.match(text):
        raise NotFound("not a slip code")
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except binascii.Error as exc:
        raise NotFound("not a slip code") from exc
    if len(raw) < 7 + SERIAL_BYTES + TAG_BYTES or raw[0] != VERSION:
        raise NotFound("not a slip code")
    _, round_id, field, desk_length = struct.unpack(">BIBB", raw[:7])
    message_length = 7 + desk_length + SERIAL_BYTES
    if len(raw) != message_length + TAG_BYTES:
        raise NotFound("not a slip code")
    message, tag = raw[:message_length], raw[message_length:]
    try:
        desk_code = message[7:7 + desk_length].decode("ascii")
    except UnicodeDecodeError as exc:
        raise NotFound("not a slip code") from exc
    return SlipPayload(round_id, field, desk_code, message[7 + desk_length:], message, tag)


@dataclass(frozen=True)
class SlipSurvey:
    """What a valid, unused code opens."""

    payload: SlipPayload
    round: Round
    desk: ServicePoint
    version: QuestionnaireVersion
    questionnaire: Questionnaire

    def used_row(self) -> UsedSlipCode:
        """The row whose primary key makes the code single-use, inserted with the response.

        It keeps the round's closing day, not the day of use: a day of use
        would date the response for anyone who knows which slip was printed
        for whom.
        """
        return UsedSlipCode(code_hash=self.payload.code_hash, round_id=self.round.id, used_on=self.round.closes_on)


def open_code(session: Session, code: str, today: date) -> SlipSurvey:
    """Check a code: NotFound if forged or altered, AlreadyUsed, or RoundNotOpen."""
    payload = decode(code)
    round_ = session.get(Round, payload.round_id)
    if round_ is None or not hmac.compare_digest(_tag(round_.slip_secret, payload.message), payload.tag):
        raise NotFound("forged or altered slip code")
    if session.get(UsedSlipCode, payload.code_hash) is not None:
        raise AlreadyUsed("slip code already used")
    check_round_open(round_, today)
    desk = find_desk(session, payload.desk_code)
    version = desk_version(session, round_)
    questionnaire = questionnaire_of(version)
    if not _field_item_accepts(questionnaire, payload.field):
        raise NotFound(f"procedure field {payload.field} is not an answer of this questionnaire")
    return SlipSurvey(payload, round_, desk, version, questionnaire)


def used_code_desk(session: Session, code: str) -> ServicePoint | None:
    """The desk of a genuine code that has been used (for its thank-you page), else None."""
    try:
        payload = decode(code)
    except NotFound:
        return None
    round_ = session.get(Round, payload.round_id)
    if round_ is None or not hmac.compare_digest(_tag(round_.slip_secret, payload.message), payload.tag):
        return None
    if session.get(UsedSlipCode, payload.code_hash) is None:
        return None
    try:
        return find_desk(session, payload.desk_code)
    except NotFound:
        return None


def _field_item_accepts(questionnaire: Questionnaire, field: int) -> bool:
    try:
        return field in questionnaire.item(FIELD_ITEM).option_codes
    except KeyError:
        return False


@dataclass(frozen=True)
class Batch:
    round: Round
    desk: ServicePoint
    field: int
    codes: list[str]


def mint_batch(session: Session, desk: ServicePoint, field: int, count: int, today: date) -> Batch:
    """Codes for the round open today, for desks that would rather ask us than mint offline."""
    round_ = current_round(session, today)
    questionnaire = questionnaire_of(desk_version(session, round_))
    if not _field_item_accepts(questionnaire, field) or (desk.fields and field not in desk.fields):
        raise Invalid(f"field {field} is not a procedure field of desk {desk.code}")
    codes = [mint(round_.slip_secret, round_.id, desk.code, field) for _ in range(count)]
    return Batch(round_, desk, field, codes)


def reveal_secret(session: Session, round_: Round, user: StaffUser | None, via: str) -> str:
    """The round's secret in hex, for configuring desk software; audit-logged (the caller commits
    the entry before it shows the secret)."""
    audit.record(session, user, "round.slip_secret.reveal", round_.name, via=via)
    session.flush()
    return round_.slip_secret.hex()
