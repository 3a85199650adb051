"""Hostile input against the respondent forms: never a 500, every refusal a 4xx that says what is wrong.

Property-based (hypothesis): random and malformed form posts, duplicated fields,
unknown and out-of-range codes, answers to skipped items, invalid UTF-8, wrong
content types and oversized bodies. The number of generated cases is set by
HOSTILE_EXAMPLES (default 2500 per property; CI keeps the default).
"""

from __future__ import annotations

import os
import urllib.parse

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.factories import form_field
from tests.survey_app.respondent.test_desk_survey import VALID

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "2500"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ITEM_CODES = sorted(VALID) + ["s_fb_1", "s_fb_2", "s_fb_3"]
# What a person (or a script) might put in a field.
VALUES = st.one_of(
    st.sampled_from(["", "0", "1", "3", "5", "6", "-1", "99999999999999999999", "1.5", "1e3", " 4 ", "٣", "４",
                     "null", "[]", "<script>alert(1)</script>", "'; DROP TABLE responses; --", "\x00", "\ufeff"]),
    st.text(max_size=40),
    st.integers(-10**6, 10**6).map(str),
)
ACCEPTED = {303}
REFUSED_WITH_MESSAGE = {400, 413, 422, 429}


def _hidden(client) -> dict[str, str]:
    html = client.get("/q/demo").get_data(as_text=True)
    return {"form_token": form_field(html, "form_token")}


def _assert_answered_properly(response) -> None:
    assert response.status_code != 500
    assert response.status_code in ACCEPTED | REFUSED_WITH_MESSAGE, response.status_code
    if response.status_code in REFUSED_WITH_MESSAGE:
        body = response.get_data(as_text=True)
        assert 'class="err"' in body or 'class="notice' in body or "<h1>" in body, body[:500]


def test_random_answers_to_every_item(app, demo, count_case):
    client = app.test_client()
    hidden = _hidden(client)

    @FUZZ
    @given(st.dictionaries(st.sampled_from(ITEM_CODES), st.lists(VALUES, min_size=0, max_size=3), max_size=40))
    def check(answers):
        count_case()
        data = MultiDict([(k, v) for k, values in answers.items() for v in values])
        for key, value in hidden.items():
            data[key] = value
        _assert_answered_properly(client.post("/q/demo", data=data))

    check()


def test_valid_form_with_one_field_mutated(app, demo, count_case):
    client = app.test_client()
    hidden = _hidden(client)

    @FUZZ
    @given(st.sampled_from(ITEM_CODES), st.lists(VALUES, max_size=4), st.booleans())
    def check(code, values, drop_tokens):
        count_case()
        data = MultiDict({**VALID, **({} if drop_tokens else hidden)})
        data.setlist(code, values)
        response = client.post("/q/demo", data=data)
        _assert_answered_properly(response)
        if drop_tokens:
            assert response.status_code == 400
            assert VALID["comment"] in response.get_data(as_text=True) or code == "comment"

    check()


def test_arbitrary_field_names_and_raw_bodies(app, demo, count_case):
    client = app.test_client()
    hidden = _hidden(client)

    @FUZZ
    @given(st.binary(max_size=600), st.sampled_from([
        "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=x",
        "application/json", "text/plain", "application/octet-stream", "", "application/x-www-form-urlencoded; charset=latin-1",
    ]))
    def check(body, content_type):
        count_case()
        prefix = urllib.parse.urlencode(hidden).encode() + b"&"
        headers = {"Content-Type": content_type} if content_type else {}
        _assert_answered_properly(client.post("/q/demo", data=prefix + body, headers=headers))

    check()


def test_invalid_utf8_and_duplicated_fields(app, demo, session):
    client = app.test_client()
    hidden = _hidden(client)
    body = urllib.parse.urlencode({**VALID, **hidden}).encode() + b"&comment=%FF%FE%C3&sex=1&sex=2"
    response = client.post("/q/demo", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    assert 'id="e-sex"' in response.get_data(as_text=True)


def test_oversized_body_is_413_with_a_message(app, demo):
    client = app.test_client()
    hidden = _hidden(client)
    response = client.post("/q/demo", data={**VALID, **hidden, "comment": "x" * (400 * 1024)})
    assert response.status_code == 413
    assert "quá lớn" in response.get_data(as_text=True)


def test_too_many_multipart_fields_is_refused(app, demo):
    client = app.test_client()
    hidden = _hidden(client)
    data = MultiDict({**VALID, **hidden})
    for i in range(2000):
        data.add(f"f{i}", "1")
    assert client.post("/q/demo", data=data, content_type="multipart/form-data").status_code == 413


def test_unknown_fields_are_ignored(app, demo, session):
    from sqlalchemy import select

    from survey_app.models import Response

    client = app.test_client()
    data = MultiDict({**VALID, **_hidden(client)})
    for i in range(500):
        data.add(f"f{i}", "1")
    assert client.post("/q/demo", data=data).status_code == 303
    assert not any(key.startswith("f") and key[1:].isdigit() for key in session.scalars(select(Response)).one().answers)


def test_hostile_paths_and_methods(app, demo):
    client = app.test_client()
    for path in ["/q/" + "a" * 5000, "/q/%00", "/q/..%2f..%2fetc%2fpasswd", "/q/demo/thanks/x", "/q/DEMO",
                 "/q/<script>", "/i/", "/admin/../q/demo"]:
        assert client.get(path).status_code < 500, path
    assert client.put("/q/demo").status_code == 405
    assert client.delete("/q/demo").status_code == 405
