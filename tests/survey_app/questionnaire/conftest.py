"""Fixtures for the questionnaire package: the real files, and small files written on the fly."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from survey_app.questionnaire import Questionnaire, load_directory

QUESTIONNAIRE_DIR = Path(__file__).resolve().parents[3] / "questionnaires"

# A small valid file; tests add or break one thing at a time.
MINIMAL = """\
group: citizen
title: {vi: "Phiếu thử", en: "Test form"}
sections:
  - code: A
    title: {vi: "Phần A", en: "Part A"}
    items:
      - code: j_feedback_given
        type: yes_no
        text: {vi: "Có góp ý không?", en: "Any feedback?"}
"""

WriteFile = Callable[..., Path]


@pytest.fixture(scope="session")
def real_questionnaires() -> dict[str, Questionnaire]:
    return load_directory(QUESTIONNAIRE_DIR)


@pytest.fixture(scope="session")
def citizen(real_questionnaires: dict[str, Questionnaire]) -> Questionnaire:
    return real_questionnaires["citizen"]


@pytest.fixture(scope="session")
def business(real_questionnaires: dict[str, Questionnaire]) -> Questionnaire:
    return real_questionnaires["business"]


@pytest.fixture
def write(tmp_path: Path) -> WriteFile:
    """``write(text, name="broken.yaml")``: a dedented file in tmp_path, its path returned."""

    def _write(text: str, name: str = "broken.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


def with_items(items_yaml: str, *, head: str = "") -> str:
    """MINIMAL plus more items (indented as list entries of section A) and top-level keys."""
    body = textwrap.indent(textwrap.dedent(items_yaml), " " * 6)
    return head + MINIMAL + body
