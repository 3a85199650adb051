"""Face-to-face interviews collected offline on a tablet, sent when the network is back.

The interviewer's page (admin/interview.py, static/interview.js) downloads the
open round's questionnaires as data, works without a network, keeps each
completed interview in the tablet's IndexedDB under a random nonce made on the
device, and sends it later. Here an interview is checked exactly as a web
submission is and stored through services.submission with that nonce (prefixed,
so it can never meet a web form's): a send repeated because its acknowledgement
was lost stores nothing new, and both answers carry the same receipt, so the
device deletes the interview either way. The response carries no staff identity.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import Round, StaffUser, Unit, today_utc
from survey_app.questionnaire import Questionnaire, parse_answers
from survey_app.questionnaire.model import Condition, Item, Text
from survey_app.services import audit
from survey_app.services.paper import reached_by
from survey_app.services.questionnaires import questionnaire_of
from survey_app.services.submission import Submission, store_response

NONCE = re.compile(r"[A-Za-z0-9_-]{22,64}\Z")
MAX_DURATION_SECONDS = 24 * 3600


def open_round(session: Session) -> Round | None:
    """The round interviews go to: the open one (the latest opened, should several be open)."""
    return session.scalar(select(Round).where(Round.status == "open").order_by(Round.opens_on.desc()).limit(1))


def _text(text: Text | None, lang: str) -> str:
    return text.get(lang) if text is not None else ""


def _rule(condition: Condition) -> dict[str, object]:
    """A skip rule for the tablet: ``{item, values}`` for one condition, ``{join, parts}`` for a combination."""
    if condition.is_leaf:
        return {"item": condition.item, "values": list(condition.values)}
    return {"join": condition.join, "parts": [_rule(part) for part in condition.parts]}


def _item(item: Item, lang: str) -> dict[str, object]:
    return {
        "code": item.code, "type": item.type.value, "text": item.text.get(lang), "help": _text(item.help, lang),
        "required": item.required, "options": [{"code": o.code, "label": o.label.get(lang)} for o in item.options],
        "min": item.min, "max": item.max, "places": item.places, "max_length": item.max_length,
        "min_choices": item.min_choices, "max_choices": item.max_choices,
        "relevant": _rule(item.relevant) if item.relevant else None,
    }


def questionnaire_data(q: Questionnaire, lang: str) -> dict[str, object]:
    """A questionnaire as the offline page draws it: sections and items, in one language."""
    return {
        "group": q.group, "version": q.content_hash, "title": q.title.get(lang), "intro": _text(q.intro, lang),
        "sections": [{"code": s.code, "title": s.title.get(lang), "items": [_item(i, lang) for i in s.items]}
                     for s in q.sections],
    }


def round_data(session: Session, round_: Round, lang: str) -> dict[str, object]:
    """The open round's questionnaires of the groups interviewers reach (the groups table's
    ``reached_by``), and the units, for the tablet to keep."""
    units = session.scalars(select(Unit).order_by(Unit.parent_id.is_not(None), Unit.name_vi))
    return {
        "round": {"id": round_.id, "name": round_.name},
        "questionnaires": [questionnaire_data(questionnaire_of(link.version), lang)
                           for link in sorted(round_.questionnaires, key=lambda link: link.group_code)
                           if reached_by(session, link.group_code, "interviewer")],
        "units": [{"code": unit.code, "name": unit.name(lang)} for unit in units],
    }


def receipt(nonce: str) -> str:
    """A short code for the interviewer's list, the same every time the interview is sent."""
    digest = hashlib.sha256(f"interview-receipt:{nonce}".encode()).hexdigest().upper()
    return f"{digest[:4]}-{digest[4:8]}"


@dataclass(frozen=True)
class Outcome:
    """``status``: stored, duplicate (stored before: acknowledged all the same), invalid or refused."""

    status: str
    receipt: str = ""
    errors: Mapping[str, Text] | None = None
    reason: str = ""


def store_interview(session: Session, payload: object, interviewer: StaffUser) -> Outcome:
    """Check and store one interview sent by the device (the JSON body, untrusted), with its audit
    entry in the same transaction (``store_response`` commits it)."""
    if not isinstance(payload, dict):
        return Outcome("refused", reason="malformed")
    nonce, group, unit_code = payload.get("nonce"), payload.get("group"), payload.get("unit")
    answers, version_hash, round_id = payload.get("answers"), payload.get("version"), payload.get("round")
    if not (isinstance(nonce, str) and NONCE.match(nonce) and isinstance(group, str) and isinstance(unit_code, str)
            and isinstance(answers, dict) and isinstance(version_hash, str) and type(round_id) is int):
        return Outcome("refused", reason="malformed")
    round_ = session.get(Round, round_id)
    if round_ is None or round_.status != "open":
        return Outcome("refused", reason="round_not_open")
    version = round_.version_for(group)
    if version is None or version.content_hash != version_hash or not reached_by(session, group, "interviewer"):
        return Outcome("refused", reason="questionnaire_changed")
    unit = session.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None:
        return Outcome("refused", reason="unknown_unit")
    form = {code: [v for v in values if isinstance(v, str)] if isinstance(values, list) else
            [values] if isinstance(values, str) else [] for code, values in answers.items() if isinstance(code, str)}
    result = parse_answers(questionnaire_of(version), form)
    if result.errors:
        return Outcome("invalid", errors=result.errors)
    duration = payload.get("duration")
    created = store_response(session, Submission(
        round_id=round_.id, group_code=group, unit_id=unit.id, channel="interview", version_id=version.id,
        answers=dict(result.answers), nonce=f"interview:{nonce}", submitted_on=today_utc(),
        duration_seconds=duration if type(duration) is int and 0 <= duration <= MAX_DURATION_SECONDS else None,
        # Who collected how many interviews, never which answers: stored exactly when the response is.
        also_insert=(audit.entry(interviewer, "interview.received", "", interviews=1),),
    ))
    return Outcome("stored" if created else "duplicate", receipt=receipt(nonce))
