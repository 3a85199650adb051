"""The Vietnamese catalogue is complete: every string in the code and templates is translated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "survey_app/translations/vi/LC_MESSAGES/messages.po"


def _ids_in_source(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "--no-location", "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


def test_every_string_is_translated_to_vietnamese(tmp_path):
    with PO.open("rb") as f:
        catalog = read_po(f, locale="vi")
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    missing = sorted(_ids_in_source(tmp_path) - {k for k, m in translated.items() if m.string and not m.fuzzy})
    assert not missing, "untranslated (run `make translations` and fill messages.po):\n" + "\n".join(missing)


def test_translations_keep_their_placeholders():
    with PO.open("rb") as f:
        catalog = read_po(f, locale="vi")
    import re

    for message in catalog:
        if message.id and message.string and isinstance(message.id, str):
            assert set(re.findall(r"%\(\w+\)s", message.id)) == set(re.findall(r"%\(\w+\)s", message.string)), message.id


def test_one_form_of_address_ong_ba_never_ban():
    """Respondents are Ông/Bà everywhere (catalogue, questionnaires, posters); "bạn" would mix forms."""
    import re

    with PO.open("rb") as f:
        catalog = read_po(f, locale="vi")
    texts = [m.string if isinstance(m.string, str) else " ".join(m.string) for m in catalog if m.id]
    texts += [p.read_text(encoding="utf-8") for p in (ROOT / "questionnaires").rglob("*.yaml")]
    texts.append((ROOT / "survey_app/services/posters.py").read_text(encoding="utf-8"))
    offending = [t for t in texts if re.search(r"\b[Bb]ạn\b", t)]
    assert offending == []
