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
    write_xlsx(str(path), ["code", "text"], iter([["4", "007"], ["12", "4"], ["", "-1"], ["0012", ""]]),
               numeric_columns={0})
    book = load_workbook(path, read_only=True)
    try:
        rows = list(book.active.iter_rows(min_row=2, max_col=2, values_only=True))
    finally:
        book.close()
    assert rows == [(4, "007"), (12, "4"), (None, "-1"), ("0012", None)]


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
