"""The audit log in sentences: "Mở đợt khảo sát", not ``round.open``.

Actions are stored as stable codes (filters and tests rely on them); the console shows each
as a sentence in the reader's language, its details with readable names and values. A code
without a sentence here is shown as it is (a test lists every code the application records).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ACTIONS: Mapping[str, object] = {
    "login": _l("Signed in"),
    "login.failed": _l("Sign-in failed"),
    "login.locked": _l("Account locked after repeated failed sign-ins"),
    "logout": _l("Signed out"),
    "password.change": _l("Changed their password"),
    "user.create": _l("Created a staff account"),
    "user.update": _l("Changed a staff account"),
    "round.create": _l("Created a survey round"),
    "round.update": _l("Changed a survey round"),
    "round.open": _l("Opened a survey round"),
    "round.closed": _l("Closed a survey round"),
    "round.draft": _l("Put a survey round back to draft"),
    "round.slip_secret.reveal": _l("Revealed the round's result-slip secret"),
    "targets.save": _l("Saved the sample targets"),
    "unit.create": _l("Added a unit"),
    "unit.update": _l("Changed a unit"),
    "unit.import": _l("Imported units from a file"),
    "desk.create": _l("Added a desk"),
    "desk.update": _l("Changed a desk"),
    "desk.import": _l("Imported desks from a file"),
    "desk.api_key.create": _l("Created an API key for a desk"),
    "desk.api_key.revoke": _l("Revoked a desk's API key"),
    "kiosk.enrol": _l("Set up a tablet as a desk's kiosk"),
    "posters.zip": _l("Downloaded all posters of a round"),
    "questionnaire.edit": _l("Edited a questionnaire (saved as a new version)"),
    "questionnaires.sync": _l("Loaded the questionnaire files"),
    "contacts.import": _l("Imported a contact list"),
    "export.csv": _l("Exported responses (CSV)"),
    "export.xlsx": _l("Exported responses (XLSX)"),
    "unit_kind.create": _l("Added a unit kind"),
    "unit_kind.update": _l("Changed a unit kind"),
    "group.create": _l("Added a respondent group"),
    "group.update": _l("Changed a respondent group"),
    "structure.sync": _l("Loaded the shipped unit kinds and respondent groups"),
    "programme.create": _l("Created a programme"),
    "programme.update": _l("Changed a programme"),
    "programme.load": _l("Loaded a programme from its file"),
    "programme.questionnaire": _l("Stored a questionnaire for a programme"),
    "programme.scheme": _l("Stored an index scheme for a programme"),
    "programme.scheme_remove": _l("Removed an index scheme from a programme"),
}

DETAILS: Mapping[str, object] = {
    "group": _l("group"), "role": _l("role"), "active": _l("active"), "units": _l("units"),
    "count": _l("rows"), "n": _l("number"), "posters": _l("posters"), "via": _l("through"),
    "old": _l("old version"), "new": _l("new version"), "versions": _l("versions"),
    "created": _l("added"), "updated": _l("changed"), "status": _l("status"), "code": _l("code"),
    "email": _l("email"), "password_reset": _l("password reset"), "unlocked": _l("unlocked"),
    "to_open": _l("to open"), "version": _l("version"), "scheme": _l("scheme"), "kinds": _l("unit kinds"),
    "groups": _l("groups"),
}


def action_sentence(action: str) -> str:
    sentence = ACTIONS.get(action)
    return str(sentence) if sentence is not None else action


def detail_text(detail: Mapping[str, object] | None) -> str:
    """``group=citizen, via=cli`` as "nhóm: Người dân; qua: dòng lệnh"."""
    from survey_app.admin.helpers import ROLE_LABELS, group_labels

    parts = []
    groups = group_labels() if detail and "group" in detail else {}
    for key, value in (detail or {}).items():
        if value is True or value is False:
            shown = _("yes") if value else _("no")
        elif key == "group":
            shown = str(groups.get(str(value), _("all groups") if value == "all" else value))
        elif key == "role":
            shown = str(ROLE_LABELS.get(str(value), value))
        elif key == "via" and value == "cli":
            shown = _("the command line")
        elif isinstance(value, Mapping):
            shown = ", ".join(f"{k}: {v}" for k, v in value.items())
        else:
            shown = str(value)
        parts.append(f"{DETAILS.get(key, key)}: {shown}")
    return "; ".join(parts)
