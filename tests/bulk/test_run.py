"""zi-nb bulk: every report and the summary, failures recorded, warm kernels isolated, resume, Ctrl-C, Dask."""

from __future__ import annotations

import contextlib
import json
import re
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from tests.helpers import cli
from tests.helpers import summary_of as summary
from zi_nb.bulk import run as bulk_run
from zi_nb.bulk import summary as bulk_summary
from zi_nb.bulk.run import BulkOptions, run_bulk
from zi_nb.lke.sample import bundled_paths, write_synthetic
from zi_nb.report.runner import run_report
from zi_nb.review.ledger import Ledger

SAMPLE_DIR = bundled_paths()[0].parent
TEMP = re.compile(r"\.tmp")




def temp_files(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if TEMP.search(p.name)]


def no_index(monkeypatch) -> None:
    """Runs whose page is not looked at skip executing the summary notebook (4 s each)."""
    monkeypatch.setattr(bulk_run, "render_index", lambda out: out / "index.html")


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """The bundled sample at tier 'unit' (12 units), a file that is not a workbook, and a unit without answers at
    that tier (its notebook fails), with a reviewer ledger; 2 local warm workers, through the CLI."""
    base = tmp_path_factory.mktemp("bulk")
    bad = base / "rusak.xlsx"
    bad.write_bytes(b"ini bukan buku kerja\x00\x01")
    only_tpi = base / "tpi-saja.csv"
    pd.DataFrame([("u-tpi", "tpi", "HBA", "3")], columns=["unit_id", "tier", "code", "answer"]).to_csv(only_tpi,
                                                                                                       index=False)
    ledger = base / "ledger.sqlite"
    Ledger(ledger)
    out = base / "out"
    code = cli("bulk", str(SAMPLE_DIR), str(bad), str(only_tpi), "-o", str(out), "--workers", "2", "--tier", "unit",
               "--ledger", str(ledger), "--run-id", "uji", "--no-progress")
    return {"out": out, "code": code, "ledger": ledger, "inputs": [str(SAMPLE_DIR), str(bad), str(only_tpi)]}


def test_every_report_and_the_summary(first):
    out, doc = first["out"], summary(first["out"])
    ok = [u for u in doc["units"] if u["status"] == "ok"]
    assert len(ok) == 12 and doc["counts"] == {"units": 14, "ok": 12, "failed": 2, "resumed": 0, "data_status": {
        "final": 11, "belum lengkap": 1, "sementara": 0}}  # rsud-mekarsari left an item of its PMPZI blank
    assert next(u for u in ok if u["unit_id"] == "rsud-mekarsari")["data_status"] == "belum lengkap"
    for u in ok:
        assert (out / u["report"]).is_file() and (out / u["notebook"]).is_file()
        assert u["predicate"] in ("WBBM", "WBK", "TIDAK") and set(u["areas"]) == set("ABCDEF")
        assert 0 < u["total"] <= 100 and all(0 <= v <= 100 for v in u["areas"].values())
    assert doc["run_id"] == "uji" and doc["rubric"]["id"] == "zi-2021" and doc["tier"] == "unit"
    assert not temp_files(out)
    table = pd.read_excel(out / "summary.xlsx", engine="openpyxl")
    assert len(table) == 14 and {"Unit", "Instansi", "Nilai total", "Predikat", "Area A (%)", "Laporan",
                                 "Status", "Galat", "Kriteria belum terpenuhi"} <= set(table.columns)
    html = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="zib-units"' in html and "<script src=" not in html and 'class="jp-InputArea' not in html
    assert all(f'href="{u["report"]}"' in html for u in ok)
    assert html.count('<img alt="') == 3  # predikat per instansi, totals, failing areas


def test_bad_input_and_failed_notebook_are_recorded(first):
    assert first["code"] == 1  # some unit failed; the others were still made
    failed = {u["input"]: u for u in summary(first["out"])["units"] if u["status"] == "failed"}
    assert set(failed) == {"rusak.xlsx", "tpi-saja.csv"}
    assert "rusak.xlsx" in failed["rusak.xlsx"]["error"] and "tidak dapat" in failed["rusak.xlsx"]["error"]
    assert "u-tpi" in failed["tpi-saja.csv"]["error"] and "tingkat 'unit'" in failed["tpi-saja.csv"]["error"]
    assert not (first["out"] / "u-tpi.html").exists()
    assert "u-tpi" in (first["out"] / "index.html").read_text(encoding="utf-8")


def _cells(path: Path) -> list:
    """What a report shows: each code cell's source, execution count and outputs (not timings)."""
    nb = nbformat.read(path, as_version=4)
    return [(c.source, c.get("execution_count"), json.dumps(c.outputs, sort_keys=True))
            for c in nb.cells if c.cell_type == "code"]


def test_warm_kernel_report_equals_a_fresh_report(first, tmp_path):
    out, doc = first["out"], summary(first["out"])
    ok = [u for u in doc["units"] if u["status"] == "ok"]
    # a unit that its worker rendered after at least two others
    unit = next(u for i, u in enumerate(ok) if sum(v["worker"] == u["worker"] for v in ok[:i]) >= 2)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    params = next(u["params"] for u in manifest["units"] if u["unit_id"] == unit["unit_id"])
    assert params["unit_id"] == unit["unit_id"] and params["tier"] == "unit" and params["run_id"] == "uji"
    fresh = run_report(params, tmp_path)  # what `zi-nb report` does, in a new kernel
    assert _cells(fresh.notebook) == _cells(out / unit["notebook"])

    def page(path: Path) -> str:  # papermill gives the injected cell a new random id on every run
        return re.sub(r'id="cell-id=[0-9a-f-]+"', "", path.read_text(encoding="utf-8"))

    assert page(fresh.html) == page(out / unit["report"])


def test_audit_verifies_a_bulk_run(first):
    import zi_nb.cli.audit  # noqa: F401

    assert cli("audit", "verify", str(first["out"])) == 0
    manifest = json.loads((first["out"] / "manifest.json").read_text(encoding="utf-8"))
    assert len([u for u in manifest["units"] if u["status"] == "ok"]) == 12
    assert all(len(u["outputs"]) == 2 for u in manifest["units"] if u["status"] == "ok")


def test_resume_skips_what_is_finished_and_redoes_one_changed_unit(first, monkeypatch, rubric):
    no_index(monkeypatch)
    out = first["out"]
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.html") if p.name != "index.html"}
    args = ["bulk", *first["inputs"], "-o", str(out), "--tier", "unit", "--ledger", str(first["ledger"]),
            "--resume", "--no-progress"]
    assert cli(*args) == 1  # the two failed ones are tried again (and fail again)
    doc = summary(out)
    assert doc["run_id"] == "uji" and doc["counts"]["resumed"] == 12 and doc["counts"]["failed"] == 2
    assert before == {p: (out / p).stat().st_mtime_ns for p in before}
    # a reviewer changes one unit's answer: only that unit is redone
    Ledger(first["ledger"]).adjust(rubric, "kpp-danau-biru", "PPA1B", "A", "tpi", "evaluator-9", "Bukti lengkap")
    time.sleep(0.01)
    assert cli(*args) == 1
    doc = summary(out)
    redone = [u["unit_id"] for u in doc["units"] if u["status"] == "ok" and not u["resumed"]]
    assert redone == ["kpp-danau-biru"] and doc["counts"]["resumed"] == 11
    changed = [p for p in before if (out / p).stat().st_mtime_ns != before[p]]
    assert changed == ["kpp-danau-biru.html"]
    assert "evaluator-9" in (out / "kpp-danau-biru.html").read_text(encoding="utf-8")


def test_decisions_are_recorded_once_per_unit_and_run(first):
    """The fixture's run and the two resumed runs above share the run id 'uji': each unit's decision is in the ledger
    once (the reviewer's TPI change redid one report but not its result at tier 'unit')."""
    from zi_nb.review.decisions import duplicated_decisions

    records = Ledger(first["ledger"]).records()
    decisions: dict[str, int] = {}
    for rec in records:
        if rec.kind == "decision" and rec.details["run_id"] == "uji":
            decisions[rec.unit_id] = decisions.get(rec.unit_id, 0) + 1
    assert len(decisions) == 12 and set(decisions.values()) == {1} and duplicated_decisions(records) == {}
    assert cli("audit", "verify", str(first["out"])) == 0


def test_audit_names_a_decision_recorded_twice(first, tmp_path, rubric):
    import shutil

    from zi_nb.audit.verify import verify
    from zi_nb.review.decisions import record_decision

    ledger = tmp_path / "ledger.sqlite"
    shutil.copy(first["ledger"], ledger)
    book = Ledger(ledger)
    again = next(r for r in book.records() if r.kind == "decision" and r.unit_id == "rsud-mekarsari")
    record = {"unit_id": again.unit_id, "year": again.details["year"], "tier": again.tier,
              "total": again.details["total"], "predicate": again.answer, "criteria": again.details["criteria"],
              **{k: again.details[k] for k in ("status", "errors", "answered", "scorable") if k in again.details}}
    assert record_decision(book, record, "uji", rubric.id) == again  # the same decision again: not written
    n = len(book.records())
    book.append(kind="decision", unit_id=again.unit_id, code=again.code, tier=again.tier, previous=again.answer,
                answer=again.answer, evaluator=again.evaluator, note=again.note, rubric_id=again.rubric_id,
                data=again.details)  # what a resumed run did before decisions were recorded once
    assert len(book.records()) == n + 1
    problems = [d.render() for d in verify(first["out"], str(ledger))]
    assert any("rsud-mekarsari" in p and "tercatat 2 kali" in p for p in problems), problems


def test_interrupted_run_leaves_no_partial_report_and_resume_completes_it(tmp_path, monkeypatch):
    no_index(monkeypatch)
    inputs = [str(p) for p in write_synthetic(tmp_path / "in", 5)]
    out = tmp_path / "out"

    def stop_after_first(outcome, counts):
        raise KeyboardInterrupt  # what Ctrl-C does in the main loop

    with pytest.raises(KeyboardInterrupt):
        run_bulk(BulkOptions(inputs, out, workers=2, progress=False), hook=stop_after_first)
    assert not temp_files(out)
    done = sorted(p.stem for p in out.glob("*.html"))
    assert 1 <= len(done) < 5 and not (out / "summary.json").exists()
    assert sorted(p.stem for p in (out / ".state").glob("unit-*.json")) == done  # finished = complete report
    assert all((out / f"{name}.ipynb").is_file() for name in done)
    result = run_bulk(BulkOptions(inputs, out, workers=2, progress=False, resume=True))
    assert result.exit_code == 0 and len(result.rows) == 5
    assert sum(bool(r["resumed"]) for r in result.rows) == len(done)
    assert len(list(out.glob("unit-*.html"))) == 5 and not temp_files(out)


def test_dask_local_cluster(tmp_path, monkeypatch):
    no_index(monkeypatch)
    inputs = [str(p) for p in write_synthetic(tmp_path / "in", 3)]
    out = tmp_path / "out"
    result = run_bulk(BulkOptions(inputs, out, workers=2, executor="dask", progress=False))
    assert result.exit_code == 0
    assert [r["unit_id"] for r in result.rows] == ["unit-00001", "unit-00002", "unit-00003"]
    assert all((out / r["report"]).is_file() and (out / r["notebook"]).is_file() for r in result.rows)
    assert summary(out)["counts"]["ok"] == 3 and (out / "summary.xlsx").is_file()


def test_unusable_options_exit_2(tmp_path):
    assert cli("bulk", str(tmp_path / "tidak-ada"), "-o", str(tmp_path / "o"), "--no-progress") == 2
    empty = tmp_path / "kosong"
    empty.mkdir()
    assert cli("bulk", str(empty), "-o", str(tmp_path / "o")) == 2
    assert cli("bulk", str(SAMPLE_DIR), "-o", str(tmp_path / "o"), "--policy", "unanswered=x") == 2


def test_summary_xlsx_keeps_formula_like_text_as_text(tmp_path):
    from openpyxl import load_workbook

    doc = bulk_summary.sample_doc()
    doc["units"][0]["unit_name"] = "=HYPERLINK(\"http://x\")"
    doc["units"][1]["instansi"] = "+62 Kantor"
    path = bulk_summary.write_xlsx(doc, tmp_path / "s.xlsx")
    ws = load_workbook(path).active
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert cells["=HYPERLINK(\"http://x\")"].data_type == "s" and cells["+62 Kantor"].data_type == "s"


# -- failures of kernels and worker processes --------------------------------------------------------------------------
def _worker_pid(outcome) -> int:
    return int(outcome.worker.rsplit(":", 1)[1])


def _kernels(pid: int) -> list:
    import psutil

    def cmdline(p: psutil.Process) -> str:
        try:
            return " ".join(p.cmdline())
        except psutil.Error:  # ended meanwhile, or a zombie
            return ""

    return [p for p in psutil.Process(pid).children(recursive=True) if "ipykernel_launcher" in cmdline(p)]


def test_a_killed_kernel_is_replaced_and_its_unit_run_again(tmp_path, monkeypatch):
    no_index(monkeypatch)
    inputs = [str(p) for p in write_synthetic(tmp_path / "in", 4)]
    out, messages, killed = tmp_path / "out", [], []

    def kill_kernel(outcome, counts):
        """After the first report: wait until the (only) worker runs the next unit's notebook, then kill its kernel."""
        if killed:
            return
        before = set(temp_files(out))
        deadline = time.monotonic() + 60
        while not set(temp_files(out)) - before and time.monotonic() < deadline:
            time.sleep(0.01)
        # the notebook's temporary file exists from the start of its run: kill at once, while it runs (a unit takes
        # about 0.4 s; waiting longer could land the kill between units on a loaded machine, where nothing is retried)
        for kernel in _kernels(_worker_pid(outcome)):
            kernel.kill()
            killed.append(kernel.pid)

    result = run_bulk(BulkOptions(inputs, out, workers=1, progress=False), hook=kill_kernel, log=messages.append)
    assert killed and result.exit_code == 0, messages
    assert [r["status"] for r in result.rows] == ["ok"] * 4 and not temp_files(out)
    retried = [m for m in messages if m.startswith("ULANG ")]
    # the kill lands while the next unit's notebook runs (or, on a slow machine, while the one after is reset)
    assert len(retried) == 1 and re.match(r"ULANG unit-0000[234]: [Kk]ernel berhenti", retried[0]), messages
    assert len(list(out.glob("unit-*.html"))) == 4


def test_a_killed_worker_process_is_replaced_and_its_units_run_again(tmp_path, monkeypatch):
    import os
    import signal

    no_index(monkeypatch)
    inputs = [str(p) for p in write_synthetic(tmp_path / "in", 5)]
    out, messages, killed = tmp_path / "out", [], []

    def kill_worker(outcome, counts):
        if not killed:
            killed.append(_worker_pid(outcome))
            os.kill(killed[0], signal.SIGKILL)

    result = run_bulk(BulkOptions(inputs, out, workers=2, progress=False), hook=kill_worker, log=messages.append)
    assert killed and result.exit_code == 0, messages
    assert [r["status"] for r in result.rows] == ["ok"] * 5 and not temp_files(out)
    assert any(m.startswith("ULANG unit-") and "BrokenProcessPool" in m for m in messages), messages
    assert len(list(out.glob("unit-*.html"))) == 5


def test_a_hanging_unit_fails_after_timeout_and_the_others_go_on(tmp_path, monkeypatch):
    """A kernel that stops answering (here: SIGSTOP) makes its unit hang: after --timeout the kernel is killed, the
    unit is reported failed with a message saying so, a new kernel takes the next units."""
    import signal

    no_index(monkeypatch)
    inputs = [str(p) for p in write_synthetic(tmp_path / "in", 4)]
    out, messages, stopped = tmp_path / "out", [], []

    def hang(outcome, counts):
        if not stopped:
            for kernel in _kernels(_worker_pid(outcome)):
                kernel.send_signal(signal.SIGSTOP)
                stopped.append(kernel)

    started = time.perf_counter()
    result = run_bulk(BulkOptions(inputs, out, workers=1, progress=False, timeout=15), hook=hang,
                      log=messages.append)
    seconds = time.perf_counter() - started
    assert stopped and result.exit_code == 1
    failed = [r for r in result.rows if r["status"] != "ok"]
    assert [r["unit_id"] for r in failed] == ["unit-00002"], messages
    assert "melewati batas waktu 15 detik" in failed[0]["error"] and "--timeout" in failed[0]["error"]
    assert not any(m.startswith("ULANG") for m in messages)  # a hang is not tried again
    assert sum(r["status"] == "ok" for r in result.rows) == 3 and not temp_files(out)
    assert not any(k.is_running() and k.status() != "zombie" for k in stopped)  # the stopped kernel was killed
    assert seconds < 120
    resumed = run_bulk(BulkOptions(inputs, out, workers=1, progress=False, resume=True))
    assert resumed.exit_code == 0 and sum(bool(r["resumed"]) for r in resumed.rows) == 3


def test_timeout_option_reaches_every_unit(tmp_path, monkeypatch):
    from zi_nb.bulk import run as bulk
    from zi_nb.bulk import warm
    from zi_nb.cli import bulk as cli_bulk

    seen = []

    def fake_run(options):
        seen.append(options.timeout)
        raise SystemExit(0)

    monkeypatch.setattr(bulk, "run_bulk", fake_run)
    assert cli("bulk", str(SAMPLE_DIR), "-o", str(tmp_path / "o"), "--timeout", "42") == 0
    assert cli("bulk", str(SAMPLE_DIR), "-o", str(tmp_path / "o")) == 0
    assert seen == [42.0, warm.UNIT_TIMEOUT] and cli_bulk.UNIT_TIMEOUT == warm.UNIT_TIMEOUT
    assert cli("bulk", str(SAMPLE_DIR), "-o", str(tmp_path / "o"), "--timeout", "-1") == 2


def test_pdf_reports_in_bulk_are_in_the_summary_manifest_and_resume_key(tmp_path, monkeypatch, chromium_path):
    no_index(monkeypatch)
    inputs = [str(p) for p in write_synthetic(tmp_path / "in", 2)]
    out = tmp_path / "out"
    assert cli("bulk", *inputs, "-o", str(out), "--workers", "1", "--pdf", "--no-progress", "--run-id", "pdf") == 0
    units = summary(out)["units"]
    assert [u["pdf"] for u in units] == ["unit-00001.pdf", "unit-00002.pdf"]
    for u in units:
        data = (out / u["pdf"]).read_bytes()
        assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert all(len(u["outputs"]) == 3 for u in manifest["units"])  # notebook, HTML and PDF, each with its hash
    assert cli("audit", "verify", str(out)) == 0 and not temp_files(out)
    # the PDF is part of what a finished unit is: a run without --pdf does not count it as the same output
    assert cli("bulk", *inputs, "-o", str(out), "--workers", "1", "--resume", "--no-progress", "--run-id", "pdf") == 0
    assert not any(u["resumed"] for u in summary(out)["units"])


def _start(args: list[str], log: Path):
    import subprocess

    with open(log, "wb") as out:
        return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc) -> None:
    import os
    import signal
    import subprocess

    proc.terminate()  # a dask worker closes its warm kernels on a graceful exit
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def test_dask_existing_scheduler_as_a_team_runs_it(tmp_path, monkeypatch):
    """The README's recipe: `dask scheduler` and `dask worker` started on their own, `zi-nb bulk --executor dask
    --scheduler ADDR` sends the units there, the workers write into the (shared) output folder, and the team's
    cluster is still running after the run (zi-nb closes only its connection)."""
    import sys

    from distributed import Client

    from zi_nb.app.serve import free_port

    no_index(monkeypatch)
    inputs = [str(p) for p in write_synthetic(tmp_path / "in", 4)]
    out, port = tmp_path / "out", free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).with_name("dask"))
    scheduler = _start([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                       tmp_path / "scheduler.log")
    worker = None
    try:
        worker = _start([dask, "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard",
                         "--local-directory", str(tmp_path / "dask")], tmp_path / "worker.log")
        code = cli("bulk", *inputs, "-o", str(out), "--executor", "dask", "--scheduler", address, "--no-progress",
                   "--run-id", "tim")
        logs = (tmp_path / "scheduler.log").read_text(errors="replace") + (tmp_path / "worker.log").read_text(
            errors="replace")
        assert code == 0, logs[-3000:]
        doc = summary(out)
        counts = {k: v for k, v in doc["counts"].items() if k != "data_status"}
        assert counts == {"units": 4, "ok": 4, "failed": 0, "resumed": 0}
        assert sum(doc["counts"]["data_status"].values()) == 4
        assert all((out / u["report"]).is_file() and (out / u["notebook"]).is_file() for u in doc["units"])
        assert not temp_files(out) and cli("audit", "verify", str(out)) == 0
        with Client(address, timeout="10s") as client:  # the team's cluster outlives the run
            assert sum(client.nthreads().values()) == 2
    finally:
        if worker is not None:
            _stop(worker)
        _stop(scheduler)


def test_dask_scheduler_unreachable_or_without_workers_is_a_clear_error(tmp_path, monkeypatch, capsys):
    import sys

    from zi_nb.app.serve import free_port
    from zi_nb.bulk import executor as bulk_exec

    monkeypatch.setattr(bulk_exec, "CONNECT_TIMEOUT", 3)
    nobody = f"tcp://127.0.0.1:{free_port()}"
    assert cli("bulk", str(SAMPLE_DIR), "-o", str(tmp_path / "a"), "--executor", "dask", "--scheduler", nobody) == 2
    err = capsys.readouterr().err
    assert f"Penjadwal Dask '{nobody}' tidak dapat dihubungi" in err and "Traceback" not in err
    port = free_port()
    dask = str(Path(sys.executable).with_name("dask"))
    scheduler = _start([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                       tmp_path / "scheduler.log")
    try:
        address = f"tcp://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while b"Scheduler at" not in (tmp_path / "scheduler.log").read_bytes() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert cli("bulk", str(SAMPLE_DIR), "-o", str(tmp_path / "b"), "--executor", "dask", "--scheduler",
                   address) == 2
        err = capsys.readouterr().err
        assert "belum punya pekerja" in err and f"dask worker {address}" in err and "Traceback" not in err
        assert not (tmp_path / "b" / "summary.json").exists()
    finally:
        _stop(scheduler)
