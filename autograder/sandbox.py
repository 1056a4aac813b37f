"""Run submitted notebooks in isolated, pre-warmed processes, all cores at once.

    python -m autograder.sandbox serve --workers 2 --hide /path/to/course ...   (started by Pool)

A *zygote* process imports what the notebooks need (NumPy, SciPy, matplotlib, PyTorch,
IPython, the corpus, the checks' case generators) once, and never runs student code. For
each submission it forks a child that

1. closes every inherited file descriptor but its result pipe, and starts a new session;
2. enters new mount, PID and network namespaces (no network at all, no other processes in
   sight; as an ordinary user inside a user namespace of its own, see :func:`isolate`),
   remounts the whole filesystem read-only, leaves in view only the
   system folders (/usr, /etc, ...), the Python installation and the ``course`` package (every
   other top-level folder, /home, /root, /tmp, /work..., becomes an empty tmpfs), mounts empty
   tmpfs over what it must not see inside those (the course folder with the gradebook and the
   other submissions, ``solutions/``, ``autograder/``, ``source/``, ``tests/``...), gives it a
   fresh ``/tmp``, and drops every capability, so none of that can be undone;
3. sets resource limits: address space (a memory bomb raises MemoryError), file size, process
   count (:func:`limit_resources`); and a CPU limit per cell (an endless loop becomes an error
   in that cell);

Where namespaces are not available (macOS, Linux without user namespaces) step 2 is skipped:
"basic" isolation, which the zygote's start-up probe (:func:`probe_isolation`) reports and the
grading process refuses unless told otherwise. In every mode ``import solutions`` fails
(:func:`block_reference_imports`).
4. executes the notebook's code cells in a fresh IPython shell, capturing outputs as Jupyter
   does (streams capped in size, figures, the last expression's value, errors), with the
   hidden checks in *record* mode: they run the student's functions on their cases and send
   the outcomes, and the judging happens in the grading process, which never ran student
   code (:mod:`autograder.judging`);
5. streams one JSON line per finished cell, so a process that dies (``os._exit``, a crash)
   keeps everything before the cell that killed it.

The zygote kills a child that runs past the notebook's wall-clock limit. :class:`Pool` is the
grading process's side: it starts the zygote, feeds it jobs and yields results as they end.
"""

from __future__ import annotations

import ctypes
import importlib.abc
import io
import json
import os
import re
import selectors
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from autograder.assignments import ASSIGNMENTS
from autograder.machine import default_workers, usable_cpus, usable_memory

STREAM_LIMIT = 200_000  # characters kept per stream per cell: output floods are cut here
DISPLAY_LIMIT = 50  # rich outputs (figures...) kept per cell
CELL_CPU_SECONDS = 120  # CPU seconds per cell
MEMORY_BYTES = 6 * 2**30  # address space a child may add to what the zygote has mapped
MIN_MEMORY_BYTES = 2**30  # ... even when this process's share of memory is smaller
FILE_BYTES = 256 * 2**20  # largest file a child may write
NOTEBOOK_SECONDS = 600  # wall clock per notebook
# The child's working directory and temp files: under full isolation a fresh tmpfs mounted on
# /dev/shm; where there is no /dev/shm (macOS), the system's temporary folder.
WORK_ROOT = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
# Processes and threads a child may have at once. Under full isolation each child has its own
# user namespace, where the kernel counts only that submission's tasks; see limit_resources.
PROCESS_LIMIT = 256
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


# -- inside the child ---------------------------------------------------------------------------


class CellTimeout(BaseException):
    """A cell used up its CPU time (BaseException: ``except Exception`` cannot swallow it)."""


class CappedWriter(io.TextIOBase):
    """A stream that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, limit: int = STREAM_LIMIT):
        self.limit, self.parts, self.size, self.dropped = limit, [], 0, 0

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        text = str(text)
        room = self.limit - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def value(self) -> str:
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n[... {self.dropped:,} more characters of output were cut]\n"
        return text


def _libc():
    return ctypes.CDLL(None, use_errno=True)


CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
# os.statvfs's f_flag bits (ST_*) and the mount flags (MS_*) they stand for. (A remount that
# names no atime flag keeps the mount's own, so those need not be repeated.)
_STATVFS_TO_MS = {1 << 1: MS_NOSUID, 1 << 2: MS_NODEV, 1 << 3: MS_NOEXEC}
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 24, 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def isolate(hide: Iterable[str], namespaces: bool = True) -> str:
    """Namespaces, a read-only filesystem with hidden folders, and no capabilities; returns
    how isolated the process ended up: "full", or "basic" when the kernel gives no namespaces
    (or ``namespaces`` is False: the zygote's start-up probe found they do not work here).

    As root the process enters new mount, PID and network namespaces directly. As any other
    user it first enters a new *user* namespace in which it is root over those namespaces
    only (its own uid and gid mapped to themselves, no supplementary groups): the same view,
    no privilege over anything outside. The caller continues in a grandchild that is PID 1 of
    a new PID namespace (the child in between only waits for it and passes on its status).
    Once it has started, a failure raises: a half-isolated child must not run student code.
    """
    if not namespaces or not hasattr(os, "fork") or sys.platform != "linux":
        return "basic"
    libc = _libc()
    if os.geteuid() == 0:
        if libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID) != 0:
            return "basic"
    else:
        uid, gid = os.getuid(), os.getgid()
        if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID) != 0:
            return "basic"
        Path("/proc/self/setgroups").write_text("deny")  # no way to regain dropped groups
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    pid = os.fork()
    if pid:  # the child in between: wait for the isolated grandchild, pass on its status
        _, status = os.waitpid(pid, 0)
        os._exit(
            os.waitstatus_to_exitcode(status) % 256
            if os.WIFEXITED(status)
            else 128 + os.WTERMSIG(status)
        )

    def mount(source, target, fstype, flags, data=None) -> None:
        enc = lambda v: None if v is None else str(v).encode()  # noqa: E731
        if libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"mount {target}: {os.strerror(error)}")

    def read_only(path: str) -> None:
        # A bind remount must repeat the flags the mount already has (nosuid, nodev...):
        # in a user namespace the kernel refuses to clear them, and we only add "read-only".
        try:
            kept = os.statvfs(path).f_flag
        except OSError:
            return
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        flags |= sum(ms for st, ms in _STATVFS_TO_MS.items() if kept & st)
        mount(None, path, None, flags)

    mount("none", "/", None, MS_REC | MS_PRIVATE)
    mount_points = [  # mountinfo writes a space as \040, a tab as \011...
        re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), line.split()[4])
        for line in Path("/proc/self/mountinfo").read_text().splitlines()
    ]
    for point in sorted(set(mount_points)):
        if point == "/proc" or point.startswith(("/proc/", "/sys", "/dev")):
            continue
        if os.path.isdir(point) or os.path.isfile(point):
            read_only(point)  # nothing outside is writable
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)  # this namespace's only
    # Only what Python and the course need stays visible: every other top-level folder
    # (/home, /root, /tmp, /srv, /opt, /work, ...) becomes an empty read-only tmpfs, so no
    # other copy of the course, no home folder and no other user's files can be read.
    needed = needed_paths()
    for top, keep in _masked_tops(needed).items():
        handles = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in keep}
        mount("tmpfs", top, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
        for path, fd in handles.items():
            os.makedirs(path, exist_ok=True)
            mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
            read_only(path)
            os.close(fd)
        mount(None, top, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    # A fresh, writable /tmp, unless Python or the course lives under it (a checkout in /tmp):
    # then /tmp stays the read-only view above, and the notebook works in /dev/shm.
    fresh_tmp = [] if any(p.startswith("/tmp/") for p in needed) else ["/tmp"]
    for path in [*hide, *fresh_tmp, WORK_ROOT]:
        if os.path.isdir(path):
            mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=512m,mode=1777")
        elif os.path.exists(path):
            mount("/dev/null", path, None, MS_BIND)
    drop_privileges(libc)
    return "full"


def drop_privileges(libc=None) -> None:
    """No way back: no new privileges on exec, an empty capability bounding set, and no
    capabilities left (in a user namespace: none of those it granted)."""
    libc = libc or _libc()
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "could not set no_new_privs")
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # fails past the last capability: fine
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header, data = _CapHeader(0x20080522, 0), (_CapData * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "could not drop capabilities")


def capabilities() -> dict[str, int]:
    """This process's capability sets, from /proc/self/status ({"CapEff": 0, ...})."""
    sets = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")):
            name, value = line.split(":")
            sets[name] = int(value.strip(), 16)
    return sets


# Top-level folders the sandbox leaves in view (read-only): the system, not anyone's data.
SYSTEM_TOPS = {"usr", "lib", "lib32", "lib64", "libx32", "bin", "sbin", "etc", "proc", "dev", "sys"}


def needed_paths() -> list[str]:
    """Folders a notebook's Python needs: the interpreter, its packages, the course package."""
    import course

    paths = [sys.prefix, sys.base_prefix, sys.exec_prefix, str(Path(course.__file__).parent)]
    paths += [p for p in sys.path if "-packages" in p and os.path.isdir(p)]
    return [os.path.abspath(p) for p in paths]


def _masked_tops(needed: list[str]) -> dict[str, list[str]]:
    """Top-level folders to hide, each with the needed paths under it to keep in view."""
    masked: dict[str, list[str]] = {}
    for entry in sorted(os.listdir("/")):
        top = f"/{entry}"
        if entry in SYSTEM_TOPS or os.path.islink(top) or not os.path.isdir(top):
            continue
        keep = sorted({p for p in needed if p.startswith(top + "/")})
        keep = [p for p in keep if not any(p.startswith(q + "/") for q in keep if q != p)]
        masked[top] = [p for p in keep if os.path.isdir(p)]
    return masked


def limit_resources(memory: int = MEMORY_BYTES, level: str = "full") -> None:
    """Bound what one child may use: address space (``memory`` beyond what the zygote has
    mapped), file size, no core dumps, and the number of processes and threads.

    The kernel counts processes per user *in a user namespace*: under full isolation as an
    ordinary user each child has its own, so ``PROCESS_LIMIT`` counts only that submission's
    tasks. In basic mode the count is every task of the instructor's user, so the child may
    start ``PROCESS_LIMIT`` more than the user runs now (a fork bomb stops there). The kernel
    does not apply this limit to root: as root the zygote's watchdog bounds processes.
    """
    try:
        import resource
    except ImportError:  # Windows: no resource limits (grade with --plain there, or in WSL)
        return
    mapped = _mapped_bytes()
    limits = [
        (resource.RLIMIT_AS, mapped + memory),
        (resource.RLIMIT_FSIZE, FILE_BYTES),
        (resource.RLIMIT_CORE, 0),
    ]
    processes = _process_limit(level)
    if processes is not None and hasattr(resource, "RLIMIT_NPROC"):
        limits.append((resource.RLIMIT_NPROC, processes))
    for limit, value in limits:
        try:
            _, hard = resource.getrlimit(limit)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            pass


def _process_limit(level: str) -> int | None:
    """RLIMIT_NPROC for a child at this isolation ``level`` (None: not set)."""
    if os.geteuid() == 0:
        return None  # not enforced for root
    if level == "full":
        return PROCESS_LIMIT  # this child's own user namespace: its own tasks only
    running = _tasks_of_user(os.getuid())
    return None if running is None else running + PROCESS_LIMIT


def _tasks_of_user(uid: int) -> int | None:
    """How many tasks (processes and threads) ``uid`` runs, as RLIMIT_NPROC counts them."""
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return None  # no /proc (macOS)
    count = 0
    for pid in entries:
        try:
            if os.stat(f"/proc/{pid}").st_uid == uid:
                count += len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            continue  # ended meanwhile
    return count


def _mapped_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _make_shell():
    from IPython.core.interactiveshell import InteractiveShell

    class Shell(InteractiveShell):
        def enable_gui(self, gui=None):  # no GUI event loop: figures go inline
            pass

    shell = Shell.instance()
    shell.enable_matplotlib("inline")
    return shell


def execute_cells(
    cells: list[dict],
    emit,
    skip: Iterable[int] = (),
    cell_seconds: float = CELL_CPU_SECONDS,
    until: int | None = None,
) -> None:
    """Run the code cells in order; ``emit`` receives one message per code cell.

    ``skip``: cells not to run (each reported as skipped); ``until``: the last cell to run.
    """
    from IPython.core.displaypub import CapturingDisplayPublisher

    import autograder.checks as checks
    from autograder import wire

    shell = _make_shell()
    skip = set(skip)
    records: list[dict] = []

    def recorder(name: str, outcomes) -> None:
        records.append({"name": name, "record": wire.encode(outcomes)})

    def on_cpu_limit(signum, frame):
        raise CellTimeout

    signal.signal(signal.SIGPROF, on_cpu_limit)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # too large a file: an OSError, not a kill
    for index, cell in enumerate(cells):
        if until is not None and index > until:
            break
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if index in skip:
            emit(
                {
                    "cell": index,
                    "outputs": [
                        _error(
                            "KernelDied",
                            "this cell stopped the process; it was skipped to grade the rest",
                        )
                    ],
                    "records": [],
                }
            )
            continue
        records.clear()
        checks.RECORDER = recorder
        out, err = CappedWriter(), CappedWriter()
        publisher = CapturingDisplayPublisher()
        saved = sys.stdout, sys.stderr, shell.display_pub
        sys.stdout, sys.stderr, shell.display_pub = out, err, publisher
        signal.setitimer(signal.ITIMER_PROF, cell_seconds)
        try:
            result = shell.run_cell(source, store_history=True, silent=False)
        except BaseException as error:  # noqa: BLE001 - a timeout outside IPython's own handler
            result = None
            failure = error
        else:
            failure = result.error_in_exec or result.error_before_exec
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
            sys.stdout, sys.stderr, shell.display_pub = saved
            checks.RECORDER = None
        outputs = []
        for name, writer in (("stdout", out), ("stderr", err)):
            text = writer.value()
            if text:
                outputs.append({"output_type": "stream", "name": name, "text": text})
        for rich in publisher.outputs[:DISPLAY_LIMIT]:
            data = rich.get("data", {}) if isinstance(rich, dict) else rich.data
            metadata = rich.get("metadata", {}) if isinstance(rich, dict) else rich.metadata
            outputs.append(
                {
                    "output_type": "display_data",
                    "data": _jsonable(data),
                    "metadata": _jsonable(metadata or {}),
                }
            )
        if failure is not None:
            if isinstance(failure, CellTimeout):
                limit = f"the cell used more than {cell_seconds:g} s of CPU time"
                outputs.append(_error("TimeoutError", limit))
            else:
                outputs.append(_error(type(failure).__name__, str(failure)[:2000], failure))
        elif result is not None and result.result is not None:
            data, metadata = shell.display_formatter.format(result.result)
            outputs.append(
                {
                    "output_type": "execute_result",
                    "data": _jsonable(data),
                    "metadata": _jsonable(metadata),
                    "execution_count": result.execution_count,
                }
            )
        emit({"cell": index, "outputs": outputs, "records": list(records)})


def _error(ename: str, evalue: str, error: BaseException | None = None) -> dict:
    lines = traceback.format_exception(error)[-12:] if error is not None else []
    return {
        "output_type": "error",
        "ename": ename,
        "evalue": evalue,
        "traceback": [line.rstrip("\n") for line in lines] or [f"{ename}: {evalue}"],
    }


def _jsonable(data):
    try:
        json.dumps(data)
        return data
    except (TypeError, ValueError):
        return {"text/plain": repr(data)[:1000]}


def child_main(job: dict, write_fd: int, hide: list[str], namespaces: bool = True) -> None:
    """Everything the forked child does; it ends with os._exit and never returns.

    ``namespaces``: False when the zygote's start-up probe found they do not work here."""
    status = 0
    try:
        os.setsid()
        os.closerange(3, write_fd)
        os.closerange(write_fd + 1, 4096)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        level = isolate(hide, namespaces)
        limit_resources(job.get("memory", MEMORY_BYTES), level)
        work = Path(WORK_ROOT) / f"itlm-{job['id']}"
        work.mkdir(parents=True, exist_ok=True)
        os.chdir(work)
        os.environ["NBGRADER_EXECUTION"] = "autograde"
        os.environ["HOME"] = str(work)
        os.environ["MPLCONFIGDIR"] = str(work)
        os.environ["TMPDIR"] = str(work)
        out = os.fdopen(write_fd, "w", buffering=1)

        def emit(message: dict) -> None:
            out.write(json.dumps({"id": job["id"], **message}) + "\n")
            out.flush()

        emit({"isolation": level})
        cell_seconds = job.get("cell_seconds", CELL_CPU_SECONDS)
        execute_cells(job["cells"], emit, job.get("skip", ()), cell_seconds, job.get("until"))
        emit({"finished": True})
    except BaseException:  # noqa: BLE001 - report, then leave quietly
        status = 70
        try:
            os.write(
                write_fd,
                (
                    json.dumps({"id": job["id"], "crash": traceback.format_exc()[-2000:]}) + "\n"
                ).encode(),
            )
        except OSError:
            pass
    os._exit(status)


# -- how isolated can a child be here? ---------------------------------------------------------

FULL = "full"
BASIC = "basic"
NONE = "none"  # plain nbgrader autograde: Jupyter kernels running as the grading user
DESCRIPTIONS = {
    FULL: "full (namespaces: read-only system, no course folder, no solutions/, no other "
    "submissions, no network, fresh /tmp, no capabilities; resource limits)",
    BASIC: "basic (resource limits and an import block on solutions/ only: student code runs "
    "as you and can read your files, use the network and see other processes)",
    NONE: "none (plain nbgrader autograde: student code runs in Jupyter kernels as you, "
    "with your files, the network and solutions/ in reach)",
}


def probe_isolation(hide: Iterable[str] = ()) -> tuple[str, str]:
    """``(level, reason)``: the isolation a grading child gets on this machine, found by
    forking a child that isolates itself as a grading child does and checks what it sees
    (the system read-only, ``hide`` empty, no network, no capabilities). ``reason`` says why
    it is not "full" ("" when it is)."""
    hide = [str(h) for h in hide]
    if os.environ.get("ITLM_ISOLATION") == BASIC:  # to see (and test) what basic mode does
        return BASIC, "ITLM_ISOLATION=basic is set"
    if not hasattr(os, "fork"):
        return BASIC, "this system cannot fork (Windows): grade with --plain, or in WSL"
    if sys.platform != "linux":
        return BASIC, f"{sys.platform} has no Linux namespaces"
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the probe child
        os.close(read_fd)
        try:
            level = isolate(hide)
            reason = _check_view(hide) if level == FULL else "namespaces are not available"
            verdict = {"level": level if not reason else BASIC, "reason": reason}
        except BaseException as error:  # noqa: BLE001 - any failure means no full isolation
            verdict = {"level": BASIC, "reason": f"namespaces could not be set up: {error}"}
        os.write(write_fd, json.dumps(verdict).encode())
        os._exit(0)
    os.close(write_fd)
    chunks = []
    while chunk := os.read(read_fd, 65536):
        chunks.append(chunk)
    os.close(read_fd)
    os.waitpid(pid, 0)
    try:
        verdict = json.loads(b"".join(chunks))
        return verdict["level"], verdict["reason"]
    except (ValueError, KeyError, TypeError):
        return BASIC, "the isolation probe did not answer"


def _check_view(hide: list[str]) -> str:
    """In an isolated child: what of the promised view is missing ("" when nothing)."""
    import errno
    import socket

    try:
        probe = Path(sys.prefix) / f".itlm-write-probe-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
        return f"{sys.prefix} is writable"
    except OSError as error:
        if error.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            return f"{sys.prefix}: unexpected {error}"
    for path in hide:
        if os.path.isdir(path) and os.listdir(path):
            return f"{path} is visible"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # TEST-NET-1: no route anywhere without a network
            return "the network is reachable"
        except OSError:
            pass
    if capabilities().get("CapEff", 0):
        return "capabilities are left"
    return ""


class _NoReference(importlib.abc.MetaPathFinder):
    """Refuses to import the reference solutions (first on ``sys.meta_path``)."""

    def find_spec(self, name, path=None, target=None):
        if name == "solutions" or name.startswith("solutions."):
            raise ModuleNotFoundError(
                f"No module named {name!r}: the reference solutions are not available while "
                "grading",
                name=name,
            )
        return None


def block_reference_imports() -> None:
    """Make ``import solutions`` fail in this process and its children, in every mode.

    The editable install maps ``solutions`` to the repository through a finder on
    ``sys.meta_path``: its entry is removed, and a finder that refuses the name goes first.
    Under full isolation the folder is also an empty tmpfs; in basic mode this is all there
    is: code that removes the blocker and knows the path can still read the files.
    """
    for finder in sys.meta_path:
        mapping = getattr(sys.modules.get(getattr(finder, "__module__", "")), "MAPPING", None)
        if isinstance(mapping, dict):
            for name in [n for n in mapping if n == "solutions" or n.startswith("solutions.")]:
                del mapping[name]
    if not any(isinstance(f, _NoReference) for f in sys.meta_path):
        sys.meta_path.insert(0, _NoReference())
    importlib.invalidate_caches()


# -- the zygote ---------------------------------------------------------------------------------


def warm_up(modules: Iterable[str]) -> None:
    """Import what notebooks need, before any fork, and load the corpus into its cache."""
    import importlib

    import matplotlib

    matplotlib.use("module://matplotlib_inline.backend_inline")
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    from course.corpus import PLAYS, load_play

    for play in PLAYS:
        load_play(play)
    _make_shell().clear_instance()


WARM_MODULES = [
    "numpy", "scipy", "scipy.stats", "scipy.special", "scipy.sparse", "scipy.sparse.linalg",
    "scipy.linalg", "scipy.optimize", "matplotlib.pyplot", "matplotlib_inline.backend_inline",
    "IPython", "torch", "torch.nn.functional", "zlib", "bz2", "lzma", "fractions", "heapq",
    "collections", "course.check", "course.corpus", "course.style", "course.sources",
    "autograder.checks", "autograder.checks.core", "autograder.wire",
    *[f"autograder.checks.{a.module}" for a in ASSIGNMENTS.values()],
]  # fmt: skip


def serve(workers: int, hide: list[str]) -> None:
    """The zygote's loop: jobs in on stdin, result lines out on stdout."""
    warm_up(WARM_MODULES)
    if any(name.startswith("solutions") for name in sys.modules):
        raise RuntimeError("the zygote must never import solutions/")
    block_reference_imports()
    level, reason = probe_isolation(hide)
    namespaces = level == FULL
    ready = {"ready": True, "pid": os.getpid(), "isolation": level, "reason": reason}
    print(json.dumps(ready), flush=True)
    pending: list[dict] = []
    running: dict[int, dict] = {}  # pid -> {job, fd, buffer, deadline}
    selector = selectors.DefaultSelector()
    stdin_open = True
    selector.register(sys.stdin, selectors.EVENT_READ, "stdin")
    while stdin_open or pending or running:
        while pending and len(running) < workers:
            job = pending.pop(0)
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read_fd)
                child_main(job, write_fd, hide, namespaces)
            os.close(write_fd)
            os.set_blocking(read_fd, False)
            running[pid] = {
                "job": job,
                "fd": read_fd,
                "buffer": b"",
                "deadline": time.monotonic() + job.get("seconds", NOTEBOOK_SECONDS),
            }
            selector.register(read_fd, selectors.EVENT_READ, pid)
        for key, _ in selector.select(timeout=0.2):
            if key.data == "stdin":
                line = sys.stdin.readline()
                if not line:
                    stdin_open = False
                    selector.unregister(sys.stdin)
                elif line.strip():
                    pending.append(json.loads(line))
                continue
            state = running.get(key.data)
            if state is None:
                continue
            try:
                chunk = os.read(state["fd"], 1 << 20)
            except BlockingIOError:
                continue
            state["buffer"] += chunk
            *lines, state["buffer"] = state["buffer"].split(b"\n")
            for line in lines:
                if line.strip():
                    sys.stdout.write(line.decode("utf-8", "replace") + "\n")
            sys.stdout.flush()
        now = time.monotonic()
        for pid, state in list(running.items()):
            if now > state["deadline"]:
                _kill(pid)
                state["timed_out"] = True
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                _drain(state)
                selector.unregister(state["fd"])
                os.close(state["fd"])
                del running[pid]
                print(
                    json.dumps(
                        {
                            "id": state["job"]["id"],
                            "exit": _describe(status, state.get("timed_out")),
                        }
                    ),
                    flush=True,
                )


def _drain(state: dict) -> None:
    while True:
        try:
            chunk = os.read(state["fd"], 1 << 20)
        except BlockingIOError:
            break
        if not chunk:
            break
        state["buffer"] += chunk
    for line in state["buffer"].split(b"\n"):
        if line.strip():
            sys.stdout.write(line.decode("utf-8", "replace") + "\n")
    state["buffer"] = b""


def _kill(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
            pass


def _describe(status: int, timed_out: bool | None) -> str:
    if timed_out:
        return "timeout"
    if os.WIFEXITED(status):
        return "ok" if os.WEXITSTATUS(status) == 0 else f"exit {os.WEXITSTATUS(status)}"
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"status {status}"


# -- the grading process's side -----------------------------------------------------------------


@dataclass
class Execution:
    """What came back from running one notebook."""

    id: str
    cells: dict[int, dict] = field(default_factory=dict)  # cell index -> {"outputs", "records"}
    isolation: str = "unknown"
    finished: bool = False  # every cell ran
    exit: str = ""  # how the process ended: ok, timeout, signal 9, exit 70...
    crash: str = ""
    seconds: float = 0.0

    @property
    def last_cell(self) -> int:
        return max(self.cells, default=-1)


class Pool:
    """A zygote with ``workers`` parallel children; feed it jobs, read executions back."""

    def __init__(self, workers: int | None = None, hide: Iterable[Path] = ()):
        self.workers = workers or default_workers()
        command = [
            sys.executable,
            "-m",
            "autograder.sandbox",
            "serve",
            "--workers",
            str(self.workers),
        ]
        for path in hide:
            command += ["--hide", str(Path(path).resolve())]
        # Parallel notebooks must not each start a thread per core in BLAS and PyTorch (a
        # 2000 x 2000 SVD ran 15x slower oversubscribed): share the cores out, before import.
        threads = str(max(1, usable_cpus() // self.workers))
        env = {**os.environ, **{v: threads for v in THREAD_VARIABLES}}
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, env=env
        )
        ready = self.process.stdout.readline()
        if not ready or not json.loads(ready).get("ready"):
            raise RuntimeError("the grading sandbox did not start")
        ready = json.loads(ready)
        self.isolation: str = ready.get("isolation", BASIC)  # what the zygote's probe found
        self.isolation_reason: str = ready.get("reason", "")
        # The memory a child may add: its share of what this process may use, at most
        # MEMORY_BYTES (64 children of 6 GiB each in a 16 GiB container would not fit).
        memory = usable_memory()
        share = memory // self.workers if memory else MEMORY_BYTES
        self.memory = max(min(MEMORY_BYTES, share), MIN_MEMORY_BYTES)

    def run(self, jobs: list[dict]) -> Iterator[Execution]:
        """Run jobs ({"id", "cells", optional "skip", "until", "seconds", "cell_seconds"});
        yield each as it ends."""
        started = {job["id"]: time.perf_counter() for job in jobs}
        results = {job["id"]: Execution(job["id"]) for job in jobs}
        for job in jobs:
            self.process.stdin.write(json.dumps({"memory": self.memory, **job}) + "\n")
        self.process.stdin.flush()
        remaining = set(results)
        while remaining:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("the grading sandbox stopped unexpectedly")
            message = json.loads(line)
            execution = results.get(message.get("id"))
            if execution is None:
                continue
            if "cell" in message:
                execution.cells[int(message["cell"])] = {
                    "outputs": message["outputs"],
                    "records": message["records"],
                }
            elif "isolation" in message:  # the child's first message: it has started
                execution.isolation = message["isolation"]
                started[execution.id] = time.perf_counter()
            elif message.get("finished"):
                execution.finished = True
            elif "crash" in message:
                execution.crash = message["crash"]
            elif "exit" in message:
                execution.exit = message["exit"]
                execution.seconds = time.perf_counter() - started[execution.id]
                remaining.discard(execution.id)
                yield execution

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream and not stream.closed:
                stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m autograder.sandbox")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("serve", help="run the zygote (started by Pool)")
    run.add_argument("--workers", type=int, default=default_workers())
    run.add_argument("--hide", action="append", default=[])
    args = parser.parse_args(argv)
    serve(args.workers, args.hide)


if __name__ == "__main__":
    main(sys.argv[1:])
