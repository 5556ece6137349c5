"""Helpers for the kit's real-browser tests: headless Chromium through Playwright, and JupyterLab on loopback.

The browser is Debian's `chromium` (installed by `make setup` as root with apt) driven by the `playwright`
package (requirements.txt), launched with `executable_path`, so Playwright never downloads a browser of its own.
Where neither that nor a browser of Playwright's own (`playwright install chromium`) is there, or it cannot
start, the test is skipped with the reason. Nothing here reaches past this machine: the pages are local files
and a JupyterLab bound to 127.0.0.1, and the browser runs with its background networking turned off.
Every process started here (the browser, JupyterLab, its kernels) is ended by its id when the test ends.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"  # screenshots of the browser tests; git-ignored
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
HOW_TO_GET_ONE = ("`make setup` brings both: playwright from requirements.txt, and Debian's chromium as root with "
                  "apt; elsewhere `pip install -r requirements.txt` and install a Chromium (`apt-get install chromium`, "
                  "or `python -m playwright install chromium`; JAXKIT_CHROMIUM may name its executable)")


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


def _system_chromium() -> str | None:
    for candidate in (os.environ.get("JAXKIT_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium",
                      shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def chromium_executable(playwright) -> str | None:
    """JAXKIT_CHROMIUM, else Debian's chromium, else a browser Playwright installed itself."""
    found = _system_chromium()
    if found is not None:
        return found
    try:
        own = playwright.chromium.executable_path
    except Exception:  # noqa: BLE001 - no browser of Playwright's own either
        return None
    return own if own and os.access(own, os.X_OK) else None


def require_browser() -> None:
    """Skip now, before anything is started, where no browser test can run."""
    sync_api = pytest.importorskip("playwright.sync_api", reason=f"no playwright package: {HOW_TO_GET_ONE}")
    if _system_chromium() is None:
        with sync_api.sync_playwright() as playwright:
            if chromium_executable(playwright) is None:
                pytest.skip(f"no Chromium on this machine: {HOW_TO_GET_ONE}")


@contextlib.contextmanager
def chromium(profile: Path, **context_options):
    """A fresh headless Chromium (its own profile folder) as a Playwright BrowserContext, or a skip."""
    sync_api = pytest.importorskip("playwright.sync_api", reason=f"no playwright package: {HOW_TO_GET_ONE}")
    with sync_api.sync_playwright() as playwright:
        executable = chromium_executable(playwright)
        if executable is None:
            pytest.skip(f"no Chromium on this machine: {HOW_TO_GET_ONE}")
        try:
            context = playwright.chromium.launch_persistent_context(
                str(profile), executable_path=executable, headless=True, args=CHROMIUM_ARGS, timeout=60_000,
                **context_options)
        except sync_api.Error as exc:
            pytest.skip(f"Chromium ({executable}) could not be started: {str(exc).strip().splitlines()[0]}")
        try:
            yield context
        finally:
            context.close()


# ----------------------------------------------------------------------------------------------- JupyterLab
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state, ppid, ...), or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def descendants(pid: int) -> list[tuple[int, str]]:
    """Every process below `pid` as (pid, start time): the start time tells a reused pid from ours."""
    parents: dict[int, list[tuple[int, str]]] = {}
    for entry in Path("/proc").iterdir():
        fields = _stat(int(entry.name)) if entry.name.isdigit() else None
        if fields:
            parents.setdefault(int(fields[1]), []).append((int(entry.name), fields[19]))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child[0])
    return found


def end(processes: list[tuple[int, str]]) -> None:
    """SIGKILL each (pid, start time) that is still that same process and not a zombie."""
    for pid, started in processes:
        fields = _stat(pid)
        if fields and fields[19] == started and fields[0] != "Z":
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


class JupyterLab:
    """JupyterLab 4 from this interpreter's environment on 127.0.0.1, a free port and a random token, with the
    student-side configuration (JUPYTER_CONFIG_DIR=exercises/jupyter) and everything it writes in `state`."""

    def __init__(self, notebook_dir: Path, state: Path, config_dir: Path = ROOT / "exercises" / "jupyter"):
        self.notebook_dir, self.state, self.config_dir = notebook_dir, state, config_dir
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = state / "jupyterlab.log"

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}?token={self.token}"

    def start(self, timeout: float = 120.0) -> None:
        for name in ("data", "runtime", "workspaces", "user-settings", "home"):
            (self.state / name).mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
        env.update(JUPYTER_CONFIG_DIR=str(self.config_dir), JUPYTER_DATA_DIR=str(self.state / "data"),
                   JUPYTER_RUNTIME_DIR=str(self.state / "runtime"), IPYTHONDIR=str(self.state / "home" / "ipython"),
                   JUPYTER_PLATFORM_DIRS="1", JAX_PLATFORMS="cpu", PYTHONDONTWRITEBYTECODE="1")
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
                   "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                   f"--ServerApp.root_dir={self.notebook_dir}",
                   f"--LabApp.workspaces_dir={self.state / 'workspaces'}",
                   f"--LabApp.user_settings_dir={self.state / 'user-settings'}",
                   "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                   "--LabApp.extension_manager=readonly",  # no listing of extensions from a package index
                   "--ServerApp.shutdown_no_activity_timeout=900", "--MappingKernelManager.cull_idle_timeout=900"]
        if os.geteuid() == 0:  # CI and this kit's machines run as root; JupyterLab refuses without the flag
            command.append("--allow-root")
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, cwd=self.notebook_dir, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.process.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=5) as reply:
                    if reply.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"JupyterLab did not answer within {timeout:g} s:\n{self.tail()}")

    def tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Shut JupyterLab down through its API (it ends its kernels), then end whatever is left by id."""
        if self.process is None:
            return
        started = descendants(self.process.pid)  # its kernels, and the kernel of a validation
        if self.process.poll() is None:
            try:
                request = urllib.request.Request(self.url("api/shutdown"), method="POST", data=b"")
                urllib.request.urlopen(request, timeout=10).close()
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        end(started)
        self.process = None

    def __enter__(self) -> "JupyterLab":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
