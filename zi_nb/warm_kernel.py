"""Kernel housekeeping for the warm workers of :mod:`zi_nb.warm`: the time limit of a unit (:class:`Watchdog`), the
removal of kernel folders left by killed worker processes (:func:`remove_stale_ipc_dirs`; a worker's folder,
``zi-nb-kernel-<pid>-*`` in the temporary directory, holds its kernel's IPC sockets and connection file), and the
end of a pool worker whose parent was killed (:func:`exit_with_parent`)."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

IPC_PREFIX = "zi-nb-kernel-"


class Watchdog:
    """The time limit of one unit: when it passes, the worker's kernel is killed, so whatever waits on it (the reset,
    papermill) stops with an error instead of waiting forever (``seconds`` <= 0: no limit)."""

    def __init__(self, worker: Any, seconds: float) -> None:
        self.seconds = seconds if seconds and seconds > 0 else 0.0
        self.deadline = time.monotonic() + self.seconds
        self.fired = False
        self._timer: threading.Timer | None = None
        if self.seconds:
            self._timer = threading.Timer(self.seconds, self._fire, args=(worker,))
            self._timer.daemon = True
            self._timer.start()

    def _fire(self, worker: Any) -> None:
        self.fired = True
        worker.kill_kernel()

    def remaining(self) -> float | None:
        return max(0.1, self.deadline - time.monotonic()) if self.seconds else None

    def expired(self) -> bool:
        return self.fired or (bool(self.seconds) and time.monotonic() >= self.deadline)

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def remove_stale_ipc_dirs() -> int:
    """Remove the kernel folders of worker processes that no longer exist (killed before they could clean up)."""
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


def exit_with_parent(on_exit: Any, interval: float = 1.0) -> threading.Thread:
    """In a pool worker process: when its parent (``zi-nb bulk``) is gone, killed outright (SIGKILL, out of memory),
    call ``on_exit`` (which ends the kernels) and exit. An idle pool worker would otherwise wait for work forever
    (it holds both ends of its task queue, so the parent's death never reaches it), with its kernel."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        try:
            on_exit()
        finally:
            os._exit(1)

    thread = threading.Thread(target=watch, name="zi-nb-parent-watch", daemon=True)
    thread.start()
    return thread
