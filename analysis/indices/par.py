"""The survey component of the PAR Index: points per criterion, area and total."""

from __future__ import annotations

from analysis.indices.indicators import Catalogue, Component, Indicator, Term
from analysis.indices.scheme import Criterion, ParScheme


def add_par(catalogue: Catalogue, scheme: ParScheme) -> None:
    """Points for every criterion, every area and the total, and the index in percent.

    A group's score on a criterion is the mean over the criterion's items of
    the group's weighted mean answer. It becomes points as
    ``max_points * (score - scale_min) / (scale_max - scale_min)``, or, with
    ``conversion: satisfied``, ``max_points * share of answers in the
    satisfied set``. Groups are pooled with equal weight (or the scheme's
    ``group_weights``) over the groups with respondents in the domain; with
    ``pooling: respondents`` all assessing respondents are pooled as one
    sample per item. Areas and the total add their criteria (undefined if any
    criterion is); ``<scheme>:index`` is the total as a percentage of its
    maximum.
    """
    criteria = []
    for criterion in scheme.criteria:
        term = _criterion_term(catalogue, scheme, criterion)
        criteria.append((criterion, term))
        catalogue.add(Indicator(f"{scheme.code}:{criterion.code}", term, "t", criterion.title))
    for area in sorted({c.area for c, _ in criteria}):
        terms = tuple(t for c, t in criteria if c.area == area)
        title = scheme.area_titles.get(area, {"vi": f"Lĩnh vực {area}", "en": f"Area {area}"})
        catalogue.add(Indicator(f"{scheme.code}:area{area}", _sum(terms), "t", title))
    total = _sum(tuple(t for _, t in criteria))
    catalogue.add(Indicator(f"{scheme.code}:total", total, "t", {"vi": "Tổng điểm", "en": "Total points"}))
    index = Term(children=(total,), weights=(1.0,), aggregation="sum", scale=100.0 / scheme.total)
    catalogue.add(Indicator(f"{scheme.code}:index", index, "t", {"vi": "Chỉ số (%)", "en": "Index (%)"}))


def _sum(terms: tuple[Term, ...]) -> Term:
    return Term(children=terms, weights=(1.0,) * len(terms), aggregation="sum")


def _criterion_term(catalogue: Catalogue, scheme: ParScheme, criterion: Criterion) -> Term:
    satisfied = criterion.conversion == "satisfied"
    values = scheme.satisfied if satisfied else ()
    if scheme.pooling == "respondents":
        by_item: dict[str, list[str]] = {}
        for group, items in criterion.items.items():
            for item in items:
                by_item.setdefault(item, []).append(group)
        pooled = tuple(
            catalogue.component(Component(item, values, tuple(groups))) for item, groups in by_item.items()
        )
        score = Term(children=pooled, weights=(1.0,) * len(pooled))
    else:
        groups = []
        for group, items in criterion.items.items():
            parts = tuple(catalogue.component(Component(item, values, (group,))) for item in items)
            groups.append(Term(children=parts, weights=(1.0,) * len(parts)))
        weights = tuple(scheme.group_weights.get(g, 1.0) for g in criterion.items)
        score = Term(children=tuple(groups), weights=weights)
    if satisfied:
        scale, shift = criterion.max_points, 0.0
    else:
        span = scheme.scale_max - scheme.scale_min
        scale, shift = criterion.max_points / span, -criterion.max_points * scheme.scale_min / span
    return Term(children=(score,), weights=(1.0,), scale=scale, shift=shift)
