"""The QR code of a desk: the address a phone opens, as PNG, SVG or a module matrix for the poster.

Error correction level M (15% of the code may be damaged) survives a poster
that is creased, a little dirty or photographed at an angle, while keeping
modules large enough for cheap phone cameras.
"""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import qrcode
import qrcode.constants
from qrcode.image.svg import SvgPathFillImage

QUIET_ZONE = 4  # modules of white around the code, as the standard asks


def desk_url(base_url: str, desk_code: str) -> str:
    """The public survey address of a desk: ``BASE_URL/q/<code>``."""
    return f"{base_url.rstrip('/')}/q/{desk_code}"


def short_address(url: str) -> str:
    """The address without its scheme, for people who type it from the poster."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


def _code(url: str, box_size: int = 10) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=QUIET_ZONE)
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_png(url: str, box_size: int = 10) -> bytes:
    buffer = io.BytesIO()
    _code(url, box_size).make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(url: str) -> bytes:
    """A vector QR code with a white background (a transparent one fails on a dark page)."""
    return _code(url).make_image(image_factory=SvgPathFillImage).to_string(encoding="unicode").encode("utf-8")


def qr_matrix(url: str) -> list[list[bool]]:
    """Dark (True) and light modules, quiet zone included: the poster draws them as vector squares."""
    return _code(url).get_matrix()
