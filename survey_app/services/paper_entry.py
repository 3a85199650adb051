"""Double entry of paper forms: two staff members key each form; it is stored when they agree.

Keying errors are the main error of paper surveys, and a second, independent
keying catches nearly all of them. The rules:

- a form number must have been issued (services.paper) and not stored yet;
- the two keyings must come from two different staff members (a unique key);
- the second keying is compared with the first, answer by answer, after both
  went through the web form's validation (questionnaire.parse_answers, skip
  logic included); equal answers are stored at once, different ones wait for a
  supervisor, who sees them side by side and keys the final answers;
- the response is stored through services.submission with the form number as
  its nonce, so a form is stored at most once even if two people settle it at
  the same moment, and the keyed copies are deleted in the same transaction:
  afterwards nothing links the stored answers to who keyed them. The audit log
  counts keyings per person; it never holds a form number or an answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from survey_app.models import AuditEntry, PaperEntry, PaperForm, StaffUser, today_utc
from survey_app.questionnaire import Questionnaire, parse_answers
from survey_app.questionnaire.answers import ParseResult
from survey_app.questionnaire.model import ItemType
from survey_app.services import audit
from survey_app.services.paper import normalise_number
from survey_app.services.questionnaires import questionnaire_of
from survey_app.services.submission import Submission, store_response

_CODES_SEPARATOR = re.compile(r"[\s,;+]+")


class EntryRefused(Exception):
    """The form cannot be keyed; ``reason`` is a code the console turns into a sentence."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Outcome:
    """What a keying led to: ``first`` (waiting for the second), ``stored`` or ``disputed``."""

    status: str
    number: str


def find_form(session: Session, text: str, user: StaffUser) -> PaperForm:
    """The form with the typed number, if ``user`` may key it now; EntryRefused otherwise."""
    number = normalise_number(text)
    form = session.get(PaperForm, number) if number else None
    if form is None:
        raise EntryRefused("unknown_number")
    if form.status == "stored":
        raise EntryRefused("already_stored")
    if form.status == "disputed":
        raise EntryRefused("disputed")
    if any(entry.staff_user_id == user.id for entry in form.entries):
        raise EntryRefused("keyed_by_you")
    return form


def questionnaire_for(form: PaperForm) -> Questionnaire:
    version = form.round.version_for(form.group_code)
    if version is None:  # the round's questionnaire was removed after printing
        raise EntryRefused("no_questionnaire")
    return questionnaire_of(version)


def keyed_values(q: Questionnaire, typed: Mapping[str, str]) -> dict[str, list[str]]:
    """The typed codes as the web form would send them: a multiple-choice item's codes split apart.

    Staff type ``1 3`` or ``1;3`` or ``1,3`` for several ticked boxes.
    """
    values: dict[str, list[str]] = {}
    for item in q.items:
        text = typed.get(item.code, "")
        if not isinstance(text, str) or not text.strip():
            continue
        if item.type is ItemType.MULTIPLE:
            values[item.code] = [part for part in _CODES_SEPARATOR.split(text.strip()) if part]
        else:
            values[item.code] = [text]
    return values


def check_entry(q: Questionnaire, typed: Mapping[str, str]) -> ParseResult:
    """The web form's validation and skip logic, applied to keyed codes."""
    return parse_answers(q, keyed_values(q, typed))


def key_form(session: Session, form: PaperForm, user: StaffUser, answers: Mapping[str, object]) -> Outcome:
    """Record ``user``'s keying of ``form`` (answers already checked), with its audit entry; the caller
    commits (a form stored by the second keying is committed here: see ``_store``). See the module docstring."""
    number = form.number
    previous = [entry for entry in form.entries if entry.staff_user_id != user.id]
    if form.status == "issued" and not previous:
        _keep_entry(session, form, user, answers, "issued", "keyed")
        return Outcome("first", number)
    if form.status != "keyed" or len(previous) != 1:
        raise EntryRefused("keyed_meanwhile")
    if previous[0].answers == answers:
        if not _store(session, form, dict(answers), from_status="keyed", counted=(user, "paper.keyed")):
            raise EntryRefused("already_stored")
        return Outcome("stored", number)
    _keep_entry(session, form, user, answers, "keyed", "disputed")
    return Outcome("disputed", number)


def _keep_entry(session: Session, form: PaperForm, user: StaffUser, answers: Mapping[str, object],
                from_status: str, to_status: str) -> None:
    """Move the form from ``from_status`` to ``to_status`` (guarded: another keying may have won) and keep
    this keying beside it until the form is stored; the caller commits."""
    changed = session.execute(update(PaperForm).where(PaperForm.number == form.number, PaperForm.status == from_status)
                              .values(status=to_status), execution_options={"synchronize_session": False})
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise EntryRefused("keyed_meanwhile")
    session.add(PaperEntry(form_number=form.number, staff_user_id=user.id, answers=dict(answers)))
    _count(session, user, form, "paper.keyed")
    session.flush()


def disputed_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PaperForm).where(PaperForm.status == "disputed")) or 0


def keyed_counts(session: Session) -> list[tuple[str, int]]:
    """Who keyed how many forms, by email: counted from the audit log (counts, never answers)."""
    return [(email, n) for email, n in session.execute(
        select(StaffUser.email, func.count()).join(AuditEntry, AuditEntry.user_id == StaffUser.id)
        .where(AuditEntry.action == "paper.keyed").group_by(StaffUser.email).order_by(StaffUser.email))]


def disputed_forms(session: Session) -> list[PaperForm]:
    return list(session.scalars(select(PaperForm).where(PaperForm.status == "disputed").order_by(PaperForm.issued_at)))


@dataclass(frozen=True)
class Difference:
    """One item of a disputed form: the two keyed answers, and whether they differ."""

    code: str
    number: int
    text: str
    first: object
    second: object

    @property
    def differs(self) -> bool:
        return self.first != self.second


def side_by_side(q: Questionnaire, form: PaperForm, lang: str) -> list[Difference]:
    """Every item with both keyings (entries in the order keyed; no staff names: the supervisor
    judges the paper, not the person)."""
    first, second = (entry.answers for entry in form.entries[:2])
    return [Difference(item.code, number, item.text.get(lang), first.get(item.code), second.get(item.code))
            for number, item in enumerate(q.items, start=1)]


def settle(session: Session, form: PaperForm, supervisor: StaffUser, answers: Mapping[str, object]) -> bool:
    """Store the supervisor's final answers for a disputed form, with the audit entry (committed
    here: see ``_store``); False if it was settled meanwhile."""
    return _store(session, form, dict(answers), from_status="disputed", counted=(supervisor, "paper.settled"))


def _store(session: Session, form: PaperForm, answers: dict[str, object], *, from_status: str,
           counted: tuple[StaffUser, str]) -> bool:
    """The response (channel paper, no staff, form number as nonce), the form marked stored, its
    keyed copies deleted and the audit entry: one transaction, all or nothing. It is
    ``store_response``'s, which commits or rolls back (the one exception to "the caller commits")."""
    user, action = counted
    q = questionnaire_for(form)
    version = form.round.version_for(form.group_code)
    assert version is not None  # questionnaire_for checked it
    submission = Submission(
        round_id=form.round_id, group_code=q.group, unit_id=form.unit_id, channel="paper",
        version_id=version.id, answers=answers, nonce=f"paper:{form.number}", submitted_on=today_utc(),
        guards=(update(PaperForm).where(PaperForm.number == form.number, PaperForm.status == from_status)
                .values(status="stored"),),
        also_insert=(audit.entry(user, action, form.round.name, forms=1),),
    )
    # Executed (not pending) in the session's transaction, which store_response commits or rolls back.
    session.execute(delete(PaperEntry).where(PaperEntry.form_number == form.number),
                    execution_options={"synchronize_session": False})
    return store_response(session, submission)


def _count(session: Session, user: StaffUser, form: PaperForm, action: str) -> None:
    """One audit entry per keyed form: who and which round, never the form number or answers."""
    audit.record(session, user, action, form.round.name, forms=1)

