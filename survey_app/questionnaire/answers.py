"""Server-side validation of a submitted questionnaire.

The browser may run no JavaScript, may be old, or may be a script: nothing it
sends is trusted.  :func:`parse_answers` turns the raw form into typed answers
(``int`` codes and numbers, ``float`` decimal numbers, ``str`` texts,
``list[int]`` for multiple choice),
with one message per item in both languages, and never raises on anything a
client can send.  Skip logic is applied here too: a respondent without
JavaScript sees every item, so answers to items that do not apply are dropped
instead of stored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from survey_app.questionnaire.model import DEFAULT_DECIMAL_PLACES, Item, ItemType, Questionnaire, Text

Answer = int | float | str | list[int]

# ASCII digits only: int() would also accept "٣", "1_000" and " 3 ".
_INTEGER = re.compile(r"-?[0-9]{1,12}\Z")
# A decimal number as people type it in Vietnam ("2,5") or elsewhere ("2.5"); no thousands
# separators ("1.000,5" is refused: it reads differently in the two conventions).
_DECIMAL = re.compile(r"(?P<int>-?[0-9]{1,12})(?:[.,](?P<frac>[0-9]{1,30}))?\Z")
# Control characters other than tab and newline, which PostgreSQL text refuses
# (NUL) or which only serve to hide things in an export.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

CHOOSE_ONE = Text("Vui lòng chọn một câu trả lời.", "Please choose an answer.")
ONLY_ONE = Text("Vui lòng chỉ chọn một câu trả lời.", "Please choose only one answer.")
INVALID_CHOICE = Text("Lựa chọn không hợp lệ, vui lòng chọn lại.", "This choice is not valid; please choose again.")
ENTER_TEXT = Text("Vui lòng nhập câu trả lời.", "Please enter an answer.")
CHOOSE_SOME = Text("Vui lòng chọn ít nhất một lựa chọn.", "Please choose at least one option.")


def number_range_error(item: Item) -> Text:
    return Text(
        # "số nguyên" is a mathematician's word: say what to type instead.
        f"Vui lòng nhập một số từ {item.min} đến {item.max}, không có phần lẻ.",
        f"Please enter a whole number from {item.min} to {item.max}.",
    )


def format_decimal(value: float | int, lang: str = "vi") -> str:
    """A number as a respondent reads it: ``2,5`` in Vietnamese, ``2.5`` in English, no trailing zeros."""
    text = f"{Decimal(str(value)):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "vi" else text


def decimal_error(item: Item) -> Text:
    """What to type into a decimal item: its range (when it has one), the digits allowed after the separator."""
    places = item.places or DEFAULT_DECIMAL_PLACES
    low, high = item.min, item.max
    if low is not None and high is not None:
        vi = f"Vui lòng nhập một số từ {format_decimal(low)} đến {format_decimal(high)}"
        en = f"Please enter a number from {format_decimal(low, 'en')} to {format_decimal(high, 'en')}"
    elif low is not None:
        vi, en = f"Vui lòng nhập một số từ {format_decimal(low)} trở lên", f"Please enter a number of at least " \
                                                                           f"{format_decimal(low, 'en')}"
    elif high is not None:
        vi, en = f"Vui lòng nhập một số không quá {format_decimal(high)}", f"Please enter a number of at most " \
                                                                          f"{format_decimal(high, 'en')}"
    else:
        vi, en = "Vui lòng nhập một số", "Please enter a number"
    return Text(f"{vi}, tối đa {places} chữ số sau dấu phẩy (ví dụ 2,5).",
                f"{en}, with at most {places} digit{'' if places == 1 else 's'} after the decimal point (e.g. 2.5).")


def parse_decimal(text: str, places: int) -> float | None:
    """``text`` as a number with at most ``places`` decimals, ``2,5`` or ``2.5``; None when it is not one.

    Trailing zeros do not count as places (``2,50`` is 2.5).  The value is
    read exactly (as a :class:`~decimal.Decimal`) and only then made a float,
    so ``0,1`` is stored as the float closest to 0.1, as JSON writes it.
    """
    match = _DECIMAL.match(text.strip())
    if match is None:
        return None
    fraction = (match["frac"] or "").rstrip("0")
    if len(fraction) > places:
        return None
    return float(Decimal(f"{match['int']}.{fraction or '0'}"))


def too_long_error(limit: int) -> Text:
    return Text(f"Vui lòng nhập không quá {limit} ký tự.", f"Please enter at most {limit} characters.")


def too_few_error(limit: int) -> Text:
    if limit == 1:
        return CHOOSE_SOME
    return Text(f"Vui lòng chọn ít nhất {limit} lựa chọn.", f"Please choose at least {limit} options.")


def too_many_error(limit: int) -> Text:
    return Text(f"Vui lòng chọn tối đa {limit} lựa chọn.", f"Please choose at most {limit} options.")


@dataclass(frozen=True)
class ParseResult:
    """Typed answers of the items that apply, errors by item code, and the raw values to show again."""

    answers: dict[str, Answer]
    errors: dict[str, Text]
    kept: dict[str, list[str]]

    @property
    def ok(self) -> bool:
        return not self.errors


class _Invalid(Exception):
    """One item's answer is unacceptable; carries the message for the respondent."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


def parse_answers(
    q: Questionnaire,
    form: Mapping[str, Sequence[str]],
    *,
    prefilled: Mapping[str, object] | None = None,
) -> ParseResult:
    """Validate a submitted form against questionnaire ``q``.

    ``form`` maps item codes to the values sent (a multiple-choice item sends
    its field once per ticked box); a Werkzeug ``MultiDict`` works as is.
    ``prefilled`` holds answers the server already knows (the procedure field
    of a result slip, say): they replace whatever the form says and must be
    valid, since a bad one is a bug in the caller, not the respondent's
    mistake (ValueError).  Prefilled codes the questionnaire lacks are ignored,
    so one prefill can serve every group.  Unknown form fields are ignored.
    """
    values_of = _values_getter(form)
    raw = {item.code: values_of(item.code) for item in q.items}
    raw.update(_prefilled_values(q, prefilled or {}))
    answers: dict[str, Answer] = {}
    errors: dict[str, Text] = {}
    for item in q.items:
        if item.relevant is not None and not item.relevant.is_met(answers):
            continue
        try:
            value = _parse_item(item, raw[item.code])
        except _Invalid as invalid:
            errors[item.code] = invalid.message
            continue
        if value is not None:
            answers[item.code] = value
    kept = {code: values for code, values in raw.items() if values}
    return ParseResult(answers, errors, kept)


def _values_getter(form: Mapping[str, Sequence[str]]) -> Callable[[str], list[str]]:
    """A function giving the non-blank values sent for a code, whatever kind of mapping ``form`` is."""
    getlist = getattr(form, "getlist", None)
    sent: Callable[[str], object] = getlist if callable(getlist) else (lambda code: form.get(code, ()))

    def values_of(code: str) -> list[str]:
        values = sent(code)
        if isinstance(values, str):  # a plain {code: "4"}: a str is itself a sequence of characters
            values = [values]
        return [value for value in values if isinstance(value, str) and value.strip()]  # type: ignore[attr-defined]

    return values_of


def _prefilled_values(q: Questionnaire, prefilled: Mapping[str, object]) -> dict[str, list[str]]:
    codes = {item.code for item in q.items}
    values: dict[str, list[str]] = {}
    for code, value in prefilled.items():
        if code not in codes or value is None:
            continue
        as_text = [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
        try:
            _parse_item(q.item(code), as_text)
        except _Invalid as invalid:
            raise ValueError(f"prefilled value {value!r} for item {code}: {invalid.message.en}") from None
        values[code] = as_text
    return values


def _parse_item(item: Item, values: list[str]) -> Answer | None:
    """One item's answer from its non-blank raw values; None when unanswered and allowed."""
    if not values:
        if item.required:
            raise _Invalid(_missing_error(item))
        return None
    if item.type is ItemType.MULTIPLE:
        return _parse_multiple(item, values)
    if len(values) > 1:
        raise _Invalid(ONLY_ONE)
    if item.type is ItemType.NUMBER:
        return _parse_number(item, values[0])
    if item.type is ItemType.DECIMAL:
        return _parse_decimal(item, values[0])
    if item.type is ItemType.TEXT:
        return _parse_text(item, values[0])
    return _parse_code(item, values[0])


def _missing_error(item: Item) -> Text:
    if item.type is ItemType.NUMBER:
        return number_range_error(item)
    if item.type is ItemType.DECIMAL:
        return decimal_error(item)
    if item.type is ItemType.TEXT:
        return ENTER_TEXT
    if item.type is ItemType.MULTIPLE:
        return too_few_error(item.min_choices or 1)
    return CHOOSE_ONE


def _parse_code(item: Item, value: str) -> int:
    text = value.strip()
    code = item.codes_by_text.get(text)  # "4", as the form sends it
    if code is not None:
        return code
    if not _INTEGER.match(text) or int(text) not in item.option_codes:
        raise _Invalid(INVALID_CHOICE)
    return int(text)


def _parse_number(item: Item, value: str) -> int:
    text = value.strip()
    if not _INTEGER.match(text):
        raise _Invalid(number_range_error(item))
    number = int(text)
    if (item.min is not None and number < item.min) or (item.max is not None and number > item.max):
        raise _Invalid(number_range_error(item))
    return number


def _parse_decimal(item: Item, value: str) -> float:
    number = parse_decimal(value, item.places or DEFAULT_DECIMAL_PLACES)
    if number is None or (item.min is not None and number < item.min) or (item.max is not None and number > item.max):
        raise _Invalid(decimal_error(item))
    return number


def _parse_text(item: Item, value: str) -> str | None:
    """Stripped, NFC-normalised text (Vietnamese keyboards differ in how they compose marks)."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", value.replace("\r\n", "\n"))).strip()
    if not text:  # nothing but control characters
        if item.required:
            raise _Invalid(ENTER_TEXT)
        return None
    if item.max_length is not None and len(text) > item.max_length:
        raise _Invalid(too_long_error(item.max_length))
    return text


def _parse_multiple(item: Item, values: list[str]) -> list[int] | None:
    """Distinct valid codes, in the order of the options (a repeated box counts once)."""
    chosen = {_parse_code(item, value) for value in values}
    codes = [code for code in item.option_codes if code in chosen]
    if item.min_choices is not None and len(codes) < item.min_choices:
        raise _Invalid(too_few_error(item.min_choices))
    if item.max_choices is not None and len(codes) > item.max_choices:
        raise _Invalid(too_many_error(item.max_choices))
    return codes


def export_value(item: Item, value: object) -> str:
    """An answer as a CSV cell (docs/contracts.md): codes as decimal text, a set joined by ``;``.

    ``None`` (no answer) is the empty cell; a text is written as given.
    """
    if value is None:
        return ""
    if isinstance(value, bool):  # a yes/no stored by some other path as a boolean
        return "1" if value else "0"
    if isinstance(value, (list, tuple)):
        return ";".join(export_value(item, code) for code in value)
    if isinstance(value, float):  # a decimal answer: "2.5", never "2.5000" or "1e-05"
        return format_decimal(value, "en")
    return str(value)
