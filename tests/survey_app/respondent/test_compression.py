"""Gzip of respondent pages and static files (the page-weight budget), not of the console."""

from __future__ import annotations

import gzip

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_survey_page_is_gzipped_for_browsers_that_accept_it(client, demo):
    page = client.get("/q/demo", headers=GZIP)
    assert page.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in page.vary
    html = gzip.decompress(page.get_data()).decode()
    assert "Huyện An Bình" in html
    assert int(page.headers["Content-Length"]) == len(page.get_data()) < len(html.encode()) / 4


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
