"""A questionnaire directory: one file per group, all checked together, the groups its programmes name
present; and the CLI on top."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask

from survey_app.questionnaire import QuestionnaireError, load_directory, validate_directory
from survey_app.questionnaires_cli import questionnaires_cli
from tests.survey_app.questionnaire.conftest import MINIMAL, QUESTIONNAIRE_DIR


@pytest.fixture
def qdir(tmp_path: Path) -> Path:
    """A copy of the real questionnaires (and the programmes naming them), to break at will."""
    directory = tmp_path / "questionnaires"
    directory.mkdir()
    for path in QUESTIONNAIRE_DIR.glob("*.yaml"):
        shutil.copy(path, directory / path.name)
    shutil.copytree(QUESTIONNAIRE_DIR / "programmes", directory / "programmes")
    return directory


def test_real_directory_has_no_problem() -> None:
    assert validate_directory(QUESTIONNAIRE_DIR) == []


def test_sub_directories_and_other_files_are_ignored(qdir: Path) -> None:
    (qdir / "schemes").mkdir()
    (qdir / "schemes" / "sipas.yaml").write_text("not: a questionnaire\n")
    (qdir / "README.md").write_text("notes")
    assert sorted(load_directory(qdir)) == sorted(
        ["hdnd_deputy", "dept_director", "office_head", "commune_chair", "business", "citizen"]
    )


def test_missing_group_is_reported(qdir: Path) -> None:
    (qdir / "business.yaml").unlink()
    assert [str(p) for p in validate_directory(qdir)] == [
        "questionnaires: no questionnaire for group 'business' (expected business.yaml)"
    ]


def test_group_in_two_files_and_misnamed_file_are_reported(qdir: Path) -> None:
    (qdir / "citizen.yml").write_text(MINIMAL, encoding="utf-8")
    (qdir / "business.yaml").rename(qdir / "doanh_nghiep.yaml")
    assert [str(p) for p in validate_directory(qdir)] == [
        "citizen.yml: group 'citizen' already has a questionnaire in citizen.yaml",
        "doanh_nghiep.yaml: declares group 'business': the file must be named business.yaml",
    ]


def test_problems_of_all_files_are_collected_without_a_duplicate_missing_group(qdir: Path) -> None:
    for name, old, new in [
        ("citizen.yaml", "type: satisfaction5\n        feeds: ACC", "type: satisfaction\n        feeds: ACC"),
        ("office_head.yaml", "scale: rating5", "scale: rating_5"),
    ]:
        path = qdir / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    problems = [str(p) for p in validate_directory(qdir)]
    assert problems == [
        "citizen.yaml: item s_acc_1: unknown type 'satisfaction'",
        "office_head.yaml: item par_a1_1: scale 'rating_5' is not defined in scales",
    ]
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(qdir)
    assert [str(p) for p in caught.value.problems] == problems


def test_missing_directory_is_a_problem(tmp_path: Path) -> None:
    assert [str(p) for p in validate_directory(tmp_path / "nowhere")] == [f"{tmp_path / 'nowhere'}: not a directory"]


@pytest.fixture
def cli_app(qdir: Path) -> Flask:
    app = Flask("questionnaire_cli_test")
    app.config["QUESTIONNAIRE_DIR"] = str(qdir)
    app.cli.add_command(questionnaires_cli)
    return app


def test_cli_prints_one_ok_line_per_file(cli_app: Flask) -> None:
    result = cli_app.test_cli_runner().invoke(args=["questionnaires", "validate"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 6
    citizen = load_directory(cli_app.config["QUESTIONNAIRE_DIR"])["citizen"]
    assert f"citizen.yaml: OK (group citizen, 11 sections, 35 items, version {citizen.short_version})" in lines


def test_cli_reports_each_problem_and_fails(cli_app: Flask, qdir: Path) -> None:
    path = qdir / "citizen.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("type: satisfaction5", "type: satisfaction", 1),
                    encoding="utf-8")
    (qdir / "business.yaml").unlink()
    result = cli_app.test_cli_runner().invoke(args=["questionnaires", "validate"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "citizen.yaml: item s_acc_1: unknown type 'satisfaction'",
        "questionnaires: no questionnaire for group 'business' (expected business.yaml)",
    ]


def test_cli_dir_option_overrides_the_configured_directory(cli_app: Flask, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli_app.test_cli_runner().invoke(args=["questionnaires", "validate", "--dir", str(empty)])
    assert result.exit_code == 1
    assert "empty: no questionnaire files (*.yaml)" in result.stdout


def test_cli_without_configured_directory_asks_for_dir() -> None:
    app = Flask("questionnaire_cli_test")
    app.cli.add_command(questionnaires_cli)
    result = app.test_cli_runner().invoke(args=["questionnaires", "validate"])
    assert result.exit_code == 2
    assert "QUESTIONNAIRE_DIR is not configured: pass --dir" in result.output
