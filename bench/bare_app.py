"""The baseline for the load test: the least a Flask app can do for the same work.

POST /submit inserts one row (a JSON payload like a response) and redirects;
GET /page returns a fixed HTML page of the survey page's size. Served by the
same gunicorn settings as the real app, against the same PostgreSQL.
"""

from __future__ import annotations

import os
import secrets

from flask import Flask, redirect, request
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["SURVEY_DATABASE_URL"], pool_pre_ping=True, pool_size=10, max_overflow=5)
with engine.begin() as connection:
    connection.execute(text(
        "CREATE TABLE IF NOT EXISTS bare_rows (id text PRIMARY KEY, submitted_on date NOT NULL, answers jsonb NOT NULL)"))
engine.dispose()  # gunicorn preloads this module: the forked workers must not share that connection

PAGE = "<!doctype html><html><body>" + ("<p>Lorem ipsum dolor sit amet.</p>" * 800) + "</body></html>"
app = Flask(__name__)


@app.get("/page")
def page() -> str:
    return PAGE


@app.post("/submit")
def submit():  # type: ignore[no-untyped-def]
    import json

    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO bare_rows (id, submitted_on, answers) VALUES (:id, CURRENT_DATE, CAST(:a AS jsonb))"),
            {"id": secrets.token_urlsafe(16), "a": json.dumps(request.form.to_dict())},
        )
    return redirect("/page", 303)
