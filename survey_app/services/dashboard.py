"""Progress of a round: responses against targets, over time, by channel, and first warning signs.

Everything here is a count or a share of the raw answers, for watching
fieldwork. Nothing is weighted, so the satisfaction snapshot says so: the
published indices come from the analysis package after weighting.

Nothing reads the answers into Python. The dashboard runs one counting scan
(:func:`scan_counts`: a GROUP BY over the plain columns, served by a covering
index) and reads the answers only through per-day tallies
(:class:`~survey_app.models.AnswerTally`) that are recomputed by the database
for the days whose count changed, so a round of a million responses shows in
about a second (bench/README.md). Bulk loads store responses with
:func:`store_responses`, which adds them to the tallies in the same
transaction (:func:`add_to_tallies`), so the first view after a load
recomputes nothing either.

Data-quality flags point analysts at responses to look at, never remove any;
too fast and straight-lining are :mod:`analysis.quality`'s definitions, the
ones the analysis report uses, with the thresholds from the settings
``FAST_COMPLETION_SECONDS`` and ``STRAIGHT_LINE_MIN_ITEMS``:
- too fast: ``duration_seconds`` under the minimum;
- straight-lining: at least the minimum number of rating items answered, all
  the same way;
- bursts: a desk receiving, on one day, far more responses than it usually
  does. Responses carry a date but no time (for anonymity), so the usual rate
  is the median of the desk's other active days, and a day is flagged when it
  has at least :data:`BURST_MIN_RESPONSES` and :data:`BURST_FACTOR` times that.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from sqlalchemy import and_, case, delete, func, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analysis.quality import DEFAULT_RULES, QualityRules
from survey_app.models import (
    CHANNELS,
    INVITATION_STATUSES,
    AnswerTally,
    Invitation,
    QuestionnaireVersion,
    RespondentGroup,
    Response,
    Round,
    ServicePoint,
    StuffingSignal,
    Target,
    Unit,
)
from survey_app.questionnaire import ItemType, Questionnaire
from survey_app.services.export import ExportFilter, apply_filter
from survey_app.services.questionnaires import questionnaire_of

SATISFIED = frozenset({4, 5})
RATING_TYPES = frozenset({ItemType.SATISFACTION5, ItemType.SCALE})
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


def progress(session: Session, flt: ExportFilter, scan: Scan | None = None) -> list[ProgressRow]:
    """Responses and targets per unit and group (every pair that has either), top-level units first."""
    if scan is None:
        counted = apply_filter(
            select(Response.unit_id, Response.group_code, func.count()).group_by(Response.unit_id, Response.group_code),
            flt)
        counts = {(unit, group): n for unit, group, n in session.execute(counted)}
    else:
        counts = dict(scan.by(0, 1))  # type: ignore[arg-type]
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
    order = _group_order(session)
    return sorted(rows, key=lambda r: (units[r.unit_id].parent_id is not None, r.unit_name_vi, order.get(r.group, 9)))


def _group_order(session: Session) -> dict[str, int]:
    """Groups in the order of the groups list (respondent_groups.position)."""
    codes = session.scalars(select(RespondentGroup.code).order_by(RespondentGroup.position, RespondentGroup.code))
    return {code: i for i, code in enumerate(codes)}


def per_day(session: Session, flt: ExportFilter, scan: Scan | None = None) -> list[tuple[date, int]]:
    if scan is not None:
        return sorted((day, n) for (day,), n in scan.by(3).items())  # type: ignore[misc]
    stmt = apply_filter(select(Response.submitted_on, func.count()).group_by(Response.submitted_on), flt)
    return sorted((day, n) for day, n in session.execute(stmt))


def channel_mix(session: Session, flt: ExportFilter, scan: Scan | None = None) -> dict[str, int]:
    """Responses per channel, every channel listed (zeros included) in the fixed order."""
    if scan is not None:
        found = {channel: n for (channel,), n in scan.by(4).items()}
    else:
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
    found: dict[str, int] = {status: n for status, n in session.execute(stmt.group_by(Invitation.status))}
    return {status: found.get(status, 0) for status in INVITATION_STATUSES}


def answer_checks(session: Session, flt: ExportFilter, rules: QualityRules | int = DEFAULT_RULES,
                  scan: Scan | None = None) -> tuple[list[ElementShare], QualityFlags]:
    """The unweighted satisfaction snapshot and the quality flags (:mod:`analysis.quality`).

    The answers are never read into Python. Counts and the too-fast flag come
    from the one counting scan (:func:`scan`, no answers read); what depends on
    the answers comes from the per-partition tallies (:class:`AnswerTally`),
    recomputed by one SQL aggregate per questionnaire version for the
    partitions whose number of responses changed since they were tallied
    (during fieldwork: today's). ``rules`` may be a number of seconds (the
    too-fast threshold, other thresholds as shipped). The session is flushed,
    not committed: the caller commits to keep the refreshed tallies.
    """
    if not isinstance(rules, QualityRules):
        rules = QualityRules(fast_seconds=rules, straightline_min_items=DEFAULT_RULES.straightline_min_items)
    scan = scan if scan is not None else scan_counts(session, flt, rules)
    tallies = current_tallies(session, flt, scan)
    answered: Counter[tuple[str, str]] = Counter()
    satisfied: Counter[tuple[str, str]] = Counter()
    element_responses: Counter[tuple[str, str]] = Counter()
    elements: dict[tuple[str, str], set[str]] = defaultdict(set)
    feeds: dict[int, dict[str, list[str]]] = {}
    straight = 0
    for (_unit, group, version_id, _day), figures in tallies.items():
        for code, n in figures["answered"].items():
            answered[(group, code)] += n
        for code, n in figures["satisfied"].items():
            satisfied[(group, code)] += n
        for element, n in figures["elements"].items():
            element_responses[(group, element)] += n
        straight += sum(n for k, n in figures["straight"].items() if int(k) >= rules.straightline_min_items)
        if version_id not in feeds:
            feeds[version_id] = _elements(_questionnaire(session, version_id))
        for element, codes in feeds[version_id].items():
            if figures["elements"].get(element):
                elements[(group, element)].update(codes)
    for key, kept in elements.items():
        kept.intersection_update(c for c in kept if answered[(key[0], c)])
    order = _group_order(session)
    shares = [_element_share(answered, satisfied, element_responses, group, element, items)
              for (group, element), items in sorted(elements.items(),
                                                    key=lambda entry: (order.get(entry[0][0], 99), entry[0][1]))]
    return shares, QualityFlags(scan.responses, scan.fast, straight, bursts(session, flt, scan))


def _elements(q: Questionnaire) -> dict[str, list[str]]:
    """Element code -> its satisfaction items (those that feed an element)."""
    elements: dict[str, list[str]] = defaultdict(list)
    for item in q.items:
        if item.type is ItemType.SATISFACTION5 and item.feeds:
            elements[item.feeds].append(item.code)
    return dict(elements)


def _element_share(answered: Counter[tuple[str, str]], satisfied: Counter[tuple[str, str]],
                   element_responses: Counter[tuple[str, str]], group: str, element: str,
                   items: Iterable[str]) -> ElementShare:
    codes = sorted(items)
    shares = [satisfied[(group, code)] / answered[(group, code)] for code in codes]
    return ElementShare(group, element, len(codes), element_responses[(group, element)], sum(shares) / len(shares))


def quality_rules(config: Mapping[str, object]) -> QualityRules:
    """The flags' thresholds from the app's settings (shipped values: :data:`analysis.quality.DEFAULT_RULES`)."""
    return QualityRules(
        fast_seconds=float(config.get("FAST_COMPLETION_SECONDS", DEFAULT_RULES.fast_seconds)),  # type: ignore[arg-type]
        straightline_min_items=int(config.get("STRAIGHT_LINE_MIN_ITEMS",  # type: ignore[call-overload]
                                              DEFAULT_RULES.straightline_min_items)))


# ---------------------------------------------------------------- the counting scan

Partition = tuple[int, str, int, date]  # unit id, group, questionnaire version id, day


@dataclass(frozen=True)
class Scan:
    """What one GROUP BY over the responses gives, with no answer read.

    ``cells`` maps (unit id, group, version id, day, channel, desk id) to
    (responses, too-fast responses); everything the dashboard counts is a sum
    over them.
    """

    cells: dict[tuple[int, str, int, date, str, int | None], tuple[int, int]]

    @property
    def responses(self) -> int:
        return sum(n for n, _fast in self.cells.values())

    @property
    def fast(self) -> int:
        return sum(fast for _n, fast in self.cells.values())

    def by(self, *positions: int) -> Counter[tuple[object, ...]]:
        """Responses summed by the key positions given (0 unit, 1 group, 2 version, 3 day, 4 channel, 5 desk)."""
        out: Counter[tuple[object, ...]] = Counter()
        for key, (n, _fast) in self.cells.items():
            out[tuple(key[p] for p in positions)] += n
        return out


def scan_counts(session: Session, flt: ExportFilter, rules: QualityRules = DEFAULT_RULES) -> Scan:
    """One aggregate over the responses' plain columns (served by ``ix_responses_round_partition``)."""
    keys = (Response.unit_id, Response.group_code, Response.questionnaire_version_id, Response.submitted_on,
            Response.channel, Response.service_point_id)
    stmt = apply_filter(select(*keys, func.count(), _count_if(Response.duration_seconds < rules.fast_seconds))
                        .group_by(*keys), flt)
    return Scan({tuple(row[:6]): (row[6], row[7] or 0) for row in session.execute(stmt)})  # type: ignore[misc]


# ---------------------------------------------------------------- tallies of the answers

TALLY_LAYOUT = 1


def _questionnaire(session: Session, version_id: int) -> Questionnaire:
    version = session.get(QuestionnaireVersion, version_id)
    assert version is not None, "responses keep their questionnaire version (it is never deleted)"
    return questionnaire_of(version)


def current_tallies(session: Session, flt: ExportFilter, scan: Scan) -> dict[Partition, dict]:  # type: ignore[type-arg]
    """The tallies of every partition in ``scan``, recomputing those that are missing or out of date."""
    if flt.round_id is None:
        raise ValueError("the dashboard's tallies are per round")
    counts = {key: n for key, n in scan.by(0, 1, 2, 3).items()}
    stored = select(AnswerTally.unit_id, AnswerTally.group_code, AnswerTally.questionnaire_version_id,
                    AnswerTally.submitted_on, AnswerTally.responses, AnswerTally.figures).where(
        AnswerTally.round_id == flt.round_id, AnswerTally.layout == TALLY_LAYOUT)
    if flt.unit_id is not None:
        stored = stored.where(AnswerTally.unit_id == flt.unit_id)
    if flt.group_code is not None:
        stored = stored.where(AnswerTally.group_code == flt.group_code)
    tallies: dict[Partition, dict] = {}  # type: ignore[type-arg]
    for unit, group, version, day, n, figures in session.execute(stored):
        if counts.get((unit, group, version, day)) == n:
            tallies[(unit, group, version, day)] = figures
    stale = [cast(Partition, key) for key in counts if key not in tallies]
    if stale:
        fresh = _recompute(session, flt, stale)
        tallies.update({key: figures for key, (_n, figures) in fresh.items() if key in counts})
        _store(session, flt.round_id, fresh)
    return tallies


def _recompute(session: Session, flt: ExportFilter, stale: list[Partition]) -> dict[Partition, tuple[int, dict]]:  # type: ignore[type-arg]
    """Tally the answers of the stale partitions: one aggregate query per questionnaire version."""
    by_version: dict[int, set[date]] = defaultdict(set)
    for _unit, _group, version, day in stale:
        by_version[version].add(day)
    fresh: dict[Partition, tuple[int, dict]] = {}  # type: ignore[type-arg]
    for version_id, days in by_version.items():
        q = _questionnaire(session, version_id)
        fresh.update(_tally_version(session, flt, version_id, q, days))
    return fresh


def _tally_version(session: Session, flt: ExportFilter, version_id: int, q: Questionnaire,
                   days: set[date]) -> dict[Partition, tuple[int, dict]]:  # type: ignore[type-arg]
    """The figures of every (unit, group, day) partition of one version on ``days`` (the answers read once)."""
    rating = [item.code for item in q.items if item.type in RATING_TYPES]
    elements = _elements(q)
    satisfaction = [code for codes in elements.values() for code in codes]
    inner = apply_filter(
        select(Response.unit_id.label("unit"), Response.group_code.label("grp"), Response.submitted_on.label("day"),
               *(Response.answers[code].as_integer().label(f"i{n}") for n, code in enumerate(rating)))
        .where(Response.questionnaire_version_id == version_id, Response.submitted_on.in_(sorted(days))),
        flt).offset(0).subquery()  # OFFSET 0: kept as a subquery, so each answer is extracted once per row
    values = [inner.c[f"i{n}"] for n in range(len(rating))]
    # one more level: the straight-lining key (number of rating answers if all alike, else 0) once per row
    middle = select(inner, _straight_key(values).label("straight")).offset(0).subquery()
    value = {code: middle.c[f"i{n}"] for n, code in enumerate(rating)}
    inner = middle
    columns = [func.count().label("responses")]
    for code in satisfaction:
        columns += [func.count(value[code]).label(f"answered_{code}"),
                    _count_if(value[code].in_(sorted(SATISFIED))).label(f"satisfied_{code}")]
    columns += [_count_if(or_(*(value[code].is_not(None) for code in codes))).label(f"element_{element}")
                for element, codes in elements.items()]
    straight_counts = {k: _count_if(middle.c.straight == k) for k in range(2, len(rating) + 1)}
    columns += [column.label(f"straight_{k}") for k, column in straight_counts.items()]
    stmt = select(inner.c.unit, inner.c.grp, inner.c.day, *columns).group_by(inner.c.unit, inner.c.grp, inner.c.day)
    out: dict[Partition, tuple[int, dict]] = {}  # type: ignore[type-arg]
    for row in session.execute(stmt):
        totals = row._mapping
        figures = {
            "answered": {code: totals[f"answered_{code}"] or 0 for code in satisfaction},
            "satisfied": {code: totals[f"satisfied_{code}"] or 0 for code in satisfaction},
            "elements": {element: totals[f"element_{element}"] or 0 for element in elements},
            "straight": {str(k): totals[f"straight_{k}"] or 0 for k in straight_counts
                         if totals[f"straight_{k}"]},
        }
        day = totals["day"]
        out[(totals["unit"], totals["grp"], version_id, day)] = (totals["responses"], figures)
    return out


def _store(session: Session, round_id: int, fresh: dict[Partition, tuple[int, dict]]) -> None:  # type: ignore[type-arg]
    """Replace the tallies of the partitions just computed (a concurrent view that stored them first wins)."""
    try:
        with session.begin_nested():
            fresh = dict(sorted(fresh.items()))  # in key order, as add_to_tallies locks them
            for (unit, group, version, day), (n, figures) in fresh.items():
                session.execute(delete(AnswerTally).where(
                    AnswerTally.round_id == round_id, AnswerTally.unit_id == unit, AnswerTally.group_code == group,
                    AnswerTally.questionnaire_version_id == version, AnswerTally.submitted_on == day))
            session.execute(insert(AnswerTally), [
                {"round_id": round_id, "unit_id": unit, "group_code": group, "questionnaire_version_id": version,
                 "submitted_on": day, "layout": TALLY_LAYOUT, "responses": n, "figures": figures}
                for (unit, group, version, day), (n, figures) in fresh.items()])
    except IntegrityError:
        pass  # another view stored the same partitions meanwhile; they are recomputed next time if stale


# ---------------------------------------------------------------- tallies kept by bulk loads

def store_responses(session: Session, rows: list[dict[str, object]]) -> int:
    """Insert responses in bulk (column dicts) and add them to their partitions' tallies; flush only.

    What the bulk loads use (submissions import, the demo's simulated
    responses, bench/bench_export.py), so the first dashboard view after a
    load reads tallies instead of tallying every day. The caller commits: the
    responses and the tallies' additions are one transaction.
    """
    if not rows:
        return 0
    session.execute(insert(Response), rows)
    add_to_tallies(session, rows)
    return len(rows)


def tally_answers(q: Questionnaire, answers: Iterable[Mapping[str, object]]) -> tuple[int, dict]:  # type: ignore[type-arg]
    """(responses, figures) of ``answers`` of one partition, in Python: what :func:`_tally_version` computes in SQL."""
    rating = [item.code for item in q.items if item.type in RATING_TYPES]
    elements = _elements(q)
    satisfaction = [code for codes in elements.values() for code in codes]
    answered = dict.fromkeys(satisfaction, 0)
    satisfied = dict.fromkeys(satisfaction, 0)
    element_counts = dict.fromkeys(elements, 0)
    straight: Counter[int] = Counter()
    n = 0
    for given in answers:
        n += 1
        for code in satisfaction:
            value = given.get(code)
            if value is not None:
                answered[code] += 1
                if type(value) in (int, float) and value in SATISFIED:  # as the SQL: an integer 4 or 5
                    satisfied[code] += 1
        for element, codes in elements.items():
            if any(given.get(code) is not None for code in codes):
                element_counts[element] += 1
        values = [v for v in (given.get(code) for code in rating) if v is not None]
        if len(values) >= 2 and all(v == values[0] for v in values):
            straight[len(values)] += 1
    return n, {"answered": answered, "satisfied": satisfied, "elements": element_counts,
               "straight": {str(k): straight[k] for k in sorted(straight)}}


def _add_figures(old: dict, new: dict) -> dict:  # type: ignore[type-arg]
    """The figures of two disjoint sets of responses of one partition, summed."""
    out: dict[str, dict[str, int]] = {}
    for part in ("answered", "satisfied", "elements", "straight"):
        summed = Counter(old.get(part, {}))
        summed.update(new.get(part, {}))
        out[part] = {key: summed[key] for key in sorted(summed, key=str)
                     if summed[key] or part != "straight"}
    return out


def add_to_tallies(session: Session, rows: Iterable[Mapping[str, object]]) -> None:
    """Add just-inserted responses (column values) to their partitions' tallies, in the caller's transaction.

    A tally is used only while its ``responses`` equals the partition's count,
    and responses are only inserted; adding these ``k`` responses to both
    sides keeps an up-to-date tally up to date and a stale one stale (it is
    recomputed by the next view), so the figures stay those of a full scan.
    A partition without a tally gets one (stale if it had older responses). The
    rows are locked (``FOR UPDATE``) so concurrent loads add up; a tally that
    a concurrent transaction created first is left to the next view. Flushed,
    not committed.
    """
    grouped: dict[tuple[int, Partition], list[Mapping[str, object]]] = defaultdict(list)
    for row in rows:
        key = (cast(int, row["round_id"]), (cast(int, row["unit_id"]), cast(str, row["group_code"]),
                                           cast(int, row["questionnaire_version_id"]),
                                           cast(date, row["submitted_on"])))
        grouped[key].append(cast(Mapping[str, object], row["answers"]))
    if not grouped:
        return
    questionnaires: dict[int, Questionnaire] = {}
    added: dict[tuple[int, Partition], tuple[int, dict]] = {}  # type: ignore[type-arg]
    for (round_id, partition), answers in grouped.items():
        version_id = partition[2]
        if version_id not in questionnaires:
            questionnaires[version_id] = _questionnaire(session, version_id)
        added[(round_id, partition)] = tally_answers(questionnaires[version_id], answers)
    existing: dict[tuple[int, Partition], tuple[int, int, dict]] = {}  # type: ignore[type-arg]
    for round_id in {r for r, _ in added}:
        days = sorted({p[3] for r, p in added if r == round_id})
        stmt = (select(AnswerTally.unit_id, AnswerTally.group_code, AnswerTally.questionnaire_version_id,
                       AnswerTally.submitted_on, AnswerTally.layout, AnswerTally.responses, AnswerTally.figures)
                .where(AnswerTally.round_id == round_id, AnswerTally.submitted_on.in_(days))
                .order_by(AnswerTally.unit_id, AnswerTally.group_code, AnswerTally.questionnaire_version_id,
                          AnswerTally.submitted_on)
                .with_for_update())  # locked in key order, as _store deletes: no deadlock between the two
        for unit, group, version, day, layout, n, figures in session.execute(stmt):
            if (round_id, (unit, group, version, day)) in added:
                existing[(round_id, (unit, group, version, day))] = (layout, n, figures)
    created = []
    for (round_id, (unit, group, version, day)), (n, figures) in sorted(added.items(), key=lambda kv: kv[0]):
        found = existing.get((round_id, (unit, group, version, day)))
        if found is None:
            created.append({"round_id": round_id, "unit_id": unit, "group_code": group,
                            "questionnaire_version_id": version, "submitted_on": day, "layout": TALLY_LAYOUT,
                            "responses": n, "figures": figures})
        elif found[0] == TALLY_LAYOUT:  # an older layout is recomputed by the next view, not added to
            session.execute(update(AnswerTally).where(
                AnswerTally.round_id == round_id, AnswerTally.unit_id == unit, AnswerTally.group_code == group,
                AnswerTally.questionnaire_version_id == version, AnswerTally.submitted_on == day,
            ).values(responses=found[1] + n, figures=_add_figures(found[2], figures)))
    if created:
        try:
            with session.begin_nested():
                session.execute(insert(AnswerTally), created)
        except IntegrityError:  # a concurrent load or view created some: add the others one by one
            for one in created:
                try:
                    with session.begin_nested():
                        session.execute(insert(AnswerTally), [one])
                except IntegrityError:
                    pass  # that partition's tally counts the other transaction's responses only: stale
    session.flush()


def _count_if(condition):  # type: ignore[no-untyped-def]
    return func.sum(case((condition, 1), else_=0))


def _straight_key(values: list):  # type: ignore[no-untyped-def,type-arg]
    """Per response: the number of rating answers if they all have one value, else 0.

    Counted per number k of answers (a histogram, see :func:`_tally_version`) so
    the minimum number of items is a setting applied when the tallies are
    read, not when they are made.
    """
    if len(values) < 2:
        return literal(0)
    first = func.coalesce(*values)
    answered = sum((case((v.is_not(None), 1), else_=0) for v in values), literal(0))
    same = and_(*(or_(v.is_(None), v == first) for v in values))
    return case((same, answered), else_=0)


def bursts(session: Session, flt: ExportFilter, scan: Scan | None = None) -> list[Burst]:
    """Desk-days with far more responses than the desk's usual daily number (see the module docstring)."""
    days: dict[tuple[str, str], list[tuple[date, int]]] = defaultdict(list)
    if scan is None:
        stmt = apply_filter(
            select(ServicePoint.code, Unit.code, Response.submitted_on, func.count())
            .join(ServicePoint, ServicePoint.id == Response.service_point_id)
            .join(Unit, Unit.id == Response.unit_id)
            .group_by(ServicePoint.code, Unit.code, Response.submitted_on), flt)
        for desk, unit, day, n in session.execute(stmt):
            days[(desk, unit)].append((day, n))
    else:
        per_desk = {key: n for key, n in scan.by(5, 0, 3).items() if key[0] is not None}
        desk_codes: dict[object, str] = {i: c for i, c in session.execute(
            select(ServicePoint.id, ServicePoint.code).where(ServicePoint.id.in_({k[0] for k in per_desk})))}
        unit_codes: dict[object, str] = {i: c for i, c in session.execute(
            select(Unit.id, Unit.code).where(Unit.id.in_({k[1] for k in per_desk})))}
        for (desk_id, unit_id, day), n in sorted(per_desk.items(), key=lambda kv: cast(date, kv[0][2])):
            days[(desk_codes[desk_id], unit_codes[unit_id])].append((cast(date, day), n))
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
