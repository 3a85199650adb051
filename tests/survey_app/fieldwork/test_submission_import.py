"""Kobo/ODK submission import: real export layouts, checked like the web, all or nothing, never twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey_app.models import ImportedSubmission, Response, Round, Unit
from survey_app.questionnaire import load_directory
from survey_app.questionnaire.answers import number_range_error
from survey_app.services.submission_import import ImportRefused, import_submissions
from survey_app.services.uploads import Limits

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "kobo_odk"
QUESTIONNAIRE_DIR = Path(__file__).resolve().parents[3] / "questionnaires"


def _unit(session) -> Unit:  # type: ignore[no-untyped-def]
    return session.scalar(select(Unit).where(Unit.code == "HUYEN_AN_BINH"))


def _count(session) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(Response))


@pytest.mark.parametrize("name", ["kobo_citizen.csv", "kobo_citizen.xlsx", "odk_central_citizen.csv"])
def test_an_export_imported_twice_is_stored_once(session, demo: Round, name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    first = import_submissions(session, demo, "citizen", _unit(session), name, data)
    assert (first.rows, first.imported, first.already) == (3, 3, 0)
    again = import_submissions(session, demo, "citizen", _unit(session), name, data)
    assert (again.imported, again.already) == (0, 3)
    responses = session.scalars(select(Response)).all()
    assert len(responses) == 3 and {r.channel for r in responses} == {"import"}
    assert session.scalar(select(func.count()).select_from(ImportedSubmission)) == 3
    answered = [r for r in responses if r.answers["j_feedback_given"] == 1]
    assert len(answered) == 1 and "s_fb_1" in answered[0].answers  # the conditional questions kept
    assert all("s_fb_1" not in r.answers for r in responses if r.answers["j_feedback_given"] == 0)
    assert {r.duration_seconds for r in responses} == {456}  # from start and end
    assert sorted(r.submitted_on.day for r in responses) == [21, 22, 23]


def test_kobo_csv_and_xlsx_of_the_same_submissions_do_not_add_up(session, demo: Round) -> None:
    import_submissions(session, demo, "citizen", _unit(session), "a.csv", (FIXTURES / "kobo_citizen.csv").read_bytes())
    result = import_submissions(session, demo, "citizen", _unit(session), "a.xlsx",
                                (FIXTURES / "kobo_citizen.xlsx").read_bytes())
    assert result.imported == 0 and _count(session) == 3


def test_one_bad_answer_refuses_the_whole_file_with_line_and_column(session, demo: Round) -> None:
    text = (FIXTURES / "odk_central_citizen.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    column = header.index("section_b-j_trips")
    cells = text[2].split(",")
    cells[column] = "99"
    text[2] = ",".join(cells)
    with pytest.raises(ImportRefused) as refused:
        import_submissions(session, demo, "citizen", _unit(session), "x.csv", "\n".join(text).encode())
    (problem,) = refused.value.problems
    assert (problem.row, problem.column) == (3, "section_b-j_trips")
    expected = number_range_error(load_directory(QUESTIONNAIRE_DIR)["citizen"].item("j_trips"))
    assert (problem.vi, problem.en) == (expected.vi, expected.en)
    assert _count(session) == 0


def test_labels_instead_of_values_and_unknown_columns_are_named(session, demo: Round) -> None:
    data = (FIXTURES / "kobo_citizen.csv").read_text(encoding="utf-8")
    data = data.replace('"section_a/field"', '"section_a/linh_vuc"')
    with pytest.raises(ImportRefused) as refused:
        import_submissions(session, demo, "citizen", _unit(session), "x.csv", data.encode())
    messages = {(p.row, p.column): p.sentence("vi") for p in refused.value.problems}
    assert "section_a/linh_vuc" in messages[(1, "section_a/linh_vuc")]
    assert (1, "field") in messages  # and the required question's column is missing
    assert _count(session) == 0


def test_uploads_are_bounded(session, demo: Round) -> None:
    data = (FIXTURES / "kobo_citizen.csv").read_bytes()
    with pytest.raises(ImportRefused) as refused:
        import_submissions(session, demo, "citizen", _unit(session), "x.csv", data, Limits(max_rows=2))
    assert "hơn 2 dòng" in refused.value.problems[0].sentence("vi")
    with pytest.raises(ImportRefused) as refused:
        import_submissions(session, demo, "citizen", _unit(session), "x.csv", data, Limits(max_bytes=100))
    assert refused.value.problems[0].sentence("vi").startswith("Tệp lớn hơn")
    with pytest.raises(ImportRefused):
        import_submissions(session, demo, "citizen", _unit(session), "x.csv", data, Limits(max_cells=50))
    with pytest.raises(ImportRefused) as refused:
        import_submissions(session, demo, "citizen", _unit(session), "x.pdf", data)
    assert ".csv và .xlsx" in refused.value.problems[0].sentence("vi")
    with pytest.raises(ImportRefused):
        import_submissions(session, demo, "citizen", _unit(session), "x.xlsx", b"PK\x03\x04 not a zip")
    assert _count(session) == 0


def test_a_submission_twice_in_one_file_is_refused(session, demo: Round) -> None:
    lines = (FIXTURES / "odk_central_citizen.csv").read_text(encoding="utf-8").splitlines()
    with pytest.raises(ImportRefused) as refused:
        import_submissions(session, demo, "citizen", _unit(session), "x.csv", "\n".join([*lines, lines[1]]).encode())
    assert refused.value.problems[0].row == 5 and "dòng 2" in refused.value.problems[0].sentence("vi")


def test_console_upload_and_cli(staff_client, app, session, demo: Round) -> None:
    from io import BytesIO

    from tests.factories import form_field

    page = staff_client.get(f"/admin/rounds/{demo.id}/import-submissions")
    token = form_field(page.get_data(as_text=True), "csrf_token")
    bad = (FIXTURES / "kobo_citizen.csv").read_text(encoding="utf-8").replace('"4";"', '"x";"', 1).encode()
    refused = staff_client.post(f"/admin/rounds/{demo.id}/import-submissions", data={
        "csrf_token": token, "group": "citizen", "unit_code": "HUYEN_AN_BINH",
        "file": (BytesIO(bad), "kobo.csv")}, content_type="multipart/form-data")
    assert refused.status_code == 422 and "Dòng 2, cột" in refused.get_data(as_text=True)
    done = staff_client.post(f"/admin/rounds/{demo.id}/import-submissions", data={
        "csrf_token": token, "group": "citizen", "unit_code": "HUYEN_AN_BINH",
        "file": (BytesIO((FIXTURES / "kobo_citizen.xlsx").read_bytes()), "kobo.xlsx")},
        content_type="multipart/form-data")
    assert done.status_code == 302 and _count(session) == 3
    # An export larger than a survey form's body limit (256 KB) is accepted here...
    padded = (FIXTURES / "odk_central_citizen.csv").read_bytes() + (b"," * 45 + b"\r\n") * 10_000
    big = staff_client.post(f"/admin/rounds/{demo.id}/import-submissions", data={
        "csrf_token": token, "group": "citizen", "unit_code": "HUYEN_AN_BINH",
        "file": (BytesIO(padded), "odk.csv")}, content_type="multipart/form-data")
    assert big.status_code == 302 and _count(session) == 6
    # ...but not beyond the import's own limit.
    body = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="odk.csv"\r\n\r\n'
            + b"x" * (11 * 1024 * 1024) + b"\r\n--b--\r\n")  # as bytes: the test client spools nothing
    huge = staff_client.post(f"/admin/rounds/{demo.id}/import-submissions", data=body,
                             content_type="multipart/form-data; boundary=b")
    assert huge.status_code == 413

    runner = app.test_cli_runner()
    args = ["submissions", "import", "--round", demo.name, "--group", "citizen", "--unit", "HUYEN_AN_BINH"]
    result = runner.invoke(args=[*args, str(FIXTURES / "kobo_citizen.csv")])
    assert result.exit_code == 0 and "Imported 0" in result.output  # the console imported them already
    result = runner.invoke(args=[*args, str(FIXTURES / "odk_central_citizen.csv")])
    assert "Imported 0" in result.output and _count(session) == 6


SMALL = """
group: citizen
title: {vi: "Phiếu thử", en: "Test form"}
sections:
  - code: A
    title: {vi: "Phần A", en: "Part A"}
    items:
      - code: channels
        type: multiple
        required: true
        text: {vi: "Ông/Bà biết thông tin qua kênh nào?", en: "Where did you hear of it?"}
        options:
          - {code: 1, vi: "Loa phát thanh", en: "Loudspeaker"}
          - {code: 2, vi: "Cán bộ thôn", en: "Village officer"}
          - {code: 3, vi: "Mạng xã hội", en: "Social media"}
      - code: rating
        type: satisfaction5
        required: true
        text: {vi: "Mức độ hài lòng", en: "Satisfaction"}
"""


def _small_round(session) -> Round:  # type: ignore[no-untyped-def]
    from datetime import date

    from survey_app.models import RoundQuestionnaire
    from survey_app.questionnaire import parse_questionnaire_text
    from survey_app.services.questionnaires import ensure_version

    version = ensure_version(session, parse_questionnaire_text(SMALL, "citizen.yaml"))
    round_ = Round(name="Thử chọn nhiều", opens_on=date(2026, 1, 1), closes_on=date(2026, 12, 31), status="open",
                   slip_secret=b"0" * 32)
    round_.questionnaires.append(RoundQuestionnaire(group_code="citizen", version=version))
    session.add(round_)
    session.commit()
    return round_


def test_select_multiple_as_one_column_or_as_one_column_per_option(session, demo: Round) -> None:
    round_ = _small_round(session)
    # Kobo "both": the summary column (space-separated codes) and a 0/1 column per option.
    both = ('"grp/channels";"grp/channels/1";"grp/channels/2";"grp/channels/3";"grp/rating";"_uuid"\n'
            '"1 3";"1";"0";"1";"4";"u-1"\n')
    result = import_submissions(session, round_, "citizen", _unit(session), "both.csv", both.encode())
    assert result.imported == 1
    # Kobo "details": only the 0/1 columns.
    details = ("grp-channels/1,grp-channels/2,grp-channels/3,grp-rating,KEY\n"
               "0,1,1,5,uuid:u-2\n")
    assert import_submissions(session, round_, "citizen", _unit(session), "d.csv", details.encode()).imported == 1
    answers = sorted((r.answers for r in session.scalars(select(Response))), key=lambda a: a["rating"])
    assert answers == [{"channels": [1, 3], "rating": 4}, {"channels": [2, 3], "rating": 5}]
    none_ticked = ("grp-channels/1,grp-channels/2,grp-channels/3,grp-rating,KEY\n0,0,0,5,uuid:u-3\n")
    with pytest.raises(ImportRefused) as refused:
        import_submissions(session, round_, "citizen", _unit(session), "n.csv", none_ticked.encode())
    assert refused.value.problems[0].column == "grp-channels"


def test_an_import_keeps_the_dashboard_tallies_current(session, demo: Round) -> None:
    """The imported responses are added to their days' tallies: the dashboard's next view tallies nothing."""
    from survey_app.models import AnswerTally
    from survey_app.services import dashboard
    from survey_app.services.export import ExportFilter

    import_submissions(session, demo, "citizen", _unit(session), "a.csv", (FIXTURES / "kobo_citizen.csv").read_bytes())
    everything = ExportFilter(round_id=demo.id)
    counts = dashboard.scan_counts(session, everything).by(0, 1, 2, 3)
    stored = {(t.unit_id, t.group_code, t.questionnaire_version_id, t.submitted_on): (t.responses, t.figures)
              for t in session.scalars(select(AnswerTally))}
    assert len(counts) == 3 and {key: n for key, (n, _figures) in stored.items()} == dict(counts)
    assert stored == dashboard._recompute(session, everything, list(counts))
