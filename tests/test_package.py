"""The package as users get it: the sdist and the wheel built from the checkout hold the notebooks, templates,
rubrics and sample data (as real files), and a wheel installed into a fresh virtualenv, with no checkout anywhere
on its path, writes the same reports and scores as the checkout.

The expensive part (build, venv, pip install) happens once, in the module-scoped ``installed`` fixture; its
timings are printed (``pytest -rA`` or ``-s`` shows them). Nothing here is skipped: a missing tool, file or
network is a failure.

The build runs on a copy of the checkout's files (``git ls-files``: tracked and untracked-but-not-ignored, with
the ``zi_nb/notebooks`` and ``zi_nb/templates`` links kept as links), because setuptools writes ``zi_nb.egg-info``
and ``build/`` into the tree it builds. ``python -m build`` builds the sdist and then the wheel from the sdist, as
pip does, so the wheel also proves the sdist is complete.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers import REAL_LKE, ROOT
from zi_nb.common.version import __version__

pytestmark = pytest.mark.slow

# files every distribution must hold, relative to the package's parent folder (besides zi_nb/data/sample/*.csv)
REQUIRED = [
    "zi_nb/notebooks/unit_report.ipynb",
    "zi_nb/notebooks/bulk_summary.ipynb",
    "zi_nb/notebooks/evaluator.ipynb",
    "zi_nb/notebooks/triage.ipynb",
    "zi_nb/templates/zi_report/index.html.j2",
    "zi_nb/templates/zi_report/conf.json",
    "zi_nb/templates/zi_summary/index.html.j2",
    "zi_nb/templates/zi_triage/index.html.j2",
    "zi_nb/rubrics/zi-2021.yaml",
    "zi_nb/data/evaluasi-contoh.yaml",
    "zi_nb/data/logo-contoh.png",
]
SAMPLE = "zi_nb/data/sample"
# run by the checkout's interpreter, which has zi-nb installed in editable mode (there is no zi_nb.__main__)
CHECKOUT_CLI = [sys.executable, "-c", "import sys; from zi_nb.cli import main; sys.argv[0] = 'zi-nb'; main()"]
RUN_ID = "package-test"  # fixed, so both reports name the same run
# caches the test run itself (or a concurrent tool) may add to the checkout; anything else new is the build's
TOOL_CACHES = ("__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis")
# the provenance's software versions: the fresh venv gets its dependencies from the package index, so they may be
# newer than the checkout's .venv; compared apart from the rest of the report
VERSIONS_LINE = re.compile(r"(<dt>Versi perangkat</dt><dd[^>]*>)([^<]*)(</dd>)")


@dataclass
class Installed:
    """What the fixture built and installed, and how long each step took."""

    src: Path  # the copy of the checkout the distributions were built from
    wheel: Path
    sdist: Path
    venv: Path
    site_packages: Path
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def zi_nb(self) -> Path:
        return self.venv / "bin" / "zi-nb"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"


def clean_env() -> dict[str, str]:
    """The environment of every command: no PYTHONPATH, no active virtualenv, and no PATH entry in the checkout (its
    .venv/bin), so nothing can reach the checkout's code except through an explicit interpreter."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    entries = [p for p in env.get("PATH", "").split(os.pathsep) if p]
    env["PATH"] = os.pathsep.join(p for p in entries if not Path(p).resolve().is_relative_to(ROOT))
    return env


def check(cmd: list[str | Path], cwd: Path, timeout: float = 600,
          codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` in :func:`clean_env`; fail with its output unless it exits with one of ``codes`` (0)."""
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=clean_env(), capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode in codes, (f"{' '.join(map(str, cmd))} (in {cwd}) exited {proc.returncode}\n"
                                  f"--- stdout\n{proc.stdout[-5000:]}\n--- stderr\n{proc.stderr[-5000:]}")
    return proc


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout


def new_files_status() -> set[str]:
    """Untracked and ignored entries of the checkout (what a build would add), without the tools' caches."""
    lines = git("status", "--porcelain", "--ignored").splitlines()
    return {line for line in lines
            if line[:2] in ("??", "!!") and not any(part in TOOL_CACHES for part in Path(line[3:]).parts)}


def copy_checkout(dest: Path) -> None:
    """The checkout's files as ``git ls-files`` lists them (working-tree content), links kept as links."""
    names = git("ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, names):
        source = ROOT / name
        if not os.path.lexists(source):  # deleted in the working tree
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)


def timed(timings: dict[str, float], name: str, cmd: list[str | Path], cwd: Path, timeout: float = 600) -> None:
    start = time.perf_counter()
    check(cmd, cwd, timeout)
    timings[name] = time.perf_counter() - start


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("package")
    timings: dict[str, float] = {}
    before = new_files_status()

    src = base / "src"
    start = time.perf_counter()
    copy_checkout(src)
    timings["copy"] = time.perf_counter() - start
    dist = base / "dist"
    # no flag: the sdist, then the wheel from the unpacked sdist (isolated build env from the package index)
    timed(timings, "build", [sys.executable, "-m", "build", "--outdir", dist, src], base, timeout=900)

    new = new_files_status() - before
    assert not new, f"building left new files in the checkout: {sorted(new)}"

    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, f"expected one wheel and one sdist in {dist}: {os.listdir(dist)}"

    venv = base / "venv"
    base_python = getattr(sys, "_base_executable", None) or sys.executable
    timed(timings, "venv", [base_python, "-m", "venv", venv], base)
    python = venv / "bin" / "python"
    timed(timings, "pip install", [python, "-m", "pip", "install", "--disable-pip-version-check", wheels[0]], base,
          timeout=1800)
    purelib = check([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], base).stdout.strip()

    print(f"\n[package] zi-nb {__version__}: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    return Installed(src=src, wheel=wheels[0], sdist=sdists[0], venv=venv, site_packages=Path(purelib),
                     timings=timings)


def required_names(src: Path) -> list[str]:
    samples = sorted(p.relative_to(src).as_posix() for p in (src / SAMPLE).glob("*.csv"))
    assert samples, f"no sample CSV in the checkout's {SAMPLE}"
    return [*REQUIRED, *samples]


def test_wheel_holds_package_data(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as whl:
        members = {info.filename: info for info in whl.infolist()}
        missing = [name for name in required_names(installed.src) if name not in members]
        assert not missing, f"{installed.wheel.name} lacks {missing}"
        for name in required_names(installed.src):
            mode = members[name].external_attr >> 16
            assert (mode & 0o170000) != 0o120000, f"{name} is a symlink in {installed.wheel.name}"
            # the same bytes as the files the distributions were built from (through the checkout's links)
            assert whl.read(name) == (installed.src / name).read_bytes(), f"{name} differs in the wheel"


def test_sdist_holds_package_data(installed: Installed) -> None:
    with tarfile.open(installed.sdist) as sdist:
        members = {m.name.split("/", 1)[1]: m for m in sdist.getmembers() if "/" in m.name}
        missing = [name for name in required_names(installed.src) if name not in members]
        assert not missing, f"{installed.sdist.name} lacks {missing}"
        for name in required_names(installed.src):
            kind = members[name].type
            assert members[name].isfile(), f"{name} is no regular file in {installed.sdist.name} (type {kind!r})"
            data = sdist.extractfile(members[name])
            assert data is not None and data.read() == (installed.src / name).read_bytes(), f"{name} differs"
        for link in ("zi_nb/notebooks", "zi_nb/templates"):
            assert members[link].isdir(), f"{link} is no folder in {installed.sdist.name}"


def test_installed_package_comes_from_the_venv(installed: Installed, tmp_path: Path) -> None:
    code = ("import zi_nb, zi_nb.common.resources as r\n"
            "for p in (zi_nb.__file__, r.notebook('unit_report'), r.notebook('bulk_summary'), r.notebook('evaluator'),"
            " r.templates_dir() / 'zi_report' / 'index.html.j2', r.rubrics_dir() / 'zi-2021.yaml', r.sample_dir()):\n"
            "    print(p)\n")
    paths = [Path(p) for p in check([installed.python, "-c", code], tmp_path).stdout.splitlines()]
    assert len(paths) == 7
    for path in paths:
        assert path.is_relative_to(installed.site_packages / "zi_nb"), f"{path} is not in the venv's site-packages"
        assert path.exists() and not path.is_symlink(), f"{path} is missing or a link"

    # the report notebooks run in a "python3" kernel: it must be the venv's interpreter, importing the wheel's zi_nb
    kernel_code = (
        "from jupyter_client.manager import start_new_kernel\n"
        "km, kc = start_new_kernel(kernel_name='python3')\n"
        "out = []\n"
        "hook = lambda msg: out.append(msg['content'].get('text', '')) if msg['msg_type'] == 'stream' else None\n"
        "try:\n"
        "    kc.execute_interactive('import sys, zi_nb; print(sys.prefix); print(zi_nb.__file__)', timeout=120,"
        " output_hook=hook)\n"
        "finally:\n"
        "    kc.stop_channels(); km.shutdown_kernel(now=True)\n"
        "print(''.join(out), end='')\n")
    prefix, module = check([installed.python, "-c", kernel_code], tmp_path).stdout.split()
    assert Path(prefix).resolve() == installed.venv.resolve(), f"the python3 kernel runs in {prefix}, not the venv"
    assert Path(module).is_relative_to(installed.site_packages / "zi_nb"), f"the kernel imports zi_nb from {module}"


def score_json(cmd: list[str | Path], cwd: Path) -> dict:
    # exit 1: the real workbook's data errors (K185...) make its result "sementara"; the output is still complete
    return json.loads(check([*cmd, "score", REAL_LKE, "--format", "json"], cwd, codes=(1,)).stdout)


@pytest.fixture(scope="module")
def unit_id(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The unit the checkout's reader finds in the real workbook."""
    assert REAL_LKE.is_file(), f"missing shared input {REAL_LKE}"
    units = score_json(CHECKOUT_CLI, tmp_path_factory.mktemp("score"))["units"]
    assert len(units) == 1, f"expected one unit in {REAL_LKE.name}: {[u['unit_id'] for u in units]}"
    return units[0]["unit_id"]


def test_score_matches_checkout(installed: Installed, tmp_path: Path) -> None:
    assert score_json([installed.zi_nb], tmp_path) == score_json(CHECKOUT_CLI, tmp_path)


def report(cmd: list[str | Path], cwd: Path, unit: str) -> Path:
    check([*cmd, "report", REAL_LKE, "--unit", unit, "--run-id", RUN_ID, "-o", "out"], cwd)
    out = cwd / "out"
    for suffix in (".html", ".ipynb"):
        assert (out / f"{unit}{suffix}").is_file(), f"no {unit}{suffix} in {out}: {os.listdir(out)}"
    return out


def text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def versions_apart(html: str) -> tuple[str, list[str]]:
    """``html`` with the provenance's software versions replaced by a placeholder, and the versions found."""
    found = [m.group(2) for m in VERSIONS_LINE.finditer(html)]
    return VERSIONS_LINE.sub(r"\1(versions)\3", html), found


def notebook_view(path: Path) -> tuple[list[dict], list[str], str]:
    """A report notebook as far as it must match: every cell's type, source, id and outputs (papermill's timings,
    paths and the random id of its injected-parameters cell aside), the versions line(s), and that cell's id."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells, versions, injected = [], [], ""
    for cell in nb["cells"]:
        is_injected = "injected-parameters" in cell.get("metadata", {}).get("tags", [])
        if is_injected:
            injected = cell["id"]
        outputs = []
        for output in cell.get("outputs", []):
            output = dict(output)
            if "data" in output:
                data = {mime: text(value) for mime, value in output["data"].items()}
                if "text/html" in data:
                    data["text/html"], found = versions_apart(data["text/html"])
                    versions += found
                output["data"] = data
            outputs.append(output)
        cells.append({"cell_type": cell["cell_type"], "source": text(cell["source"]),
                      "id": None if is_injected else cell.get("id"), "outputs": outputs})
    assert injected, f"{path} has no injected-parameters cell"
    return cells, versions, injected


def test_report_matches_checkout(installed: Installed, unit_id: str, tmp_path: Path) -> None:
    (tmp_path / "wheel").mkdir()
    (tmp_path / "checkout").mkdir()
    wheel_out = report([installed.zi_nb], tmp_path / "wheel", unit_id)
    checkout_out = report(CHECKOUT_CLI, tmp_path / "checkout", unit_id)

    # the wheel's notebook ran from the venv (papermill records its input)
    nb = json.loads((wheel_out / f"{unit_id}.ipynb").read_text(encoding="utf-8"))
    assert Path(nb["metadata"]["papermill"]["input_path"]).is_relative_to(installed.site_packages / "zi_nb")

    wheel_cells, wheel_versions, wheel_injected = notebook_view(wheel_out / f"{unit_id}.ipynb")
    checkout_cells, checkout_versions, checkout_injected = notebook_view(checkout_out / f"{unit_id}.ipynb")
    assert len(wheel_versions) == 1 and len(checkout_versions) == 1, "the provenance names the versions once"
    for versions in (wheel_versions[0], checkout_versions[0]):
        assert f"zi-nb {__version__}," in versions
    assert len(wheel_cells) == len(checkout_cells)
    for i, (w, c) in enumerate(zip(wheel_cells, checkout_cells)):
        assert w == c, f"cell {i} of the report differs between the wheel and the checkout"

    # the HTML page: identical but for the injected cell's random id and the versions line
    def page(out: Path, injected: str) -> str:
        html = (out / f"{unit_id}.html").read_text(encoding="utf-8")
        assert html.count(f"cell-id={injected}") == 1
        return versions_apart(html.replace(f"cell-id={injected}", "cell-id=(injected)"))[0]

    assert page(wheel_out, wheel_injected) == page(checkout_out, checkout_injected)


def test_bulk_on_bundled_sample(installed: Installed, tmp_path: Path) -> None:
    sample = installed.site_packages / SAMPLE
    assert sample.is_dir(), f"no bundled sample in {sample}"
    start = time.perf_counter()
    check([installed.zi_nb, "bulk", sample, "-o", "out2", "--workers", "1", "--no-progress"], tmp_path)
    print(f"\n[package] zi-nb bulk on the bundled sample: {time.perf_counter() - start:.1f} s")
    out = tmp_path / "out2"
    assert (out / "index.html").is_file(), f"no index.html in {out}: {os.listdir(out)}"
    counts = json.loads((out / "summary.json").read_text(encoding="utf-8"))["counts"]
    assert counts["failed"] == 0 and counts["ok"] == counts["units"] > 0, counts
    assert len(list(out.glob("*.html"))) == counts["units"] + 1  # one LHE per unit and the summary page
