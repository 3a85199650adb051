"""All models, importable from one place (Alembic's autogenerate needs them loaded)."""

from survey_app.models.abuse import KioskTablet, StuffingSignal
from survey_app.models.base import Base, today_utc, utcnow
from survey_app.models.invitation import INVITATION_STATUSES, Invitation, UsedSlipCode
from survey_app.models.org import ServicePoint, Unit, UnitReplacement
from survey_app.models.paper import PAPER_STATUSES, PaperEntry, PaperForm
from survey_app.models.response import CHANNELS, ImportedSubmission, Response, SubmissionNonce, new_response_id
from survey_app.models.results import JOB_STATUSES, MARGIN_DIMENSIONS, AnalysisRun, Job, ParPoint, RoundMargin
from survey_app.models.staff import ROLES, AuditEntry, Role, StaffUser
from survey_app.models.structure import (
    PROGRAMME_KINDS,
    REACH_CHANNELS,
    TIERS,
    Programme,
    ProgrammeGroup,
    ProgrammeScheme,
    ProgrammeUnitKind,
    QuestionnaireVersion,
    RespondentGroup,
    RoundProgramme,
    UnitKind,
)
from survey_app.models.survey import (
    ROUND_STATUSES,
    Round,
    RoundQuestionnaire,
    Target,
)
from survey_app.models.tally import AnswerTally

__all__ = [
    "Base", "today_utc", "utcnow", "INVITATION_STATUSES", "Invitation", "UsedSlipCode",
    "ServicePoint", "Unit", "UnitReplacement", "CHANNELS", "Response", "SubmissionNonce", "new_response_id",
    "ROLES", "AuditEntry", "Role", "StaffUser", "ROUND_STATUSES",
    "QuestionnaireVersion", "Round", "RoundQuestionnaire", "Target", "KioskTablet", "StuffingSignal",
    "PROGRAMME_KINDS", "REACH_CHANNELS", "TIERS", "Programme", "ProgrammeGroup", "ProgrammeScheme",
    "ProgrammeUnitKind", "RespondentGroup", "RoundProgramme", "UnitKind",
    "JOB_STATUSES", "MARGIN_DIMENSIONS", "RoundMargin", "AnalysisRun", "ParPoint", "Job",
    "PAPER_STATUSES", "PaperEntry", "PaperForm", "ImportedSubmission",
]
__all__ += ["AnswerTally"]
