"""Charts as inline SVG, drawn with matplotlib's object API.

Each function builds its own :class:`~matplotlib.figure.Figure` on an Agg
canvas, never touches ``pyplot`` (no global state, safe in a server), and
returns the SVG text to embed in the HTML report.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis.indices import RankedUnit

_COLOUR = "#1f5f8b"
_MUTED = "#9aa5b1"


def _figure(rows: int) -> Figure:
    fig = Figure(figsize=(7.5, max(1.8, 0.36 * rows + 1.0)), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _output(fig: Figure, fmt: str) -> str | bytes:
    """SVG text for the HTML report and the console, or PNG bytes for the Word report."""
    if fmt == "png":
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
        return buffer.getvalue()
    return _svg(fig)


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    # text is drawn as glyph paths (the default): the SVG needs no font, so
    # Vietnamese labels render the same everywhere
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    # drop the XML prolog and DOCTYPE so the SVG can sit inside HTML
    return re.sub(r"^.*?(<svg\b)", r"\1", text, flags=re.S)


def interval_chart(
    labels: Sequence[str],
    estimates: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
    *,
    xlabel: str,
    reference: float | None = None,
    fmt: str = "svg",
) -> str | bytes:
    """Point estimates with confidence intervals, one row per label.

    Parameters
    ----------
    labels, estimates, lows, highs:
        One entry per row, drawn top to bottom.
    xlabel:
        Axis title.
    reference:
        Optional value drawn as a vertical line (e.g. the district figure).
    fmt:
        ``svg`` (text) or ``png`` (bytes).
    """
    fig = _figure(len(labels))
    ax = fig.add_subplot()
    ys = list(range(len(labels)))[::-1]
    for y, est, low, high in zip(ys, estimates, lows, highs):
        ax.plot([low, high], [y, y], color=_COLOUR, linewidth=2, solid_capstyle="butt")
        ax.plot([est], [y], marker="o", color=_COLOUR, markersize=6)
    if reference is not None:
        ax.axvline(reference, color=_MUTED, linestyle="--", linewidth=1)
    ax.set_yticks(ys, list(labels))
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="#e4e7eb", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _output(fig, fmt)


def rank_chart(units: Sequence[RankedUnit], *, xlabel: str, fmt: str = "svg") -> str | bytes:
    """Plausible-rank intervals, best rank at the top."""
    ordered = sorted(units, key=lambda u: u.rank)
    fig = _figure(len(ordered))
    ax = fig.add_subplot()
    ys = list(range(len(ordered)))[::-1]
    for y, unit in zip(ys, ordered):
        ax.plot([unit.rank_low, unit.rank_high], [y, y], color=_MUTED, linewidth=6, solid_capstyle="round")
        ax.plot([unit.rank], [y], marker="o", color=_COLOUR, markersize=7)
    ax.set_yticks(ys, [u.label for u in ordered])
    ax.set_xlim(0.5, len(ordered) + 0.5)
    ax.set_xticks(range(1, len(ordered) + 1))
    ax.invert_xaxis()
    ax.set_xlabel(xlabel)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _output(fig, fmt)
