"""Executors of ``zi-nb bulk``: where the plan and unit tasks run, behind one protocol (:class:`Executor`).

The bulk core (:mod:`zi_nb.bulk.run`) only submits task functions and reads their futures, as an httpx client only
sends requests through its transport: :class:`InlineExecutor` runs every task at once in the calling thread (no
process, no kernel; a ``handler`` may stand in for the task functions), which makes the core testable in
milliseconds.

``local``: a pool of worker processes on this machine (spawned; each starts its warm kernel at once and ignores
Ctrl-C, which the parent handles). ``dask``: a dask.distributed cluster, a local one (``workers`` processes, one
thread each) or an existing one (``scheduler``); each worker thread keeps its own warm kernel
(:func:`zi_nb.bulk.warm.acquire_worker`). Both hand out only a few units at a time (:meth:`window`), so that after
Ctrl-C only those finish.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any, Protocol, runtime_checkable

from zi_nb.bulk.warm import init_process
from zi_nb.errors import ZiError

Task = Callable[..., Any]


@runtime_checkable
class Executor(Protocol):
    """Where the tasks of a bulk run execute.

    Attributes:
        owns_workers: True when the workers live and die with this executor (a local pool, a local Dask cluster);
            False for an existing cluster that other runs may share (then temporary files are not removed at the
            end: a worker of another run might be writing them).
    """

    owns_workers: bool

    def submit(self, fn: Task, *args: Any) -> Any:
        """Start ``fn(*args)`` somewhere; return a future (``done``, ``cancelled``, ``result``,
        ``add_done_callback``, as :class:`concurrent.futures.Future` or a Dask future)."""
        ...

    def window(self) -> int:
        """How many unit tasks may be submitted and unfinished at once (the rest wait in the run's queue)."""
        ...

    def cancel(self, futures: list[Any]) -> None:
        """Cancel the futures that have not started (after Ctrl-C)."""
        ...

    def close(self, force: bool = False) -> None:
        """Release the workers; ``force``: do not wait for running tasks."""
        ...


class InlineExecutor:
    """Runs each task in the calling thread when it is submitted: no process, no kernel.

    ``handler(fn, *args)``, when given, runs instead of ``fn(*args)`` (a test's stand-in for the report task, as
    httpx's ``MockTransport`` stands in for the network). An exception becomes the future's exception, as a worker's
    would. ``submitted`` records every ``(fn, args)`` in order; ``window`` is the number of units in flight.
    """

    owns_workers = True

    def __init__(self, handler: Callable[..., Any] | None = None, window: int = 2) -> None:
        self.handler = handler
        self._window = window
        self.submitted: list[tuple[Task, tuple[Any, ...]]] = []
        self.closed = False

    def submit(self, fn: Task, *args: Any) -> Future[Any]:
        self.submitted.append((fn, args))
        future: Future[Any] = Future()
        future.set_running_or_notify_cancel()
        try:
            future.set_result(self.handler(fn, *args) if self.handler else fn(*args))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def window(self) -> int:
        return self._window

    def cancel(self, futures: Iterable[Any]) -> None:
        for f in futures:
            f.cancel()

    def close(self, force: bool = False) -> None:
        self.closed = True


class LocalExecutor:
    """Worker processes on this machine (spawned, Ctrl-C ignored: the parent decides), one warm kernel each."""

    owns_workers = True

    def __init__(self, workers: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        self._new_pool = lambda: ProcessPoolExecutor(max_workers=workers, initializer=init_process,
                                                     mp_context=multiprocessing.get_context("spawn"))
        self.pool = self._new_pool()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Submit a task; when a worker process died (the pool is broken: its running units are reported failed),
        go on with a new pool."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self.pool.submit(fn, *args)
        except BrokenProcessPool:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._new_pool()
            return self.pool.submit(fn, *args)

    def window(self) -> int:
        """Units handed to the pool at once: one running per worker and one waiting (the pool's own queue)."""
        return self.workers + 1

    def cancel(self, futures: list[Any]) -> None:
        for f in futures:
            f.cancel()

    def close(self, force: bool = False) -> None:
        if force:
            for process in list((getattr(self.pool, "_processes", None) or {}).values()):
                process.kill()
        self.pool.shutdown(wait=True, cancel_futures=True)


CONNECT_TIMEOUT = 30  # seconds to reach an existing Dask scheduler (--scheduler)


class DaskExecutor:
    """A dask.distributed cluster: a local one (``workers`` processes, one thread each) or ``scheduler``."""

    def __init__(self, workers: int, scheduler: str = "") -> None:
        import logging

        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ZiError("--executor dask memerlukan paket 'distributed': pip install 'zi-nb[dask]' (juga di setiap "
                          "mesin pekerja).") from None

        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT}s")
            except (OSError, ValueError, TypeError) as exc:  # unreachable, refused, or not an address at all
                raise ZiError(f"Penjadwal Dask '{scheduler}' tidak dapat dihubungi dalam {CONNECT_TIMEOUT} detik "
                              f"({type(exc).__name__}: {exc}). Periksa alamat --scheduler (mis. tcp://10.0.0.5:8786) "
                              "dan bahwa `dask scheduler` serta pekerjanya berjalan.") from None
            try:  # units sent to a scheduler without workers would wait for ever
                self.client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
            except TimeoutError:
                self.client.close()
                raise ZiError(f"Penjadwal Dask '{scheduler}' belum punya pekerja setelah {CONNECT_TIMEOUT} detik; "
                              f"mulai `dask worker {scheduler}` di mesin pekerja (dengan zi-nb terpasang).") from None
        else:
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        self.owns_workers = self.cluster is not None
        self._window: int | None = None

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.client.submit(fn, *args, pure=False)

    def window(self) -> int:
        """Units handed to the scheduler at once: two per worker thread of the cluster (counted once)."""
        if self._window is None:
            self._window = max(2, 2 * sum(self.client.nthreads().values()))
        return self._window

    def cancel(self, futures: list[Any]) -> None:
        if futures:
            self.client.cancel(futures)

    def close(self, force: bool = False) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(options: Any) -> Executor:
    """The executor a run's options ask for (:class:`zi_nb.bulk.run.BulkOptions`)."""
    if options.executor == "dask":
        return DaskExecutor(options.workers, options.scheduler)
    return LocalExecutor(options.workers)
