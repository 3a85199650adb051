"""Which round is collecting answers, and for which questionnaire."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from survey_app.models import QuestionnaireVersion, RespondentGroup, Round, RoundQuestionnaire
from survey_app.services.errors import NotFound, RoundNotOpen


def current_round(session: Session, today: date) -> Round:
    """The open round whose period contains ``today``.

    Several rounds may be open at once only if their periods do not overlap in
    practice; if they do, the one that opened last wins. When none is open we say
    whether the next one has not started yet or the last one has closed, so the
    respondent gets the right page.
    """
    rounds = session.scalars(
        select(Round).where(Round.status != "draft").order_by(Round.opens_on.desc())
        .options(selectinload(Round.questionnaires).joinedload(RoundQuestionnaire.version))
    )
    latest_closed: Round | None = None
    upcoming: Round | None = None
    for round_ in rounds:
        if round_.is_open_on(today):
            return round_
        if round_.opens_on > today and round_.status == "open":
            upcoming = round_
        elif latest_closed is None:
            latest_closed = round_
    if upcoming is not None:
        raise RoundNotOpen("not_yet", upcoming.name)
    raise RoundNotOpen("closed", latest_closed.name if latest_closed else None)


def check_round_open(round_: Round, today: date) -> None:
    if round_.is_open_on(today):
        return
    reason = "not_yet" if round_.status != "closed" and today < round_.opens_on else "closed"
    raise RoundNotOpen(reason, round_.name)


def version_for(round_: Round, group_code: str) -> QuestionnaireVersion:
    version = round_.version_for(group_code)
    if version is None:
        raise NotFound(f"round {round_.name!r} has no questionnaire for group {group_code!r}")
    return version


def desk_group(session: Session, round_id: int) -> str | None:
    """The group that answers at the desk (QR poster, kiosk, result slip) in a round.

    Of the groups the round has a questionnaire for and that are reached by
    ``desk_qr`` (respondent_groups.reached_by), the first in the groups list:
    citizens in the shipped lists. Queried by id, so a cached, detached round will do.
    """
    rows = session.execute(
        select(RespondentGroup.code, RespondentGroup.reached_by)
        .join(RoundQuestionnaire, RoundQuestionnaire.group_code == RespondentGroup.code)
        .where(RoundQuestionnaire.round_id == round_id)
        .order_by(RespondentGroup.position, RespondentGroup.code)
    ).all()
    return next((code for code, reached in rows if "desk_qr" in (reached or [])), None)


def desk_version(session: Session, round_: Round) -> QuestionnaireVersion:
    """The questionnaire version answered at the desks in ``round_``; NotFound when no group answers there."""
    group = desk_group(session, round_.id)
    if group is None:
        raise NotFound(f"round {round_.name!r} has no respondent group that answers at the desk")
    return version_for(round_, group)
