"""What the report says: its tables and charts, independent of the format."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis.estimation import SurveyDesign, cronbach_alpha
from analysis.indices import (
    Data,
    ParScheme,
    QualityFlags,
    RankedUnit,
    Row,
    SatisfactionScheme,
    estimate,
    plausible_ranks,
)
from analysis.indices.pipeline import EstimateOptions, build_catalogue, domains, item_data
from analysis.io import ResponseTable
from analysis.reporting.charts import interval_chart, rank_chart
from analysis.weighting import WeightingResult

SUPPRESSED = "<n"


@dataclass(frozen=True)
class Table:
    """A titled table: the same in the HTML and as a workbook sheet."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[object, ...]]
    note: str = ""
    chart: str = ""
    chart_png: bytes = b""


@dataclass(frozen=True)
class ReportInputs:
    """Everything the report is computed from."""

    table: ResponseTable
    design: SurveyDesign
    weighting: WeightingResult
    options: EstimateOptions
    exclude: set[str]
    flags: QualityFlags
    responses_before_exclusion: int
    min_n: int = 10
    title: str | None = None
    round_name: str | None = None


@dataclass
class ReportContent:
    """Tables (each possibly with a chart) in reading order, and the raw rows."""

    title: str
    source: str
    tables: list[Table] = field(default_factory=list)
    estimates: list[Row] = field(default_factory=list)


def build_content(inputs: ReportInputs, step: Callable[[Iterable], Iterable] = lambda it: it) -> ReportContent:
    """Estimate everything and lay out the report's tables.

    ``step`` wraps long loops (the domains), e.g. with a progress bar.
    """
    table, options = inputs.table, inputs.options
    title = inputs.title or f"Báo cáo khảo sát / Survey report{f' — {inputs.round_name}' if inputs.round_name else ''}"
    content = ReportContent(title=title, source=table.source)
    catalogue = build_catalogue(table, options, inputs.exclude)
    data = item_data(table, catalogue)
    ranked = [f"{s.code}:{s.index.code}" for s in options.schemes if isinstance(s, SatisfactionScheme)]
    ranked += [f"{s.code}:total" for s in options.schemes if isinstance(s, ParScheme)]
    domain_list = domains(table, options.by)
    rows, influence = estimate(
        inputs.design, data, catalogue, step(domain_list), level=options.level, keep=ranked
    )
    content.estimates = rows
    content.tables.append(_overview(inputs))
    content.tables.append(_counts(table))
    content.tables.append(_quality(inputs))
    for scheme in options.schemes:
        if isinstance(scheme, SatisfactionScheme):
            content.tables.extend(_satisfaction_tables(scheme, rows, inputs, data))
        else:
            content.tables.extend(_par_tables(scheme, rows, inputs))
    for name in ranked:
        ranking = _ranking(name, rows, influence.get(name, {}), inputs)
        if ranking is not None:
            content.tables.append(ranking)
    content.tables.append(_all_estimates(rows, inputs.min_n))
    return content


def _label(title: dict | None, fallback: str) -> str:
    if not title:
        return fallback
    vi, en = title.get("vi"), title.get("en")
    return f"{vi} / {en}" if vi and en and vi != en else (vi or en or fallback)


def _fmt(value: float, digits: int = 3) -> object:
    return "" if value is None or not np.isfinite(value) else round(float(value), digits)


def _estimate_cells(row: Row, min_n: int, scale: float = 1.0, digits: int = 3) -> tuple[object, ...]:
    """Estimate, CI, SE, n, n_eff: blanked below ``min_n`` respondents."""
    if row.n < min_n:
        return (SUPPRESSED, "", "", "", row.n, "")
    return (
        _fmt(row.estimate * scale, digits),
        _fmt(row.ci_low * scale, digits),
        _fmt(row.ci_high * scale, digits),
        _fmt(row.se * scale, digits),
        row.n,
        _fmt(row.n_eff, 1),
    )


ESTIMATE_HEADERS = ("estimate", "ci_low", "ci_high", "se", "n", "n_eff")


def _overview(inputs: ReportInputs) -> Table:
    info = inputs.weighting.summary()
    rows = [
        ("Nguồn dữ liệu / Source", inputs.table.source),
        ("Đợt khảo sát / Round", inputs.round_name or ""),
        ("Số phiếu / Responses", inputs.responses_before_exclusion),
        ("Số phiếu được phân tích / Responses analysed", len(inputs.table)),
        ("Phương pháp gia quyền / Weighting method", info["method"]),
        ("Hội tụ / Converged", "có / yes" if info["converged"] else "KHÔNG / NO"),
        ("Số vòng lặp / Iterations", info["iterations"]),
        ("Sai số biên lớn nhất / Worst margin error", f"{info['max_margin_error']:.3g}"),
        ("Cỡ mẫu hiệu dụng Kish / Kish effective n", round(info["n_eff"], 1)),
        ("Hệ số thiết kế do gia quyền / Weighting design effect", round(info["deff"], 4)),
        ("Trọng số nhỏ nhất / lớn nhất — min / max weight", f"{info['min_weight']:.4g} / {info['max_weight']:.4g}"),
        ("Bậc tự do thiết kế / Design degrees of freedom", int(inputs.design.degrees_of_freedom())),
        ("Ngưỡng ẩn ô nhỏ / Suppression threshold", f"n < {inputs.min_n}"),
        *(("Ghi chú gia quyền / Weighting note", note) for note in inputs.weighting.notes),
    ]
    note = (
        "Sai số chuẩn tuyến tính hóa Taylor theo thiết kế; khi trọng số được hiệu chỉnh theo biên, sai số chuẩn "
        "tính theo phần dư hiệu chỉnh. / Taylor-linearised design-based standard errors; with weights calibrated "
        "to margins, standard errors use the calibration residuals (Deville and Särndal 1992)."
    )
    return Table("overview", "Tổng quan / Overview", ("item", "value"), rows, note)


def _counts(table: ResponseTable) -> Table:
    groups = table.text("group") if table.has("group") else np.full(len(table), "")
    units = table.text("unit") if table.has("unit") else np.full(len(table), "")
    group_list = sorted(set(groups))
    rows = []
    for unit in sorted(set(units)):
        in_unit = units == unit
        counts = [int((in_unit & (groups == g)).sum()) for g in group_list]
        rows.append((_unit_label(table, unit), *counts, int(in_unit.sum())))
    rows.append(("Tổng / Total", *[int((groups == g).sum()) for g in group_list], len(table)))
    return Table("responses", "Số phiếu theo đơn vị và nhóm / Responses by unit and group", ("unit", *group_list, "total"), rows)


def _unit_label(table: ResponseTable, code: str) -> str:
    name = table.unit_names.get(code)
    return f"{name} ({code})" if name else code


def _quality(inputs: ReportInputs) -> Table:
    counts = inputs.flags.counts()
    rows = [
        ("Hoàn thành quá nhanh / Very fast completion", counts["fast"]),
        ("Trả lời một mức cho mọi câu / Straight-lining", counts["straightlining"]),
        ("Bỏ trống nhiều câu / High item non-response", counts["nonresponse"]),
        ("Có ít nhất một dấu hiệu / Any flag", counts["any"]),
        ("Đã loại khỏi phân tích / Excluded", inputs.responses_before_exclusion - len(inputs.table)),
    ]
    note = (
        "Nhanh: dưới 30% thời gian trung vị của nhóm. Một mức: ≥ 8 câu thang đo cùng một mức. Bỏ trống: > 50% câu "
        "thang đo được hỏi. / Fast: under 30% of the group's median duration. Straight-lining: at least 8 rating "
        "items, all the same answer. Non-response: more than half the rating items asked left empty."
    )
    return Table("quality", "Chất lượng dữ liệu / Data quality", ("flag", "responses"), rows, note)


def _domain_label(inputs: ReportInputs, domain: str) -> str:
    if domain == "all":
        return "Toàn bộ / All"
    column, _, value = domain.partition("=")
    return _unit_label(inputs.table, value) if column == "unit" else domain


def _interval_svg(
    labelled: Sequence[tuple[str, Row]], inputs: ReportInputs, *, scale: float, xlabel: str, reference: float | None = None
) -> dict[str, object]:
    """Chart of the rows that are not suppressed, as SVG and PNG (empty when none is left)."""
    shown = [(label, r) for label, r in labelled if r.n >= inputs.min_n and np.isfinite(r.estimate)]
    if not shown:
        return {}
    args = (
        [label for label, _ in shown],
        [r.estimate * scale for _, r in shown],
        [r.ci_low * scale for _, r in shown],
        [r.ci_high * scale for _, r in shown],
    )
    return {
        "chart": interval_chart(*args, xlabel=xlabel, reference=reference),
        "chart_png": interval_chart(*args, xlabel=xlabel, reference=reference, fmt="png"),
    }


def _by_domain_table(
    key: str, title: str, indicator: str, rows: Sequence[Row], inputs: ReportInputs, *, scale: float, unit: str
) -> Table:
    """One indicator for the whole sample and every domain, with a chart."""
    labelled = [(_domain_label(inputs, r.domain), r) for r in rows if r.indicator == indicator]
    body = [(label, *_estimate_cells(r, inputs.min_n, scale, 2)) for label, r in labelled]
    overall = next((r for _, r in labelled if r.domain == "all"), None)
    reference = overall.estimate * scale if overall is not None and overall.n >= inputs.min_n else None
    charts = _interval_svg(labelled, inputs, scale=scale, xlabel=unit, reference=reference)
    return Table(key, title, ("domain", *ESTIMATE_HEADERS), body, **charts)


def _satisfaction_tables(
    scheme: SatisfactionScheme, rows: Sequence[Row], inputs: ReportInputs, data: Data
) -> list[Table]:
    code, name = scheme.code, _label(scheme.title, scheme.code)
    overall = {r.indicator: r for r in rows if r.domain == "all"}
    nodes = [n for n in scheme.index.walk() if n is not scheme.index and f"{code}:{n.code}" in overall]
    elements = [(n, overall[f"{code}:{n.code}"]) for n in nodes]
    tables = [
        _by_domain_table(
            f"{code}_index", f"{name} — theo đơn vị / by unit (%)", f"{code}:{scheme.index.code}", rows, inputs,
            scale=100.0, unit="%",
        ),
        Table(
            f"{code}_elements",
            f"{name} — yếu tố / elements (%)",
            ("code", "element", *ESTIMATE_HEADERS),
            [(n.code, _label(n.title, n.code), *_estimate_cells(r, inputs.min_n, 100.0, 2)) for n, r in elements],
            **_interval_svg([(_label(n.title, n.code), r) for n, r in elements], inputs, scale=100.0, xlabel="%"),
        ),
        _unit_matrix(
            f"{code}_elements_by_unit", f"{name} — yếu tố theo đơn vị / elements by unit (%)",
            [f"{code}:{n.code}" for n in nodes], rows, inputs, 100.0,
        ),
    ]
    indicators = []
    for ind in scheme.indicators:
        row = overall.get(f"{code}:{ind.code}")
        if row is not None:
            share = ind.measure == "share"
            cells = _estimate_cells(row, inputs.min_n, 100.0 if share else 1.0, 2)
            indicators.append((ind.code, _label(ind.title, ind.code), "%" if share else "mean", *cells))
    if indicators:
        tables.append(
            Table(
                f"{code}_indicators", "Nhận định và mong đợi / Judgements and expectations",
                ("code", "indicator", "unit", *ESTIMATE_HEADERS), indicators,
            )
        )
    tables.append(_alpha(scheme, data, inputs))
    return tables


def _unit_matrix(
    key: str, title: str, indicators: Sequence[str], rows: Sequence[Row], inputs: ReportInputs, scale: float
) -> Table:
    """Indicators (rows) by domain (columns), estimates only, small cells suppressed."""
    domains_seen = list(dict.fromkeys(r.domain for r in rows))
    lookup = {(r.indicator, r.domain): r for r in rows}
    body = []
    for name in indicators:
        cells = []
        for domain in domains_seen:
            row = lookup.get((name, domain))
            if row is None or not np.isfinite(row.estimate):
                cells.append("")
            elif row.n < inputs.min_n:
                cells.append(SUPPRESSED)
            else:
                cells.append(_fmt(row.estimate * scale, 2))
        body.append((name, *cells))
    return Table(key, title, ("indicator", *[_domain_label(inputs, d) for d in domains_seen]), body)


def _alpha(scheme: SatisfactionScheme, data: Data, inputs: ReportInputs) -> Table:
    """Survey-weighted Cronbach's alpha per element (Cronbach 1951), over the
    scheme's groups and the respondents who answered every item of it."""
    rows = []
    in_scheme = np.isin(data.groups, scheme.groups) if scheme.groups else np.ones(len(data.groups), dtype=bool)
    for element in scheme.elements:
        present = [i for i in element.items if i in data.items]
        if len(present) < 2:
            continue
        answers = np.column_stack([data.items[i] for i in present])[in_scheme]
        complete = int((~np.isnan(answers).any(axis=1)).sum())
        if complete >= inputs.min_n:
            alpha = _fmt(cronbach_alpha(inputs.design.weights[in_scheme], answers), 3)
        else:
            alpha = SUPPRESSED
        rows.append((element.code, _label(element.title, element.code), len(present), complete, alpha))
    columns = ("code", "element", "items", "complete responses", "alpha")
    return Table(f"{scheme.code}_alpha", "Độ tin cậy (Cronbach alpha) / Reliability (Cronbach's alpha)", columns, rows)


def _par_tables(scheme: ParScheme, rows: Sequence[Row], inputs: ReportInputs) -> list[Table]:
    code, name = scheme.code, _label(scheme.title, scheme.code)
    overall = {r.indicator: r for r in rows if r.domain == "all"}
    criteria = [
        (c.code, _label(c.title, c.code), c.max_points, ", ".join(c.items), *_estimate_cells(row, inputs.min_n, 1.0, 3))
        for c in scheme.criteria
        if (row := overall.get(f"{code}:{c.code}")) is not None
    ]
    areas = [f"{code}:area{a}" for a in sorted({c.area for c in scheme.criteria})]
    return [
        _by_domain_table(
            f"{code}_total", f"{name} — tổng điểm / total points (max {scheme.total:g})", f"{code}:total", rows, inputs,
            scale=1.0, unit=f"điểm / points (max {scheme.total:g})",
        ),
        Table(
            f"{code}_criteria", f"{name} — tiêu chí / criteria (points)",
            ("code", "criterion", "max", "groups", *ESTIMATE_HEADERS), criteria,
        ),
        _unit_matrix(
            f"{code}_areas", f"{name} — lĩnh vực theo đơn vị / areas by unit (points)",
            [*areas, f"{code}:total", f"{code}:index"], rows, inputs, 1.0,
        ),
    ]


def _ranking(name: str, rows: Sequence[Row], influence: dict[str, np.ndarray], inputs: ReportInputs) -> Table | None:
    """Units ranked with 95% plausible-rank intervals; small cells are not ranked."""
    units = [r for r in rows if r.indicator == name and r.domain.startswith("unit=")]
    eligible = [r for r in units if r.n >= inputs.min_n and np.isfinite(r.estimate) and r.domain in influence]
    if len(eligible) < 2:
        return None
    covariance = inputs.design.covariance(np.column_stack([influence[r.domain] for r in eligible]))
    labels = [_domain_label(inputs, r.domain) for r in eligible]
    ranked: list[RankedUnit] = plausible_ranks(labels, [r.estimate for r in eligible], covariance)
    body = [
        (u.label, _fmt(u.estimate, 4), u.rank, f"{u.rank_low}–{u.rank_high}")
        for u in sorted(ranked, key=lambda u: u.rank)
    ]
    body += [(_domain_label(inputs, r.domain), SUPPRESSED, "", "") for r in units if r not in eligible]
    note = (
        "Khoảng thứ hạng khả dĩ 95%: hai đơn vị có khoảng chồng nhau không khác biệt rõ về mặt thống kê. / "
        "95% plausible-rank intervals from the joint sampling distribution of the unit estimates: units whose "
        "intervals overlap cannot be told apart."
    )
    return Table(
        f"rank_{name.replace(':', '_')}",
        f"Xếp hạng / Ranking — {name}",
        ("unit", "estimate", "rank", "plausible ranks"),
        body,
        note,
        rank_chart(ranked, xlabel="Thứ hạng / rank"),
        rank_chart(ranked, xlabel="Thứ hạng / rank", fmt="png"),
    )


def _all_estimates(rows: Sequence[Row], min_n: int) -> Table:
    body = [(r.indicator, r.domain, *_estimate_cells(r, min_n, 1.0, 6)) for r in rows]
    note = (
        f"Ô có ít hơn {min_n} người trả lời được ẩn ({SUPPRESSED}). / "
        f"Cells with fewer than {min_n} respondents are suppressed ({SUPPRESSED})."
    )
    return Table("estimates", "Tất cả ước lượng / All estimates", ("indicator", "domain", *ESTIMATE_HEADERS), body, note)
