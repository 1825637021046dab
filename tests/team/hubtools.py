"""Running the real team server in the tests and the benchmark: free ports, waiting for the hub, looking at the
processes left behind, and where the browser test puts its screenshots."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from zi_nb.app.serve import free_port

__all__ = ["SHOTS", "free_port", "login", "safe_cmd", "start_server", "token_of", "wait_hub"]

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


def login(base: str, username: str, password: str, timeouts: tuple[float, float] = (10, 30),
          fail: Callable[[str], NoReturn] | None = None) -> Any:
    """A logged-in browser session of ``username`` (the first login sets the password); ``timeouts`` of the login
    page and of the login itself; a refused login fails the test (``fail``: instead, with the message)."""
    import requests

    session = requests.Session()
    session.get(f"{base}/hub/login", timeout=timeouts[0])
    resp = session.post(f"{base}/hub/login", data={"username": username, "password": password,
                                                     "_xsrf": session.cookies.get("_xsrf", path="/hub/")},
                        timeout=timeouts[1], allow_redirects=False)
    if fail is not None and resp.status_code != 302:
        fail(f"login {username} gagal: {resp.status_code} {resp.text[:300]}")
    assert resp.status_code == 302, resp.text[:500]
    return session


def token_of(base: str, session: Any, username: str) -> str:
    """A new API token of ``username`` made with their logged-in ``session``."""
    resp = session.post(f"{base}/hub/api/users/{username}/tokens", json={"note": "test", "expires_in": 600},
                        headers={"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/")}, timeout=10)
    assert resp.status_code == 201, resp.text
    return resp.json()["token"]


def start_server(base: str, username: str, token: str, timeout: float = 90) -> None:
    """Ask the hub to start ``username``'s server and wait until it is ready."""
    import pytest
    import requests

    auth = {"Authorization": f"token {token}"}
    resp = requests.post(f"{base}/hub/api/users/{username}/server", headers=auth, timeout=30)
    assert resp.status_code in (201, 202), resp.text
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        model = requests.get(f"{base}/hub/api/users/{username}", headers=auth, timeout=10).json()
        if model.get("servers", {}).get("", {}).get("ready"):
            return
        time.sleep(0.5)
    pytest.fail(f"server of {username} not ready in {timeout} s")
