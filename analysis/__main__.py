"""``python -m analysis``: see :mod:`analysis.cli`.

Logging is configured here, at the program's entry point, so that warnings
such as a weighting that did not converge reach stderr.

``NUMPY_MADVISE_HUGEPAGE=0`` unless the environment sets it: NumPy asks the
kernel for 2 MB pages for its large arrays, and a short command that
allocates many ``(n, k)`` arrays once each spends more time having those
pages zeroed than it gains from them (``estimate`` on 300,000 responses: a
third of its CPU time was the kernel clearing pages, about 0.2 s less
without them). It changes no number. (OpenBLAS's thread count is left alone:
it does change the last digits of some products.)
"""

import logging
import os

os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

from analysis.cli import main  # noqa: E402  (after the settings above: it imports NumPy)

logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
raise SystemExit(main())
