"""The one type for something wrong with a file or a form, and the one way to say it.

Every reader of uploaded or typed data (the upload reader of tables, the
XLSForm questionnaire reader, the scheme-workbook reader, contact lists,
Kobo/ODK submissions, console forms) reports a :class:`Problem`: where it is
(sheet, row, column or form field), a stable reason code, and the offending
value cut short.  A problem carries its sentence in Vietnamese and English
when the reader composes one (the workbook readers say what to do, case by
case); otherwise the reason code is looked up in a catalogue: the upload
bounds' own (:data:`SENTENCES`, here, so the command line and the analysis
package can say them) or the console's translated one.

:meth:`Problem.text` puts the place first (``Trang survey, dòng 3, cột B: ...``
/ ``Sheet survey, row 3, column B: ...``) in the reader's language.  It lives
in :mod:`analysis` because this package imports no Flask and both it and the
web app use it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

FILE = "file"  # the field of a problem with the file as a whole

# Words of a problem's place, per language: sheet, row, column.
_PLACE = {"vi": ("trang", "dòng", "cột"), "en": ("sheet", "row", "column")}

# The refusals of the upload bounds (analysis.uploads), in both languages; ``{value}`` is the echoed value.
SENTENCES: Mapping[str, tuple[str, str]] = {
    "wrong_type": ("Chỉ nhập được tệp .csv và .xlsx.", "Only .csv and .xlsx files can be imported."),
    "file_too_large": ("Tệp lớn hơn {value}.", "The file is larger than {value}."),
    "not_utf8": ("Tệp không phải văn bản UTF-8. Hãy lưu dưới dạng \"CSV UTF-8\" rồi thử lại.",
                 "The file is not UTF-8 text. Save it as \"CSV UTF-8\" and try again."),
    "not_xlsx": ("Tệp không phải là bảng tính Excel (.xlsx) đọc được: hãy lưu lại bằng Excel.",
                 "The file is not a readable Excel workbook (.xlsx): save it again from Excel."),
    "too_much_data": ("Tệp Excel khi giải nén chứa nhiều dữ liệu hơn mức cho phép ({value}).",
                      "The workbook unpacks to more data than allowed ({value})."),
    "too_many_sheets": ("Tệp Excel có hơn {value} trang tính.", "The workbook has more than {value} sheets."),
    "missing_sheet": ("Tệp Excel không có trang tính tên {value}.", "The workbook has no sheet named {value}."),
    "sheet_too_large": ("Trang tính khai báo kích thước vượt giới hạn ({value}).",
                        "The sheet declares a size beyond the limits ({value})."),
    "too_many_rows": ("Tệp có hơn {value} dòng.", "The file has more than {value} rows."),
    "too_many_columns": ("Tệp có hơn {value} cột.", "The file has more than {value} columns."),
    "too_many_cells": ("Tệp có hơn {value} ô.", "The file has more than {value} cells."),
    "cell_too_long": ("Có ô dài hơn mức cho phép.", "A cell is longer than allowed."),
    "bad_quotes": ("Có dấu ngoặc kép chưa đóng hoặc đặt sai chỗ.", "A quotation mark is not closed or is misplaced."),
    "too_slow": ("Đọc tệp mất hơn {value} giây: xin chia thành các tệp nhỏ hơn.",
                 "Reading the file took longer than {value} seconds: split it into smaller files."),
    "empty_file": ("Tệp không có dòng dữ liệu nào.", "The file has no rows."),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong: where (``sheet``, ``row``, ``field``), why (``reason``), and the value at fault.

    ``field`` is a form field, a column's header or letter (``B (type)``), or
    :data:`FILE` for the file as a whole; ``row`` is the line as the
    spreadsheet shows it (the header is usually 1).  ``vi``/``en`` are the
    sentence when the reader wrote one for this case; ``other_row`` is the
    earlier row a duplicate repeats.
    """

    field: str
    reason: str
    value: str = ""
    row: int | None = None
    sheet: str | None = None
    vi: str = ""
    en: str = ""
    other_row: int | None = None

    @classmethod
    def at(cls, sheet: str | None, row: int | None, column: str | None, vi: str, en: str,
           reason: str = "workbook") -> Problem:
        """A problem the reader words itself, at a place in a workbook."""
        return cls(column or FILE, reason, "", row, sheet, vi, en)

    @property
    def column(self) -> str | None:
        """The column (or form field) named in the message; None for the file as a whole."""
        return None if self.field == FILE else self.field

    def sentence(self, lang: str = "vi", catalogue: Mapping[str, str] | None = None) -> str:
        """What is wrong, without the place: the reader's own words, else the reason's sentence."""
        own = self.en if lang == "en" else self.vi
        if own:
            return own
        if catalogue is not None and self.reason in catalogue:
            return catalogue[self.reason] % {"value": self.value, "row": self.other_row}
        pair = SENTENCES.get(self.reason)
        if pair is None:
            return f"{self.reason}: {self.value}" if self.value else self.reason
        return pair[1 if lang == "en" else 0].format(value=self.value)

    def place(self, lang: str = "vi") -> str:
        """``Trang survey, dòng 3, cột B`` (or English); empty for the file as a whole."""
        sheet, row, column = _PLACE["en" if lang == "en" else "vi"]
        # A column is a place only in a file; a form field's problem is shown under the field itself.
        in_file = bool(self.sheet or self.row)
        parts = [f"{sheet} {self.sheet}" if self.sheet else "", f"{row} {self.row}" if self.row else "",
                 f"{column} {self.column}" if self.column and in_file else ""]
        text = ", ".join(part for part in parts if part)
        return text[:1].upper() + text[1:]

    def text(self, lang: str = "vi", catalogue: Mapping[str, str] | None = None) -> str:
        """The place, then the sentence, in ``lang`` (Vietnamese unless ``en``).

        ``catalogue`` maps reason codes to translated sentences with
        ``%(value)s`` (the console passes its own); without it the upload
        bounds' sentences are used.
        """
        place, sentence = self.place(lang), self.sentence(lang, catalogue)
        return f"{place}: {sentence}" if place else sentence

    def __str__(self) -> str:
        return f"{self.text('vi')} / {self.text('en')}" if self.vi or self.reason in SENTENCES else self.text("en")


class Refused(ValueError):
    """A file was refused as a whole; ``problems`` lists every reason found (nothing was stored)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
