"""Dashboard charts draw staff-typed names as text (issue 18: ``$...$`` broke the progress chart)."""

from __future__ import annotations

from survey_app.services.charts import progress_chart


def test_dollar_signs_in_unit_names_are_text_not_mathtext():
    labels = ["Xã $\\frac{1}{$ An Phú", "Phường $x^2$", "Thị trấn \\$ $$"]
    svg = progress_chart(labels, [3, 1, 0], [10, None, 5], responses_label="Phiếu $", target_label="Chỉ tiêu",
                         empty_label="")
    assert svg.startswith(b"<?xml") and len(svg) > 1000
