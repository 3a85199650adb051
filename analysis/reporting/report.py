"""Writing the report: HTML, XLSX and Word (PDF too where LibreOffice is installed), with progress bars."""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from analysis.reporting.content import ReportInputs, build_content
from analysis.reporting.html import render_html
from analysis.reporting.word import write_docx
from analysis.reporting.workbook import write_workbook

logger = logging.getLogger("analysis.reporting")
PDF_TIMEOUT_SECONDS = 120


def write_report(inputs: ReportInputs, out_dir: str | Path, *, progress: bool = True, issuer: str = "",
                 place: str = "", pdf: bool = True,
                 on_step: Callable[[int, int], None] | None = None) -> list[Path]:
    """Compute the report and write ``report.html``, ``report.xlsx`` and ``report.docx`` into ``out_dir``.

    Parameters
    ----------
    inputs:
        Responses, design, weighting diagnostics and options.
    out_dir:
        Directory (created if needed).
    progress:
        Show tqdm progress bars (on stderr, only on a terminal).
    issuer, place:
        The issuing body (lines, upper-cased) and the place of the Word report's header.
    pdf:
        Also convert the Word report to ``report.pdf`` when ``libreoffice`` is on the PATH.
    on_step:
        Called with (done, total) after each step (the console's progress bar).

    Returns
    -------
    The paths written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    disable = None if progress else True

    def step(domains):
        return tqdm(domains, desc="estimating domains", unit="domain", disable=disable, leave=False)

    total = 4
    with tqdm(total=total, desc="report", unit="step", disable=disable) as bar:

        def advance() -> None:
            bar.update()
            if on_step is not None:
                on_step(bar.n, total)

        content = build_content(inputs, step)
        advance()
        html_path = out / "report.html"
        html_path.write_text(render_html(content), encoding="utf-8")
        advance()
        xlsx_path = out / "report.xlsx"
        write_workbook(content, xlsx_path)
        advance()
        docx_path = write_docx(content, inputs, out / "report.docx", issuer=issuer, place=place)
        advance()
    written = [html_path, xlsx_path, docx_path]
    if pdf:
        converted = to_pdf(docx_path)
        if converted is not None:
            written.append(converted)
    return written


def to_pdf(docx_path: Path) -> Path | None:
    """``report.pdf`` beside the Word file through ``libreoffice --headless``; None when it is not installed."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        logger.info("libreoffice is not installed: no PDF written")
        return None
    try:
        subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(docx_path.parent),
                        str(docx_path)], check=True, capture_output=True, timeout=PDF_TIMEOUT_SECONDS)
    except (subprocess.SubprocessError, OSError) as exc:
        logger.warning("PDF conversion failed: %s", exc)
        return None
    pdf = docx_path.with_suffix(".pdf")
    return pdf if pdf.exists() else None
