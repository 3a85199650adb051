"""The sample nginx configuration agrees with the app's own body limits (issue 18)."""

from __future__ import annotations

import re

from survey_app.admin.invitations import UPLOAD_OVERHEAD
from survey_app.config import PROJECT_ROOT, Config
from survey_app.services import contacts, units

SIZES = {"k": 1024, "m": 1024 * 1024, "": 1}


def _sizes() -> dict[str, int]:
    """client_max_body_size per location ("" for the server block)."""
    text = (PROJECT_ROOT / "docs/deploy/nginx.conf").read_text()
    found: dict[str, int] = {}
    location = ""
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("location "):
            location = line.split()[1]
        elif line == "}":
            location = ""
        match = re.match(r"client_max_body_size\s+(\d+)([kKmM]?);", line)
        if match:
            found[location] = int(match[1]) * SIZES[match[2].lower()]
    return found


def test_nginx_lets_through_every_upload_the_app_accepts_and_little_more():
    sizes = _sizes()
    assert Config.MAX_CONTENT_LENGTH <= sizes[""] <= 2 * Config.MAX_CONTENT_LENGTH
    biggest = max(contacts.MAX_BYTES, units.LIMITS.max_bytes) + UPLOAD_OVERHEAD
    assert biggest <= sizes["/admin/"] <= 2 * biggest
