"""Personal invitations: tokens, sending, reminders, answering by link, status.

The package is split by concern: :mod:`.tokens`, :mod:`.composition` (the
emails), :mod:`.sending`, :mod:`.reminders`, :mod:`.answering` (the link, its
drafts and completion), :mod:`.status` (counts for staff) and
:mod:`.scrubbing`; :mod:`.rows` holds the one-row conditional UPDATE that
sending, reminding and answering share. Callers import from the package.
"""

from survey_app.services.invitations.answering import (
    MAX_DRAFT_VALUE,
    LinkSurvey,
    completed_unit,
    completion_guard,
    mark_visit,
    open_link,
    save_draft,
)
from survey_app.services.invitations.composition import Composer, make_composer
from survey_app.services.invitations.reminders import send_reminders
from survey_app.services.invitations.scrubbing import ScrubBusy, ScrubReport, scrub
from survey_app.services.invitations.sending import SendReport, send_invitations
from survey_app.services.invitations.status import (
    CONTACT_STATUSES,
    DISPLAY_STATUSES,
    OPEN_STATUSES,
    UNSENT_STATUSES,
    ContactStatus,
    StatusRow,
    contact_statuses,
    status_table,
    suppress,
    suppress_counts,
    totals,
)
from survey_app.services.invitations.tokens import TOKEN_PATTERN, new_token, token_hash

__all__ = [
    "CONTACT_STATUSES", "DISPLAY_STATUSES", "MAX_DRAFT_VALUE", "OPEN_STATUSES", "TOKEN_PATTERN", "UNSENT_STATUSES", "Composer",
    "ContactStatus", "LinkSurvey", "ScrubBusy", "ScrubReport", "SendReport", "StatusRow", "completed_unit",
    "completion_guard", "contact_statuses", "make_composer", "mark_visit", "new_token", "open_link",
    "save_draft", "scrub", "send_invitations", "send_reminders", "status_table", "suppress", "suppress_counts", "token_hash", "totals",
]
