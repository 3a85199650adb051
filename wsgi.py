"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi ...``."""

from survey_app import create_app
from survey_app.warmup import warm_up

app = create_app()
warm_up(app)
