"""The bulk core without processes or kernels: :class:`zi_nb.bulk.executor.InlineExecutor` runs the plan tasks for
real and a stand-in for the report task, so ordering, failure isolation, retries, the window of units in flight and
the summary are checked in milliseconds (the same flow with warm kernels is in test_run.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zi_nb.bulk import run as bulk_run
from zi_nb.bulk.executor import DaskExecutor, Executor, InlineExecutor, LocalExecutor
from zi_nb.bulk.run import BulkOptions, run_bulk
from zi_nb.bulk.warm import STATE_DIR, UnitOutcome, UnitTask, run_unit, write_state
from zi_nb.lke.sample import write_synthetic


@pytest.fixture
def inputs(tmp_path) -> list[str]:
    return [str(p) for p in write_synthetic(tmp_path / "in", 5)]


@pytest.fixture(autouse=True)
def no_index(monkeypatch):
    monkeypatch.setattr(bulk_run, "render_index", lambda out: out / "index.html")


class FakeReports:
    """Stands in for the report task: writes the unit's files and state as a worker would, or fails as told."""

    def __init__(self, fail: dict[str, str] | None = None, die_once: set[str] | None = None) -> None:
        self.fail, self.die_once, self.runs = dict(fail or {}), set(die_once or ()), []

    def __call__(self, fn, *args):
        if fn is not run_unit:
            return fn(*args)  # the plan of a file: the real one
        task: UnitTask = args[0]
        self.runs.append((task.unit_id, task.attempt))
        if task.unit_id in self.die_once and task.attempt == 1:
            return UnitOutcome(task.unit_id, task.name, "failed", error="Kernel berhenti", retry=True)
        if task.unit_id in self.fail:
            raise RuntimeError(self.fail[task.unit_id])  # the worker process itself failed
        out = Path(task.out_dir)
        (out / f"{task.name}.html").write_text("<p>LHE</p>", encoding="utf-8")
        (out / f"{task.name}.ipynb").write_text("{}", encoding="utf-8")
        outcome = UnitOutcome(task.unit_id, task.name, "ok", files={"notebook": f"{task.name}.ipynb",
                                                                     "html": f"{task.name}.html", "pdf": None})
        write_state(out / STATE_DIR / f"{task.name}.json", task, outcome)  # complete, as a worker says it
        return outcome


def test_every_executor_is_an_executor():
    for cls in (InlineExecutor, LocalExecutor, DaskExecutor):
        assert {"submit", "window", "cancel", "close"} <= set(dir(cls))
    assert isinstance(InlineExecutor(), Executor)


def test_units_are_reported_in_input_order_with_the_summary(tmp_path, inputs):
    fake, messages = FakeReports(), []
    executor = InlineExecutor(fake, window=2)
    result = run_bulk(BulkOptions(inputs, tmp_path / "out", progress=False), log=messages.append, executor=executor)
    assert result.exit_code == 0, messages
    assert [r["unit_id"] for r in result.rows] == [f"unit-{i:05d}" for i in range(1, 6)]
    assert [r["status"] for r in result.rows] == ["ok"] * 5 and executor.closed
    doc = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert doc["counts"]["ok"] == 5 and doc["counts"]["failed"] == 0
    assert [u for u, _ in fake.runs] == [r["unit_id"] for r in result.rows]


def test_one_failing_unit_does_not_stop_the_others(tmp_path, inputs):
    fake, messages = FakeReports(fail={"unit-00002": "pekerja hilang"}), []
    result = run_bulk(BulkOptions(inputs, tmp_path / "out", progress=False), log=messages.append,
                      executor=InlineExecutor(fake))
    status = {r["unit_id"]: r["status"] for r in result.rows}
    assert status.pop("unit-00002") == "failed" and set(status.values()) == {"ok"}
    assert result.exit_code == 1
    failed = next(r for r in result.rows if r["unit_id"] == "unit-00002")
    assert "pekerja hilang" in failed["error"] and "jalankan ulang dengan --resume" in failed["error"]


def test_a_unit_whose_kernel_died_is_run_once_more(tmp_path, inputs):
    fake, messages = FakeReports(die_once={"unit-00001"}), []
    result = run_bulk(BulkOptions(inputs, tmp_path / "out", progress=False), log=messages.append,
                      executor=InlineExecutor(fake))
    assert result.exit_code == 0
    assert fake.runs.count(("unit-00001", 1)) == 1 and fake.runs.count(("unit-00001", 2)) == 1
    assert [m for m in messages if m.startswith("ULANG")] == [
        "ULANG unit-00001: Kernel berhenti Unit dijalankan sekali lagi."]


def test_no_more_units_in_flight_than_the_window(tmp_path, inputs):
    in_flight, most = [], [0]

    class Slow(InlineExecutor):
        """Completes each unit only when the next one is submitted, so the window is what limits the queue."""

        def submit(self, fn, *args):
            if fn is run_unit:
                in_flight.append(args[0].unit_id)
                most[0] = max(most[0], len(in_flight))
            future = super().submit(fn, *args)
            if fn is run_unit:
                in_flight.remove(args[0].unit_id)
            return future

    result = run_bulk(BulkOptions(inputs, tmp_path / "out", progress=False), executor=Slow(FakeReports(), window=1))
    assert result.exit_code == 0 and most[0] == 1


def test_resume_hands_only_unfinished_units_to_the_executor(tmp_path, inputs):
    out = tmp_path / "out"
    broken = {f"unit-0000{i}": "pekerja hilang" for i in (3, 4, 5)}
    first = run_bulk(BulkOptions(inputs, out, progress=False), executor=InlineExecutor(FakeReports(fail=broken)))
    assert [r["status"] for r in first.rows] == ["ok", "ok", "failed", "failed", "failed"]
    again = FakeReports()
    second = run_bulk(BulkOptions(inputs, out, progress=False, resume=True), executor=InlineExecutor(again))
    assert second.exit_code == 0 and second.run_id == first.run_id
    assert [u for u, _ in again.runs] == ["unit-00003", "unit-00004", "unit-00005"]
    assert [bool(r["resumed"]) for r in second.rows] == [True, True, False, False, False]
