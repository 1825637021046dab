"""Executors of ``zi-nb bulk``: where the plan and unit tasks run.

``local``: a pool of worker processes on this machine (spawned; each starts its warm kernel at once and ignores
Ctrl-C, which the parent handles). ``dask``: a dask.distributed cluster, a local one (``workers`` processes, one
thread each) or an existing one (``scheduler``); each worker thread keeps its own warm kernel
(:func:`zi_nb.bulk.warm.acquire_worker`). Both hand out only a few units at a time (:meth:`window`), so that after
Ctrl-C only those finish.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zi_nb.errors import ZiError


class LocalExecutor:
    """Worker processes on this machine (spawned, Ctrl-C ignored: the parent decides), one warm kernel each."""

    owns_workers = True

    def __init__(self, workers: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from zi_nb.bulk.warm import init_process

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


def make_executor(options: Any) -> LocalExecutor | DaskExecutor:
    """The executor a run's options ask for (:class:`zi_nb.bulk.run.BulkOptions`)."""
    if options.executor == "dask":
        return DaskExecutor(options.workers, options.scheduler)
    return LocalExecutor(options.workers)
