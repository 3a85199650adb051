"""What the form shows without JavaScript: skipped sections gone with their heading, question
numbers without gaps, "Phần n/m" on a long form, and a language switch that keeps answers."""

from __future__ import annotations

import re

from tests.survey_app.respondent.test_desk_survey import VALID, open_form


def shown_questions(html: str) -> list[tuple[str, int]]:
    """(item code, number) of every question not hidden, in page order."""
    shown = []
    for section in re.findall(r"<section class=\"sec\"( hidden)?>(.*?)</section>", html, re.S):
        if section[0]:
            continue
        for code, attributes, number in re.findall(
                r'id="i-([a-z0-9_]+)"([^>]*)>\s*<(?:legend|label[^>]*)><b class="qn">(\d+)\.</b>', section[1]):
            if " hidden" not in attributes:
                shown.append((code, int(number)))
    return shown


def parts(html: str) -> list[str]:
    return re.findall(r'<section class="sec">\s*<p class="part">Phần <span class="pn">(\d+)</span>/<span class="pm">(\d+)</span>', html)


def test_a_fresh_form_shows_every_part_numbered(client, demo):
    html, _ = open_form(client)
    numbered = parts(html)
    assert len(numbered) >= 5 and numbered[0] == ("1", str(len(numbered))) and numbered[-1][0] == numbered[-1][1]
    numbers = [n for _code, n in shown_questions(html)]
    assert numbers == list(range(1, len(numbers) + 1))


def test_a_section_whose_questions_are_all_skipped_goes_with_its_heading(client, demo):
    _, token = open_form(client)
    form = {**VALID, **token, "sex": ""}  # one error, so the page comes back with the answers
    html = client.post("/q/demo", data=form).get_data(as_text=True)
    assert "Vui lòng chọn một câu trả lời." in html
    # No feedback given: the feedback section is hidden, heading and all, and nothing in it is numbered.
    feedback = re.search(r"<section class=\"sec\"( hidden)?>(?:(?!</section>).)*?tiếp nhận, xử lý góp ý", html, re.S)
    assert feedback and feedback.group(1) == " hidden"
    shown = shown_questions(html)
    assert not any(code.startswith("s_fb_") for code, _n in shown)
    assert [n for _c, n in shown] == list(range(1, len(shown) + 1))  # no jump from 20 to 24
    total = parts(html)
    assert [int(n) for n, _m in total] == list(range(1, len(total) + 1)) and all(m == str(len(total)) for _n, m in total)
    # The error summary uses the same numbers.
    sex_number = dict(shown)["sex"]
    assert f"Câu {sex_number}:" in html
    # With feedback given, the section and its numbers come back.
    html = client.post("/q/demo", data={**form, "j_feedback_given": "1"}).get_data(as_text=True)
    shown_again = shown_questions(html)
    assert [c for c, _n in shown_again if c.startswith("s_fb_")] == ["s_fb_1", "s_fb_2", "s_fb_3"]
    assert [n for _c, n in shown_again] == list(range(1, len(shown_again) + 1))


def test_switching_language_keeps_every_answer(client, demo):
    html, token = open_form(client)
    assert 'formaction="/q/demo?lang=en"' in html and 'form="survey"' in html
    given = {"s_acc_1": "4", "sex": "2", "comment": "Cán bộ nhiệt tình", "j_trips": "3"}
    page = client.post("/q/demo?lang=en", data={**given, **token, "action": "language"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'lang="en"' in html and "Tiếng Việt" in html
    assert 'name="s_acc_1" value="4" checked' in html and 'name="sex" value="2" checked' in html
    assert "Cán bộ nhiệt tình</textarea>" in html and 'value="3"' in html
    assert "Please choose an answer" not in html  # a switch is not a submission: nothing checked yet
    assert form_token(html) == token["form_token"]  # the time taken still counts from the first page
    # Back to Vietnamese, still with everything, and the language is remembered.
    back = client.post("/q/demo?lang=vi", data={**given, **token, "action": "language"}).get_data(as_text=True)
    assert 'lang="vi"' in back and 'name="sex" value="2" checked' in back


def form_token(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)
