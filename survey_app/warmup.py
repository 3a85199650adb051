"""Work every server process would otherwise do on its first requests, done once at start.

gunicorn imports the app in its master process (``preload_app``) and forks the
workers from it, so what is prepared here is shared by every worker, including
the ones that replace a worker recycled after ``max_requests``: templates
compiled, both languages' catalogues loaded, the URL router built, the shipped
questionnaires parsed (a round's stored version of the same text is then not
parsed again by each worker), the ORM's mappers configured (SQLAlchemy does that
on a process's first query: a tenth of the workers' CPU in a load run when each
worker was replaced every 5,000 requests; see gunicorn.conf.py). Nothing here
touches the database or Redis, so no connection is opened before the fork.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy.orm import configure_mappers

from survey_app.questionnaire import QuestionnaireError, load_directory
from survey_app.services import questionnaires


def warm_up(app: Flask) -> None:
    with app.test_request_context("/"):
        for name in app.jinja_env.list_templates(extensions=["html", "txt"]):
            app.jinja_env.get_template(name)
        for lang in app.config["LANGUAGES"]:
            with force_locale(lang):
                gettext("Satisfaction survey")
        app.url_map.bind("localhost").match("/", method="GET")
    configure_mappers()
    try:
        shipped = load_directory(app.config["QUESTIONNAIRE_DIR"])
    except (QuestionnaireError, OSError):
        return  # a directory in trouble is reported where it is used, not at start-up
    for questionnaire in shipped.values():
        questionnaires.remember(questionnaire)
