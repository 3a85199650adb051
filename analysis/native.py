"""One BLAS thread for the analysis, wherever it runs; set before NumPy is loaded.

NumPy's OpenBLAS starts one thread per core by default. Two reasons not to:

* the numbers: a threaded product splits its sums by thread, so a variance's
  last digit could depend on how many cores the machine has (a
  ``(100,000 x 13)`` cross-product differs between one thread and two). With
  one thread the command line, the console and the job worker compute the
  same bits on any machine of the same kind;
* the time: the products here are of a tall matrix and a few columns, which
  one thread does as quickly, while idle OpenBLAS threads spin and take the
  CPU from Arrow's CSV reader: on two cores ``estimate`` of 300,000
  responses used 1.35 s of CPU with the default and 1.0 s with one thread.

The entry points call :func:`one_blas_thread` first thing: ``python -m
analysis`` and ``wsgi.py`` (gunicorn, ``flask --app wsgi``, the job worker),
and the test suite. A value already in the environment is kept. Nothing is
imported here.
"""

import os


def one_blas_thread() -> None:
    """``OPENBLAS_NUM_THREADS=1`` unless the environment says otherwise (no effect once NumPy is loaded)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
