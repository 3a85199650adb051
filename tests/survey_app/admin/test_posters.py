"""QR codes and A4 posters: decoded from the rendered image, they open that desk's survey."""

from __future__ import annotations

import io
import zipfile
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from survey_app.models import AuditEntry, ServicePoint
from survey_app.services import posters


def desk(session, unit_code: str) -> ServicePoint:
    return session.scalar(select(ServicePoint).join(ServicePoint.unit).where(ServicePoint.unit.has(code=unit_code)))


def decode(image: Image.Image) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def pdf_page(pdf: bytes) -> tuple[Image.Image, str]:
    """The first page rendered at 100 dpi, and its text."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=100 / 72).to_pil()
        text = page.get_textpage().get_text_bounded()
        width, height = page.get_size()
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        return image, text
    finally:
        document.close()


def test_poster_qr_opens_that_desks_survey_and_names_the_unit_with_diacritics(staff_client, session, demo):
    target = desk(session, "XA_NGHIA_DUNG")
    response = staff_client.get(f"/admin/desks/{target.id}/poster.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    image, text = pdf_page(response.get_data())
    urls = decode(image)
    assert urls == [f"http://localhost/q/{target.code}"]
    assert "XÃ NGHĨA DŨNG" in text and "Bộ phận một cửa Xã Nghĩa Dũng" in text
    assert "Quét mã QR để đánh giá sự hài lòng" in text.replace("\r", "").replace("\n", " ")
    assert f"localhost/q/{target.code}" in text  # the short address, for those who type it
    survey = staff_client.get(urlsplit(urls[0]).path)
    assert survey.status_code == 200
    assert "Xã Nghĩa Dũng" in survey.get_data(as_text=True)


def test_poster_embeds_its_font(staff_client, session, demo):
    pdf = staff_client.get(f"/admin/desks/{desk(session, 'XA_AN_PHU').id}/poster.pdf").get_data()
    assert b"/FontFile2" in pdf  # an embedded TrueType font, not a viewer's substitute


def test_qr_png_and_svg(staff_client, session, demo):
    target = desk(session, "XA_TAN_HOA")
    png = staff_client.get(f"/admin/desks/{target.id}/qr.png")
    assert png.mimetype == "image/png"
    assert decode(Image.open(io.BytesIO(png.get_data()))) == [f"http://localhost/q/{target.code}"]
    svg = staff_client.get(f"/admin/desks/{target.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<script" not in svg.get_data()
    assert "script-src" not in svg.headers["Content-Security-Policy"]  # default-src 'none': no script at all
    assert svg.get_data().startswith(b"<svg") and b'fill="white"' in svg.get_data()


def test_round_zip_has_a_poster_per_desk(staff_client, session, demo):
    response = staff_client.get(f"/admin/rounds/{demo.id}/posters.zip", buffered=True)  # closes the spool file
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = archive.namelist()
    active = session.scalars(select(ServicePoint).where(ServicePoint.active.is_(True))).all()
    assert len(names) == len(active) == 12
    name = next(n for n in names if n.startswith("XA_AN_LAC-"))
    image, text = pdf_page(archive.read(name))
    code = name.removeprefix("XA_AN_LAC-").removesuffix(".pdf")
    assert decode(image) == [f"http://localhost/q/{code}"] and "Khảo sát CCHC 2026" in text
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "posters.zip")).detail == {"posters": 12}


def test_missing_font_is_a_clear_message(staff_client, session, demo, monkeypatch, tmp_path):
    monkeypatch.setattr(posters, "FONT_DIRS", (tmp_path,))
    monkeypatch.setattr(posters, "FONT_FILES", {"PosterSansMissing": "NoSuchFont.ttf"})
    response = staff_client.get(f"/admin/desks/{desk(session, 'XA_AN_PHU').id}/poster.pdf")
    assert response.status_code == 503
    assert "fonts-dejavu-core" in response.get_data(as_text=True)


def test_register_fonts_names_the_package(monkeypatch, tmp_path):
    monkeypatch.setattr(posters, "FONT_FILES", {"PosterSansAbsent": "Absent.ttf"})
    with pytest.raises(posters.FontMissing, match="apt-get install fonts-dejavu-core"):
        posters.register_fonts([tmp_path])
