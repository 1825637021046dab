"""The bukti dukung checklist of the workbench without a browser (:mod:`zi_nb.app.evidence_panel`): verdict clicks,
"Semua ada", withdrawing, uploads (stored and recorded, or refused with nothing written), "Simpan salinan", the item
filter "Bukti dukung kurang" and the count in the unit list."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import socket
from pathlib import Path

import pytest

from zi_nb.app.evidence_panel import ACCEPT, EvidencePanel
from zi_nb.app.session import PARAMETERS, Session, load_data
from zi_nb.app.workbench import Root, Workbench
from zi_nb.common.domain import BUKTI, LAMPIRAN
from zi_nb.review.evidence_store import default_store_path
from zi_nb.review.ledger import Ledger

UNIT = "kanim-sukawangi"
ITEM = "PPA1B"  # three required documents; the sample's TPI answer is A (above the lowest value)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def data():
    return load_data()


@pytest.fixture
def ledger_path(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("ZI_NB_EVIDENCE", raising=False)  # the store beside the ledger
    return tmp_path / "ledger.sqlite"


@pytest.fixture
def bench(data, ledger_path) -> Workbench:
    bench = Workbench(Session(data, UNIT, "tpi", "Penilai Uji", str(ledger_path)))
    bench.goto(ITEM)
    return bench


def button(panel: EvidencePanel, doc: int, verdict: str):
    _, _, buttons = panel.rows[doc - 1]
    return buttons[verdict]


def upload(name: str, content: bytes) -> dict:
    """One file as the browser's FileUpload sends it (ipywidgets 8)."""
    return {"name": name, "type": "", "size": len(content), "content": memoryview(content),
            "last_modified": dt.datetime.now(dt.UTC)}


def records(ledger_path: Path, kind: str = BUKTI):
    return [r for r in Ledger(ledger_path).records(UNIT) if r.kind == kind] if ledger_path.exists() else []


def store_files(ledger_path: Path) -> list[Path]:
    root = default_store_path(ledger_path) / "sha256"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_the_checklist_lists_the_required_documents(bench):
    panel = bench.evidence
    docs = bench.s.rubric.documents_of(ITEM)
    assert len(docs) == 3 and len(panel.rows_box.children) == 3
    assert "0 dari 3 dokumen dinilai" in panel.head.value
    for n, (row, label, _) in enumerate(panel.rows[:3], start=1):
        assert f"zi-ev-row-{n}" in row._dom_classes
        assert docs[n - 1] in label.value and "belum dinilai" in label.value
    assert panel.upload.accept == ACCEPT and ".pdf" in ACCEPT and ".exe" not in ACCEPT
    assert panel.upload.multiple is False


def test_a_click_writes_the_verdict_with_the_sessions_evaluator_and_tier(bench, ledger_path):
    panel = bench.evidence
    button(panel, 1, "ada").click()
    panel.note.value = "yang diunggah masih draf"
    button(panel, 2, "tidak ada").click()
    got = [(r.code, r.answer, r.tier, r.evaluator, r.details["doc"], r.details["catatan"])
           for r in records(ledger_path)]
    assert got == [(ITEM, "ada", "tpi", "Penilai Uji", 1, ""),
                   (ITEM, "tidak ada", "tpi", "Penilai Uji", 2, "yang diunggah masih draf")]
    assert "zi-ev-on" in button(panel, 2, "tidak ada")._dom_classes
    assert "zi-ev-on" not in button(panel, 2, "ada")._dom_classes
    label = panel.rows[1][1].value
    assert "tidak ada" in label and "Penilai Uji" in label and "yang diunggah masih draf" in label
    assert "2 dari 3 dokumen dinilai" in panel.head.value
    assert "zi-msg ok" in panel.msg.value and "no. 2: tidak ada" in panel.msg.value


def test_clicking_the_verdict_in_force_again_withdraws_it(bench, ledger_path):
    panel = bench.evidence
    button(panel, 3, "tidak sesuai").click()
    button(panel, 3, "tidak sesuai").click()
    assert [r.answer for r in records(ledger_path)] == ["tidak sesuai", None]
    assert "penilaian dihapus" in panel.msg.value
    assert not any("zi-ev-on" in b._dom_classes for b in panel.rows[2][2].values())
    assert "belum dinilai" in panel.rows[2][1].value


def test_semua_ada_writes_one_record_per_document(bench, ledger_path):
    bench.evidence.all.click()
    got = records(ledger_path)
    assert [(r.answer, r.details["doc"], r.tier, r.evaluator) for r in got] == [
        ("ada", n, "tpi", "Penilai Uji") for n in (1, 2, 3)]
    assert "Semua 3 dokumen" in bench.evidence.msg.value
    assert all("zi-ev-on" in button(bench.evidence, n, "ada")._dom_classes for n in (1, 2, 3))


def test_the_filter_lists_an_item_with_missing_documents_until_semua_ada(bench):
    panel = bench.evidence
    bench.filter.value = "evidence"
    before = list(bench.item_buttons)  # what the workbook's evidence alone gives (links, reuse...)
    assert ITEM not in before and f"{len(before)} butir dengan bukti dukung kurang" in bench.list_title.value
    button(panel, 2, "tidak ada").click()
    assert ITEM in bench.item_buttons  # the list follows the write at once
    assert f"{len(before) + 1} butir dengan bukti dukung kurang" in bench.list_title.value
    assert "dijawab di atas nilai terendah" in panel.found.value and "(tidak ada)" in panel.found.value
    panel.all.click()
    assert list(bench.item_buttons) == before and panel.found.value == ""


def test_an_item_answered_at_its_lowest_value_is_not_lacking(bench):
    bench.goto("PPA1A")  # the sample's TPI answer is "Tidak": nothing claimed, nothing to prove
    bench.evidence.rows[0][2]["tidak ada"].click()
    assert "PPA1A" not in bench.evidence.lacking()


def test_an_item_without_required_documents_says_so(bench):
    code = next(i.code for i in bench.s.rubric.items if not bench.s.rubric.documents_of(i.code))
    bench.goto(code)
    assert bench.evidence.rows_box.children == ()
    assert "tidak mencantumkan dokumen bukti dukung" in bench.evidence.head.value
    assert bench.evidence.tools.layout.display == "none"


def test_uploading_a_pdf_attaches_it_and_stores_the_file(bench, ledger_path):
    panel = bench.evidence
    panel.upload.value = (upload("SK Tim <b>Kerja</b>.pdf", PDF),)
    assert panel.upload.value == ()  # ready for the next file
    (rec,) = records(ledger_path, LAMPIRAN)
    sha = hashlib.sha256(PDF).hexdigest()
    assert (rec.code, rec.answer, rec.tier, rec.evaluator) == (ITEM, sha, "tpi", "Penilai Uji")
    assert [p.name for p in store_files(ledger_path)] == [sha]
    assert "dilampirkan pada butir PPA1B" in panel.msg.value
    shown = panel.files_box.children[0]
    info, link = shown.children[0].value, shown.children[1].value
    assert "SK Tim &lt;b&gt;Kerja&lt;/b&gt;.pdf" in info and "<b>Kerja" not in info  # a name is text, never markup
    assert "PDF" in info and "Penilai Uji" in info
    data = re.search(r'href="data:application/octet-stream;base64,([^"]+)"', link)
    assert data and base64.b64decode(data.group(1)) == PDF


def test_uploading_a_program_is_refused_and_writes_nothing(bench, ledger_path):
    panel = bench.evidence
    exe = b"MZ" + b"\x90" * 200
    panel.upload.value = (upload("setup.exe", exe),)
    assert "zi-msg err" in panel.msg.value and "setup.exe" in panel.msg.value and "ditolak" in panel.msg.value
    assert "Traceback" not in panel.msg.value
    assert records(ledger_path, LAMPIRAN) == [] and store_files(ledger_path) == []
    panel.attach_file("laporan.pdf", exe)  # a program named .pdf: refused by its content
    assert "zi-msg err" in panel.msg.value and store_files(ledger_path) == []
    assert not ledger_path.exists() or Ledger(ledger_path).records() == []


def test_refusals_are_messages_not_tracebacks(data, ledger_path):
    bench = Workbench(Session(data, UNIT, "tpi", "", str(ledger_path)))
    bench.goto(ITEM)
    button(bench.evidence, 1, "ada").click()
    assert "Nama evaluator wajib diisi" in bench.evidence.msg.value
    bench.who.value = "Penilai Baru"  # the name typed in the header is the session's
    bench.s.tier = "unit"  # a self-assessment view: the ledger refuses verdicts at the unit tier
    button(bench.evidence, 1, "ada").click()
    assert "zi-msg err" in bench.evidence.msg.value and "Tingkat &#39;unit&#39; tidak sah" in bench.evidence.msg.value
    assert records(ledger_path) == []
    bench.s.tier = "tpi"
    button(bench.evidence, 1, "ada").click()
    assert [(r.evaluator, r.tier) for r in records(ledger_path)] == [("Penilai Baru", "tpi")]


def test_simpan_salinan_stores_the_linked_file_and_attaches_it(bench, ledger_path, monkeypatch):
    panel = bench.evidence
    (line,) = panel.links_box.children
    url = f"https://drive.example.go.id/zi/{UNIT}/{ITEM}.pdf"
    assert url in line.children[0].value
    public = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: public)
    panel.opener = lambda link, limit: (b"<html>masuk</html>", "text/html", None)
    line.children[1].click()
    assert "halaman web" in panel.msg.value and records(ledger_path, LAMPIRAN) == []
    panel.opener = lambda link, limit: (PDF, "application/pdf", None)
    panel.links_box.children[0].children[1].click()
    (rec,) = records(ledger_path, LAMPIRAN)
    assert rec.details["source"] == url and rec.details["name"] == f"{ITEM}.pdf"
    assert "salinan tersimpan" in panel.links_box.children[0].children[0].value


def test_the_unit_list_counts_the_items_lacking_evidence(data, ledger_path):
    params = {name: default for name, (default, _) in PARAMETERS.items()} | {"ledger_path": str(ledger_path)}

    def counts() -> dict[str, int]:
        rows = Root(params).widget.children[1].children[-1].children
        shown = {r._dom_classes[-1].removeprefix("zi-unit-"): r.children[0].value for r in rows}
        return {u: int(m.group(1)) for u, v in shown.items() if (m := re.search(r"(\d+) butir bukti dukung kurang", v))}

    before = counts()
    bench = Workbench(Session(data, UNIT, "tpi", "Penilai Uji", str(ledger_path)))
    bench.goto(ITEM)
    button(bench.evidence, 1, "tidak sesuai").click()
    after = counts()
    assert after == {**before, UNIT: before.get(UNIT, 0) + 1}
