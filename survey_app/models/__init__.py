"""All models, importable from one place (Alembic's autogenerate needs them loaded)."""

from survey_app.models.base import Base, today_utc, utcnow
from survey_app.models.invitation import INVITATION_STATUSES, Invitation, UsedSlipCode
from survey_app.models.org import UNIT_KINDS, ServicePoint, Unit
from survey_app.models.results import JOB_STATUSES, MARGIN_DIMENSIONS, AnalysisRun, Job, ParPoint, RoundMargin
from survey_app.models.response import CHANNELS, Response, SubmissionNonce, new_response_id
from survey_app.models.staff import ROLES, AuditEntry, StaffUser
from survey_app.models.survey import (
    GROUPS,
    OFFICIAL_GROUPS,
    ROUND_STATUSES,
    QuestionnaireVersion,
    Round,
    RoundQuestionnaire,
    Target,
)

__all__ = [
    "Base", "today_utc", "utcnow", "INVITATION_STATUSES", "Invitation", "UsedSlipCode", "UNIT_KINDS",
    "ServicePoint", "Unit", "CHANNELS", "Response", "SubmissionNonce", "new_response_id",
    "ROLES", "AuditEntry", "StaffUser", "GROUPS", "OFFICIAL_GROUPS", "ROUND_STATUSES",
    "QuestionnaireVersion", "Round", "RoundQuestionnaire", "Target", "JOB_STATUSES", "MARGIN_DIMENSIONS",
    "RoundMargin", "AnalysisRun", "ParPoint", "Job",
]
