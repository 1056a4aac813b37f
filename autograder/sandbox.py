"""Run submitted notebooks in isolated, pre-warmed processes, all cores at once.

    python -m autograder.sandbox serve --workers 2 --hide /path/to/course ...   (started by Pool)

A *zygote* process imports what the notebooks need (NumPy, SciPy, matplotlib, PyTorch,
IPython, the corpus, the checks' case generators) once, and never runs student code. For
each submission it forks a child that

1. closes every inherited file descriptor but its own result pipe, starts a new session,
   becomes the subreaper of everything it starts, and rebuilds its environment from an
   allow-list (nothing of the grader's environment reaches student code);
2. enters new mount, PID and network namespaces (no network at all, no other processes in
   sight; as an ordinary user inside a user namespace of its own, see :func:`isolate`),
   remounts the whole filesystem read-only, leaves in view only the
   system folders (/usr, /etc, ...), the Python installation and the ``course`` package (every
   other top-level folder, /home, /root, /tmp, /work..., becomes an empty tmpfs), mounts empty
   tmpfs over what it must not see inside those (the course folder with the gradebook and the
   other submissions, ``solutions/``, ``autograder/``, ``source/``, ``tests/``...), gives it a
   fresh ``/tmp``, and drops every capability, so none of that can be undone;
3. sets resource limits: address space (a memory bomb raises MemoryError), file size, process
   count (:func:`limit_resources`); and a CPU limit per cell that also covers formatting the
   cell's value (an endless loop becomes an error in that cell), extended while a hidden
   check runs (its calls have their own);
4. executes the notebook's code cells in a fresh IPython shell, capturing outputs as Jupyter
   does (streams capped in size, figures, the last expression's value, errors), with the
   hidden checks in *record* mode: they run the student's functions on their cases and send
   the outcomes, and the judging happens in the grading process, which never ran student
   code (:mod:`autograder.judging`);
5. sends one length-prefixed frame per finished cell on its own pipe
   (:mod:`autograder.channel`), so a process that dies (``os._exit``, a crash) keeps
   everything before the cell that killed it.

Where namespaces are not available (macOS, Linux without user namespaces) step 2 is skipped:
"basic" isolation, which the zygote's start-up probe (:func:`probe_isolation`) reports and the
grading process refuses unless told otherwise. In every mode ``import solutions`` fails
(:func:`block_reference_imports`).

The zygote tags what comes out of each pipe with the job it started there, and kills a child
(with every process under it) that runs past the notebook's wall-clock limit, sends more than
its share, has more than :data:`MAX_PROCESSES` processes or holds more memory in all than its
limit. :class:`Pool` is the grading process's side: it starts the zygote, feeds it jobs as
workers free up, checks every message and yields results as they end. Student code can write
anything to its own pipe: that spoils only its own result, which is flagged.
"""

from __future__ import annotations

import ctypes
import importlib.abc
import io
import json
import os
import re
import select
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from queue import Queue

from autograder import channel
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


NOT_RUN_OPTIONAL = {
    "output_type": "stream",
    "name": "stdout",
    "text": '(not run while grading: a "Going further" cell exactly as released, which '
    "nothing graded depends on)\n",
}


def execute_cells(
    cells: list[dict],
    emit,
    skip: Iterable[int] = (),
    cell_seconds: float = CELL_CPU_SECONDS,
    until: int | None = None,
    optional: Iterable[int] = (),
) -> None:
    """Run the code cells in order; ``emit`` receives one message per code cell.

    ``skip``: cells not to run (each reported as skipped: they stopped the process before);
    ``until``: the last cell to run; ``optional``: "Going further" cells as released, not run
    (each says so in its output).
    The CPU timer covers the cell and the formatting of its value (a ``__repr__`` is student
    code too); a hidden check's calls have their own limits (20 s each, 150 s per check), so
    while a check runs the cell's timer is extended by the check's budget (:func:`_untimed`).
    """
    from IPython.core.displaypub import CapturingDisplayPublisher

    import autograder.checks as checks
    from autograder import wire

    shell = _make_shell()
    skip, optional = set(skip), set(optional)
    records: list[dict] = []

    def recorder(name: str, outcomes) -> None:
        records.append({"name": name, "record": wire.encode(outcomes)})

    def on_cpu_limit(signum, frame):
        raise CellTimeout

    signal.signal(signal.SIGPROF, on_cpu_limit)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # too large a file: an OSError, not a kill
    checks.record = _untimed(checks.record)
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
        if index in optional:
            emit({"cell": index, "outputs": [NOT_RUN_OPTIONAL], "records": []})
            continue
        records.clear()
        checks.RECORDER = recorder
        out, err = CappedWriter(), CappedWriter()
        publisher = CapturingDisplayPublisher()
        saved = sys.stdout, sys.stderr, shell.display_pub
        sys.stdout, sys.stderr, shell.display_pub = out, err, publisher
        formatted = None
        signal.setitimer(signal.ITIMER_PROF, cell_seconds)
        try:
            result = shell.run_cell(source, store_history=True, silent=False)
            failure = result.error_in_exec or result.error_before_exec
            if failure is None and result.result is not None:
                formatted = shell.display_formatter.format(result.result)  # still timed
        except BaseException as error:  # noqa: BLE001 - a timeout outside IPython's own handler
            result, formatted = None, None
            failure = error
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
                    "data": _capped(_jsonable(data)),
                    "metadata": _jsonable(metadata or {}),
                }
            )
        if failure is not None:
            if isinstance(failure, CellTimeout):
                limit = f"the cell used more than {cell_seconds:g} s of CPU time"
                outputs.append(_error("TimeoutError", limit))
            else:
                outputs.append(_error(type(failure).__name__, str(failure)[:2000], failure))
        elif formatted is not None:
            data, metadata = formatted
            outputs.append(
                {
                    "output_type": "execute_result",
                    "data": _capped(_jsonable(data)),
                    "metadata": _jsonable(metadata),
                    "execution_count": result.execution_count,
                }
            )
        emit({"cell": index, "outputs": outputs, "records": list(records)})


def _untimed(record):
    """``record`` (a hidden check's run of the student's function) with the cell's CPU timer
    extended by the check's own budget while it runs: a correct answer that is slow but
    within the per-call limit keeps its points, whatever the per-cell limit."""
    from autograder.checks.core import CHECK_SECONDS

    threads = max(1, int(os.environ.get("OMP_NUM_THREADS", "1") or 1))

    def timed_by_its_own_limits(*args, **kwargs):
        left, _ = signal.setitimer(signal.ITIMER_PROF, 0)
        if left > 0:
            signal.setitimer(signal.ITIMER_PROF, left + CHECK_SECONDS * threads)
        try:
            return record(*args, **kwargs)
        finally:
            if left > 0:
                signal.setitimer(signal.ITIMER_PROF, left)

    return timed_by_its_own_limits


DATA_LIMIT = 5_000_000  # characters kept per format of one rich output (a figure is ~100 KB)


def _capped(data: dict) -> dict:
    """Rich output with each format cut to :data:`DATA_LIMIT` (the text of a huge value)."""
    out = {}
    for mime, value in data.items():
        if isinstance(value, str) and len(value) > DATA_LIMIT:
            if not mime.startswith("text/"):
                continue  # a cut image or JSON is no use: leave that format out
            value = value[:DATA_LIMIT] + f"\n[... {len(value) - DATA_LIMIT:,} more characters cut]"
        out[mime] = value
    return out or {"text/plain": "(output too large to keep)"}


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

    It writes length-prefixed frames (:mod:`autograder.channel`) to ``write_fd``, its own
    pipe: student code can write there too, but can only spoil its own result.
    ``namespaces``: False when the zygote's start-up probe found they do not work here."""
    status = 0
    try:
        os.setsid()
        os.closerange(3, write_fd)
        os.closerange(write_fd + 1, 4096)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        _contain()
        level = isolate(hide, namespaces)
        limit_resources(job.get("memory", MEMORY_BYTES), level)
        work = Path(WORK_ROOT) / f"itlm-{job['token']}"
        work.mkdir(parents=True, exist_ok=True)
        os.chdir(work)
        os.environ.clear()
        os.environ.update(child_environment(work))

        def emit(message: dict) -> None:
            channel.send(write_fd, message)

        emit({"isolation": level})
        cell_seconds = job.get("cell_seconds", CELL_CPU_SECONDS)
        execute_cells(
            job["cells"], emit, job.get("skip", ()), cell_seconds, job.get("until"),
            job.get("optional", ()),
        )  # fmt: skip
        emit({"finished": True})
    except BaseException:  # noqa: BLE001 - report, then leave quietly
        status = 70
        try:
            channel.send(write_fd, {"crash": traceback.format_exc()[-2000:]})
        except OSError:
            pass
    os._exit(status)


PR_SET_CHILD_SUBREAPER = 36


def _contain() -> None:
    """Orphaned processes of this child become its children, not init's: the zygote's
    watchdog finds every process of a submission under its first process."""
    _libc().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


# What a notebook's process may see of the grader's environment: nothing but these.
ALLOWED_VARIABLES = re.compile(
    r"^(PATH|LANG|LANGUAGE|LC_[A-Z]+|TZ|TERM|PYTHONHASHSEED|"
    r"(OMP|OPENBLAS|MKL|NUMEXPR|VECLIB_MAXIMUM|BLIS|GOTO)_NUM_THREADS|MKL_THREADING_LAYER)$"
)


def allowed_environment(environ=None) -> dict[str, str]:
    """The variables of ``environ`` (default: this process's) that a notebook may see."""
    environ = os.environ if environ is None else environ
    return {k: v for k, v in environ.items() if ALLOWED_VARIABLES.match(k)}


def child_environment(work: Path) -> dict[str, str]:
    """A notebook's environment, rebuilt from an allow-list: not the grader's."""
    return {
        **allowed_environment(),
        "HOME": str(work),
        "TMPDIR": str(work),
        "MPLCONFIGDIR": str(work),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "NBGRADER_EXECUTION": "autograde",
    }


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


MAX_PROCESSES = 32  # processes one notebook may have alive at once
WATCH_SECONDS = 0.25  # how often the zygote counts each child's processes and memory
HEARTBEAT_SECONDS = 2.0  # the zygote says it is alive at least this often


def serve(workers: int, hide: list[str]) -> None:
    """The zygote's loop: jobs in on stdin (one JSON line each; ``{"kill": token}`` ends a
    job early), results out on stdout as frames it tags with the job they came from.

    Out: a JSON header line, ``{"job": token, "n": size}`` followed by ``size`` bytes that
    child sent on its own pipe; ``{"job": token, "exit": how, "violation": why}`` when it
    ended; ``{"alive": true}`` now and then. What a child sends is forwarded, not read: the
    grading process deframes and checks it (:mod:`autograder.channel`). The zygote enforces
    what a child cannot be trusted to: its wall-clock limit, how much it may send, how many
    processes it may have and how much memory they hold together (:class:`Watchdog`).
    """
    warm_up(WARM_MODULES)
    if any(name.startswith("solutions") for name in sys.modules):
        raise RuntimeError("the zygote must never import solutions/")
    block_reference_imports()
    level, reason = probe_isolation(hide)
    namespaces = level == FULL
    _libc().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # an escaped orphan comes back here
    out = _Output()
    out.send({"ready": True, "pid": os.getpid(), "isolation": level, "reason": reason})
    pending: list[dict] = []
    running: dict[int, dict] = {}  # pid -> {job, fd, sent, deadline, violation...}
    selector = selectors.DefaultSelector()
    os.set_blocking(0, False)
    selector.register(0, selectors.EVENT_READ, "stdin")
    stdin_open, inbox = True, bytearray()
    watchdog = Watchdog()
    last_said = time.monotonic()
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
                "pid": pid,
                "job": job,
                "fd": read_fd,
                "sent": 0,
                "limit": job.get("child_bytes", channel.CHILD_BYTES),
                "deadline": time.monotonic() + job.get("seconds", NOTEBOOK_SECONDS),
            }
            selector.register(read_fd, selectors.EVENT_READ, pid)
        for key, _ in selector.select(timeout=0.2):
            if key.data == "stdin":
                try:
                    chunk = os.read(0, 1 << 20)
                except BlockingIOError:
                    continue
                if not chunk:
                    stdin_open = False
                    selector.unregister(0)
                inbox += chunk
                *lines, rest = inbox.split(b"\n")
                inbox = bytearray(rest)
                for line in lines:
                    if line.strip():
                        request = json.loads(line)
                        if "kill" in request:
                            _kill_job(running, request["kill"], request.get("why", ""))
                        else:
                            pending.append(request)
                continue
            state = running.get(key.data)
            if state is not None and not _forward(state, out) and state.get("closed"):
                selector.unregister(state["fd"])  # at its end: select would return at once
                state["unregistered"] = True
        for pid, why in watchdog.check(running):
            running[pid].setdefault("violation", why)
            _kill_tree(running[pid], running)
        now = time.monotonic()
        for state in running.values():
            if now > state["deadline"] and not state.get("timed_out"):
                _kill_tree(state, running)
                state["timed_out"] = True
        while running:  # reap every ended child; an escaped orphan too (we are its reaper)
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            state = running.pop(pid, None)
            if state is None:
                continue
            state["reaped"] = True  # its pid may be reused from now on: never signal it
            _drain(state, out)
            _kill_orphans(running)  # what it left behind came to us: its subreaper
            if not state.get("unregistered"):
                selector.unregister(state["fd"])
            os.close(state["fd"])
            out.send(
                {
                    "job": state["job"]["token"],
                    "exit": _describe(status, state.get("timed_out")),
                    "violation": state.get("violation", ""),
                }
            )
            last_said = time.monotonic()
        if time.monotonic() - last_said > HEARTBEAT_SECONDS:
            out.send({"alive": True, "running": len(running), "pending": len(pending)})
            last_said = time.monotonic()


class _Output:
    """The zygote's stdout: header lines, each perhaps followed by raw bytes."""

    def send(self, header: dict, payload: bytes = b"") -> None:
        data = json.dumps(header).encode() + b"\n" + payload
        view = memoryview(data)
        while view:
            view = view[os.write(1, view) :]


def _forward(state: dict, out: _Output) -> bool:
    """Pass on what one child sent since the last call; False once its pipe is empty."""
    if state.get("closed"):
        return False
    try:
        chunk = os.read(state["fd"], 1 << 20)
    except BlockingIOError:
        return False
    if not chunk:
        state["closed"] = True
        return False
    state["sent"] += len(chunk)
    if state["sent"] > state["limit"]:
        state.setdefault(
            "violation",
            f"the notebook's process sent more than {state['limit'] // 2**20} MiB of results",
        )
        state["closed"] = True
        _kill_tree(state)
        return False
    out.send({"job": state["job"]["token"], "n": len(chunk)}, chunk)
    return True


def _drain(state: dict, out: _Output) -> None:
    """Forward what an ended child left in its pipe (without waiting for a descendant that
    still holds it open)."""
    while _forward(state, out):
        pass


def _kill_job(running: dict, token, why: str) -> None:
    """End a job the grading process gave up on (its messages broke the protocol)."""
    for state in running.values():
        if state["job"]["token"] == token:
            state.setdefault("violation", why or "stopped by the grading process")
            state["closed"] = True
            _kill_tree(state, running)


class Watchdog:
    """Counts each child's processes (it and all its descendants, which cannot leave its
    tree: it is their subreaper) and the memory they hold together (proportional set size,
    so what they share with the zygote counts once). A child over :data:`MAX_PROCESSES` or
    over its memory limit in all is killed with all its processes, and flagged."""

    def __init__(self):
        self.last = 0.0

    def check(self, running: dict) -> list[tuple[int, str]]:
        now = time.monotonic()
        if now - self.last < WATCH_SECONDS or not running:
            return []
        self.last = now
        _kill_orphans(running)
        over = []
        for pid, state in running.items():
            if state.get("killed"):
                continue
            tree = descendants(pid)
            limit = state["job"].get("processes", MAX_PROCESSES)
            if len(tree) > limit:
                over.append((pid, f"the notebook started more than {limit} processes at once"))
                continue
            memory = state["job"].get("memory", MEMORY_BYTES)
            held = sum(_pss(p) for p in tree)
            if held > memory:
                over.append(
                    (
                        pid,
                        f"the notebook's processes held {held / 2**30:.1f} GiB together"
                        f" (the limit is {memory / 2**30:.1f} GiB)",
                    )
                )
        return over


def descendants(pid: int, depth: int = 10_000) -> set[int]:
    """``pid`` and every process under it, ``depth`` levels down (from
    /proc/<pid>/task/*/children)."""
    seen, todo = set(), [(pid, 0)]
    while todo:
        current, level = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        if level >= depth:
            continue
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children") as f:
                    todo.extend((int(c), level + 1) for c in f.read().split())
            except (OSError, ValueError):
                pass
    return seen


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _kill_tree(state: dict, running: dict | None = None) -> None:
    """Kill a running child and every process under it, again until none is left (a fork
    bomb forks while being killed); what its death orphans comes to the zygote and is killed
    as an orphan."""
    state["killed"] = True
    if state.get("reaped"):
        return
    pid = state["pid"]
    for _ in range(50):
        tree = descendants(pid)
        for target in tree:
            try:
                os.kill(target, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if running is not None:  # (without the running jobs, every child looks orphaned)
            _kill_orphans(running)
        if not any(_alive(p) for p in tree if p != pid):
            break
        time.sleep(0.01)


def _kill_orphans(running: dict) -> None:
    """Kill the zygote's children that are no job's first process: descendants of a job
    whose parent died were handed to the zygote (their subreaper) and belong to no one."""
    known = set(running)
    for child in descendants(os.getpid(), depth=1) - {os.getpid()}:
        if child not in known and _alive(child):
            for target in descendants(child):
                try:
                    os.kill(target, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


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
    violation: str = ""  # why its process was stopped: a broken protocol or a limit

    @property
    def last_cell(self) -> int:
        return max(self.cells, default=-1)


STALL_SECONDS = 120.0  # the zygote says it is alive every 2 s: this long silent, it is stuck


class _Reader:
    """The zygote's stdout, a header line at a time, each with the bytes it announces."""

    def __init__(self, stream, stall_seconds: float):
        self.fd = stream.fileno()
        self.buffer = bytearray()
        self.stall_seconds = stall_seconds

    def _fill(self) -> None:
        ready, _, _ = select.select([self.fd], [], [], self.stall_seconds)
        if not ready:
            raise RuntimeError(
                f"the grading sandbox is stuck: no word from it for {self.stall_seconds:g} s"
            )
        chunk = os.read(self.fd, 1 << 20)
        if not chunk:
            raise RuntimeError("the grading sandbox stopped unexpectedly")
        self.buffer += chunk

    def next(self) -> tuple[dict, bytes]:
        while (end := self.buffer.find(b"\n")) < 0:
            self._fill()
        header = json.loads(bytes(self.buffer[:end]))
        del self.buffer[: end + 1]
        size = header.get("n", 0)
        while len(self.buffer) < size:
            self._fill()
        payload = bytes(self.buffer[:size])
        del self.buffer[:size]
        return header, payload


class _Running:
    """One job in the sandbox, as the grading process sees it: what its own pipe brought."""

    def __init__(self, job: dict, token: int):
        self.job, self.token = job, token
        self.execution = Execution(job["id"])
        self.started = time.perf_counter()
        self.frames = channel.Deframer()
        self.code_cells = {i for i, c in enumerate(job["cells"]) if _is_code(c)}
        self.broken = ""

    def receive(self, payload: bytes) -> str:
        """Take in bytes from the child; the reason it must be stopped, if it broke the
        protocol (the first time only)."""
        if self.broken:
            return ""
        try:
            for message in self.frames.feed(payload):
                self._take(channel.validate(message, self.code_cells, self.execution.last_cell))
        except channel.ChannelError as error:
            self.broken = f"the notebook's process sent a malformed result: {error}"
            self.frames = None
            return self.broken
        return ""

    def _take(self, message: dict) -> None:
        execution = self.execution
        if execution.finished:
            raise channel.ChannelError("a message after the last one")
        if "cell" in message:
            execution.cells[message["cell"]] = {
                "outputs": message["outputs"],
                "records": message["records"],
            }
        elif "isolation" in message:  # the child's first message: it has started
            execution.isolation = message["isolation"]
            self.started = time.perf_counter()
        elif "finished" in message:
            execution.finished = True
        elif "crash" in message:
            execution.crash = message["crash"]

    def ended(self, exit: str, violation: str) -> Execution:
        execution = self.execution
        execution.exit = exit
        execution.violation = self.broken or violation
        if execution.violation:
            execution.finished = False  # nothing it said after breaking the rules counts
        execution.seconds = time.perf_counter() - self.started
        return execution


def _is_code(cell) -> bool:
    return isinstance(cell, dict) and cell.get("cell_type") == "code"


def zygote_environment() -> dict[str, str]:
    """The zygote's environment: the allow-list, and what Python needs to find the course
    (its children rebuild theirs from the allow-list again, :func:`child_environment`)."""
    keep = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONNOUSERSITE", "ITLM_ISOLATION")
    return {**allowed_environment(), **{k: os.environ[k] for k in keep if k in os.environ}}


class Pool:
    """A zygote with ``workers`` parallel children; feed it jobs, read executions back."""

    def __init__(self, workers: int | None = None, hide: Iterable[Path] = ()):
        self.workers = workers or default_workers()
        # Job tokens, and the reader of the zygote's output, kept across runs (what arrived
        # after one run's last result belongs to the next).
        self._tokens, self._reader = 0, None
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
        env = {**zygote_environment(), **{v: threads for v in THREAD_VARIABLES}}
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0, env=env
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

    def run(self, jobs: list[dict], stall_seconds: float = STALL_SECONDS) -> Iterator[Execution]:
        """Run jobs ({"id", "cells", optional "skip", "until", "optional", "seconds",
        "cell_seconds"});
        yield each as it ends.

        Jobs are fed as workers free up, by a thread of their own, while this one reads
        results: neither side ever waits for the other to read. What a child sent is
        attributed by the pipe it came on (the zygote's tag), deframed and checked here
        (:mod:`autograder.channel`); a child that breaks the protocol is stopped and flagged
        (:attr:`Execution.violation`), its classmates go on. When the zygote says nothing
        for ``stall_seconds`` (it says it is alive every few seconds), a RuntimeError says so.
        """
        tokens = {}
        for job in jobs:
            self._tokens += 1
            tokens[self._tokens] = _Running(job, self._tokens)
        queue = list(tokens.values())
        feed: Queue = Queue()
        writer = threading.Thread(target=self._write, args=(feed,), daemon=True)
        writer.start()
        in_flight = 0
        if self._reader is None:
            self._reader = _Reader(self.process.stdout, stall_seconds)
        reader = self._reader
        reader.stall_seconds = stall_seconds
        try:
            while queue or in_flight:
                while queue and in_flight < 2 * self.workers:
                    job = queue.pop(0)
                    feed.put({"memory": self.memory, **job.job, "token": job.token})
                    in_flight += 1
                header, payload = reader.next()
                if "job" not in header:
                    continue  # the zygote is alive
                running = tokens.get(header["job"])
                if running is None:
                    continue
                if "n" in header:
                    why = running.receive(payload)
                    if why:
                        feed.put({"kill": running.token, "why": why})
                elif "exit" in header:
                    in_flight -= 1
                    del tokens[running.token]
                    yield running.ended(str(header["exit"]), str(header.get("violation") or ""))
        finally:
            feed.put(None)

    def _write(self, feed: Queue) -> None:
        while (item := feed.get()) is not None:
            try:
                self.process.stdin.write(json.dumps(item).encode() + b"\n")
                self.process.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                return  # the zygote is gone: the reader says so

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
