"""Crash safety: ``zi-nb bulk`` killed with SIGKILL at 20 moments and resumed; processes killed mid-adjustment.

Bulk: a real ``zi-nb bulk`` process (5 synthetic units, 2 warm workers, a reviewer ledger) is started in its own
process group and the whole group is killed (SIGKILL) at a moment drawn from a seeded RNG, then ``zi-nb bulk
--resume`` is started and killed again, and so on; after each round of kills a last ``--resume`` runs to the end.
The moments cover the span of a run: during start-up, while a unit's notebook runs, while a unit's outputs are
written (its notebook renamed, its HTML and state not yet), after the summary is written (manifest, ledger
decisions) and while the summary page is rendered. Each moment is defined by what the output folder shows, so every
kill lands while the process is doing something; a kill whose process ended first is not counted. Every round uses
a new output folder (so every round has units to interrupt) and the same ledger.

After each round: every unit has exactly one complete report (notebook valid per nbformat and executed without
error, HTML complete and stating the total, predikat and run of ``summary.json``), nothing else is in the folder (no
temporary or duplicated files: a resumed run removes what a killed one left), each unit's decision is in the ledger
once for the run, the ledger chain verifies, ``zi-nb audit verify`` passes, no kernel outlived its killed worker and
no kernel folder of a killed worker is left behind.

Ledger: a process appending adjustments in a loop (and a few ``zi-nb adjust`` processes) is killed at random
moments; every record must be whole, the chain must verify, and every adjustment acknowledged before the kill (the
call returned and the process printed it) must be there.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat
import psutil
import pytest

from tests.robustness.figures import report_figures
from zi_nb.engine.rubric import load_rubric
from zi_nb.lke.sample import bundled_paths, write_synthetic
from zi_nb.review.ledger import Ledger, record_hash

SEED = 20240707
KILLS = 20
UNITS, WORKERS = 5, 2
PER_ROUND = 7
PHASES = ("startup", "unit", "writing", "summary", "index")
WEIGHTS = (1, 2, 1, 1, 1)
ZI_NB = [sys.executable, "-c", "import sys; from zi_nb.cli import main; sys.argv[0] = 'zi-nb'; main()"]  # = the script
TEMP = re.compile(r"^\..+\.tmp(\.[A-Za-z0-9]+)?$")
STATIC = {"summary.json", "summary.xlsx", "index.html", "index.ipynb", "manifest.json", "rubric.json"}


# -- bulk --------------------------------------------------------------------------------------------------------------
@dataclass
class Kill:
    round: int
    phase: str
    at: float  # seconds after the process started
    landed: bool  # the process was still running when killed
    reports_done: int = 0  # state files present when killed
    temp_files: int = 0
    kernels: int = 0
    orphans: int = 0  # kernels still alive 10 s after the kill (must be 0)


def _files(out: Path) -> dict[str, int]:
    found = {}
    for folder in (out, out / ".state"):
        if folder.is_dir():
            for f in folder.iterdir():
                if f.is_dir():
                    continue
                try:
                    found[str(f.relative_to(out))] = f.stat().st_mtime_ns
                except FileNotFoundError:  # renamed while listed
                    pass
    return found


def _changed(now: dict[str, int], before: dict[str, int]) -> set[str]:
    return {name for name, mtime in now.items() if before.get(name) != mtime}


def _moment(phase: str, proc: subprocess.Popen, out: Path, rng: random.Random, started: float) -> bool:
    """Wait for the moment of ``phase`` (see the module docstring) plus a random delay; False when the process
    ended first."""
    before = _files(out)
    at: float | None = started + rng.uniform(0.1, 3.0) if phase == "startup" else None
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if at is None:
            now = _files(out)
            new = _changed(now, before)
            if phase == "unit" and any(TEMP.match(n) and n.endswith(".ipynb") and not n.startswith(".index")
                                       for n in new):  # temporary names are new each time
                at = time.monotonic() + rng.uniform(0.0, 1.0)
            elif phase == "writing" and any(n.endswith(".ipynb") and not n.startswith(("index", ".")) and
                                            f".state/{n[:-6]}.json" not in now for n in new):
                at = time.monotonic() + rng.uniform(0.0, 0.1)
            elif phase == "summary" and "summary.json" in new:
                at = time.monotonic() + rng.uniform(0.0, 0.4)
            elif phase == "index" and any(n.startswith(".index.") for n in new):
                at = time.monotonic() + rng.uniform(0.0, 2.5)
        if at is not None and time.monotonic() >= at:
            return proc.poll() is None
        time.sleep(0.01)
    raise AssertionError(f"zi-nb bulk ran more than 180 s without reaching phase {phase}")


def _cmdline(p: psutil.Process) -> str:
    try:
        return " ".join(p.cmdline())
    except psutil.Error:  # ended meanwhile, or a zombie
        return ""


def _kernels_of(pids: set[int]) -> list[psutil.Process]:
    """Live kernels started by one of ``pids`` (jupyter_client puts them in their own session, with the pid of the
    process that started them in JPY_PARENT_PID)."""
    found = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if "ipykernel_launcher" in " ".join(p.info["cmdline"] or []) and \
                    int(p.environ().get("JPY_PARENT_PID", "0")) in pids:
                found.append(p)
        except (psutil.Error, ValueError):
            pass
    return found


def _kill_group(proc: subprocess.Popen, kill: Kill, killed_pids: set[int]) -> None:
    """SIGKILL the process group of ``proc`` (the CLI, its worker processes); its kernels, in sessions of their own,
    must end by themselves once their worker is gone (ipykernel's parent poller)."""
    try:
        tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        tree = []
    pids = {p.pid for p in tree}
    kill.kernels = sum("ipykernel_launcher" in _cmdline(p) for p in tree)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    killed_pids |= pids
    deadline = time.monotonic() + 10
    while (alive := _kernels_of(pids)) and time.monotonic() < deadline:
        time.sleep(0.2)
    kill.orphans = len(alive)
    for p in alive:  # do not leave them running for the rest of the suite
        p.kill()


def _bulk(inputs: list[str], out: Path, ledger: Path, resume: bool, log: Path) -> subprocess.Popen:
    args = [*ZI_NB, "bulk", *inputs, "-o", str(out), "--workers", str(WORKERS), "--ledger", str(ledger),
            "--no-progress", *(["--resume"] if resume else [])]
    with open(log, "ab") as fh:
        return subprocess.Popen(args, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)


def check_run(out: Path, ledger: Path, units: list[str]) -> list[str]:
    """Every way the finished run folder is not what users expect: each problem names the unit or file."""
    problems = []
    doc = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rows = {u["unit_id"]: u for u in doc["units"]}
    if sorted(rows) != units or len(doc["units"]) != len(units):
        problems.append(f"summary.json lists {[u['unit_id'] for u in doc['units']]}")
    expected = set(STATIC) | {".state/run.json"}
    for unit in units:
        expected |= {f"{unit}.ipynb", f"{unit}.html", f".state/{unit}.json"}
        row = rows.get(unit)
        if row is None or row["status"] != "ok" or row["report"] != f"{unit}.html" or \
                row["notebook"] != f"{unit}.ipynb":
            problems.append(f"{unit}: summary row {row}")
            continue
        try:
            nb = nbformat.read(out / row["notebook"], as_version=4)
            nbformat.validate(nb)
            code = [c for c in nb.cells if c.cell_type == "code"]
            if nb.metadata.get("papermill", {}).get("exception") or any(c.execution_count is None for c in code) \
                    or any(o.get("output_type") == "error" for c in code for o in c.outputs) \
                    or not any(f'"{unit}"' in c.source for c in code
                               if "injected-parameters" in c.metadata.get("tags", [])):
                problems.append(f"{unit}.ipynb: not a completely executed report of this unit")
        except Exception as exc:  # unreadable or invalid notebook
            problems.append(f"{unit}.ipynb: {type(exc).__name__}: {exc}")
        html = (out / row["report"]).read_text(encoding="utf-8") if (out / row["report"]).is_file() else ""
        total = f"{row['total']:.2f}".replace(".", ",")
        if not html.lstrip().startswith("<!DOCTYPE html>") or not html.rstrip().endswith("</html>") or \
                total not in html or row["unit_name"] not in html or f"run {doc['run_id']}" not in html:
            problems.append(f"{unit}.html: incomplete or not matching summary.json (total {total})")
    present = set(_files(out))
    if present != expected:
        problems.append(f"unexpected files {sorted(present - expected)}, missing {sorted(expected - present)}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    if manifest["run_id"] != doc["run_id"]:
        problems.append(f"manifest run {manifest['run_id']} != summary run {doc['run_id']}")
    book = Ledger(ledger)
    decisions: dict[str, int] = {}
    for rec in book.records():
        if rec.kind == "decision" and rec.details.get("run_id") == doc["run_id"]:
            decisions[rec.unit_id] = decisions.get(rec.unit_id, 0) + 1
    if decisions != dict.fromkeys(units, 1):
        problems.append(f"decisions of run {doc['run_id']} per unit: {decisions}")
    problems += [f"ledger: {p}" for p in book.verify()]
    audit = subprocess.run([*ZI_NB, "audit", "verify", str(out)], capture_output=True, text=True, timeout=300,
                           check=False)
    if audit.returncode != 0 or "LOLOS" not in audit.stdout:
        problems.append(f"zi-nb audit verify: {audit.stdout.strip()} {audit.stderr.strip()}")
    return problems


def _stale_kernel_dirs(pids: set[int]) -> list[str]:
    return [d.name for d in Path(tempfile.gettempdir()).glob("zi-nb-kernel-*-*")
            if d.name.split("-")[3].isdigit() and int(d.name.split("-")[3]) in pids]


def test_bulk_killed_at_20_moments_then_resumed(tmp_path):
    rng = random.Random(SEED)
    inputs = [str(p) for p in write_synthetic(tmp_path / "lke", UNITS)]
    units = [f"unit-{n:05d}" for n in range(1, UNITS + 1)]
    ledger = tmp_path / "ledger.sqlite"
    Ledger(ledger).adjust(load_rubric(), "unit-00002", "PPA1B", "A", "tpi", "penilai", "Bukti lengkap")
    log = tmp_path / "bulk.log"
    kills: list[Kill] = []
    problems: dict[int, list[str]] = {}
    killed_pids: set[int] = set()
    started = time.perf_counter()
    for rnd in range(6):
        if len([k for k in kills if k.landed]) >= KILLS:
            break
        out = tmp_path / f"hasil-{rnd}"
        wanted = min(PER_ROUND, KILLS - len([k for k in kills if k.landed]))
        phases = sorted(rng.choices(PHASES, WEIGHTS, k=wanted), key=PHASES.index)
        resume = False
        for phase in phases:
            proc = _bulk(inputs, out, ledger, resume, log)
            launched = time.monotonic()
            resume = True
            kill = Kill(rnd, phase, 0.0, _moment(phase, proc, out, rng, launched))
            kill.at = round(time.monotonic() - launched, 2)
            done = _files(out)
            kill.reports_done = sum(n.startswith(".state/unit-") and not TEMP.match(n[7:]) for n in done)
            kill.temp_files = sum(bool(TEMP.match(Path(n).name)) for n in done)
            if kill.landed:
                _kill_group(proc, kill, killed_pids)
            else:
                proc.wait(timeout=300)
            kills.append(kill)
        final = _bulk(inputs, out, ledger, True, log)
        assert final.wait(timeout=600) == 0, log.read_text(errors="replace")[-3000:]
        problems[rnd] = check_run(out, ledger, units)
    seconds = time.perf_counter() - started

    landed = [k for k in kills if k.landed]
    moments = "\n".join(json.dumps(asdict(k)) for k in kills)
    print(f"\n{len(landed)} kills in {seconds:.0f} s:\n{moments}")
    lost = sum(len(p) for p in problems.values())
    readme = report_figures(bulk_kills=len(landed), bulk_reports_lost=lost)
    assert len(landed) == KILLS, moments
    assert not any(problems.values()), problems
    assert {k.phase for k in landed} == set(PHASES), moments  # every part of a run was interrupted at least once
    assert sum(k.temp_files > 0 for k in landed) >= 3, moments  # some kills left temporary files to clean
    assert not [k for k in kills if k.orphans], moments  # no kernel outlived its killed worker
    assert not _stale_kernel_dirs(killed_pids)  # the kernel folders of killed workers were removed
    readme()


def test_workers_and_kernels_end_when_only_the_main_process_is_killed(tmp_path):
    """`kill -9 PID` (or the out-of-memory killer) ends only the `zi-nb bulk` process: its worker processes, one of
    them idle waiting for work, and their kernels must not stay behind."""
    inputs = [str(p) for p in write_synthetic(tmp_path / "lke", 2)]
    out = tmp_path / "hasil"
    proc = _bulk(inputs, out, Ledger(tmp_path / "ledger.sqlite").path, False, tmp_path / "bulk.log")
    workers, kernels = [], []
    try:
        deadline = time.monotonic() + 120  # until one worker finished its unit (idle now), the other is busy
        while not list((out / ".state").glob("unit-*.json")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "the run ended first"
        tree = psutil.Process(proc.pid).children(recursive=True)
        workers = [p for p in tree if "spawn_main" in _cmdline(p)]
        kernels = _kernels_of({p.pid for p in workers})
        assert len(workers) == WORKERS and kernels
        os.kill(proc.pid, signal.SIGKILL)  # the main process only
        proc.wait(timeout=30)
        alive = psutil.wait_procs([*workers, *kernels], timeout=15)[1]
        assert not alive, [_cmdline(p)[:120] for p in alive]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for p in [*workers, *kernels]:  # what the test found still running: not left for the rest of the suite
            with contextlib.suppress(psutil.Error):
                p.kill()


# -- ledger ------------------------------------------------------------------------------------------------------------
WRITER_KILLS, CLI_KILLS = 12, 4
WRITER = """
import sys
from zi_nb.review.ledger import Ledger
from zi_nb.engine.rubric import load_rubric

path, n = sys.argv[1], int(sys.argv[2])
rubric, book = load_rubric(), Ledger(sys.argv[1])
print("READY", flush=True)
while True:
    print(f"BEGIN {n}", flush=True)
    rec = book.adjust(rubric, "u1", ("PPA1B", "PPA2B")[n % 2], "ABC"[n % 3], "tpi", "penilai", f"catatan {n}",
                      previous="B")
    print(f"ACK {n} {rec.seq} {rec.hash}", flush=True)
    n += 1
"""


def _lines(proc: subprocess.Popen, into: list[str]) -> threading.Thread:
    def read() -> None:
        for line in proc.stdout:
            into.append(line.strip())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def test_processes_killed_in_the_middle_of_an_adjustment(tmp_path):
    rng = random.Random(SEED + 1)
    path = tmp_path / "ledger.sqlite"
    acked: dict[int, tuple[int, str]] = {}  # adjustment number -> (seq, hash) printed after the call returned
    kills = mid_write = 0
    n = 0
    for _ in range(WRITER_KILLS):  # a process appending in a loop, killed after a random time
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(n)], stdout=subprocess.PIPE,
                                text=True, start_new_session=True)
        lines: list[str] = []
        reader = _lines(proc, lines)
        deadline = time.monotonic() + 60
        while "READY" not in lines and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        assert "READY" in lines, f"writer did not start (status {proc.poll()})"
        time.sleep(rng.uniform(0.05, 1.0))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        reader.join(timeout=10)
        kills += 1
        for line in lines:
            if line.startswith("ACK "):
                _, k, seq, digest = line.split()
                acked[int(k)] = (int(seq), digest)
        begun = [int(line.split()[1]) for line in lines if line.startswith("BEGIN ")]
        mid_write += bool(begun) and begun[-1] not in acked  # killed inside Ledger.adjust
        n = (begun[-1] + 1) if begun else n
    answers, units = (str(p) for p in bundled_paths())
    cli_acked: list[str] = []
    cli_kills = 0
    whole: float | None = None  # how long one `zi-nb adjust` takes on this machine now (the first one is not killed)
    for _ in range(16):  # `zi-nb adjust` processes killed after a random time (start-up, reading, writing), until 4
        if cli_kills == CLI_KILLS:  # kills landed while the process ran
            break
        started = time.monotonic()
        proc = subprocess.Popen([*ZI_NB, "adjust", "--input", answers, "--units-file", units, "--unit",
                                 "rsud-mekarsari", "--code", "PPB1A", "--answer", "A", "--evaluator", "penilai",
                                 "--note", f"catatan cli {n}", "--ledger", str(path)], stdout=subprocess.PIPE,
                                text=True, start_new_session=True)
        lines = []
        reader = _lines(proc, lines)
        if whole is None:
            proc.wait(timeout=120)
            whole = time.monotonic() - started
        else:  # somewhere in its run, measured rather than guessed: a faster or busier machine kills as often
            time.sleep(rng.uniform(0.1, 0.95) * whole)
        landed = proc.poll() is None
        if landed:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        reader.join(timeout=10)
        cli_kills += landed
        if any(line.startswith("Tersimpan") for line in lines):  # acknowledged to the evaluator
            cli_acked.append(f"catatan cli {n}")
        n += 1

    book = Ledger(path)
    records = book.records()
    problems = list(book.verify())
    with sqlite3.connect(path) as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    problems += [] if integrity == "ok" else [f"integrity_check: {integrity}"]
    by_seq = {r.seq: r for r in records}
    for k, (seq, digest) in acked.items():
        rec = by_seq.get(seq)
        if rec is None or rec.hash != digest or rec.note != f"catatan {k}":
            problems.append(f"acknowledged adjustment {k} (#{seq}) missing or different")
    notes = [r.note for r in records]
    problems += [f"acknowledged `zi-nb adjust` ({note}) missing" for note in cli_acked if note not in notes]
    for rec in records:
        if record_hash(rec.payload()) != rec.hash or not all([rec.unit_id, rec.code, rec.tier, rec.answer,
                                                               rec.evaluator, rec.note, rec.timestamp]):
            problems.append(f"#{rec.seq} is not a whole record")
    unacked = [r.note for r in records if r.unit_id == "u1" and int(r.note.split()[-1]) not in acked]
    print(f"\n{kills} + {cli_kills} kills, {mid_write} inside Ledger.adjust, {len(acked)} acknowledged, "
          f"{len(records)} records, committed but not acknowledged: {unacked}")
    readme = report_figures(adjust_kills=kills + cli_kills, adjust_half_records=len(problems))
    assert not problems, problems
    assert kills == WRITER_KILLS and cli_kills == CLI_KILLS
    assert len(acked) >= 20 and mid_write >= 3  # the kills did land while adjustments were being written
    assert len(unacked) <= 12  # at most the one in flight per killed writer
    readme()


@pytest.fixture(autouse=True)
def _no_stray_processes():
    """Whatever a test started and did not end is ended (a failed test must not leave kernels behind)."""
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    yield
    for p in psutil.Process().children(recursive=True):
        if p.pid not in before:
            p.kill()
