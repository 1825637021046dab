"""Every case of the bad-input corpus (:mod:`tests.robustness.corpus`) through the real command line.

Each case runs ``zi-nb validate`` and ``zi-nb score`` in-process (click's ``CliRunner`` around the real entry point
:func:`zi_nb.cli.main`, with ``ZI_NB_DEBUG=1`` so that an internal error surfaces as an exception instead of exit 3):
the exit status is the expected one, no traceback, no hidden character reaches the terminal, the expected lines name
the file and the sheet/cell or line and say what was expected; an unusable input prints no score. Some cases also run
through a real subprocess (``.venv/bin/zi-nb``: nothing on stderr looks like a traceback), through ``zi-nb export``
and ``zi-nb report`` (a refused input leaves no file behind, and the report notebook is never started), and through
one ``zi-nb bulk`` run (the good file gets its report; each bad one is a failed row of ``summary.json`` with its
message).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.robustness.corpus import BY_NAME, CASES, Built, Case, Sources, build, long_csv
from tests.robustness.figures import report
from zi_nb.cli import main
from zi_nb.common.text import visible

ROOT = Path(__file__).resolve().parents[2]
ZI_NB = Path(sys.executable).parent / "zi-nb"
RESULTS: dict[str, list[str]] = {}  # case -> problems found (empty: the case passed)
HIDDEN = ("\x1b", "\x07", "\u202e", "\x00")  # must never reach the terminal raw


class _Entry(click.Command):
    """The real entry point (:func:`zi_nb.cli.main`, with its error handling) as a click command for CliRunner."""

    def main(self, args=None, prog_name=None, **extra):  # type: ignore[override]
        main(list(args or ()))


ENTRY = _Entry("zi-nb")


@dataclass
class Run:
    code: int
    out: str
    err: str
    problem: str | None  # an exception other than SystemExit, with its traceback


def invoke(*args: str) -> Run:
    result = CliRunner().invoke(ENTRY, list(args), env={"ZI_NB_DEBUG": "1", "COLUMNS": "160"})
    problem = None
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        problem = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else repr(result.exception)
    return Run(result.exit_code, result.stdout, result.stderr, problem)


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Sources:
    return Sources(tmp_path_factory.mktemp("sumber"))


def _has_line(text: str, fragments: tuple[str, ...], files: list[str]) -> bool:
    return any(all(f in line for f in fragments) and (not files or any(name in line for name in files))
               for line in text.splitlines())


def check(c: Case, sources: Sources, folder: Path) -> list[str]:
    """Run one case; the problems found (empty when it behaves as expected)."""
    built = build(c, sources, folder)
    paths = [str(p) for p in built.paths]
    validate = invoke("validate", *paths)
    score = invoke("score", *paths, *(("--format", "json") if c.accepted else ("--strict",)))
    problems = []
    for label, run, want in (("validate", validate, c.validate_exit), ("score", score, c.score_exit)):
        text = run.out + run.err
        if run.problem:
            problems.append(f"{label}: exception\n{run.problem}")
        if run.code != want:
            problems.append(f"{label}: exit status {run.code}, expected {want}")
        if "Traceback" in text:
            problems.append(f"{label}: a traceback was printed")
        if any(h in text for h in HIDDEN):
            problems.append(f"{label}: a control or bidi character reached the terminal: {text[:500]!r}")
        if any(len(line) > 1500 for line in text.splitlines()):
            problems.append(f"{label}: an output line longer than 1500 characters")
    files = [visible(p) for p in paths] if c.file_named else []
    outputs = {"validate": validate.out + validate.err}
    if not c.accepted:
        outputs["score"] = score.err
        if c.score_exit == 2 and score.out.strip():
            problems.append(f"score printed a result for an unusable input: {score.out[:300]}")
    for label, text in outputs.items():
        for fragments in built.expect:
            if not _has_line(text, fragments, files):
                problems.append(f"{label}: no line has {fragments} and names the file; output:\n{text[:2500]}")
    if c.accepted and score.code == 0:
        units = [u["unit_id"] for u in json.loads(score.out)["units"]]
        if units != list(c.units):
            problems.append(f"score reported units {units}, expected {list(c.units)}")
    return problems


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_bad_input(name: str, sources: Sources, tmp_path: Path) -> None:
    problems = check(BY_NAME[name], sources, tmp_path)
    RESULTS[name] = problems
    assert not problems, f"{name}: " + "\n".join(problems)


def test_corpus_figures(sources: Sources, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every case ran (those not run yet in this session, e.g. with ``-k``, run here) and the figures are recorded."""
    for c in CASES:
        if c.name not in RESULTS:
            RESULTS[c.name] = check(c, sources, tmp_path_factory.mktemp(c.name))
    failing = {name: problems for name, problems in RESULTS.items() if problems}
    assert not failing, "failing cases: " + ", ".join(failing)
    categories = {c.category for c in CASES}
    assert len(CASES) >= 60 and len(categories) >= 5
    stale = []  # record every figure before failing on a README that states another value
    for key, value in (("bad_inputs_tried", len(CASES)), ("bad_inputs_clear", sum(not c.accepted for c in CASES)),
                       ("bad_inputs_accepted", sum(c.accepted for c in CASES))):
        try:
            report(key, value)
        except AssertionError as exc:
            stale.append(str(exc))
    assert not stale, "\n".join(stale)


# -- a real process: nothing that looks like a traceback, even without ZI_NB_DEBUG ----------------------------------
SUBPROCESS_CASES = ["value_in_last_cell_xfd1048576", "zip_bomb", "password_protected_xlsx",
                    "damaged_sheet_xml_in_real_workbook", "unit_id_with_terminal_escapes",
                    "rows_with_another_delimiter"]


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_bad_input_in_a_real_process(name: str, sources: Sources, tmp_path: Path) -> None:
    c = BY_NAME[name]
    built = build(c, sources, tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "ZI_NB_DEBUG"}
    proc = subprocess.run([str(ZI_NB), "validate", *map(str, built.paths)], capture_output=True, text=True,
                          timeout=120, env=env, check=False)
    assert proc.returncode == c.validate_exit, proc.stderr
    for stream in (proc.stdout, proc.stderr):
        assert "Traceback" not in stream and "Kesalahan internal" not in stream
        assert not any(h in stream for h in HIDDEN)
    files = [visible(str(p)) for p in built.paths]
    for fragments in built.expect:
        assert _has_line(proc.stdout + proc.stderr, fragments, files), (fragments, proc.stdout[-2000:])


# -- no partial output ---------------------------------------------------------------------------------------------
REFUSED = ["password_protected_xlsx", "truncated_real_workbook", "value_in_last_cell_xfd1048576", "header_only"]


@pytest.mark.parametrize("name", REFUSED)
def test_export_of_a_refused_input_writes_nothing(name: str, sources: Sources, tmp_path: Path) -> None:
    built = build(BY_NAME[name], sources, tmp_path / "masukan")
    out = tmp_path / "keluaran"
    out.mkdir()
    run = invoke("export", "--input", str(built.paths[0]), "--unit", "u1", "--ledger", str(tmp_path / "l.sqlite"),
                 "-o", str(out / "LKE-TPI.xlsx"))
    assert run.problem is None and run.code == 2, (run.code, run.err, run.problem)
    assert "Traceback" not in run.out + run.err
    assert list(out.iterdir()) == []  # no workbook, no temporary file
    assert not (tmp_path / "l.sqlite").exists()


@pytest.mark.parametrize("name", REFUSED)
def test_report_of_a_refused_input_writes_nothing_and_starts_no_kernel(name: str, sources: Sources, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import zi_nb.report.runner

    def no_kernel(*args: object, **kwargs: object) -> None:
        raise AssertionError("the report notebook was started for an input that cannot be used")

    monkeypatch.setattr(zi_nb.report.runner, "run_report", no_kernel)
    built = build(BY_NAME[name], sources, tmp_path / "masukan")
    out = tmp_path / "laporan"
    start = time.monotonic()
    run = invoke("report", str(built.paths[0]), "-o", str(out))
    assert run.problem is None and run.code == 2, (run.code, run.err, run.problem)
    assert time.monotonic() - start < 5
    assert "Traceback" not in run.out + run.err
    assert not out.exists() or list(out.iterdir()) == []
    assert any(visible(str(built.paths[0])) in line and "GALAT" in line for line in run.err.splitlines()), run.err


# -- zi-nb bulk over bad files and one good file -------------------------------------------------------------------
BULK_BAD = ["empty_csv", "truncated_real_workbook", "pdf_named_xlsx", "password_protected_xlsx", "old_xls_workbook",
            "zip_bomb", "value_in_last_cell_xfd1048576", "unknown_header", "rows_with_another_delimiter",
            "template_lke_sheet_deleted", "real_answer_column_header_removed"]


@pytest.mark.slow
def test_bulk_reports_the_good_file_and_lists_each_bad_one(sources: Sources, tmp_path: Path) -> None:
    inputs = tmp_path / "masukan"
    bad = {}
    for name in BULK_BAD:
        built: Built = build(BY_NAME[name], sources, tmp_path / "kasus" / name)
        suffix = built.paths[0].suffix if built.paths[0].suffix in (".csv", ".xlsx") else ".xlsx"  # folder: both
        target = inputs / f"{name}{suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        built.paths[0].rename(target)
        bad[str(target.resolve())] = name
    good = inputs / "baik.csv"
    rows = [dict(r, unit_id="Dinas/../../Pendidikan") for r in sources.best]
    good.write_text(long_csv(rows), encoding="utf-8")
    out = tmp_path / "hasil"
    run = invoke("bulk", str(inputs), "-o", str(out), "--workers", "1", "--no-progress")
    assert run.problem is None, run.problem
    assert run.code == 1, (run.code, run.out, run.err)  # 1: some inputs failed, the rest was produced
    doc = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rows_by_status: dict[str, list[dict]] = {}
    for u in doc["units"]:
        rows_by_status.setdefault(u["status"], []).append(u)
    (ok,) = rows_by_status["ok"]
    assert ok["unit_id"] == "Dinas/../../Pendidikan"
    report_file = out / ok["report"]
    assert report_file.is_file() and report_file.resolve().parent == out.resolve()
    failed = rows_by_status["failed"]
    assert len(failed) == len(BULK_BAD)
    for u in failed:
        text = u["error"]
        name = next(n for path, n in bad.items() if Path(path).name in text)
        expect = build(BY_NAME[name], sources, tmp_path / "lagi" / name).expect
        assert any(all(f in text for f in fragments) for fragments in expect), (name, text)
        assert "Traceback" not in text
    assert not [p for p in out.rglob("*") if p.name.startswith(".") and p.suffix.startswith(".tmp")]
