"""The report as a Word document in Vietnamese administrative layout.

Nghị định 30/2020/NĐ-CP (Phụ lục I) fixes how an administrative document
looks: A4, margins 20–25 mm top and bottom, 30–35 mm left, 15–20 mm right,
Times New Roman 13–14 pt; a header of two columns, the issuing body on the
left, the national motto ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự
do - Hạnh phúc") on the right, then place and date in italics, the document
kind (BÁO CÁO) and its subject in bold, numbered sections, and the
recipients (Nơi nhận) at the end. Leaders receive results this way; python-docx
writes it without a template file so the layout lives in one place.

Tables are those of the HTML report (without the long table of every
estimate, which stays in the XLSX), numbers with a decimal comma, each chart
as a PNG drawn by the same matplotlib code as the SVG of the HTML report.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from analysis.reporting.content import ReportContent, ReportInputs, Table

FONT = "Times New Roman"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
HEADERS_VI = {
    "domain": "Đơn vị / phạm vi",
    "estimate": "Ước lượng",
    "ci_low": "Cận dưới KTC",
    "ci_high": "Cận trên KTC",
    "se": "Sai số chuẩn",
    "n": "Số phiếu",
    "n_eff": "Cỡ mẫu hiệu dụng",
    "unit": "Đơn vị",
    "rank": "Thứ hạng",
    "plausible ranks": "Khoảng thứ hạng khả dĩ",
    "code": "Mã",
    "element": "Yếu tố",
    "criterion": "Tiêu chí",
    "max": "Điểm tối đa",
    "groups": "Câu hỏi",
    "indicator": "Chỉ tiêu",
    "item": "Nội dung",
    "value": "Giá trị",
    "flag": "Dấu hiệu",
    "responses": "Số phiếu",
    "total": "Tổng",
    "items": "Số câu",
    "complete responses": "Phiếu trả lời đủ",
    "alpha": "Cronbach alpha",
}
SKIPPED = {"estimates"}
_ENGLISH = re.compile(r" / [\x20-\x7e–]*?(?=\s*(?:— |\(|$))")


def vietnamese(text: str) -> str:
    """The Vietnamese half of a bilingual "vi / en" label."""
    return _ENGLISH.sub("", text).strip()


def decimal_comma(value: object) -> str:
    """``82,66`` and ``12.500``: how Vietnamese documents write numbers."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        text = f"{value:,.2f}" if abs(value) >= 1 or value == 0 else f"{value:.3f}"
        return text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return vietnamese(str(value))


def write_docx(content: ReportContent, inputs: ReportInputs, path: str | Path, *, issuer: str = "",
               place: str = "", when: datetime | None = None) -> Path:
    """Write ``report.docx``: header, method, one numbered section per table, recipients."""
    path = Path(path)
    when = (when or datetime.now(VIETNAM)).astimezone(VIETNAM)
    document = Document()
    _page(document)
    _styles(document)
    _header_block(document, issuer, place, when)
    _title(document, content, inputs)
    _heading(document, "1. Mục đích, phạm vi")
    rounds = f" đợt {inputs.round_name}" if inputs.round_name else ""
    _body(document, f"Báo cáo trình bày kết quả khảo sát{rounds}: chỉ số của từng đơn vị cùng khoảng tin cậy, "
                    "thứ hạng khả dĩ và những nội dung đơn vị bị mất điểm, làm căn cứ để các đơn vị cải thiện "
                    "chất lượng phục vụ.")
    _heading(document, "2. Phương pháp")
    for text in _method(inputs):
        _body(document, text)
    _heading(document, "3. Kết quả")
    number = 0
    for table in content.tables:
        if table.key in SKIPPED:
            continue
        number += 1
        _heading(document, f"3.{number}. {vietnamese(table.title)}", level=2)
        if table.chart_png:
            document.add_picture(io.BytesIO(table.chart_png), width=Cm(15.5))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            _caption(document, f"Biểu đồ 3.{number}. {vietnamese(table.title)}")
        _table(document, table)
        if table.note:
            _body(document, vietnamese(table.note), italic=True, size=11)
    _body(document, "Toàn bộ ước lượng (mọi câu hỏi, mọi đơn vị) có trong tệp report.xlsx kèm theo.", italic=True)
    _recipients(document)
    document.save(path)
    return path


def _page(document) -> None:  # type: ignore[no-untyped-def]
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)


def _styles(document) -> None:  # type: ignore[no-untyped-def]
    for name in ("Normal", "Heading 1", "Heading 2", "Title", "Caption", "Table Grid"):
        try:
            style = document.styles[name]
        except KeyError:
            continue
        style.font.name = FONT
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
        if hasattr(style.font, "color"):
            style.font.color.rgb = None
    document.styles["Normal"].font.size = Pt(13)


def _run(paragraph, text: str, *, bold: bool = False, italic: bool = False, size: float = 13,
         underline: bool = False):  # type: ignore[no-untyped-def]
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    run.font.name = FONT
    return run


def _header_block(document, issuer: str, place: str, when: datetime) -> None:  # type: ignore[no-untyped-def]
    grid = document.add_table(rows=2, cols=2)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = (Cm(6.5), Cm(10))
    for row in grid.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width
    left, right = grid.cell(0, 0).paragraphs[0], grid.cell(0, 1).paragraphs[0]
    left.alignment = right.alignment = WD_ALIGN_PARAGRAPH.CENTER
    lines = [line.strip() for line in (issuer or "").splitlines() if line.strip()] or ["……………………"]
    for i, line in enumerate(lines):
        _run(left, line.upper(), bold=i == len(lines) - 1, size=13)
        if i < len(lines) - 1:
            left.add_run().add_break()
    _run(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12.5)
    right.add_run().add_break()
    _run(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13, underline=True)
    number = grid.cell(1, 0).paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(number, "Số:       /BC-……", size=13)
    dated = grid.cell(1, 1).paragraphs[0]
    dated.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(dated, f"{place or '……'}, ngày {when:%d} tháng {when:%m} năm {when:%Y}", italic=True, size=13)


def _title(document, content: ReportContent, inputs: ReportInputs) -> None:  # type: ignore[no-untyped-def]
    kind = document.add_paragraph()
    kind.alignment = WD_ALIGN_PARAGRAPH.CENTER
    kind.paragraph_format.space_before = Pt(18)
    _run(kind, "BÁO CÁO", bold=True, size=14)
    subject = document.add_paragraph()
    subject.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(subject, vietnamese(content.title), bold=True, size=14)


def _heading(document, text: str, level: int = 1) -> None:  # type: ignore[no-untyped-def]
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(12 if level == 1 else 8)
    paragraph.paragraph_format.space_after = Pt(6)
    paragraph.paragraph_format.keep_with_next = True
    _run(paragraph, text, bold=True, italic=level > 1, size=13)


def _body(document, text: str, *, italic: bool = False, size: float = 13) -> None:  # type: ignore[no-untyped-def]
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Cm(1.27)
    paragraph.paragraph_format.space_after = Pt(6)
    _run(paragraph, text, italic=italic, size=size)


def _caption(document, text: str) -> None:  # type: ignore[no-untyped-def]
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, text, italic=True, size=11)


def _table(document, table: Table) -> None:  # type: ignore[no-untyped-def]
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = document.styles["Table Grid"]
    for cell, name in zip(grid.rows[0].cells, table.columns):
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(paragraph, HEADERS_VI.get(str(name), vietnamese(str(name))), bold=True, size=11)
    for row in table.rows:
        cells = grid.add_row().cells
        for i, (cell, value) in enumerate(zip(cells, row)):
            paragraph = cell.paragraphs[0]
            paragraph.alignment = (WD_ALIGN_PARAGRAPH.RIGHT if isinstance(value, (int, float)) and i
                                   else WD_ALIGN_PARAGRAPH.LEFT)
            _run(paragraph, decimal_comma(value), size=11)
    # the header row repeats on every page the table spans
    trpr = grid.rows[0]._tr.get_or_add_trPr()
    trpr.append(trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))


def _method(inputs: ReportInputs) -> list[str]:
    info = inputs.weighting.summary()
    analysed = len(inputs.table)
    excluded = inputs.responses_before_exclusion - analysed
    sample = (f"Mẫu: {decimal_comma(inputs.responses_before_exclusion)} phiếu trả lời hợp lệ"
              + (f", loại {decimal_comma(excluded)} phiếu có dấu hiệu chất lượng kém" if excluded else "")
              + f"; {decimal_comma(analysed)} phiếu được phân tích.")
    if info["method"] == "base":
        weighting = ("Gia quyền: không có số liệu tổng thể, mọi phiếu có trọng số như nhau; kết quả là kết quả "
                     "của mẫu, chưa hiệu chỉnh theo số hồ sơ đã giải quyết.")
    else:
        methods = {"rake": "cào (raking)", "poststratify": "hậu phân tầng", "linear": "hiệu chỉnh tuyến tính",
                   "logit": "hiệu chỉnh logit"}
        weighting = (f"Gia quyền: trọng số được hiệu chỉnh theo số liệu tổng thể (số hồ sơ đã giải quyết theo "
                     f"đơn vị và các chiều phân tổ khác, số thành viên các nhóm) bằng phương pháp "
                     f"{methods.get(str(info['method']), str(info['method']))}; cỡ mẫu hiệu dụng Kish "
                     f"{decimal_comma(float(info['n_eff']))} trên {decimal_comma(int(info['n']))} phiếu.")
    notes = [vietnamese(note.split(" / ")[0]) for note in inputs.weighting.notes]
    if notes:
        weighting += " Lưu ý: " + "; ".join(notes) + "."
    level = round(inputs.options.level * 100)
    intervals = (f"Khoảng tin cậy: mỗi số liệu có khoảng tin cậy {level}% tính theo thiết kế mẫu (tuyến tính "
                 "hóa Taylor, tính đến việc hiệu chỉnh trọng số); tỷ lệ dùng khoảng Korn–Graubard. Thứ hạng "
                 "được trình bày kèm khoảng thứ hạng khả dĩ: hai đơn vị có khoảng chồng nhau chưa khác biệt rõ.")
    suppression = (f"Bảo vệ người trả lời: ô có ít hơn {inputs.min_n} phiếu không được công bố (ký hiệu <n) "
                   "để không ai có thể bị nhận ra qua câu trả lời của mình.")
    return [sample, weighting, intervals, suppression]


def _recipients(document) -> None:  # type: ignore[no-untyped-def]
    grid = document.add_table(rows=1, cols=2)
    left, right = grid.cell(0, 0).paragraphs[0], grid.cell(0, 1).paragraphs[0]
    _run(left, "Nơi nhận:", bold=True, italic=True, size=12)
    for line in ("- Như trên;", "- Lưu: VT."):
        left.add_run().add_break()
        _run(left, line, size=11)
    right.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(right, "NGƯỜI LẬP BÁO CÁO", bold=True, size=13)
