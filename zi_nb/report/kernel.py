"""Jupyter kernels for report notebooks, on IPC sockets in a private folder (no TCP port, nothing another local user
could connect to, and no "running over TCP without encryption" warning).

:class:`Kernel` starts, runs code in, restarts and kills one kernel; :func:`fresh_kernel` gives a new one for one
notebook (``zi-nb report``, ``audit replay``, the bulk summary page). The warm workers of ``zi-nb bulk``
(:mod:`zi_nb.bulk.warm`) build on :class:`Kernel` to reuse it for many units.

A kernel start is tried :data:`START_ATTEMPTS` times, each with a longer wait (:data:`STARTUP_TIMEOUT` seconds, then
twice that...): on a loaded 2-core machine a kernel can need longer than usual to answer its first request, and that
must not fail a report. When every attempt fails, :class:`zi_nb.errors.WorkerError` says so in one sentence.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jupyter_core.utils import run_sync

from zi_nb.common.resources import notebook
from zi_nb.errors import WorkerError

IPC_PREFIX = "zi-nb-kernel-"
STARTUP_TIMEOUT = 60.0  # seconds for the first attempt to answer kernel_info; doubled for each further attempt
START_ATTEMPTS = 3
NOTEBOOK_DIR = str(notebook("unit_report").parent)  # the working directory of every report kernel


def _kernel_manager_class() -> type:
    from jupyter_client import AsyncKernelManager
    from jupyter_client.asynchronous import AsyncKernelClient

    class WarmKernelClient(AsyncKernelClient):
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

    class WarmKernelManager(AsyncKernelManager):
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



class Kernel:
    """One Jupyter kernel (``python3``) on IPC sockets in a private folder, with a blocking client of its own.

    Attributes:
        km: the kernel manager (hand it to papermill as ``km=``); None while no kernel runs.
        kc: this object's own client, for :meth:`execute`.
        ipc_dir: the private folder of the kernel's sockets and connection file.
        restarts: how often the kernel was started again.
    """

    def __init__(self, startup_timeout: float = STARTUP_TIMEOUT, attempts: int = START_ATTEMPTS) -> None:
        self.startup_timeout = startup_timeout
        self.attempts = max(1, attempts)
        self.km: Any = None
        self.kc: Any = None
        self.ipc_dir: str | None = None
        self.restarts = 0

    def start(self) -> None:
        """Start the kernel and wait until it answers, trying again with a longer wait when it does not."""
        errors: list[str] = []
        for attempt in range(self.attempts):
            timeout = self.startup_timeout * (2 ** attempt)
            try:
                self._start_once(timeout)
                return
            except (RuntimeError, TimeoutError, WorkerError, OSError) as exc:
                self.close()
                errors.append(str(exc).strip().rstrip(".") or type(exc).__name__)
        raise WorkerError(f"Kernel Jupyter tidak dapat dimulai setelah {self.attempts} kali percobaan (menunggu "
                          f"hingga {self.startup_timeout * (2 ** (self.attempts - 1)):.0f} detik; terakhir: "
                          f"{errors[-1]}). Periksa beban mesin dan paket ipykernel.")

    def _start_once(self, timeout: float) -> None:
        from jupyter_client import BlockingKernelClient

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
        kc.wait_for_ready(timeout=timeout)
        self.on_start(timeout)

    def on_start(self, timeout: float) -> None:
        """Called once the kernel answers (subclasses run their warm-up code here)."""

    def close(self) -> None:
        """Stop the kernel and remove its folder (safe to call twice, or on a dead kernel)."""
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

    def is_alive(self) -> bool:
        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def kill_kernel(self) -> None:
        """Kill the kernel and whatever it started at once (its process group); from any thread."""
        pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
        if pid:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)  # the kernel leads its own session (jupyter_client)

    def execute(self, code: str, timeout: float) -> None:
        """Run ``code`` in the kernel; :class:`WorkerError` when it fails, does not answer within ``timeout`` or
        dies meanwhile (checked twice a second, so a killed kernel is not waited for until the timeout)."""
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


@contextlib.contextmanager
def fresh_kernel() -> Iterator[Kernel]:
    """A new kernel for one notebook, closed afterwards (like papermill's own kernel, but on IPC sockets)."""
    kernel = Kernel()
    kernel.start()
    try:
        yield kernel
    finally:
        kernel.close()


def remove_stale_ipc_dirs() -> int:
    """Remove the kernel folders of processes that no longer exist (killed before they could clean up)."""
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(f"{IPC_PREFIX}*-*"):
        pid = folder.name[len(IPC_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or not folder.is_dir():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
        except OSError:  # exists, someone else's
            pass
    return removed
