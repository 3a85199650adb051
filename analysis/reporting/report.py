"""Writing the report: HTML and XLSX, with progress bars for the long steps."""

from __future__ import annotations

from pathlib import Path

from tqdm import tqdm

from analysis.reporting.content import ReportInputs, build_content
from analysis.reporting.html import render_html
from analysis.reporting.workbook import write_workbook


def write_report(inputs: ReportInputs, out_dir: str | Path, *, progress: bool = True) -> list[Path]:
    """Compute the report and write ``report.html`` and ``report.xlsx`` into ``out_dir``.

    Parameters
    ----------
    inputs:
        Responses, design, weighting diagnostics and options.
    out_dir:
        Directory (created if needed).
    progress:
        Show tqdm progress bars (on stderr, only on a terminal).

    Returns
    -------
    The paths written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    disable = None if progress else True

    def step(domains):
        return tqdm(domains, desc="estimating domains", unit="domain", disable=disable, leave=False)

    with tqdm(total=3, desc="report", unit="step", disable=disable) as bar:
        content = build_content(inputs, step)
        bar.update()
        html_path = out / "report.html"
        html_path.write_text(render_html(content), encoding="utf-8")
        bar.update()
        xlsx_path = out / "report.xlsx"
        write_workbook(content, xlsx_path)
        bar.update()
    return [html_path, xlsx_path]
