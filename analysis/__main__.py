"""``python -m analysis``: see :mod:`analysis.cli`.

Logging is configured here, at the program's entry point, so that warnings
such as a weighting that did not converge reach stderr.

Three allocator settings, each only where the environment does not make it
already, all made before NumPy and Arrow are imported; none changes a
number. ``estimate`` on 300,000 responses spent a third of its CPU time in
the kernel giving it fresh memory pages (about 115,000 of them, 2 to 3 us
each on a virtual machine), a short command allocating large arrays:

* ``NUMPY_MADVISE_HUGEPAGE=0``: NumPy asks for 2 MB pages for its large
  arrays; having them zeroed cost more than they saved (about 0.2 s);
* ``ARROW_DEFAULT_MEMORY_POOL=system``: Arrow's bundled mimalloc prepares
  memory ahead of use, page by page, for the CSV reader's buffers; the C
  library's allocator used about 0.2 s less (jemalloc did as well, but is
  not in every pyarrow build);
* freed memory kept for the next array (:func:`_keep_freed_memory`): the C
  library gives each large array pages of its own and hands them back when
  it is freed, so every temporary ``(n, k)`` array was paged in afresh
  (115,000 -> 98,000 page faults for ``estimate``, 0.01-0.03 s a command).

And one BLAS thread (:mod:`analysis.native`), as everywhere the analysis runs.
"""

import gc
import logging
import os


def _keep_freed_memory() -> None:
    """glibc's ``mallopt``, as ``MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=2147483647``
    would set it: large blocks from the heap rather than pages of their own, and the heap
    not handed back while the command runs. Left to the environment when it sets either;
    nothing is done without glibc."""
    if "MALLOC_MMAP_MAX_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return
    if "CS_GNU_LIBC_VERSION" not in getattr(os, "confstr_names", {}):
        return
    import ctypes

    mallopt = ctypes.CDLL(None).mallopt
    mallopt(-4, 0)  # M_MMAP_MAX
    mallopt(-1, 2**31 - 1)  # M_TRIM_THRESHOLD (an int)


from analysis.native import one_blas_thread

one_blas_thread()
_keep_freed_memory()
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
