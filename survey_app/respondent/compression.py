"""Gzip for the respondent pages and the static files they load.

Why in the app and not only in nginx: the citizen survey page has a budget of
30 KB as transferred (issue 7), measured by a browser test against the app
itself. Uncompressed, the 35-question page with its CSS and script is about
31 KB; gzip brings it to about 6.5 KB, which leaves room for longer
questionnaires (adding an item must never need a code change) and is what a
phone on a slow mobile network really waits for. Slimming the markup instead
would buy a few kilobytes once and break again at the next added question.
Behind nginx (docs/deploy/nginx.conf has ``gzip on``) nothing is compressed
twice: nginx leaves a response that already has a Content-Encoding alone.

Only respondent pages and static files are compressed, not the staff console:
console pages carry a long-lived CSRF token next to text that users typed, the
combination BREACH-style attacks on compressed HTTPS responses need. The
respondent forms' tokens are re-signed with a timestamp on every render, which
defeats that attack, and they protect nothing but an anonymous answer.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from collections.abc import Sequence

from flask import Response, request

from survey_app.respondent import bp
from survey_app.security import header_names, header_value

COMPRESSIBLE = frozenset({"text/html", "text/css", "application/javascript", "text/javascript"})
MIN_SIZE = 512  # below one packet gzip's header and the extra CPU buy nothing
LEVEL = 6  # zlib's default: within a few per cent of level 9 here, at a third of the time


def _wanted(response: Response) -> bool:
    if request.blueprint != "respondent" and request.endpoint != "static":
        return False
    if response.mimetype not in COMPRESSIBLE:
        return False
    # 206 would need its byte ranges recomputed; 204/304 and HEAD carry no body.
    return response.status_code not in (204, 206, 304) and request.method != "HEAD"


def accepts_gzip() -> bool:
    """Whether the client takes gzip (Accept-Encoding is parsed only when it mentions gzip)."""
    return "gzip" in request.headers.get("Accept-Encoding", "").lower() and request.accept_encodings["gzip"] > 0


# A gzip member header: deflate, no name, mtime 0, unknown OS (RFC 1952).
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


def deflate_pieces(pieces: Sequence[bytes]) -> tuple[bytes, ...]:
    """Each piece deflated on its own, ending on a byte boundary; the last one ends the stream.

    A fresh compressor per piece means no piece refers back into another, so the
    pieces can be put together with other bytes between them (see gzip_join).
    """
    deflated = []
    for number, piece in enumerate(pieces, start=1):
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        ending = zlib.Z_FINISH if number == len(pieces) else zlib.Z_FULL_FLUSH
        deflated.append(compressor.compress(piece) + compressor.flush(ending))
    return tuple(deflated)


def gzip_join(pieces: Sequence[bytes], deflated: Sequence[bytes], fills: Sequence[bytes]) -> bytes:
    """The gzip of ``pieces[0] + fills[0] + pieces[1] + ... + pieces[-1]``, from the deflated pieces.

    Each fill goes in as a stored (uncompressed) deflate block, so a page whose
    fixed parts were compressed once costs a CRC per request instead of a
    compression (a third of a millisecond for the 26 KB survey page).
    """
    parts = [_GZIP_HEADER]
    crc = size = 0
    for number, piece in enumerate(pieces):
        parts.append(deflated[number])
        crc, size = zlib.crc32(piece, crc), size + len(piece)
        if number < len(fills):
            fill = fills[number]
            # Stored block: header bits 000 (not last, stored), then LEN and its complement.
            parts.append(struct.pack("<BHH", 0, len(fill), len(fill) ^ 0xFFFF) + fill)
            crc, size = zlib.crc32(fill, crc), size + len(fill)
    parts.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(parts)


def _body(response: Response) -> bytes:
    """The body as bytes, closing the file a static response was streaming from."""
    source = response.response
    response.direct_passthrough = False
    data = response.get_data()
    close = getattr(source, "close", None)
    if callable(close):
        close()
    return data


@bp.after_app_request
def compress(response: Response) -> Response:
    """Gzip text responses for clients that accept it; leave everything else as it is."""
    if "accept-encoding" in header_names(header_value(response.headers, "Vary")) or not _wanted(response):
        return response  # negotiated by the view already (the survey page: flow.show)
    response.vary.add("Accept-Encoding")
    if response.headers.getlist("Content-Encoding") or not accepts_gzip():
        return response
    if response.is_streamed and not response.direct_passthrough:
        return response  # a generator: compressing it would mean buffering it whole
    data = _body(response)
    if len(data) < MIN_SIZE:
        return response
    response.set_data(gzip.compress(data, compresslevel=LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:
        # The compressed bytes differ from the file the strong ETag names; a weak
        # ETag still lets the browser revalidate with If-None-Match (as nginx does).
        response.set_etag(etag, weak=True)
    return response
