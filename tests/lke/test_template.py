"""The LKE template: structure, validation, protection, and an exact round trip through zi_nb.lke.inputs.read_inputs."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from zi_nb.engine.answers import RAW_COLUMNS, build_answers
from zi_nb.engine.rubric import Rubric, load_rubric
from zi_nb.lke import long_format as lke_long
from zi_nb.lke import template as lke_template
from zi_nb.lke.inputs import read_inputs
from zi_nb.lke.template import COMPUTED_MARKER, IDENTITY_SHEET, LKE_SHEET, MARKER_SHEET, write_template
from zi_nb.lke.xlsx import open_workbook

NOTES = ["=SUM(A1:A9) bukan rumus", "+62 812 3456", "-", "- daftar", "@pimpinan", "Ünïcødé ✓ 中文 — “kutip”",
         "dua\nbaris", "=HYPERLINK(\"http://x\",\"klik\")", "biasa", "<b>tebal</b> & 100%"]
EVIDENCE = ["SK Tim\nhttps://drive.example.go.id/zi/sk.pdf",
            "Notulen rapat\nDaftar hadir\nhttps://a.example/1\nhttp://b.example/2",
            "https://hanya.example/tautan",
            "https://awal.example/x\nlalu teks",
            "Laporan tanpa tautan",
            "=bukti berawalan sama dengan"]


def full_answers(rubric: Rubric, unit_id: str = "u1") -> pd.DataFrame:
    """An answer for every item and Jumlah input, cycling through every option, with notes and evidence."""
    rows = []
    for i, code in enumerate([*(it.code for it in rubric.items), *rubric.input_codes]):
        kind = rubric.answer_types[rubric.answer_type_of(code)].kind
        at = rubric.answer_types[rubric.answer_type_of(code)]
        raw: object = None
        if kind == "option":
            raw = list(at.options)[i % len(at.options)]
        elif kind == "index":
            raw = 3.61 if code == "HBA" else 2.5
        elif kind == "count":
            raw = i * 7 % 31
        elif code == "PRA1B":
            raw = 0.8  # a directly stated % value survives too
        rows.append({"unit_id": unit_id, "tier": "unit", "code": code, "raw": raw, "note": NOTES[i % len(NOTES)],
                     "evidence": EVIDENCE[i % len(EVIDENCE)] if i % 4 else None})
    frame, findings = build_answers(pd.DataFrame(rows).reindex(columns=RAW_COLUMNS), rubric)
    assert findings == []
    return frame


def comparable(answers: pd.DataFrame) -> dict[str, tuple]:
    def clean(v: object) -> object:
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else v

    return {r["code"]: (clean(r["answer"]), clean(r["number"]), clean(r["note"]), clean(r["evidence"]))
            for r in answers.to_dict("records")}


def test_prefilled_template_round_trips_exactly(tmp_path: Path, rubric: Rubric) -> None:
    answers = full_answers(rubric)
    # other tiers and other units in the same frame must not leak into the unit's template
    tpi = answers.assign(tier="tpi", note="catatan TPI", answer=answers["answer"].map(lambda a: a and "C"))
    other = full_answers(rubric, "u2").assign(note="unit lain")
    path = tmp_path / "lke-u1.xlsx"
    write_template(path, rubric, "u1", unit_name="Kantor Imigrasi Kelas II Non TPI Blitar", instansi="Kemenkumham",
                   year=2024, answers=pd.concat([answers, tpi, other]), current_predicate="WBK")
    data = read_inputs(path)
    assert data.findings == [], [f.render() for f in data.findings]
    got, expected = comparable(data.answers), comparable(answers)
    assert set(got) == set(expected) == rubric.all_codes
    for code in expected:
        assert got[code] == expected[code], code
    assert (data.answers["tier"] == "unit").all() and data.answers["sheet"].eq(LKE_SHEET).all()
    unit = data.units.iloc[0]
    assert (unit["unit_id"], unit["unit_name"], unit["instansi"], unit["year"], unit["current_predicate"]) == (
        "u1", "Kantor Imigrasi Kelas II Non TPI Blitar", "Kemenkumham", 2024, "WBK")


def test_text_is_never_a_formula(tmp_path: Path, rubric: Rubric) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, rubric, "=u1", unit_name="=cmd|' /C calc'!A0", answers=full_answers(rubric, "=u1"))
    with zipfile.ZipFile(path) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in zf.read(n) or b"<f " in zf.read(n) for n in sheets)
    ws = openpyxl.load_workbook(path)[LKE_SHEET]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == NOTES[0])
    assert cell.data_type == "s" and cell.quotePrefix
    data = read_inputs(path)
    assert data.unit_ids == ["=u1"] and data.units.iloc[0]["unit_name"] == "=cmd|' /C calc'!A0"


def item_rows(ws) -> dict[str, int]:
    header = [c.value for c in ws[lke_template.HEADER_ROW]]
    col = header.index("Kode") + 1
    return {ws.cell(r, col).value: r for r in range(lke_template.HEADER_ROW + 1, ws.max_row + 1)
            if ws.cell(r, col).value}


def test_structure_follows_the_rubric(tmp_path: Path, rubric: Rubric) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, rubric, "u1")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [IDENTITY_SHEET, LKE_SHEET, MARKER_SHEET]
    assert wb[MARKER_SHEET].sheet_state == "hidden"
    ws = wb[LKE_SHEET]
    assert [c.value for c in ws[lke_template.HEADER_ROW]] == [
        "Kode", "Komponen/Area/Indikator", "Pertanyaan", "Kriteria", "Tipe Jawaban", "Bobot indikator",
        "Jawaban Unit", "Catatan", "Bukti Dukung", "Tautan Bukti Dukung"]
    codes = [ws.cell(r, 1).value for r in range(lke_template.HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 1).value]
    expected = []
    for item in rubric.items:
        expected += [item.code, *(f"{item.code}.{i.name}" for i in item.inputs)]
    assert codes == expected
    labels = [ws.cell(r, 2).value for r in range(lke_template.HEADER_ROW + 1, ws.max_row + 1)
              if ws.cell(r, 2).value and ws.cell(r, 2).font.bold]
    assert labels[:4] == ["PENGUNGKIT (bobot 60)", "PEMENUHAN (bobot 30)", "A. Manajemen Perubahan (bobot 4)",
                          "PPA1 Penyusunan Tim Kerja"]
    assert sum(label.startswith(tuple(i.code + " " for i in rubric.indicators)) for label in labels) == len(
        rubric.indicators)
    rows = item_rows(ws)
    assert ws.row_dimensions[rows["PPA1A"]].outline_level > ws.row_dimensions[rows["PPA1A"] - 1].outline_level
    assert ws.cell(rows["PPA1B"], 4).alignment.wrap_text and "\nb. Jika" in ws.cell(rows["PPA1B"], 4).value
    assert ws.cell(rows["PRE3A"], 7).value == COMPUTED_MARKER
    assert ws.freeze_panes == "B4"


def test_validations_and_protection(tmp_path: Path, rubric: Rubric) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, rubric, "u1", year=2024)
    wb = openpyxl.load_workbook(path)
    ws = wb[LKE_SHEET]
    rows = item_rows(ws)
    by_cell: dict[str, object] = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in ws[rng.coord] if ":" in rng.coord else [[ws[rng.coord]]]:
                for cell in row:
                    by_cell[cell.coordinate] = dv
    assert all(sheet.protection.sheet for sheet in wb.worksheets)
    for code, r in rows.items():
        at = rubric.answer_types[rubric.answer_type_of(code)]
        answer = ws.cell(r, 7)
        dv = by_cell.get(answer.coordinate)
        if at.kind == "option":
            assert dv.type == "list" and dv.formula1 == '"' + ",".join(at.options) + '"', code
        elif at.kind == "count":
            assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0"), code
        elif at.kind == "index":
            assert (dv.type, dv.formula1, dv.formula2) == ("decimal", "0", "4"), code
        else:
            assert dv is None and answer.protection.locked and answer.value == COMPUTED_MARKER, code
        if at.kind != "ratio":
            assert not answer.protection.locked, code
        assert all(not ws.cell(r, c).protection.locked for c in (8, 9, 10)), code
        assert all(ws.cell(r, c).protection.locked for c in (1, 2, 3, 4, 5, 6)), code
    identity = wb[IDENTITY_SHEET]
    locked = {identity.cell(r, 1).value: identity.cell(r, 2).protection.locked for r in range(4, 12)}
    assert locked == {"ID Unit": True, "Nama Unit": False, "Instansi": False, "Tahun": False,
                      "Predikat Saat Ini": False, "Rubrik": True, "Hash Rubrik": True, "Versi Templat": True}
    values = {identity.cell(r, 1).value: identity.cell(r, 2).value for r in range(4, 12)}
    assert values["Hash Rubrik"] == rubric.content_hash and values["Tahun"] == 2024


def test_user_fills_sorts_and_inserts_rows(tmp_path: Path, rubric: Rubric) -> None:
    path = tmp_path / "blank.xlsx"
    write_template(path, rubric, "u7", unit_name="Puskesmas Tujuh")
    wb = openpyxl.load_workbook(path)
    ws = wb[LKE_SHEET]
    rows = item_rows(ws)
    # the user sorts two item rows (swaps them) and inserts a row holding an answer but no code
    a, b = rows["PPA1A"], rows["PPA1B"]
    for c in range(1, 11):
        ws.cell(a, c).value, ws.cell(b, c).value = ws.cell(b, c).value, ws.cell(a, c).value
    ws.insert_rows(a)
    ws.cell(a, 7).value = "C"
    rows = item_rows(ws)
    assert rows["PPA1A"] == b + 1 and rows["PPA1B"] == a + 1
    fill = {"PPA1A": "Ya", "PPA1B": "a", "PPA2B": "B.", "HBA": "3,6", "HPA": 3.25, "PRE3A.wajib_total": 12,
            "PRE3A.sudah_melaporkan": 11}
    for code, value in fill.items():
        ws.cell(rows[code], 7).value = value
    ws.cell(rows["PPA1A"], 8).value = "SK tim sudah ada"
    ws.cell(rows["PPA1A"], 10).value = "Folder bukti"
    ws.cell(rows["PPA1A"], 10).hyperlink = "https://drive.example.go.id/zi/u7"
    wb[IDENTITY_SHEET]["B7"] = 2025
    wb.save(path)
    data = read_inputs(path)
    got = {code: (ans, num) for code, ans, num in zip(data.answers["code"], data.answers["answer"],
                                                      data.answers["number"])}
    assert got["PPA1A"][0] == "Ya" and got["PPA1B"][0] == "A" and got["PPA2B"][0] == "B"
    assert got["HBA"][1] == pytest.approx(3.6) and got["HPA"][1] == 3.25
    assert got["PRE3A.wajib_total"][1] == 12 and got["PRE3A.sudah_melaporkan"][1] == 11
    ppa1a = data.answers[data.answers["code"] == "PPA1A"].iloc[0]
    assert ppa1a["note"] == "SK tim sudah ada"
    assert ppa1a["evidence"] == "Folder bukti\nhttps://drive.example.go.id/zi/u7"
    assert ppa1a["cell"] == f"G{b + 1}"
    assert sorted(f.kind for f in data.findings) == ["normalised", "normalised", "unmapped_row"]
    (unmapped,) = [f for f in data.findings if f.kind == "unmapped_row"]
    assert (unmapped.cell, unmapped.severity) == (f"G{a}", "error")
    assert data.units.iloc[0]["year"] == 2025 and data.units.iloc[0]["unit_name"] == "Puskesmas Tujuh"
    unanswered = data.answers[data.answers["answer"].isna() & data.answers["number"].isna()]
    assert len(unanswered) == len(rubric.all_codes) - len(fill)


def test_sniffers_recognise_by_content(tmp_path: Path, rubric: Rubric) -> None:
    template = tmp_path / "laporan-akhir.xlsx"
    write_template(template, rubric, "u1")
    book = open_workbook(template)
    assert lke_template.sniff_workbook(book) and not lke_long.sniff_workbook(book)
    wb = openpyxl.Workbook()
    wb.active.append(["unit_id", "code", "answer"])
    wb.active.append(["u1", "PPA1A", "Ya"])
    other = tmp_path / "_zi_nb.xlsx"
    wb.save(other)
    assert not lke_template.sniff_workbook(open_workbook(other))


def test_rubric_mismatch_is_reported(tmp_path: Path, rubric: Rubric) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, rubric, "u1", answers=full_answers(rubric))
    changed = tmp_path / "zi-ubah.yaml"
    changed.write_text("extends: zi-2021\nid: zi-ubah\ntitle: Rubrik diubah\n", encoding="utf-8")
    data = read_inputs(path, load_rubric(changed))
    (finding,) = data.findings
    assert finding.kind == "template_rubric_mismatch" and finding.severity == "warning"
    assert "zi-2021" in finding.message() and "zi-ubah" in finding.message()


def test_write_is_atomic(tmp_path: Path, rubric: Rubric, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"versi lama")

    def broken_save(self, filename):
        Path(filename).write_bytes(b"setengah")
        raise OSError("disk penuh")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(OSError):
        write_template(path, rubric, "u1")
    assert path.read_bytes() == b"versi lama" and [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]
    monkeypatch.undo()
    write_template(path, rubric, "u1")
    assert lke_template.sniff_workbook(open_workbook(path)) and [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


def test_split_evidence_round_trips() -> None:
    from zi_nb.lke.long_format import join_evidence

    for evidence in [*EVIDENCE, "a\n\nhttps://x.example"]:
        assert join_evidence(*lke_template.split_evidence(evidence)) == evidence
    assert lke_template.split_evidence(None) == (None, None)
    assert lke_template.split_evidence("a\n\nhttps://x.example") == ("a\n\nhttps://x.example", None)
    assert lke_template.split_evidence(EVIDENCE[1]) == ("Notulen rapat\nDaftar hadir",
                                                         "https://a.example/1\nhttp://b.example/2")
