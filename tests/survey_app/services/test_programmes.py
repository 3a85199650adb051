"""Unit kinds, groups and programmes from files: checks naming file and field, idempotent loads, a round's
groups and schemes."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from survey_app.models import Programme, ProgrammeGroup, RespondentGroup, Round, UnitKind
from survey_app.services.programmes import (
    StructureError,
    kind_lookup,
    link_groups,
    load_programme,
    round_groups,
    round_schemes,
    sync_reference_data,
    sync_shipped,
)
from survey_app.services.rounds import desk_group
from tests.conftest import QUESTIONNAIRE_DIR


def test_shipped_files_load_and_loading_twice_changes_nothing(session):
    first = sync_shipped(session, QUESTIONNAIRE_DIR)
    assert {p.code for p in first} >= {"sipas_citizen", "sipas_business", "par_commune", "par_department",
                                       "par_district_2023"}
    counts = [session.scalar(select(func.count()).select_from(m)) for m in (UnitKind, RespondentGroup, Programme,
                                                                           ProgrammeGroup)]
    sync_shipped(session, QUESTIONNAIRE_DIR)
    assert [session.scalar(select(func.count()).select_from(m))
            for m in (UnitKind, RespondentGroup, Programme, ProgrammeGroup)] == counts
    lookup = kind_lookup(session)
    assert lookup["phường"] == lookup["Phường".casefold()] == lookup["ward"] == "ward"
    assert lookup["đặc khu"] == "special_zone"
    assert {g.code for g in session.scalars(select(RespondentGroup)) if g.by_link} >= {"business", "commune_official"}


def test_a_bad_programme_file_names_the_file_and_every_field(session, tmp_path):
    sync_reference_data(session, QUESTIONNAIRE_DIR)
    (tmp_path / "programmes").mkdir()
    shutil.copy(QUESTIONNAIRE_DIR / "citizen.yaml", tmp_path / "citizen.yaml")
    path = tmp_path / "programmes" / "broken.yaml"
    path.write_text(
        "code: Bad Code\ntitle: {vi: 'Thử'}\nkind: index\nunit_kinds: [commune, village]\n"
        "groups: {citizen: citizen.yaml, nobody: citizen.yaml, business: ../../etc/passwd}\n"
        "schemes: [schemes/none.yaml]\nextra: 1\n", encoding="utf-8")
    with pytest.raises(StructureError) as caught:
        load_programme(session, path)
    problems = caught.value.problems
    assert all(p.startswith("programmes/broken.yaml: ") for p in problems)
    fields = {p.split(": ")[1] for p in problems}
    assert {"extra", "code", "kind", "unit_kinds", "groups.nobody", "groups.business", "schemes[1]"} <= fields
    assert any("village" in p and "special_zone" in p for p in problems)  # the allowed kinds are listed
    assert session.scalar(select(func.count()).select_from(Programme)) == 0


def test_a_programme_whose_form_declares_another_group_is_refused(session, tmp_path):
    sync_reference_data(session, QUESTIONNAIRE_DIR)
    (tmp_path / "programmes").mkdir()
    shutil.copy(QUESTIONNAIRE_DIR / "business.yaml", tmp_path / "business.yaml")
    path = tmp_path / "programmes" / "mixed.yaml"
    path.write_text("code: mixed\ntitle: {vi: 'Thử', en: Test}\nkind: sipas\nunit_kinds: [ward]\n"
                    "groups: {citizen: business.yaml}\n", encoding="utf-8")
    with pytest.raises(StructureError) as caught:
        load_programme(session, path)
    assert caught.value.problems == ["programmes/mixed.yaml: groups.citizen: business.yaml declares group 'business'"]


def test_a_bad_groups_file_is_refused_whole(session, tmp_path):
    shutil.copy(QUESTIONNAIRE_DIR / "unit_kinds.yaml", tmp_path / "unit_kinds.yaml")
    (tmp_path / "groups.yaml").write_text(
        "groups:\n  - {code: a, vi: A, reached_by: [pigeon], about_kinds: [ward]}\n"
        "  - {code: B!, vi: B, reached_by: [link]}\n", encoding="utf-8")
    with pytest.raises(StructureError) as caught:
        sync_reference_data(session, tmp_path)
    assert caught.value.problems == [
        "groups.yaml: groups.a.reached_by: unknown code 'pigeon' (allowed: desk_qr, interviewer, kiosk, link, "
        "paper, slip)",
        "groups.yaml: groups.B!: bad code 'B!': lowercase letters, digits and _ (at most 20)",
    ]
    assert session.scalar(select(func.count()).select_from(UnitKind)) == 0


def test_a_bad_kinds_file_is_refused_whole_with_every_reason(session, tmp_path):
    """The kinds and groups files share one reader: code, duplicates, unknown keys, names, then their own keys."""
    shutil.copy(QUESTIONNAIRE_DIR / "groups.yaml", tmp_path / "groups.yaml")
    (tmp_path / "unit_kinds.yaml").write_text(
        "kinds:\n  - {code: ward, vi: Phường, tier: moon}\n  - {code: ward, vi: Phường, colour: red}\n"
        "  - {code: Xa, vi: Xã}\n  - {code: town, tier: commune}\n  - just text\n", encoding="utf-8")
    before = session.scalar(select(func.count()).select_from(UnitKind))
    with pytest.raises(StructureError) as caught:
        sync_reference_data(session, tmp_path)
    assert caught.value.problems == [
        "unit_kinds.yaml: kinds[5]: must be a mapping with code, vi, en",
        "unit_kinds.yaml: kinds.ward.tier: must be one of province, commune, district",
        "unit_kinds.yaml: kinds.ward: the code appears twice",
        "unit_kinds.yaml: kinds.ward: unknown key 'colour'",
        "unit_kinds.yaml: kinds.Xa: bad code 'Xa': lowercase letters and _ (at most 20)",
        "unit_kinds.yaml: kinds.town.vi: missing",
    ]
    assert session.scalar(select(func.count()).select_from(UnitKind)) == before


def test_kinds_and_groups_saved_from_the_console_check_their_codes(session, demo):
    from survey_app.services.problems import ProblemsFound
    from survey_app.services.programmes import GroupData, KindData, save_group, save_kind

    for save, data in ((save_kind, KindData(code="Bad code!", name_vi="")),
                       (save_group, GroupData(code="citizen", name_vi="Dân", reached_by=["link"]))):
        with pytest.raises(ProblemsFound) as caught:
            save(session, data)
        assert [(p.field, p.reason) for p in caught.value.problems][:2] in (
            [("code", "bad_kind_code"), ("name_vi", "required")], [("code", "code_taken")]), save
    kind = save_kind(session, KindData(code="Hamlet", name_vi="Thôn", tier="commune"))
    assert (kind.code, kind.name_vi, kind.tier) == ("hamlet", "Thôn", "commune")


def test_a_rounds_groups_and_schemes_come_from_its_programmes(session, demo):
    round_ = session.get(Round, demo.id)
    assert [g.code for g in round_groups(session, round_)] == [
        "hdnd_deputy", "dept_director", "office_head", "commune_chair", "business", "citizen"]
    assert [(p.code, code) for p, code, _s in round_schemes(round_)] == [
        ("par_district_2023", "par"), ("par_district_2023", "sipas")]
    assert {g.code for g in link_groups(session, round_)} == {
        "hdnd_deputy", "dept_director", "office_head", "commune_chair", "business"}
    # Citizens and businesses are both reached at the desk; the first in the groups list answers there.
    assert desk_group(session, round_.id) == "citizen"
