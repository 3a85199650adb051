"""Sending invitations.

Sending exactly once (at most once, and never silently lost)
    Each message goes through three steps, each its own committed transaction:

    1. *claim*: a conditional UPDATE stores the new token's hash, stamps
       ``sent_at`` and bumps ``send_attempts``, only if the row is still what
       we selected (same attempt count, still pending or failed). Two runs at
       once cannot both claim a row.
    2. hand the message to SMTP;
    3. *record*: ``status = 'sent'``, or on a known failure ``'failed'`` with
       the reason, the token hash and ``sent_at`` erased.

    A crash (kill, power cut, Ctrl-C) between 1 and 3 leaves the row pending
    or failed *with* ``sent_at`` set: "unconfirmed". We cannot know whether the
    server took the message, and the brief forbids a second invitation, so the
    next run does not resend it; it reports it, and an operator who has checked
    the mail server's log resends with ``--resend-unconfirmed``. Nothing is
    lost either way: if the message did go out, its token hash was committed in
    step 1, so the link works, and opening it marks the row ``opened``. The
    opposite order (send, then record) would resend after a crash; marking
    ``sent`` before sending would hide a message that never left.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Update, func, select, update
from sqlalchemy.orm import Session, joinedload

from survey_app.models import Invitation, Round, today_utc, utcnow
from survey_app.services.invitations.composition import Composer
from survey_app.services.invitations.rows import claim, record
from survey_app.services.invitations.status import UNSENT_STATUSES
from survey_app.services.invitations.tokens import new_token, token_hash
from survey_app.services.mailer import Mailer, MailError, MailRefused, MailServerDown
from survey_app.services.rounds import check_round_open


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    skipped_unconfirmed: int = 0
    stopped: str | None = None  # why the run ended early (server down), if it did
    failures: list[tuple[int, str]] = field(default_factory=list)  # (invitation id, reason)

    def failure(self, invitation_id: int, error: MailError) -> bool:
        """Count a failed message; True when the run must stop (the server is down)."""
        self.failed += 1
        self.failures.append((invitation_id, error.reason))
        if isinstance(error, MailServerDown):
            self.stopped = error.reason
            return True
        return False


def _deliver(session: Session, mailer: Mailer, compose: Composer, invitation_id: int, token: str,
             kind: str) -> tuple[Invitation, MailError | None]:
    """Hand one claimed invitation's message to SMTP; the error, if the server did not take it."""
    invitation = _load(session, invitation_id)
    try:
        mailer.send(compose(invitation, token, kind))
    except (MailRefused, MailServerDown) as exc:
        return invitation, exc
    return invitation, None


def send_invitations(session: Session, round_: Round, mailer: Mailer, compose: Composer, *,
                     group: str | None = None, resend_unconfirmed: bool = False, max_attempts: int = 5,
                     limit: int | None = None, today: date | None = None,
                     progress: Callable[[int, int, SendReport], None] | None = None) -> SendReport:
    """Send every invitation of the round (or group) that has not gone out yet.

    ``progress`` is called with (done, total, report so far) after each
    invitation (the console's live counts when this runs as a job).

    Pending and failed rows are tried (failed ones up to ``max_attempts`` in
    all); unconfirmed rows only with ``resend_unconfirmed``. Stops at the first
    sign that the server is down; the next run picks up where this one ended.
    """
    check_round_open(round_, today or today_utc())
    report = SendReport()
    stmt = select(Invitation.id, Invitation.send_attempts).where(
        Invitation.round_id == round_.id, Invitation.status.in_(UNSENT_STATUSES),
        Invitation.send_attempts < max_attempts,
    ).order_by(Invitation.id)
    if group:
        stmt = stmt.where(Invitation.group_code == group)
    if not resend_unconfirmed:
        report.skipped_unconfirmed = _count_unconfirmed(session, round_.id, group)
        stmt = stmt.where(Invitation.sent_at.is_(None))
    candidates = session.execute(stmt.limit(limit)).all()
    session.rollback()  # end the read; each claim below is its own transaction
    for done, (invitation_id, attempts) in enumerate(candidates):
        if progress is not None:
            progress(done, len(candidates), report)
        token = new_token()
        if not claim(session, _claim_invitation(invitation_id, attempts, token, resend_unconfirmed)):
            continue  # another run took it, or it changed since we looked
        invitation, error = _deliver(session, mailer, compose, invitation_id, token, "invitation")
        if error is not None:
            record(session, _invitation_failed(invitation_id, attempts + 1, error.reason, invitation.email))
            if report.failure(invitation_id, error):
                break
            continue
        record(session, update(Invitation).where(
            Invitation.id == invitation_id, Invitation.send_attempts == attempts + 1,
            Invitation.status.in_(UNSENT_STATUSES),
        ).values(status="sent"))
        report.sent += 1
    return report


def _claim_invitation(invitation_id: int, attempts: int, token: str, resend_unconfirmed: bool) -> Update:
    conditions = [Invitation.id == invitation_id, Invitation.send_attempts == attempts,
                  Invitation.status.in_(UNSENT_STATUSES)]
    if not resend_unconfirmed:
        conditions.append(Invitation.sent_at.is_(None))
    return update(Invitation).where(*conditions).values(
        token_hash=token_hash(token), sent_at=utcnow(), send_attempts=attempts + 1, last_error=None,
    )


def _invitation_failed(invitation_id: int, attempts: int, reason: str, email: str) -> Update:
    return update(Invitation).where(
        Invitation.id == invitation_id, Invitation.send_attempts == attempts,
        Invitation.status.in_(UNSENT_STATUSES),
    ).values(status="failed", last_error=_without_address(reason, email), token_hash=None, sent_at=None)


def _without_address(reason: str, email: str) -> str:
    """Servers often quote the address in their refusal; the row has it already."""
    return re.sub(re.escape(email), "<recipient>", reason, flags=re.IGNORECASE)


def _load(session: Session, invitation_id: int) -> Invitation:
    session.expire_all()
    invitation = session.scalar(select(Invitation).where(Invitation.id == invitation_id)
                                .options(joinedload(Invitation.unit), joinedload(Invitation.round)))
    assert invitation is not None, "a claimed invitation cannot vanish (rounds are not deleted while sending)"
    return invitation


def _count_unconfirmed(session: Session, round_id: int, group: str | None) -> int:
    stmt = select(func.count()).select_from(Invitation).where(
        Invitation.round_id == round_id, Invitation.status.in_(UNSENT_STATUSES), Invitation.sent_at.is_not(None))
    if group:
        stmt = stmt.where(Invitation.group_code == group)
    return session.scalar(stmt) or 0
