"""From the desk QR to the index: responses collected by the app, exported, weighted and reported.

The analysis package reads what the app really writes (the export CSV and the
database tables), so a change on either side that breaks the other fails here.
"""

from __future__ import annotations

import csv
import io
import random

import pytest
from sqlalchemy import select

from analysis.cli import main as analysis_main
from survey_app.models import ServicePoint
from tests.survey_app.respondent.test_desk_survey import VALID, open_form

SCHEME = "questionnaires/schemes/sipas.yaml"


def _collect(client, session, count: int = 60) -> list[str]:
    """Submit `count` varied citizen responses through two desks; return the unit codes used."""
    rng = random.Random(5)
    desks = session.scalars(select(ServicePoint).order_by(ServicePoint.id).limit(2)).all()
    for i in range(count):
        desk = desks[i % 2]
        answers = {**VALID, "sex": str(1 + (i // 2) % 2)}
        for code in ("s_acc_1", "s_proc_1", "s_staff_1", "s_res_1", "p_make_1"):
            answers[code] = str(rng.randint(1, 5))
        _, hidden = open_form(client, desk.code)
        assert client.post(f"/q/{desk.code}", data={**answers, **hidden}).status_code == 303
    return [d.unit.code for d in desks]


def _margins(path, units: list[str]) -> None:
    path.write_text("variable,category,total\n"
                    f"unit,{units[0]},3000\nunit,{units[1]},1000\nsex,1,1900\nsex,2,2100\n", encoding="utf-8")


def test_export_then_estimate_with_raking(app, client, session, demo, tmp_path):
    units = _collect(client, session)
    export = tmp_path / "responses.csv"
    result = app.test_cli_runner().invoke(args=["export", "responses", "--out", str(export)])
    assert result.exit_code == 0, result.output
    margins = tmp_path / "margins.csv"
    _margins(margins, units)
    out = tmp_path / "estimates.csv"
    printed = io.StringIO()
    status = analysis_main(["estimate", "--responses", str(export), "--margins", str(margins),
                            "--scheme", SCHEME, "--satisfied", "4,5", "--by", "unit", "--out", str(out)], stdout=printed)
    assert status == 0, printed.getvalue()
    with out.open(encoding="utf-8-sig") as f:
        rows = {(r["indicator"], r["domain"]): r for r in csv.DictReader(f)}
    sipas = next(r for (ind, dom), r in rows.items() if ind.endswith("SIPAS") and dom == "all")
    assert 0 < float(sipas["estimate"]) < 1 and float(sipas["se"]) > 0
    assert float(sipas["ci_low"]) < float(sipas["estimate"]) < float(sipas["ci_high"])
    assert int(float(sipas["n"])) == 60
    assert any(dom == f"unit={units[0]}" for _, dom in rows)
    # Every respondent answered s_acc_2 with 5: its satisfied share is exactly 1 with no variance.
    acc2 = rows[("satisfied:s_acc_2", "all")]
    assert float(acc2["estimate"]) == pytest.approx(1.0) and float(acc2["se"]) == pytest.approx(0.0, abs=1e-12)


def test_report_straight_from_the_database(app, client, session, demo, tmp_path, database_url):
    units = _collect(client, session)
    margins = tmp_path / "margins.csv"
    _margins(margins, units)
    out = tmp_path / "report"
    status = analysis_main(["report", "--database", database_url, "--round", demo.name, "--margins", str(margins),
                            "--scheme", SCHEME, "--no-progress", "--min-n", "5", "--out", str(out)],
                           stdout=io.StringIO())
    assert status == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "SIPAS" in html and demo.name in html
    assert (out / "report.xlsx").stat().st_size > 0
