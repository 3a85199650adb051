"""Export helpers: neutralisation, CSV chunks, numeric XLSX columns, codebook rows, charts, QR."""

from __future__ import annotations

import io
import sys

from openpyxl import load_workbook

from survey_app.questionnaire import load_questionnaire
from survey_app.services.codebook import CODEBOOK_HEADER, codebook_rows
from survey_app.services.export import iter_csv, neutralise, plain_text
from survey_app.services.export_xlsx import write_xlsx
from tests.conftest import QUESTIONNAIRE_DIR


def test_neutralise_every_prefix_a_spreadsheet_runs():
    for cell in ("=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"):
        assert neutralise(cell) == "'" + cell
    for cell in ("", "1", "Hà Nội", " =1", "'=1"):
        assert neutralise(cell) == cell


def test_plain_text_keeps_the_quote_and_drops_controls():
    assert plain_text(neutralise("\rline\x0b")) == "'\nline"
    assert plain_text("a\r\nb\rc\td") == "a\nb\nc\td"


def test_csv_chunks_are_batched_and_join_to_one_file():
    chunks = list(iter_csv(["a", "b"], ([str(i), "x,y"] for i in range(5)), batch=2))
    assert len(chunks) == 3 and chunks[0].startswith("\ufeffa,b\r\n0,\"x,y\"\r\n")
    assert "".join(chunks).count("\r\n") == 6


def test_xlsx_numbers_only_in_numeric_columns(tmp_path):
    path = tmp_path / "t.xlsx"
    write_xlsx(str(path), ["code", "text"], iter([["4", "007"], ["12", "4"], ["", "-1"], ["0012", ""],
                                                   ["-3", ""], ["-0", ""], ["+5", ""], ["--2", ""]]),
               numeric_columns={0})
    book = load_workbook(path, read_only=True)
    try:
        rows = list(book.active.iter_rows(min_row=2, max_col=2, values_only=True))
    finally:
        book.close()
    # a negative whole number (a number item whose range goes below zero) is a number too;
    # anything the CSV would not write for an integer stays text
    assert rows == [(4, "007"), (12, "4"), (None, "-1"), ("0012", None), (-3, None), ("-0", None), ("+5", None),
                    ("--2", None)]


def test_xlsx_sheets_are_formatted_for_staff(tmp_path):
    """Vietnamese sheet names, widths, frozen bold header, filters, number and date formats (issue 14)."""
    from datetime import datetime

    path = tmp_path / "f.xlsx"
    header = ["response_id", "submitted_on", "duration_seconds", "s_acc_1", "comment"]
    rows = [["a1", "2026-03-05", "75", "4", "Tốt & nhanh <thật>"], ["a2", "2026-03-06", "", "5", "  cách "],
            ["a3", "không phải ngày", "12", "x", "_x0041_"]]
    assert write_xlsx(str(path), header, iter(rows), codebook=iter([["column", "answer_code"], ["s_acc_1", "5"]]),
                      numeric_columns={2, 3}) == 3
    book = load_workbook(path)  # full mode: formats, panes and filters are read too
    sheet, codes = book.worksheets
    assert (sheet.title, codes.title) == ("Phiếu trả lời", "Bảng mã")
    assert sheet.freeze_panes == "A2" and codes.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E4" and codes.auto_filter.ref == "A1:B2"
    assert sheet["A1"].font.b and sheet.column_dimensions["A"].width >= 20
    assert sheet.column_dimensions["E"].width > sheet.column_dimensions["C"].width
    assert sheet["B2"].value == datetime(2026, 3, 5) and sheet["B2"].number_format == "dd/mm/yyyy"
    assert sheet["C2"].value == 75 and sheet["C2"].number_format == "0"
    assert sheet["C3"].value is None and sheet["D3"].value == 5
    assert sheet["B4"].value == "không phải ngày" and sheet["D4"].value == "x"  # not a day, not a number: text
    assert sheet["E2"].value == "Tốt & nhanh <thật>" and sheet["E3"].value == "  cách "
    # a literal _xHHHH_ is escaped as Excel does (_x005F_ prefix; Excel shows "_x0041_", openpyxl the escape)
    assert sheet["E4"].value == "_x005F_x0041_"
    assert codes["B2"].value == "5"  # codes in the codebook stay text


def test_codebook_rows_cover_options_numbers_and_text():
    q = load_questionnaire(QUESTIONNAIRE_DIR / "citizen.yaml")
    rows = list(codebook_rows([q]))
    assert rows[0] == CODEBOOK_HEADER
    by_item = {}
    for row in rows[1:]:
        by_item.setdefault(row[0], []).append(row)
    assert len(by_item["s_acc_1"]) == 5 and by_item["s_acc_1"][3][8:] == ["4", "Hài lòng", "Satisfied"]
    assert by_item["j_harassment"][0][8:10] == ["1", "Có"]
    assert by_item["comment"][0][8] == "" and by_item["comment"][0][9].endswith(
        f"{q.item('comment').max_length} ký tự)")
    assert all(len(row) == len(CODEBOOK_HEADER) for row in rows)


def test_charts_never_touch_pyplot():
    from survey_app.services.charts import daily_chart, progress_chart

    progress_chart(["A"], [1], [2], responses_label="r", target_label="t", empty_label="e")
    daily_chart([], [], per_day_label="d", total_label="t", empty_label="e")
    assert "matplotlib.pyplot" not in sys.modules or _pyplot_was_imported_elsewhere()


def _pyplot_was_imported_elsewhere() -> bool:
    """Another test module may import pyplot; then it must have no figure of ours open."""
    import matplotlib.pyplot as plt

    return plt.get_fignums() == []


def test_qr_formats_decode():
    import zxingcpp
    from PIL import Image

    from survey_app.services.qr import desk_url, qr_png, short_address

    url = desk_url("https://khaosat.anbinh.gov.vn/", "abc2345")
    assert url == "https://khaosat.anbinh.gov.vn/q/abc2345" and short_address(url) == "khaosat.anbinh.gov.vn/q/abc2345"
    assert [b.text for b in zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(url))))] == [url]
