"""Console: a round's progress dashboard, its SVG charts, and the free-text answers.

Unit officers see their own unit's counts only (the filter is forced by
:func:`unit_arg`), and nothing derived from the answers themselves.
"""

from __future__ import annotations

from collections import defaultdict

from flask import Response, abort, current_app, render_template
from flask_babel import gettext as _

from survey_app.admin import bp, current_user, roles
from survey_app.admin.helpers import (
    CHANNEL_LABELS,
    INVITATION_LABELS,
    SVG_CSP,
    all_units,
    get_or_404,
    group_arg,
    group_labels,
    unit_arg,
)
from survey_app.extensions import db
from survey_app.i18n import current_lang
from survey_app.models import Role, Round, Unit
from survey_app.services.charts import daily_chart, progress_chart
from survey_app.services.dashboard import (
    ProgressRow,
    answer_checks,
    channel_mix,
    free_texts,
    invitation_status,
    per_day,
    progress,
    quality_rules,
    scan_counts,
    stuffing_signals,
)
from survey_app.services.export import ExportFilter
from survey_app.services.invitations import suppress_counts
from survey_app.services.programmes import round_groups, round_programmes
from survey_app.services.scope import scope_of


def _filter(round_id: int) -> ExportFilter:
    return ExportFilter(round_id=round_id, group_code=group_arg(), unit_id=unit_arg())


def _sees_answers() -> bool:
    return scope_of(current_user()).sees_answers


@bp.get("/rounds/<int:round_id>/dashboard")
@roles(Role.ADMIN, Role.ANALYST, Role.UNIT_OFFICER)
def dashboard(round_id: int):
    round_ = get_or_404(Round, round_id)
    flt = _filter(round_id)
    rules = quality_rules(current_app.config)
    scan = scan_counts(db.session, flt, rules)  # one counting query; everything below is summed from it
    if _sees_answers():
        shares, flags = answer_checks(db.session, flt, rules, scan)
        db.session.commit()  # keeps the answer tallies refreshed for the days that changed
    else:
        shares, flags = [], None
    one_unit = scope_of(current_user()).unit_id is not None
    units = [db.session.get(Unit, flt.unit_id)] if one_unit else all_units()
    days = per_day(db.session, flt, scan)
    return render_template(
        "admin/dashboard.html", round=round_, flt=flt, rows=progress(db.session, flt, scan), days=days,
        total=sum(n for _, n in days), channels=channel_mix(db.session, flt, scan),
        invitations=suppress_counts(invitation_status(db.session, flt), current_app.config["COMPLETION_MIN_COUNT"]),
        shares=shares, flags=flags, units=units, one_unit=one_unit,
        groups=[g.code for g in round_groups(db.session, round_)], group_labels=group_labels(),
        programmes=round_programmes(round_), channel_labels=CHANNEL_LABELS, invitation_labels=INVITATION_LABELS,
        lang=current_lang(), fast_seconds=current_app.config["FAST_COMPLETION_SECONDS"],
        stuffing=stuffing_signals(db.session, round_, flt.unit_id) if _sees_answers() else [],
    )


@bp.get("/rounds/<int:round_id>/charts/<name>.svg")
@roles(Role.ADMIN, Role.ANALYST, Role.UNIT_OFFICER)
def chart(round_id: int, name: str):
    get_or_404(Round, round_id)
    flt = _filter(round_id)
    empty = _("No responses yet.")
    if name == "progress":
        labels, responses, targets = _progress_bars(progress(db.session, flt), flt.group_code is None)
        svg = progress_chart(labels, responses, targets, responses_label=_("Responses"),
                             target_label=_("Target"), empty_label=empty)
    elif name == "daily":
        days = per_day(db.session, flt)
        svg = daily_chart([d for d, _n in days], [n for _d, n in days], per_day_label=_("Responses per day"),
                          total_label=_("Total so far"), empty_label=empty)
    else:
        abort(404)
    return Response(svg, mimetype="image/svg+xml",
                    headers={"Content-Security-Policy": SVG_CSP, "Cache-Control": "private, max-age=60"})


def _progress_bars(rows: list[ProgressRow], sum_groups: bool) -> tuple[list[str], list[int], list[int | None]]:
    """One bar per unit: all groups added together, or the one group filtered."""
    lang = current_lang()
    if not sum_groups:
        return ([r.unit_name(lang) for r in rows], [r.responses for r in rows], [r.target for r in rows])
    names: dict[int, str] = {}
    responses: dict[int, int] = defaultdict(int)
    targets: dict[int, int] = defaultdict(int)
    for r in rows:
        names[r.unit_id] = r.unit_name(lang)
        responses[r.unit_id] += r.responses
        targets[r.unit_id] += r.target or 0
    return (list(names.values()), [responses[u] for u in names], [targets[u] or None for u in names])


@bp.get("/rounds/<int:round_id>/comments")
@roles(Role.ADMIN, Role.ANALYST)
def comments(round_id: int):
    round_ = get_or_404(Round, round_id)
    flt = _filter(round_id)
    return render_template("admin/comments.html", round=round_, flt=flt, texts=free_texts(db.session, flt),
                           groups=[g.code for g in round_groups(db.session, round_)], group_labels=group_labels())
