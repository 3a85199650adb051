"""Printable A4 posters for the one-stop desks, and a ZIP of a round's posters.

The PDF embeds DejaVu Sans (Debian package ``fonts-dejavu-core``), a font with
every Vietnamese letter: the fourteen standard PDF fonts have none of ``ả ệ ơ ư
đ``, and a viewer substituting its own font would print boxes. The QR code is
drawn as vector squares so it stays sharp at any print size.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.colors import HexColor, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import Round, ServicePoint
from survey_app.services.qr import desk_url, qr_matrix, short_address

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu: fonts-dejavu-core
    Path("/usr/share/fonts/dejavu"),  # Fedora
    Path("/usr/share/fonts/TTF"),  # Arch
)
FONT_FILES = {"PosterSans": "DejaVuSans.ttf", "PosterSans-Bold": "DejaVuSans-Bold.ttf"}
CALL_TO_ACTION = "Quét mã QR để đánh giá sự hài lòng về sự phục vụ của cơ quan hành chính nhà nước"
ANONYMITY = "Phiếu khảo sát ẩn danh: không hỏi tên, số điện thoại hay địa chỉ của Ông/Bà."
TYPE_IT = "Hoặc nhập địa chỉ:"
ENGLISH = "Scan the QR code to rate our service (Vietnamese or English)."
BRAND = HexColor("#0b4f8a")


class FontMissing(RuntimeError):
    """The Vietnamese-capable font is not installed; the message says how to install it."""


@dataclass(frozen=True)
class Poster:
    unit_name: str
    desk_name: str
    url: str
    round_name: str = ""


def register_fonts(dirs: Iterable[Path] | None = None) -> None:
    """Register DejaVu Sans with reportlab once per process; raise FontMissing if it is not installed."""
    if all(name in pdfmetrics.getRegisteredFontNames() for name in FONT_FILES):
        return
    dirs = list(FONT_DIRS if dirs is None else dirs)
    for name, filename in FONT_FILES.items():
        path = next((d / filename for d in dirs if (d / filename).is_file()), None)
        if path is None:
            raise FontMissing(
                f"{filename} not found in {', '.join(map(str, dirs))}: posters need a font with Vietnamese "
                "letters. On Debian or Ubuntu: apt-get install fonts-dejavu-core (make system-packages)."
            )
        pdfmetrics.registerFont(TTFont(name, str(path)))


def poster_pdf(poster: Poster) -> bytes:
    """One A4 page: unit, desk, call to action, QR code, typed address, anonymity promise."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(f"{poster.unit_name} – {poster.desk_name}")
    canvas.setAuthor(poster.unit_name)
    _draw(canvas, poster)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw(canvas: Canvas, poster: Poster) -> None:
    width, height = A4
    y = _header(canvas, poster, width, height)
    canvas.setFillColor(black)
    y = _centred(canvas, CALL_TO_ACTION, "PosterSans-Bold", 22, y - 1.4 * cm, width - 3.5 * cm)
    side = min(12.5 * cm, y - 8.5 * cm)  # a very long unit name shrinks the code, never the text
    top = y - 0.6 * cm
    _draw_qr(canvas, qr_matrix(poster.url), (width - side) / 2, top - side, side)
    y = top - side - 1.0 * cm
    y = _centred(canvas, TYPE_IT, "PosterSans", 14, y, width - 3 * cm)
    canvas.setFillColor(BRAND)
    y = _centred(canvas, short_address(poster.url), "PosterSans-Bold", 20, y - 0.1 * cm, width - 2 * cm)
    canvas.setFillColor(black)
    y = _centred(canvas, ANONYMITY, "PosterSans", 12, y - 0.4 * cm, width - 4 * cm)
    _centred(canvas, ENGLISH, "PosterSans", 11, y - 0.2 * cm, width - 4 * cm)
    if poster.round_name:
        _centred(canvas, poster.round_name, "PosterSans", 10, 1.5 * cm, width - 4 * cm)


def _header(canvas: Canvas, poster: Poster, width: float, height: float) -> float:
    """The coloured band with the unit and desk names, as tall as their lines need; returns its bottom."""
    lines = (len(simpleSplit(poster.unit_name.upper(), "PosterSans-Bold", 24, width - 3 * cm)) * 30
             + len(simpleSplit(poster.desk_name, "PosterSans", 15, width - 3 * cm)) * 18.75)
    bottom = height - lines - 2.2 * cm
    canvas.setFillColor(BRAND)
    canvas.rect(0, bottom, width, height - bottom, stroke=0, fill=1)
    canvas.setFillColor(white)
    y = _centred(canvas, poster.unit_name.upper(), "PosterSans-Bold", 24, height - 1.1 * cm, width - 3 * cm)
    _centred(canvas, poster.desk_name, "PosterSans", 15, y - 0.3 * cm, width - 3 * cm)
    return bottom


def _centred(canvas: Canvas, text: str, font: str, size: float, top: float, max_width: float) -> float:
    """Draw ``text`` centred, wrapped to ``max_width``, first baseline below ``top``; return the last baseline."""
    canvas.setFont(font, size)
    y = top
    for line in simpleSplit(text, font, size, max_width):
        y -= size * 1.25
        canvas.drawCentredString(A4[0] / 2, y, line)
    return y


def _draw_qr(canvas: Canvas, matrix: list[list[bool]], x: float, y: float, side: float) -> None:
    """Dark modules as filled squares, each run of a row as one rectangle (a smaller file)."""
    module = side / len(matrix)
    canvas.setFillColor(white)
    canvas.rect(x, y, side, side, stroke=0, fill=1)
    canvas.setFillColor(black)
    for r, row in enumerate(matrix):
        top = y + side - (r + 1) * module
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            canvas.rect(x + start * module, top, (c - start) * module, module, stroke=0, fill=1)


def write_posters_zip(out: BinaryIO, posters: Iterable[tuple[str, Poster]]) -> int:
    """Write a ZIP with one PDF per ``(file name, poster)``; return the number of posters."""
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for filename, poster in posters:
            archive.writestr(filename, poster_pdf(poster))
            count += 1
    return count


def round_posters(session: Session, round_: Round, base_url: str) -> list[tuple[str, Poster]]:
    """A poster per active desk of the units the round has targets for (every active desk if it has none)."""
    unit_ids = {target.unit_id for target in round_.targets}
    stmt = select(ServicePoint).where(ServicePoint.active.is_(True)).order_by(ServicePoint.code)
    if unit_ids:
        stmt = stmt.where(ServicePoint.unit_id.in_(unit_ids))
    return [(f"{desk.unit.code}-{desk.code}.pdf", desk_poster(desk, base_url, round_.name))
            for desk in session.scalars(stmt)]


def desk_poster(desk: ServicePoint, base_url: str, round_name: str = "") -> Poster:
    return Poster(desk.unit.name_vi, desk.name_vi, desk_url(base_url, desk.code), round_name)
