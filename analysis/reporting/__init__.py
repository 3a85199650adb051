"""Reports: a self-contained HTML file with inline SVG charts, and an XLSX
workbook of every table."""

from analysis.reporting.content import ReportContent, ReportInputs, Table, build_content
from analysis.reporting.html import render_html
from analysis.reporting.report import write_report
from analysis.reporting.workbook import write_workbook

__all__ = [
    "ReportContent",
    "ReportInputs",
    "Table",
    "build_content",
    "render_html",
    "write_report",
    "write_workbook",
]
