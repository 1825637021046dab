"""Shared fixtures (the rubric, the real workbook, Chromium) and the check that the suite leaves the checkout as it
found it; helpers shared by tests live in tests/helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REAL_LKE, ROOT, ensure_debian_package
from zi_nb.engine.rubric import Rubric, load_rubric


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    return load_rubric("zi-2021")


@pytest.fixture(scope="session")
def real_lke() -> Path:
    # The real workbook is part of the project's shared inputs; its absence is a failure, not a skip.
    assert REAL_LKE.is_file(), f"missing shared input {REAL_LKE}"
    return REAL_LKE


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return ensure_debian_package("chromium", "chromium")


# how the browser tests start Debian's Chromium (headless, no sandbox as root, nothing from the network)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser(chromium_path):
    """Headless Chromium driven by Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


# -- the suite writes nothing into the checkout outside ignored folders ---------------------------------------------
def _checkout_state() -> str | None:
    import subprocess

    try:
        proc = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # the controller only (pytest-xdist workers share the checkout)
        session.config.stash[_CHECKOUT] = _checkout_state()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput") or _CHECKOUT not in session.config.stash:
        return
    before, after = session.config.stash[_CHECKOUT], _checkout_state()
    if before is not None and after is not None and after != before:
        new = sorted(set(after.splitlines()) - set(before.splitlines()))
        print("\nThe test suite changed files in the checkout outside ignored folders:\n" + "\n".join(new))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_CHECKOUT = pytest.StashKey[str | None]()
