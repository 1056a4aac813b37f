"""One BLAS thread for NumPy and SciPy, set from inside a running notebook.

NumPy's bundled OpenBLAS starts one thread per CPU it sees. On the small matrices of this
course the threads mostly wait for each other, and when the CPU is shared (a container, a
class server, a laptop doing other work) they stall: notebook 05 took 50 s instead of 12 s on
a loaded 2-core machine, most of it in a few SVDs and small matrix products. OpenBLAS reads
``OPENBLAS_NUM_THREADS`` only when it loads, which has happened by the time a notebook's setup
cell imports ``course``; after that only a call into the library changes the count. This is
what ``threadpoolctl`` does, reduced to OpenBLAS (NumPy's and SciPy's wheels) on Linux;
anywhere else it does nothing.
"""

from __future__ import annotations

import ctypes

# Entry points of OpenBLAS builds: plain, 64-bit integer, and the prefixed scipy-openblas wheels.
_SETTERS = (
    "openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "scipy_openblas_set_num_threads64_",
)


def _loaded_openblas() -> list[str]:
    """Paths of the OpenBLAS libraries mapped into this process (empty where /proc is absent)."""
    try:
        with open("/proc/self/maps") as maps:
            fields = (line.split(maxsplit=5) for line in maps)
            paths = {f[5].strip() for f in fields if len(f) == 6}
    except OSError:
        return []
    return sorted(p for p in paths if "openblas" in p.lower())


def one_blas_thread() -> int:
    """Set every loaded OpenBLAS to one thread; return how many libraries were set (0: none).

    Never raises: a library it cannot reach is left as it is.
    """
    done = 0
    for path in _loaded_openblas():
        try:
            library = ctypes.CDLL(path)  # already loaded: the same handle, nothing is re-read
        except OSError:
            continue
        setter = next((getattr(library, n) for n in _SETTERS if hasattr(library, n)), None)
        if setter is not None:
            setter(1)
            done += 1
    return done
