"""Answering by personal link: opening it, drafts, and completion in the response's transaction.

Anonymity
    Completing an invitation sets ``status = 'completed'`` and erases the draft
    and the last-visit time, in the response's own transaction (see
    :func:`completion_guard`); nothing records when, or which response.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import CursorResult, Update, select, update
from sqlalchemy.orm import Session, joinedload

from survey_app.models import Invitation, QuestionnaireVersion, Round, Unit, utcnow
from survey_app.questionnaire import Questionnaire
from survey_app.services.errors import AlreadyUsed, NotFound
from survey_app.services.invitations.tokens import TOKEN_PATTERN, token_hash
from survey_app.services.questionnaires import questionnaire_of
from survey_app.services.rounds import check_round_open, version_for

MAX_DRAFT_VALUE = 4000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
    on completion. The caller commits.
    """
    session.execute(update(Invitation).where(
        Invitation.id == link.invitation_id, Invitation.token_hash == link.token_hash,
        Invitation.status != "completed",
    ).values(status="opened", opened_at=utcnow()), execution_options={"synchronize_session": False})


def save_draft(session: Session, link: LinkSurvey, kept: dict[str, list[str]]) -> bool:
    """Keep the answers given so far (raw form values of known items only); False if too late.
    The caller commits."""
    codes = {item.code for item in link.questionnaire.items}
    # NUL and other control characters cannot be meant, and PostgreSQL's JSON refuses NUL: the
    # whole draft was lost on it. They go, the rest is kept.
    draft = {code: [_CONTROL.sub("", v)[:MAX_DRAFT_VALUE] for v in values[:50]]
             for code, values in kept.items() if code in codes}
    result = session.execute(update(Invitation).where(
        Invitation.id == link.invitation_id, Invitation.token_hash == link.token_hash,
        Invitation.status != "completed",
    ).values(draft=draft, status="opened", opened_at=utcnow()), execution_options={"synchronize_session": False})
    return isinstance(result, CursorResult) and result.rowcount == 1


def completion_guard(link: LinkSurvey) -> Update:
    """The UPDATE that completes the invitation in the response's transaction (exactly once).

    It changes one row only if the invitation is not completed yet and the
    token is still current; it erases the draft, the last visit and the
    reminder history (a count that stops growing, or a last-reminded time,
    would date the completion), and records nothing about when or which response.
    """
    return update(Invitation).where(
        Invitation.id == link.invitation_id, Invitation.token_hash == link.token_hash,
        Invitation.status != "completed",
    ).values(status="completed", draft=None, opened_at=None, reminders_sent=0, last_reminded_at=None)


def completed_unit(session: Session, token: str) -> Unit | None:
    """The unit of the answered invitation this token belonged to (for the thank-you page), else None."""
    if not TOKEN_PATTERN.match(token):
        return None
    return session.scalar(select(Unit).join(Invitation, Invitation.unit_id == Unit.id).where(
        Invitation.token_hash == token_hash(token), Invitation.status == "completed"))
