"""Run inside a warm report kernel (imported by :data:`zi_nb.bulk.warm.WARMUP_CODE` and ``RESET_CODE``): remember
the fresh kernel's settings once, and put them back before each unit."""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any, cast

from zi_nb.report.kernel import NOTEBOOK_DIR

# -- inside the kernel -------------------------------------------------------------------------------------------------
_SNAPSHOT: dict[str, Any] = {}


def kernel_snapshot() -> None:
    """Remember the fresh kernel's warning filters and matplotlib settings (run once, after the imports)."""
    _SNAPSHOT["warnings"] = list(warnings.filters)
    import matplotlib

    # .copy() does not resolve the "auto" backend (reading rcParams["backend"] would import pyplot)
    _SNAPSHOT["rc"] = {k: v for k, v in matplotlib.rcParams.copy().items() if k != "backend"}


def kernel_reset() -> None:
    """Put back what a unit's notebook could have changed besides its namespace (run before each unit)."""
    os.chdir(NOTEBOOK_DIR)
    if "warnings" in _SNAPSHOT:
        cast("list[Any]", warnings.filters)[:] = _SNAPSHOT["warnings"]  # a list (typeshed: a read-only Sequence)
        warnings.onceregistry.clear()  # type: ignore[attr-defined]  # undocumented, missing from typeshed
        getattr(warnings, "_filters_mutated", lambda: None)()  # forget which warnings were already shown
    if "rc" in _SNAPSHOT:
        import matplotlib

        changed = {k: v for k, v in _SNAPSHOT["rc"].items() if matplotlib.rcParams.get(k) != v}
        if changed:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                matplotlib.rcParams.update(changed)
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")


