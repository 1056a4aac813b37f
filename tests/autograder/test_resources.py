"""CPUs and memory this process may really use (autograder/machine.py), on faked cgroup
trees: a container limited to 2 CPUs on a 64-core host must not start 64 children."""

from pathlib import Path

import pytest

from autograder import machine

GiB = 2**30


def fake(root: Path, cgroup: str, files: dict[str, str]) -> Path:
    (root / "proc" / "self").mkdir(parents=True)
    (root / "proc" / "self" / "cgroup").write_text(cgroup)
    for name, text in files.items():
        path = root / "sys" / "fs" / "cgroup" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def host_of_64(monkeypatch):
    """A host with 64 CPUs and 256 GiB, as os.sched_getaffinity and sysconf see it."""
    monkeypatch.setattr(machine.os, "sched_getaffinity", lambda pid: set(range(64)))
    pages = {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": 256 * GiB // 4096}
    monkeypatch.setattr(machine.os, "sysconf", lambda name: pages[name])


def test_cgroup_v2_quota_and_memory(tmp_path, host_of_64):
    root = fake(
        tmp_path,
        "0::/container\n",
        {
            "container/cgroup.controllers": "cpu memory",
            "container/cpu.max": "200000 100000",
            "container/memory.max": str(8 * GiB),
        },
    )
    assert machine.usable_cpus(root) == 2
    assert machine.usable_memory(root) == 8 * GiB
    assert machine.default_workers(root=root) == 2


def test_cgroup_v2_fractional_quota_rounds_up_and_max_means_no_limit(tmp_path, host_of_64):
    root = fake(
        tmp_path,
        "0::/\n",
        {"cgroup.controllers": "cpu", "cpu.max": "150000 100000", "memory.max": "max"},
    )
    assert machine.usable_cpus(root) == 2  # 1.5 CPUs: two processes can share them
    assert machine.usable_memory(root) == 256 * GiB
    (root / "sys/fs/cgroup/cpu.max").write_text("max 100000")
    assert machine.usable_cpus(root) == 64


def test_cgroup_v1_quota_and_memory(tmp_path, host_of_64):
    root = fake(
        tmp_path,
        "4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n0::/\n",
        {
            "cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "300000",
            "cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000",
            "memory/docker/abc/memory.limit_in_bytes": str(5 * GiB),
        },
    )
    assert machine.usable_cpus(root) == 3
    assert machine.usable_memory(root) == 5 * GiB
    assert machine.default_workers(root=root) == 2  # memory for two children of 2 GiB


def test_cgroup_v1_unlimited(tmp_path, host_of_64):
    """The v1 values of "no limit": quota -1, and a memory limit of about 2**63."""
    root = fake(
        tmp_path,
        "4:memory:/\n1:cpu:/\n",
        {
            "cpu/cpu.cfs_quota_us": "-1",
            "cpu/cpu.cfs_period_us": "100000",
            "memory/memory.limit_in_bytes": "9223372036854771712",
        },
    )
    assert machine.usable_cpus(root) == 64
    assert machine.usable_memory(root) == 256 * GiB


def test_affinity_limits_cpus_without_any_cgroup(tmp_path, monkeypatch):
    monkeypatch.setattr(machine.os, "sched_getaffinity", lambda pid: {0, 5, 9})
    assert machine.usable_cpus(tmp_path) == 3  # no proc/self/cgroup under tmp_path


def test_this_machine(tmp_path):
    """On this machine: never more than os.cpu_count(), at least 1."""
    import os

    assert 1 <= machine.usable_cpus() <= (os.cpu_count() or 1)
    assert machine.default_workers() <= machine.usable_cpus()
