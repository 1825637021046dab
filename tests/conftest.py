"""Shared fixtures: the rubric, paths to the shared real workbook, and answer builders."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REAL_LKE, ensure_debian_package
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
