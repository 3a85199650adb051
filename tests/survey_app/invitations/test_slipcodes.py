"""One-time codes on the result slip: minted offline, signed, single use, field filled in from the code."""

from __future__ import annotations

import base64
import hashlib
import hmac
import subprocess

import pytest
from sqlalchemy import func, select

from survey_app.models import AuditEntry, Response, Round, ServicePoint, UsedSlipCode
from survey_app.services import slipcodes
from survey_app.services.errors import NotFound
from tests.factories import form_field
from tests.survey_app.respondent.test_desk_survey import VALID

KEY = bytes(range(32))
VECTOR = "AEAAAAAHAICGIZLNN4AQEAYEAUDJONSIVZYPBSUJ3PYA"


def test_the_documented_test_vector():
    assert slipcodes.mint(KEY, 7, "demo", 2, bytes([1, 2, 3, 4, 5, 6])) == VECTOR
    assert VECTOR in (slipcodes.__doc__ or "")


def test_vector_by_hand_as_a_vendor_would():
    message = bytes.fromhex("01 00000007 02 04 64656d6f 010203040506")
    tag = hmac.new(KEY, message, hashlib.sha256).digest()[:10]
    assert base64.b32encode(message + tag).decode().rstrip("=") == VECTOR


def test_vector_with_openssl_if_present():
    try:
        out = subprocess.run(
            ["openssl", "dgst", "-sha256", "-mac", "HMAC", "-macopt", f"hexkey:{KEY.hex()}", "-binary"],
            input=bytes.fromhex("01000000070204") + b"demo" + bytes([1, 2, 3, 4, 5, 6]),
            capture_output=True, check=True, timeout=10).stdout
    except (FileNotFoundError, subprocess.CalledProcessError):
        pytest.skip("no openssl command")
    assert out[:10].hex() == "973648ae70f0ca89dbf0"


def test_decode_round_trip_any_case_and_hyphens():
    code = slipcodes.mint(KEY, 123456, "Ab3kq7z", 6)
    assert len(code) <= 48 and code.isupper()
    spaced = "-".join(code[i:i + 4] for i in range(0, len(code), 4)).lower()
    payload = slipcodes.decode(spaced)
    assert (payload.round_id, payload.desk_code, payload.field) == (123456, "ab3kq7z", 6)
    assert payload.code_hash == slipcodes.decode(code).code_hash


@pytest.mark.parametrize("text", ["", "!!!", "A" * 200, "AEAAAAAH", "MFRGG===", "0" * 40])
def test_garbage_is_not_a_code(text):
    with pytest.raises(NotFound):
        slipcodes.decode(text)


def demo_code(session, demo, field: int = 2, desk: str = "demo") -> str:  # type: ignore[no-untyped-def]
    round_ = session.get(Round, demo.id)
    return slipcodes.mint(round_.slip_secret, round_.id, desk, field)


def hidden(html: str) -> dict[str, str]:
    return {"form_token": form_field(html, "form_token")}


def without_field() -> dict[str, str]:
    return {k: v for k, v in VALID.items() if k != "field"}


def test_answer_by_slip_code_once(client, session, demo):
    code = demo_code(session, demo, field=4)
    page = client.get(f"/r/{code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="field"' not in html  # asked by the code, not the page
    sent = client.post(f"/r/{code}", data={**without_field(), "field": "1", **hidden(html)})
    assert sent.status_code == 303
    thanks = client.get(sent.headers["Location"])
    assert thanks.status_code == 200 and "Huyện An Bình" in thanks.get_data(as_text=True)
    stored = session.scalars(select(Response)).one()
    assert stored.channel == "slip" and stored.service_point.code == "demo"
    assert stored.answers["field"] == 4  # from the code, whatever the form said
    used = session.scalars(select(UsedSlipCode)).one()
    assert used.code_hash == slipcodes.decode(code).code_hash and used.used_on == demo.closes_on

    again = client.get(f"/r/{code}")
    assert again.status_code == 410 and "đã được sử dụng" in again.get_data(as_text=True)
    replay = client.post(f"/r/{code}", data={**without_field(), **hidden(html)})
    assert replay.status_code == 410
    assert client.get(f"/r/{code.lower()}").status_code == 410  # another spelling is the same code
    assert session.scalar(select(func.count()).select_from(Response)) == 1


def test_two_forms_of_one_code(app, session, demo):
    code = demo_code(session, demo)
    first, second = app.test_client(), app.test_client()
    one, two = hidden(first.get(f"/r/{code}").get_data(as_text=True)), hidden(
        second.get(f"/r/{code}").get_data(as_text=True))
    assert first.post(f"/r/{code}", data={**without_field(), **one}).status_code == 303
    assert second.post(f"/r/{code}", data={**without_field(), **two}).status_code == 404  # another browser: told nothing (respondent.receipts)
    assert session.scalar(select(func.count()).select_from(Response)) == 1


def test_forged_and_altered_codes_are_refused(client, session, demo):
    genuine = demo_code(session, demo, field=2)
    raw = bytearray(base64.b32decode(genuine + "=" * (-len(genuine) % 8)))
    raw[5] = 7  # change the procedure field, keep the signature
    altered = base64.b32encode(bytes(raw)).decode().rstrip("=")
    forged = slipcodes.mint(b"\x00" * 32, demo.id, "demo", 2)
    other_round = slipcodes.mint(session.get(Round, demo.id).slip_secret, demo.id + 1, "demo", 2)
    for code in (altered, forged, other_round, "NOTACODE", genuine[:-1]):
        page = client.get(f"/r/{code}")
        assert page.status_code == 404 and "không hợp lệ" in page.get_data(as_text=True), code
        assert client.post(f"/r/{code}", data=without_field()).status_code == 404
    assert session.scalar(select(func.count()).select_from(Response)) == 0


def test_unknown_desk_or_field_and_closed_round(client, session, demo):
    assert client.get(f"/r/{demo_code(session, demo, desk='nosuchdesk')}").status_code == 404
    assert client.get(f"/r/{demo_code(session, demo, field=99)}").status_code == 404
    code = demo_code(session, demo)
    round_ = session.get(Round, demo.id)
    round_.status = "closed"
    session.commit()
    page = client.get(f"/r/{code}")
    assert page.status_code == 410 and "hết hạn" in page.get_data(as_text=True)


def test_thanks_page_of_an_unused_code_goes_to_the_form(client, session, demo):
    code = demo_code(session, demo)
    assert client.get(f"/r/{code}/thanks").status_code == 303
    assert client.get("/r/NOTACODE/thanks").status_code == 303


def test_cli_reveals_the_secret_with_audit_and_mints_codes(app, session, demo):
    runner = app.test_cli_runner()
    shown = runner.invoke(args=["invitations", "slip-secret", "--round", str(demo.id)])
    round_ = session.get(Round, demo.id)
    assert shown.exit_code == 0 and round_.slip_secret.hex() in shown.output and f"round id: {demo.id}" in shown.output
    session.expire_all()
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "round.slip_secret.reveal")).one()
    assert entry.user_id is None and entry.detail == {"via": "cli"} and entry.target == demo.name
    minted = runner.invoke(args=["invitations", "slip-codes", "--desk", "demo", "--field", "3", "--count", "2"])
    assert minted.exit_code == 0, minted.output
    urls = minted.output.split()
    assert len(urls) == 2 and all(u.startswith("http://localhost/r/") for u in urls)
    assert slipcodes.decode(urls[0].rsplit("/", 1)[1]).field == 3
    desk = session.scalar(select(ServicePoint).where(ServicePoint.code == "demo"))
    desk.fields = [1, 2]
    session.commit()
    refused = runner.invoke(args=["invitations", "slip-codes", "--desk", "demo", "--field", "3"])
    assert refused.exit_code != 0 and "not a procedure field" in refused.output
