"""The codebook that goes with an export: what each column means and what each code stands for.

An export holds codes (``4``, ``1;3``); the codebook gives every column's
question in Vietnamese and English and every answer code's label, per
questionnaire version, so the file can be read years later without the app.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import QuestionnaireVersion, RoundQuestionnaire
from survey_app.questionnaire import Item, ItemType, Questionnaire
from survey_app.questionnaire.answers import format_decimal
from survey_app.questionnaire.model import DEFAULT_DECIMAL_PLACES
from survey_app.services.export import ExportFilter, neutralise, versions_in
from survey_app.services.questionnaires import questionnaire_of

CODEBOOK_HEADER = [
    "column", "group", "questionnaire_version", "section", "type", "feeds",
    "question_vi", "question_en", "answer_code", "answer_vi", "answer_en",
]

# The export's own columns (docs/contracts.md), described once at the top of every codebook.
FIXED_COLUMN_TEXT: tuple[tuple[str, str, str], ...] = (
    ("response_id", "Mã ngẫu nhiên của phiếu trả lời", "Random identifier of the response"),
    ("round", "Đợt khảo sát", "Survey round"),
    ("group", "Nhóm đối tượng khảo sát", "Respondent group"),
    ("unit", "Mã đơn vị được đánh giá", "Code of the unit assessed"),
    ("desk", "Mã Bộ phận một cửa (nếu có)", "Code of the one-stop desk, if any"),
    ("channel", "Kênh trả lời", "Channel of the response"),
    ("submitted_on", "Ngày gửi phiếu (YYYY-MM-DD)", "Day the response was sent (YYYY-MM-DD)"),
    ("duration_seconds", "Thời gian trả lời (giây)", "Time taken to answer (seconds)"),
    ("questionnaire_version", "Phiên bản phiếu khảo sát", "Questionnaire version"),
)
CHANNEL_TEXT: tuple[tuple[str, str, str], ...] = (
    ("qr", "Mã QR tại Bộ phận một cửa", "QR code at the one-stop desk"),
    ("link", "Đường dẫn cá nhân qua thư điện tử", "Personal link by email"),
    ("kiosk", "Máy tính bảng tại quầy", "Tablet kiosk at the counter"),
    ("slip", "Mã trên phiếu hẹn trả kết quả", "Code on the result slip"),
    ("import", "Nhập từ KoboToolbox/ODK", "Imported from KoboToolbox/ODK"),
    ("paper", "Nhập từ phiếu giấy", "Entered from paper forms"),
    ("interview", "Phỏng vấn trực tiếp", "Face-to-face interview"),
)


def codebook_questionnaires(session: Session, flt: ExportFilter) -> list[Questionnaire]:
    """The questionnaires an export of ``flt`` may contain: those answered, and those the round assigns.

    The round's own versions are included so that a codebook downloaded before
    the first response already describes the columns to come.
    """
    versions = {v.id: v for v in versions_in(session, flt)}
    if flt.round_id is not None:
        stmt = (select(QuestionnaireVersion).join(RoundQuestionnaire)
                .where(RoundQuestionnaire.round_id == flt.round_id))
        if flt.group_code is not None:
            stmt = stmt.where(RoundQuestionnaire.group_code == flt.group_code)
        versions.update({v.id: v for v in session.scalars(stmt)})
    return [questionnaire_of(versions[vid]) for vid in sorted(versions)]


def codebook_rows(questionnaires: Iterable[Questionnaire]) -> Iterator[list[str]]:
    """Header, the fixed columns, then one row per answer code of every item (one row for open items).

    Cells are neutralised like the export's, since question texts come from
    files staff can edit.
    """
    yield list(CODEBOOK_HEADER)
    for column, vi, en in FIXED_COLUMN_TEXT:
        if column == "channel":
            for code, label_vi, label_en in CHANNEL_TEXT:
                yield _row(column, "", "", "", "", "", vi, en, code, label_vi, label_en)
        else:
            yield _row(column, "", "", "", "", "", vi, en, "", "", "")
    for q in questionnaires:
        for item in q.items:
            common = (item.code, q.group, q.short_version, item.section_code, str(item.type), item.feeds or "",
                      item.text.vi, item.text.en)
            if not item.options:
                yield _row(*common, *_open_answer(item))
            for option in item.options:
                yield _row(*common, str(option.code), option.label.vi, option.label.en)


def _open_answer(item: Item) -> tuple[str, str, str]:
    low, high = item.min, item.max
    if item.type is ItemType.NUMBER:
        return f"{low}..{high}", f"Số nguyên từ {low} đến {high}", f"Whole number from {low} to {high}"
    if item.type is ItemType.DECIMAL:
        places = item.places or DEFAULT_DECIMAL_PLACES
        span = f"{'' if low is None else low}..{'' if high is None else high}"
        vi_range = f" từ {format_decimal(low)} đến {format_decimal(high)}" if low is not None and high is not None else ""
        en_range = f" from {low} to {high}" if low is not None and high is not None else ""
        return (span, f"Số thập phân{vi_range}, tối đa {places} chữ số sau dấu phẩy",
                f"Decimal number{en_range}, at most {places} digit{'' if places == 1 else 's'} after the decimal point")
    limit = item.max_length or 500
    return "", f"Văn bản tự do (tối đa {limit} ký tự)", f"Free text (at most {limit} characters)"


def _row(*cells: str) -> list[str]:
    return [neutralise(cell) for cell in cells]
