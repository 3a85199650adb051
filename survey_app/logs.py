"""Logging that keeps the anonymity promise.

Access logs pair a phone's address and browser with the moment an answer was
sent; with a small group that is enough to tell who answered what. So neither
the development server (werkzeug) nor gunicorn writes one, and our own log lines
name channels and counts, never addresses, user agents, emails or tokens.
Set SURVEY_ACCESS_LOG=true to get werkzeug's access log back while debugging.
"""

from __future__ import annotations

import logging

from flask import Flask


def init_app(app: Flask) -> None:
    if not app.config.get("ACCESS_LOG"):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # The logger is shared by every app of the process: a test app resets what a production
    # app built earlier in the same process set (or its debug lines would vanish).
    app.logger.setLevel(logging.NOTSET if app.debug or app.testing else logging.INFO)
