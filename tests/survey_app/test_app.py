"""The app object itself: what SurveyFlask changes about Flask."""

from __future__ import annotations

import gc

import pytest

from survey_app import SurveyFlask


def test_ensure_sync_is_remembered_without_keeping_functions_alive():
    app = SurveyFlask(__name__)

    def view() -> str:
        return "ok"

    async def coroutine() -> str:
        return "no"

    assert app.ensure_sync(view) is view and app.ensure_sync(view) is view
    with pytest.raises(RuntimeError, match="async"):  # still Flask's answer for async functions
        app.ensure_sync(coroutine)
    for _ in range(100):  # like after_this_request: a new function per request
        app.ensure_sync(lambda response: response)
    gc.collect()
    assert set(app._is_sync) <= {view, coroutine}
