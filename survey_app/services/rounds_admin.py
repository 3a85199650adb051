"""Running rounds from the console: create and edit them, open and close them, set targets.

Rules kept here rather than in the forms, so the CLI and tests obey them too:
a round's questionnaire for a group cannot be swapped once that group has
answered (the answers would no longer all refer to the same questions), two
open rounds may not overlap in time (the desk QR would not know which one to
serve), and a questionnaire version that has responses is never edited.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from survey_app.models import (
    ROUND_STATUSES,
    Programme,
    ProgrammeGroup,
    QuestionnaireVersion,
    RespondentGroup,
    Response,
    Round,
    RoundProgramme,
    RoundQuestionnaire,
    Target,
    Unit,
)
from survey_app.questionnaire import parse_questionnaire_text
from survey_app.services.problems import Problem, ProblemsFound, require_text
from survey_app.services.questionnaires import ensure_version
from survey_app.services.targets import sample_size

DEFAULT_MARGIN = 0.05
SIMULATED_MARK = "dữ liệu mô phỏng"


@dataclass(frozen=True)
class RoundData:
    name: str
    opens_on: date
    closes_on: date
    period: str = ""
    reminder_limit: int = 2
    # Questionnaire version id per group; None: the version of the round's programme that has the
    # group, or the group is not in the round.
    versions: Mapping[str, int | None] = field(default_factory=dict)
    # Ids of the programmes the round runs; None leaves them as they are.
    programmes: Sequence[int] | None = None
    simulated: bool | None = None


def create_round(session: Session, data: RoundData) -> Round:
    """A new round in status ``draft`` with a fresh secret for its result-slip codes."""
    round_ = Round(status="draft", slip_secret=os.urandom(32))
    _apply(session, round_, data, answered=set())
    session.add(round_)
    session.flush()
    return round_


def update_round(session: Session, round_: Round, data: RoundData) -> None:
    _apply(session, round_, data, answered=set(responses_by_group(session, round_.id)))
    session.flush()


def _apply(session: Session, round_: Round, data: RoundData, answered: set[str]) -> None:
    problems: list[Problem] = []
    name = require_text(problems, "name", data.name, 120)
    period = require_text(problems, "period", data.period, 40, required=False)
    taken = session.scalar(select(Round).where(Round.name == name))
    if name and taken is not None and taken is not round_:
        problems.append(Problem("name", "name_taken", name))
    if data.closes_on < data.opens_on:
        problems.append(Problem("closes_on", "closes_before_opens", data.closes_on.isoformat()))
    if not 0 <= data.reminder_limit <= 10:
        problems.append(Problem("reminder_limit", "out_of_range", str(data.reminder_limit)))
    programmes = _programmes(session, round_, data.programmes, problems)
    wanted = _versions(session, data.versions, problems)
    _programme_versions(programmes, wanted, problems)
    current = {link.group_code: link.version_id for link in round_.questionnaires}
    for group in sorted(answered):
        new_id = wanted[group].id if group in wanted else None
        if new_id != current.get(group):
            problems.append(Problem(f"version_{group}", "group_has_responses", group))
    if problems:
        raise ProblemsFound(problems)
    simulated = data.simulated if data.simulated is not None else round_.simulated
    if simulated and SIMULATED_MARK not in name:
        # Every export row and report carries the round's name: it must say the data are simulated.
        name = f"{name} ({SIMULATED_MARK})"[:120]
    round_.name, round_.period = name, period
    round_.opens_on, round_.closes_on, round_.reminder_limit = data.opens_on, data.closes_on, data.reminder_limit
    if data.simulated is not None:
        round_.simulated = data.simulated
    if data.programmes is not None:
        have = {link.programme_id: link for link in round_.programmes}
        for pid, link in have.items():
            if pid not in {p.id for p in programmes}:
                round_.programmes.remove(link)
        round_.programmes.extend(RoundProgramme(programme=p) for p in programmes if p.id not in have)
    links = {link.group_code: link for link in round_.questionnaires}
    for group in list(dict.fromkeys([*links, *wanted])):
        if group not in wanted:
            if group in links:
                round_.questionnaires.remove(links[group])
        elif group in links:
            links[group].version = wanted[group]
        else:
            round_.questionnaires.append(RoundQuestionnaire(group_code=group, version=wanted[group]))


def _versions(session: Session, ids: Mapping[str, int | None],
              problems: list[Problem]) -> dict[str, QuestionnaireVersion]:
    chosen: dict[str, QuestionnaireVersion] = {}
    for group, version_id in ids.items():
        if version_id is None:
            continue
        version = session.get(QuestionnaireVersion, version_id)
        if session.get(RespondentGroup, group) is None or version is None or version.group_code != group:
            problems.append(Problem(f"version_{group}", "wrong_version", str(version_id)))
        else:
            chosen[group] = version
    return chosen


def _programmes(session: Session, round_: Round, ids: Sequence[int] | None,
                problems: list[Problem]) -> list[Programme]:
    if ids is None:
        return [link.programme for link in round_.programmes]
    found = []
    for pid in dict.fromkeys(ids):
        programme = session.get(Programme, pid)
        if programme is None:
            problems.append(Problem("programmes", "unknown_programme", str(pid)))
        else:
            found.append(programme)
    return found


def _programme_versions(programmes: Sequence[Programme], wanted: dict[str, QuestionnaireVersion],
                        problems: list[Problem]) -> None:
    """Fill in, for each group of the programmes not chosen explicitly, its programme's questionnaire.

    A group in two programmes must answer one questionnaire (a round has one
    version per group): when the programmes disagree, staff choose.
    """
    proposed: dict[str, QuestionnaireVersion] = {}
    for programme in programmes:
        for link in programme.groups:
            if link.group_code in wanted or link.version is None:
                continue
            other = proposed.get(link.group_code)
            if other is not None and other.id != link.version.id:
                problems.append(Problem(f"version_{link.group_code}", "programmes_disagree", link.group_code))
            proposed.setdefault(link.group_code, link.version)
    for group, version in proposed.items():
        wanted.setdefault(group, version)


def round_units(session: Session, round_: Round, group: str | None = None) -> list[Unit]:
    """The units a round offers: those that exist on some day of its dates and, when the round runs
    programmes, of a kind they assess (for ``group``: the programmes that have it)."""
    kinds: set[str] = set()
    for link in round_.programmes:
        codes = {g.group_code for g in link.programme.groups}
        if group is None or group in codes:
            kinds.update(link.programme.kind_codes)
    units = session.scalars(select(Unit).order_by(Unit.parent_id.is_not(None), Unit.name_vi))
    return [u for u in units if u.exists_between(round_.opens_on, round_.closes_on)
            and (not kinds or u.kind in kinds)]


def responses_by_group(session: Session, round_id: int) -> dict[str, int]:
    return dict(session.execute(  # type: ignore[arg-type]
        select(Response.group_code, func.count()).where(Response.round_id == round_id)
        .group_by(Response.group_code)
    ).all())


def overlapping_open_rounds(session: Session, round_: Round) -> list[Round]:
    """The other open rounds whose dates overlap ``round_``'s (the demo round, typically)."""
    return [other for other in session.scalars(
                select(Round).where(Round.status == "open", Round.id != round_.id).order_by(Round.opens_on))
            if other.opens_on <= round_.closes_on and round_.opens_on <= other.closes_on]


def set_status(session: Session, round_: Round, status: str, *, close: Sequence[int] = ()) -> list[Round]:
    """Open, close or reopen a round; return the rounds closed to make room for it.

    Opening needs at least one questionnaire and no other open round whose
    dates overlap: the desk QR serves the open round of the day, so two would
    make answers land in whichever opened last. An overlapping round whose id is in
    ``close`` (the staff member confirmed it on the opening page) is closed in the same
    transaction; its responses stay.
    """
    problems: list[Problem] = []
    closing: list[Round] = []
    if status not in ROUND_STATUSES:
        problems.append(Problem("status", "bad_status", status[:20]))
    elif status == "open":
        if not round_.questionnaires:
            problems.append(Problem("status", "no_questionnaire"))
        for other in overlapping_open_rounds(session, round_):
            if other.id in close:
                closing.append(other)
            else:
                problems.append(Problem("status", "overlaps", other.name))
    if problems:
        raise ProblemsFound(problems)
    for other in closing:
        other.status = "closed"
    round_.status = status
    session.flush()
    return closing


@dataclass(frozen=True)
class TargetRow:
    """What staff typed for one unit: a target, the transactions of the period, or both (None = blank)."""

    unit_id: int
    target: int | None = None
    transactions: int | None = None


def save_targets(session: Session, round_: Round, group: str, rows: Sequence[TargetRow], *,
                 compute: bool = False, margin: float = DEFAULT_MARGIN) -> int:
    """Store the targets of one group; return how many units now have one.

    A typed target is kept as typed. A blank target with a number of
    transactions N gets n = N / (1 + N e^2) (:func:`sample_size`). With
    ``compute`` every row with transactions is recomputed, typed targets
    included: that is the button staff press after entering a new period's
    transactions. A row with both blank loses its target.
    """
    problems = _target_problems(session, group, rows, margin)
    if problems:
        raise ProblemsFound(problems)
    existing = {t.unit_id: t for t in round_.targets if t.group_code == group}
    kept = 0
    for row in rows:
        if row.transactions is not None and (compute or row.target is None):
            value = sample_size(row.transactions, margin)
        elif row.target is not None:
            value = row.target
        else:
            if row.unit_id in existing:
                round_.targets.remove(existing[row.unit_id])
            continue
        target = existing.get(row.unit_id)
        if target is None:
            target = Target(unit_id=row.unit_id, group_code=group, target=value)
            round_.targets.append(target)
        target.target, target.transactions = value, row.transactions
        kept += 1
    session.flush()
    return kept


def _target_problems(session: Session, group: str, rows: Sequence[TargetRow], margin: float) -> list[Problem]:
    problems = []
    if session.get(RespondentGroup, group) is None:
        problems.append(Problem("group", "bad_group", group[:20]))
    if not 0 < margin < 1:
        problems.append(Problem("margin", "out_of_range", str(margin)))
    known = set(session.scalars(select(Unit.id)))
    for row in rows:
        if row.unit_id not in known:
            problems.append(Problem("unit", "unknown_unit", str(row.unit_id)))
        for name, value in (("target", row.target), ("transactions", row.transactions)):
            if value is not None and not 0 <= value <= 10_000_000:
                problems.append(Problem(f"{name}_{row.unit_id}", "out_of_range", str(value)))
    return problems


def version_usage(session: Session) -> dict[int, int]:
    """Responses per questionnaire version id (versions without responses are absent)."""
    return dict(session.execute(  # type: ignore[arg-type]
        select(Response.questionnaire_version_id, func.count()).group_by(Response.questionnaire_version_id)
    ).all())


def edit_version(session: Session, version: QuestionnaireVersion, source: str) -> QuestionnaireVersion:
    """Replace a version nobody has answered by a corrected text; return the version now in use.

    Versions are identified by the hash of their text, so an edit is a new
    version: the rounds that used the old one are pointed at the new one and
    the old one, which no response refers to, is removed. A version with
    responses is refused, since those respondents saw its exact words.
    Raises :class:`~survey_app.questionnaire.QuestionnaireError` for a text
    the loader refuses (its problems name the item).
    """
    answered = session.scalar(select(exists().where(Response.questionnaire_version_id == version.id)))
    if answered:
        raise ProblemsFound([Problem("source", "version_has_responses", version.short_version)])
    # Browsers send textarea lines with CR LF; the file on disk has LF, and the hash must agree.
    parsed = parse_questionnaire_text(source.replace("\r\n", "\n"), f"{version.group_code}.yaml")
    if parsed.group != version.group_code:
        raise ProblemsFound([Problem("source", "group_changed", parsed.group)])
    if parsed.content_hash == version.content_hash:
        return version
    new = ensure_version(session, parsed)
    for link in session.scalars(select(RoundQuestionnaire).where(RoundQuestionnaire.version_id == version.id)):
        link.version = new
    for programme_link in session.scalars(select(ProgrammeGroup).where(ProgrammeGroup.version_id == version.id)):
        programme_link.version = new
    session.flush()
    session.delete(version)
    session.flush()
    return new
