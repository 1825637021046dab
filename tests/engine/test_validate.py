"""Cross-row checks (zi_nb.engine.validate): blanks, Jumlah consistency, cached formula values, and the real workbook.

Inputs are files written in tmp_path and read through zi_nb.lke.inputs.read_inputs: long-format CSV (lines), the zi-nb
template (cells of sheet ``LKE``) and the circulated export layout (cells of sheet ``LKE ZI``).
"""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.helpers import best_raw
from zi_nb.engine.answers import RAW_COLUMNS, build_answers
from zi_nb.engine.results import compute
from zi_nb.engine.scoring import score_answers
from zi_nb.engine.validate import check_cached, check_jumlah, check_unanswered, validate
from zi_nb.lke.export import write_circulated
from zi_nb.lke.inputs import read_inputs
from zi_nb.lke.template import COL, LKE_SHEET, write_template

HEADER = "unit_id;tier;code;answer"


def csv_file(tmp_path: Path, *rows: str, name: str = "lke.csv") -> Path:
    """Rows ``unit;tier;code;answer`` (tier may be empty); the header is line 1, ``rows[i]`` is line ``i + 2``."""
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def jumlah(tmp_path: Path, values: dict[str, object], unit: str = "u1", tier: str = "unit") -> Path:
    """One CSV with the given Jumlah inputs (``code -> value``), in order, after one answered item (line 2)."""
    return csv_file(tmp_path, f"{unit};{tier};PPA1A;Ya", *(f"{unit};{tier};{c};{v}" for c, v in values.items()))


def of_kind(findings, kind: str) -> list:
    return [f for f in findings if f.kind == kind]


def item_value(data, code: str, unit: str = "u1", policies=None, tier: str = "final") -> float:
    return score_answers(data.answers, data.rubric, tier=tier, policies=policies).items.at[unit, code]


# -- blanks ----------------------------------------------------------------------------------------------------------
def test_every_blank_item_of_the_self_assessment_is_listed(tmp_path, rubric):
    path = csv_file(tmp_path, "u1;;PPA1A;Ya", "u1;;PPA1B;a", "u1;;HBA;3,6", "u1;;PPA2A;",
                    "u1;;PRD1A.jumlah_sasaran;4", "u1;;PRD1A.jumlah_sasaran_tercapai;4", "u1;tpi;PPA2B;B")
    findings = validate(read_inputs(path))
    blanks = of_kind(findings, "blank")
    expected = [i.code for i in rubric.items if i.code not in {"PPA1A", "PPA1B", "HBA", "PRD1A"}]
    assert sorted(f.code for f in blanks) == sorted(expected) and len(blanks) == 109
    assert {(f.severity, f.unit_id, f.file) for f in blanks} == {("warning", "u1", str(path))}
    located = {f.code: f.line for f in blanks}
    assert located["PPA2A"] == 5  # the row left empty
    assert located["PPA2B"] is None  # answered by the TPI only: still blank in the self-assessment
    assert blanks[0].message() == f"Butir {blanks[0].code} belum dijawab."
    assert [f.kind for f in findings if f.kind != "blank"] == ["normalised"]


def test_blanks_of_a_blank_template_are_located_at_their_answer_cells(tmp_path, rubric):
    path = tmp_path / "templat.xlsx"
    write_template(path, rubric, "u-t", "Unit T")
    data = read_inputs(path)
    findings = validate(data)
    assert {f.kind for f in findings} == {"blank"}
    assert len(findings) == len(rubric.items) == 113
    wb = openpyxl.load_workbook(path)
    ws = wb[LKE_SHEET]
    rows = {ws.cell(r, COL["code"]).value: r for r in range(1, ws.max_row + 1)}
    answer_col = openpyxl.utils.get_column_letter(COL["answer"])
    for f in findings:
        assert (f.file, f.sheet, f.unit_id) == (str(path), LKE_SHEET, "u-t")
        assert f.cell == f"{answer_col}{rows[f.code]}", f.render()


def test_invalid_values_are_not_reported_again_as_blank(tmp_path):
    path = csv_file(tmp_path, "u1;;PPA1A;Mungkin", "u1;;PPA1B;#REF!", "u1;;HBA;tinggi", "u1;;PPA2A;Ya",
                    "u1;;PRD1A.jumlah_sasaran;-1", "u1;;PRD1A.jumlah_sasaran_tercapai;x")
    findings = validate(read_inputs(path))
    blank_codes = {f.code for f in of_kind(findings, "blank")}
    assert not blank_codes & {"PPA1A", "PPA1B", "HBA", "PPA2A", "PRD1A"}
    assert "PPA2B" in blank_codes
    assert [(f.kind, f.line) for f in findings if f.kind != "blank"] == [
        ("invalid_option", 2), ("excel_error", 3), ("not_a_number", 4), ("negative", 6), ("not_a_number", 7)]


# -- Jumlah consistency -----------------------------------------------------------------------------------------------
def test_stated_total_differs_from_its_parts(tmp_path):
    path = jumlah(tmp_path, {"PRE3A.wajib_kepala_satker": 1, "PRE3A.wajib_pejabat_lhkpn": 2,
                             "PRE3A.wajib_lainnya": 3, "PRE3A.wajib_total": 10, "PRE3A.sudah_melaporkan": 6})
    data = read_inputs(path)
    findings = [f for f in validate(data) if f.kind != "blank"]
    (bad,) = findings
    assert (bad.kind, bad.severity, bad.line, bad.code, bad.unit_id) == (
        "total_mismatch", "error", 6, "PRE3A.wajib_total", "u1")
    assert bad.params == {"found": "10", "expected": "6"}
    assert bad.message() == "Jumlah yang dinyatakan 10 berbeda dengan jumlah rinciannya 6."
    assert bad.message("en") == "The stated total 10 differs from the sum of its parts 6."
    assert item_value(data, "PRE3A") == pytest.approx(0.6)  # the stated total is the base


def test_stated_total_in_a_template_cell(tmp_path, rubric):
    path = tmp_path / "templat.xlsx"
    write_template(path, rubric, "u-t", "Unit T")
    wb = openpyxl.load_workbook(path)
    ws = wb[LKE_SHEET]
    rows = {ws.cell(r, COL["code"]).value: r for r in range(1, ws.max_row + 1)}
    for code, value in {"PRE3B.wajib_total": 12, "PRE3B.wajib_eselon_iii": 0, "PRE3B.wajib_eselon_iv": 1,
                        "PRE3B.wajib_fungsional_pelaksana": 12, "PRE3B.sudah_melaporkan": 12}.items():
        ws.cell(rows[code], COL["answer"]).value = value
    wb.save(path)
    (bad,) = of_kind(validate(read_inputs(path)), "total_mismatch")
    col = openpyxl.utils.get_column_letter(COL["answer"])
    assert (bad.sheet, bad.cell, bad.code, bad.params) == (
        LKE_SHEET, f"{col}{rows['PRE3B.wajib_total']}", "PRE3B.wajib_total", {"found": "12", "expected": "13"})
    assert f"lembar 'LKE', sel {bad.cell} [u-t] PRE3B.wajib_total" in bad.render()


@pytest.mark.parametrize(("values", "numerator", "message"), [
    ({"PRA1B.jumlah_perubahan_dibuat": 2, "PRA1B.jumlah_perubahan_diintegrasikan": 3},
     "PRA1B.jumlah_perubahan_diintegrasikan",
     "Jumlah Perubahan yang telah diintegrasikan dalam sistem manajemen (3) melebihi Jumlah Perubahan yang dibuat (2); "
     "data tidak konsisten."),
    ({"PRD1A.jumlah_sasaran": 4, "PRD1A.jumlah_sasaran_tercapai": 5}, "PRD1A.jumlah_sasaran_tercapai",
     "Jumlah Sasaran Kinerja yang tercapai 100% atau lebih (5) melebihi Jumlah Sasaran Kinerja (4); "
     "data tidak konsisten."),
    ({"PRF1B.jumlah_layanan_terdata": 1, "PRF1B.jumlah_layanan_dipermudah": 7}, "PRF1B.jumlah_layanan_dipermudah",
     "Jumlah perijinan/pelayanan yang telah dipermudah (7) melebihi Jumlah perijinan/pelayanan yang "
     "terdata/terdaftar (1); data tidak konsisten."),
    ({"PRE3A.wajib_total": 3, "PRE3A.wajib_kepala_satker": 1, "PRE3A.wajib_pejabat_lhkpn": 1,
      "PRE3A.wajib_lainnya": 1, "PRE3A.sudah_melaporkan": 4}, "PRE3A.sudah_melaporkan",
     "Jumlah yang sudah melaporkan (4) melebihi Jumlah yang harus melaporkan (3); data tidak konsisten."),
    ({"PRE2A.pengaduan_harus_ditindaklanjuti": 2, "PRE2A.pengaduan_sedang_diproses": 0,
      "PRE2A.pengaduan_selesai": 3}, "PRE2A.pengaduan_selesai",
     "Jumlah pengaduan masyarakat yang selesai ditindaklanjuti (3) melebihi Jumlah pengaduan masyarakat yang harus "
     "ditindaklanjuti (2); data tidak konsisten."),
])
def test_achieved_above_base_is_an_error_on_the_achieved_line(tmp_path, values, numerator, message):
    data = read_inputs(jumlah(tmp_path, values))
    findings = [f for f in validate(data) if f.kind != "blank"]
    (bad,) = findings
    assert (bad.kind, bad.severity, bad.code, bad.unit_id) == ("above_base", "error", numerator, "u1")
    assert bad.line == 3 + list(values).index(numerator)
    assert bad.message() == message
    assert item_value(data, numerator.split(".")[0]) == 1.0  # capped


def test_more_changes_than_agents_is_valid_for_pra1a(tmp_path):
    data = read_inputs(jumlah(tmp_path, {"PRA1A.jumlah_agen_perubahan": 2, "PRA1A.jumlah_perubahan_dibuat": 5}))
    assert [f for f in validate(data) if f.kind != "blank"] == []
    assert item_value(data, "PRA1A") == 1.0


@pytest.mark.parametrize(("values", "code", "base", "line"), [
    ({"PRD1A.jumlah_sasaran": 0, "PRD1A.jumlah_sasaran_tercapai": 0}, "PRD1A", "Jumlah Sasaran Kinerja", 3),
    ({"PRA1A.jumlah_agen_perubahan": 0, "PRA1A.jumlah_perubahan_dibuat": 3}, "PRA1A", "Jumlah Agen Perubahan", 3),
    ({"PRF1B.jumlah_layanan_terdata": 0, "PRF1B.jumlah_layanan_dipermudah": 0}, "PRF1B",
     "Jumlah perijinan/pelayanan yang terdata/terdaftar", 3),
    ({"PRE3B.wajib_total": 0, "PRE3B.sudah_melaporkan": 0}, "PRE3B",
     "Jumlah yang harus melaporkan (tidak wajib LHKPN)", 3),
])  # line: the base's own Jumlah input (line 3), not the numerator
def test_zero_base_makes_the_item_unanswerable(tmp_path, values, code, base, line):
    data = read_inputs(jumlah(tmp_path, values))
    (bad,) = [f for f in validate(data) if f.kind != "blank"]
    assert (bad.kind, bad.severity, bad.code, bad.line) == ("zero_base", "error", code, line)
    assert bad.message() == f"Pembagi {base} bernilai 0; butir {code} tidak dapat dinilai."
    assert bad.message("en") == f"The base {base} is 0; item {code} cannot be scored."
    assert math.isnan(item_value(data, code))


def test_zero_base_points_at_the_base_cell_even_without_a_numerator(tmp_path):
    """Only the base given (0), its numerator blank: the finding still names the base's line, never location '-'."""
    data = read_inputs(jumlah(tmp_path, {"PRE3B.sudah_melaporkan": 1, "PRE3B.wajib_total": 0}))
    (bad,) = of_kind(validate(data), "zero_base")
    assert (bad.code, bad.line, bad.location()) == ("PRE3B", 4, f"{data.answers['file'].iloc[0]}, baris 4")
    data = read_inputs(csv_file(tmp_path, "u1;unit;PPA1A;Ya", "u1;unit;PRE3A.wajib_kepala_satker;0",
                                "u1;unit;PRE3A.wajib_pejabat_lhkpn;0", "u1;unit;PRE3A.wajib_lainnya;0",
                                "u1;unit;PRE3A.sudah_melaporkan;0"))
    (bad,) = of_kind(validate(data), "zero_base")
    assert (bad.code, bad.line) == ("PRE3A", 3)  # the first part of a base summed from its parts


def test_no_complaints_scores_one_under_the_default_policy(tmp_path):
    data = read_inputs(jumlah(tmp_path, {"PRE2A.pengaduan_harus_ditindaklanjuti": 0,
                                         "PRE2A.pengaduan_sedang_diproses": 0, "PRE2A.pengaduan_selesai": 0}))
    assert [f for f in validate(data) if f.kind != "blank"] == []
    assert item_value(data, "PRE2A") == 1.0
    policy = {"pengaduan_nol": "unanswered"}
    (bad,) = [f for f in validate(data, policy) if f.kind != "blank"]
    assert (bad.kind, bad.code, bad.line) == ("zero_base", "PRE2A", 3)  # at its base, harus ditindaklanjuti
    assert "Jumlah pengaduan masyarakat yang harus ditindaklanjuti bernilai 0" in bad.message()
    assert math.isnan(item_value(data, "PRE2A", policies=policy))
    other = {"pengaduan_base": "diproses_selesai"}
    assert [f for f in validate(data, other) if f.kind != "blank"] == []  # base diproses + selesai = 0: still one


def test_disciplinary_decrease_needs_no_base(tmp_path):
    data = read_inputs(jumlah(tmp_path, {"PRC3A.pelanggaran_tahun_sebelumnya": 0, "PRC3A.pelanggaran_tahun_ini": 3,
                                         "PRC3A.pelanggaran_diberi_sanksi": 3}))
    assert [f for f in validate(data) if f.kind != "blank"] == []
    assert item_value(data, "PRC3A") == 0.0


def test_partly_missing_inputs(tmp_path):
    data = read_inputs(jumlah(tmp_path, {"PRD1A.jumlah_sasaran": 4, "PRC3A.pelanggaran_tahun_ini": 1}))
    findings = [f for f in validate(data) if f.kind != "blank"]
    assert [(f.kind, f.severity, f.code, f.line) for f in findings] == [
        ("input_missing", "warning", "PRD1A", 3), ("input_missing", "warning", "PRC3A", 4)]  # at a given sibling
    assert findings[0].params == {"expected": "Jumlah Sasaran Kinerja yang tercapai 100% atau lebih"}
    assert findings[0].message() == ("Isian Jumlah 'Jumlah Sasaran Kinerja yang tercapai 100% atau lebih' untuk PRD1A "
                                     "kosong; butir ini tidak dapat dihitung.")
    assert findings[1].params == {"expected": "Jumlah pelanggaran tahun sebelumnya"}
    assert math.isnan(item_value(data, "PRD1A")) and math.isnan(item_value(data, "PRC3A"))


def test_inputs_the_rule_does_not_need_are_not_missing(tmp_path):
    values = {"PRE3A.wajib_total": 5, "PRE3A.sudah_melaporkan": 4,  # parts not given: the stated total is the base
              "PRE2A.pengaduan_harus_ditindaklanjuti": 4, "PRE2A.pengaduan_selesai": 2,  # diproses not needed
              "PRC3A.pelanggaran_tahun_sebelumnya": 2, "PRC3A.pelanggaran_tahun_ini": 1}  # sanksi not needed
    data = read_inputs(jumlah(tmp_path, values))
    assert [f for f in validate(data) if f.kind != "blank"] == []
    assert item_value(data, "PRE3A") == pytest.approx(0.8)
    assert item_value(data, "PRE2A") == pytest.approx(0.5)
    assert item_value(data, "PRC3A") == pytest.approx(0.5)
    # under the other PRE2A base, "sedang diproses" is needed
    (missing,) = [f for f in validate(data, {"pengaduan_base": "diproses_selesai"}) if f.kind != "blank"]
    assert (missing.kind, missing.code, missing.params["expected"]) == (
        "input_missing", "PRE2A", "Jumlah pengaduan masyarakat yang sedang diproses")


def test_parts_are_needed_without_a_stated_total(tmp_path):
    data = read_inputs(jumlah(tmp_path, {"PRE3A.wajib_kepala_satker": 1, "PRE3A.wajib_pejabat_lhkpn": 2,
                                         "PRE3A.sudah_melaporkan": 3}))
    findings = [f for f in validate(data) if f.kind != "blank"]
    assert [(f.kind, f.code, f.params["expected"], f.line) for f in findings] == [
        ("input_missing", "PRE3A", "Lainnya", 3)]


def test_jumlah_checks_run_per_tier(tmp_path):
    path = csv_file(tmp_path, "u1;unit;PRD1A.jumlah_sasaran;4", "u1;unit;PRD1A.jumlah_sasaran_tercapai;4",
                    "u1;tpi;PRD1A.jumlah_sasaran;4", "u1;tpi;PRD1A.jumlah_sasaran_tercapai;6",
                    "u2;tpn;PRD1A.jumlah_sasaran;0", "u2;tpn;PRD1A.jumlah_sasaran_tercapai;0")
    findings = check_jumlah(read_inputs(path))
    assert [(f.kind, f.unit_id, f.line) for f in findings] == [("above_base", "u1", 5), ("zero_base", "u2", 6)]


def test_many_units_each_with_its_own_findings(tmp_path):
    rows = []
    for n in range(30):
        rows += [f"u{n};;PRD1A.jumlah_sasaran;{n % 3}", f"u{n};;PRD1A.jumlah_sasaran_tercapai;1"]
    data = read_inputs(csv_file(tmp_path, *rows))
    findings = check_jumlah(data)
    zero = [f.unit_id for f in findings if f.kind == "zero_base"]
    above = [f.unit_id for f in findings if f.kind == "above_base"]
    assert zero == [f"u{n}" for n in range(30) if n % 3 == 0]
    assert above == []  # 1 of 1 or 1 of 2
    assert len(check_unanswered(data)) == 30 * 112


# -- cached formula values (circulated export layout) ---------------------------------------------------------------
@pytest.fixture(scope="module")
def circulated(tmp_path_factory, rubric) -> Path:
    answers, _ = build_answers(pd.DataFrame(best_raw(rubric, "u-c")).reindex(columns=RAW_COLUMNS), rubric)
    path = tmp_path_factory.mktemp("circ") / "lke.xlsx"
    write_circulated(path, rubric, {"unit_id": "u-c", "unit_name": "Unit C", "instansi": "I", "year": 2024}, answers)
    return path


def _edited(circulated: Path, tmp_path: Path, edit) -> Path:
    wb = openpyxl.load_workbook(circulated)
    edit(wb.active)
    out = tmp_path / "edited.xlsx"
    wb.save(out)
    return out


def _row(ws, starts: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 2).value or "").startswith(starts))


def _col(ws, header: str) -> int:
    return next(c for c in range(1, ws.max_column + 1) if ws.cell(8, c).value == header)


def test_clean_circulated_workbook_has_no_findings(circulated):
    assert validate(read_inputs(circulated)) == []


def test_cached_values_that_differ_from_the_rubric(circulated, tmp_path):
    cells = {}

    def edit(ws):
        value = _col(ws, "Nilai")
        cells["ind"] = ws.cell(_row(ws, "i. Penyusunan Tim Kerja"), value)
        cells["ind"].value = 0.25
        cells["area"] = ws.cell(_row(ws, "1. MANAJEMEN PERUBAHAN"), value)
        cells["area"].value = 4  # right
        cells["ok"] = ws.cell(_row(ws, "ii. Rencana Pembangunan"), value)
        cells["ok"].value = 1.0000000001  # within tolerance
        cells["err"] = ws.cell(_row(ws, "iii. Pemantauan dan Evaluasi"), value)
        cells["err"].value = "#REF!"
        cells["err"].data_type = "s"

    path = _edited(circulated, tmp_path, edit)
    findings = validate(read_inputs(path))
    assert [(f.kind, f.severity, f.cell, f.code, f.params["found"], f.params["expected"]) for f in findings] == [
        ("cached_mismatch", "error", cells["ind"].coordinate, "PPA1", "0,2500", "0,5000"),
        ("cached_mismatch", "error", cells["err"].coordinate, "PPA3", "#REF!", "1,0000")]
    assert findings[0].message() == (
        "Nilai tersimpan di lembar kerja 0,2500 berbeda dengan nilai menurut rubrik 0,5000 (nilai PPA1).")
    assert findings[0].sheet == "LKE ZI" and findings[0].unit_id == "u-c"
    assert check_cached(read_inputs(circulated)) == []


def test_the_workbooks_own_unanswered_marker_is_not_a_mismatch(tmp_path, rubric):
    rows = [r for r in best_raw(rubric, "u-c") if not r["code"].startswith("PRA1A")]
    answers, _ = build_answers(pd.DataFrame(rows).reindex(columns=RAW_COLUMNS), rubric)
    path = tmp_path / "lke.xlsx"
    write_circulated(path, rubric, {"unit_id": "u-c", "unit_name": "Unit C"}, answers)
    cells = {}

    def edit(ws):
        value = _col(ws, "Nilai")
        cells["blank"] = ws.cell(_row(ws, "a. Agen perubahan telah membuat"), value)
        cells["blank"].value = "Blm Diisi"  # what the circulated formulas show for an unanswered % item
        cells["answered"] = ws.cell(_row(ws, "b. Perubahan yang dibuat Agen"), value)
        cells["answered"].value = "Blm Diisi"  # but PRA1B is answered: its value is 1
        ws.cell(_row(ws, "i. Komitmen dalam perubahan"), value).value = 2.0  # PRA1B alone, x 2

    findings = validate(read_inputs(_edited(path, tmp_path, edit)))
    assert [(f.kind, f.cell, f.code, f.params.get("found"), f.params.get("expected")) for f in findings] == [
        ("blank", None, "PRA1A", None, None),  # no row of its own was read: located by file and unit
        ("cached_mismatch", cells["answered"].coordinate, "PRA1B", "Blm Diisi", "1,0000")]
    assert findings[1].message().endswith("(nilai butir PRA1B).")


def test_answer_type_cells_that_disagree_with_the_rubric(circulated, tmp_path):
    cells = {}

    def edit(ws):
        typ, ans = _col(ws, "Pilihan Jawaban"), _col(ws, "Jawaban Unit")
        r1 = _row(ws, "a. Unit kerja telah membentuk tim")
        r2 = _row(ws, "b. Penentuan anggota Tim")
        ws.cell(r1, typ).value = "Ya"
        ws.cell(r2, typ).value = "A/B/C/D"
        ws.cell(r2, ans).value = "D"  # valid for the sheet's type, not for the rubric's A/B/C
        hba = _row(ws, "a. Nilai Survey Persepsi Korupsi")
        ws.cell(hba, typ).value = "Nilai\n(0-4)"  # the circulated spelling: the same type
        cells.update(t1=ws.cell(r1, typ).coordinate, t2=ws.cell(r2, typ).coordinate, a2=ws.cell(r2, ans).coordinate)

    findings = validate(read_inputs(_edited(circulated, tmp_path, edit)))
    got = [(f.kind, f.severity, f.cell, f.code, f.params.get("found"), f.params.get("expected")) for f in findings]
    assert got == [
        ("answer_type_mismatch", "warning", cells["t1"], "PPA1A", "Ya", "Ya/Tidak"),
        ("answer_type_mismatch", "warning", cells["t2"], "PPA1B", "A/B/C/D", "A/B/C"),
        ("invalid_option", "error", cells["a2"], "PPA1B", "D", "A/B/C")]
    assert findings[0].message() == "Tipe jawaban di lembar kerja 'Ya' berbeda dengan rubrik 'Ya/Tidak'."
    assert findings[0].message("en") == "The workbook's answer type 'Ya' differs from the rubric's 'Ya/Tidak'."


def test_jumlah_in_the_circulated_layout(circulated, tmp_path, rubric):
    cells = {}

    def edit(ws):
        ans = _col(ws, "Jawaban Unit")
        rows = {ws.cell(r, 1).value: r for r in range(9, ws.max_row + 1) if ws.cell(r, 1).value is not None}
        for code, value in {"PRE3A.wajib_total": 31, "PRD1A.jumlah_sasaran_tercapai": 11}.items():
            cell = ws.cell(rows[rubric.input_codes[code][1].lke_row], ans)
            cell.value = value
            cells[code] = cell.coordinate

    findings = validate(read_inputs(_edited(circulated, tmp_path, edit)))
    assert [(f.kind, f.cell, f.code, f.params.get("found"), f.params.get("expected")) for f in findings] == [
        ("above_base", cells["PRD1A.jumlah_sasaran_tercapai"], "PRD1A.jumlah_sasaran_tercapai", "11", "10"),
        ("total_mismatch", cells["PRE3A.wajib_total"], "PRE3A.wajib_total", "31", "30")]


# -- the real workbook ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_data(real_lke):
    return read_inputs(real_lke)


def test_real_workbook_defects_cell_by_cell(real_data, real_lke):
    findings = validate(real_data)
    got = [(f.kind, f.severity, f.cell, f.code, f.params.get("found"), f.params.get("expected")) for f in findings]
    assert got == [
        ("cached_mismatch", "error", "I68", None, "95,5762", "95,7095"),  # hidden 'Ctt Eval': its grand total
        ("unit_from_file_name", "warning", None, None, "tangsel-opd-lke-zi-2021.xlsx", None),
        ("answer_type_mismatch", "warning", "J8", "PPA1A", "Ya", "Ya/Tidak"),
        ("cached_mismatch", "error", "L125", "REFORM", "25,5762", "25,7095"),
        ("cached_mismatch", "error", "L167", "REFORM:E", "4,7333", "4,8667"),
        ("cached_mismatch", "error", "L175", "PRE3", "1,7333", "1,8667"),
        ("formula_range", "warning", "L175", "PRE3", "=AVERAGE(L176:L179)*H175", "L184"),  # L177 is covered
        ("total_mismatch", "error", "K185", "PRE3B.wajib_total", "12", "13"),
        ("cached_mismatch", "error", "L198", "PENGUNGKIT", "55,5762", "55,7095"),
        ("cached_mismatch", "error", "L208", None, "95,5762", "95,7095"),
        ("cached_mismatch", "error", "I28", None, "95,5762", "95,7095"),  # hidden 'Utama', found by its label
    ]
    unit = "tangsel-opd-lke-zi-2021"
    assert {(f.file, f.sheet, f.unit_id, f.line) for f in findings} == {
        (str(real_lke), sheet, unit, None) for sheet in ("LKE ZI", "Utama", "Ctt Eval")}
    assert [f.sheet for f in findings if f.cell in ("I28", "I68")] == ["Ctt Eval", "Utama"]
    by_cell = {(f.cell, f.kind): f for f in findings}
    assert by_cell[("L208", "cached_mismatch")].message() == (
        "Nilai tersimpan di lembar kerja 95,5762 berbeda dengan nilai menurut rubrik 95,7095 (nilai total).")
    assert by_cell[("L175", "formula_range")].message() == (
        "Rumus '=AVERAGE(L176:L179)*H175' tidak mencakup semua butir PRE3; yang diharapkan mencakup: L184.")
    assert by_cell[("K185", "total_mismatch")].render() == (
        f"GALAT: {real_lke}, lembar 'LKE ZI', sel K185 [{unit}] PRE3B.wajib_total: "
        "Jumlah yang dinyatakan 12 berbeda dengan jumlah rinciannya 13.")


def test_real_workbook_scores_by_the_rubric(real_data):
    result = compute(real_data)
    unit = "tangsel-opd-lke-zi-2021"
    assert result.scores.total[unit] == pytest.approx(95.70952380952, abs=1e-9)  # not the workbook's 95,576...
    assert result.scores.indicators.at[unit, "PRE3"] == pytest.approx((13 / 15 + 1) / 2 * 2)
    assert result.scores.items.at[unit, "PRE3B"] == 1.0  # 12 of the stated 12
    assert result.scores.items.at[unit, "PPA1A"] == 1.0  # answered "Ya" under the wrong type cell: still scored
    assert result.evaluation.by_criteria[unit] == "WBBM"
    assert result.evaluation.predicate[unit] == "WBBM"
    assert check_unanswered(real_data) == []
