"""Dates dd/mm/yyyy, Vietnam time, decimal comma in Vietnamese."""

from __future__ import annotations

from datetime import UTC, date, datetime

from survey_app.formats import day, decimal, local_time, percent


def test_dates_times_and_percentages(app):
    with app.test_request_context("/admin/"):
        assert day(date(2026, 3, 5)) == "05/03/2026"
        # 20:30 UTC is 03:30 the next morning in Viet Nam (UTC+7), naive or aware.
        assert local_time(datetime(2026, 3, 5, 20, 30)) == "06/03/2026 03:30"
        assert local_time(datetime(2026, 3, 5, 20, 30, 15, tzinfo=UTC), seconds=True) == "06/03/2026 03:30:15"
        assert day(datetime(2026, 3, 5, 20, 30)) == "06/03/2026"
        assert percent(0.7222) == "72,2%" and decimal(2.0, trim=True) == "2" and decimal(2.25, 2) == "2,25"
        assert percent(None) == "—" and local_time(None) == "—"
    with app.test_request_context("/admin/?lang=en"):
        assert percent(0.7222) == "72.2%" and day(date(2026, 3, 5)) == "05/03/2026"


def test_no_template_writes_iso_dates_or_utc():
    """Pages write dates through the filters (or dd/mm/yyyy), never ISO dates or UTC times."""
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "survey_app" / "templates"
    offending = [str(path.relative_to(templates)) for path in templates.rglob("*.html")
                 if any(s in path.read_text(encoding="utf-8") for s in ("isoformat()", "%Y-%m-%d", " UTC\""))]
    assert offending == []
