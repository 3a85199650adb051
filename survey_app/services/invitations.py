"""Personal invitations: tokens, sending, reminders, answering by link, status.

Tokens
    ``secrets.token_urlsafe(32)`` (256 bits) goes into the email and nowhere
    else; the row keeps its SHA-256. A new token is made for every message that
    is actually handed to the SMTP server (a reminder too: we cannot put the old
    link in it, since we do not have it), so the newest email always holds the
    working link. A send that fails leaves no usable token.

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

Reminders
    Only to ``sent`` or ``opened`` invitations (never to completed ones), at
    most ``Round.reminder_limit`` times, and not within ``min_interval`` of
    the last email or of the respondent's last visit (a reminder replaces the
    token, which would cut off a respondent who has the form open). The claim
    bumps ``reminders_sent``; a known failure restores the previous token and
    count; a crash counts the reminder as sent (at most once, again).

Anonymity
    Completing an invitation sets ``status = 'completed'`` and erases the draft
    and the last-visit time, in the response's own transaction (see
    :func:`completion_guard`); nothing records when, or which response.
    :func:`scrub` removes what the database engine itself would otherwise keep
    (PostgreSQL's per-row transaction ids and physical row order). Logs carry
    counts and row ids, never tokens or addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from sqlalchemy import ColumnElement, CursorResult, Update, case, func, or_, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, joinedload

from survey_app.models import (
    Invitation,
    QuestionnaireVersion,
    Round,
    Unit,
    UsedSlipCode,
    today_utc,
    utcnow,
)
from survey_app.questionnaire import Questionnaire
from survey_app.services.errors import AlreadyUsed, NotFound
from survey_app.services.mailer import Mailer, MailError, MailRefused, MailServerDown
from survey_app.services.questionnaires import questionnaire_of
from survey_app.services.rounds import check_round_open, version_for

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}\Z")
OPEN_STATUSES = ("sent", "opened")
UNSENT_STATUSES = ("pending", "failed")
# Statuses shown in the console, in this order; "unconfirmed" is derived (see module docstring).
DISPLAY_STATUSES = ("pending", "unconfirmed", "sent", "failed", "opened", "completed")
MAX_DRAFT_VALUE = 4000

# Builds the email for one invitation: (invitation, token, "invitation" | "reminder") -> message.
Composer = Callable[[Invitation, str, str], EmailMessage]


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- sending ---------------------------------------------------------------------------------


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
                     limit: int | None = None, today: date | None = None) -> SendReport:
    """Send every invitation of the round (or group) that has not gone out yet.

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
    for invitation_id, attempts in candidates:
        token = new_token()
        if not _claim(session, _claim_invitation(invitation_id, attempts, token, resend_unconfirmed)):
            continue  # another run took it, or it changed since we looked
        invitation, error = _deliver(session, mailer, compose, invitation_id, token, "invitation")
        if error is not None:
            _record(session, _invitation_failed(invitation_id, attempts + 1, error.reason, invitation.email))
            if report.failure(invitation_id, error):
                break
            continue
        _record(session, update(Invitation).where(
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


def _claim(session: Session, statement: Update) -> bool:
    result = session.execute(statement, execution_options={"synchronize_session": False})
    claimed = isinstance(result, CursorResult) and result.rowcount == 1
    if claimed:
        session.commit()
    else:
        session.rollback()
    return claimed


def _record(session: Session, statement: Update) -> None:
    session.execute(statement, execution_options={"synchronize_session": False})
    session.commit()


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


def send_reminders(session: Session, round_: Round, mailer: Mailer, compose: Composer, *,
                   group: str | None = None, min_interval: timedelta = timedelta(hours=48),
                   today: date | None = None) -> SendReport:
    """Remind those who have not answered, at most ``round_.reminder_limit`` times each."""
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
    for invitation_id, seen, old_hash, old_reminded in candidates:
        token = new_token()
        claim = update(Invitation).where(
            Invitation.id == invitation_id, Invitation.reminders_sent == seen, Invitation.status.in_(OPEN_STATUSES),
        ).values(reminders_sent=seen + 1, last_reminded_at=utcnow(), token_hash=token_hash(token))
        if not _claim(session, claim):
            continue
        invitation, error = _deliver(session, mailer, compose, invitation_id, token, "reminder")
        if error is not None:
            # Give the previous link back: the failed reminder must not cut it off.
            _record(session, update(Invitation).where(
                Invitation.id == invitation_id, Invitation.token_hash == token_hash(token),
            ).values(reminders_sent=seen, last_reminded_at=old_reminded, token_hash=old_hash,
                     last_error=_without_address(error.reason, invitation.email)))
            if report.failure(invitation_id, error):
                break
            continue
        report.sent += 1
    return report


def make_composer(base_url: str, sender: str, agency: str = "", contact: str | None = None) -> Composer:
    """A composer of Vietnamese emails (plain text and HTML) from templates/email/.

    Needs an application context (templates, translations). The messages are
    always in Vietnamese, whatever language the console or shell uses: they go
    to Vietnamese businesses and officials. ``agency`` (the sending office, shown as the
    sender's name and under the message) and ``contact`` (who answers questions) come
    from the settings ``MAIL_AGENCY`` and ``MAIL_CONTACT``. A business is written to as
    an organisation ("Quý Công ty/Quý cơ quan"), every other group as a person (Ông/Bà).
    """
    from flask import render_template
    from flask_babel import force_locale
    from flask_babel import gettext as _

    domain = sender.rpartition("@")[2] or "localhost"

    def compose(invitation: Invitation, token: str, kind: str) -> EmailMessage:
        context = {
            "invitation": invitation, "unit": invitation.unit.name_vi, "round": invitation.round,
            "deadline": invitation.round.closes_on.strftime("%d/%m/%Y"),
            "link": f"{base_url.rstrip('/')}/i/{token}", "reminder": kind == "reminder",
            "organisation": invitation.group_code == "business", "agency": agency, "contact": contact,
        }
        with force_locale("vi"):
            # The round's name already says "Khảo sát ..." : the subject must not say it twice.
            subject = (_("Reminder: %(round)s", round=invitation.round.name) if kind == "reminder"
                       else _("Invitation: %(round)s", round=invitation.round.name))
            plain = render_template("email/invitation_text.html", **context)
            html = render_template("email/invitation.html", subject=subject, **context)
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = formataddr((agency, sender)) if agency else sender
        message["To"] = formataddr((invitation.name, invitation.email))
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=domain)
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(plain)
        message.add_alternative(html, subtype="html")
        return message

    return compose


# --- answering by link -----------------------------------------------------------------------


@dataclass(frozen=True)
class LinkSurvey:
    """What a valid personal link opens: the invitation's ids and the questionnaire to answer."""

    invitation_id: int
    token_hash: str
    round: Round
    unit: Unit
    group_code: str
    version: QuestionnaireVersion
    questionnaire: Questionnaire
    draft: dict[str, list[str]]


def open_link(session: Session, token: str, today: date) -> LinkSurvey:
    """Resolve a token; raise NotFound (unknown), AlreadyUsed (answered) or RoundNotOpen (expired)."""
    if not TOKEN_PATTERN.match(token):
        raise NotFound("malformed token")
    digest = token_hash(token)
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == digest)
        .options(joinedload(Invitation.unit), joinedload(Invitation.round))
    )
    if invitation is None or not hmac.compare_digest(invitation.token_hash or "", digest):
        raise NotFound("unknown token")
    if invitation.status == "completed":
        raise AlreadyUsed("this invitation has been answered")
    check_round_open(invitation.round, today)
    version = version_for(invitation.round, invitation.group_code)
    return LinkSurvey(
        invitation_id=invitation.id, token_hash=digest, round=invitation.round, unit=invitation.unit,
        group_code=invitation.group_code, version=version, questionnaire=questionnaire_of(version),
        draft=_as_draft(invitation.draft),
    )


def _as_draft(stored: object) -> dict[str, list[str]]:
    if not isinstance(stored, dict):
        return {}
    return {str(k): [str(v) for v in values] for k, values in stored.items() if isinstance(values, list)}


def mark_visit(session: Session, link: LinkSurvey) -> None:
    """The link was opened: the email arrived (status ``opened``), and the respondent is active now.

    ``opened_at`` is the last visit, so that reminders (which replace the
    token) are not sent to someone in the middle of answering; it is erased
    on completion.
    """
    _record(session, update(Invitation).where(
        Invitation.id == link.invitation_id, Invitation.token_hash == link.token_hash,
        Invitation.status != "completed",
    ).values(status="opened", opened_at=utcnow()))


def save_draft(session: Session, link: LinkSurvey, kept: dict[str, list[str]]) -> bool:
    """Keep the answers given so far (raw form values of known items only); False if too late."""
    codes = {item.code for item in link.questionnaire.items}
    draft = {code: [v[:MAX_DRAFT_VALUE] for v in values[:50]] for code, values in kept.items() if code in codes}
    result = session.execute(update(Invitation).where(
        Invitation.id == link.invitation_id, Invitation.token_hash == link.token_hash,
        Invitation.status != "completed",
    ).values(draft=draft, status="opened", opened_at=utcnow()), execution_options={"synchronize_session": False})
    session.commit()
    return isinstance(result, CursorResult) and result.rowcount == 1


def completion_guard(link: LinkSurvey) -> Update:
    """The UPDATE that completes the invitation in the response's transaction (exactly once).

    It changes one row only if the invitation is not completed yet and the
    token is still current; it erases the draft and the last visit, and
    records nothing about when or which response.
    """
    return update(Invitation).where(
        Invitation.id == link.invitation_id, Invitation.token_hash == link.token_hash,
        Invitation.status != "completed",
    ).values(status="completed", draft=None, opened_at=None)


def completed_unit(session: Session, token: str) -> Unit | None:
    """The unit of the answered invitation this token belonged to (for the thank-you page), else None."""
    if not TOKEN_PATTERN.match(token):
        return None
    return session.scalar(select(Unit).join(Invitation, Invitation.unit_id == Unit.id).where(
        Invitation.token_hash == token_hash(token), Invitation.status == "completed"))


# --- status ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusRow:
    group_code: str
    unit_code: str
    unit_name: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _display_status() -> ColumnElement[str]:
    """SQL expression of the status shown to staff (with the derived "unconfirmed")."""
    return case(
        (Invitation.status.in_(UNSENT_STATUSES) & Invitation.sent_at.is_not(None), "unconfirmed"),
        else_=Invitation.status,
    )


def status_table(session: Session, round_id: int, unit_id: int | None = None) -> list[StatusRow]:
    """Counts of invitations per group, unit and status (for the console and the CLI)."""
    status = _display_status()
    stmt = (select(Invitation.group_code, Unit.code, Unit.name_vi, status, func.count())
            .join(Unit, Unit.id == Invitation.unit_id).where(Invitation.round_id == round_id)
            .group_by(Invitation.group_code, Unit.code, Unit.name_vi, status)
            .order_by(Invitation.group_code, Unit.code))
    if unit_id is not None:
        stmt = stmt.where(Invitation.unit_id == unit_id)
    rows: dict[tuple[str, str], StatusRow] = {}
    for group, unit_code, unit_name, shown, count in session.execute(stmt):
        row = rows.setdefault((group, unit_code), StatusRow(group, unit_code, unit_name,
                                                            dict.fromkeys(DISPLAY_STATUSES, 0)))
        row.counts[shown] = count
    return list(rows.values())


def totals(rows: Iterable[StatusRow]) -> dict[str, int]:
    summed = dict.fromkeys(DISPLAY_STATUSES, 0)
    for row in rows:
        for status, count in row.counts.items():
            summed[status] += count
    return summed


@dataclass(frozen=True)
class ContactStatus:
    id: int
    group_code: str
    unit_code: str
    name: str
    email: str
    status: str
    send_attempts: int
    reminders_sent: int
    last_error: str | None
    sent_at: datetime | None


def contact_statuses(session: Session, round_id: int, *, group: str | None = None, status: str | None = None,
                     unit_id: int | None = None, limit: int = 200, offset: int = 0) -> list[ContactStatus]:
    shown = _display_status()
    stmt = (select(Invitation.id, Invitation.group_code, Unit.code, Invitation.name, Invitation.email, shown,
                   Invitation.send_attempts, Invitation.reminders_sent, Invitation.last_error, Invitation.sent_at)
            .join(Unit, Unit.id == Invitation.unit_id).where(Invitation.round_id == round_id)
            .order_by(Invitation.id).limit(limit).offset(offset))
    if group:
        stmt = stmt.where(Invitation.group_code == group)
    if status:
        stmt = stmt.where(shown == status)
    if unit_id is not None:
        stmt = stmt.where(Invitation.unit_id == unit_id)
    return [ContactStatus(*row) for row in session.execute(stmt)]


# --- scrubbing what the database engine remembers --------------------------------------------


@dataclass(frozen=True)
class ScrubReport:
    drafts_erased: int
    invitations_restamped: int
    slip_codes_rewritten: int


class ScrubBusy(Exception):
    """Another transaction held the tables longer than the lock timeout; nothing was changed."""


def scrub(session: Session, today: date | None = None, lock_timeout_ms: int = 5000) -> ScrubReport:
    """Remove traces that could join a response to an invitation or a slip code.

    Run daily (cron) and when a round closes. The schema keeps no link, but the
    engines keep two of their own:

    * PostgreSQL stamps every row with the id of the transaction that wrote it
      (``xmin``): a completed invitation and its response share one until the
      invitation is written again. We rewrite all completed invitations, and
      all used slip codes, in one transaction, so they share a single id.
    * Rows are stored in the order they were written (PostgreSQL ``ctid``,
      SQLite ``rowid`` of the used-slip-code table), so the n-th completion
      could be matched with the n-th response. We rewrite both tables in key
      order (``CLUSTER`` on PostgreSQL, delete and re-insert in hash order on
      SQLite) and, on SQLite, checkpoint the write-ahead log.

    Drafts of rounds that have closed are erased too: a draft is the one
    place where answers sit next to an address, and after the close nobody
    can send them any more.

    ``CLUSTER`` locks both tables while it rewrites them (milliseconds for
    thousands of rows) and must wait for transactions that are reading them;
    ``lock_timeout`` bounds that wait, so a forgotten open transaction makes
    the scrub fail (ScrubBusy, retry later) instead of stalling the survey
    pages queued behind it.
    """
    try:
        return _scrub(session, today or today_utc(), lock_timeout_ms)
    except OperationalError as exc:
        session.rollback()
        raise ScrubBusy(f"the invitation tables are in use: {type(exc.orig).__name__}") from exc


def _scrub(session: Session, today: date, lock_timeout_ms: int) -> ScrubReport:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text(f"SET LOCAL lock_timeout = {int(lock_timeout_ms)}"))
    closed = select(Round.id).where(or_(Round.status == "closed", Round.closes_on < today))
    erased = session.execute(
        update(Invitation).where(Invitation.round_id.in_(closed), Invitation.draft.is_not(None))
        .values(draft=None, opened_at=None), execution_options={"synchronize_session": False})
    restamped = session.execute(
        update(Invitation).where(Invitation.status == "completed").values(status="completed", opened_at=None),
        execution_options={"synchronize_session": False})
    codes = _rewrite_slip_codes(session)
    if dialect == "postgresql":
        session.execute(text("CLUSTER invitations USING pk_invitations"))
        session.execute(text("CLUSTER used_slip_codes USING pk_used_slip_codes"))
    session.commit()
    if dialect == "sqlite":
        session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        session.commit()
    return ScrubReport(_rowcount(erased), _rowcount(restamped), codes)


def _rewrite_slip_codes(session: Session) -> int:
    rows = session.execute(select(UsedSlipCode.code_hash, UsedSlipCode.round_id, UsedSlipCode.used_on)
                           .order_by(UsedSlipCode.code_hash)).all()
    if not rows:
        return 0
    session.execute(UsedSlipCode.__table__.delete())
    session.execute(UsedSlipCode.__table__.insert(),
                    [{"code_hash": h, "round_id": r, "used_on": d} for h, r, d in rows])
    return len(rows)


def _rowcount(result: object) -> int:
    return result.rowcount if isinstance(result, CursorResult) else 0
