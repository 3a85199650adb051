"""The invitation and reminder emails."""

from __future__ import annotations

from collections.abc import Callable, Collection
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from survey_app.models import Invitation

# Builds the email for one invitation: (invitation, token, "invitation" | "reminder") -> message.
Composer = Callable[[Invitation, str, str], EmailMessage]


def make_composer(base_url: str, sender: str, agency: str = "", contact: str | None = None,
                  organisation_groups: Collection[str] = ("business",)) -> Composer:
    """A composer of Vietnamese emails (plain text and HTML) from templates/email/.

    Needs an application context (templates, translations). The messages are
    always in Vietnamese, whatever language the console or shell uses: they go
    to Vietnamese businesses and officials. ``agency`` (the sending office, shown as the
    sender's name and under the message) and ``contact`` (who answers questions) come
    from the settings ``MAIL_AGENCY`` and ``MAIL_CONTACT``. A group in
    ``organisation_groups`` (setting ``ORGANISATION_GROUPS``) is written to as an
    organisation ("Quý Công ty/Quý cơ quan"), every other group as a person (Ông/Bà).
    """
    from flask import render_template
    from flask_babel import force_locale
    from flask_babel import gettext as _

    domain = sender.rpartition("@")[2] or "localhost"

    def compose(invitation: Invitation, token: str, kind: str) -> EmailMessage:
        context = {
            "invitation": invitation, "unit": invitation.unit.name_vi, "round": invitation.round,
            "deadline": invitation.round.closes_on.strftime("%d/%m/%Y"),
            "link": f"{base_url.rstrip('/')}/i/{token}", "reminder": kind == "reminder",
            "organisation": invitation.group_code in organisation_groups, "agency": agency, "contact": contact,
        }
        with force_locale("vi"):
            # The round's name already says "Khảo sát ...": the subject must not say it twice.
            subject = (_("Reminder: %(round)s", round=invitation.round.name) if kind == "reminder"
                       else _("Invitation: %(round)s", round=invitation.round.name))
            plain = render_template("email/invitation_text.html", **context)
            html = render_template("email/invitation.html", subject=subject, **context)
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = formataddr((agency, sender)) if agency else sender
        message["To"] = formataddr((invitation.name, invitation.email))
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=domain)
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(plain)
        message.add_alternative(html, subtype="html")
        return message

    return compose
