"""Command line: ``python -m analysis weight|estimate|report``.

Each subcommand has ``--help``. Errors in the input (margins that disagree, a
category without a target, a target without respondents, a bad scheme) end
the command with exit status 2 and a one-line message naming the variable
and category; nothing is written then.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from analysis.estimation import INTERVALS, LONELY_PSU, DesignError, SurveyDesign
from analysis.indices import QualityFlags, SatisfactionScheme, SchemeError, load_scheme, quality_flags
from analysis.indices.pipeline import (
    METHODS,
    DesignOptions,
    EstimateOptions,
    WeightingOptions,
    build_catalogue,
    build_design,
    design_columns,
    estimate_table,
    item_data,
    starting_weights,
    weigh,
)
from analysis.io import (
    META_COLUMNS,
    Margin,
    MarginsFileError,
    ResponsesError,
    ResponseTable,
    load_margins,
    load_responses,
    load_weights,
    write_csv,
    write_weights,
)
from analysis.quality import DEFAULT_RULES, QualityRules
from analysis.weighting import MarginError, WeightingResult, base_weights

INPUT_ERRORS = (MarginError, MarginsFileError, ResponsesError, SchemeError, DesignError)
ESTIMATE_COLUMNS = ("indicator", "domain", "estimate", "se", "ci_low", "ci_high", "n", "n_eff")


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Run the command line; returns the exit status."""
    stdout = stdout or sys.stdout
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args, stdout)
    except INPUT_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(required=True, metavar="{weight,estimate,report}")

    weight = sub.add_parser(
        "weight",
        help="weight responses to population margins",
        description="Weight the responses to known population totals and write response_id,weight.",
    )
    weight.add_argument("--responses", required=True, type=Path, help="responses CSV (export format)")
    weight.add_argument("--margins", required=True, type=Path, help="margins CSV: variable,category,total[,group]")
    _weighting_arguments(weight)
    weight.add_argument("--out", required=True, type=Path, help="weights CSV to write (response_id,weight)")
    weight.set_defaults(run=_run_weight)

    estimate = sub.add_parser(
        "estimate",
        help="estimate item means, shares and indices with confidence intervals",
        description=(
            "Estimate every item's mean (and satisfied share), and the indices of the schemes given, "
            "for the whole sample and per domain, with design-based standard errors."
        ),
    )
    estimate.add_argument("--responses", required=True, type=Path, help="responses CSV (export format)")
    source = estimate.add_mutually_exclusive_group()
    source.add_argument("--weights", type=Path, help="weights CSV (response_id,weight), taken as fixed")
    source.add_argument("--margins", type=Path, help="margins CSV; weights computed, SEs account for calibration")
    _weighting_arguments(estimate)
    _design_arguments(estimate)
    _estimate_arguments(estimate)
    estimate.add_argument("--out", required=True, type=Path, help="estimates CSV to write")
    estimate.set_defaults(run=_run_estimate)

    report = sub.add_parser(
        "report",
        help="write an HTML report, an XLSX workbook and a Word report",
        description=(
            "Write a self-contained HTML report with charts, an XLSX workbook of every table and report.docx in "
            "Vietnamese administrative layout (report.pdf too where LibreOffice is installed)."
        ),
    )
    data = report.add_mutually_exclusive_group(required=True)
    data.add_argument("--database", help="SQLAlchemy database URL of the survey app")
    data.add_argument("--responses", type=Path, help="responses CSV (export format)")
    report.add_argument("--round", help="round name (required with --database)")
    weights = report.add_mutually_exclusive_group()
    weights.add_argument("--weights", type=Path, help="weights CSV (response_id,weight), taken as fixed")
    weights.add_argument("--margins", type=Path, help="margins CSV; weights computed, SEs account for calibration")
    _weighting_arguments(report)
    _design_arguments(report)
    _estimate_arguments(report, default_by=("unit",))
    report.add_argument("--min-n", type=int, default=10, help="suppress cells with fewer respondents (default 10)")
    report.add_argument("--title", help="report title")
    report.add_argument("--issuer", default="", help="issuing body for the Word report's header, lines separated by \\n "
                        "(e.g. 'UBND TỈNH X\\nSỞ NỘI VỤ')")
    report.add_argument("--place", default="", help="place written before the date in the Word report")
    report.add_argument("--no-pdf", action="store_true", help="do not convert the Word report to PDF")
    report.add_argument("--no-progress", action="store_true", help="hide progress bars")
    report.add_argument("--out", required=True, type=Path, help="directory to write report.html, .xlsx and .docx")
    report.set_defaults(run=_run_report)
    return parser


def _pair(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def _codes(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected codes like 4,5, got {text!r}") from None


def _weighting_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("weighting")
    group.add_argument("--base-weight", metavar="COL", help="column of base (design) weights; default 1")
    group.add_argument(
        "--method",
        choices=METHODS,
        help="weighting method (default: poststratify for one margin variable, rake for several)",
    )
    group.add_argument("--bounds", nargs=2, type=_pair, metavar=("L", "U"), help="bounds on g = w/d (linear, logit)")
    group.add_argument("--trim", nargs=2, type=_pair, metavar=("LOWER", "UPPER"), help="trim final weights to [LOWER, UPPER]")
    group.add_argument("--strict-trim", action="store_true", help="repeat trimming until all weights are within bounds")
    group.add_argument("--max-iter", type=int, default=100, help="iteration limit (default 100)")
    group.add_argument("--tol", type=float, default=1e-7, help="tolerance on the relative margin error (default 1e-7)")


def _design_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("design")
    group.add_argument("--strata", metavar="COL", help="stratum column")
    group.add_argument("--psu", metavar="COL", help="primary sampling unit (cluster) column")
    group.add_argument("--fpc", metavar="COL", help="population size (or sampling fraction) per stratum")
    group.add_argument("--lonely-psu", choices=LONELY_PSU, default="fail", help="strata with one PSU (default fail)")


def _estimate_arguments(parser: argparse.ArgumentParser, default_by: tuple[str, ...] = ()) -> None:
    group = parser.add_argument_group("estimates")
    group.add_argument("--by", action="append", metavar="COL", help="domain column (repeatable)")
    group.add_argument("--satisfied", type=_codes, metavar="CODES", help="codes counted as satisfied, e.g. 4,5")
    group.add_argument("--scheme", action="append", type=Path, metavar="FILE", help="index scheme, YAML or Excel workbook (.xlsx) (repeatable)")
    group.add_argument("--items", metavar="PATTERNS", help="item columns to report, comma-separated globs (e.g. s_*)")
    group.add_argument(
        "--ci-prop",
        choices=[m for m in INTERVALS if m not in ("t", "normal")],
        default="korn-graubard",
        help="interval for shares (default korn-graubard)",
    )
    group.add_argument("--level", type=float, default=0.95, help="confidence level (default 0.95)")
    group.add_argument("--exclude-flagged", action="store_true", help="drop responses with data-quality flags")
    group.add_argument("--fast-seconds", type=float, default=DEFAULT_RULES.fast_seconds, metavar="S",
                       help=f"flag responses completed in under S seconds (default {DEFAULT_RULES.fast_seconds:g}, "
                            "as the console's dashboard)")
    group.add_argument("--straightline-min-items", type=int, default=DEFAULT_RULES.straightline_min_items,
                       metavar="K", help="flag responses answering at least K rating items all alike "
                                         f"(default {DEFAULT_RULES.straightline_min_items})")
    parser.set_defaults(default_by=default_by)


def _weighting_options(args: argparse.Namespace) -> WeightingOptions:
    return WeightingOptions(
        method=args.method,
        bounds=tuple(args.bounds) if args.bounds else None,
        trim=tuple(args.trim) if args.trim else None,
        strict_trim=args.strict_trim,
        max_iter=args.max_iter,
        tol=args.tol,
        base_weight=args.base_weight,
    )


def _design_options(args: argparse.Namespace) -> DesignOptions:
    return DesignOptions(args.strata, args.psu, args.fpc, args.lonely_psu)


def _margins(args: argparse.Namespace) -> list[Margin]:
    """The margins file's targets, none without ``--margins`` (estimate and report)."""
    return load_margins(args.margins) if args.margins else []


def _run_weight(args: argparse.Namespace, stdout: TextIO) -> int:
    margins = load_margins(args.margins)
    # only the columns weighting reads are converted: ids, groups, margin variables, base weights
    needed = {"group", *(m.variable for m in margins), *([args.base_weight] if args.base_weight else [])}
    table = load_responses(args.responses, columns=needed)
    result = weigh(table, margins, _weighting_options(args))
    write_weights(args.out, table.id_column, result.weights)
    _print_diagnostics(result, stdout)
    return 0


def _print_diagnostics(result: WeightingResult, stdout: TextIO) -> None:
    info = result.summary()
    lines = [
        f"method: {info['method']}",
        f"iterations: {info['iterations']}",
        f"converged: {'yes' if info['converged'] else 'NO'}",
        f"worst margin error: {info['max_margin_error']:.3g}",
        f"Kish effective sample size: {info['n_eff']:.1f} of {info['n']}",
        f"weighting design effect: {info['deff']:.4f}",
        f"weights: min {info['min_weight']:.6g}, max {info['max_weight']:.6g}",
    ]
    lines += [f"note: {note}" for note in result.notes]
    stdout.write("\n".join(lines) + "\n")


@dataclass(frozen=True)
class _Prepared:
    """What estimate and report share: the responses analysed and their design."""

    table: ResponseTable
    options: EstimateOptions
    weighting: WeightingResult
    design: SurveyDesign
    exclude: set[str]
    flags: QualityFlags | None
    responses_before_exclusion: int


def _prepare(args: argparse.Namespace, table: ResponseTable, margins: Sequence[Margin], stdout: TextIO, *,
             need_flags: bool) -> _Prepared:
    """Schemes, data-quality exclusions, weights (fixed, or computed from margins) and design."""
    if len(table) == 0:
        raise ResponsesError(f"{table.source}: no responses")
    options = EstimateOptions(
        satisfied=args.satisfied,
        items=tuple(p.strip() for p in args.items.split(",")) if args.items else None,
        by=tuple(args.by or args.default_by),
        schemes=tuple(load_scheme(path) for path in args.scheme or ()),
        proportion_interval=args.ci_prop,
        level=args.level,
    )
    weighting_options = _weighting_options(args)
    design_options = _design_options(args)
    exclude = design_columns(weighting_options, design_options, margins)
    before = len(table)
    rules = QualityRules(args.fast_seconds, args.straightline_min_items)
    flags = _flags(table, options, exclude, rules) if need_flags or args.exclude_flagged else None
    if args.exclude_flagged and flags.any.any():
        stdout.write(f"excluded {int(flags.any.sum())} flagged response(s)\n")
        table = table.subset(~flags.any)
    if args.weights:
        weighting = base_weights(load_weights(args.weights, table))
    elif margins:
        weighting = weigh(table, margins, weighting_options)
        _print_diagnostics(weighting, stdout)
    else:
        weighting = base_weights(starting_weights(table, args.base_weight))
    design = build_design(table, weighting, design_options)
    return _Prepared(table, options, weighting, design, exclude, flags, before)


def _flags(table: ResponseTable, options: EstimateOptions, exclude: set[str], rules: QualityRules) -> QualityFlags:
    """Quality flags (:mod:`analysis.quality`) over the rating items: the satisfaction
    schemes' items when schemes are given, otherwise the items the estimates use."""
    catalogue = build_catalogue(table, options, exclude)
    data = item_data(table, catalogue)
    scheme_items = [item for scheme in options.schemes if isinstance(scheme, SatisfactionScheme)
                    for element in scheme.elements for item in element.items if item in data.items]
    rating = list(dict.fromkeys(scheme_items or [c.item for c in catalogue.components]))
    duration = table.numeric("duration_seconds") if table.has("duration_seconds") else None
    return quality_flags(data.items, data.groups, duration, rating, rules)


def _run_estimate(args: argparse.Namespace, stdout: TextIO) -> int:
    margins = _margins(args)
    # the export's metadata columns that no option names are not converted (0.04 s of 300,000 responses)
    named = {"response_id", "group", *design_columns(_weighting_options(args), _design_options(args), margins),
             *(args.by or ()), *(["duration_seconds"] if args.exclude_flagged else [])}
    table = load_responses(args.responses, skip=set(META_COLUMNS) - named)
    prepared = _prepare(args, table, margins, stdout, need_flags=False)

    def step(domains):
        if not sys.stderr.isatty():
            return domains  # what tqdm(disable=None) does off a terminal, without importing it
        from tqdm import tqdm

        return tqdm(domains, desc="estimating domains", unit="domain", disable=None, leave=False)

    rows = estimate_table(prepared.table, prepared.design, prepared.options, prepared.exclude, step)
    write_csv(
        args.out,
        ESTIMATE_COLUMNS,
        ((r.indicator, r.domain, r.estimate, r.se, r.ci_low, r.ci_high, r.n, r.n_eff) for r in rows),
    )
    stdout.write(f"wrote {len(rows)} estimates to {args.out}\n")
    return 0


def _run_report(args: argparse.Namespace, stdout: TextIO) -> int:
    # imported here: matplotlib and openpyxl are only needed for reports
    from analysis.reporting import ReportInputs, write_report

    if args.database:
        if not args.round:
            raise ResponsesError("--round is required with --database")
        from analysis.io import load_round  # SQLAlchemy and pandas, for this source only

        table = load_round(args.database, args.round)
    else:
        table = load_responses(args.responses)
    prepared = _prepare(args, table, _margins(args), stdout, need_flags=True)
    inputs = ReportInputs(
        table=prepared.table,
        design=prepared.design,
        weighting=prepared.weighting,
        options=prepared.options,
        exclude=prepared.exclude,
        flags=prepared.flags,
        responses_before_exclusion=prepared.responses_before_exclusion,
        min_n=args.min_n,
        title=args.title,
        round_name=args.round,
    )
    issuer = args.issuer.replace("\\n", "\n")
    for path in write_report(inputs, args.out, progress=not args.no_progress, issuer=issuer, place=args.place,
                             pdf=not args.no_pdf):
        stdout.write(f"wrote {path}\n")
    return 0
