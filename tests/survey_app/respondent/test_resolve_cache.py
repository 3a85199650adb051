"""The short per-process cache of desk -> round -> questionnaire."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_app.models import Response, Round
from survey_app.respondent import pagecache, resolve
from tests.survey_app.respondent.test_desk_survey import VALID, open_form


@pytest.fixture
def cached(app):
    app.config["RESOLVE_CACHE_SECONDS"] = 60
    resolve.clear()
    yield app
    resolve.clear()


def test_cached_desk_serves_pages_and_submissions(cached, client, session, demo):
    for _ in range(3):
        _, hidden = open_form(client)
        assert client.post("/q/demo", data={**VALID, **hidden}).status_code == 303
    assert len(resolve._cache) == 1


def test_closing_a_round_is_seen_when_the_entry_expires(cached, client, session, demo):
    open_form(client)
    round_ = session.get(Round, demo.id)
    round_.status = "closed"
    session.commit()
    assert client.get("/q/demo").status_code == 200  # still within the cache period
    resolve.clear()  # what expiry does after RESOLVE_CACHE_SECONDS
    assert client.get("/q/demo").status_code == 410


def test_unknown_codes_are_not_cached(cached, client, demo):
    for i in range(20):
        assert client.get(f"/q/nope{i}").status_code == 404
    assert resolve._cache == {}


def test_cached_page_is_rendered_once_and_carries_fresh_tokens(cached, client, session, demo):
    first_html, first = open_form(client)
    second_html, second = open_form(client)
    english_html, _ = open_form(client, "demo?lang=en")
    assert len(pagecache.pages) == 2  # one page per language, reused
    assert first["form_token"] != second["form_token"]  # each form its own nonce
    assert first_html.replace(first["form_token"], "") == \
        second_html.replace(second["form_token"], "")
    assert 'lang="en"' in english_html and 'lang="vi"' in second_html
    # Both forms are good: two respondents, two responses.
    assert client.post("/q/demo", data={**VALID, **first}).status_code == 303
    assert client.post("/q/demo", data={**VALID, **second}).status_code == 303
    assert client.post("/q/demo", data={**VALID, **second}).status_code == 303  # resubmitted: thanked, not stored
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Response)) == 2


def test_a_page_with_errors_or_answers_is_never_cached(cached, client, demo):
    _, hidden = open_form(client)
    refused = client.post("/q/demo", data={**hidden, "s_acc_1": "4", "e_time": "9"})
    assert refused.status_code == 422 and 'role="alert"' in refused.get_data(as_text=True)
    assert len(pagecache.pages) == 1  # only the empty form
    fresh, _ = open_form(client)
    assert 'role="alert"' not in fresh and " checked" not in fresh  # nobody sees another's answers


def _only_page() -> pagecache.PageShell:
    assert len(pagecache.pages) == 1
    return next(iter(pagecache.pages._entries.values()))


def test_a_cached_page_cannot_be_changed():
    import dataclasses

    shell = pagecache.PageShell.build("<p>HOLE</p>", "HOLE")
    with pytest.raises(dataclasses.FrozenInstanceError):
        shell.head = b"x"  # type: ignore[misc]
    assert shell.fill("t") == b"<p>t</p>"


def _expire_all() -> None:
    """What RESOLVE_CACHE_SECONDS passing does to every entry."""
    for key, (_, entry) in list(resolve._cache.items()):
        resolve._cache[key] = (0.0, entry)


def test_an_expired_entry_keeps_its_pages_until_what_they_show_changes(cached, client, session, demo):
    from survey_app.models import ServicePoint

    open_form(client)
    first = next(iter(resolve._cache.values()))[1]
    shell = _only_page()
    _expire_all()
    open_form(client)
    second = next(iter(resolve._cache.values()))[1]
    assert second is not first and _only_page() is shell  # looked up again, not rendered
    desk = session.scalars(select(ServicePoint).where(ServicePoint.code == "demo")).one()
    desk.name_vi = "Quầy tiếp nhận số 9"
    session.commit()
    _expire_all()
    html, _ = open_form(client)
    assert "Quầy tiếp nhận số 9" in html
    new_key = next(iter(resolve._cache.values()))[1].shown
    assert new_key != first.shown and len(pagecache.pages) == 2  # a new page, the old one never served


def test_the_open_round_is_looked_up_once_for_all_desks(cached, client, session, demo):
    from survey_app.models import ServicePoint

    codes = session.scalars(select(ServicePoint.code).where(ServicePoint.active).limit(3)).all()
    for code in codes:
        assert client.get(f"/q/{code}").status_code == 200
    entries = [entry for _, entry in resolve._cache.values()]
    assert len(entries) == 3 and len({id(entry.round) for entry in entries}) == 1
    assert len(resolve._rounds) == 1


def test_threads_that_find_an_entry_expired_together_look_it_up_once(cached, session, demo, monkeypatch):
    """The first thread's lookup serves the others waiting for the same desk (no stampede)."""
    import threading
    import time

    from survey_app.models import today_utc
    from survey_app.services.desks import find_desk

    calls: list[str] = []
    release = threading.Event()

    def slow_find_desk(db_session, code):  # type: ignore[no-untyped-def]
        calls.append(code)
        release.wait(5)
        return find_desk(db_session, code)

    monkeypatch.setattr(resolve, "find_desk", slow_find_desk)
    sessions = []

    def open_session():  # type: ignore[no-untyped-def]
        sessions.append(cached.extensions["survey_db"].session_factory())
        return sessions[-1]

    found = []
    threads = [threading.Thread(target=lambda: found.append(resolve.resolve_desk(open_session, "demo", today_utc(), 60)))
               for _ in range(3)]
    for thread in threads:
        thread.start()
        time.sleep(0.2)  # each reaches the lookup while the first one is still at it
    release.set()
    for thread in threads:
        thread.join(10)
    for opened in sessions:
        opened.close()
    assert calls == ["demo"]
    assert len(found) == 3 and found[0] is found[1] is found[2]
