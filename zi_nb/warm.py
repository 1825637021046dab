"""Warm report workers for ``zi-nb bulk``: one Jupyter kernel and one nbconvert exporter per worker, reused.

Starting a kernel, importing pandas/matplotlib/zi_nb and reading the input take most of the time of a single
``zi-nb report``. A :class:`WarmWorker` starts its kernel once (working directory ``notebooks/``, like papermill's
``--cwd``) and runs every unit's notebook in it through :func:`zi_nb.runner.run_report` with ``km=``, the same code
path as ``zi-nb report``. Before each unit the kernel is put back in the state of a fresh one: the user namespace and
the output history are cleared and a new history session starts with the execution counter at 1
(``get_ipython().reset(new_session=True)``), the working directory, the warning filters and matplotlib's settings
are restored. Imported modules stay, and with them the in-process input
cache (:func:`zi_nb.inputs.read_inputs_cached`, keyed by the files' sha256), so an input is read once per kernel.
``tests/test_bulk.py`` checks that a unit rendered after others equals the same unit rendered alone.

A unit whose notebook fails, or a kernel that dies or hangs, restarts that worker's kernel; the next unit goes on.
A unit gets at most ``task.timeout`` seconds (``--timeout``): then a watchdog kills the kernel, the unit fails with
a message saying so and the kernel is restarted. A unit whose kernel died (killed, out of memory) is marked
retryable (:mod:`zi_nb.bulk` runs it once more). The worker never raises for a unit: it returns a
:class:`UnitOutcome`. Kernel housekeeping (time limit, folders of killed workers, a pool worker whose parent was
killed) is in :mod:`zi_nb.warm_kernel`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import ZiError
from .runner import NOTEBOOK
from .warm_kernel import IPC_PREFIX, Watchdog, exit_with_parent, remove_stale_ipc_dirs
from .xlsx import atomic_path

STATE_DIR = ".state"
UNIT_TIMEOUT = 300.0  # seconds per unit (zi-nb bulk --timeout); a report takes a few seconds
NOTEBOOK_DIR = str(NOTEBOOK.parent)
# The warm kernel keeps no input history: a report notebook never reads it (In/Out/_ still work), and writing every
# cell to IPython's SQLite history cost about a sixth of the kernel's time per unit.
WARMUP_CODE = ("import zi_nb.report, zi_nb.report_html, zi_nb.charts, zi_nb.improve, zi_nb.warm\n"
               "get_ipython().history_manager.enabled = False\n"
               "zi_nb.warm.kernel_snapshot()")
# reset(new_session=True) is %reset -f plus a new history session, in which the execution counter restarts at 1
# (with %reset -f and the counter set back by hand, IPython's history database refuses the repeated line numbers
# and the notebook gets an "ERROR! Session/line number was not unique" output). Then the previous unit's garbage
# is collected (reset collects before it empties the namespace) and what is left, long-lived (modules, the input
# cache), is frozen: later garbage collections skip it instead of walking it again for every unit.
RESET_CODE = ("__import__('zi_nb.warm', fromlist=['kernel_reset']).kernel_reset()\n"
              "get_ipython().reset(new_session=True)\n"
              "__import__('gc').collect()\n"
              "__import__('gc').freeze()")


class WorkerError(ZiError):
    """The kernel of a warm worker could not be started, reset or reached."""


@dataclass(frozen=True)
class UnitTask:
    """One report to write: the notebook parameters (already checked), where, and the resume key."""

    unit_id: str
    name: str  # file name stem in out_dir
    params: dict[str, Any]
    out_dir: str
    pdf: bool
    key: str
    timeout: float = UNIT_TIMEOUT  # seconds for the whole unit; 0 = no limit
    attempt: int = 1  # 2 when run again after its kernel or worker process died


@dataclass
class UnitOutcome:
    unit_id: str
    name: str
    status: str  # "ok" or "failed"
    error: str | None = None
    files: dict[str, str | None] = field(default_factory=dict)  # notebook, html, pdf: names in out_dir
    seconds: float = 0.0
    worker: str = ""
    retry: bool = False  # failed because the kernel or the worker died, not because of the unit: worth one more try


# -- inside the kernel -------------------------------------------------------------------------------------------------
_SNAPSHOT: dict[str, Any] = {}


def kernel_snapshot() -> None:
    """Remember the fresh kernel's warning filters and matplotlib settings (run once, after the imports)."""
    import warnings

    _SNAPSHOT["warnings"] = list(warnings.filters)
    import matplotlib

    # .copy() does not resolve the "auto" backend (reading rcParams["backend"] would import pyplot)
    _SNAPSHOT["rc"] = {k: v for k, v in matplotlib.rcParams.copy().items() if k != "backend"}


def kernel_reset() -> None:
    """Put back what a unit's notebook could have changed besides its namespace (run before each unit)."""
    import warnings

    os.chdir(NOTEBOOK_DIR)
    if "warnings" in _SNAPSHOT:
        warnings.filters[:] = _SNAPSHOT["warnings"]
        warnings.onceregistry.clear()
        getattr(warnings, "_filters_mutated", lambda: None)()  # forget which warnings were already shown
    if "rc" in _SNAPSHOT:
        import matplotlib

        changed = {k: v for k, v in _SNAPSHOT["rc"].items() if matplotlib.rcParams.get(k) != v}
        if changed:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                matplotlib.rcParams.update(changed)
        import sys

        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")


# -- in the worker process -------------------------------------------------------------------------------------------
def _kernel_manager_class() -> type:
    from jupyter_client import AsyncKernelManager
    from jupyter_client.asynchronous import AsyncKernelClient

    class WarmKernelClient(AsyncKernelClient):  # type: ignore[misc]
        """Once ready, stays ready: nbclient waits for a kernel before every notebook (a kernel_info round trip
        plus at least 0.2 s flushing IOPub), which a warm kernel with connected channels does not need."""

        _ready = False

        def start_channels(self, *args: Any, **kwargs: Any) -> None:
            if not self.channels_running:
                super().start_channels(*args, **kwargs)

        async def wait_for_ready(self, timeout: float | None = None) -> None:
            if not self._ready:
                await AsyncKernelClient.wait_for_ready(self, timeout)
                self._ready = True

    class WarmKernelManager(AsyncKernelManager):  # type: ignore[misc]
        """nbclient asks for a client per notebook and, as it does not own the kernel, never closes it: hand out
        the same connected client for every notebook (it ignores replies to other requests by their parent id),
        so a long run neither piles up sockets nor reconnects for each unit."""

        _shared_client: Any = None

        def client(self, **kwargs: Any) -> Any:
            if self._shared_client is None:
                self.client_factory = WarmKernelClient
                self._shared_client = super().client(**kwargs)
            return self._shared_client

    return WarmKernelManager


class WarmWorker:
    """One kernel and one HTML exporter, reused for many units (one worker per process or thread)."""

    def __init__(self, startup_timeout: float = 120.0, reset_timeout: float = 120.0,
                 warmup: str = WARMUP_CODE) -> None:
        self.warmup = warmup
        self.startup_timeout = startup_timeout
        self.reset_timeout = reset_timeout
        self.km: Any = None
        self.kc: Any = None
        self.ipc_dir: str | None = None
        self.units = 0
        self.restarts = 0

    @functools.cached_property
    def exporter(self) -> Any:
        """This worker's HTML exporter (:func:`zi_nb.runner.exporter`), made when first needed."""
        from .runner import exporter

        return exporter()

    # kernel lifecycle
    def start(self) -> None:
        from jupyter_client import BlockingKernelClient
        from jupyter_core.utils import run_sync

        # IPC sockets in a private folder: no TCP port, nothing reachable from the network
        remove_stale_ipc_dirs()
        self.ipc_dir = tempfile.mkdtemp(prefix=f"{IPC_PREFIX}{os.getpid()}-")
        km = _kernel_manager_class()(kernel_name="python3", transport="ipc", ip=os.path.join(self.ipc_dir, "k"),
                                     connection_file=os.path.join(self.ipc_dir, "kernel.json"))
        run_sync(km.start_kernel)(cwd=NOTEBOOK_DIR)
        self.km = km
        kc = BlockingKernelClient()
        kc.load_connection_info(km.get_connection_info())
        kc.start_channels()
        self.kc = kc
        try:
            kc.wait_for_ready(timeout=self.startup_timeout)
            if self.warmup:
                self._execute(self.warmup, self.startup_timeout)
        except (RuntimeError, WorkerError) as exc:
            self.close()
            raise WorkerError(f"Kernel pekerja tidak dapat dimulai: {exc}") from None

    def close(self) -> None:
        from jupyter_core.utils import run_sync

        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km is not None:
            km, self.km = self.km, None
            client = getattr(km, "_shared_client", None)
            if client is not None:
                with contextlib.suppress(Exception):
                    client.stop_channels()
            with contextlib.suppress(Exception):  # already dead: nothing left to stop
                run_sync(km.shutdown_kernel)(now=True)
        if self.ipc_dir:
            shutil.rmtree(self.ipc_dir, ignore_errors=True)
            self.ipc_dir = None

    def restart(self) -> None:
        self.close()
        self.restarts += 1
        self.start()

    def kill_kernel(self) -> None:
        """Kill the kernel and whatever it started at once (its process group); from any thread."""
        pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
        if pid:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)  # the kernel leads its own session (jupyter_client)

    def _execute(self, code: str, timeout: float) -> None:
        """Run ``code`` in the kernel; :class:`WorkerError` when it fails, does not answer within ``timeout`` or
        dies meanwhile (checked twice a second, so a killed kernel is not waited for until the timeout)."""
        import queue

        from jupyter_core.utils import run_sync

        msg_id = self.kc.execute(code, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WorkerError(f"Kernel tidak menjawab dalam {timeout:.0f} detik")
            try:
                reply = self.kc.get_shell_msg(timeout=min(remaining, 0.5))
            except queue.Empty:
                if not run_sync(self.km.is_alive)():
                    raise WorkerError("Kernel berhenti") from None
                continue
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                break
        with contextlib.suppress(queue.Empty):  # outputs and status messages nobody reads
            while True:
                self.kc.get_iopub_msg(timeout=0)
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise WorkerError(f"Kernel gagal menjalankan persiapan ({content.get('ename', 'galat')}: "
                              f"{content.get('evalue', '')})")

    def reset(self, timeout: float | None = None) -> None:
        """The kernel as a fresh one would be for the next notebook (see the module docstring)."""
        timeout = self.reset_timeout if timeout is None else min(timeout, self.reset_timeout)
        if self.km is None:
            self.start()
            return self._execute(RESET_CODE, timeout)
        from jupyter_core.utils import run_sync

        if not run_sync(self.km.is_alive)():
            self.restart()
        self._execute(RESET_CODE, timeout)

    # one unit
    def run(self, task: UnitTask) -> UnitOutcome:
        """Write one unit's report (notebook, HTML, PDF when asked) and its state file; never raises for the unit."""
        from .runner import run_report

        started = time.perf_counter()
        out = Path(task.out_dir)
        state = out / STATE_DIR / f"{task.name}.json"
        state.unlink(missing_ok=True)  # until the new report is complete, the unit counts as not done
        outcome = UnitOutcome(task.unit_id, task.name, "failed", worker=worker_name())
        watchdog = Watchdog(self, task.timeout)
        try:
            self.reset(watchdog.remaining())
            files = run_report(task.params, out, pdf=task.pdf, exp=self.exporter, km=self.km)
            outcome.files = {"notebook": files.notebook.name, "html": files.html.name,
                             "pdf": files.pdf.name if files.pdf else None}
            outcome.status = "ok"
        except ZiError as exc:  # the notebook failed (ReportError), PDF printer missing, kernel unusable
            outcome.retry = isinstance(exc, WorkerError)
            outcome.error = f"{exc}; kernel pekerja dimulai ulang." if outcome.retry else str(exc)
        except Exception as exc:  # noqa: BLE001  (dead kernel: nbclient DeadKernelError, timeouts, I/O errors)
            detail = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
            outcome.error = f"Kernel berhenti atau gagal saat membuat laporan ({detail}); kernel pekerja dimulai ulang."
            outcome.retry = True
        finally:
            watchdog.cancel()
        if outcome.status != "ok" and watchdog.expired():
            outcome.error = (f"Unit '{task.unit_id}' melewati batas waktu {task.timeout:g} detik (--timeout) dan "
                             "dihentikan; kernel pekerja dimulai ulang dan unit lain dilanjutkan. Periksa masukan unit "
                             "ini atau perbesar --timeout.")
            outcome.retry = False  # it would hang again
        if outcome.status != "ok":
            self._recover()
        self.units += 1
        outcome.seconds = round(time.perf_counter() - started, 3)
        if outcome.status == "ok":
            write_state(state, task, outcome)
        return outcome

    def _recover(self) -> None:
        """After a failure the kernel may hold anything (or be dead): start a new one for the next unit."""
        try:
            self.restart()
        except Exception:  # noqa: BLE001  (the next unit tries again: reset starts a kernel when there is none)
            self.close()


@contextlib.contextmanager
def fresh_kernel() -> Iterator[WarmWorker]:
    """A new kernel for one notebook (``zi-nb report``, ``audit replay``, the bulk summary page), closed afterwards.

    Like papermill's own kernel, but on IPC sockets in a private folder instead of TCP ports on localhost: nothing
    another local user or process could connect to, and no "running over TCP without encryption" warning.
    """
    worker = WarmWorker(warmup="")
    worker.start()
    try:
        yield worker
    finally:
        worker.close()


def write_state(path: Path, task: UnitTask, outcome: UnitOutcome) -> None:
    """The small file that says this unit's report is complete and what it was made from (for ``--resume``)."""
    doc = {"unit_id": task.unit_id, "key": task.key, "files": outcome.files, "params": task.params,
           "finished": datetime.now(UTC).isoformat(timespec="seconds"), "seconds": outcome.seconds}
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# -- the workers of this process: one per unit running at once (1 in a pool process, a dask worker's threads) --------
_IDLE: list[WarmWorker] = []
_ALL: list[WarmWorker] = []
_LOCK = threading.Lock()


def acquire_worker() -> WarmWorker:
    """An idle warm worker of this process, or a new one (its kernel starts on first use). Kept in a list rather
    than per thread, so a thread pool that replaces its threads does not leave kernels behind."""
    with _LOCK:
        if _IDLE:
            return _IDLE.pop()
        if not _ALL:
            _register_cleanup()
        worker = WarmWorker()
        _ALL.append(worker)
        return worker


def release_worker(worker: WarmWorker) -> None:
    with _LOCK:
        _IDLE.append(worker)


def close_all() -> None:
    with _LOCK:
        workers = list(_ALL)
        _ALL.clear()
        _IDLE.clear()
    for worker in workers:
        worker.close()


def kill_kernels() -> None:
    """Kill this process's kernels at once and remove their folders (the process is about to end abruptly)."""
    for worker in _ALL.copy():
        worker.kill_kernel()
        if worker.ipc_dir:
            shutil.rmtree(worker.ipc_dir, ignore_errors=True)


def _register_cleanup() -> None:
    import atexit
    from multiprocessing import util

    atexit.register(close_all)
    util.Finalize(None, close_all, exitpriority=20)  # pool workers leave through os._exit: atexit does not run


def init_process() -> None:
    """Initializer of the local pool's worker processes: Ctrl-C is the parent's to handle (it lets running units
    finish, so no report is cut in half), and the kernel starts right away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent(kill_kernels)
    worker = acquire_worker()
    with contextlib.suppress(Exception):  # else reported by the first unit (reset starts the kernel again)
        worker.start()
    release_worker(worker)


def run_unit(task: UnitTask) -> UnitOutcome:
    """Task function for the executors (process pool or dask): run one unit on a warm kernel of this process."""
    worker = acquire_worker()
    try:
        return worker.run(task)
    finally:
        release_worker(worker)
