"""``python -m analysis``: see :mod:`analysis.cli`.

Logging is configured here, at the program's entry point, so that warnings
such as a weighting that did not converge reach stderr.

Two allocator settings, each only where the environment does not make it
already, both made before NumPy and Arrow are imported; neither changes a
number. ``estimate`` on 300,000 responses spent a third of its CPU time in
the kernel clearing fresh memory pages, a short command allocating large
arrays once each:

* ``NUMPY_MADVISE_HUGEPAGE=0``: NumPy asks for 2 MB pages for its large
  arrays; having them zeroed cost more than they saved (about 0.2 s);
* ``ARROW_DEFAULT_MEMORY_POOL=system``: Arrow's bundled mimalloc prepares
  memory ahead of use, page by page, for the CSV reader's buffers; the C
  library's allocator used about 0.2 s less (jemalloc did as well, but is
  not in every pyarrow build).

And one BLAS thread (:mod:`analysis.native`), as everywhere the analysis runs.
"""

import gc
import logging
import os

from analysis.native import one_blas_thread

one_blas_thread()
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

# imported after the settings above: it imports NumPy and Arrow. Their 100,000 or so objects
# are made to stay: no collection while importing them, and none looks at them again (frozen).
gc.disable()
from analysis.cli import main

gc.freeze()
gc.enable()

logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
status = main()
# Everything is written: the collector's last pass over every object NumPy, Arrow and the
# command made would only delay the exit (0.012 s of ``estimate``'s 0.04 s exit on 300,000
# responses). Their memory goes back with the process; atexit handlers still run.
gc.freeze()
raise SystemExit(status)
