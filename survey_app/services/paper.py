"""Printable paper questionnaires: A4 PDF forms, each with a number of its own.

Some respondents are reached on paper (an interviewer's clipboard, a form left at
the counter, officials who prefer paper). Each printed form carries a random
number, printed as text and as a small QR code on every page, so a page that
comes loose still says which form it belongs to; the numbers issued are stored
(:class:`PaperForm`) so data entry accepts only real numbers, each once.

The skip logic of the questionnaire (``relevant`` conditions) is written out in
words for the person filling in the form ("Nếu trả lời Không, chuyển sang câu 8"),
computed from the conditions, never typed by hand. The PDF embeds DejaVu Sans,
as the posters do (see services.posters).
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.colors import Color, HexColor, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import PaperForm, RespondentGroup, Round, Unit
from survey_app.questionnaire import Condition, Item, Questionnaire
from survey_app.questionnaire.answers import format_decimal
from survey_app.questionnaire.model import DEFAULT_DECIMAL_PLACES, ItemType
from survey_app.services.errors import Invalid
from survey_app.services.posters import _draw_qr as draw_qr  # the posters' vector QR drawing
from survey_app.services.posters import register_fonts
from survey_app.services.qr import qr_matrix
from survey_app.services.questionnaires import questionnaire_of

# No 0/O, 1/I/L: a number is read from paper and typed by hand. 31 symbols, 8 of
# them: about 40 bits, so a mistyped number is almost surely not an issued one.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
NUMBER_LENGTH = 8
MAX_FORMS_PER_BATCH = 500  # one PDF; more means more batches (memory and time stay bounded)

FONT, BOLD = "PosterSans", "PosterSans-Bold"
GREY = HexColor("#555555")
MARGIN = 1.6 * cm
QR_SIDE = 2.0 * cm

WORDS = {
    "vi": {
        "form": "Phiếu số",
        "page": "Trang",
        "round": "Đợt khảo sát",
        "unit": "Đơn vị",
        "how": "Cách trả lời: đánh dấu X vào ô trước câu trả lời của Ông/Bà. Mỗi câu chọn một ô, "
               "trừ khi có ghi \"có thể chọn nhiều\". Phiếu không ghi tên.",
        "many": "(có thể chọn nhiều câu trả lời)",
        "number": "(ghi số từ {min} đến {max})",
        "decimal": "(ghi số, phần lẻ sau dấu phẩy{range})",
        "decimal_range": " từ {min} đến {max}",
        "only_if": "Chỉ trả lời nếu câu {number} là: {labels}.",
        "only_if_rule": "Chỉ trả lời nếu {rule}.",
        "question_is": "câu {number} là {labels}",
        "and": " và ",
        "skip": "Nếu trả lời {labels}, chuyển sang câu {number}.",
        "skip_end": "Nếu trả lời {labels}, phiếu kết thúc tại đây.",
        "block": "Nếu câu {item} trả lời {labels}, chuyển sang câu {number}.",
        "block_end": "Nếu câu {item} trả lời {labels}, phiếu kết thúc tại đây.",
        "or": " hoặc ",
        "end": "Xin cảm ơn Ông/Bà đã trả lời phiếu khảo sát.",
    },
    "en": {
        "form": "Form no.",
        "page": "Page",
        "round": "Survey round",
        "unit": "Unit",
        "how": "How to answer: put an X in the box before your answer. One box per question unless it says "
               "\"you may choose several\". The form does not ask your name.",
        "many": "(you may choose several answers)",
        "number": "(write a number from {min} to {max})",
        "decimal": "(write a number, the decimals after the comma{range})",
        "decimal_range": ", from {min} to {max}",
        "only_if": "Answer only if question {number} is: {labels}.",
        "only_if_rule": "Answer only if {rule}.",
        "question_is": "question {number} is {labels}",
        "and": " and ",
        "skip": "If you answer {labels}, go to question {number}.",
        "skip_end": "If you answer {labels}, the form ends here.",
        "block": "If question {item} is answered {labels}, go to question {number}.",
        "block_end": "If question {item} is answered {labels}, the form ends here.",
        "or": " or ",
        "end": "Thank you for answering the survey.",
    },
}


def new_number() -> str:
    """A random form number, ``XXXX-XXXX``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(NUMBER_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_number(text: str) -> str:
    """A number as typed (lower case, spaces, no dash) in its printed form; '' if it cannot be one."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(raw) != NUMBER_LENGTH or any(ch not in ALPHABET for ch in raw):
        return ""
    return f"{raw[:4]}-{raw[4:]}"


@dataclass(frozen=True)
class FormBatch:
    """What a PDF of forms needs: the questionnaire, the names printed on it and the numbers."""

    questionnaire: Questionnaire
    round_name: str
    unit_name: str
    numbers: tuple[str, ...]
    lang: str = "vi"


def reached_by(session: Session, group: str, channel: str) -> bool:
    """Whether the groups table (questionnaires/groups.yaml) says ``group`` is reached by ``channel``."""
    row = session.get(RespondentGroup, group)
    return row is not None and channel in (row.reached_by or [])


def issue_forms(session: Session, round_: Round, group: str, unit: Unit, count: int, lang: str = "vi") -> FormBatch:
    """Store ``count`` new form numbers for the round, group and unit; the caller commits.

    Refuses a group not reached on paper (the groups table's ``reached_by``) or that
    the round has no questionnaire for, a count outside 1..500 and an unknown
    language (:class:`Invalid`, with an English sentence for the CLI).
    """
    if not 1 <= count <= MAX_FORMS_PER_BATCH:
        raise Invalid(f"count must be between 1 and {MAX_FORMS_PER_BATCH}")
    if lang not in WORDS:
        raise Invalid(f"language must be one of {', '.join(WORDS)}")
    version = round_.version_for(group)
    if version is None:
        raise Invalid(f"round {round_.name!r} has no questionnaire for group {group!r}")
    if not reached_by(session, group, "paper"):
        raise Invalid(f"group {group!r} is not reached on paper (reached_by in the groups table)")
    numbers: set[str] = set()
    while len(numbers) < count:  # a clash with an issued number is rare (40 bits); draw again
        fresh = {new_number() for _ in range(count - len(numbers))} - numbers
        fresh -= set(session.scalars(select(PaperForm.number).where(PaperForm.number.in_(fresh))))
        numbers |= fresh
    ordered = sorted(numbers)
    session.add_all(PaperForm(number=number, round_id=round_.id, group_code=group, unit_id=unit.id, lang=lang)
                    for number in ordered)
    session.flush()
    return FormBatch(questionnaire_of(version), round_.name, unit.name(lang), tuple(ordered), lang)


# ---------------------------------------------------------------------------
# Skip instructions, derived from the conditions


def question_numbers(q: Questionnaire) -> dict[str, int]:
    return {item.code: number for number, item in enumerate(q.items, start=1)}


def _labels(item: Item, codes: Sequence[int], lang: str) -> str:
    return WORDS[lang]["or"].join(f"\u201c{o.label.get(lang)}\u201d" for o in item.options if o.code in codes)


def only_if_note(q: Questionnaire, item: Item, lang: str) -> str:
    """On an item that depends on an earlier answer: which answer it needs."""
    if item.relevant is None:
        return ""
    numbers = question_numbers(q)
    if not item.relevant.is_leaf:  # a rule on several answers, in words with its brackets
        return WORDS[lang]["only_if_rule"].format(rule=_rule_words(q, item.relevant, lang, numbers, inner=False))
    earlier = q.item(item.relevant.item)
    return WORDS[lang]["only_if"].format(number=numbers[earlier.code],
                                         labels=_labels(earlier, item.relevant.values, lang))


def _rule_words(q: Questionnaire, condition: Condition, lang: str, numbers: dict[str, int], *, inner: bool) -> str:
    words = WORDS[lang]
    if condition.is_leaf:
        earlier = q.item(condition.item)
        labels = (_labels(earlier, condition.values, lang) if earlier.options
                  else words["or"].join(str(v) for v in condition.values))
        return words["question_is"].format(number=numbers[earlier.code], labels=labels)
    joiner = words["and"] if condition.join == "all" else words["or"]
    text = joiner.join(_rule_words(q, part, lang, numbers, inner=True) for part in condition.parts)
    return f"({text})" if inner else text


def skip_instructions(q: Questionnaire, item: Item, lang: str) -> list[str]:
    """For a choice item others depend on: where each answer sends the respondent, when not simply on.

    For each answer code, the next question is the first later item that is either
    unconditional, conditional on another item (it may apply), or conditional on
    this item with this code among its values. Answers whose next question is not
    the one printed next get a sentence; answers with the same destination share one.
    """
    if not item.options or item.type is ItemType.MULTIPLE:
        return []
    later = q.items[q.items.index(item) + 1:]
    # Only rules on this one answer send the respondent on; a rule on several answers may apply (its own note says).
    if not any(other.relevant is not None and other.relevant.is_leaf and other.relevant.item == item.code
               for other in later):
        return []
    numbers = question_numbers(q)
    by_target: dict[str | None, list[int]] = {}
    for option in item.options:
        target = next((other.code for other in later
                       if other.relevant is None or not other.relevant.is_leaf or other.relevant.item != item.code
                       or option.code in other.relevant.values), None)
        if later and target == later[0].code:
            continue
        by_target.setdefault(target, []).append(option.code)
    words = WORDS[lang]
    sentences = []
    for target, codes in by_target.items():
        labels = _labels(item, codes, lang)
        if target is None:
            sentences.append(words["skip_end"].format(labels=labels))
        else:
            sentences.append(words["skip"].format(labels=labels, number=numbers[target]))
    return sentences


def block_instruction(q: Questionnaire, item: Item, lang: str) -> str:
    """Before a run of questions that depend on an earlier, not adjacent, answer: where to go otherwise.

    ("Nếu câu 6 trả lời Không, chuyển sang câu 31.") A run that follows its
    question directly is covered by that question's own instruction instead.
    """
    if item.relevant is None or not item.relevant.is_leaf or item.type is ItemType.MULTIPLE:
        return ""
    items = q.items
    index = items.index(item)
    previous = items[index - 1] if index else None
    if previous is not None and (previous.code == item.relevant.item or previous.relevant == item.relevant):
        return ""
    end = index
    while end < len(items) and items[end].relevant == item.relevant:
        end += 1
    earlier = q.item(item.relevant.item)
    if earlier.type is ItemType.MULTIPLE:
        return ""
    other = [code for code in earlier.option_codes if code not in item.relevant.values]
    numbers = question_numbers(q)
    words = WORDS[lang]
    labels = _labels(earlier, other, lang)
    if end == len(items):
        return words["block_end"].format(item=numbers[earlier.code], labels=labels)
    return words["block"].format(item=numbers[earlier.code], labels=labels, number=numbers[items[end].code])


# ---------------------------------------------------------------------------
# Drawing


def forms_pdf(batch: FormBatch) -> bytes:
    """All forms of the batch in one PDF, each starting on a new page."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(batch.questionnaire.title.get(batch.lang))
    canvas.setAuthor(batch.unit_name)
    # The questions are laid out once, each page as a reusable form XObject; every numbered
    # form then draws only its own header (number, QR code) around them: a batch of 500 forms
    # costs one layout, and the file holds the questions' pages once.
    layout = _Form(canvas, batch, "")
    layout.draw()
    for number in batch.numbers:
        form = _Form(canvas, batch, number)
        canvas.beginForm(f"qr-{number}")  # the number's QR code once, shown on each of its pages
        draw_qr(canvas, form.qr, A4[0] - MARGIN - QR_SIDE, A4[1] - MARGIN - QR_SIDE, QR_SIDE)
        canvas.endForm()
        for page in range(1, layout.page + 1):
            form.page = page
            form.header()
            canvas.doForm(f"questions-{page}")
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


class _Form:
    """One numbered form: pages with a header (round, unit, number, QR) and the questions."""

    def __init__(self, canvas: Canvas, batch: FormBatch, number: str) -> None:
        self.canvas, self.batch, self.number = canvas, batch, number
        self.lang = batch.lang
        self.words = WORDS[batch.lang]
        self.page = 0
        self.width = A4[0] - 2 * MARGIN
        self.y = 0.0
        self.qr = qr_matrix(number) if number else []  # the layout pass has no number

    def draw(self) -> None:
        """Lay the questions out into form XObjects ``questions-1``, ``questions-2``, ... (no header)."""
        q = self.batch.questionnaire
        self._new_page()
        self._text(q.title.get(self.lang), BOLD, 14)
        if q.intro is not None:
            self._text(q.intro.get(self.lang), FONT, 9.5, gap=4)
        self._text(self.words["how"], FONT, 9, gap=4, colour=GREY)
        numbers = question_numbers(q)
        for section in q.sections:
            self._need(60)
            self._text(f"{section.code}. {section.title.get(self.lang)}", BOLD, 11.5, gap=12)
            for item in section.items:
                self._item(item, numbers[item.code])
        self._need(30)
        self._text(self.words["end"], BOLD, 10, gap=14)
        self.canvas.endForm()

    # -- layout helpers

    def _new_page(self) -> None:
        if self.page:
            self.canvas.endForm()
        self.page += 1
        self.canvas.beginForm(f"questions-{self.page}")
        self.y = A4[1] - MARGIN - QR_SIDE - 16

    def header(self) -> None:
        """Round, unit, form number and its QR code, and the page number: what differs between forms."""
        canvas, top = self.canvas, A4[1] - MARGIN
        side = QR_SIDE
        canvas.doForm(f"qr-{self.number}")
        canvas.setFillColor(black)
        canvas.setFont(BOLD, 12)
        canvas.drawString(MARGIN, top - 12, f"{self.words['form']}: {self.number}")
        canvas.setFont(FONT, 9)
        canvas.drawString(MARGIN, top - 26, f"{self.words['round']}: {self.batch.round_name}"[:110])
        canvas.drawString(MARGIN, top - 38, f"{self.words['unit']}: {self.batch.unit_name}"[:110])
        canvas.drawRightString(A4[0] - MARGIN, MARGIN - 14,
                               f"{self.words['form']} {self.number} \u2013 {self.words['page']} {self.page}")
        canvas.setStrokeColor(GREY)
        canvas.line(MARGIN, top - side - 6, A4[0] - MARGIN, top - side - 6)

    def _need(self, height: float) -> None:
        if self.y - height < MARGIN:
            self._new_page()

    def _text(self, text: str, font: str, size: float, *, gap: float = 0, indent: float = 0,
              colour: Color = black) -> None:
        lines = simpleSplit(text, font, size, self.width - indent)
        self.y -= gap
        self.canvas.setFillColor(colour)
        self.canvas.setFont(font, size)
        for line in lines:
            self._need(size * 1.3)
            self.y -= size * 1.3
            self.canvas.drawString(MARGIN + indent, self.y, line)
        self.canvas.setFillColor(black)

    def _height(self, text: str, font: str, size: float, indent: float = 0) -> float:
        return len(simpleSplit(text, font, size, self.width - indent)) * size * 1.3

    def _item(self, item: Item, number: int) -> None:
        q, indent = self.batch.questionnaire, 22
        question = item.text.get(self.lang)
        # Keep a question's text with its first answers on one page.
        self._need(self._height(question, BOLD, 10, indent) + 40)
        block = block_instruction(q, item, self.lang)
        if block:
            self._text(f"\u2192 {block}", BOLD, 9, gap=6)
        self.y -= 8
        self.canvas.setFont(BOLD, 10)
        self.canvas.drawString(MARGIN, self.y - 13, f"{number}.")
        self._text(question, BOLD, 10, indent=indent)
        note = only_if_note(q, item, self.lang)
        if note:
            self._text(note, FONT, 8.5, indent=indent, colour=GREY)
        if item.help is not None:
            self._text(item.help.get(self.lang), FONT, 8.5, indent=indent, colour=GREY)
        if item.type is ItemType.MULTIPLE:
            self._text(self.words["many"], FONT, 8.5, indent=indent, colour=GREY)
        if item.options:
            self._options(item, indent)
        elif item.type is ItemType.NUMBER:
            self._number(item, indent)
        elif item.type is ItemType.DECIMAL:
            self._decimal(item, indent)
        else:
            self._lines(item, indent)
        for sentence in skip_instructions(q, item, self.lang):
            self._text(f"\u2192 {sentence}", BOLD, 9, indent=indent)

    def _options(self, item: Item, indent: float) -> None:
        size, box = 9, 8.5
        labels = [f"{o.code}. {o.label.get(self.lang)}" for o in item.options]
        widths = [self.canvas.stringWidth(label, FONT, size) + box + 16 for label in labels]
        if sum(widths) <= self.width - indent:  # all on one line
            self._need(size * 1.8)
            self.y -= size * 1.8
            x = MARGIN + indent
            for label, width in zip(labels, widths, strict=True):
                self._box(x, self.y, box)
                self.canvas.setFont(FONT, size)
                self.canvas.drawString(x + box + 4, self.y, label)
                x += width
            return
        for label in labels:
            lines = simpleSplit(label, FONT, size, self.width - indent - box - 6)
            self._need(len(lines) * size * 1.35 + 2)
            self.y -= size * 1.35 + 2
            self._box(MARGIN + indent, self.y, box)
            self.canvas.setFont(FONT, size)
            for i, line in enumerate(lines):
                self.canvas.drawString(MARGIN + indent + box + 6, self.y - i * size * 1.3, line)
            self.y -= (len(lines) - 1) * size * 1.3

    def _number(self, item: Item, indent: float) -> None:
        digits = max(len(str(item.max)) if item.max is not None else 3, 1)
        self._need(22)
        self.y -= 20
        for i in range(digits):
            self._box(MARGIN + indent + i * 16, self.y - 3, 15)
        self.canvas.setFont(FONT, 8.5)
        self.canvas.setFillColor(GREY)
        text = self.words["number"].format(min=item.min, max=item.max) if item.min is not None else ""
        self.canvas.drawString(MARGIN + indent + digits * 16 + 8, self.y, text)
        self.canvas.setFillColor(black)

    def _decimal(self, item: Item, indent: float) -> None:
        """Boxes for the whole part, a printed comma, then one box per decimal place."""
        whole = max(len(str(int(abs(bound)))) for bound in (item.min, item.max, 100) if bound is not None)
        places = item.places or DEFAULT_DECIMAL_PLACES
        self._need(22)
        self.y -= 20
        x = MARGIN + indent
        for _ in range(whole):
            self._box(x, self.y - 3, 15)
            x += 16
        self.canvas.setFont(BOLD, 12)
        self.canvas.drawString(x + 1, self.y - 2, ",")
        x += 8
        for _ in range(places):
            self._box(x, self.y - 3, 15)
            x += 16
        self.canvas.setFont(FONT, 8.5)
        self.canvas.setFillColor(GREY)
        bounds = ""
        if item.min is not None and item.max is not None:
            bounds = self.words["decimal_range"].format(min=format_decimal(item.min, self.lang),
                                                        max=format_decimal(item.max, self.lang))
        self.canvas.drawString(x + 8, self.y, self.words["decimal"].format(range=bounds))
        self.canvas.setFillColor(black)

    def _lines(self, item: Item, indent: float) -> None:
        rows = 2 if (item.max_length or 500) <= 200 else 4
        self.canvas.setStrokeColor(GREY)
        for _ in range(rows):
            self._need(20)
            self.y -= 20
            self.canvas.line(MARGIN + indent, self.y, A4[0] - MARGIN, self.y)

    def _box(self, x: float, y: float, side: float) -> None:
        self.canvas.setStrokeColor(black)
        self.canvas.setLineWidth(0.8)
        self.canvas.rect(x, y - 1, side, side, stroke=1, fill=0)
