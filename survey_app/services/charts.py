"""Dashboard charts as SVG, drawn on the server so the console needs no JavaScript library.

matplotlib's object API only: each chart builds its own Figure on an Agg
canvas and never touches ``pyplot`` or the global ``rcParams``, which are
shared by every thread of a server process. Text becomes vector paths in the
default DejaVu Sans, which has the Vietnamese letters, so labels look the same
in every browser. The pages show the same figures in tables, so the charts are
an aid, never the only way to read them.

Labels are staff-typed names: ``$...$`` in a unit name must be text, not
mathtext (which raised on it and broke the page), so every text is drawn with
``parse_math=False`` and usetex off.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date

import matplotlib.dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

BRAND = "#0b4f8a"
MUTED = "#9aa5b1"
DONE = "#1b6e20"


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _plain(texts: Sequence[object]) -> None:
    """Draw these texts as typed: no mathtext, no TeX."""
    for text in texts:
        text.set_usetex(False)  # type: ignore[attr-defined]
        text.set_parse_math(False)  # type: ignore[attr-defined]


def _svg(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def progress_chart(labels: Sequence[str], responses: Sequence[int], targets: Sequence[int | None],
                   *, responses_label: str, target_label: str, empty_label: str) -> bytes:
    """Horizontal bars of responses per row, the target as a grey bar behind; top to bottom as given."""
    return _svg(progress_figure(labels, responses, targets, responses_label=responses_label,
                                target_label=target_label, empty_label=empty_label))


def progress_figure(labels: Sequence[str], responses: Sequence[int], targets: Sequence[int | None],
                    *, responses_label: str, target_label: str, empty_label: str) -> Figure:
    fig = _figure(7.5, max(1.8, 0.34 * len(labels) + 1.3))
    ax = fig.add_subplot()
    if not labels:
        ax.text(0.5, 0.5, empty_label, ha="center", va="center", transform=ax.transAxes, parse_math=False)
        ax.set_axis_off()
        return fig
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, [t or 0 for t in targets], color=MUTED, height=0.75, label=target_label)
    colours = [DONE if t and r >= t else BRAND for r, t in zip(responses, targets, strict=True)]
    ax.barh(positions, responses, color=colours, height=0.45, label=responses_label)
    for y, r, t in zip(positions, responses, targets, strict=True):
        ax.text(max(r, t or 0), y, f" {r}" + (f"/{t}" if t else ""), va="center", fontsize=8, parse_math=False)
    ax.set_yticks(positions, labels, fontsize=8)
    _plain(ax.get_yticklabels())
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(x=0.12)
    _legend_above(fig, ax)
    return fig


def _legend_above(fig: Figure, *axes: object) -> None:
    """The legend in its own row above the plot: inside the axes it covered the longest bars."""
    handles, labels = [], []
    for axis in axes:
        h, l = axis.get_legend_handles_labels()  # type: ignore[attr-defined]
        handles += h
        labels += l
    legend = fig.legend(handles, labels, loc="outside upper left", ncols=len(labels), fontsize=8, frameon=False)
    _plain(legend.get_texts())


def daily_chart(days: Sequence[date], counts: Sequence[int], *, per_day_label: str, total_label: str,
                empty_label: str) -> bytes:
    """Responses per day as bars, the running total as a line on a second axis."""
    return _svg(daily_figure(days, counts, per_day_label=per_day_label, total_label=total_label,
                             empty_label=empty_label))


def daily_figure(days: Sequence[date], counts: Sequence[int], *, per_day_label: str, total_label: str,
                 empty_label: str) -> Figure:
    fig = _figure(7.5, 3.0)
    ax = fig.add_subplot()
    if not days:
        ax.text(0.5, 0.5, empty_label, ha="center", va="center", transform=ax.transAxes, parse_math=False)
        ax.set_axis_off()
        return fig
    ax.bar(days, counts, color=BRAND, width=0.8, label=per_day_label)
    ax.set_ylabel(per_day_label, fontsize=8)
    running, total = [], 0
    for n in counts:
        total += n
        running.append(total)
    twin = ax.twinx()
    twin.plot(days, running, color=DONE, linewidth=1.5, label=total_label)
    twin.set_ylabel(total_label, fontsize=8)
    twin.set_ylim(bottom=0)
    # Only the day is stored: ticks on whole days (dd/mm), never on hours, at most ~14 of them.
    span = (max(days) - min(days)).days + 1
    ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, math.ceil(span / 14))))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d/%m"))
    ax.set_xlim(mdates.date2num(min(days)) - 0.6, mdates.date2num(max(days)) + 0.6)
    for axis in (ax, twin):
        axis.tick_params(labelsize=8)
        axis.spines[["top"]].set_visible(False)
    ax.tick_params(axis="x", labelrotation=45)
    _legend_above(fig, ax, twin)
    return fig
