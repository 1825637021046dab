"""Files shipped inside the package, found through :mod:`importlib.resources`, never through a checkout's path.

The notebooks and the nbconvert templates stay where the project's layout puts them (``notebooks/``,
``templates/``); ``zi_nb/notebooks`` and ``zi_nb/templates`` are links to them in the checkout, and the wheel and
sdist hold them as package data (``[tool.setuptools.package-data]`` in ``pyproject.toml``). So a checkout, an
editable install and a wheel installed anywhere find the same files here.

    notebook("unit_report")      the LHE notebook papermill executes
    notebook("bulk_summary")     the summary page of ``zi-nb bulk``
    notebook("evaluator")        the evaluator app voila serves
    templates_dir()              nbconvert's extra template folder (``zi_report``)
    rubrics_dir()                the versioned rubrics (``zi-2021.yaml``)
    sample_dir()                 the bundled sample inputs
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

PACKAGE = "zi_nb"


def package_path(*parts: str) -> Path:
    """A file or folder inside the installed package, as a file-system path (papermill, voila and nbconvert need
    real paths; zi-nb is never imported from a zip archive)."""
    found = resources.files(PACKAGE).joinpath(*parts)
    if not isinstance(found, os.PathLike):
        raise TypeError(f"expected str, bytes or os.PathLike object, not {type(found).__name__}")
    return Path(os.fspath(found))


def notebook(name: str) -> Path:
    """The bundled notebook ``name`` (without ``.ipynb``)."""
    return package_path("notebooks", f"{name}.ipynb")


def templates_dir() -> Path:
    """The folder of zi-nb's nbconvert templates."""
    return package_path("templates")


def rubrics_dir() -> Path:
    """The folder of the versioned rubrics."""
    return package_path("rubrics")


def sample_dir() -> Path:
    """The folder of the bundled sample inputs."""
    return package_path("data", "sample")
