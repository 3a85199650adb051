"""Questionnaire versions: shown as respondents see them, edited only while nobody has answered."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from sqlalchemy import select

from survey_app.models import AuditEntry, QuestionnaireVersion, Round
from tests.factories import make_response
from tests.survey_app.admin.conftest import post_form


def test_list_shows_every_version_with_its_use(analyst_client, demo):
    html = analyst_client.get("/admin/questionnaires").get_data(as_text=True)
    assert demo.version_for("citizen").short_version in html and "Khảo sát CCHC 2026" in html
    # A readable label: the questionnaire's title and the day it was loaded (dd/mm/yyyy), then the hash.
    version = demo.version_for("citizen")
    loaded = version.loaded_at.replace(tzinfo=version.loaded_at.tzinfo or UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert f"{loaded:%d/%m/%Y} · {version.short_version}" in html
    assert "Phiếu khảo sát" in html
    assert "/edit" not in html  # analysts read, they do not edit


def test_preview_is_the_respondent_page(analyst_client, client, demo):
    version = demo.version_for("citizen")
    preview = analyst_client.get(f"/admin/questionnaires/{version.id}").get_data(as_text=True)
    respondent = client.get("/q/demo").get_data(as_text=True)
    assert "Xem trước phiên bản" in preview and version.short_version in preview
    for marker in ('name="s_acc_1" value="5"', 'id="i-j_trips"', "ẩn danh", 'id="f-comment"'):
        assert marker in preview and marker in respondent
    english = analyst_client.get(f"/admin/questionnaires/{version.id}?lang=en").get_data(as_text=True)
    assert 'lang="en"' in english and "Very satisfied" in english


def test_edit_an_unanswered_version_makes_a_new_one_used_by_the_round(staff_client, session, demo):
    version = demo.version_for("business")
    old_hash, old_id = version.content_hash, version.id
    source = version.source.replace("\n", "\r\n")  # what a browser sends from a textarea
    edited = source.replace("Phiếu khảo sát", "PHIẾU KHẢO SÁT", 1)
    assert edited != source
    response = post_form(staff_client, f"/admin/questionnaires/{version.id}/edit", {"source": edited})
    assert response.status_code == 302
    session.expire_all()
    round_ = session.get(Round, demo.id)
    new = round_.version_for("business")
    assert new.content_hash != old_hash and "\r" not in new.source
    assert session.get(QuestionnaireVersion, old_id) is None  # the unanswered text is gone
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "questionnaire.edit"))
    assert entry.detail["new"] == new.short_version


def test_unchanged_text_keeps_the_version(staff_client, session, demo):
    version = demo.version_for("business")
    source = version.source.replace("\n", "\r\n")
    assert post_form(staff_client, f"/admin/questionnaires/{version.id}/edit", {"source": source}).status_code == 302
    session.expire_all()
    assert session.get(Round, demo.id).version_for("business").id == version.id


def test_broken_text_is_refused_with_the_loader_problems(staff_client, session, demo):
    version = demo.version_for("business")
    response = post_form(staff_client, f"/admin/questionnaires/{version.id}/edit",
                         {"source": version.source.replace("type: satisfaction5", "type: stars", 1)})
    assert response.status_code == 422 and "stars" in response.get_data(as_text=True)
    other_group = demo.version_for("citizen").source
    response = post_form(staff_client, f"/admin/questionnaires/{version.id}/edit", {"source": other_group})
    assert response.status_code == 422 and "citizen" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Round, demo.id).version_for("business").id == version.id


def test_an_answered_version_cannot_be_edited(staff_client, session, demo):
    version = demo.version_for("citizen")
    make_response(session, demo, answers={"s_acc_1": 4})
    page = staff_client.get(f"/admin/questionnaires/{version.id}/edit")
    assert "không thể sửa" in page.get_data(as_text=True) and 'name="source"' not in page.get_data(as_text=True)
    response = post_form(staff_client, f"/admin/questionnaires/{version.id}/edit",
                         {"source": version.source + "\n# changed\n"}, page="/admin/questionnaires")
    assert response.status_code == 409
    session.expire_all()
    assert session.get(Round, demo.id).version_for("citizen").id == version.id


def test_sync_loads_the_files(staff_client, session, demo):
    response = post_form(staff_client, "/admin/questionnaires/sync", {}, page="/admin/questionnaires")
    assert response.status_code == 302
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "questionnaires.sync")) is not None
