"""Gzip of respondent pages and static files (the page-weight budget), not of the console."""

from __future__ import annotations

import gzip
import re
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from survey_app.respondent import compression

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_survey_page_is_gzipped_for_browsers_that_accept_it(client, demo):
    page = client.get("/q/demo", headers=GZIP)
    assert page.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in page.vary
    html = gzip.decompress(page.get_data()).decode()
    assert "Huyện An Bình" in html
    assert int(page.headers["Content-Length"]) == len(page.get_data()) < len(html.encode()) / 4


def test_pages_with_kept_answers_and_thank_you_pages_are_gzipped_too(client, demo):
    from tests.survey_app.respondent.test_desk_survey import VALID, open_form

    _, hidden = open_form(client)
    refused = client.post("/q/demo", data={**VALID, **hidden, "e_time": "9"}, headers=GZIP)
    assert refused.status_code == 422 and refused.headers["Content-Encoding"] == "gzip"
    assert 'name="s_acc_2" value="5" checked' in gzip.decompress(refused.get_data()).decode()
    assert refused.vary.as_set() >= {"accept-encoding", "cookie"}
    thanks = client.get("/q/demo/thanks", headers=GZIP)
    assert thanks.headers["Content-Encoding"] == "gzip" and "accept-encoding" in thanks.vary.as_set()


def test_plain_when_not_accepted(client, demo):
    for headers in ({}, {"Accept-Encoding": "gzip;q=0, identity"}):
        page = client.get("/q/demo", headers=headers)
        assert "Content-Encoding" not in page.headers and "Accept-Encoding" in page.vary
        assert "Huyện An Bình" in page.get_data(as_text=True)


def test_static_files_are_gzipped_and_still_revalidate(client):
    # Static responses stream from an open file: close them, as a server does.
    with client.get("/static/survey.css", headers=GZIP) as css:
        assert css.headers["Content-Encoding"] == "gzip"
        assert b"system-ui" in gzip.decompress(css.get_data())
        etag = css.headers["ETag"]
    assert etag.startswith('W/"')  # the compressed bytes are not the file the strong ETag named
    with client.get("/static/survey.css", headers={**GZIP, "If-None-Match": etag}) as again:
        assert again.status_code == 304 and not again.get_data()


def test_small_and_console_responses_are_left_alone(client, demo):
    assert "Content-Encoding" not in client.get("/admin/login", headers=GZIP).headers
    assert "Content-Encoding" not in client.head("/q/demo", headers=GZIP).headers


def test_page_gzipped_from_parts_compressed_once_is_the_plain_page(client, demo):
    zipped = client.get("/q/demo", headers=GZIP)
    plain = client.get("/q/demo").get_data()
    html = gzip.decompress(zipped.get_data())
    token = re.compile(rb'name="form_token" value="[^"]+"')
    assert token.sub(b"", html) == token.sub(b"", plain)  # the same page, tokens apart
    assert len(token.findall(html)) == 1


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(st.binary(max_size=3000), min_size=1, max_size=4), data=st.data())
def test_gzip_join_equals_gzip_of_the_whole(pieces, data):
    fills = data.draw(st.lists(st.binary(max_size=300), min_size=len(pieces) - 1, max_size=len(pieces) - 1))
    whole = b"".join(piece + fill for piece, fill in zip(pieces, [*fills, b""], strict=True))
    joined = compression.gzip_join(pieces, compression.deflate_pieces(pieces), fills)
    assert gzip.decompress(joined) == whole
    assert zlib.decompress(joined, wbits=31) == whole  # zlib's own gzip reader checks CRC and size too
