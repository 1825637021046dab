"""Housekeeping for the warm workers of :mod:`zi_nb.bulk.warm`: the time limit of a unit (:class:`Watchdog`) and the
end of a pool worker whose parent was killed (:func:`exit_with_parent`). Kernel folders left by killed processes are
removed by :func:`zi_nb.report.kernel.remove_stale_ipc_dirs`."""

from __future__ import annotations

import os
import threading
import time
from typing import Any


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
