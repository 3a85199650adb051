"""Questionnaire versions from and to XLSForm workbooks, and publishing a version to a round.

An imported workbook becomes a stored version exactly like a file in
``questionnaires/``: its canonical text is checked by the loader and stored
once under its hash.  A workbook whose questions are those of a version
already stored (for instance one exported by the product) gives back that
version, so export and import again never creates a twin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import QuestionnaireVersion, Round, RoundQuestionnaire
from survey_app.questionnaire.model import Questionnaire
from survey_app.questionnaire.xlsform import WorkbookError, read_workbook, same_content, write_workbook
from survey_app.services.problems import Problem, ProblemsFound
from survey_app.services.programmes import group_codes
from survey_app.services.questionnaires import ensure_version, questionnaire_of
from survey_app.services.rounds_admin import responses_by_group


def known_group(session: Session, code: str) -> bool:
    """Whether ``code`` is a respondent group (a row of respondent_groups): the one place imports check it."""
    return code in group_codes(session)


@dataclass(frozen=True)
class ImportResult:
    version: QuestionnaireVersion
    questionnaire: Questionnaire
    created: bool
    warnings: tuple[Problem, ...]


def import_workbook(session: Session, data: bytes, filename: str, group: str) -> ImportResult:
    """Store the workbook as a version of ``group`` (or find the stored version with the same questions).

    Raises :class:`WorkbookError` naming sheet, row and column of every
    problem; nothing is stored then.
    """
    if not known_group(session, group):
        raise WorkbookError([Problem.at("settings", None, None, f"không có nhóm đối tượng '{group}'",
                                          f"there is no respondent group '{group}'")])
    converted = read_workbook(data, filename, group)
    existing = find_same(session, converted.questionnaire)
    if existing is not None:
        return ImportResult(existing, questionnaire_of(existing), False, converted.warnings)
    version = ensure_version(session, converted.questionnaire)
    return ImportResult(version, converted.questionnaire, True, converted.warnings)


def find_same(session: Session, questionnaire: Questionnaire) -> QuestionnaireVersion | None:
    """The stored version of the same group asking the same things, whatever its text's layout."""
    versions = session.scalars(select(QuestionnaireVersion).where(
        QuestionnaireVersion.group_code == questionnaire.group).order_by(QuestionnaireVersion.id))
    for version in versions:
        if version.content_hash == questionnaire.content_hash or same_content(questionnaire_of(version), questionnaire):
            return version
    return None


def export_workbook(version: QuestionnaireVersion) -> bytes:
    return write_workbook(questionnaire_of(version))


def find_version(session: Session, short_hash: str) -> QuestionnaireVersion | None:
    """A version by its (short or full) hash; None when unknown or ambiguous."""
    prefix = short_hash.strip().lower()
    if len(prefix) < 6:
        return None
    found = session.scalars(select(QuestionnaireVersion).where(
        QuestionnaireVersion.content_hash.startswith(prefix, autoescape=True)).limit(2)).all()
    return found[0] if len(found) == 1 else None


def open_round(session: Session, today: date) -> Round | None:
    """The round open today (the last opened when several are), or None."""
    rounds = session.scalars(select(Round).where(Round.status == "open").order_by(Round.opens_on.desc()))
    return next((r for r in rounds if r.is_open_on(today)), None)


def version_in_use(session: Session, group: str, today: date) -> QuestionnaireVersion | None:
    """What respondents of ``group`` answer now: the open round's version, else the latest round's, else None."""
    round_ = open_round(session, today)
    if round_ is not None and round_.version_for(group) is not None:
        return round_.version_for(group)
    return session.scalar(
        select(QuestionnaireVersion).join(RoundQuestionnaire, RoundQuestionnaire.version_id == QuestionnaireVersion.id)
        .join(Round).where(RoundQuestionnaire.group_code == group).order_by(Round.opens_on.desc()).limit(1))


def publish(session: Session, version: QuestionnaireVersion, round_: Round) -> None:
    """Make ``version`` the questionnaire its group answers in ``round_``.

    Refused once that group has answered in the round: earlier answers would
    no longer refer to the questions asked.
    """
    group = version.group_code
    current = round_.version_for(group)
    if current is not None and current.id == version.id:
        return
    if responses_by_group(session, round_.id).get(group):
        raise ProblemsFound([Problem(f"version_{group}", "group_has_responses", group)])
    for link in round_.questionnaires:
        if link.group_code == group:
            link.version = version
            break
    else:
        round_.questionnaires.append(RoundQuestionnaire(group_code=group, version=version))
    session.flush()
