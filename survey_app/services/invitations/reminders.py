"""Reminders to those who have not answered.

Reminders
    Only to ``sent`` or ``opened`` invitations (never to completed ones), at
    most ``Round.reminder_limit`` times, and not within ``min_interval`` of
    the last email or of the respondent's last visit (a reminder replaces the
    token, which would cut off a respondent who has the form open). The claim
    bumps ``reminders_sent``; a known failure restores the previous token and
    count; a crash counts the reminder as sent (at most once, again).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from survey_app.models import Invitation, Round, today_utc, utcnow
from survey_app.services.invitations.composition import Composer
from survey_app.services.invitations.rows import claim, record
from survey_app.services.invitations.sending import SendReport, _deliver, _without_address
from survey_app.services.invitations.status import OPEN_STATUSES
from survey_app.services.invitations.tokens import new_token, token_hash
from survey_app.services.mailer import Mailer
from survey_app.services.rounds import check_round_open


def send_reminders(session: Session, round_: Round, mailer: Mailer, compose: Composer, *,
                   group: str | None = None, min_interval: timedelta = timedelta(hours=48),
                   today: date | None = None,
                   progress: Callable[[int, int, SendReport], None] | None = None) -> SendReport:
    """Remind those who have not answered, at most ``round_.reminder_limit`` times each.

    ``progress`` is called with (done, total, report so far) before each reminder.
    """
    check_round_open(round_, today or today_utc())
    report = SendReport()
    cutoff = utcnow() - min_interval
    stmt = select(Invitation.id, Invitation.reminders_sent, Invitation.token_hash, Invitation.last_reminded_at).where(
        Invitation.round_id == round_.id, Invitation.status.in_(OPEN_STATUSES),
        Invitation.reminders_sent < round_.reminder_limit,
        func.coalesce(Invitation.last_reminded_at, Invitation.sent_at) <= cutoff,
        or_(Invitation.opened_at.is_(None), Invitation.opened_at <= cutoff),
    ).order_by(Invitation.id)
    if group:
        stmt = stmt.where(Invitation.group_code == group)
    candidates = session.execute(stmt).all()
    session.rollback()
    for done, (invitation_id, seen, old_hash, old_reminded) in enumerate(candidates):
        if progress is not None:
            progress(done, len(candidates), report)
        token = new_token()
        statement = update(Invitation).where(
            Invitation.id == invitation_id, Invitation.reminders_sent == seen, Invitation.status.in_(OPEN_STATUSES),
        ).values(reminders_sent=seen + 1, last_reminded_at=utcnow(), token_hash=token_hash(token))
        if not claim(session, statement):
            continue
        invitation, error = _deliver(session, mailer, compose, invitation_id, token, "reminder")
        if error is not None:
            # Give the previous link back: the failed reminder must not cut it off.
            record(session, update(Invitation).where(
                Invitation.id == invitation_id, Invitation.token_hash == token_hash(token),
            ).values(reminders_sent=seen, last_reminded_at=old_reminded, token_hash=old_hash,
                     last_error=_without_address(error.reason, invitation.email)))
            if report.failure(invitation_id, error):
                break
            continue
        report.sent += 1
    return report
