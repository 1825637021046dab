"""The reviewer ledger: hash chain, refusals, undo, concurrency, and its use by scores, CLI and export."""

from __future__ import annotations

import multiprocessing
import sqlite3

import openpyxl
import pytest

from tests.helpers import run
from zi_nb import read_inputs
from zi_nb.engine.results import compute
from zi_nb.errors import LedgerError
from zi_nb.lke.sample import bundled_paths
from zi_nb.review.ledger import GENESIS, Ledger, apply_ledger

SAMPLE = [str(p) for p in bundled_paths()]


@pytest.fixture
def ledger(tmp_path):
    return Ledger(tmp_path / "ledger.sqlite")


def test_records_are_chained_and_verify(ledger, rubric):
    a = ledger.adjust(rubric, "u1", "PPA1B", "b", "tpi", "eva", "Sebagian unsur saja", previous="A")
    b = ledger.adjust(rubric, "u1", "PRE3A.wajib_total", "15", "tpn", "tpn-1", "Sesuai daftar wajib lapor")
    assert (a.seq, a.prev_hash, a.answer, a.previous) == (1, GENESIS, "B", "A")
    assert b.prev_hash == a.hash and ledger.head() == b.hash and b.answer == "15"
    assert ledger.verify() == []
    assert [r.code for r in ledger.records("u1")] == ["PPA1B", "PRE3A.wajib_total"]


@pytest.mark.parametrize("kwargs, message", [
    ({"note": "  "}, "Catatan wajib"),
    ({"answer": "Mungkin"}, "tidak sah"),
    ({"code": "XYZ1"}, "tidak ada dalam rubrik"),
    ({"tier": "final"}, "Tingkat"),
    ({"evaluator": ""}, "evaluator"),
])
def test_refusals(ledger, rubric, kwargs, message):
    args = {"unit_id": "u1", "code": "PPA1B", "answer": "A", "tier": "tpi", "evaluator": "eva", "note": "ok"} | kwargs
    with pytest.raises(LedgerError, match=message):
        ledger.adjust(rubric, **args)
    assert ledger.records() == []


def _tamper(path, sql):
    db = sqlite3.connect(path)
    db.execute(sql)
    db.commit()
    db.close()


def test_chain_detects_changed_deleted_and_reordered_records(tmp_path, rubric):
    path = tmp_path / "l.sqlite"
    book = Ledger(path)
    for n, answer in enumerate("ABCAB"):
        book.adjust(rubric, "u1", "PPA1B" if n % 2 else "PPA2B", answer, "tpi", "eva", f"catatan {n}")
    _tamper(path, "UPDATE records SET note = 'diubah diam-diam' WHERE seq = 2")
    assert any("#2: isi telah diubah" in p for p in book.verify())
    _tamper(path, "UPDATE records SET note = 'catatan 1' WHERE seq = 2")
    assert book.verify() == []
    _tamper(path, "DELETE FROM records WHERE seq = 3")
    problems = book.verify()
    assert any("#3 hilang" in p for p in problems) and any("#4: rantai hash terputus" in p for p in problems)


def test_undo_is_a_new_record(ledger, rubric):
    ledger.adjust(rubric, "u1", "PPA1B", "C", "tpi", "eva", "turun", previous="A")
    ledger.adjust(rubric, "u1", "PPA2B", "B", "tpi", "eva", "turun", previous="A")
    undo = ledger.undo(rubric, "u1", "tpi", "eva", "salah butir")
    assert (undo.kind, undo.code, undo.answer, undo.previous) == ("undo", "PPA2B", "A", "B")
    second = ledger.undo(rubric, "u1", "tpi", "eva", "salah lagi")
    assert (second.code, second.answer) == ("PPA1B", "A")
    assert len(ledger.records()) == 4 and ledger.verify() == []
    assert ledger.current("u1", "tpi") == {"PPA1B": "A", "PPA2B": "A"}


def test_scores_read_workbook_plus_ledger(ledger, rubric):
    data = read_inputs(SAMPLE)
    before = compute(data, "tpi").scores
    assert before.items.loc["rsud-mekarsari", "PPB1A"] == 0.33
    ledger.adjust(rubric, "rsud-mekarsari", "PPB1A", "A", "tpi", "eva", "SOP mengacu probis", previous="C")
    after = compute(apply_ledger(data, ledger), "tpi").scores
    assert after.items.loc["rsud-mekarsari", "PPB1A"] == 1.0
    assert after.total["rsud-mekarsari"] > before.total["rsud-mekarsari"]
    assert after.total["kua-sukamaju"] == before.total["kua-sukamaju"]


def _writer(args):
    path, worker, count = args
    from zi_nb.engine.rubric import load_rubric
    from zi_nb.review.ledger import Ledger

    rubric = load_rubric()
    book = Ledger(path)
    for n in range(count):
        book.adjust(rubric, "u1", "PPA1B", "ABC"[n % 3], "tpi", f"eva-{worker}", f"perubahan {worker}-{n}")
    return count


def test_concurrent_writers_lose_nothing(tmp_path):
    path = str(tmp_path / "shared.sqlite")
    Ledger(path)
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        done = sum(pool.map(_writer, [(path, w, 25) for w in range(4)]))
    book = Ledger(path)
    records = book.records()
    assert done == 100 and len(records) == 100 and book.verify() == []
    assert {r.note for r in records} == {f"perubahan {w}-{n}" for w in range(4) for n in range(25)}


def test_cli_adjust_history_score_export(tmp_path, capsys):
    led = str(tmp_path / "l.sqlite")
    code, out, err = run(capsys, "adjust", "--input", SAMPLE[0], "--unit", "rsud-mekarsari", "--code", "PPB1A",
                         "--answer", "a", "--evaluator", "eva", "--note", "=HYPERLINK(\"http://x\")", "--ledger", led)
    assert code == 0 and "C -> A" in out
    code, _, err = run(capsys, "adjust", "--input", SAMPLE[0], "--unit", "rsud-mekarsari", "--code", "PPB1A",
                       "--answer", "B", "--evaluator", "eva", "--ledger", led)
    assert code == 2 and "Catatan wajib" in err
    code, _, err = run(capsys, "adjust", "--input", SAMPLE[0], "--unit", "nope", "--code", "PPB1A",
                       "--answer", "B", "--evaluator", "eva", "--note", "x", "--ledger", led)
    assert code == 2 and "nope" in err
    code, _, err = run(capsys, "adjust", "--input", SAMPLE[0], "--unit", "rsud-mekarsari", "--code", "PPB1A",
                       "--answer", "Z", "--evaluator", "eva", "--note", "x", "--ledger", led)
    assert code == 2 and "tidak sah" in err and "Traceback" not in err
    code, out, _ = run(capsys, "history", "--unit", "rsud-mekarsari", "--ledger", led)
    assert code == 0 and "jawaban diubah: eva (TPI) mengubah jawaban PPB1A: C -> A" in out
    assert "Rantai hash: utuh" in out
    _, plain, _ = run(capsys, "score", *SAMPLE, "--format", "csv")
    _, with_ledger, _ = run(capsys, "score", *SAMPLE, "--format", "csv", "--ledger", led)

    def row(text: str) -> str:
        return next(line for line in text.splitlines() if line.startswith("rsud-mekarsari"))

    assert row(plain) != row(with_ledger)
    out_xlsx = tmp_path / "lke.xlsx"
    code, _, _ = run(capsys, "export", "--input", SAMPLE[0], "--units-file", SAMPLE[1], "--unit", "rsud-mekarsari",
                     "--ledger", led, "-o", str(out_xlsx))
    assert code == 0
    _, exported, _ = run(capsys, "score", str(out_xlsx), "--format", "csv")
    assert row(exported).split(",")[5] == row(with_ledger).split(",")[5]  # same total after the round trip
    ws = next(ws for ws in openpyxl.load_workbook(out_xlsx).worksheets if ws.sheet_state == "visible")
    cells = [c for r in ws.iter_rows() for c in r if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)  # the note is text, never a formula


def test_decisions_revocation_and_story(tmp_path, capsys):
    from zi_nb.review.decisions import record_decision, unit_story

    led = str(tmp_path / "l.sqlite")
    book = Ledger(led)
    base = {"unit_id": "u1", "year": 2022, "tier": "tpi", "total": 80.0, "predicate": "WBK",
            "criteria": [{"predicate": "WBK", "code": "total", "value": 80.0, "minimum": 75.0, "met": True}]}
    record_decision(book, base, "r1", "zi-2021")
    record_decision(book, {**base, "tier": "tpn"}, "r2", "zi-2021")
    record_decision(book, {**base, "tier": "tpn", "year": 2023}, "r3", "zi-2021")
    record_decision(book, {**base, "tier": "tpn", "year": 2024, "predicate": "WBBM", "total": 91.0}, "r4", "zi-2021")
    code, _, err = run(capsys, "revoke", "--unit", "u1", "--year", "2024", "--evaluator", "menpan", "--ledger", led)
    assert code == 2 and "Alasan wajib" in err
    code, out, _ = run(capsys, "revoke", "--unit", "u1", "--year", "2024", "--reason", "Fakta pungli terbukti",
                       "--evaluator", "menpan", "--ledger", led)
    assert code == 0 and "WBBM" in out
    code, _, err = run(capsys, "revoke", "--unit", "u1", "--year", "2024", "--reason", "lagi",
                       "--evaluator", "menpan", "--ledger", led)
    assert code == 2 and "tidak memiliki predikat" in err
    labels = [e.label for e in unit_story(book, "u1")]
    assert labels == ["predikat diusulkan", "predikat ditetapkan", "predikat dipertahankan", "naik dari WBK ke WBBM",
                      "dicabut"]
    code, out, _ = run(capsys, "history", "--unit", "u1", "--ledger", led)
    assert code == 0 and "[2024] dicabut" in out and "Fakta pungli terbukti" in out and "utuh" in out
    assert book.verify() == []


def test_previous_answer_is_the_ledgers_latest_read_under_the_lock(ledger, rubric):
    """A stale view (another evaluator changed the item after this one loaded it) does not falsify "previous"."""
    first = ledger.adjust(rubric, "u1", "PPA1B", "C", "tpi", "eva-1", "turun", previous="A")
    second = ledger.adjust(rubric, "u1", "PPA1B", "B", "tpi", "eva-2", "naik", previous="A")  # eva-2 saw "A"
    assert (first.previous, second.previous) == ("A", "C")
    other_tier = ledger.adjust(rubric, "u1", "PPA1B", "A", "tpn", "tpn-1", "tpn", previous="B")
    assert other_tier.previous == "B"  # no TPN record yet: the workbook's answer given by the caller


def test_a_decision_is_recorded_once_per_unit_and_run(ledger):
    from zi_nb.review.decisions import duplicated_decisions, record_decision

    base = {"unit_id": "u1", "year": 2024, "tier": "final", "total": 80.0, "predicate": "WBK",
            "criteria": [{"predicate": "WBK", "code": "total", "value": 80.0, "minimum": 75.0, "met": True}]}
    a = record_decision(ledger, base, "run-1", "zi-2021")
    assert record_decision(ledger, dict(base), "run-1", "zi-2021") == a  # resumed run: nothing written
    changed = record_decision(ledger, {**base, "total": 82.0}, "run-1", "zi-2021")  # result changed meanwhile
    other_run = record_decision(ledger, base, "run-2", "zi-2021")
    assert [r.seq for r in ledger.records()] == [a.seq, changed.seq, other_run.seq] == [1, 2, 3]
    assert duplicated_decisions(ledger.records()) == {} and ledger.verify() == []


def test_a_ledger_opened_by_many_processes_at_once_is_created_once(tmp_path):
    path = str(tmp_path / "baru.sqlite")  # not created yet
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        done = sum(pool.map(_writer, [(path, w, 5) for w in range(4)]))
    book = Ledger(path)
    assert done == 20 and len(book.records()) == 20 and book.verify() == []


def test_a_decision_from_data_with_errors_says_so_and_awards_nothing(tmp_path, capsys):
    from zi_nb.review.decisions import record_decision, unit_story

    led = str(tmp_path / "l.sqlite")
    book = Ledger(led)
    base = {"unit_id": "u1", "year": 2024, "tier": "tpn", "total": 91.0, "predicate": "WBBM",
            "criteria": [{"predicate": "WBBM", "code": "total", "value": 91.0, "minimum": 85.0, "met": True}],
            "status": "sementara", "errors": 2, "warnings": 0, "answered": 112, "scorable": 113}
    rec = record_decision(book, base, "r1", "zi-2021")
    assert rec.answer == "WBBM" and rec.details["status"] == "sementara"
    assert "predikat WBBM (sementara: 2 galat data" in rec.note and "belum final" in rec.note
    assert [e.label for e in unit_story(book, "u1")] == ["predikat belum dapat ditetapkan (sementara)"]
    code, _, err = run(capsys, "revoke", "--unit", "u1", "--year", "2024", "--reason", "uji", "--evaluator", "x",
                       "--ledger", led)
    assert code == 2 and "tidak memiliki predikat" in err  # nothing was awarded, nothing to withdraw
    final = record_decision(book, {**base, "status": "final", "errors": 0, "answered": 113}, "r2", "zi-2021")
    assert "status" not in final.details and final.note == "Hasil tpn: total 91.00, predikat WBBM"
    assert unit_story(book, "u1")[-1].label == "predikat ditetapkan"


def test_a_batch_is_written_in_one_transaction_all_or_none(ledger, rubric):
    ledger.adjust(rubric, "u1", "PPA1A", "Tidak", "tpi", "budi", "awal")
    records = ledger.adjust_many(rubric, "u1", [("PPA1A", "Ya", None), ("PPA1B", "b", "C"), ("PPA1A", "Tidak", None)],
                                 "tpi", "sari", "disetujui")
    assert [r.seq for r in records] == [2, 3, 4] and ledger.verify() == []
    # the previous answer of each is what the ledger held under the lock, earlier records of the batch included
    assert [(r.code, r.previous, r.answer) for r in records] == [("PPA1A", "Tidak", "Ya"), ("PPA1B", "C", "B"),
                                                                  ("PPA1A", "Ya", "Tidak")]
    with pytest.raises(LedgerError, match="tidak sah untuk PPA1B"):  # one invalid answer refuses the whole batch
        ledger.adjust_many(rubric, "u1", [("PPA1A", "Ya", None), ("PPA1B", "Z", None)], "tpi", "sari", "x")

    def failing(records):
        rows = [dict(kind="answer", unit_id="u1", code="PPA1C", tier="tpi", previous=None, answer="A",
                     evaluator="sari", note="n", rubric_id=rubric.id, data="{}")]
        rows.append({"kind": "answer"})  # a malformed second record: the insert of the batch fails part way
        return rows

    with pytest.raises(TypeError):
        ledger.write_many("u1", failing)
    assert len(ledger.records()) == 4 and ledger.verify() == []  # nothing of either batch was written
    assert ledger.write_many("u1", lambda records: []) == []
