"""``python -m analysis``: see :mod:`analysis.cli`.

Logging is configured here, at the program's entry point, so that warnings
such as a weighting that did not converge reach stderr.
"""

import logging

from analysis.cli import main

logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
raise SystemExit(main())
