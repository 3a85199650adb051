"""A round's results: the analysis package run on the round's export with its margins, stored as a run.

The figures are computed exactly as ``python -m analysis estimate`` computes
them from ``flask export responses`` and ``flask margins export`` (same
rows, same margins, same weighting, same design): a test compares the two.
What the results page needs is kept as JSON in :class:`AnalysisRun`, with
when it was computed and from how many responses; the page never computes.

Schemes come from the round's programmes (the scheme text stored with each
programme, so a round is computed with the scheme it ran with); a round set
up group by group without a programme uses every shipped scheme
(``questionnaires/schemes/*.yaml``) one of its groups answers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import NotRequired, TypedDict

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.estimation import SurveyDesign
from analysis.indices import ParScheme, SatisfactionScheme, estimate, load_scheme, plausible_ranks
from analysis.indices.pipeline import (
    DesignOptions,
    EstimateOptions,
    WeightingOptions,
    build_catalogue,
    build_design,
    domains,
    item_data,
    weigh,
)
from analysis.io import Margin, ResponseTable
from analysis.weighting import base_weights
from survey_app.models import AnalysisRun, Job, Round, Unit
from survey_app.services.export import ExportFilter, iter_rows, plan_export
from survey_app.services.margins import margin_rows

Scheme = SatisfactionScheme | ParScheme
NO_ITEMS = ("\x00no-items",)  # an --items pattern nothing matches: only the schemes' indicators
Progress = Callable[[int, int, str], None]


def schemes_for_round(session: Session, round_: Round, questionnaire_dir: str | Path
                      ) -> list[tuple[dict[str, str], Scheme]]:
    """``(programme {code, vi, en}, scheme)`` for each scheme the round computes, each scheme once."""
    from survey_app.services.programmes import round_schemes

    out: list[tuple[dict[str, str], Scheme]] = []
    seen: set[str] = set()
    for programme, code, scheme in round_schemes(round_):
        if code not in seen:
            seen.add(code)
            out.append(({"code": programme.code, "vi": programme.title_vi, "en": programme.title_en}, scheme))
    if out:
        return out
    groups = {link.group_code for link in round_.questionnaires}
    for path in sorted((Path(questionnaire_dir) / "schemes").glob("*.yaml")):
        scheme = load_scheme(path)
        if scheme.code not in seen and groups & set(scheme.groups or groups):
            seen.add(scheme.code)
            out.append(({"code": path.stem, "vi": "", "en": ""}, scheme))
    return out


def round_table(session: Session, round_: Round) -> ResponseTable:
    """The round's export as the analysis reads it (every cell text, as in the CSV)."""
    plan = plan_export(session, ExportFilter(round_id=round_.id))
    frame = pd.DataFrame(list(iter_rows(session, plan)), columns=plan.header, dtype=str)
    names = {u.code: u.name_vi for u in session.scalars(select(Unit))}
    return ResponseTable(frame, f"round {round_.name}", names)


def round_margins(session: Session, round_id: int) -> list[Margin]:
    """The stored margins as analysis margins (each scoped to its group)."""
    margins: dict[tuple[str, str], Margin] = {}
    for variable, category, total, group in margin_rows(session, round_id):
        margins.setdefault((group, variable), Margin(variable, {}, group)).totals[category] = float(total)
    return list(margins.values())


def compute(session: Session, round_: Round, schemes: list[tuple[dict[str, str], Scheme]], *, min_n: int, level: float = 0.95,
            progress: Progress | None = None) -> dict[str, object]:
    """Weight, estimate and rank; the payload the results page shows.

    Raises the analysis package's input errors (MarginError, ResponsesError,
    SchemeError, DesignError) with their message, for the job to report.
    """
    say = progress or (lambda done, total, what: None)
    say(0, 4, "export")
    table = round_table(session, round_)
    if len(table) == 0:
        raise ValueError("the round has no responses yet")
    margins = round_margins(session, round_.id)
    say(1, 4, "weights")
    weighting = weigh(table, margins, WeightingOptions()) if margins else base_weights(np.ones(len(table)))
    design = build_design(table, weighting, DesignOptions())
    options = EstimateOptions(items=NO_ITEMS, by=("unit",), schemes=tuple(s for _, s in schemes), level=level)
    catalogue = build_catalogue(table, options, {m.variable for m in margins})
    data = item_data(table, catalogue)
    ranked = [_headline(s) for _, s in schemes]
    domain_list = domains(table, options.by)
    say(2, 4, "estimates")
    rows, influence = estimate(design, data, catalogue, domain_list, level=level, keep=ranked)
    say(3, 4, "ranks")
    by_key = {(r.indicator, r.domain): r for r in rows}
    units = sorted({d.removeprefix("unit=") for d, _ in domain_list if d.startswith("unit=")})
    payload = {
        "computed_at": datetime.now(UTC).isoformat(),
        "responses": len(table),
        "level": level,
        "min_n": min_n,
        "weighting": {**_plain(weighting.summary()), "notes": list(weighting.notes), "margins": len(margins)},
        "schemes": [_scheme_block(programme, s, by_key, units, influence, design, min_n) for programme, s in schemes],
        "estimates": [[r.indicator, r.domain, _num(r.estimate), _num(r.se), _num(r.ci_low), _num(r.ci_high), r.n,
                       _num(r.n_eff)] for r in rows],
    }
    say(4, 4, "done")
    return payload


def store_run(session: Session, round_: Round, payload: dict[str, object]) -> AnalysisRun:
    run = AnalysisRun(round_id=round_.id, responses=int(payload["responses"]), payload=payload)  # type: ignore[call-overload]
    session.add(run)
    session.flush()
    return run


def latest_run(session: Session, round_id: int) -> AnalysisRun | None:
    return session.scalar(select(AnalysisRun).where(AnalysisRun.round_id == round_id)
                          .order_by(AnalysisRun.computed_at.desc(), AnalysisRun.id.desc()).limit(1))


def latest_report(session: Session, round_id: int) -> Job | None:
    """The round's newest finished report job (its result names the folder and the files written)."""
    return session.scalar(select(Job).where(Job.round_id == round_id, Job.kind == "report", Job.status == "done")
                          .order_by(Job.id.desc()).limit(1))


def _headline(scheme: Scheme) -> str:
    return f"{scheme.code}:total" if isinstance(scheme, ParScheme) else f"{scheme.code}:{scheme.index.code}"


def _num(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _plain(info: dict[str, object]) -> dict[str, object]:
    return {k: (_num(v) if isinstance(v, float) else v) for k, v in info.items()}


def _cell(row) -> dict[str, object] | None:  # type: ignore[no-untyped-def]
    if row is None:
        return None
    return {"est": _num(row.estimate), "se": _num(row.se), "lo": _num(row.ci_low), "hi": _num(row.ci_high),
            "n": int(row.n), "n_eff": _num(row.n_eff)}


class _Part(TypedDict):
    """One part of a scheme block: an area or criterion of a PAR scheme, or a node of a SIPAS index."""

    code: str
    title: dict[str, str]
    kind: str
    max: NotRequired[float]
    area: NotRequired[int]


def _scheme_block(programme: dict[str, str], scheme: Scheme, by_key, units: list[str], influence, design: SurveyDesign,  # type: ignore[no-untyped-def]
                  min_n: int) -> dict[str, object]:
    headline = _headline(scheme)
    if isinstance(scheme, ParScheme):
        parts: list[_Part] = [{"code": f"area{a}", "title": dict(scheme.area_titles.get(a, {"vi": f"Lĩnh vực {a}",
                                                                                "en": f"Area {a}"})),
                  "kind": "area"} for a in sorted({c.area for c in scheme.criteria})]
        parts += [{"code": c.code, "title": dict(c.title), "kind": "criterion", "max": c.max_points, "area": c.area}
                  for c in scheme.criteria]
        kind, scale, maximum = "par", 1.0, scheme.total
    else:
        parts = [{"code": n.code, "title": dict(n.title), "kind": "node"}
                 for n in scheme.index.walk() if n is not scheme.index]
        kind, scale, maximum = "sipas", 100.0, 100.0
    domains_ = ["all", *(f"unit={u}" for u in units)]
    cells = {
        domain: {
            "index": _cell(by_key.get((headline, domain))),
            "parts": {p["code"]: _cell(by_key.get((f"{scheme.code}:{p['code']}", domain))) for p in parts},
        }
        for domain in domains_
    }
    return {
        "programme": programme, "code": scheme.code, "kind": kind, "title": dict(scheme.title), "scale": scale,
        "max": maximum, "headline": headline, "parts": parts, "cells": cells,
        "ranks": _ranks(headline, by_key, units, influence.get(headline, {}), design, min_n),
    }


def _ranks(headline: str, by_key, units: list[str], influence, design: SurveyDesign, min_n: int):  # type: ignore[no-untyped-def]
    """Plausible-rank intervals of the units with at least ``min_n`` responses (as the report ranks them)."""
    eligible = [u for u in units
                if (row := by_key.get((headline, f"unit={u}"))) is not None and row.n >= min_n
                and math.isfinite(row.estimate) and f"unit={u}" in influence]
    if len(eligible) < 2:
        return {}
    covariance = design.covariance(np.column_stack([influence[f"unit={u}"] for u in eligible]))
    ranked = plausible_ranks(eligible, [by_key[(headline, f"unit={u}")].estimate for u in eligible], covariance)
    return {r.label: {"rank": int(r.rank), "low": int(r.rank_low), "high": int(r.rank_high)} for r in ranked}


def report_inputs(session: Session, round_: Round, schemes: list[Scheme], *, min_n: int):  # type: ignore[no-untyped-def]
    """What ``python -m analysis report --margins`` computes from, for the round's own data and margins."""
    from analysis.indices import quality_flags
    from analysis.reporting import ReportInputs

    table = round_table(session, round_)
    if len(table) == 0:
        raise ValueError("the round has no responses yet")
    margins = round_margins(session, round_.id)
    weighting = weigh(table, margins, WeightingOptions()) if margins else base_weights(np.ones(len(table)))
    design = build_design(table, weighting, DesignOptions())
    options = EstimateOptions(satisfied=(4.0, 5.0), by=("unit",), schemes=tuple(schemes))
    exclude = {m.variable for m in margins}
    catalogue = build_catalogue(table, options, exclude)
    data = item_data(table, catalogue)
    rating = list(dict.fromkeys(c.item for c in catalogue.components))
    duration = table.numeric("duration_seconds") if table.has("duration_seconds") else None
    flags = quality_flags(data.items, data.groups, duration, rating)
    return ReportInputs(table=table, design=design, weighting=weighting, options=options, exclude=exclude,
                        flags=flags, responses_before_exclusion=len(table), min_n=min_n, round_name=round_.name)
