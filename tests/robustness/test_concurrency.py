"""Concurrency: 8 evaluator processes each record 50 adjustments on the same unit at the same moment.

Every process runs the code path of ``zi-nb adjust`` (:func:`zi_nb.cli.main`, in a loop, so 400 process start-ups
do not dominate the time) against one ledger file that none of them has created yet: they all start behind a
barrier, create the ledger together and change the same two items of the same unit. Afterwards all 400 records
must be present exactly once, the hash chain must verify, each record's "previous answer" must be the answer of the
record before it for that item (read under the write lock, not before it), and no process may have seen anything but
success, or the clear Indonesian retry message (after which it retries, as an evaluator would).
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import sqlite3
import time

import pytest

from tests.robustness.figures import report_figures
from zi_nb import read_inputs
from zi_nb.errors import LedgerError
from zi_nb.lke.sample import bundled_paths
from zi_nb.review.ledger import BUSY_MESSAGE, Ledger

PROCESSES, ADJUSTMENTS = 8, 50
UNIT = "rsud-mekarsari"
CODES = ("PPA1B", "PPA2B")
RETRY_HINT = "Silakan ulangi"


def _cli(args: list[str]) -> tuple[int, str, str]:
    from zi_nb.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(args)
        except SystemExit as exc:
            code = exc.code or 0
    return code, out.getvalue(), err.getvalue()


def _evaluator(worker: int, ledger: str, barrier, results) -> None:
    """One evaluator process: ADJUSTMENTS changes through the `zi-nb adjust` code path, retrying on the retry
    message; every other outcome is recorded as an error."""
    answers, units = (str(p) for p in bundled_paths())
    seen: list[str] = []
    retries = 0
    barrier.wait(timeout=120)
    for n in range(ADJUSTMENTS):
        args = ["adjust", "--input", answers, "--units-file", units, "--unit", UNIT, "--code", CODES[n % 2],
                "--answer", "ABC"[(n + worker) % 3], "--tier", "tpi", "--evaluator", f"penilai-{worker}",
                "--note", f"perubahan {worker}-{n}", "--ledger", ledger]
        for _ in range(20):
            code, out, err = _cli(args)
            if code != 0 and RETRY_HINT in err:
                retries += 1
                continue
            break
        if code != 0 or err.strip() or "Tersimpan" not in out:
            seen.append(f"#{n}: status {code}: {err.strip() or out.strip()}")
    results.put((worker, seen, retries))


def test_eight_evaluators_fifty_adjustments_each_on_one_unit(tmp_path):
    ledger = tmp_path / "bersama.sqlite"  # not created yet: the evaluators create it together
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    started = time.perf_counter()
    procs = [ctx.Process(target=_evaluator, args=(w, str(ledger), barrier, results)) for w in range(PROCESSES)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    seconds = time.perf_counter() - started
    assert all(p.exitcode == 0 for p in procs), [p.exitcode for p in procs]

    errors = [f"penilai-{w} {e}" for w, seen, _ in outcomes for e in seen]
    retries = sum(r for *_, r in outcomes)
    book = Ledger(ledger)
    records = book.records()
    expected = {f"perubahan {w}-{n}" for w in range(PROCESSES) for n in range(ADJUSTMENTS)}
    notes = [r.note for r in records]
    lost = len(expected - set(notes)) + (len(notes) - len(set(notes)))  # missing or recorded twice
    readme = report_figures(concurrent_writers=f"{PROCESSES} x {ADJUSTMENTS}", concurrent_records_lost=lost)
    assert not errors, errors[:5]
    assert lost == 0 and len(records) == PROCESSES * ADJUSTMENTS
    assert [r.seq for r in records] == list(range(1, PROCESSES * ADJUSTMENTS + 1))
    assert book.verify() == []
    with sqlite3.connect(ledger) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # what each change replaced is the answer of the change before it on the same item (first: the workbook's)
    data = read_inputs([str(p) for p in bundled_paths()])
    tpi = data.answers[(data.answers["unit_id"] == UNIT) & (data.answers["tier"] == "tpi")].set_index("code")
    workbook = {code: tpi.loc[code, "answer"] for code in CODES}
    for code in CODES:
        chain = [r for r in records if r.code == code]
        assert len(chain) == PROCESSES * ADJUSTMENTS // 2
        assert [r.previous for r in chain] == [workbook[code]] + [r.answer for r in chain[:-1]]
        assert all(r.unit_id == UNIT and r.tier == "tpi" and r.evaluator.startswith("penilai-") for r in chain)
    print(f"{PROCESSES} x {ADJUSTMENTS} penyesuaian dalam {seconds:.1f} detik, {retries} kali diulang")
    readme()


def test_a_writer_that_cannot_get_the_lock_gets_the_retry_message_and_writes_nothing(tmp_path, rubric):
    path = tmp_path / "l.sqlite"
    book = Ledger(path, timeout=1.0)
    book.adjust(rubric, UNIT, "PPA1B", "A", "tpi", "eva", "pertama", previous="B")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another evaluator holds the write lock (e.g. a stuck process)
    try:
        started = time.perf_counter()
        with pytest.raises(LedgerError) as exc:
            book.adjust(rubric, UNIT, "PPA1B", "C", "tpi", "eva", "kedua")
        waited = time.perf_counter() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    message = str(exc.value)
    assert message == BUSY_MESSAGE.format(path=path, seconds=1.0)
    assert "BELUM tersimpan" in message and RETRY_HINT in message and "Traceback" not in message
    assert 0.9 <= waited < 10  # waits about the ledger's timeout, not minutes
    assert [r.note for r in book.records()] == ["pertama"]
    retried = book.adjust(rubric, UNIT, "PPA1B", "C", "tpi", "eva", "kedua")  # the evaluator retries
    assert (retried.seq, retried.previous, retried.answer) == (2, "A", "C") and book.verify() == []
