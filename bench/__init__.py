"""Benchmarks (not tests): ``python -m bench.<name>``; each prints a table of medians.

Importing the package pins the BLAS and OpenMP pools to one thread before numpy,
scipy or torch is imported, so every in-process figure is a one-core figure.
The values found before the pin are kept in ``ORIGINAL_THREAD_ENV`` so that a
server under test can be started with the environment it would have in production.
"""

from __future__ import annotations

import os

#: Thread-pool variables that numpy/scipy (OpenBLAS, MKL) and torch (OpenMP) read at import.
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS")
#: The caller's values of THREAD_VARS (None when unset), before this package pinned them.
ORIGINAL_THREAD_ENV = {name: os.environ.get(name) for name in THREAD_VARS}

for _name in THREAD_VARS:
    os.environ[_name] = "1"
