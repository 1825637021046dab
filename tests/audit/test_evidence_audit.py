"""Bukti dukung in the audit: the manifest of a run lists each unit's evidence files (sha256, name, item) and the
evidence store; ``zi-nb audit verify`` passes while they are unchanged and names a changed or missing file (kind
``bukti``), failing as for a changed input. The bulk run uses the real plan and manifest, with a stand-in for the
report notebooks (no kernel)."""

from __future__ import annotations

import json
import os
import stat

import pytest

from tests.bulk.test_core import FakeReports
from tests.helpers import run
from zi_nb.audit.evidence import evidence_entries
from zi_nb.audit.verify import verify
from zi_nb.bulk import run as bulk_run
from zi_nb.bulk.executor import InlineExecutor
from zi_nb.bulk.run import BulkOptions, run_bulk
from zi_nb.review.evidence import attach, detach
from zi_nb.review.evidence_store import EVIDENCE_ENV, STORE_FOLDER, EvidenceStore
from zi_nb.review.ledger import LEDGER_ENV, Ledger

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
OTHER_PDF = PDF.replace(b"Catalog", b"Catalog /Lang (id)")


@pytest.fixture
def bulk(tmp_path, monkeypatch, rubric):
    """Two units; u1 has a file attached to PPA1A and one attached then taken back from PPA1B."""
    monkeypatch.delenv(EVIDENCE_ENV, raising=False)
    monkeypatch.delenv(LEDGER_ENV, raising=False)
    monkeypatch.setattr(bulk_run, "render_index", lambda out: out / "index.html")
    lke = tmp_path / "lke.csv"
    lke.write_text("unit_id,tier,code,answer,note,evidence\n"
                   "u1,unit,PPA1A,Ya,ada,\n"
                   "u1,unit,PPA1B,A,ada,https://drive.example.go.id/u1/PPA1B.pdf\n"
                   "u2,unit,PPA1A,Ya,ada,https://drive.example.go.id/u2/PPA1A.pdf\n", encoding="utf-8")
    ledger_file = tmp_path / "ledger.sqlite"
    ledger = Ledger(ledger_file)
    store = EvidenceStore(tmp_path / STORE_FOLDER)  # the store beside the ledger, as every command finds it
    _, kept = attach(ledger, store, rubric, "u1", "PPA1A", "unit", "pmpzi", "SK Tim ZI.pdf", PDF)
    _, gone = attach(ledger, store, rubric, "u1", "PPA1B", "unit", "pmpzi", "draf.pdf", OTHER_PDF)
    detach(ledger, rubric, "u1", "PPA1B", "unit", "pmpzi", gone.sha256, "salah berkas")
    out = tmp_path / "out"
    result = run_bulk(BulkOptions([str(lke)], out, ledger=str(ledger_file), progress=False, run_id="B1"),
                      executor=InlineExecutor(FakeReports()))
    assert result.exit_code == 0
    return {"out": out, "store": store, "kept": kept.sha256, "gone": gone.sha256, "ledger": ledger_file}


def test_manifest_lists_each_units_evidence_and_the_store(bulk):
    manifest = json.loads((bulk["out"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["evidence_store"] == str(bulk["store"].root.resolve())
    units = {u["unit_id"]: u for u in manifest["units"]}
    # the file taken back is listed too: an earlier decision may rest on it
    assert units["u1"]["evidence"] == [{"sha256": bulk["kept"], "name": "SK Tim ZI.pdf", "code": "PPA1A"},
                                       {"sha256": bulk["gone"], "name": "draf.pdf", "code": "PPA1B"}]
    assert units["u2"]["evidence"] == []


def test_verify_passes_then_names_a_changed_evidence_file(bulk, capsys):
    run_dir = bulk["out"]
    assert verify(run_dir) == []
    code, out, _ = run(capsys, "audit", "verify", str(run_dir))
    assert code == 0 and "LOLOS" in out

    path = bulk["store"].path_of(bulk["kept"])
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)  # the store keeps its files read-only
    path.write_bytes(PDF.replace(b"Catalog", b"Catalog /Lang (en)"))
    diffs = verify(run_dir)
    assert [(d.kind, d.subject) for d in diffs] == [("bukti", "u1")]
    assert "'SK Tim ZI.pdf'" in diffs[0].detail and "PPA1A" in diffs[0].detail and "berubah" in diffs[0].detail
    code, out, _ = run(capsys, "audit", "verify", str(run_dir))
    assert code == 1 and "TIDAK LOLOS" in out and "BEDA [bukti] u1" in out and "SK Tim ZI.pdf" in out


def test_verify_names_a_missing_evidence_file(bulk, capsys):
    bulk["store"].path_of(bulk["gone"]).unlink()  # even a file taken back from its item stays provable
    diffs = verify(bulk["out"])
    assert [(d.kind, d.subject) for d in diffs] == [("bukti", "u1")]
    assert "'draf.pdf'" in diffs[0].detail and "PPA1B" in diffs[0].detail and "tidak ada" in diffs[0].detail
    code, out, _ = run(capsys, "audit", "verify", str(bulk["out"]))
    assert code == 1 and "BEDA [bukti] u1" in out and "draf.pdf" in out


def test_verify_checks_the_store_given(bulk, capsys, tmp_path):
    elsewhere = tmp_path / "salinan-bukti"
    elsewhere.mkdir()
    code, out, _ = run(capsys, "audit", "verify", str(bulk["out"]), "--bukti", str(elsewhere))
    assert code == 1 and out.count("BEDA [bukti] u1") == 2 and str(elsewhere) in out


def test_evidence_entries_of_records_without_attachments_are_empty(bulk):
    records = Ledger(bulk["ledger"]).records()
    assert evidence_entries(records, ["u2"]) == {}
    assert [e["code"] for e in evidence_entries(records, ["u1"])["u1"]] == ["PPA1A", "PPA1B"]
