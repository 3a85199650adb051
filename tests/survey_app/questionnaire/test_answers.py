"""Server-side validation of submitted answers, on the real citizen form and small made-up ones."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from survey_app.questionnaire import (
    Item,
    ItemType,
    Option,
    Questionnaire,
    Text,
    export_value,
    load_questionnaire,
    parse_answers,
)
from tests.survey_app.questionnaire.conftest import WriteFile, with_items

SERVICE_ITEMS = [
    "s_acc_1", "s_acc_2", "s_acc_3", "s_proc_1", "s_proc_2", "s_proc_3", "s_proc_4",
    "s_staff_1", "s_staff_2", "s_staff_3", "s_res_1", "s_res_2", "s_res_3",
]


def valid_citizen_form(**changes: list[str]) -> dict[str, list[str]]:
    """A complete valid answer to the citizen form, without feedback; ``changes`` replace fields."""
    form = {
        "field": ["2"], "submission_mode": ["1"], "j_trips": ["1"], "j_harassment": ["0"],
        "j_informal_payment": ["0"], "j_feedback_given": ["0"], "j_channel_pref": ["2"],
        **{code: ["4"] for code in SERVICE_ITEMS},
        "p_make_1": ["3"], "e_time": ["4"], "sex": ["2"], "age_group": ["3"], "comment": ["  Cảm ơn.  "],
    }
    form.update(changes)
    return {code: values for code, values in form.items() if values}


def test_valid_answers_are_typed(citizen: Questionnaire) -> None:
    result = parse_answers(citizen, valid_citizen_form())
    assert result.errors == {}
    assert result.ok
    assert result.answers["j_trips"] == 1
    assert result.answers["j_harassment"] == 0
    assert result.answers["s_acc_1"] == 4
    assert result.answers["comment"] == "Cảm ơn."
    assert "p_make_2" not in result.answers  # optional and unanswered: absent, not None
    assert "s_fb_1" not in result.answers


def test_missing_required_answers_get_a_message_each(citizen: Questionnaire) -> None:
    result = parse_answers(citizen, valid_citizen_form(s_acc_2=[], sex=[], j_trips=[" "]))
    assert result.errors == {
        "j_trips": Text("Vui lòng nhập một số từ 1 đến 20, không có phần lẻ.", "Please enter a whole number from 1 to 20."),
        "s_acc_2": Text("Vui lòng chọn một câu trả lời.", "Please choose an answer."),
        "sex": Text("Vui lòng chọn một câu trả lời.", "Please choose an answer."),
    }
    assert not result.ok
    assert "s_acc_2" not in result.answers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3", 3), (" 20 ", 20), ("03", 3), ("3.5", None), ("abc", None), ("", None), ("0", None),
     ("21", None), ("-1", None), ("1e1", None), ("٣", None), ("1_0", None), ("9" * 5000, None)],
)
def test_number_parsing(citizen: Questionnaire, raw: str, expected: int | None) -> None:
    result = parse_answers(citizen, valid_citizen_form(j_trips=[raw]))
    if expected is None:
        assert result.errors["j_trips"].vi == "Vui lòng nhập một số từ 1 đến 20, không có phần lẻ."
        assert "j_trips" not in result.answers
    else:
        assert result.answers["j_trips"] == expected
        assert "j_trips" not in result.errors


@pytest.mark.parametrize("raw", ["6", "0", "x", "4.0", "-4"])
def test_unknown_codes_are_refused(citizen: Questionnaire, raw: str) -> None:
    result = parse_answers(citizen, valid_citizen_form(s_res_1=[raw]))
    assert result.errors == {
        "s_res_1": Text("Lựa chọn không hợp lệ, vui lòng chọn lại.", "This choice is not valid; please choose again.")
    }


@pytest.mark.parametrize(("raw", "expected"), [("4", 4), (" 4 ", 4), ("04", 4), ("5", 5)])
def test_codes_as_sent_or_as_typed_are_read_alike(citizen: Questionnaire, raw: str, expected: int) -> None:
    """The form's own text ("4") is looked up; anything else an integer reads as ("04") is parsed."""
    result = parse_answers(citizen, valid_citizen_form(s_res_1=[raw]))
    assert result.answers["s_res_1"] == expected and not result.errors


def test_two_answers_to_a_single_choice_are_refused(citizen: Questionnaire) -> None:
    result = parse_answers(citizen, valid_citizen_form(sex=["1", "2"]))
    assert result.errors["sex"].en == "Please choose only one answer."


def test_skip_logic_drops_answers_to_items_that_do_not_apply(citizen: Questionnaire) -> None:
    # Without JavaScript the feedback items are visible: answers there, even invalid
    # or missing ones, are dropped when the respondent said they gave no feedback.
    form = valid_citizen_form(s_fb_1=["5"], s_fb_2=["banana"])
    result = parse_answers(citizen, form)
    assert result.errors == {}
    assert "s_fb_1" not in result.answers and "s_fb_2" not in result.answers
    assert result.kept["s_fb_1"] == ["5"]  # still shown again if the page comes back


def test_skip_logic_applies_required_items_when_relevant(citizen: Questionnaire) -> None:
    result = parse_answers(citizen, valid_citizen_form(j_feedback_given=["1"], s_fb_1=["5"], s_fb_2=["4"]))
    assert result.answers["s_fb_1"] == 5 and result.answers["s_fb_2"] == 4
    assert list(result.errors) == ["s_fb_3"]


def test_item_depending_on_an_invalid_answer_is_skipped(citizen: Questionnaire) -> None:
    result = parse_answers(citizen, valid_citizen_form(j_feedback_given=["7"], s_fb_1=["5"]))
    assert list(result.errors) == ["j_feedback_given"]
    assert "s_fb_1" not in result.answers


def test_kept_holds_every_raw_value_given_for_known_items(citizen: Questionnaire) -> None:
    form = valid_citizen_form(j_trips=["3.5"], s_acc_1=["9"], comment=["  Cảm ơn.  "])
    form["not_an_item"] = ["x"]
    form["p_make_2"] = [""]
    result = parse_answers(citizen, form)
    assert result.kept["j_trips"] == ["3.5"]
    assert result.kept["s_acc_1"] == ["9"]
    assert result.kept["comment"] == ["  Cảm ơn.  "]
    assert "not_an_item" not in result.kept and "not_an_item" not in result.answers
    assert "p_make_2" not in result.kept


def test_werkzeug_multidict_and_plain_strings_are_accepted(citizen: Questionnaire) -> None:
    pairs = [(code, value) for code, values in valid_citizen_form().items() for value in values]
    from_multidict = parse_answers(citizen, MultiDict(pairs))
    from_strings = parse_answers(citizen, {code: values[0] for code, values in valid_citizen_form().items()})
    assert from_multidict.answers == from_strings.answers == parse_answers(citizen, valid_citizen_form()).answers


def test_prefilled_values_override_the_form(citizen: Questionnaire) -> None:
    result = parse_answers(citizen, valid_citizen_form(field=["7"]), prefilled={"field": 1, "unknown_item": 3})
    assert result.answers["field"] == 1
    assert result.kept["field"] == ["1"]


def test_prefilled_value_fills_a_missing_required_answer(citizen: Questionnaire) -> None:
    result = parse_answers(citizen, valid_citizen_form(field=[]), prefilled={"field": 4})
    assert result.errors == {} and result.answers["field"] == 4


def test_invalid_prefilled_value_is_a_programming_error(citizen: Questionnaire) -> None:
    with pytest.raises(ValueError, match="prefilled value 9 for item field"):
        parse_answers(citizen, valid_citizen_form(), prefilled={"field": 9})


def test_text_is_stripped_normalised_and_limited(citizen: Questionnaire) -> None:
    decomposed = "Ca\u0309m o\u031bn"  # "Cảm ơn" typed with combining marks
    result = parse_answers(citizen, valid_citizen_form(comment=[decomposed + "\x00\r\n"]))
    assert result.answers["comment"] == "Cảm ơn"
    result = parse_answers(citizen, valid_citizen_form(comment=["a" * 1001]))
    assert result.errors["comment"] == Text(
        "Vui lòng nhập không quá 1000 ký tự.", "Please enter at most 1000 characters."
    )
    result = parse_answers(citizen, valid_citizen_form(comment=["\x00\x01"]))
    assert "comment" not in result.answers and "comment" not in result.errors


@pytest.fixture
def small(write: WriteFile) -> Questionnaire:
    return load_questionnaire(write(with_items("""\
        - code: channels
          type: multiple
          required: true
          min_choices: 2
          max_choices: 3
          options:
            - {code: 1, vi: "Trực tiếp", en: "In person"}
            - {code: 2, vi: "Trực tuyến", en: "Online"}
            - {code: 3, vi: "Bưu chính", en: "Post"}
            - {code: 4, vi: "Điện thoại", en: "Phone"}
          text: {vi: "Kênh", en: "Channels"}
        - code: wishes
          type: multiple
          options:
            - {code: 1, vi: "Nhanh hơn", en: "Faster"}
            - {code: 2, vi: "Rẻ hơn", en: "Cheaper"}
          text: {vi: "Mong muốn", en: "Wishes"}
        - code: which
          type: single
          relevant: {item: wishes, equals: 2}
          options:
            - {code: 1, vi: "Phí", en: "Fees"}
            - {code: 2, vi: "Đi lại", en: "Travel"}
          text: {vi: "Khoản nào", en: "Which cost"}
        - code: note
          type: text
          required: true
          max_length: 5
          text: {vi: "Ghi chú", en: "Note"}
        """)))


def test_multiple_choice_gives_distinct_codes_in_option_order(small: Questionnaire) -> None:
    result = parse_answers(small, {"channels": ["3", "1", "3"], "note": ["ok"]})
    assert result.errors == {}
    assert result.answers["channels"] == [1, 3]
    assert result.kept["channels"] == ["3", "1", "3"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "Vui lòng chọn ít nhất 2 lựa chọn."),
        (["1"], "Vui lòng chọn ít nhất 2 lựa chọn."),
        (["1", "2", "3", "4"], "Vui lòng chọn tối đa 3 lựa chọn."),
        (["1", "5"], "Lựa chọn không hợp lệ, vui lòng chọn lại."),
    ],
)
def test_multiple_choice_limits(small: Questionnaire, values: list[str], message: str) -> None:
    result = parse_answers(small, {"channels": values, "note": ["ok"]})
    assert result.errors["channels"].vi == message


def test_condition_on_a_multiple_choice_item(small: Questionnaire) -> None:
    base = {"channels": ["1", "2"], "note": ["ok"], "which": ["2"]}
    assert parse_answers(small, {**base, "wishes": ["1", "2"]}).answers["which"] == 2
    assert "which" not in parse_answers(small, {**base, "wishes": ["1"]}).answers
    assert "which" not in parse_answers(small, base).answers


def test_required_text_and_its_length(small: Questionnaire) -> None:
    result = parse_answers(small, {"channels": ["1", "2"], "note": ["   "]})
    assert result.errors["note"] == Text("Vui lòng nhập câu trả lời.", "Please enter an answer.")
    result = parse_answers(small, {"channels": ["1", "2"], "note": ["sáu chữ"]})
    assert result.errors["note"].en == "Please enter at most 5 characters."


def test_required_multiple_without_minimum_asks_for_one(write: WriteFile) -> None:
    q = load_questionnaire(write(with_items("""\
        - code: wishes
          type: multiple
          required: true
          options:
            - {code: 1, vi: "Nhanh hơn", en: "Faster"}
          text: {vi: "Mong muốn", en: "Wishes"}
        """)))
    assert parse_answers(q, {}).errors["wishes"] == Text(
        "Vui lòng chọn ít nhất một lựa chọn.", "Please choose at least one option."
    )


def make_item(item_type: ItemType) -> Item:
    return Item(code="x", type=item_type, text=Text("X", "X"), options=(Option(1, Text("A", "A")),))


@pytest.mark.parametrize(
    ("item_type", "value", "cell"),
    [
        (ItemType.SATISFACTION5, 4, "4"),
        (ItemType.YES_NO, 0, "0"),
        (ItemType.YES_NO, True, "1"),
        (ItemType.MULTIPLE, [1, 3], "1;3"),
        (ItemType.MULTIPLE, [], ""),
        (ItemType.NUMBER, 12, "12"),
        (ItemType.TEXT, "Tốt; nhanh", "Tốt; nhanh"),
        (ItemType.SINGLE, None, ""),
    ],
)
def test_export_value(item_type: ItemType, value: object, cell: str) -> None:
    assert export_value(make_item(item_type), value) == cell


form_values = st.lists(st.one_of(st.text(max_size=30), st.from_regex(r"-?[0-9]{1,4}", fullmatch=True)), max_size=4)


@settings(max_examples=300, deadline=None)
@given(
    extra=st.dictionaries(st.text(max_size=12), form_values, max_size=5),
    items=st.dictionaries(st.sampled_from(["j_trips", "j_feedback_given", "s_fb_1", "sex", "field", "comment",
                                           "s_acc_1", "e_time"]), form_values),
)
def test_parse_answers_never_raises(citizen: Questionnaire, extra: dict[str, list[str]],
                                    items: dict[str, list[str]]) -> None:
    form = {**valid_citizen_form(), **extra, **items}
    result = parse_answers(citizen, form)
    assert set(result.answers).isdisjoint(result.errors)
    assert set(result.answers) | set(result.errors) <= {item.code for item in citizen.items}
    for code, value in result.answers.items():
        item = citizen.item(code)
        if item.options:
            assert value in item.option_codes
        assert isinstance(export_value(item, value), str)
