"""The kernel manager of ``zi-nb serve`` (inside the voila process): a page's kernel is stopped once its page is gone.

Voila's own release, a shutdown beacon the page sends on ``beforeunload``, is refused by voila 0.5 itself (the page
carries no ``_xsrf`` cookie: "403 '_xsrf' argument missing from POST"), and a crashed browser sends nothing; so
every page load left a kernel running. Here the kernel's websocket is the signal: when the last connection to a
kernel closes and none comes back within :attr:`PageKernelManager.release_after` seconds (room for a reconnect after
a network blip), the kernel is shut down. A kernel never connected (a page request that never opened its widgets,
a preheated kernel still waiting in the pool) is not touched here: the idle culler (``cull_idle_timeout``) takes
the first kind, voila keeps the second.

Voila wraps this class (``--VoilaConfiguration.multi_kernel_manager_class``) with its preheating pool.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Float, TraitError


class PageKernelManager(AsyncMappingKernelManager):
    """``AsyncMappingKernelManager`` that shuts a kernel down when its page has closed."""

    release_after = Float(15.0, config=True,
                          help="Seconds a kernel may stay without any connection, once its page had connected, "
                               "before it is shut down (negative: never).")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.releases: dict[str, asyncio.Task[None]] = {}

    def connections(self, kernel_id: str) -> int:
        try:
            return int(self.kernel_model(kernel_id).get("connections", 0))
        except Exception:  # the kernel is gone
            return 0

    def notify_connect(self, kernel_id: str) -> None:
        super().notify_connect(kernel_id)
        task = self.releases.pop(kernel_id, None)
        if task is not None:
            task.cancel()

    def notify_disconnect(self, kernel_id: str) -> None:
        super().notify_disconnect(kernel_id)
        if self.release_after < 0 or kernel_id not in self or self.connections(kernel_id) > 0:
            return
        old = self.releases.pop(kernel_id, None)
        if old is not None:
            old.cancel()
        self.releases[kernel_id] = asyncio.ensure_future(self.release(kernel_id))

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """The culler, quiet about a kernel still starting (no ``last_activity`` yet: jupyter_server logs a
        traceback for it at every pass)."""
        try:
            await super().cull_kernel_if_idle(kernel_id)
        except TraitError:
            self.log.debug("Kernel %s masih dimulai; belum diperiksa.", kernel_id)

    async def release(self, kernel_id: str) -> None:
        await asyncio.sleep(self.release_after)
        self.releases.pop(kernel_id, None)
        if kernel_id in self and self.connections(kernel_id) == 0:
            self.log.info("Halaman kernel %s sudah ditutup: kernel dihentikan.", kernel_id)
            with contextlib.suppress(KeyError, RuntimeError):
                await self.shutdown_kernel(kernel_id)
