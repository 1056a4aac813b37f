"""Headless Chromium for the browser tests: Debian's ``chromium`` driven by Playwright.

Nothing is downloaded: Playwright's Python package talks to the system browser
(``/usr/bin/chromium``, installed by ``.ci/run`` from Debian's packages). Screenshots and
other artifacts go to ``build/artifacts/<test module>/`` so CI can keep them.
``jupyterlab`` starts the venv's JupyterLab on localhost in a student's folder.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.handouts import CHROMIUM_ARGS  # flags for a closed network

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "build" / "artifacts"
CHROMIUM = os.environ.get("ITLM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (Playwright, system browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's `chromium` package "
            "(.ci/run does) or set ITLM_CHROMIUM to a Chromium binary."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def artifacts(request) -> Path:
    """A folder for this test's screenshots: build/artifacts/<module>/<test>/ (emptied first)."""
    folder = ARTIFACTS / request.module.__name__.rsplit(".", 1)[-1] / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@dataclass
class JupyterLab:
    """A running ``jupyter lab`` server (see the ``jupyterlab`` fixture)."""

    url: str  # base URL, ending in "/"
    token: str  # the login token
    root: Path  # the folder it serves: a copy of release/, as in the student bundle
    log: Path  # the server's log (stdout and stderr)

    def lab_url(self, path: str) -> str:
        """The JupyterLab URL that opens ``path`` (relative to ``root``), logging in."""
        return f"{self.url}lab/tree/{path}?token={self.token}"


# JupyterLab settings for the test's own (empty) settings folder, which keeps the developer's
# ~/.jupyter out of the test. Neither is part of what the course gives students.
LAB_TEST_SETTINGS = {
    # Every cell in the DOM, so the test can read outputs without scrolling the notebook
    # ("full", JupyterLab's default, attaches only the cells in view).
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    # No "get notified about Jupyter news?" toast over the screenshots, no request to the web.
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM (the server shuts its kernels down); if it hangs, SIGKILL its process group
    (the server and the kernels it started, all in the session it was started in)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def jupyterlab(tmp_path, artifacts) -> JupyterLab:
    """``jupyter lab`` of this venv on 127.0.0.1 in a student's folder (a copy of release/).

    The server's configuration, data, runtime, settings and workspaces folders are fresh
    temporary ones, so only the venv's setup (JupyterLab, nbgrader's lab and server
    extensions) and ``LAB_TEST_SETTINGS`` apply. Its log is kept as ``jupyterlab.log`` in the
    test's artifacts. The server and its kernels are stopped at the end, also on failure.
    """
    root = tmp_path / "student"
    shutil.copytree(REPO / "release", root / "release")
    home = tmp_path / "jupyter"
    for name, values in LAB_TEST_SETTINGS.items():
        settings = home / "lab-settings" / f"{name}.jupyterlab-settings"
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(json.dumps(values))
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
    }
    token = secrets.token_hex(16)
    command = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        "--no-browser",
        "--allow-root",  # CI containers often run as root
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={_free_port()}",
        "--ServerApp.open_browser=False",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
    ]
    log = artifacts / "jupyterlab.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        url = _wait_for_server(proc, home / "runtime", token, log)
        yield JupyterLab(url=url, token=token, root=root, log=log)
    finally:
        _stop(proc)


def _wait_for_server(proc: subprocess.Popen, runtime: Path, token: str, log: Path) -> str:
    """The server's URL once it answers /api/status (read from its jpserver-<pid>.json)."""
    deadline = time.monotonic() + 60
    url = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        info = runtime / f"jpserver-{proc.pid}.json"
        if url is None and info.exists():
            try:
                url = json.loads(info.read_text())["url"]
            except (ValueError, KeyError):
                pass  # being written
        if url is not None:
            request = urllib.request.Request(
                f"{url}api/status", headers={"Authorization": f"token {token}"}
            )
            direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy
            try:
                with direct.open(request, timeout=2):
                    return url
            except OSError:
                pass
        time.sleep(0.2)
    pytest.fail(f"jupyter lab did not answer within 60 s:\n{log.read_text()[-3000:]}")
