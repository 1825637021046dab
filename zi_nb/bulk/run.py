"""``zi-nb bulk``: one report per unit for many units, on warm workers, with a summary of the run.

Flow: the inputs are expanded (a folder gives its ``.xlsx``/``.csv`` files; a metadata-only CSV becomes the units
file of every input); each input file is planned on a worker (:func:`zi_nb.bulk.plan.plan_file`: its units and their
summary rows, and what the run-wide triage needs of it); each unit whose report is not already complete
(``--resume``) becomes a task for a warm worker (:mod:`zi_nb.bulk.warm`), which writes ``<unit>.ipynb``,
``<unit>.html`` (and ``.pdf``) into the output folder, each under a temporary name renamed when complete, then
``.state/<unit>.json``. At the end this process writes
``summary.json``, ``summary.xlsx`` and ``index.html`` (:mod:`zi_nb.bulk.summary`), after one triage over every unit
of the run gives each its "Risiko" and its rank among all of them (:mod:`zi_nb.bulk.risk`).

Executors: ``local`` is a pool of worker processes on this machine, each with its own kernel; ``dask`` sends the
same tasks to a dask.distributed cluster (a local one with ``workers`` processes, or ``scheduler``), whose workers
need zi-nb installed and the same paths (shared storage) for the inputs and the output folder.

Ctrl-C: no new unit starts, the units being written finish (a second Ctrl-C stops them at once), the workers stop,
and temporary files of unfinished reports are removed; ``--resume`` continues where the run stopped.

Crashes: a run killed outright (SIGKILL, power loss) leaves complete reports and temporary files, never a half
report under a final name; the next run removes the temporary files when it starts and ``--resume`` redoes only
what was not complete. Decisions are recorded in the ledger once per unit and run (:func:`zi_nb.review.decisions.
record_decision`), however often the run is resumed. Each unit has a time limit (``timeout``); a unit whose kernel
or worker process died is run once more (``MAX_ATTEMPTS``) before it is reported failed.
"""

from __future__ import annotations

import json
import queue
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tqdm import tqdm

from zi_nb.bulk.executor import Executor, make_executor
from zi_nb.bulk.plan import (
    FilePlan,
    expand_inputs,
    finished,
    ledger_state,
    notebook_code_hash,
    plan_file,
    report_name,
    resume_key,
    settings_digests,
    split_inputs,
)
from zi_nb.bulk.record import record_bulk_run
from zi_nb.bulk.risk import RiskInput, run_risks
from zi_nb.bulk.summary import render_index, write_summary
from zi_nb.bulk.warm import STATE_DIR, UNIT_TIMEOUT, UnitOutcome, UnitTask, run_unit
from zi_nb.common.files import atomic_path
from zi_nb.engine.rubric import load_rubric
from zi_nb.errors import InputError, ReportError
from zi_nb.report.model import PARAMETERS
from zi_nb.report.pdf import MISSING_CHROMIUM, chromium
from zi_nb.report.runner import report_parameters
from zi_nb.report.settings import load_settings
from zi_nb.review.ledger import Ledger

TEMP_NAME = re.compile(r"^\..+\.tmp(\.[A-Za-z0-9]+)?$")  # what zi_nb.common.files.atomic_path creates
Hook = Callable[[UnitOutcome, dict[str, int]], None]
MAX_ATTEMPTS = 2  # a unit (or a file's plan) whose kernel or worker process died is run once more


@dataclass
class BulkOptions:
    inputs: list[str]
    out_dir: Path
    workers: int = 2
    tier: str = "final"
    rubric: str = "zi-2021"
    policies: dict[str, str] = field(default_factory=dict)
    lang: str = "id"
    ledger: str = ""
    units_file: str = ""
    pdf: bool = False
    docx: bool = False  # also <unit>.docx, the LHE as a Word document (zi_nb.report.docx)
    settings: str = ""  # evaluation settings file (kop, nomor, team...) for every unit's LHE
    executor: str = "local"  # local | dask
    scheduler: str = ""  # dask scheduler address; empty = a local cluster of `workers` processes
    resume: bool = False
    run_id: str = ""
    progress: bool = True
    timeout: float = UNIT_TIMEOUT  # seconds per unit; 0 = no limit


@dataclass
class BulkResult:
    run_id: str
    rows: list[dict[str, Any]]
    summary_path: Path
    index_error: str | None
    seconds: float

    @property
    def failed(self) -> int:
        return sum(r["status"] != "ok" for r in self.rows)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.index_error else 0


# -- the run -----------------------------------------------------------------------------------------------------------
class _Run:
    """State of one bulk run while its futures complete (the main loop is :meth:`loop`)."""

    def __init__(self, options: BulkOptions, executor: Executor, hook: Hook | None, log: Callable[[str], None]) -> None:
        self.o, self.ex, self.hook, self.log = options, executor, hook, log
        self.out = options.out_dir
        self.events: queue.Queue[Any] = queue.Queue()
        self.pending: dict[Any, tuple[str, Any]] = {}
        self.plans: dict[int, FilePlan] = {}
        self.rows: dict[int, list[dict[str, Any]]] = {}
        self.risk_inputs: dict[int, RiskInput | None] = {}  # per file, for the run-wide triage
        self.by_name: dict[str, dict[str, Any]] = {}
        self.taken: dict[str, tuple[str, str]] = {}
        self.counts = {"done": 0, "failed": 0, "remaining": 0, "resumed": 0}
        self.todo: deque[UnitTask] = deque()  # units not handed to the executor yet
        self.running = 0
        self.stopping = False
        self.plan_attempts: dict[int, int] = {}
        self.bar: Any = None

    def submit(self, tag: str, ref: Any, fn: Callable[..., Any], *args: Any) -> None:
        future = self.ex.submit(fn, *args)
        self.pending[future] = (tag, ref)
        future.add_done_callback(self.events.put)

    def start(self, files: list[Path], units_path: str, params: dict[str, Any]) -> None:
        self.files, self.units_path, self.params = files, units_path, params
        self.ledger_digests = ledger_state(self.o.ledger)[1]
        self.nb_hash = notebook_code_hash()
        self.settings_digests = settings_digests(params.get("settings_path") or "")
        self.bar = tqdm(total=0, unit="unit", desc="LHE", disable=not self.o.progress, dynamic_ncols=True)
        for i in range(len(files)):
            self._plan(i)
        self.next_plan = 0

    def loop(self) -> None:
        while self.pending or self.todo or self.next_plan < len(self.files):
            try:
                future = self.events.get(timeout=0.25)
            except queue.Empty:
                continue
            tag, ref = self.pending.pop(future)
            result, error = self._result(future)
            if tag == "plan":
                if error and self.plan_attempts[ref] < MAX_ATTEMPTS and not self.stopping:
                    self.log(f"ULANG {self.files[ref].name}: {error} Berkas dibaca sekali lagi.")
                    self._plan(ref)
                    continue
                self.plans[ref] = result if error is None else FilePlan(str(self.files[ref]), error=error)
                while self.next_plan in self.plans:
                    self._release(self.next_plan)
                    self.next_plan += 1
            else:
                self._finish(result if error is None else UnitOutcome(ref.unit_id, ref.name, "failed", error=error,
                                                                      retry=True), ref)

    def _plan(self, index: int) -> None:
        self.plan_attempts[index] = self.plan_attempts.get(index, 0) + 1
        self.submit("plan", index, plan_file, str(self.files[index]), self.units_path, self.o.tier,
                    self.params["rubric"], self.o.policies, self.params["ledger_path"])

    @staticmethod
    def _result(future: Any) -> tuple[Any, str | None]:
        """The task's result, or the message saying that its worker process died (or the cluster lost it)."""
        try:
            return future.result(), None
        except Exception as exc:
            return None, (f"Pekerja gagal menjalankan tugas ({type(exc).__name__}: {exc}); jalankan ulang dengan "
                          "--resume.")

    def _release(self, index: int) -> None:
        """Turn a file's plan into summary rows and unit tasks (in input order, so duplicates resolve the same way)."""
        plan, name = self.plans.pop(index), self.files[index].name
        rows = self.rows.setdefault(index, [])
        self.risk_inputs[index] = None if plan.error else plan.risk_input
        if plan.error:
            rows.append({"unit_id": None, "unit_name": name, "instansi": None, "input": name, "total": None,
                         "predicate": None, "areas": {}, "failed_criteria": [], "status": "failed",
                         "error": plan.error, "report": None})
            self.counts["failed"] += 1
            self.log(f"GAGAL {name}: {plan.error}")
            return
        to_run = []
        for row in plan.rows:
            rows.append(row)
            stem, why = report_name(row["unit_id"], name, self.taken)
            row.update(status="failed", error=why, report=None, notebook=None, pdf=None, docx=None, resumed=False,
                       params={})
            if why:
                self.counts["failed"] += 1
                self.log(f"GAGAL {row['unit_id']}: {why}")
                continue
            params = report_parameters(plan.file, row["unit_id"], **self.params)
            row["params"] = params
            key = resume_key(params, plan.digests, plan.rubric_hash, self.ledger_digests.get(row["unit_id"]),
                             self.o.pdf, self.nb_hash, docx=self.o.docx, settings=self.settings_digests)
            state = finished(self.out, stem, key) if self.o.resume else None
            if state is not None:
                files = state["files"]
                row.update(status="ok", error=None, report=files["html"], notebook=files["notebook"],
                           pdf=files.get("pdf"), docx=files.get("docx"), resumed=True,
                           seconds=state.get("seconds"),
                           params=state.get("params") or params)
                self.counts["resumed"] += 1
                continue
            self.by_name[stem] = row
            to_run.append(UnitTask(row["unit_id"], stem, params, str(self.out), self.o.pdf, key,
                                   timeout=self.o.timeout, docx=self.o.docx))
        self.counts["remaining"] += len(to_run)
        self.bar.total += len(to_run)
        self._postfix()
        self.todo.extend(to_run)
        self._feed()

    def _feed(self) -> None:
        """Hand units to the executor, a few at a time: on Ctrl-C only those already handed over are finished."""
        window = self.ex.window()
        while self.todo and self.running < window:
            task = self.todo.popleft()
            self.running += 1
            self.submit("unit", task, run_unit, task)

    def _finish(self, outcome: UnitOutcome, task: UnitTask) -> None:
        self.running -= 1
        if outcome.status != "ok" and outcome.retry and task.attempt < MAX_ATTEMPTS and not self.stopping:
            self.log(f"ULANG {outcome.unit_id}: {outcome.error} Unit dijalankan sekali lagi.")
            self.todo.appendleft(replace(task, attempt=task.attempt + 1))
            self._feed()
            return
        row = self.by_name[outcome.name]
        row.update(status=outcome.status, error=outcome.error, seconds=outcome.seconds, worker=outcome.worker,
                   report=outcome.files.get("html"), notebook=outcome.files.get("notebook"),
                   pdf=outcome.files.get("pdf"), docx=outcome.files.get("docx"))
        self.counts["remaining"] -= 1
        self.counts["done" if outcome.status == "ok" else "failed"] += 1
        if outcome.status != "ok":
            self.log(f"GAGAL {outcome.unit_id}: {outcome.error}")
        self.bar.update(1)
        self._postfix()
        if self.hook is not None:
            self.hook(outcome, dict(self.counts))
        self._feed()

    def _postfix(self) -> None:
        c = self.counts
        self.bar.set_postfix_str(f"selesai={c['done']} gagal={c['failed']} sisa={c['remaining']}", refresh=True)

    def stop(self) -> None:
        """After Ctrl-C: cancel what has not started, let running units finish (a second Ctrl-C: stop now)."""
        self.hook, self.todo, self.stopping = None, deque(), True
        self.ex.cancel(list(self.pending))
        self.log("Dihentikan: menunggu laporan yang sedang dibuat selesai (Ctrl-C lagi untuk berhenti segera)...")
        try:
            deadline = time.monotonic() + 600
            while any(not f.done() for f in self.pending) and time.monotonic() < deadline:
                time.sleep(0.1)
            for future in [f for f in self.pending if f.done() and not f.cancelled()]:
                tag, ref = self.pending.pop(future)
                if tag == "unit":
                    result, error = self._result(future)
                    self._finish(result if error is None else UnitOutcome(ref.unit_id, ref.name, "failed",
                                                                          error=error), ref)
            self.ex.close()
        except KeyboardInterrupt:
            self.ex.close(force=True)

    def add_risks(self) -> None:
        """Every unit's "Risiko" from one triage over all units of the run (:func:`zi_nb.bulk.risk.run_risks`)."""
        order = sorted(self.rows)
        ledger = self.params["ledger_path"]
        records = Ledger(ledger).records() if ledger else []
        risks = run_risks([self.risk_inputs.get(i) for i in order], self.params["rubric"], self.o.policies or None,
                          records, self.log, [self.files[i].name for i in order])
        for i, found in zip(order, risks):
            for row in self.rows[i]:
                if row.get("record") is not None and row.get("unit_id") in found:
                    row.update(found[row["unit_id"]])

    def ordered_rows(self) -> list[dict[str, Any]]:
        return [row for i in sorted(self.rows) for row in self.rows[i]]


def remove_temp_files(out_dir: Path) -> int:
    """Remove temporary files of reports that were not completed (only while no worker writes here)."""
    removed = 0
    for folder in (out_dir, out_dir / STATE_DIR):
        if folder.is_dir():
            for f in folder.iterdir():
                if f.is_file() and TEMP_NAME.match(f.name):
                    f.unlink(missing_ok=True)
                    removed += 1
    return removed


def previous_run_id(out_dir: Path) -> str:
    try:
        return str(json.loads((out_dir / STATE_DIR / "run.json").read_text(encoding="utf-8"))["run_id"])
    except (OSError, ValueError, KeyError):
        return ""


def check_options(options: BulkOptions) -> tuple[list[Path], str, dict[str, Any]]:
    """Refuse unusable options before any work (exit status 2): the input files, units file and base parameters."""
    missing = [p for p in [*options.inputs, options.units_file] if p and not Path(p).exists()]
    if missing:
        raise InputError("Masukan tidak ditemukan: " + ", ".join(missing))
    files, units_path = split_inputs(expand_inputs(options.inputs), options.units_file)
    if not files:
        raise InputError("Tidak ada berkas masukan (.xlsx/.csv) pada " + ", ".join(options.inputs) + ".")
    rubric = options.rubric
    if rubric.endswith((".yaml", ".yml")) and Path(rubric).is_file():
        rubric = str(Path(rubric).resolve())  # the notebook runs in notebooks/
    load_rubric(rubric).policy_values(options.policies)
    if options.ledger and not Path(options.ledger).is_file():
        raise InputError(f"Ledger '{options.ledger}' tidak ditemukan.")
    if options.pdf and chromium() is None:
        raise ReportError(MISSING_CHROMIUM)
    settings = str(Path(options.settings).resolve()) if options.settings else ""
    load_settings(settings)  # a malformed settings file stops the run here, with its line, before any work
    params: dict[str, Any] = {
        "units_path": units_path, "tier": options.tier, "rubric": rubric, "policies": dict(options.policies),
        "lang": options.lang, "run_id": options.run_id, "ledger_path": options.ledger, "settings_path": settings}
    if options.ledger and "ledger_seq" in PARAMETERS:
        params["ledger_seq"] = ledger_state(options.ledger)[0]  # every report applies the same ledger records
    checked = report_parameters("", "-", **params)
    return files, units_path, {k: v for k, v in checked.items() if k not in ("input_path", "unit_id")}


def run_bulk(options: BulkOptions, hook: Hook | None = None, log: Callable[[str], None] | None = None,
             executor: Executor | None = None) -> BulkResult:
    """Run a bulk job (see the module docstring). Raises KeyboardInterrupt after a clean stop on Ctrl-C.

    ``hook(outcome, counts)`` is called after each unit; ``log`` receives each progress line (default: above the
    progress bar); ``executor`` replaces the one ``options.executor`` names (:class:`zi_nb.bulk.executor.Executor`,
    e.g. an :class:`~zi_nb.bulk.executor.InlineExecutor` in tests).
    """
    started = time.perf_counter()
    log = log or (lambda msg: tqdm.write(msg))
    out = options.out_dir = Path(options.out_dir).resolve()
    files, units_path, params = check_options(options)
    remove_temp_files(out)  # left by a run that was killed (no worker of this run writes yet)
    params["run_id"] = options.run_id or (previous_run_id(out) if options.resume else "") or time.strftime(
        "%Y%m%dT%H%M%S")
    with atomic_path(out / STATE_DIR / "run.json") as tmp:
        tmp.write_text(json.dumps({"run_id": params["run_id"]}), encoding="utf-8")
    executor = executor if executor is not None else make_executor(options)
    run = _Run(options, executor, hook, log)
    try:
        run.start(files, units_path, params)
        run.loop()
    except KeyboardInterrupt:
        run.stop()
        if executor.owns_workers:
            remove_temp_files(out)
        c = run.counts
        log(f"Dihentikan: {c['done']} laporan selesai, {c['remaining']} belum; lanjutkan dengan --resume.")
        raise
    except BaseException:
        executor.close(force=True)
        raise
    finally:
        if run.bar is not None:
            run.bar.close()
    executor.close()
    if executor.owns_workers:
        remove_temp_files(out)
    run.add_risks()
    rows = run.ordered_rows()
    summary = write_summary(out, rows, options, params, files, units_path, time.perf_counter() - started)
    record_bulk_run(out, params["run_id"], rows, params, files, units_path,
                    settings=Path(params["settings_path"]) if params.get("settings_path") else None)
    index_error = None
    try:
        render_index(out)
    except Exception as exc:
        index_error = f"index.html tidak dapat dibuat: {exc}"
        log(f"GALAT {index_error}")
    return BulkResult(params["run_id"], rows, summary, index_error, time.perf_counter() - started)
