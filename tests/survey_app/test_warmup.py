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
