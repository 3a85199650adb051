"""What the browser tests do to pages: answer the citizen form, run axe-core, measure."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import Response

# A complete, valid set of citizen answers (the same as the test-client flow tests).
CITIZEN = {
    "field": "2", "submission_mode": "1",
    "j_trips": "1", "j_harassment": "0", "j_informal_payment": "0", "j_feedback_given": "0", "j_channel_pref": "2",
    "s_acc_1": "4", "s_acc_2": "5", "s_acc_3": "4",
    "s_proc_1": "4", "s_proc_2": "4", "s_proc_3": "5", "s_proc_4": "3",
    "s_staff_1": "5", "s_staff_2": "4", "s_staff_3": "4",
    "s_res_1": "4", "s_res_2": "5", "s_res_3": "4",
    "p_make_1": "3", "p_make_2": "4", "p_impl_1": "4", "p_impl_2": "4",
    "e_time": "4", "e_procedure": "3", "e_attitude": "2", "e_online": "4", "e_facilities": "1",
    "sex": "2", "age_group": "3",
    "comment": "Cán bộ nhiệt tình, hướng dẫn rõ ràng.",
}


def answer(page: Any, answers: dict[str, str]) -> None:
    """Fill the form as a person would: tap the option's label, type into the boxes."""
    for code, value in answers.items():
        field = page.locator(f"[name='{code}']").first
        if field.get_attribute("type") in ("radio", "checkbox"):
            page.locator(f"label:has(> input[name='{code}'][value='{value}'])").click()
        else:
            field.fill(value)


def responses(session: Session) -> list[Response]:
    session.expire_all()
    return list(session.scalars(select(Response)))


def axe_violations(page: Any, axe_source: str, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """axe-core's violations of the given impacts on the page as it is now.

    axe is evaluated through the DevTools protocol rather than added as a
    script tag, which the page's Content-Security-Policy (no inline script)
    rightly refuses. The WCAG 2.x A and AA rules and axe's best practices run.
    """
    page.evaluate(axe_source + "\n;undefined")
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}, resultTypes: ['violations']})"
    )
    return [v for v in result["violations"] if v["impact"] in impacts]


def describe(violations: list[dict]) -> str:
    """A readable failure message: rule, impact and the first offending elements."""
    return json.dumps([
        {"rule": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in violations
    ], ensure_ascii=False, indent=1)


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the window (0 = no sideways scrolling)."""
    return page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")


SEND = "Gửi phiếu"  # the Vietnamese label of the survey's send button


def send_citizen_survey(page: Any, url: str, answers: dict[str, str] = CITIZEN) -> None:
    """Answer the citizen questionnaire at ``url`` in full and send it; wait for the thank-you page."""
    page.goto(url)
    answer(page, answers)
    page.get_by_role("button", name=SEND).click()
    page.wait_for_selector("h1:has-text('Cảm ơn')")


def sign_in(page: Any, base: str, email: str, password: str) -> None:
    """Sign in to the console through its form, as a member of staff would."""
    page.goto(f"{base}/admin/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/admin/")
