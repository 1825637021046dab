"""Running the real team server in the tests and the benchmark: free ports, waiting for the hub, looking at the
processes left behind, and where the browser test puts its screenshots."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from zi_nb.app.serve import free_port

__all__ = ["SHOTS", "free_port", "safe_cmd", "wait_hub"]

SHOTS = Path("/tmp/zi")  # the browser test's screenshots


def wait_hub(base: str, process: Any, log: Path, timeout: float = 60,
             fail: Callable[[str], NoReturn] | None = None) -> None:
    """Wait until the ledger service answers through the hub's proxy at ``base``; ``fail`` (default: the test
    fails) with the end of the hub's ``log`` when the hub ``process`` stops or ``timeout`` seconds pass."""
    import requests

    if fail is None:
        import pytest

        fail = pytest.fail
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            fail("hub berhenti:\n" + log.read_text()[-3000:])
        try:
            if requests.get(f"{base}/services/zi-ledger/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    fail("hub tidak siap:\n" + log.read_text()[-3000:])


def safe_cmd(process: Any) -> bool:
    """Whether the command line of a psutil ``process`` can be read (it may be gone, or not ours to read)."""
    try:
        return bool(process.cmdline())
    except Exception:
        return False
