"""What this process may really use: CPUs and memory, from affinity and cgroup limits.

``os.cpu_count()`` counts the host's cores: in a container limited to 2 CPUs on a 64-core
host it says 64, and a grader that starts one child per "core", each allowed 6 GiB, brings
the container down. Every place that sizes workers or threads asks here instead.

- CPUs: the CPUs this process may run on (``os.sched_getaffinity``), further limited by a
  cgroup CPU quota (v2 ``cpu.max``; v1 ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``),
  rounded up;
- memory: the physical memory, further limited by a cgroup memory limit (v2 ``memory.max``;
  v1 ``memory.limit_in_bytes``).

The cgroup of this process is read from ``/proc/self/cgroup``; ``root`` (a folder holding a
``sys/fs/cgroup`` tree and a ``proc/self/cgroup`` file) lets tests fake both.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

GiB = 2**30
# A v1 cgroup without a memory limit reports a huge number (about 2**63, rounded to pages).
_NO_LIMIT = 2**60


def usable_cpus(root: str | os.PathLike = "/") -> int:
    """How many CPUs this process can keep busy at once (at least 1)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # macOS, Windows
        cpus = os.cpu_count() or 1
    quota = _cpu_quota(Path(root))
    if quota is not None:
        cpus = min(cpus, max(1, math.ceil(quota)))
    return max(1, cpus)


def usable_memory(root: str | os.PathLike = "/") -> int | None:
    """Bytes of memory this process and its children may use, or None when unknown."""
    physical = None
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        pass
    limit = _memory_limit(Path(root))
    known = [m for m in (physical, limit) if m]
    return min(known) if known else None


def default_workers(per_worker: int = 2 * GiB, root: str | os.PathLike = "/") -> int:
    """Parallel notebooks: one per usable CPU, as long as each may have ``per_worker``
    bytes of the memory this process may use."""
    cpus = usable_cpus(root)
    memory = usable_memory(root)
    if memory is None:
        return cpus
    return max(1, min(cpus, memory // per_worker))


def _cgroup_dirs(root: Path) -> dict[str, Path]:
    """{"v2" or a v1 controller: the folder of this process's cgroup}, those that exist."""
    base = root / "sys" / "fs" / "cgroup"
    found: dict[str, Path] = {}
    try:
        lines = (root / "proc" / "self" / "cgroup").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        relative = path.lstrip("/")
        if not controllers:  # the v2 unified hierarchy
            for candidate in (base / relative, base / "unified" / relative, base, base / "unified"):
                if (candidate / "cgroup.controllers").exists() or (candidate / "cpu.max").exists():
                    found.setdefault("v2", candidate)
                    break
            continue
        for controller in controllers.split(","):
            for mount in (controller, controllers):
                # Inside a container the cgroup folder is often the mount's root itself.
                for candidate in (base / mount / relative, base / mount):
                    if candidate.is_dir():
                        found.setdefault(controller, candidate)
                        break
    return found


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _cpu_quota(root: Path) -> float | None:
    dirs = _cgroup_dirs(root)
    quotas = []
    if "v2" in dirs:
        text = _read(dirs["v2"] / "cpu.max")
        if text:
            quota, _, period = text.partition(" ")
            if quota != "max" and period:
                quotas.append(int(quota) / int(period))
    if "cpu" in dirs:
        quota = _read(dirs["cpu"] / "cpu.cfs_quota_us")
        period = _read(dirs["cpu"] / "cpu.cfs_period_us")
        if quota and period and int(quota) > 0 and int(period) > 0:
            quotas.append(int(quota) / int(period))
    return min(quotas) if quotas else None


def _memory_limit(root: Path) -> int | None:
    dirs = _cgroup_dirs(root)
    limits = []
    if "v2" in dirs:
        text = _read(dirs["v2"] / "memory.max")
        if text and text != "max":
            limits.append(int(text))
    if "memory" in dirs:
        text = _read(dirs["memory"] / "memory.limit_in_bytes")
        if text and int(text) < _NO_LIMIT:
            limits.append(int(text))
    return min(limits) if limits else None
