"""The audit log reads as sentences in the reader's language, with Vietnam times."""

from __future__ import annotations

import re
from pathlib import Path

from survey_app.admin.audit_words import ACTIONS

ROOT = Path(__file__).resolve().parents[3] / "survey_app"


def test_every_recorded_action_has_a_sentence():
    recorded: set[str] = set()
    for path in ROOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"audit\.record\((?:[^,]+),\s*(?:[^,]+),\s*(f?)\"([^\"]+)\"", text):
            is_f, action = call.groups()
            if is_f:  # f"round.{status}", f"export.{fmt}", f"{kind}.import": every value it can take
                prefix, _, suffix = re.sub(r"\{[^}]+\}", "\0", action).partition("\0")
                assert any(a.startswith(prefix) and a.endswith(suffix) for a in ACTIONS), action
            else:
                recorded.add(action)
    assert len(recorded) >= 15
    assert sorted(recorded - set(ACTIONS)) == []


def test_the_audit_page_shows_sentences_and_local_time(staff_client):
    html = staff_client.get("/admin/audit").get_data(as_text=True)
    assert "Đăng nhập" in html and 'title="login"' in html
    assert "Thời điểm (giờ Việt Nam)" in html and "UTC" not in html
    assert re.search(r"<td>\d\d/\d\d/\d{4} \d\d:\d\d:\d\d</td>", html)
