"""Keeping numba's compiled code between processes.

UMAP and its nearest-neighbour search compile about 250 numba functions on first use, most
of them declared without ``cache=True``: every job's process spent 8 s or more compiling them
again. Turning the on-disk cache on for those functions (in ``NUMBA_CACHE_DIR``, which the
worker points into the data directory) means only the first UMAP after installation pays.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable


def cache_compiled_functions(packages: Iterable[str]) -> int:
    """Turn on numba's on-disk cache for every compiled function of the loaded modules of
    ``packages`` that does not use it yet; how many were turned on."""
    from numba.core.registry import CPUDispatcher

    roots = set(packages)
    turned_on = 0
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in roots:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, CPUDispatcher) and not uses_cache(value):
                value.enable_caching()
                turned_on += 1
    return turned_on


def uses_cache(function: object) -> bool:
    """Whether a numba function already keeps its compiled code on disk."""
    from numba.core.caching import NullCache

    return not isinstance(getattr(function, "_cache", None), NullCache)
