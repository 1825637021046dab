"""Bukti dukung in the ledger: verdicts per required document and attachments (zi_nb.review.evidence)."""

from __future__ import annotations

import pytest

from tests.helpers import answers_of, best_raw
from zi_nb.engine.dataset import LkeData, empty_cached, empty_units
from zi_nb.errors import EvidenceError, LedgerError
from zi_nb.review.decisions import unit_story
from zi_nb.review.evidence import (
    attach,
    attachments_in_force,
    detach,
    evidence_check,
    evidence_hashes,
    mark_all_present,
    verdicts_in_force,
    write_verdicts,
)
from zi_nb.review.evidence_store import EvidenceStore
from zi_nb.review.ledger import Ledger

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def test_checklist_round_trip_through_the_ledger(tmp_path, rubric):
    book = Ledger(tmp_path / "l.sqlite")
    recs = write_verdicts(book, rubric, "u1", "PPA1A", "tpi", "budi", {1: "ada", 3: "tidak sesuai"}, "masih draf")
    assert [r.kind for r in recs] == ["bukti", "bukti"] and [r.answer for r in recs] == ["ada", "tidak sesuai"]
    assert recs[1].details == {"doc": 3, "dokumen": rubric.documents_of("PPA1A")[2], "catatan": "masih draf"}
    verdicts = verdicts_in_force(Ledger(tmp_path / "l.sqlite").records(), "u1", "tpi")
    assert {k: v.verdict for k, v in verdicts.items()} == {("u1", "PPA1A", 1): "ada",
                                                           ("u1", "PPA1A", 3): "tidak sesuai"}
    assert verdicts[("u1", "PPA1A", 3)].evaluator == "budi" and book.verify() == []
    # a later verdict replaces an earlier one; None withdraws
    write_verdicts(book, rubric, "u1", "PPA1A", "tpi", "sari", {3: "ada", 1: None})
    verdicts = verdicts_in_force(book.records(), "u1", "tpi")
    assert {k[2]: (v.verdict, v.evaluator) for k, v in verdicts.items()} == {3: ("ada", "sari")}
    assert "penilaian bukti dukung ditarik" in [e.label for e in unit_story(book, "u1")]


def test_semua_ada_marks_every_document_in_one_transaction(tmp_path, rubric):
    book = Ledger(tmp_path / "l.sqlite")
    recs = mark_all_present(book, rubric, "u1", "PRF2A", "tpi", "budi")
    assert len(recs) == len(rubric.documents_of("PRF2A")) == 3
    assert [r.seq for r in recs] == [1, 2, 3] and {r.answer for r in recs} == {"ada"}


def test_final_view_takes_tpn_over_tpi_and_each_stage_alone(tmp_path, rubric):
    book = Ledger(tmp_path / "l.sqlite")
    write_verdicts(book, rubric, "u1", "PPA1A", "tpn", "ani", {1: "tidak ada"})
    write_verdicts(book, rubric, "u1", "PPA1A", "tpi", "budi", {1: "ada", 2: "ada"})
    records = book.records()
    assert verdicts_in_force(records, "u1", "tpi")[("u1", "PPA1A", 1)].verdict == "ada"
    final = verdicts_in_force(records, "u1", "final")
    assert final[("u1", "PPA1A", 1)].verdict == "tidak ada" and final[("u1", "PPA1A", 2)].verdict == "ada"


@pytest.mark.parametrize(("code", "verdicts", "tier", "message"), [
    ("PPA1A", {4: "ada"}, "tpi", "dokumen nomor 4 tidak ada"),
    ("PPA1A", {1: "lengkap"}, "tpi", "tidak dikenal"),
    ("HBA", {1: "ada"}, "tpi", "tidak mencantumkan dokumen"),
    ("XYZ", {1: "ada"}, "tpi", "tidak ada dalam rubrik"),
    ("PPA1A", {1: "ada"}, "unit", "Tingkat 'unit' tidak sah"),
])
def test_a_wrong_verdict_is_refused_and_nothing_is_written(tmp_path, rubric, code, verdicts, tier, message):
    book = Ledger(tmp_path / "l.sqlite")
    with pytest.raises(LedgerError, match=message):
        write_verdicts(book, rubric, "u1", code, tier, "budi", verdicts)
    assert book.records() == []


def test_attach_stores_the_file_before_its_record_and_detach_keeps_the_file(tmp_path, rubric):
    book, store = Ledger(tmp_path / "l.sqlite"), EvidenceStore(tmp_path / "bukti")
    rec, stored = attach(book, store, rubric, "u1", "PPA1A", "unit", "pic-unit", "SK Tim.pdf", PDF, "SK terbaru")
    assert (rec.kind, rec.answer, rec.tier) == ("lampiran", stored.sha256, "unit")
    assert rec.details["name"] == "SK Tim.pdf" and rec.details["size"] == len(PDF)
    assert store.read(stored.sha256) == PDF and store.verify(stored.sha256) is None
    (a,) = attachments_in_force(book.records(), "u1")
    assert (a.code, a.name, a.evaluator) == ("PPA1A", "SK Tim.pdf", "pic-unit")
    detach(book, rubric, "u1", "PPA1A", "tpi", "budi", stored.sha256, "bukan dokumen unit ini")
    assert attachments_in_force(book.records(), "u1") == []
    assert store.has(stored.sha256) and evidence_hashes(book.records()) == [stored.sha256]
    with pytest.raises(LedgerError, match="tidak terlampir"):
        detach(book, rubric, "u1", "PPA1A", "tpi", "budi", stored.sha256, "lagi")


def test_a_refused_file_writes_neither_store_nor_ledger(tmp_path, rubric):
    book, store = Ledger(tmp_path / "l.sqlite"), EvidenceStore(tmp_path / "bukti")
    with pytest.raises(EvidenceError, match=r"setup\.exe"):
        attach(book, store, rubric, "u1", "PPA1A", "tpi", "budi", "setup.exe", b"MZ\x90\x00" + b"\x00" * 60)
    with pytest.raises(LedgerError, match="Tingkat"):  # a wrong tier is refused before anything is stored
        attach(book, store, rubric, "u1", "PPA1A", "final", "budi", "sk.pdf", PDF)
    assert book.records() == [] and not (tmp_path / "bukti").exists()


def _data(rubric, rows) -> LkeData:
    units = empty_units()
    for unit in dict.fromkeys(r["unit_id"] for r in rows):
        units.loc[len(units)] = {"unit_id": unit}
    return LkeData(rubric, answers_of(rubric, rows), units, empty_cached(), [], {})


def test_evidence_check_sees_verdicts_and_attachments_of_the_ledger(tmp_path, rubric):
    rows = [{**r, "evidence": "https://drive.example.go.id/u1/" + r["code"]} for r in best_raw(rubric)]
    rows = [{**r, "evidence": None} if r["code"] == "PPA1B" else r for r in rows]
    data = _data(rubric, rows)
    book, store = Ledger(tmp_path / "l.sqlite"), EvidenceStore(tmp_path / "bukti")
    kinds = {(f.kind, f.code) for f in evidence_check(data, book.records())}
    assert kinds == {("evidence_none", "PPA1B")}
    write_verdicts(book, rubric, "u1", "PPA1A", "tpi", "budi", {2: "tidak ada"})
    attach(book, store, rubric, "u1", "PPA1B", "tpi", "budi", "notulen.pdf", PDF)
    kinds = {(f.kind, f.code) for f in evidence_check(data, book.records())}
    assert kinds == {("evidence_rejected", "PPA1A")}  # the attachment is evidence for PPA1B
    mark_all_present(book, rubric, "u1", "PPA1A", "tpi", "budi")
    assert evidence_check(data, book.records()) == []
    write_verdicts(book, rubric, "u1", "PPA1A", "tpn", "ani", {1: "tidak sesuai"})
    assert [f.kind for f in evidence_check(data, book.records())] == ["evidence_rejected"]  # final: TPN's verdict
    write_verdicts(book, rubric, "u1", "PPA1A", "tpn", "ani", {1: None})  # withdrawn: TPI's "ada" is in force again
    assert evidence_check(data, book.records()) == []
