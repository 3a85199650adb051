"""The shipped structure files (unit kinds, groups, programmes, their forms and schemes) fit together.

Checks the formats of the issue-12 contract (../briefs/programme_contract.md, summarised
in each file's comment) from the files alone, so a broken edit of any of them fails here
before a console or a round meets it: every questionnaire a programme names loads with
the real loader and declares the group it is filed under, every scheme loads with the
analysis' loader, and every item a scheme reads exists in the questionnaire of the
group it reads it from.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from analysis.indices.scheme import ParScheme, SatisfactionScheme
from analysis.indices.scheme_files import load_scheme
from survey_app.questionnaire import ItemType, Questionnaire, load_questionnaire

ROOT = Path(__file__).resolve().parents[3] / "questionnaires"
PROGRAMME_FILES = sorted((ROOT / "programmes").glob("*.yaml"))
SEED_GROUPS = ("hdnd_deputy", "dept_director", "office_head", "commune_chair", "business", "citizen")
REACHED_BY = {"desk_qr", "slip", "kiosk", "link", "interviewer", "paper"}
TIERS = {"province", "commune", "district"}
VIETNAMESE_MARKS = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)


def _read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


KINDS = {row["code"]: row for row in _read(ROOT / "unit_kinds.yaml")["kinds"]}
GROUPS = {row["code"]: row for row in _read(ROOT / "groups.yaml")["groups"]}
PROGRAMMES = {path.stem: _read(path) for path in PROGRAMME_FILES}


def _questionnaire(relative: str) -> Questionnaire:
    return load_questionnaire(ROOT / relative)


def test_unit_kinds_file() -> None:
    assert {"province", "department", "commune", "ward", "special_zone", "service_centre",
            "district", "town", "office"} <= set(KINDS)
    aliases: dict[str, str] = {}
    for code, kind in KINDS.items():
        assert re.fullmatch(r"[a-z][a-z_]{0,19}", code)
        assert kind["tier"] in TIERS, code
        assert kind["vi"] and kind["en"] and kind["vi"] != kind["en"], code
        for alias in kind["aliases"]:
            # one alias, one kind: an import must never have to guess
            assert aliases.setdefault(alias.casefold(), code) == code, alias
    assert KINDS["district"]["tier"] == "district"
    assert {KINDS[k]["tier"] for k in ("commune", "ward", "special_zone")} == {"commune"}
    for written in ("phường", "Phường", "ward"):
        assert aliases[written.casefold()] == "ward"


def test_groups_file() -> None:
    assert set(SEED_GROUPS) <= set(GROUPS)
    for code, group in GROUPS.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]{0,19}", code)  # responses store the code in 20 characters
        assert group["vi"] and group["en"], code
        assert set(group["reached_by"]) <= REACHED_BY and group["reached_by"], code
        assert isinstance(group["census"], bool), code
        assert set(group["about_kinds"]) <= set(KINDS) and group["about_kinds"], code
        if code not in SEED_GROUPS:
            # not from a decision we could read: the file must say so
            assert "chưa theo quyết định" in group["note"] and "not from a decision" in group["note"], code
    assert not GROUPS["citizen"]["census"] and not GROUPS["business"]["census"]
    assert all(GROUPS[g]["census"] for g in ("hdnd_deputy", "dept_director", "office_head", "commune_chair"))


def test_the_five_programmes_are_shipped() -> None:
    assert set(PROGRAMMES) == {"sipas_citizen", "sipas_business", "par_commune", "par_department",
                               "par_district_2023"}


@pytest.mark.parametrize("code", sorted(PROGRAMMES))
def test_programme_file_format(code: str) -> None:
    programme = PROGRAMMES[code]
    assert programme["code"] == code and re.fullmatch(r"[a-z0-9_]+", code)
    assert programme["kind"] in ("sipas", "par")
    assert programme["title"]["vi"] and programme["title"]["en"]
    assert programme["basis"]
    assert set(programme["unit_kinds"]) <= set(KINDS)
    assert set(programme["groups"]) <= set(GROUPS)
    # every group of the programme can answer about at least one unit the programme assesses
    for group in programme["groups"]:
        assert set(GROUPS[group]["about_kinds"]) & set(programme["unit_kinds"]), (code, group)
    unofficial = programme.get("unofficial_note") or {}
    needs_note = any(GROUPS[g]["note"] for g in programme["groups"]) or any(
        "ILLUSTRATIVE" in (ROOT / s).read_text(encoding="utf-8") for s in programme["schemes"])
    if needs_note:
        assert unofficial["vi"] and unofficial["en"], code
    if unofficial:
        assert "quyết định đang áp dụng" in unofficial["vi"] and "decision in force" in unofficial["en"]


@pytest.mark.parametrize("code", sorted(PROGRAMMES))
def test_programme_questionnaires_load_and_declare_their_group(code: str) -> None:
    for group, relative in PROGRAMMES[code]["groups"].items():
        q = _questionnaire(relative)
        assert q.group == group, (code, relative)


@pytest.mark.parametrize("code", sorted(PROGRAMMES))
def test_every_scheme_item_exists_in_its_groups_questionnaire(code: str) -> None:
    programme = PROGRAMMES[code]
    forms = {group: _questionnaire(relative) for group, relative in programme["groups"].items()}
    assert programme["schemes"]
    for relative in programme["schemes"]:
        scheme = load_scheme(ROOT / relative)
        if isinstance(scheme, SatisfactionScheme):
            assert scheme.groups and set(scheme.groups) <= set(forms), relative
            codes = [item for node in scheme.elements for item in node.items]
            codes += [indicator.item for indicator in scheme.indicators]
            for group in scheme.groups:
                missing = [c for c in codes if c not in {i.code for i in forms[group].items}]
                assert not missing, (relative, group, missing)
                for node in scheme.elements:  # satisfaction shares of items that say which element they feed
                    for c in node.items:
                        item = forms[group].item(c)
                        assert item.type is ItemType.SATISFACTION5 and item.feeds == node.code, (relative, c)
        else:
            assert isinstance(scheme, ParScheme)
            assert set(scheme.groups) <= set(forms), relative
            for criterion in scheme.criteria:
                for group, items in criterion.items.items():
                    known = {i.code for i in forms[group].items}
                    assert set(items) <= known, (relative, criterion.code, group, set(items) - known)
                    if criterion.conversion == "mean":  # an official's rating feeds its criterion
                        assert all(forms[group].item(i).feeds == criterion.code for i in items), criterion.code


def test_programmes_of_today_share_one_form_per_group() -> None:
    """A round may run several current programmes: a group they share must use one file.

    The seed district programme is for rounds before 1 July 2025 (it assesses
    district-tier kinds) and never runs with the others.
    """
    current = {code: p for code, p in PROGRAMMES.items()
               if not any(KINDS[k]["tier"] == "district" for k in p["unit_kinds"])}
    assert set(current) == {"sipas_citizen", "sipas_business", "par_commune", "par_department"}
    files: dict[str, str] = {}
    for code, programme in current.items():
        for group, relative in programme["groups"].items():
            assert files.setdefault(group, relative) == relative, (code, group)


def test_seed_programme_uses_the_six_existing_files() -> None:
    programme = PROGRAMMES["par_district_2023"]
    assert programme["groups"] == {group: f"{group}.yaml" for group in SEED_GROUPS}
    assert programme["schemes"] == ["schemes/par_district.yaml", "schemes/sipas.yaml"]


def test_sipas_citizen_form_follows_1001() -> None:
    q = _questionnaire("sipas/citizen.yaml")
    by_feeds: dict[str, list[str]] = {}
    for item in q.items:
        by_feeds.setdefault(item.feeds or "", []).append(item.code)
    service = {"ACC": 4, "PROC": 4, "STAFF": 5, "RES": 3, "FB": 3}
    policy = {"POL_ACC": 2, "POL_PART": 2, "POL_QUAL": 8, "POL_RES": 2}
    assert {k: len(by_feeds[k]) for k in service} == service
    assert {k: len(by_feeds[k]) for k in policy} == policy
    assert sum(service.values()) == 19 and sum(policy.values()) == 14
    expectations = [i for i in q.items if i.feeds == "EXPECT"]
    assert expectations and all([o.label.vi for o in i.options] == ["Rất nhiều", "Nhiều", "Ít"] for i in expectations)
    assert [o.label.vi for o in q.item("age_group").options] == [
        "Từ 18 đến 25 tuổi", "Từ 25 đến 34 tuổi", "Từ 35 đến 49 tuổi", "Từ 50 đến 60 tuổi", "Trên 60 tuổi"]
    assert {i.code for i in q.profile_items} == {"field", "sex", "age_group"}
    assert all(q.item(f"s_fb_{n}").relevant is not None for n in (1, 2, 3))
    assert "Ông/Bà" in q.intro.vi  # type: ignore[union-attr]


def test_business_form_addresses_the_organisation() -> None:
    q = _questionnaire("sipas/business.yaml")
    citizen = _questionnaire("sipas/citizen.yaml")
    assert "Quý Công ty/Quý cơ quan" in q.intro.vi  # type: ignore[union-attr]
    texts = [q.intro.vi, *(i.text.vi for i in q.items)]  # type: ignore[union-attr]
    assert not any("người dân" in t.lower() for t in texts)
    for item in q.items:  # the same service item feeds the same element in both SIPAS forms
        if item.code.startswith("s_"):
            assert citizen.item(item.code).feeds == item.feeds and item.text.vi


@pytest.mark.parametrize("relative", sorted(str(p.relative_to(ROOT)) for folder in ("sipas", "par_commune", "par_department")
                                            for p in (ROOT / folder).glob("*.yaml")))
def test_new_forms_are_bilingual_and_fit_the_two_tier_structure(relative: str) -> None:
    q = _questionnaire(relative)
    for item in q.items:
        assert VIETNAMESE_MARKS.search(item.text.vi) and item.text.en and item.text.vi != item.text.en, item.code
    source = q.source.lower()
    assert "ubnd huyện" not in source and "thị trấn" not in source


@pytest.mark.parametrize("folder", ["par_commune", "par_department"])
def test_official_forms_cover_the_eight_areas(folder: str) -> None:
    shared: dict[str, tuple[object, ...]] = {}
    areas: set[int] = set()
    for path in sorted((ROOT / folder).glob("*.yaml")):
        q = load_questionnaire(path)
        assert "NOT from a decision" in q.source
        for item in q.items:
            if item.type is ItemType.SCALE:
                meaning = (item.text, item.feeds, item.options)
                assert shared.setdefault(item.code, meaning) == meaning, (path.name, item.code)
                areas.add(int(item.feeds.split(".")[0][2:]))  # type: ignore[union-attr]
    assert areas == set(range(1, 9))
    target = "UBND cấp xã" if folder == "par_commune" else "sở, ban, ngành"
    assert all(target in load_questionnaire(p).title.vi for p in (ROOT / folder).glob("*.yaml"))
