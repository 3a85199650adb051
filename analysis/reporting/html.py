"""The report as one self-contained HTML file (inline CSS and SVG, no scripts)."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from analysis.reporting.content import ReportContent, Table

_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:2rem auto;max-width:1100px;color:#1f2933;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #cbd2d9}
.meta{color:#616e7c;font-size:.9rem}.note{color:#52606d;font-size:.85rem;max-width:60rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.85rem}
th,td{border:1px solid #e4e7eb;padding:.25rem .5rem;text-align:right}
th{background:#f5f7fa}td:first-child,th:first-child{text-align:left}
nav ol{columns:2;font-size:.9rem}.chart svg{max-width:100%;height:auto}
details summary{cursor:pointer;color:#1f5f8b}
"""


def render_html(content: ReportContent) -> str:
    """The whole report as an HTML document."""
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    toc = "".join(f'<li><a href="#{escape(t.key)}">{escape(t.title)}</a></li>' for t in content.tables)
    sections = "".join(_section(t) for t in content.tables)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="vi"><head><meta charset="utf-8">'
        f"<title>{escape(content.title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(content.title)}</h1>"
        f'<p class="meta">{escape(content.source)} · {generated}</p>'
        f"<nav><ol>{toc}</ol></nav>{sections}</body></html>\n"
    )


def _section(table: Table) -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in table.rows)
    grid = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if table.key == "estimates":
        grid = f"<details><summary>{len(table.rows)} rows</summary>{grid}</details>"
    chart = f'<div class="chart">{table.chart}</div>' if table.chart else ""
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    return f'<section id="{escape(table.key)}"><h2>{escape(table.title)}</h2>{chart}{grid}{note}</section>'
