"""What the gunicorn master prepares before it forks the workers (survey_app/warmup.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_warm_up_configures_the_orm_mappers_without_a_database(tmp_path):
    """A fresh process, as gunicorn's master: after warm_up a worker's first query has no
    mapper configuration left to do, and nothing was asked of the database."""
    script = (
        "from survey_app import create_app\n"
        "from survey_app.models import Base\n"
        "from survey_app.warmup import warm_up\n"
        "from survey_app.extensions import db\n"
        f"app = create_app({{'ENV_NAME': 'testing', 'DATABASE_URL': 'sqlite:///{tmp_path}/none.db'}})\n"
        "assert Base.registry._new_mappers, 'configured before warm_up: the test proves nothing'\n"
        "warm_up(app)\n"
        "assert not Base.registry._new_mappers\n"
        "assert db.engine.pool.checkedin() == 0 and db.engine.pool.checkedout() == 0\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "none.db").exists()


def test_warm_up_parses_the_shipped_questionnaires_once_for_every_worker(tmp_path):
    """A round's stored version with a shipped file's text is not parsed again by each worker."""
    script = (
        "from survey_app import create_app\n"
        "from survey_app.models import QuestionnaireVersion\n"
        "from survey_app.questionnaire import load_directory\n"
        "from survey_app.services import questionnaires\n"
        "from survey_app.warmup import warm_up\n"
        f"app = create_app({{'ENV_NAME': 'testing', 'DATABASE_URL': 'sqlite:///{tmp_path}/none.db',\n"
        f"                  'QUESTIONNAIRE_DIR': {str(ROOT / 'questionnaires')!r}}})\n"
        "assert not questionnaires._PARSED\n"
        "warm_up(app)\n"
        "shipped = load_directory(app.config['QUESTIONNAIRE_DIR'])\n"
        "assert shipped and set(questionnaires._PARSED) == {q.content_hash for q in shipped.values()}\n"
        "citizen = shipped['citizen']\n"
        "stored = QuestionnaireVersion(group_code='citizen', content_hash=citizen.content_hash, source=citizen.source)\n"
        "assert questionnaires.questionnaire_of(stored) == citizen\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_warm_up_starts_with_a_questionnaire_directory_in_trouble(tmp_path):
    from survey_app import create_app
    from survey_app.warmup import warm_up

    (tmp_path / "citizen.yaml").write_text("not: [a questionnaire", encoding="utf-8")
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": f"sqlite:///{tmp_path}/none.db",
                      "QUESTIONNAIRE_DIR": str(tmp_path)})
    warm_up(app)  # no exception: the directory's problems are reported where it is used
