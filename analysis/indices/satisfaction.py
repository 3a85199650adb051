"""Satisfaction indices (SIPAS) and item indicators as catalogue entries."""

from __future__ import annotations

from collections.abc import Sequence

from analysis.indices.indicators import Catalogue, Component, Indicator, Term
from analysis.indices.scheme import Node, SatisfactionScheme


def add_items(
    catalogue: Catalogue,
    items: Sequence[str],
    *,
    satisfied: Sequence[float] | None = None,
    proportion_interval: str = "korn-graubard",
) -> None:
    """``mean:<item>`` for every item and, with a satisfied set,
    ``satisfied:<item>``: the share of answers in the set among those who
    answered."""
    for item in items:
        catalogue.add(Indicator(f"mean:{item}", catalogue.component(Component(item)), "t"))
    if satisfied:
        for item in items:
            term = catalogue.component(Component(item, tuple(float(v) for v in satisfied)))
            catalogue.add(Indicator(f"satisfied:{item}", term, proportion_interval))


def add_satisfaction(
    catalogue: Catalogue, scheme: SatisfactionScheme, *, proportion_interval: str = "korn-graubard"
) -> None:
    """Every node of the scheme's tree (children before parents) as
    ``<scheme>:<node>``, then its item indicators.

    An item scores the share of its answers in the satisfied set (or its
    mean, with ``measure: mean``) among the scheme's groups; a node is the
    weighted mean (or sum) of its children, as METHODOLOGY.md describes for
    SIPAS: items -> elements -> service and policy parts -> index.
    """
    for node in scheme.index.walk():
        term = _node_term(catalogue, scheme, node)
        catalogue.add(Indicator(f"{scheme.code}:{node.code}", term, "t", node.title))
    for ind in scheme.indicators:
        values = ind.values if ind.measure == "share" else ()
        term = catalogue.component(Component(ind.item, values, scheme.groups))
        interval = proportion_interval if ind.measure == "share" else "t"
        catalogue.add(Indicator(f"{scheme.code}:{ind.code}", term, interval, ind.title))


def _node_term(catalogue: Catalogue, scheme: SatisfactionScheme, node: Node) -> Term:
    if node.items:
        values = scheme.satisfied if scheme.measure == "satisfied" else ()
        children = tuple(catalogue.component(Component(item, values, scheme.groups)) for item in node.items)
    else:
        children = tuple(_node_term(catalogue, scheme, child) for child in node.children)
    return Term(children=children, weights=node.weights, aggregation=node.aggregation)
