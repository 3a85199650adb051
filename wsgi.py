"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi ...``.

A configuration that cannot be used (production without a secret key, an unknown
``SURVEY_ENV``...) stops the command or the server with one line saying what to set,
not a traceback.
"""

import sys

from analysis.native import one_blas_thread

one_blas_thread()  # before anything loads NumPy: the console's results are the command line's, to the bit

from survey_app import create_app
from survey_app.config import ConfigError
from survey_app.warmup import warm_up

try:
    app = create_app()
except ConfigError as exc:
    sys.exit(f"Configuration error: {exc}")
warm_up(app)
