"""Questionnaire files <-> stored versions.

Files in ``questionnaires/`` are the source of truth for new rounds; each distinct
text is stored once as a :class:`QuestionnaireVersion` (keyed by content hash) and
responses point at the version their respondent saw. Parsed questionnaires are
cached by hash, since a version never changes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import QuestionnaireVersion
from survey_app.questionnaire import Questionnaire, parse_questionnaire_text


def ensure_version(session: Session, questionnaire: Questionnaire) -> QuestionnaireVersion:
    existing = session.scalar(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.group_code == questionnaire.group,
            QuestionnaireVersion.content_hash == questionnaire.content_hash,
        )
    )
    if existing is not None:
        return existing
    version = QuestionnaireVersion(
        group_code=questionnaire.group,
        content_hash=questionnaire.content_hash,
        source=questionnaire.source,
    )
    session.add(version)
    session.flush()
    return version


def questionnaire_of(version: QuestionnaireVersion) -> Questionnaire:
    """The parsed questionnaire of a stored version, cached by content hash.

    Versions are immutable, so the cache never goes stale; the (deferred) source
    text is loaded from the database only on a miss.
    """
    parsed = _PARSED.get(version.content_hash)
    if parsed is None:
        parsed = parse_questionnaire_text(version.source, f"{version.group_code}.yaml")
        if len(_PARSED) < 128:
            _PARSED[version.content_hash] = parsed
    return parsed


_PARSED: dict[str, Questionnaire] = {}


def remember(questionnaire: Questionnaire) -> None:
    """Keep an already parsed questionnaire (read from its file): a stored version with the
    same text, hence the same content hash, is then not parsed again."""
    if len(_PARSED) < 128:
        _PARSED.setdefault(questionnaire.content_hash, questionnaire)
