"""XLSForm import and export through the service and `flask questionnaires import|export`."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey_app.models import QuestionnaireVersion
from survey_app.questionnaire import ItemType
from survey_app.questionnaire.compare import compare
from survey_app.questionnaire.xlsform import WorkbookError
from survey_app.services.problems import ProblemsFound
from survey_app.services.questionnaire_workbooks import export_workbook, import_workbook, publish
from survey_app.services.questionnaires import questionnaire_of
from tests.conftest import QUESTIONNAIRE_DIR
from tests.factories import make_response

SCHEMES = QUESTIONNAIRE_DIR / "schemes"


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(QuestionnaireVersion))


def test_every_stored_version_exported_and_imported_gives_the_same_hash(session, demo):
    versions = session.scalars(select(QuestionnaireVersion)).all()
    assert len(versions) >= 6
    before = _count(session)
    for version in versions:
        result = import_workbook(session, export_workbook(version), f"{version.group_code}.xlsx", version.group_code)
        assert result.version.id == version.id and not result.created, version.group_code
        assert result.version.content_hash == version.content_hash
    assert _count(session) == before


def test_cli_import_prints_the_version_and_the_same_again(app, session, demo, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "citizen.xlsx"
    exported = runner.invoke(args=["questionnaires", "export", "--group", "citizen", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    book = load_workbook(out)
    rows = list(book["survey"].iter_rows(values_only=True))
    changed = [list(row) for row in rows]
    question = next(row for row in changed if row[1] == "s_acc_1")
    question[2] = "Biển chỉ dẫn tại Bộ phận Một cửa rõ ràng"
    sheet = book["survey"]
    sheet.delete_rows(1, sheet.max_row)
    for row in changed:
        sheet.append(row)
    book.save(tmp_path / "changed.xlsx")

    first = runner.invoke(args=["questionnaires", "import", str(tmp_path / "changed.xlsx"), "--group", "citizen"])
    assert first.exit_code == 0, first.output
    short = first.output.strip().splitlines()[-1].removeprefix("version ")
    assert len(short) == 12 and short != demo.version_for("citizen").short_version
    again = runner.invoke(args=["questionnaires", "import", str(tmp_path / "changed.xlsx"), "--group", "citizen"])
    assert again.output.strip().splitlines()[-1] == f"version {short}"

    by_hash = tmp_path / "by_hash.xlsx"
    assert runner.invoke(args=["questionnaires", "export", "--version", short, "--out", str(by_hash)]).exit_code == 0
    third = runner.invoke(args=["questionnaires", "import", str(by_hash), "--group", "citizen"])
    assert third.output.strip().splitlines()[-1] == f"version {short}"


def test_cli_import_lists_every_problem_and_stores_nothing(app, session, demo, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "survey"
    for row in (("type", "name", "label"), ("text", "a", "Câu a"), ("geopoint", "where", "Ở đâu"),
                ("image", "photo", "Ảnh")):
        book.active.append(row)
    path = tmp_path / "bad.xlsx"
    book.save(path)
    before = _count(session)
    result = app.test_cli_runner().invoke(args=["questionnaires", "import", str(path), "--group", "citizen"])
    assert result.exit_code == 1
    assert "row 3" in result.output and "row 4" in result.output and "dòng 3" in result.output
    assert _count(session) == before


def test_unknown_group_is_refused(session, demo):
    with pytest.raises(WorkbookError):
        import_workbook(session, export_workbook(demo.version_for("citizen")), "c.xlsx", "martians")


def test_comparison_names_reworded_options_feeds_and_meaning(demo):
    old = questionnaire_of(demo.version_for("citizen"))
    text = demo.version_for("citizen").source
    new_text = (text.replace("Biển chỉ dẫn, sơ đồ hướng dẫn", "Biển chỉ dẫn")
                .replace("feeds: ACC\n", "feeds: PROC\n", 1)
                .replace('{code: 1, vi: "Đất đai", en: "Land"}', '{code: 1, vi: "Xây dựng nhà", en: "Housing"}'))
    from survey_app.questionnaire import parse_questionnaire_text

    new = parse_questionnaire_text(new_text, "citizen.yaml")
    diff = compare(old, new)
    assert [c.code for c in diff.reworded] == ["s_acc_1"]
    assert [c.code for c in diff.feeds_changed] == ["s_acc_1"]
    assert [c.code for c in diff.options_changed] == ["field"]
    assert [c.code for c in diff.meaning_changed] == ["field"]
    assert not diff.added and not diff.removed
    assert compare(old, old).unchanged


def test_publish_refuses_a_group_that_has_answered(session, demo):
    citizen = demo.version_for("citizen")
    make_response(session, demo, group="citizen")
    source = citizen.source.replace("Biển chỉ dẫn, sơ đồ", "Biển chỉ dẫn và sơ đồ")
    from survey_app.questionnaire import parse_questionnaire_text
    from survey_app.services.questionnaires import ensure_version

    new = ensure_version(session, parse_questionnaire_text(source, "citizen.yaml"))
    with pytest.raises(ProblemsFound):
        publish(session, new, demo)
    assert demo.version_for("citizen").id == citizen.id
    assert questionnaire_of(new).item("s_acc_1").type is ItemType.SATISFACTION5


def test_schemes_export_by_programme(app, demo, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "sipas.xlsx"
    several = runner.invoke(args=["schemes", "export", "--programme", "par_district_2023", "--out", str(out)])
    assert several.exit_code != 0 and "--code" in several.output
    result = runner.invoke(args=["schemes", "export", "--programme", "par_district_2023", "--code", "sipas",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    from analysis.indices.scheme_files import load_scheme

    assert load_scheme(out).code == "sipas"


def test_schemes_export_and_check(app, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "par.xlsx"
    result = runner.invoke(args=["schemes", "export", "--scheme", str(SCHEMES / "par_district.yaml"),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["schemes", "check", str(out)]).output.strip() == "par.xlsx: OK (scheme par)"
    book = load_workbook(out)
    book["items"]["C2"].value = "par_nonexistent"
    book.save(out)
    refused = runner.invoke(args=["schemes", "check", str(out)])
    assert refused.exit_code == 1 and "Sheet items, row 2, column C" in refused.output
