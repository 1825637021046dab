"""Helpers shared by tests (fixtures live in ``conftest.py``): where things are, answer builders, and running the CLI
in-process."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from zi_nb.cli import main
from zi_nb.engine.answers import RAW_COLUMNS, build_answers
from zi_nb.engine.rubric import Rubric

ROOT = Path(__file__).resolve().parents[1]  # the checkout
SHARED = ROOT.parent / "shared"  # the project's shared inputs, beside the checkout
REAL_LKE = SHARED / "real-lke" / "tangsel-opd-lke-zi-2021.xlsx"


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
        raise SystemExit(0)
    out = capsys.readouterr()
    return exc.value.code or 0, out.out, out.err


def cli(*args: str) -> int:
    """Run ``zi-nb`` in-process and return its exit status (output not captured)."""
    with pytest.raises(SystemExit) as exc:
        main(list(args))
        raise SystemExit(0)
    return exc.value.code or 0


def summary_of(out: Path) -> dict:
    """The ``summary.json`` of a ``zi-nb bulk`` run folder."""
    import json

    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def set_raw(rows: list[dict], code: str, value) -> list[dict]:
    out = [dict(r) for r in rows]
    for r in out:
        if r["code"] == code:
            r["raw"] = value
    return out


def best_raw(rubric: Rubric, unit_id: str = "u1", tier: str = "unit") -> list[dict]:
    """Raw rows answering every item with its best answer (all Jumlah inputs consistent)."""
    rows = []
    for item in rubric.items:
        at = rubric.answer_types[item.answer_type]
        if at.kind == "option":
            best = max(at.options, key=at.options.get)
            rows.append({"unit_id": unit_id, "tier": tier, "code": item.code, "raw": best})
        elif at.kind == "index":
            rows.append({"unit_id": unit_id, "tier": tier, "code": item.code, "raw": at.maximum})
        elif at.kind == "ratio":
            rule = item.rule
            for inp in item.inputs:
                value = 10
                if rule.kind == "decrease":
                    value = 0
                rows.append({"unit_id": unit_id, "tier": tier, "code": f"{item.code}.{inp.name}", "raw": value})
            if rule.kind == "ratio" and rule.denominator_total:
                # the stated total must equal the sum of its parts, and everybody reported
                parts = len(rule.denominator)
                for r in rows[-len(item.inputs):]:
                    name = r["code"].split(".", 1)[1]
                    if name == rule.denominator_total or name == rule.numerator:
                        r["raw"] = 10 * parts
    return rows


def answers_of(rubric: Rubric, rows: list[dict]) -> pd.DataFrame:
    frame, _ = build_answers(pd.DataFrame(rows).reindex(columns=RAW_COLUMNS), rubric)
    return frame


def ensure_debian_package(command: str, package: str) -> str:
    """The path of ``command``, installing the Debian ``package`` when missing (CI runs as root with apt-get).

    Fails (never skips) when it cannot be installed: a test that needs it cannot be counted as passed without it.
    """
    import shutil
    import subprocess

    path = shutil.which(command)
    if path is None and shutil.which("apt-get"):
        env = {"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True, timeout=600, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", package], capture_output=True, timeout=1200, env=env)
        path = shutil.which(command)
    if path is None:
        pytest.fail(f"{command} (Debian package {package}) is required and could not be installed")
    return path


def ensure_npm_package(command: str, package: str) -> str:
    """The path of ``command``, installing the npm ``package`` globally when missing (``npm install -g``).

    Fails (never skips) when it cannot be installed: a test that needs it cannot be counted as passed without it.
    """
    import shutil
    import subprocess

    path = shutil.which(command)
    if path is None and shutil.which("npm"):
        subprocess.run(["npm", "install", "-g", "--no-fund", "--no-audit", package], capture_output=True,
                       timeout=600)
        path = shutil.which(command)
    if path is None:
        pytest.fail(f"{command} (npm package {package}) is required and could not be installed"
                    + ("" if shutil.which("npm") else ": npm not found"))
    return path
