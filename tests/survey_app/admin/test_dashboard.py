"""The progress dashboard: counts against targets, days, channels, invitations, snapshot, flags, charts."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from survey_app.models import Invitation, Target, Unit
from tests.factories import make_response
from tests.survey_app.admin.conftest import signed_in

SATISFIED_ALL = {"s_acc_1": 5, "s_acc_2": 4, "s_acc_3": 2, "s_staff_1": 5, "s_staff_2": 5, "s_staff_3": 1}
ALL_FOURS = {code: 4 for code in ("s_acc_1", "s_acc_2", "s_acc_3", "s_proc_1", "s_proc_2", "s_proc_3")}


def unit_id(session, code: str) -> int:
    return session.scalar(select(Unit.id).where(Unit.code == code))


def fill(session, demo):
    """An Phú: 3 QR responses (one fast, one straight-lined); Tân Lập: 1 link response from a business."""
    start = demo.opens_on
    make_response(session, demo, "XA_AN_PHU", answers=SATISFIED_ALL, day=start, duration=400)
    make_response(session, demo, "XA_AN_PHU", answers=ALL_FOURS, day=start + timedelta(days=1), duration=30)
    make_response(session, demo, "XA_AN_PHU", answers={"s_acc_1": 1, "comment": "ok"}, day=start + timedelta(days=1))
    make_response(session, demo, "XA_TAN_LAP", group="business", answers={"s_acc_1": 4}, channel="link")
    session.add(Invitation(round_id=demo.id, group_code="business", unit_id=unit_id(session, "XA_TAN_LAP"),
                           name="Công ty A", email="a@example.vn", status="sent"))
    session.commit()


def numbers_in_row(html: str, label: str) -> list[str]:
    row = re.search(rf"<tr>(?:(?!</tr>).)*{re.escape(label)}(?:(?!</tr>).)*</tr>", html, re.S)
    assert row, label
    return re.findall(r'class="num">([^<]*)<', row.group(0))


def test_dashboard_shows_progress_against_targets(staff_client, session, demo):
    fill(session, demo)
    target = session.get(Target, (demo.id, unit_id(session, "XA_AN_PHU"), "citizen")).target
    html = staff_client.get(f"/admin/rounds/{demo.id}/dashboard").get_data(as_text=True)
    assert "Xã An Phú" in html and "Người dân" in html
    an_phu = re.search(r"<tr><td>Xã An Phú</td><td>Người dân có giao dịch thủ tục hành chính</td>.*?</tr>", html, re.S).group(0)
    assert f'<td class="num">3</td><td class="num">{target}</td>' in an_phu
    assert f'<progress max="{target}" value="3"' in an_phu
    assert "Số phiếu mỗi ngày (tổng: 4)" in html
    assert numbers_in_row(html, "Mã QR tại Bộ phận một cửa") == ["3"]
    assert numbers_in_row(html, "Đường dẫn cá nhân") == ["1"]
    assert numbers_in_row(html, ">đã gửi<") == ["1"]


def test_unweighted_snapshot_and_quality_flags(staff_client, session, demo, app):
    fill(session, demo)
    html = staff_client.get(f"/admin/rounds/{demo.id}/dashboard?group=citizen").get_data(as_text=True)
    assert "chưa gia quyền" in html.lower()
    # ACC for citizens: s_acc_1 answers 5, 4, 1 -> 2/3; s_acc_2 4, 4 -> 1; s_acc_3 2, 4 -> 1/2; mean 72.2%.
    # The element by its name, not its code (ACC); the share with a decimal comma.
    acc = re.search(r"<tr><td>Người dân có giao dịch thủ tục hành chính</td><td title=\"ACC\">Tiếp cận dịch vụ</td>.*?</tr>",
                    html, re.S).group(0)
    assert re.findall(r'class="num">([^<]*)<', acc) == ["3", "3", "72,2%"]
    assert ">ACC<" not in html and ">PROC<" not in html
    assert numbers_in_row(html, "Số phiếu đã kiểm tra") == ["3"]
    assert numbers_in_row(html, f"Hoàn thành trong dưới {app.config['FAST_COMPLETION_SECONDS']} giây") == ["1"]
    assert numbers_in_row(html, "trả lời một hàng") == ["1"]
    assert "Công ty" not in html  # invitations are counted, never named


def test_filters_by_unit_and_group(staff_client, session, demo):
    fill(session, demo)
    url = f"/admin/rounds/{demo.id}/dashboard?unit={unit_id(session, 'XA_TAN_LAP')}&group=business"
    html = staff_client.get(url).get_data(as_text=True)
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td class=\"num\">", html)
    assert rows == [("Xã Tân Lập", "Doanh nghiệp, tổ chức có giao dịch thủ tục hành chính")]
    assert '<option value="business" selected>' in html


def test_unit_officer_sees_only_their_unit_and_no_answers(app, session, demo):
    fill(session, demo)
    officer = signed_in(app, session, "unit_officer", "XA_AN_PHU")
    other = unit_id(session, "XA_TAN_LAP")
    html = officer.get(f"/admin/rounds/{demo.id}/dashboard?unit={other}").get_data(as_text=True)
    units_shown = {name for name, _group in re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td class=\"num\">", html)}
    assert units_shown == {"Xã An Phú"}
    assert "Tân Lập" not in html
    assert "gia quyền" not in html and "trả lời một hàng" not in html  # nothing derived from answers
    assert numbers_in_row(html, "Đường dẫn cá nhân") == ["0"]  # Tân Lập's link response is not counted
    assert officer.get(f"/admin/rounds/{demo.id}/comments").status_code == 403
    assert officer.get(f"/admin/rounds/{demo.id}/export.csv").status_code == 403
    index = officer.get("/admin/").get_data(as_text=True)
    assert re.search(r'class="num">3</td>', index)  # their unit's responses, not the round's 4


def test_charts_are_svg_with_a_strict_policy(staff_client, session, demo):
    fill(session, demo)
    for name in ("progress", "daily"):
        response = staff_client.get(f"/admin/rounds/{demo.id}/charts/{name}.svg?group=citizen")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        body = response.get_data()
        assert b"<svg" in body and b"<script" not in body
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert staff_client.get(f"/admin/rounds/{demo.id}/charts/pie.svg").status_code == 404
    html = staff_client.get(f"/admin/rounds/{demo.id}/dashboard").get_data(as_text=True)
    assert f'src="/admin/rounds/{demo.id}/charts/progress.svg"' in html
    assert 'alt="' in html and "<script" not in html


def test_empty_round_renders(staff_client, demo):
    html = staff_client.get(f"/admin/rounds/{demo.id}/dashboard").get_data(as_text=True)
    assert "Chưa có câu trả lời về mức độ hài lòng" in html
    assert staff_client.get(f"/admin/rounds/{demo.id}/charts/daily.svg").status_code == 200


def test_burst_from_one_desk_is_flagged(staff_client, session, demo):
    from survey_app.models import Response, ServicePoint

    desk = session.scalar(select(ServicePoint).where(ServicePoint.code == "demo"))
    version = demo.version_for("citizen").id
    rows = []
    for day, n in [(0, 2), (1, 3), (2, 2), (3, 2), (4, 30)]:
        rows += [Response(round_id=demo.id, group_code="citizen", unit_id=desk.unit_id, service_point_id=desk.id,
                          channel="qr", questionnaire_version_id=version, answers={},
                          submitted_on=demo.opens_on + timedelta(days=day)) for _ in range(n)]
    session.add_all(rows)
    session.commit()
    html = staff_client.get(f"/admin/rounds/{demo.id}/dashboard").get_data(as_text=True)
    burst_day = (demo.opens_on + timedelta(days=4)).strftime("%d/%m/%Y")  # dd/mm/yyyy, as a Vietnamese office writes it
    row = re.search(rf"<tr><td>{burst_day}</td><td><span class=\"code\">demo</span>.*?</tr>", html, re.S)
    assert row and re.findall(r'class="num">([^<]*)<', row.group(0)) == ["30", "2"]
