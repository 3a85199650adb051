"""The six questionnaires of the district programme follow contracts.md: the analysis and the web app rely on these codes."""

from __future__ import annotations

import re

import pytest

import yaml

from survey_app.questionnaire import ItemType, Questionnaire
from tests.survey_app.questionnaire.conftest import QUESTIONNAIRE_DIR

# The groups of the seed district programme, as its file names them (groups are data, not constants).
DISTRICT = yaml.safe_load((QUESTIONNAIRE_DIR / "programmes" / "par_district_2023.yaml").read_text(encoding="utf-8"))
GROUP_CODES = tuple(DISTRICT["groups"])
OFFICIAL_GROUPS = tuple(g for g in GROUP_CODES if g not in ("business", "citizen"))
# Letters only Vietnamese uses: a Vietnamese text without any of them has lost its diacritics.
VIETNAMESE_MARKS = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)

CITIZEN_ITEMS = {
    "j_harassment": (ItemType.YES_NO, "J_HARASS"),
    "j_informal_payment": (ItemType.YES_NO, "J_INFORMAL"),
    "j_trips": (ItemType.NUMBER, "J_TRIPS"),
    "j_channel_pref": (ItemType.SINGLE, "J_CHANNEL"),
    "j_feedback_given": (ItemType.YES_NO, None),
    **{f"s_acc_{n}": (ItemType.SATISFACTION5, "ACC") for n in (1, 2, 3)},
    **{f"s_proc_{n}": (ItemType.SATISFACTION5, "PROC") for n in (1, 2, 3, 4)},
    **{f"s_staff_{n}": (ItemType.SATISFACTION5, "STAFF") for n in (1, 2, 3)},
    **{f"s_res_{n}": (ItemType.SATISFACTION5, "RES") for n in (1, 2, 3)},
    **{f"s_fb_{n}": (ItemType.SATISFACTION5, "FB") for n in (1, 2, 3)},
    "p_make_1": (ItemType.SATISFACTION5, "POL_MAKE"),
    "p_make_2": (ItemType.SATISFACTION5, "POL_MAKE"),
    "p_impl_1": (ItemType.SATISFACTION5, "POL_IMPL"),
    "p_impl_2": (ItemType.SATISFACTION5, "POL_IMPL"),
    **{f"e_{name}": (ItemType.EXPECTATION4, "EXPECT")
       for name in ("time", "procedure", "attitude", "online", "facilities")},
    "sex": (ItemType.SINGLE, None),
    "age_group": (ItemType.SINGLE, None),
    "field": (ItemType.SINGLE, None),
    "submission_mode": (ItemType.SINGLE, None),
    "comment": (ItemType.TEXT, None),
}

BUSINESS_ITEMS = {
    **{code: spec for code, spec in CITIZEN_ITEMS.items() if re.match(r"s_(acc|proc|staff|res)_", code)},
    "b_time_days": (ItemType.NUMBER, "B_TIME"),
    "b_informal_cost": (ItemType.SINGLE, "B_INFORMAL"),
    "b_online_used": (ItemType.YES_NO, None),
    "b_online_sat": (ItemType.SATISFACTION5, "B_ONLINE"),
    "b_guidance_consistent": (ItemType.SATISFACTION5, "B_GUIDANCE"),
    "sector": (ItemType.SINGLE, None),
    "size": (ItemType.SINGLE, None),
    "comment": (ItemType.TEXT, None),
}


def test_all_six_groups_load(real_questionnaires: dict[str, Questionnaire]) -> None:
    assert sorted(real_questionnaires) == sorted(GROUP_CODES)
    for group, q in real_questionnaires.items():
        assert q.group == group


@pytest.mark.parametrize(("group", "expected"), [("citizen", CITIZEN_ITEMS), ("business", BUSINESS_ITEMS)])
def test_items_match_the_contract(real_questionnaires: dict[str, Questionnaire], group: str,
                                  expected: dict[str, tuple[ItemType, str | None]]) -> None:
    q = real_questionnaires[group]
    assert {item.code: (item.type, item.feeds) for item in q.items} == expected


def test_citizen_details(citizen: Questionnaire) -> None:
    assert len(citizen.items) <= 40  # answered on a phone at the desk
    assert (citizen.item("j_trips").min, citizen.item("j_trips").max) == (1, 20)
    assert citizen.item("j_channel_pref").option_codes == (1, 2, 3, 4)
    assert citizen.item("sex").option_codes == (1, 2)
    assert citizen.item("age_group").option_codes == (1, 2, 3, 4, 5)
    assert citizen.item("field").option_codes == (1, 2, 3, 4, 5, 6, 7)
    assert citizen.item("submission_mode").option_codes == (1, 2, 3)
    assert [item.code for item in citizen.profile_items] == ["field", "submission_mode", "sex", "age_group"]
    for code in ("s_fb_1", "s_fb_2", "s_fb_3"):
        relevant = citizen.item(code).relevant
        assert relevant is not None and (relevant.item, relevant.values) == ("j_feedback_given", (1,))
    assert not citizen.item("comment").required


def test_business_details(business: Questionnaire) -> None:
    assert (business.item("b_time_days").min, business.item("b_time_days").max) == (0, 365)
    assert business.item("b_informal_cost").option_codes == (1, 2, 3, 4)
    assert business.item("sector").option_codes == (1, 2, 3)
    assert business.item("size").option_codes == (1, 2, 3, 4)
    assert [item.code for item in business.profile_items] == ["sector", "size"]
    relevant = business.item("b_online_sat").relevant
    assert relevant is not None and (relevant.item, relevant.values) == ("b_online_used", (1,))


@pytest.mark.parametrize("group", OFFICIAL_GROUPS)
def test_official_groups_rate_par_areas(real_questionnaires: dict[str, Questionnaire], group: str) -> None:
    q = real_questionnaires[group]
    per_area: dict[int, int] = {}
    for item in q.items:
        if item.code == "comment":
            assert item.type is ItemType.TEXT
            continue
        match = re.fullmatch(r"par_a([1-8])_([1-9])", item.code)
        assert match, item.code
        assert item.type is ItemType.SCALE
        assert item.feeds == f"PAR{match[1]}.{match[2]}"
        assert [(o.code, o.label.vi, o.label.en) for o in item.options] == [
            (1, "Rất kém", "Very poor"), (2, "Kém", "Poor"), (3, "Trung bình", "Average"),
            (4, "Khá", "Good"), (5, "Tốt", "Very good"),
        ]
        per_area[int(match[1])] = per_area.get(int(match[1]), 0) + 1
    assert sorted(per_area) == list(range(1, 9))
    assert all(2 <= count <= 3 for count in per_area.values()), per_area
    assert "comment" in {item.code for item in q.items}


def test_same_par_code_means_the_same_question_everywhere(real_questionnaires: dict[str, Questionnaire]) -> None:
    seen: dict[str, tuple[object, ...]] = {}
    for group in OFFICIAL_GROUPS:
        for item in real_questionnaires[group].items:
            if item.code.startswith("par_"):
                meaning = (item.text, item.feeds, item.options)
                assert seen.setdefault(item.code, meaning) == meaning, (group, item.code)


def test_shared_citizen_and_business_codes_feed_the_same_element(citizen: Questionnaire,
                                                                  business: Questionnaire) -> None:
    for item in business.items:
        if item.code.startswith("s_"):
            assert citizen.item(item.code).feeds == item.feeds


@pytest.mark.parametrize("group", GROUP_CODES)
def test_texts_are_bilingual_with_vietnamese_diacritics(real_questionnaires: dict[str, Questionnaire],
                                                        group: str) -> None:
    q = real_questionnaires[group]
    texts = [q.title, *(s.title for s in q.sections), *(i.text for i in q.items),
             *(o.label for i in q.items for o in i.options)]
    for text in texts:
        assert text.vi and text.en
    # Short labels such as "Nam" or "Khá" carry no mark; whole questions always do.
    for item in q.items:
        assert VIETNAMESE_MARKS.search(item.text.vi), item.code
        assert item.text.vi != item.text.en, item.code
