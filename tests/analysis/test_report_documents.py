"""report.docx (Nghị định 30 layout, index table, charts) and the report workbook's formatting."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from analysis.cli import main
from analysis.reporting.word import decimal_comma, vietnamese

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SCHEMES = Path(__file__).resolve().parents[2] / "questionnaires" / "schemes"


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    status = main(["report", "--responses", str(FIXTURES / "responses_round.csv"), "--margins",
                   str(FIXTURES / "margins_round.csv"), "--scheme", str(SCHEMES / "sipas.yaml"), "--scheme",
                   str(SCHEMES / "par_district.yaml"), "--items", "s_*", "--min-n", "5", "--no-progress",
                   "--issuer", "UBND TỈNH HÀ NAM\\nSở Nội vụ", "--place", "Hà Nam", "--out", str(out)],
                  stdout=io.StringIO())
    assert status == 0
    return out


def test_word_report_has_the_motto_the_index_table_and_charts(report):
    document = Document(str(report / "report.docx"))
    header = document.tables[0]
    right = header.cell(0, 1).text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right and "Độc lập - Tự do - Hạnh phúc" in right
    assert "SỞ NỘI VỤ" in header.cell(0, 0).text and "Hà Nam, ngày" in header.cell(1, 1).text
    text = "\n".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO" in text and "2. Phương pháp" in text and "3.1." in text
    assert "Khoảng tin cậy" in text and "không được công bố" in text
    assert document.styles["Normal"].font.name == "Times New Roman"
    index_tables = [t for t in document.tables
                    if [c.text for c in t.rows[0].cells][:4] == ["Đơn vị / phạm vi", "Ước lượng", "Cận dưới KTC",
                                                                 "Cận trên KTC"]]
    assert index_tables, "no table of the index per unit with its confidence interval"
    first = index_tables[0]
    assert any("," in c.text for row in first.rows[1:] for c in row.cells[1:2])  # decimal comma
    rank = [t for t in document.tables if "Khoảng thứ hạng khả dĩ" in [c.text for c in t.rows[0].cells]]
    assert rank
    pictures = [s for s in document.inline_shapes]
    assert len(pictures) >= 2
    images = [r for r in document.part.rels.values() if "image" in r.reltype]
    assert images and images[0].target_part.blob.startswith(b"\x89PNG")


def test_report_workbook_is_formatted(report):
    book = load_workbook(report / "report.xlsx")
    sheet = book["sipas theo đơn vị"]
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref.startswith("A2:")
    assert sheet["A2"].value == "Đơn vị / phạm vi" and sheet["B2"].value == "Ước lượng"
    assert sheet.column_dimensions["A"].width > 10
    numbers = [c for c in sheet["B"][2:] if isinstance(c.value, float)]
    assert numbers and all(c.number_format in ("#,##0.00", "0.000") for c in numbers)


def test_vietnamese_number_and_label_helpers():
    assert decimal_comma(82.6612) == "82,66" and decimal_comma(12500) == "12.500"
    assert vietnamese("Tổng quan / Overview") == "Tổng quan"
    assert vietnamese("Chỉ số / Index — theo đơn vị / by unit (%)") == "Chỉ số — theo đơn vị (%)"
