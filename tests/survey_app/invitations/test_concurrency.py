"""The same personal link or slip code submitted many times at once gives exactly one response.

A real threaded server on loopback and one thread per browser: each thread
opens its own form (own cookie, CSRF token and form nonce, so nothing but the
database's guard can stop the duplicates), then all post at the same moment.
Run on SQLite by default and on PostgreSQL with SURVEY_TEST_DATABASE_URL.
"""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from survey_app.models import Invitation, Response, Round, UsedSlipCode
from survey_app.services import invitations, slipcodes
from survey_app.services.questionnaires import questionnaire_of
from tests.survey_app.invitations.support import LiveServer, valid_answers
from tests.survey_app.respondent.test_desk_survey import VALID

BROWSERS = 16


def fire_together(server: LiveServer, path: str, answers: dict[str, str]) -> Counter[int]:
    forms = [server.open_form(path) for _ in range(BROWSERS)]
    start = threading.Barrier(BROWSERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def post(cookie: str, hidden: dict[str, str]) -> None:
        start.wait()
        status, _, _ = server.request("POST", path, {**answers, **hidden}, cookie=cookie)
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=post, args=form) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Counter(statuses)


def count(session, model) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_one_link_posted_at_once_from_many_browsers(app, session, demo, contacts):
    token = invitations.new_token()
    session.get(Invitation, contacts[0].id).token_hash = invitations.token_hash(token)
    session.get(Invitation, contacts[0].id).status = "sent"
    session.commit()
    answers = valid_answers(questionnaire_of(session.get(Round, demo.id).version_for("business")))
    with LiveServer(app) as server:
        statuses = fire_together(server, f"/i/{token}", answers)
    # The other browsers are strangers to the answer: they are told the link is not valid,
    # exactly as for an unknown link (respondent.receipts), never that it was used.
    assert statuses == Counter({303: 1, 404: BROWSERS - 1}), statuses
    assert count(session, Response) == 1
    assert session.get(Invitation, contacts[0].id).status == "completed"


def test_one_slip_code_posted_at_once_from_many_browsers(app, session, demo):
    round_ = session.get(Round, demo.id)
    code = slipcodes.mint(round_.slip_secret, round_.id, "demo", 3)
    answers = {k: v for k, v in VALID.items() if k != "field"}
    with LiveServer(app) as server:
        statuses = fire_together(server, f"/r/{code}", answers)
    assert statuses == Counter({303: 1, 404: BROWSERS - 1}), statuses
    assert count(session, Response) == 1 and count(session, UsedSlipCode) == 1


def test_many_different_links_at_once_all_count(app, session, demo, contacts):
    """The guard refuses duplicates only: five respondents at the same moment all get in."""
    tokens = []
    for invitation in contacts:
        token = invitations.new_token()
        row = session.get(Invitation, invitation.id)
        row.token_hash, row.status = invitations.token_hash(token), "sent"
        tokens.append(token)
    session.commit()
    answers = valid_answers(questionnaire_of(session.get(Round, demo.id).version_for("business")))
    with LiveServer(app) as server:
        forms = [(t, *server.open_form(f"/i/{t}")) for t in tokens]
        start = threading.Barrier(len(forms))
        statuses: list[int] = []

        def post(token: str, cookie: str, hidden: dict[str, str]) -> None:
            start.wait()
            statuses.append(server.request("POST", f"/i/{token}", {**answers, **hidden}, cookie=cookie)[0])

        threads = [threading.Thread(target=post, args=form) for form in forms]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert statuses == [303] * len(tokens)
    assert count(session, Response) == len(tokens)
