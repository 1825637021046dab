"""The version of zi-nb (read by the build from here, and by reports and resume keys), and the versions of the
packages a report depends on (shown in its provenance and kept in run manifests)."""

from __future__ import annotations

import importlib.metadata as md
import sys
from functools import lru_cache

__version__ = "0.1.0"
# the packages whose versions a report and a run manifest name
PACKAGES = ["pandas", "numpy", "papermill", "nbconvert", "matplotlib", "openpyxl", "ipywidgets"]


@lru_cache(maxsize=1)
def _installed_versions() -> tuple[tuple[str, str], ...]:
    """Looked up once per process: the installed packages do not change under a running kernel."""
    versions = {"zi-nb": __version__, "python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = "-"
    return tuple(versions.items())


def package_versions() -> dict[str, str]:
    """zi-nb, Python and :data:`PACKAGES` with their installed versions (``-`` when one is missing)."""
    return dict(_installed_versions())
