"""Dashboard charts: day ticks on the per-day chart, legends that never cover a bar, staff-typed
names drawn as text (issue 18: ``$...$`` broke the progress chart)."""

from __future__ import annotations

from datetime import date, timedelta

from survey_app.services.charts import daily_chart, daily_figure, progress_chart, progress_figure


def _boxes(fig):  # type: ignore[no-untyped-def]
    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()
    legend = fig.legends[0].get_window_extent(renderer)
    return legend, [ax.get_window_extent(renderer) for ax in fig.axes]


def test_progress_legend_is_outside_the_bars():
    labels = [f"Xã số {i}" for i in range(12)]
    fig = progress_figure(labels, [90] * 12, [100] * 12, responses_label="Phiếu",
                          target_label="Chỉ tiêu", empty_label="—")
    legend, axes = _boxes(fig)
    assert all(not legend.overlaps(box) for box in axes)
    assert progress_chart(labels, [1] * 12, [2] * 12, responses_label="a", target_label="b",
                          empty_label="—").startswith(b"<?xml")


def test_daily_chart_ticks_are_days_and_its_legend_is_outside():
    start = date(2026, 3, 1)
    days = [start + timedelta(days=i) for i in range(6)]
    fig = daily_figure(days, [3, 0, 5, 2, 7, 1], per_day_label="Phiếu mỗi ngày", total_label="Cộng dồn",
                       empty_label="—")
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == ["01/03", "02/03", "03/03", "04/03", "05/03", "06/03"]
    legend, axes = _boxes(fig)
    assert all(not legend.overlaps(box) for box in axes)


def test_a_long_round_has_at_most_about_two_weeks_of_ticks():
    start = date(2026, 1, 1)
    days = [start + timedelta(days=i) for i in range(90)]
    fig = daily_figure(days, [1] * 90, per_day_label="a", total_label="b", empty_label="—")
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert 5 <= len(ticks) <= 16 and all(len(t) == 5 and t[2] == "/" for t in ticks)
    assert daily_chart([], [], per_day_label="a", total_label="b", empty_label="Chưa có").startswith(b"<?xml")


def test_dollar_signs_in_unit_names_are_text_not_mathtext():
    labels = ["Xã $\\frac{1}{$ An Phú", "Phường $x^2$", "Thị trấn \\$ $$"]
    svg = progress_chart(labels, [3, 1, 0], [10, None, 5], responses_label="Phiếu $", target_label="Chỉ tiêu",
                         empty_label="")
    assert svg.startswith(b"<?xml") and len(svg) > 1000
