"""The loader accepts good files, resolves them, and names file and item for every problem."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from survey_app.questionnaire import (
    Condition,
    ItemType,
    Problem,
    QuestionnaireError,
    load_questionnaire,
    parse_questionnaire_text,
)
from survey_app.questionnaire.model import SATISFACTION5_OPTIONS, YES_NO_OPTIONS
from tests.survey_app.questionnaire.conftest import MINIMAL, WriteFile, with_items


def problems_of(path: Path) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path)
    return [str(problem) for problem in caught.value.problems]


def test_minimal_file_loads_with_resolved_fields(write: WriteFile) -> None:
    path = write(with_items("""\
        - code: s_acc_1
          type: satisfaction5
          feeds: ACC
          required: true
          relevant: {item: j_feedback_given, equals: 1}
          text: {vi: "Biển chỉ dẫn", en: "Signs"}
        - code: comment
          type: text
          text: {vi: "Ý kiến", en: "Comments"}
        """))
    q = load_questionnaire(path)
    assert q.group == "citizen"
    assert q.title.get("vi") == "Phiếu thử"
    assert q.intro is None
    assert [item.code for item in q.items] == ["j_feedback_given", "s_acc_1", "comment"]
    s_acc_1 = q.item("s_acc_1")
    assert s_acc_1.type is ItemType.SATISFACTION5
    assert s_acc_1.options == SATISFACTION5_OPTIONS
    assert s_acc_1.required and s_acc_1.feeds == "ACC" and s_acc_1.section_code == "A"
    assert s_acc_1.relevant == Condition("j_feedback_given", (1,))
    assert q.item("j_feedback_given").options == YES_NO_OPTIONS
    assert q.item("comment").max_length == 500
    assert q.item("comment").required is False


def test_version_is_the_hash_of_the_file_bytes_and_source_the_text(write: WriteFile) -> None:
    path = write(MINIMAL)
    q = load_questionnaire(path)
    assert q.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert q.short_version == q.content_hash[:12]
    assert q.source == path.read_text(encoding="utf-8")
    again = parse_questionnaire_text(q.source, "citizen.yaml")
    assert again == q


def test_named_scale_is_expanded_and_number_range_kept(write: WriteFile) -> None:
    head = """\
        scales:
          rating5:
            - {code: 1, vi: "Rất kém", en: "Very poor"}
            - {code: 5, vi: "Tốt", en: "Very good"}
        """
    path = write(with_items("""\
        - code: par_a1_1
          type: scale
          scale: rating5
          feeds: PAR1.1
          text: {vi: "Kế hoạch", en: "Plan"}
        - code: j_trips
          type: number
          min: 1
          max: 20
          text: {vi: "Số lần", en: "Trips"}
        - code: e_list
          type: multiple
          max_choices: 2
          relevant: {item: j_trips, in: [2, 3]}
          options:
            - {code: 1, vi: "Một", en: "One"}
            - {code: 2, vi: "Hai", en: "Two"}
          text: {vi: "Chọn", en: "Choose"}
        """, head=head.replace("        ", "")))
    q = load_questionnaire(path)
    assert q.item("par_a1_1").option_codes == (1, 5)
    very_good = q.item("par_a1_1").option(5)
    assert very_good is not None and very_good.label.get("en") == "Very good"
    assert q.item("par_a1_1").option(3) is None
    assert (q.item("j_trips").min, q.item("j_trips").max) == (1, 20)
    assert q.item("e_list").max_choices == 2 and q.item("e_list").min_choices is None


def test_english_falls_back_to_vietnamese() -> None:
    from survey_app.questionnaire import Text

    text = Text("Có", "")
    assert text.get("en") == "Có"
    assert text.get("fr") == "Có"
    assert Text("Có", "Yes").get("en") == "Yes"


BROKEN_ITEMS = [
    pytest.param(
        """\
        - code: s_acc_1
          type: satisfaction
          text: {vi: "Biển chỉ dẫn", en: "Signs"}
        """,
        ["broken.yaml: item s_acc_1: unknown type 'satisfaction'"],
        id="unknown-type",
    ),
    pytest.param(
        """\
        - code: j_feedback_given
          type: yes_no
          text: {vi: "Lặp lại", en: "Again"}
        """,
        ["broken.yaml: item j_feedback_given: duplicate item code (first used in section A)"],
        id="duplicate-code",
    ),
    pytest.param(
        """\
        - code: S-Acc
          type: yes_no
          text: {vi: "Mã sai", en: "Bad code"}
        """,
        ["broken.yaml: item S-Acc: bad code 'S-Acc': use lowercase letters, digits and _, starting with a letter"],
        id="bad-code",
    ),
    pytest.param(
        """\
        - type: yes_no
          text: {vi: "Không mã", en: "No code"}
        """,
        ["broken.yaml: item 2 of section A: missing code"],
        id="missing-code",
    ),
    pytest.param(
        """\
        - code: group
          type: yes_no
          text: {vi: "Nhóm", en: "Group"}
        """,
        ["broken.yaml: item group: the code 'group' is reserved for the export and the web form"],
        id="reserved-code",
    ),
    pytest.param(
        """\
        - code: sex
          type: single
          text: {vi: "Giới tính"}
          options:
            - {code: 1, vi: "Nam", en: "Male"}
            - {code: 2, vi: "Nữ", en: No}
        """,
        [
            "broken.yaml: item sex: text: missing en text",
            "broken.yaml: item sex: option 2: en must be text, got false "
            "(YAML reads yes/no/on/off as true/false: put the text in quotes)",
        ],
        id="missing-and-boolean-text",
    ),
    pytest.param(
        """\
        - code: sex
          type: single
          text: {vi: "Giới tính", en: "Sex"}
        """,
        ["broken.yaml: item sex: missing options"],
        id="missing-options",
    ),
    pytest.param(
        """\
        - code: sex
          type: single
          text: {vi: "Giới tính", en: "Sex"}
          options:
            - {code: 1, vi: "Nam", en: "Male"}
            - {code: 1, vi: "Nữ", en: "Female"}
            - {code: a, vi: "Khác", en: "Other"}
        """,
        [
            "broken.yaml: item sex: duplicate option code 1",
            "broken.yaml: item sex: option 3: code must be an integer, got 'a'",
        ],
        id="bad-option-codes",
    ),
    pytest.param(
        """\
        - code: par_a1_1
          type: scale
          scale: rating5
          text: {vi: "Kế hoạch", en: "Plan"}
        """,
        ["broken.yaml: item par_a1_1: scale 'rating5' is not defined in scales"],
        id="undefined-scale",
    ),
    pytest.param(
        """\
        - code: j_trips
          type: number
          min: 1
          text: {vi: "Số lần", en: "Trips"}
        - code: b_days
          type: number
          min: 30
          max: 1
          text: {vi: "Số ngày", en: "Days"}
        - code: b_cost
          type: number
          min: 0
          max: 2.5
          text: {vi: "Chi phí", en: "Cost"}
        """,
        [
            "broken.yaml: item j_trips: a number item needs max",
            "broken.yaml: item b_days: min (30) is greater than max (1)",
            "broken.yaml: item b_cost: max must be an integer, got 2.5",
        ],
        id="number-bounds",
    ),
    pytest.param(
        """\
        - code: j_harassment
          type: yes_no
          options:
            - {code: 1, vi: "Có", en: "Yes"}
          colour: red
          text: {vi: "Sách nhiễu", en: "Harassment"}
        """,
        [
            "broken.yaml: item j_harassment: 'options' does not apply to type 'yes_no'",
            "broken.yaml: item j_harassment: unknown key 'colour'",
        ],
        id="keys-not-for-type",
    ),
    pytest.param(
        """\
        - code: s_fb_1
          type: satisfaction5
          relevant: {item: j_feedbak_given, equals: 1}
          text: {vi: "Góp ý", en: "Feedback"}
        - code: s_fb_2
          type: satisfaction5
          relevant: {item: s_fb_3, equals: 1}
          text: {vi: "Góp ý", en: "Feedback"}
        - code: s_fb_3
          type: satisfaction5
          relevant: {item: j_feedback_given, equals: 2}
          text: {vi: "Góp ý", en: "Feedback"}
        """,
        [
            "broken.yaml: item s_fb_1: relevant refers to unknown item 'j_feedbak_given'",
            "broken.yaml: item s_fb_2: relevant refers to item 's_fb_3', which comes later: "
            "it must refer to an earlier item",
            "broken.yaml: item s_fb_3: relevant: item 'j_feedback_given' cannot take the value 2",
        ],
        id="relevant-targets",
    ),
    pytest.param(
        """\
        - code: comment
          type: text
          text: {vi: "Ý kiến", en: "Comments"}
        - code: s_fb_1
          type: satisfaction5
          relevant: {item: comment, equals: 1}
          text: {vi: "Góp ý", en: "Feedback"}
        - code: s_fb_2
          type: satisfaction5
          relevant: {item: j_feedback_given, equals: 1, in: [1]}
          text: {vi: "Góp ý", en: "Feedback"}
        - code: s_fb_3
          type: satisfaction5
          relevant: {item: j_feedback_given, in: [yes]}
          text: {vi: "Góp ý", en: "Feedback"}
        """,
        [
            "broken.yaml: item s_fb_1: relevant refers to text item 'comment', which has no codes",
            "broken.yaml: item s_fb_2: relevant needs exactly one of equals or in",
            "broken.yaml: item s_fb_3: relevant: values must be integer codes, got true "
            "(YAML reads yes/no/on/off as true/false: put the text in quotes)",
        ],
        id="relevant-shape",
    ),
    pytest.param(
        """\
        - code: j_trips
          type: number
          min: 1
          max: 20
          text: {vi: "Số lần", en: "Trips"}
        - code: s_x
          type: satisfaction5
          relevant: {item: j_trips, in: [0, 21]}
          text: {vi: "X", en: "X"}
        """,
        [
            "broken.yaml: item s_x: relevant: item 'j_trips' cannot take the value 0",
            "broken.yaml: item s_x: relevant: item 'j_trips' cannot take the value 21",
        ],
        id="relevant-number-out-of-range",
    ),
    pytest.param(
        """\
        - code: e_list
          type: multiple
          min_choices: 3
          max_choices: 2
          options:
            - {code: 1, vi: "Một", en: "One"}
            - {code: 2, vi: "Hai", en: "Two"}
          text: {vi: "Chọn", en: "Choose"}
        """,
        [
            "broken.yaml: item e_list: min_choices (3) is more than the number of options (2)",
        ],
        id="multiple-counts",
    ),
    pytest.param(
        """\
        - code: comment
          type: text
          profile: true
          feeds: COMMENT
          required: "yes"
          max_length: 0
          text: {vi: "Ý kiến", en: "Comments"}
        """,
        [
            "broken.yaml: item comment: required must be true or false, got 'yes'",
            "broken.yaml: item comment: a text item cannot feed an indicator",
            "broken.yaml: item comment: max_length must be a whole number of at least 1, got 0",
            "broken.yaml: item comment: a text item cannot be a profile item",
        ],
        id="text-misuse",
    ),
    pytest.param(
        """\
        - code: s_acc_1
          type: satisfaction5
          feeds: acc-1
          text: {vi: "Biển", en: "Signs"}
        """,
        ["broken.yaml: item s_acc_1: bad feeds code 'acc-1': use capitals, digits, _ and . (e.g. ACC, PAR3.1)"],
        id="bad-feeds",
    ),
]


@pytest.mark.parametrize(("items", "expected"), BROKEN_ITEMS)
def test_broken_item_is_refused_with_exact_messages(write: WriteFile, items: str, expected: list[str]) -> None:
    assert problems_of(write(with_items(items))) == expected


BROKEN_FILES = [
    pytest.param(
        MINIMAL.replace('        text: {vi: "Có góp ý không?", en: "Any feedback?"}\n',
                        '        text: {vi: "Có góp ý không?", en: "Any feedback?"}\n'
                        '        text: {vi: "Lần hai", en: "Twice"}\n'),
        ["broken.yaml: invalid YAML at line 10, column 9: duplicate key 'text'"],
        id="yaml-duplicate-key",
    ),
    pytest.param("", ["broken.yaml: the file is empty"], id="empty"),
    pytest.param("- a\n- b\n", ["broken.yaml: the file must be a mapping with group, title and sections"],
                 id="not-a-mapping"),
    pytest.param(
        # Which groups exist is data (respondent_groups); the file can only get the code's form wrong.
        MINIMAL.replace("group: citizen", "group: Người dân\nversion: 2"),
        [
            "broken.yaml: unknown key 'version'",
            "broken.yaml: bad group code 'Người dân': use lowercase letters, digits and _ (at most 20), "
            "the code of a respondent group",
        ],
        id="unknown-group-and-key",
    ),
    pytest.param(
        MINIMAL.replace("group: citizen\n", "").replace('title: {vi: "Phiếu thử", en: "Test form"}\n', ""),
        ["broken.yaml: missing group", "broken.yaml: missing title"],
        id="missing-group-and-title",
    ),
    pytest.param(
        'group: citizen\ntitle: {vi: "A", en: "B"}\nsections:\n  - code: A\n    title: {vi: "A", en: "A"}\n'
        '    items: []\n  - code: A\n    name: x\n    title: {vi: "B"}\n    items:\n'
        '      - {code: x1, type: yes_no, text: {vi: "X", en: "X"}}\n',
        [
            "broken.yaml: section A: items must be a non-empty list",
            "broken.yaml: section A: duplicate section code",
            "broken.yaml: section A: unknown key 'name'",
            "broken.yaml: section A: title: missing en text",
        ],
        id="sections",
    ),
    pytest.param(
        'group: business\ntitle: {vi: "A", en: "B"}\nscales:\n  rating5:\n    - {code: 1, vi: "Kém", en: "Poor"}\n'
        'sections:\n  - code: A\n    title: {vi: "A", en: "A"}\n    items:\n'
        '      - {code: x1, type: scale, scale: rating5, text: {vi: "X", en: "X"}}\n',
        ["broken.yaml: scale rating5: options must be a list of at least 2"],
        id="broken-scale-reported-once",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BROKEN_FILES)
def test_broken_file_is_refused_with_exact_messages(write: WriteFile, text: str, expected: list[str]) -> None:
    assert problems_of(write(text)) == expected


def test_yaml_syntax_error_gives_its_line(write: WriteFile) -> None:
    # The wording after the position is the YAML parser's (libyaml's or PyYAML's).
    (problem,) = problems_of(write('group: citizen\ntitle: {vi: "A", en: "B"\nsections: []\n'))
    assert problem.startswith("broken.yaml: invalid YAML at line 3, column 1: ")
    assert "expected ',' or '}'" in problem


def test_every_problem_of_a_file_is_reported_in_one_go(write: WriteFile) -> None:
    path = write(with_items("""\
        - code: s_acc_1
          type: satisfaction
          text: {vi: "Biển", en: "Signs"}
        - code: j_trips
          type: number
          text: {vi: "Số lần", en: "Trips"}
        """, head="colour: red\n"))
    assert problems_of(path) == [
        "broken.yaml: unknown key 'colour'",
        "broken.yaml: item s_acc_1: unknown type 'satisfaction'",
        "broken.yaml: item j_trips: a number item needs min",
        "broken.yaml: item j_trips: a number item needs max",
    ]


def test_error_message_lists_each_problem_on_its_own_line(write: WriteFile) -> None:
    path = write(MINIMAL.replace("yes_no", "yesno").replace("group: citizen", "group: No Body"))
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path)
    lines = str(caught.value).splitlines()
    assert lines[-1] == "broken.yaml: item j_feedback_given: unknown type 'yesno'"
    assert len(lines) == 2


def test_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "citizen.yaml"
    data = 'group: citizen\ntitle: {vi: "Phiếu", en: "Form"}\n'.encode("utf-8").replace("ế".encode(), b"\xe9")
    path.write_bytes(data)
    position = data.index(b"\xe9")
    assert problems_of(path) == [f"citizen.yaml: not valid UTF-8 text (byte {position}); save the file as UTF-8"]


def test_problem_without_item_names_only_the_file() -> None:
    assert str(Problem("citizen.yaml", None, "missing group")) == "citizen.yaml: missing group"
    assert str(Problem("citizen.yaml", "s_acc_1", "unknown type 'x'")) == "citizen.yaml: item s_acc_1: unknown type 'x'"


def test_stored_text_with_problems_is_refused_with_given_name() -> None:
    with pytest.raises(QuestionnaireError, match=r"^business\.yaml: missing group"):
        parse_questionnaire_text(MINIMAL.replace("group: citizen\n", ""), "business.yaml")


def test_any_single_line_removed_from_a_real_file_is_loaded_or_refused_cleanly() -> None:
    """Editing slips must end in a QuestionnaireError, never in a crash of the loader."""
    from tests.survey_app.questionnaire.conftest import QUESTIONNAIRE_DIR

    lines = (QUESTIONNAIRE_DIR / "citizen.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    refused = 0
    for number in range(len(lines)):
        source = "".join(lines[:number] + lines[number + 1:])
        try:
            parse_questionnaire_text(source, "citizen.yaml")
        except QuestionnaireError as error:
            assert error.problems and all(p.file == "citizen.yaml" for p in error.problems)
            refused += 1
    assert refused > len(lines) // 2
