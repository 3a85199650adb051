"""Progress of a round: responses against targets, over time, by channel, and first warning signs.

Everything here is a count or a share of the raw answers, for watching
fieldwork. Nothing is weighted, so the satisfaction snapshot says so: the
published indices come from the analysis package after weighting.

Data-quality flags point analysts at responses to look at, never remove any:
- very fast completions: ``duration_seconds`` under the configured minimum;
- straight-lining: every rating item of a response answered the same way
  (at least :data:`STRAIGHT_LINE_MIN_ITEMS` of them);
- bursts: a desk receiving, on one day, far more responses than it usually
  does. Responses carry a date but no time (for anonymity), so the usual rate
  is the median of the desk's other active days, and a day is flagged when it
  has at least :data:`BURST_MIN_RESPONSES` and :data:`BURST_FACTOR` times that.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from survey_app.models import (
    CHANNELS,
    GROUPS,
    INVITATION_STATUSES,
    Invitation,
    QuestionnaireVersion,
    Response,
    Round,
    ServicePoint,
    StuffingSignal,
    Target,
    Unit,
)
from survey_app.questionnaire import ItemType, Questionnaire
from survey_app.services.export import ExportFilter, apply_filter, versions_in
from survey_app.services.questionnaires import questionnaire_of

SATISFIED = frozenset({4, 5})
RATING_TYPES = frozenset({ItemType.SATISFACTION5, ItemType.SCALE})
STRAIGHT_LINE_MIN_ITEMS = 5
BURST_FACTOR = 3
BURST_MIN_RESPONSES = 20
BURST_MIN_HISTORY_DAYS = 3


@dataclass(frozen=True)
class ProgressRow:
    unit_id: int
    unit_code: str
    unit_name_vi: str
    unit_name_en: str
    group: str
    responses: int
    target: int | None

    @property
    def percent(self) -> int | None:
        """Share of the target reached, in whole percent (None without a target)."""
        if not self.target:
            return None
        return round(100 * self.responses / self.target)

    def unit_name(self, lang: str) -> str:
        return self.unit_name_en if lang == "en" and self.unit_name_en else self.unit_name_vi


@dataclass(frozen=True)
class ElementShare:
    """Unweighted share of satisfied answers (4 or 5) for one element of one group."""

    group: str
    element: str
    items: int
    responses: int  # responses that answered at least one item of the element
    share: float  # mean over the element's items of the share of 4-5 among their answers


@dataclass(frozen=True)
class Burst:
    desk_code: str
    unit_code: str
    day: date
    responses: int
    usual: float


@dataclass(frozen=True)
class QualityFlags:
    checked: int
    fast: int
    straight_lined: int
    bursts: list[Burst] = field(default_factory=list)


def progress(session: Session, flt: ExportFilter) -> list[ProgressRow]:
    """Responses and targets per unit and group (every pair that has either), district first."""
    counted = apply_filter(
        select(Response.unit_id, Response.group_code, func.count()).group_by(Response.unit_id, Response.group_code),
        flt)
    counts = {(unit, group): n for unit, group, n in session.execute(counted)}
    targets_stmt = select(Target.unit_id, Target.group_code, Target.target).where(Target.round_id == flt.round_id)
    if flt.unit_id is not None:
        targets_stmt = targets_stmt.where(Target.unit_id == flt.unit_id)
    if flt.group_code is not None:
        targets_stmt = targets_stmt.where(Target.group_code == flt.group_code)
    targets = {(unit, group): n for unit, group, n in session.execute(targets_stmt)}
    keys = set(counts) | set(targets)
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_({unit for unit, _ in keys})))}
    rows = [ProgressRow(unit_id, units[unit_id].code, units[unit_id].name_vi, units[unit_id].name_en, group,
                        counts.get((unit_id, group), 0), targets.get((unit_id, group)))
            for unit_id, group in keys]
    order = {g: i for i, g in enumerate(GROUPS)}
    return sorted(rows, key=lambda r: (units[r.unit_id].parent_id is not None, r.unit_name_vi, order.get(r.group, 9)))


def per_day(session: Session, flt: ExportFilter) -> list[tuple[date, int]]:
    stmt = apply_filter(select(Response.submitted_on, func.count()).group_by(Response.submitted_on), flt)
    return sorted((day, n) for day, n in session.execute(stmt))


def channel_mix(session: Session, flt: ExportFilter) -> dict[str, int]:
    """Responses per channel, every channel listed (zeros included) in the fixed order."""
    stmt = apply_filter(select(Response.channel, func.count()).group_by(Response.channel), flt)
    found = dict(session.execute(stmt).all())  # type: ignore[arg-type]
    return {channel: found.get(channel, 0) for channel in CHANNELS}


def invitation_status(session: Session, flt: ExportFilter) -> dict[str, int]:
    """Invitations per status (pending, sent, failed, opened, completed), zeros included."""
    stmt = select(Invitation.status, func.count()).where(Invitation.round_id == flt.round_id)
    if flt.unit_id is not None:
        stmt = stmt.where(Invitation.unit_id == flt.unit_id)
    if flt.group_code is not None:
        stmt = stmt.where(Invitation.group_code == flt.group_code)
    found = dict(session.execute(stmt.group_by(Invitation.status)).all())  # type: ignore[arg-type]
    return {status: found.get(status, 0) for status in INVITATION_STATUSES}


@dataclass
class _Tally:
    """Totals summed over the questionnaire versions in the filter (a response has exactly one)."""

    answered: Counter[tuple[str, str]] = field(default_factory=Counter)  # (group, item) -> answers
    satisfied: Counter[tuple[str, str]] = field(default_factory=Counter)
    element_responses: Counter[tuple[str, str]] = field(default_factory=Counter)
    elements: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    checked: int = 0
    fast: int = 0
    straight: int = 0


def answer_checks(session: Session, flt: ExportFilter, fast_seconds: int) -> tuple[list[ElementShare], QualityFlags]:
    """The unweighted satisfaction snapshot and the per-response quality flags.

    One aggregate query per questionnaire version, computed by the database
    from the JSON answers: nothing is decoded in Python, so the page costs
    a table scan, not a million ``json.loads`` (four times faster at 1,000,000
    responses, see bench/README.md).
    """
    tally = _Tally()
    for version in versions_in(session, flt):
        _tally_version(session, flt, version, questionnaire_of(version), fast_seconds, tally)
    shares = [_element_share(tally, group, element, items)
              for (group, element), items in sorted(tally.elements.items(), key=_by_group)]
    return shares, QualityFlags(tally.checked, tally.fast, tally.straight, bursts(session, flt))


def _by_group(entry: tuple[tuple[str, str], set[str]]) -> tuple[int, str]:
    (group, element), _items = entry
    return (GROUPS.index(group) if group in GROUPS else 99, element)


def _tally_version(session: Session, flt: ExportFilter, version: QuestionnaireVersion, q: Questionnaire,
                   fast_seconds: int, tally: _Tally) -> None:
    """Add one version's responses to ``tally`` (one aggregate query)."""
    satisfaction = [item for item in q.items if item.type is ItemType.SATISFACTION5 and item.feeds]
    elements: dict[str, list[str]] = defaultdict(list)
    for item in satisfaction:
        elements[item.feeds].append(item.code)  # type: ignore[index]
    totals = session.execute(_version_totals(flt, version.id, q, fast_seconds, elements)).one()._mapping
    tally.checked += totals["checked"]
    tally.fast += totals["fast"] or 0
    tally.straight += totals["straight"] or 0
    for item in satisfaction:
        tally.answered[(q.group, item.code)] += totals[f"answered_{item.code}"] or 0
        tally.satisfied[(q.group, item.code)] += totals[f"satisfied_{item.code}"] or 0
    for element, codes in elements.items():
        if totals[f"element_{element}"]:
            tally.elements[(q.group, element)].update(c for c in codes if tally.answered[(q.group, c)])
            tally.element_responses[(q.group, element)] += totals[f"element_{element}"]


def _version_totals(flt: ExportFilter, version_id: int, q: Questionnaire, fast_seconds: int,
                    elements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    """SELECT of the counts for one version, each column labelled; the rating answers are read once, in a subquery."""
    rating = [item.code for item in q.items if item.type in RATING_TYPES]
    inner = apply_filter(
        select(Response.duration_seconds.label("duration"),
               *(Response.answers[code].as_integer().label(f"i{n}") for n, code in enumerate(rating)))
        .where(Response.questionnaire_version_id == version_id), flt).subquery()
    value = {code: inner.c[f"i{n}"] for n, code in enumerate(rating)}
    columns = [func.count().label("checked"), _count_if(inner.c.duration < fast_seconds).label("fast"),
               _straight_lined(list(value.values())).label("straight")]
    for codes in elements.values():
        for code in codes:
            columns += [func.count(value[code]).label(f"answered_{code}"),
                        _count_if(value[code].in_(sorted(SATISFIED))).label(f"satisfied_{code}")]
    columns += [_count_if(or_(*(value[code].is_not(None) for code in codes))).label(f"element_{element}")
                for element, codes in elements.items()]
    return select(*columns)


def _count_if(condition):  # type: ignore[no-untyped-def]
    return func.sum(case((condition, 1), else_=0))


def _straight_lined(values: list):  # type: ignore[no-untyped-def,type-arg]
    """Responses whose answered rating items (at least STRAIGHT_LINE_MIN_ITEMS) all have one value."""
    if len(values) < STRAIGHT_LINE_MIN_ITEMS:
        return literal(0)
    first = func.coalesce(*values)
    answered = sum((case((v.is_not(None), 1), else_=0) for v in values), literal(0))
    same = and_(*(or_(v.is_(None), v == first) for v in values))
    return _count_if(and_(answered >= STRAIGHT_LINE_MIN_ITEMS, same))


def _element_share(tally: _Tally, group: str, element: str, items: Iterable[str]) -> ElementShare:
    codes = sorted(items)
    shares = [tally.satisfied[(group, code)] / tally.answered[(group, code)] for code in codes]
    return ElementShare(group, element, len(codes), tally.element_responses[(group, element)],
                        sum(shares) / len(shares))


def bursts(session: Session, flt: ExportFilter) -> list[Burst]:
    """Desk-days with far more responses than the desk's usual daily number (see the module docstring)."""
    stmt = apply_filter(
        select(ServicePoint.code, Unit.code, Response.submitted_on, func.count())
        .join(ServicePoint, ServicePoint.id == Response.service_point_id)
        .join(Unit, Unit.id == Response.unit_id)
        .group_by(ServicePoint.code, Unit.code, Response.submitted_on), flt)
    days: dict[tuple[str, str], list[tuple[date, int]]] = defaultdict(list)
    for desk, unit, day, n in session.execute(stmt):
        days[(desk, unit)].append((day, n))
    found = []
    for (desk, unit), counts in days.items():
        for day, n in counts:
            others = [m for other, m in counts if other != day]
            if len(others) < BURST_MIN_HISTORY_DAYS:
                continue
            usual = statistics.median(others)
            if n >= BURST_MIN_RESPONSES and n >= BURST_FACTOR * usual:
                found.append(Burst(desk, unit, day, n, float(usual)))
    return sorted(found, key=lambda b: (b.day, b.desk_code))


@dataclass(frozen=True)
class StuffingRow:
    day: date
    desk_code: str
    unit_code: str
    submissions: int  # accepted beyond the suspicion level from one address (respondent.ratelimit)


def stuffing_signals(session: Session, round_: Round, unit_id: int | None = None) -> list[StuffingRow]:
    """Desk-days of the round with submissions counted as suspected stuffing, for staff to review.

    The answers were stored (nothing is dropped silently); the count carries no
    link to any response, address or browser.
    """
    stmt = (select(StuffingSignal.day, ServicePoint.code, Unit.code, StuffingSignal.submissions)
            .join(ServicePoint, ServicePoint.id == StuffingSignal.service_point_id)
            .join(Unit, Unit.id == ServicePoint.unit_id)
            .where(StuffingSignal.day >= round_.opens_on, StuffingSignal.day <= round_.closes_on)
            .order_by(StuffingSignal.day, ServicePoint.code))
    if unit_id is not None:
        stmt = stmt.where(ServicePoint.unit_id == unit_id)
    return [StuffingRow(*row) for row in session.execute(stmt)]


@dataclass(frozen=True)
class FreeText:
    group: str
    unit_code: str
    day: date
    item: str
    text: str


def free_texts(session: Session, flt: ExportFilter, limit: int = 200) -> list[FreeText]:
    """The most recent free-text answers (newest day first), for reading what respondents wrote.

    The text is returned as written; the page that shows it escapes it.
    """
    text_items = {}
    ids = apply_filter(select(Response.questionnaire_version_id).distinct(), flt)
    for version in session.scalars(select(QuestionnaireVersion).where(QuestionnaireVersion.id.in_(ids))):
        text_items[version.id] = [i.code for i in questionnaire_of(version).items if i.type is ItemType.TEXT]
    stmt = apply_filter(
        select(Response.group_code, Unit.code, Response.submitted_on, Response.questionnaire_version_id,
               Response.answers).join(Unit, Unit.id == Response.unit_id)
        .order_by(Response.submitted_on.desc(), Response.id), flt)
    found: list[FreeText] = []
    with closing(session.execute(stmt.execution_options(yield_per=500))) as result:
        for group, unit, day, version_id, answers in result:
            found += [FreeText(group, unit, day, code, answers[code]) for code in text_items[version_id]
                      if isinstance(answers.get(code), str) and answers[code].strip()]
            if len(found) >= limit:
                break
    return found[:limit]
