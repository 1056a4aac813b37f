"""Each protection of the grading sandbox, checked from inside a grading child.

Runs as root and as an ordinary user (CI runs it as both: `.ci/run`); the first test says
which, and what isolation this machine gives. Each other test runs a cell in a real child of
the pre-warmed zygote and fails when the protection it names is removed.
"""

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from autograder.assignments import REPO
from autograder.sandbox import FULL, PROCESS_LIMIT, Pool, probe_isolation

pytestmark = pytest.mark.slow
ROOT = os.geteuid() == 0


def user_namespaces_allowed() -> bool:
    try:
        return int(Path("/proc/sys/user/max_user_namespaces").read_text()) > 0
    except (OSError, ValueError):
        return False


def test_states_who_runs_and_the_isolation_obtained(capsys):
    """As root, or as an ordinary user on a kernel with user namespaces, is the isolation
    "full"? (This machine has them; a machine without would be "basic", with a reason.)"""
    level, reason = probe_isolation([str(REPO / "solutions")])
    with capsys.disabled():
        who = "root" if ROOT else f"uid {os.getuid()} (not root)"
        print(f"\n  running as {who}; isolation: {level} {reason}")
    expected = FULL if ROOT or user_namespaces_allowed() else "basic"
    assert level == expected, reason


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """Run cells in grading children; returns {name: what the cell printed}."""
    course = tmp_path_factory.mktemp("course")
    (course / "submitted" / "someone-else").mkdir(parents=True)
    (course / "submitted" / "someone-else" / "answers.txt").write_text("secret")
    (course / "gradebook.db").write_text("secret")
    outside = Path("/tmp") / f"itlm-isolation-{os.getpid()}.txt"  # the instructor's /tmp
    outside.write_text("secret")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    threading.Thread(target=lambda: server.accept(), daemon=True).start()
    port = server.getsockname()[1]
    # A probe prints SEEN only when it got through (written 'SE' + 'EN' in its source, so a
    # traceback quoting the source does not contain it).
    probes = {
        "write-system": f"open({sys.prefix + '/itlm-probe'!r}, 'w')\nprint('SE' + 'EN')",
        "course-folder": "import os\n"
        f"print('SE' + 'EN' if os.listdir({str(course / 'submitted')!r}) else 'empty')",
        "gradebook": f"print('SE' + 'EN', open({str(course / 'gradebook.db')!r}).read())",
        "solutions-file": f"print('SE' + 'EN', open({str(REPO / 'solutions' / 'entropy.py')!r}))",
        "solutions-import": "import solutions.entropy\nprint('SE' + 'EN')",
        "tmp": f"print('SE' + 'EN', open({str(outside)!r}).read())",
        "network": f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
        "print('SE' + 'EN')",
        "processes": "import os\nprint(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))",
        "status": "print(open('/proc/self/status').read())",
        "fork-bomb": (
            "import os, time\nn = 0\ntry:\n    for _ in range(LIMIT + 20):\n"
            "        if os.fork() == 0:\n            time.sleep(30)\n            os._exit(0)\n"
            "        n += 1\nexcept OSError as e:\n    print('stopped', n, type(e).__name__)\n"
            "else:\n    print('started', n)\n"
        ).replace("LIMIT", str(PROCESS_LIMIT)),
        "memory": "x = bytearray(3 * 2**30)\nprint('SE' + 'EN')",
    }
    jobs = [
        {
            "id": name,
            "cells": [{"cell_type": "code", "source": source}],
            "seconds": 60,
            **({"memory": 2**30} if name == "memory" else {}),
        }
        for name, source in probes.items()
    ]
    hide = [course / "submitted", course / "gradebook.db", REPO / "solutions"]
    try:
        with Pool(2, hide=hide) as pool:
            # One at a time: the zygote reads its stdin a line per wake-up, and small jobs
            # written at once can wait in its buffer (the sandbox's feeding is reworked
            # elsewhere; this test is about what a child sees).
            runs = {ex.id: ex for job in jobs for ex in pool.run([job])}
    finally:
        outside.unlink()
        server.close()
    results = {}
    for name, execution in runs.items():
        outputs = execution.cells.get(0, {}).get("outputs", [])
        text = "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")
        errors = [f"{o['ename']}: {o['evalue']}" for o in outputs if o["output_type"] == "error"]
        results[name] = {
            "out": text,
            "error": " ".join(errors),
            "isolation": execution.isolation,
            "violation": execution.violation,
        }
    return results


def test_every_child_reports_full_isolation(sandbox):
    assert {r["isolation"] for r in sandbox.values()} == {FULL}


def got_through(result: dict) -> bool:
    return "SEEN" in result["out"]


def test_system_is_read_only(sandbox):
    assert not got_through(sandbox["write-system"])
    assert "Read-only file system" in sandbox["write-system"]["error"]


def test_other_submissions_and_the_gradebook_are_hidden(sandbox):
    assert not got_through(sandbox["course-folder"]), sandbox["course-folder"]
    assert not got_through(sandbox["gradebook"])
    assert "FileNotFoundError" in sandbox["gradebook"]["error"]


def test_reference_solutions_cannot_be_read_or_imported(sandbox):
    assert not got_through(sandbox["solutions-file"])
    assert "FileNotFoundError" in sandbox["solutions-file"]["error"]
    assert not got_through(sandbox["solutions-import"])
    assert "ModuleNotFoundError" in sandbox["solutions-import"]["error"]


def test_tmp_is_fresh(sandbox):
    assert not got_through(sandbox["tmp"])
    assert "FileNotFoundError" in sandbox["tmp"]["error"]


def test_no_network(sandbox):
    """Not even the grading machine's own loopback, where a server is listening."""
    assert not got_through(sandbox["network"])
    assert "Error" in sandbox["network"]["error"]


def test_no_other_process_in_sight(sandbox):
    pids = json.loads(sandbox["processes"]["out"])
    assert pids and max(pids) < 10, pids  # its own PID namespace: pid 1 and its few children


def test_no_capabilities_and_no_way_back(sandbox):
    status = dict(
        line.split(":\t", 1) for line in sandbox["status"]["out"].splitlines() if ":\t" in line
    )
    for name in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert int(status[name], 16) == 0, (name, status[name])
    assert status["NoNewPrivs"].strip() == "1"


def test_process_count_is_bounded(sandbox):
    """A fork bomb is stopped: by the zygote's watchdog (more than MAX_PROCESSES processes:
    the submission is killed and flagged), or, as an ordinary user, by the kernel at
    PROCESS_LIMIT tasks of the submission's own user namespace, whichever comes first. As
    root the kernel ignores the process limit, so the watchdog must be what stops it."""
    bomb = sandbox["fork-bomb"]
    by_watchdog = "processes" in bomb["violation"]
    if ROOT:
        assert by_watchdog, bomb
        return
    by_kernel = bomb["out"].startswith("stopped") and int(bomb["out"].split()[1]) < PROCESS_LIMIT
    assert by_watchdog or by_kernel, bomb


def test_memory_is_bounded(sandbox):
    assert not got_through(sandbox["memory"])
    assert "MemoryError" in sandbox["memory"]["error"]


def test_the_import_blocker_works_without_namespaces():
    """In basic mode the import block is all that keeps `import solutions` out."""
    code = (
        "from autograder.sandbox import block_reference_imports\n"
        "block_reference_imports()\n"
        "import solutions.entropy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode != 0
    assert "reference solutions are not available" in proc.stderr


def test_basic_mode_still_blocks_importing_the_reference(monkeypatch):
    """Without namespaces (forced here as on macOS), `import solutions` still fails in the
    child, and the child says it ran in basic mode."""
    monkeypatch.setenv("ITLM_ISOLATION", "basic")
    job = {
        "id": "imports",
        "cells": [{"cell_type": "code", "source": "import solutions.entropy\nprint('SE' + 'EN')"}],
        "seconds": 60,
    }
    with Pool(1) as pool:
        assert pool.isolation == "basic"
        (execution,) = pool.run([job])
    outputs = execution.cells[0]["outputs"]
    assert execution.isolation == "basic"
    assert not any("SEEN" in o.get("text", "") for o in outputs)
    assert any(o.get("ename") == "ModuleNotFoundError" for o in outputs), outputs
