"""environment.yml and pyproject.toml must declare the same dependencies (runtime and test extra)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


# packages conda-forge names differently from PyPI
CONDA_TO_PYPI = {"python-build": "build"}


def _name(spec: str) -> str:
    name = re.split(r"[<>=!~\[ ]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")
    return CONDA_TO_PYPI.get(name, name)


def _spec(spec: str) -> str:
    spec = spec.replace(" ", "").lower()
    for conda, pypi in CONDA_TO_PYPI.items():
        if spec.startswith(conda):
            spec = pypi + spec[len(conda):]
    return spec


def test_environment_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(s): _spec(s) for s in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(s): _spec(s) for s in env["dependencies"] if isinstance(s, str)}
    conda.pop("python")
    conda.pop("pip")
    assert conda == wanted
    assert project["requires-python"] == ">=3.11"
    assert any(_spec(s) == "python>=3.11" for s in env["dependencies"] if isinstance(s, str))


def test_layout_and_ci():
    for path in ("notebooks", "templates", "zi_nb", "tests", "outputs/.gitkeep", "environment.yml", ".ci/run"):
        assert (ROOT / path).exists(), path
    assert "make test" in (ROOT / ".ci/run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert readme.index("make run") < readme.index("make test")
    assert "outputs/*" in (ROOT / ".gitignore").read_text()
