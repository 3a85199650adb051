"""Printed paper forms: numbers unique and stored, printed as text and QR on every page, skips in words."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from sqlalchemy import func, select

from survey_app.models import PaperForm, Round, Unit
from survey_app.questionnaire import load_directory
from survey_app.services.paper import (
    forms_pdf,
    issue_forms,
    normalise_number,
    question_numbers,
    skip_instructions,
)
from tests.conftest import QUESTIONNAIRE_DIR


def _pages(pdf: bytes):  # type: ignore[no-untyped-def]
    return pdfium.PdfDocument(pdf)


def _qr_codes(page) -> list[str]:  # type: ignore[no-untyped-def]
    image = page.render(scale=2.5).to_pil()
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_every_page_carries_round_unit_and_its_form_number_as_text_and_qr(session, demo: Round) -> None:
    unit = session.scalar(select(Unit).where(Unit.code == "HUYEN_AN_BINH"))
    batch = issue_forms(session, demo, "citizen", unit, 2)
    session.commit()
    pdf = forms_pdf(batch)
    assert len(set(batch.numbers)) == 2
    assert session.scalar(select(func.count()).select_from(PaperForm)) == 2

    document = _pages(pdf)
    seen: dict[str, int] = {}
    for index in range(len(document)):
        page = document[index]
        text = page.get_textpage().get_text_range()
        numbers = [n for n in batch.numbers if f"Phiếu số: {n}" in text]
        assert len(numbers) == 1, text[:300]
        assert demo.name in text and unit.name_vi in text
        assert _qr_codes(page) == numbers
        seen[numbers[0]] = seen.get(numbers[0], 0) + 1
    assert set(seen) == set(batch.numbers) and min(seen.values()) >= 2  # a citizen form is several pages

    everything = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    q = load_directory(QUESTIONNAIRE_DIR)["citizen"]
    assert "Thủ tục hành chính Ông/Bà vừa giải quyết thuộc lĩnh vực nào?" in everything
    # The skip instruction on the feedback question, in words, with the number of the question to go to.
    numbers = question_numbers(q)
    feedback = numbers["j_feedback_given"]
    first = next(i for i, item in enumerate(q.items) if item.relevant and item.relevant.item == "j_feedback_given")
    after = next(item for item in q.items[first:] if item.relevant is None)
    flat = everything.replace("\r\n", " ")
    assert f"Nếu câu {feedback} trả lời “Không”, chuyển sang câu {numbers[after.code]}." in flat
    assert f"Chỉ trả lời nếu câu {feedback} là: “Có”." in flat


def test_skip_instructions_follow_the_conditions() -> None:
    q = load_directory(QUESTIONNAIRE_DIR)["business"]
    item = q.item("b_online_used")
    sentences = skip_instructions(q, item, "vi")
    assert len(sentences) == 1 and "Không" in sentences[0]
    assert skip_instructions(q, q.items[0], "vi") == []  # nothing depends on it


def test_english_forms_on_request(session, demo: Round) -> None:
    unit = session.scalar(select(Unit).where(Unit.code == "HUYEN_AN_BINH"))
    batch = issue_forms(session, demo, "business", unit, 1, lang="en")
    text = _pages(forms_pdf(batch))[0].get_textpage().get_text_range()
    assert f"Form no.: {batch.numbers[0]}" in text and "Survey round" in text


def test_numbers_are_typed_back_in_any_case() -> None:
    assert normalise_number(" abcd efgh ") == "ABCD-EFGH"
    assert normalise_number("ABCD-EFG0") == ""  # 0 is never printed
    assert normalise_number("ABC") == ""


def test_cli_writes_the_pdf(app, demo: Round, tmp_path: Path, session) -> None:
    out = tmp_path / "forms.pdf"
    result = app.test_cli_runner().invoke(args=["paper", "forms", "--round", demo.name, "--group", "citizen",
                                                "--unit", "HUYEN_AN_BINH", "--count", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    assert session.scalar(select(func.count()).select_from(PaperForm)) == 3
    bad = app.test_cli_runner().invoke(args=["paper", "forms", "--round", demo.name, "--group", "citizen",
                                             "--unit", "NO_SUCH", "--count", "3", "--out", str(out)])
    assert bad.exit_code != 0 and "NO_SUCH" in bad.output


@pytest.mark.parametrize("count", [0, 501])
def test_count_is_bounded(session, demo: Round, count: int) -> None:
    from survey_app.services.errors import Invalid

    unit = session.scalar(select(Unit).where(Unit.code == "HUYEN_AN_BINH"))
    with pytest.raises(Invalid):
        issue_forms(session, demo, "citizen", unit, count)


def test_console_downloads_numbered_forms(staff_client, session, demo: Round) -> None:
    from tests.factories import form_field

    page = staff_client.get(f"/admin/rounds/{demo.id}/paper")
    assert page.status_code == 200
    token = form_field(page.get_data(as_text=True), "csrf_token")
    response = staff_client.post(f"/admin/rounds/{demo.id}/paper", data={
        "csrf_token": token, "group": "citizen", "unit_code": "HUYEN_AN_BINH", "count": "2", "lang": "vi"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    numbers = set(session.scalars(select(PaperForm.number)))
    assert len(numbers) == 2
    text = _pages(response.data)[0].get_textpage().get_text_range()
    assert any(n in text for n in numbers)
    bad = staff_client.post(f"/admin/rounds/{demo.id}/paper", data={
        "csrf_token": token, "group": "citizen", "unit_code": "HUYEN_AN_BINH", "count": "5000", "lang": "vi"})
    assert bad.status_code == 422


def test_a_number_already_issued_is_never_issued_again(session, demo: Round, monkeypatch) -> None:
    from survey_app.services import paper

    unit = session.scalar(select(Unit).where(Unit.code == "HUYEN_AN_BINH"))
    (first,) = issue_forms(session, demo, "citizen", unit, 1).numbers
    session.commit()
    draws = iter([first, first, "ABCD-EFGH"])
    monkeypatch.setattr(paper, "new_number", lambda: next(draws))
    assert issue_forms(session, demo, "citizen", unit, 1).numbers == ("ABCD-EFGH",)
    session.commit()
    assert session.scalar(select(func.count()).select_from(PaperForm)) == 2


def test_only_groups_reached_on_paper_get_forms(session, demo: Round) -> None:
    from survey_app.models import RespondentGroup
    from survey_app.services.errors import Invalid

    unit = session.scalar(select(Unit).where(Unit.code == "HUYEN_AN_BINH"))
    session.get(RespondentGroup, "business").reached_by = ["link"]
    session.commit()
    with pytest.raises(Invalid, match="not reached on paper"):
        issue_forms(session, demo, "business", unit, 1)
