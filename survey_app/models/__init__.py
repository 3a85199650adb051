"""All models, importable from one place (Alembic's autogenerate needs them loaded)."""

from survey_app.models.abuse import KioskTablet, StuffingSignal
from survey_app.models.base import Base, today_utc, utcnow
from survey_app.models.invitation import INVITATION_STATUSES, Invitation, UsedSlipCode
from survey_app.models.org import ServicePoint, Unit, UnitReplacement
from survey_app.models.response import CHANNELS, Response, SubmissionNonce, new_response_id
from survey_app.models.tally import AnswerTally
from survey_app.models.staff import ROLES, AuditEntry, StaffUser
from survey_app.models.structure import (
    PROGRAMME_KINDS,
    REACH_CHANNELS,
    TIERS,
    Programme,
    ProgrammeGroup,
    ProgrammeScheme,
    ProgrammeUnitKind,
    RespondentGroup,
    RoundProgramme,
    UnitKind,
)
from survey_app.models.survey import (
    ROUND_STATUSES,
    QuestionnaireVersion,
    Round,
    RoundQuestionnaire,
    Target,
)

__all__ = [
    "Base", "today_utc", "utcnow", "INVITATION_STATUSES", "Invitation", "UsedSlipCode",
    "ServicePoint", "Unit", "UnitReplacement", "CHANNELS", "Response", "SubmissionNonce", "new_response_id",
    "ROLES", "AuditEntry", "StaffUser", "ROUND_STATUSES",
    "QuestionnaireVersion", "Round", "RoundQuestionnaire", "Target", "KioskTablet", "StuffingSignal",
    "PROGRAMME_KINDS", "REACH_CHANNELS", "TIERS", "Programme", "ProgrammeGroup", "ProgrammeScheme",
    "ProgrammeUnitKind", "RespondentGroup", "RoundProgramme", "UnitKind",
]
__all__ += ["AnswerTally"]
