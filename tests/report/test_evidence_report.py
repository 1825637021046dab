"""Bukti dukung in the LHE (zi_nb.report.evidence): per area, the items lacking evidence and what they lack (the
evaluator's verdicts, no evidence at all, links that cannot be opened, evidence reused), the catatan draft asking
for the documents first, the evidence findings in the data problems appendix (warnings: the data status and the
predikat stay as they were), the attached files in the provenance, the Word document and English labels."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from tests.report.test_docx import paragraphs
from zi_nb.lke.sample import bundled_paths
from zi_nb.report import build, official
from zi_nb.report.docx import write_docx
from zi_nb.report.evidence import AREA_ITEMS
from zi_nb.review.catatan import write_catatan
from zi_nb.review.evidence import attach, mark_all_present, write_verdicts
from zi_nb.review.evidence_store import EvidenceStore
from zi_nb.review.ledger import Ledger

UNIT = "kanim-sukawangi"
NOTE = "hanya draf tanpa tanda tangan"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _text(section: object) -> str:
    body = str(section).split("</style>", 1)[-1]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def _area_text(lhe, area: str, following: str | None) -> str:
    """The areas section's text from area ``area``'s heading to the next area's."""
    text = _text(lhe.section("areas"))
    name = lhe.data.rubric.area_by_code[area].name
    start = text.index(f"{area}. {name}")
    end = text.index(f"{following}. {lhe.data.rubric.area_by_code[following].name}") if following else len(text)
    return text[start:end]


def _area_items(rubric, area: str) -> list[str]:
    return [i.code for i in rubric.items if rubric.indicator_by_code[i.indicator].area == area]


@pytest.fixture(scope="module")
def claimed_a() -> str:
    """An area-A item of the unit answered above its lowest value at tier TPI, with at least two documents."""
    lhe = build(unit_id=UNIT, tier="tpi")
    rubric = lhe.data.rubric
    values = lhe.result.scores.items.loc[UNIT]
    return next(c for c in _area_items(rubric, "A") if values[c] > 0 and len(rubric.documents_of(c)) >= 2)


@pytest.fixture
def rejected(tmp_path, rubric, claimed_a):
    """A ledger where TPI marked the item's first document ``tidak ada`` and its second ``tidak sesuai``."""
    book = Ledger(tmp_path / "ledger.sqlite")
    write_verdicts(book, rubric, UNIT, claimed_a, "tpi", "budi", {1: "tidak ada", 2: "tidak sesuai"}, note=NOTE)
    return book


def test_area_block_names_the_lacking_documents_and_the_draft_asks_for_them_first(rejected, rubric, claimed_a):
    lhe = build(unit_id=UNIT, tier="tpi", ledger_path=str(rejected.path))
    first, second = rubric.documents_of(claimed_a)[:2]
    block = _area_text(lhe, "A", "B")
    assert f"Bukti dukung: 2 dari {sum(len(rubric.documents_of(c)) for c in _area_items(rubric, 'A'))} dokumen " \
           "diperiksa: 1 tidak ada, 1 tidak sesuai." in block
    assert f"{claimed_a} " in block and f"{first} (tidak ada)" in block and f"{second} (tidak sesuai)" in block
    assert f"catatan penilai: {NOTE}" in block
    assert first not in _area_text(lhe, "B", "C")  # only the area the item belongs to
    row = official.area_rows(lhe)[0]
    assert row["draft"] and row["rekomendasi"][0].startswith("Lengkapi bukti dukung: ")
    assert f"{first} ({claimed_a}); {second} ({claimed_a})" in row["rekomendasi"][0]
    assert "Bukti dukung belum lengkap: 2 dokumen pada butir " + claimed_a in row["catatan"]
    assert not official.area_rows(lhe)[1]["rekomendasi"][0].startswith("Lengkapi")
    problems = _text(lhe.section("data_problems"))
    assert "Temuan bukti dukung" in problems and "penilai menyatakan bukti dukungnya kurang" in problems
    assert "Tidak ada masalah data." in problems  # the validation's own findings are still none


def test_after_mark_all_present_the_block_says_all_present(rejected, rubric, claimed_a):
    seq_before = max(r.seq for r in rejected.records(UNIT))
    mark_all_present(rejected, rubric, UNIT, claimed_a, "tpi", "budi")
    lhe = build(unit_id=UNIT, tier="tpi", ledger_path=str(rejected.path))
    docs = rubric.documents_of(claimed_a)
    block = _area_text(lhe, "A", "B")
    assert f"Bukti dukung: {len(docs)} dari " in block and "semua yang diperiksa ada." in block
    assert "(tidak ada)" not in block and not lhe.evidence
    assert not official.area_rows(lhe)[0]["rekomendasi"][0].startswith("Lengkapi")
    for code in _area_items(rubric, "A"):
        mark_all_present(rejected, rubric, UNIT, code, "tpi", "budi")
    every = sum(len(rubric.documents_of(c)) for c in _area_items(rubric, "A"))
    block = _area_text(build(unit_id=UNIT, tier="tpi", ledger_path=str(rejected.path)), "A", "B")
    assert f"Bukti dukung: {every} dokumen diperiksa, semua ada." in block
    # the report at the earlier ledger_seq sees exactly what it saw then
    then = build(unit_id=UNIT, tier="tpi", ledger_path=str(rejected.path), ledger_seq=seq_before)
    assert f"{docs[0]} (tidak ada)" in _area_text(then, "A", "B")
    # the unit's own view has no evaluator's verdicts
    assert "daftar periksa belum diisi penilai" in _area_text(
        build(unit_id=UNIT, tier="unit", ledger_path=str(rejected.path)), "A", "B")


def _workbook(tmp_path: Path, code: str | list[str], evidence: str | None) -> str:
    """The sample answers with ``evidence`` as the only evidence of the unit's item(s) ``code`` (every tier)."""
    frame = pd.read_csv(bundled_paths()[0], dtype=str)
    rows = (frame["unit_id"] == UNIT) & frame["code"].isin([code] if isinstance(code, str) else code)
    frame.loc[rows, "evidence"] = None
    if evidence is not None:
        frame.loc[rows & (frame["tier"] == "unit"), "evidence"] = evidence
    path = tmp_path / "lke.csv"
    frame.to_csv(path, index=False)
    return str(path)


def test_a_local_drive_path_is_shown_as_a_link_the_evaluator_cannot_open(tmp_path, claimed_a):
    link = r"C:\Users\operator\ZI\SK_Tim.pdf"
    lhe = build(_workbook(tmp_path, claimed_a, f"SK Tim Kerja\n{link}"), unit_id=UNIT, tier="tpi",
                units_path=str(bundled_paths()[1]))
    assert [f.kind for f in lhe.evidence] == ["evidence_unreachable"]
    block = _area_text(lhe, "A", "B")
    assert f"{claimed_a} " in block and "tautan tidak dapat dibuka penilai: C:\\Users\\operator" in block
    assert "Bukti dukung: daftar periksa belum diisi penilai; setiap butir bernilai mempunyai bukti dukung." in block
    problems = _text(lhe.section("data_problems"))
    assert f"Tautan bukti dukung '{link}' tidak dapat dibuka penilai" in problems


@pytest.mark.parametrize("tier", ["final", "tpi"])  # final: a status that reads the unit's own tier too
def test_evidence_findings_change_neither_the_status_line_nor_the_predikat(tmp_path, claimed_a, tier):
    base = build(unit_id=UNIT, tier=tier)
    lhe = build(_workbook(tmp_path, claimed_a, None), unit_id=UNIT, tier=tier, units_path=str(bundled_paths()[1]))
    assert [f.kind for f in lhe.evidence] == ["evidence_none"] and lhe.evidence[0] in lhe.findings
    assert lhe.status == base.status and lhe.status.warnings == base.status.warnings
    status = re.compile(r"Status data: .*?\.(?= )")
    assert status.search(_text(lhe.section("summary"))).group(0) == status.search(
        _text(base.section("summary"))).group(0)
    assert lhe.result.evaluation.predicate[UNIT] == base.result.evaluation.predicate[UNIT]
    block = _area_text(lhe, "A", "B")
    assert "daftar periksa belum diisi penilai; 1 butir bernilai tanpa bukti dukung sama sekali." in block
    assert f"{claimed_a} " in block and "tanpa bukti dukung sama sekali" in block.split(claimed_a, 1)[1]
    row = official.area_rows(lhe)[0]
    assert row["rekomendasi"][0].startswith("Lengkapi bukti dukung: ")


def test_the_word_document_carries_the_block(tmp_path, rejected, rubric, claimed_a):
    lhe = build(unit_id=UNIT, tier="tpi", ledger_path=str(rejected.path))
    doc = Document(str(write_docx(lhe, tmp_path / "lhe.docx")))
    texts = paragraphs(doc)
    first, second = rubric.documents_of(claimed_a)[:2]
    assert any(t.startswith("Bukti dukung: 2 dari ") for t in texts)
    item = next(t for t in texts if t.startswith(f"{claimed_a} "))
    assert f"{first} (tidak ada)" in item and f"{second} (tidak sesuai)" in item and NOTE in item
    assert any(t.startswith("Lengkapi bukti dukung: ") for t in texts)
    assert sum(t.startswith("Bukti dukung: ") for t in texts) == len(rubric.areas)  # one block per area
    assert not any("{{" in t or "{%" in t for t in texts)


def test_provenance_lists_the_attached_files_and_reuse_is_shown(tmp_path, rubric, claimed_a):
    book = Ledger(tmp_path / "ledger.sqlite")
    store = EvidenceStore(tmp_path / "bukti")
    other = next(c for c in _area_items(rubric, "B") if rubric.item_by_code[c].indicator
                 != rubric.item_by_code[claimed_a].indicator)
    _, stored = attach(book, store, rubric, UNIT, claimed_a, "tpi", "budi", "SK Tim.pdf", PDF)
    attach(book, store, rubric, UNIT, other, "tpi", "siti", "SK Tim salinan.pdf", PDF)
    lhe = build(unit_id=UNIT, tier="tpi", ledger_path=str(book.path))
    provenance = _text(lhe.section("provenance"))
    assert "Berkas bukti dukung yang dilihat laporan" in provenance
    assert "SK Tim.pdf" in provenance and stored.sha256[:12] in provenance and "budi (TPI)" in provenance
    assert stored.sha256[:13] not in provenance  # short, not the whole hash (it is in the title)
    assert f"bukti yang sama (SK Tim.pdf (sha256 {stored.sha256[:12]}…)) dipakai juga untuk butir {other}" in \
        _area_text(lhe, "A", "B")
    assert "Tidak ada berkas bukti dukung yang dilampirkan." in _text(build(unit_id=UNIT).section("provenance"))


def test_english_labels(rejected, rubric, claimed_a):
    lhe = build(unit_id=UNIT, tier="tpi", ledger_path=str(rejected.path), lang="en")
    block = _area_text(lhe, "A", "B")
    first = rubric.documents_of(claimed_a)[0]
    assert "Supporting evidence: 2 of " in block and "documents checked: 1 missing, 1 not as required." in block
    assert f"{first} (missing)" in block and f"evaluator's note: {NOTE}" in block
    assert official.area_rows(lhe)[0]["rekomendasi"][0].startswith("Complete the supporting evidence: ")
    appendix = _text(lhe.section("data_problems")) + _text(lhe.section("provenance"))
    assert "Evidence findings" in appendix and "No evidence file attached." in appendix
    for word in ("Bukti dukung", "dokumen diperiksa", "(tidak ada)", "(tidak sesuai)", "catatan penilai", "Lengkapi",
                 "belum lengkap", "belum diisi", "butir lainnya"):
        assert word not in block, word
    for word in ("Temuan bukti", "Peringatan bagi", "Berkas bukti", "Dilampirkan", "Nama berkas"):
        assert word not in appendix, word


def test_a_long_list_is_folded_in_the_area_and_complete_in_the_appendix(tmp_path, rubric):
    values = build(unit_id=UNIT, tier="tpi").result.scores.items.loc[UNIT]
    claimed = [c for c in _area_items(rubric, "A") if values[c] > 0]
    lhe = build(_workbook(tmp_path, claimed, None), unit_id=UNIT, tier="tpi", units_path=str(bundled_paths()[1]))
    found = [f.code for f in lhe.evidence if f.kind == "evidence_none"]  # (% items keep their inputs' evidence)
    assert len(found) > AREA_ITEMS and set(found) <= set(claimed)
    block = _area_text(lhe, "A", "B")
    assert f"daftar periksa belum diisi penilai; {len(found)} butir bernilai tanpa bukti dukung sama sekali." in block
    assert block.count("tanpa bukti dukung sama sekali") == AREA_ITEMS + 1  # the summary line and the items shown
    assert f"dan {len(found) - AREA_ITEMS} butir lainnya (lihat Temuan bukti dukung pada lampiran)." in block
    shown = [c for c in claimed if c in found][:AREA_ITEMS]
    assert all(f"{c} " in block for c in shown) and not any(f"{c} " in block for c in found if c not in shown)
    problems = _text(lhe.section("data_problems")).split("Temuan bukti dukung", 1)[1]
    assert re.findall(r" (P[A-Z0-9]+) Butir \1 dijawab", problems) == [c for c in claimed if c in found]


def test_the_evaluators_own_catatan_still_wins_and_the_block_stays(rejected, rubric, claimed_a):
    write_catatan(rejected, rubric, UNIT, "A", "tpi", "budi", "Agen perubahan aktif.", "- Tetapkan SK agen perubahan")
    lhe = build(unit_id=UNIT, tier="tpi", ledger_path=str(rejected.path))
    row = official.area_rows(lhe)[0]
    assert not row["draft"] and row["catatan"] == "Agen perubahan aktif."
    assert row["rekomendasi"] == ["Tetapkan SK agen perubahan"]
    assert lhe.drafts["A"].rekomendasi.startswith("- Lengkapi bukti dukung: ")  # the draft is still there to use
    assert f"{rubric.documents_of(claimed_a)[0]} (tidak ada)" in _area_text(lhe, "A", "B")
