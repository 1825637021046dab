"""Warm report workers for ``zi-nb bulk``: one Jupyter kernel and one nbconvert exporter per worker, reused.

Starting a kernel, importing pandas/matplotlib/zi_nb and reading the input take most of the time of a single
``zi-nb report``. A :class:`WarmWorker` starts its kernel once (working directory ``notebooks/``, like papermill's
``--cwd``) and runs every unit's notebook in it through :func:`zi_nb.report.runner.run_report` with ``km=``, the same
code path as ``zi-nb report``. Before each unit the kernel is put back in the state of a fresh one: the user namespace
and the output history are cleared and a new history session starts with the execution counter at 1
(``get_ipython().reset(new_session=True)``), the working directory, the warning filters and matplotlib's settings
are restored. Imported modules stay, and with them the in-process input
cache (:func:`zi_nb.lke.inputs.read_inputs_cached`, keyed by the files' sha256), so an input is read once per kernel.
When a unit asks for a PDF, the worker starts its :class:`zi_nb.report.pdf.PdfPrinter` (one headless Chromium kept
open, which restarts itself if the browser dies) and prints every later PDF with it; :meth:`WarmWorker.stop` (the end
of the process: :func:`close_all`) closes it, and :func:`kill_kernels` kills it with the kernels. Both executors
(the local pool and Dask, :mod:`zi_nb.bulk.executor`) run units through :func:`run_unit`, so a Dask worker keeps its
browser the same way; the printer makes its Playwright calls in a thread of its own, so it does not matter which of
a Dask worker's threads runs the unit.
``tests/bulk/test_run.py`` checks that a unit rendered after others equals the same unit rendered alone.

A unit whose notebook fails, or a kernel that dies or hangs, restarts that worker's kernel; the next unit goes on.
A unit gets at most ``task.timeout`` seconds (``--timeout``): then a watchdog kills the kernel, the unit fails with
a message saying so and the kernel is restarted. A unit whose kernel died (killed, out of memory) is marked
retryable (:mod:`zi_nb.bulk.run` runs it once more). The worker never raises for a unit: it returns a
:class:`UnitOutcome`. Kernel housekeeping (time limit, folders of killed workers, a pool worker whose parent was
killed) is in :mod:`zi_nb.bulk.housekeeping`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zi_nb.bulk.housekeeping import Watchdog, exit_with_parent
from zi_nb.common.files import atomic_path
from zi_nb.errors import WorkerError, ZiError
from zi_nb.report.kernel import STARTUP_TIMEOUT, Kernel
from zi_nb.report.pdf import PdfPrinter
from zi_nb.report.runner import exporter, run_report

STATE_DIR = ".state"
UNIT_TIMEOUT = 300.0  # seconds per unit (zi-nb bulk --timeout); a report takes a few seconds
# The warm kernel keeps no input history: a report notebook never reads it (In/Out/_ still work), and writing every
# cell to IPython's SQLite history cost about a sixth of the kernel's time per unit.
WARMUP_CODE = ("import zi_nb.report.model, zi_nb.report.html, zi_nb.report.charts, zi_nb.engine.improve.plan\n"
               "import zi_nb.bulk.in_kernel\n"
               "get_ipython().history_manager.enabled = False\n"
               "zi_nb.bulk.in_kernel.kernel_snapshot()")
# reset(new_session=True) is %reset -f plus a new history session, in which the execution counter restarts at 1
# (with %reset -f and the counter set back by hand, IPython's history database refuses the repeated line numbers
# and the notebook gets an "ERROR! Session/line number was not unique" output). Then the previous unit's garbage
# is collected (reset collects before it empties the namespace) and what is left, long-lived (modules, the input
# cache), is frozen: later garbage collections skip it instead of walking it again for every unit.
RESET_CODE = ("__import__('zi_nb.bulk.in_kernel', fromlist=['kernel_reset']).kernel_reset()\n"
              "get_ipython().reset(new_session=True)\n"
              "__import__('gc').collect()\n"
              "__import__('gc').freeze()")


@dataclass(frozen=True)
class UnitTask:
    """One report to write: the notebook parameters (already checked), where, and the resume key."""

    unit_id: str
    name: str  # file name stem in out_dir
    params: dict[str, Any]
    out_dir: str
    pdf: bool
    key: str
    docx: bool = False  # also the Word document (<unit>.docx), written by the notebook
    timeout: float = UNIT_TIMEOUT  # seconds for the whole unit; 0 = no limit
    attempt: int = 1  # 2 when run again after its kernel or worker process died


@dataclass
class UnitOutcome:
    unit_id: str
    name: str
    status: str  # "ok" or "failed"
    error: str | None = None
    files: dict[str, str | None] = field(default_factory=dict)  # notebook, html, pdf, docx: names in out_dir
    seconds: float = 0.0
    worker: str = ""
    retry: bool = False  # failed because the kernel or the worker died, not because of the unit: worth one more try


class WarmWorker(Kernel):
    """One kernel, one HTML exporter and (once a unit asks for a PDF) one PDF printer, reused for many units (one
    worker per process or thread)."""

    def __init__(self, startup_timeout: float = STARTUP_TIMEOUT, reset_timeout: float = 120.0,
                 warmup: str = WARMUP_CODE) -> None:
        super().__init__(startup_timeout)
        self.warmup = warmup
        self.reset_timeout = reset_timeout
        self.units = 0
        self.printer: PdfPrinter | None = None  # started by the first unit with a PDF, closed by stop()

    @functools.cached_property
    def exporter(self) -> Any:
        """This worker's HTML exporter (:func:`zi_nb.report.runner.exporter`), made when first needed."""
        return exporter()

    def on_start(self, timeout: float) -> None:
        if self.warmup:
            self.execute(self.warmup, timeout)

    def reset(self, timeout: float | None = None) -> None:
        """The kernel as a fresh one would be for the next notebook (see the module docstring)."""
        timeout = self.reset_timeout if timeout is None else min(timeout, self.reset_timeout)
        if self.km is None:
            self.start()
        elif not self.is_alive():
            self.restart()
        self.execute(RESET_CODE, timeout)

    # one unit
    def run(self, task: UnitTask) -> UnitOutcome:
        """Write one unit's report (notebook, HTML, PDF when asked) and its state file; never raises for the unit."""
        started = time.perf_counter()
        out = Path(task.out_dir)
        state = out / STATE_DIR / f"{task.name}.json"
        state.unlink(missing_ok=True)  # until the new report is complete, the unit counts as not done
        outcome = UnitOutcome(task.unit_id, task.name, "failed", worker=worker_name())
        watchdog = Watchdog(self, task.timeout)
        try:
            self.reset(watchdog.remaining())
            if task.pdf and self.printer is None:
                self.printer = PdfPrinter()  # its browser starts with the first PDF
            files = run_report(task.params, out, pdf=task.pdf, exp=self.exporter, km=self.km, printer=self.printer,
                               docx=task.docx)
            outcome.files = {"notebook": files.notebook.name, "html": files.html.name,
                             "pdf": files.pdf.name if files.pdf else None}
            outcome.files["docx"] = files.docx.name if files.docx else None
            outcome.status = "ok"
        except ZiError as exc:  # the notebook failed (ReportError), PDF printer missing, kernel unusable
            outcome.retry = isinstance(exc, WorkerError)
            outcome.error = f"{exc}; kernel pekerja dimulai ulang." if outcome.retry else str(exc)
        except Exception as exc:
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

    def stop(self) -> None:
        """The worker is done: close its PDF printer (browser) and its kernel. (:meth:`close` alone, also used when
        the kernel restarts, keeps the browser.)"""
        if self.printer is not None:
            self.printer.close()
        self.close()

    def _recover(self) -> None:
        """After a failure the kernel may hold anything (or be dead): start a new one for the next unit."""
        try:
            self.restart()
        except Exception:
            self.close()


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
        worker.stop()


def kill_kernels() -> None:
    """Kill this process's kernels and PDF browsers at once and remove the kernels' folders (the process is about to
    end abruptly)."""
    for worker in _ALL.copy():
        worker.kill_kernel()
        if worker.printer is not None:
            worker.printer.kill()
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
