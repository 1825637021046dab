"""Central normalisation (zi_nb.engine.answers): every bad single value is caught where it was read, with a clear
message.

Each case goes through the real readers (zi_nb.lke.inputs.read_inputs, then zi_nb.engine.validate.validate) with files
written in tmp_path: long-format CSV (line numbers) and XLSX (A1 cells). The pure helpers are tested directly at the
end.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from zi_nb.engine.answers import RAW_COLUMNS, build_answers, is_blank, normalise_tier, parse_number, select_tier
from zi_nb.engine.scoring import score_answers
from zi_nb.engine.validate import validate
from zi_nb.lke.inputs import read_inputs

HEADER = "unit_id;code;answer"


def csv_file(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "lke.csv") -> Path:
    """A long-format CSV: the header is line 1, ``rows[i]`` is line ``i + 2``."""
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def xlsx_file(tmp_path: Path, rows: list[list], name: str = "lke.xlsx") -> Path:
    """A long-format XLSX: header in row 1, ``rows[i]`` in Excel row ``i + 2`` (answer in column C)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Jawaban"
    ws.append(["unit_id", "code", "answer"])
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def of_kind(findings, kind: str) -> list:
    return [f for f in findings if f.kind == kind]


def answer(data, code: str, unit: str = "u1", tier: str = "unit") -> pd.Series:
    rows = data.answers[(data.answers["unit_id"] == unit) & (data.answers["code"] == code)
                        & (data.answers["tier"] == tier)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


# -- unknown codes and tiers -----------------------------------------------------------------------------------------
def test_unknown_code_is_an_error_located_on_its_line_and_dropped(tmp_path):
    path = csv_file(tmp_path, "u1;PPA1A;Ya", "u1;XYZ9;A", "u1;ppa1b;A", "u1;PPA1A.jumlah;3")
    data = read_inputs(path)
    unknown = of_kind(validate(data), "unknown_code")
    assert [(f.line, f.severity, f.code, f.unit_id, f.file) for f in unknown] == [
        (3, "error", None, "u1", str(path)), (5, "error", None, "u1", str(path))]
    assert unknown[0].params == {"found": "XYZ9", "rubric": "zi-2021"}
    assert unknown[0].message() == "Kode 'XYZ9' tidak ada dalam rubrik zi-2021."
    assert unknown[1].message("en") == "Code 'PPA1A.jumlah' is not in rubric zi-2021."
    assert f"{path}, baris 3 [u1]: Kode 'XYZ9'" in unknown[0].render()
    assert set(data.answers["code"]) == {"PPA1A", "PPA1B"}  # lower-case code matched, unknown ones dropped
    assert answer(data, "PPA1B")["answer"] == "A"


def test_unknown_tier_is_an_error_on_its_line(tmp_path):
    path = csv_file(tmp_path, "u1;unit;PPA1A;Ya", "u1;auditor;PPA1A;Tidak", "u1; TPI ;PPA1A;Tidak",
                    header="unit_id;tier;code;answer")
    data = read_inputs(path)
    (bad,) = of_kind(validate(data), "unknown_tier")
    assert (bad.line, bad.severity, bad.unit_id, bad.params["found"]) == (3, "error", "u1", "auditor")
    assert "Tingkat penilai 'auditor' tidak dikenal" in bad.message()
    assert answer(data, "PPA1A", tier="tpi")["answer"] == "Tidak"  # " TPI " is the tpi tier


# -- invalid options ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("code", "value", "expected"), [
    ("PPA1A", "Mungkin", "Ya/Tidak"),
    ("PPA1B", "F", "A/B/C"),
    ("PPA3A", "E", "A/B/C/D"),
    ("PPB1B", "Z", "A/B/C/D/E"),
    ("PPA2A", "3", "Ya/Tidak"),  # a number where an option belongs
    ("PPA2B", "2024-01-05", "A/B/C"),  # a date where an option belongs
    ("HBB", "Tidak", "A/B/C/D/E"),  # an option of another type
    ("PPA4A", "Yes", "Ya/Tidak"),
])
def test_invalid_option_in_csv(tmp_path, code, value, expected):
    path = csv_file(tmp_path, "u1;PPA2C;A", f"u1;{code};{value}")
    data = read_inputs(path)
    findings = validate(data)
    (bad,) = of_kind(findings, "invalid_option")
    assert (bad.severity, bad.file, bad.line, bad.code, bad.unit_id) == ("error", str(path), 3, code, "u1")
    assert bad.params == {"found": value, "expected": expected}
    assert bad.message() == f"Jawaban '{value}' tidak sah untuk tipe {expected}; butir ini tidak dinilai."
    assert bad.message("en") == f"Answer '{value}' is not valid for type {expected}; the item is not scored."
    assert pd.isna(answer(data, code)["answer"])
    # the item is not scored, and it is not reported a second time as a blank
    assert math.isnan(score_answers(data.answers, data.rubric).items.at["u1", code])
    assert code not in {f.code for f in of_kind(findings, "blank")}


def test_numbers_dates_and_booleans_typed_in_xlsx_option_cells(tmp_path):
    path = xlsx_file(tmp_path, [
        ["u1", "PPA1B", 3],
        ["u1", "PPA2B", 2.5],
        ["u1", "PPA2C", dt.datetime(2024, 1, 5)],
        ["u1", "PPA1A", True],
        ["u1", "PPA3A", "A"],
    ])
    data = read_inputs(path)
    bad = {f.cell: f for f in of_kind(validate(data), "invalid_option")}
    assert sorted(bad) == ["C2", "C3", "C4", "C5"]
    assert all(f.sheet == "Jawaban" and f.line is None and f.severity == "error" for f in bad.values())
    assert bad["C2"].message() == "Jawaban '3' tidak sah untuk tipe A/B/C; butir ini tidak dinilai."  # not '3.0'
    assert bad["C3"].message().startswith("Jawaban '2,5' tidak sah untuk tipe A/B/C")
    assert bad["C3"].message("en").startswith("Answer '2.5' is not valid")
    assert bad["C4"].message().startswith("Jawaban '2024-01-05' tidak sah")
    assert bad["C5"].message().startswith("Jawaban 'True' tidak sah untuk tipe Ya/Tidak")
    assert f"{path}, lembar 'Jawaban', sel C2 [u1] PPA1B:" in bad["C2"].render()
    assert answer(data, "PPA3A")["answer"] == "A"


# -- harmless variants -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("code", "value", "canonical"), [
    ("PPA1B", "a", "A"),
    ("PPA1A", "Ya ", "Ya"),
    ("PPA2B", "B.", "B"),
    ("PPA2A", "ya", "Ya"),
    ("PPA4A", " tidak ", "Tidak"),
    ("PPA3A", "c)", "C"),
    ("PPB1B", "e:", "E"),
    ("PPA1A", "YA", "Ya"),
])
def test_harmless_variants_are_normalised_with_a_warning(tmp_path, code, value, canonical):
    path = csv_file(tmp_path, f"u1;{code};{value}")
    data = read_inputs(path)
    assert answer(data, code)["answer"] == canonical
    assert answer(data, code)["raw"] == value
    findings = [f for f in validate(data) if f.kind != "blank"]
    assert [(f.kind, f.severity, f.line, f.code) for f in findings] == [("normalised", "warning", 2, code)]
    assert findings[0].params == {"found": value, "normalised": canonical}
    assert findings[0].message() == f"Jawaban '{value}' dibaca sebagai '{canonical}'."
    assert findings[0].message("en") == f"Answer '{value}' was read as '{canonical}'."


def test_canonical_answers_are_clean(tmp_path):
    data = read_inputs(csv_file(tmp_path, "u1;PPA1A;Ya", "u1;PPA1B;A", "u1;PPA3A;D", "u1;PPB1B;E", "u1;HBA;3,6"))
    assert [f for f in validate(data) if f.kind != "blank"] == []
    assert answer(data, "HBA")["number"] == pytest.approx(3.6)


def test_variants_in_xlsx_cells_are_located_by_cell(tmp_path):
    path = xlsx_file(tmp_path, [["u1", "PPA1A", "Ya "], ["u1", "PPA1B", "b."], ["u1", "HBA", "3,6"]])
    data = read_inputs(path)
    warned = [(f.kind, f.sheet, f.cell, f.params["normalised"]) for f in validate(data) if f.kind != "blank"]
    assert warned == [("normalised", "Jawaban", "C2", "Ya"), ("normalised", "Jawaban", "C3", "B")]
    assert answer(data, "HBA")["number"] == pytest.approx(3.6)


# -- blanks ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["", "  ", "-", "blm diisi", "Belum Diisi", "N/A"])
def test_blank_markers_are_blank_not_invalid(tmp_path, value):
    data = read_inputs(csv_file(tmp_path, "u1;PPA1B;A", f"u1;PPA1A;{value}"))
    findings = validate(data)
    assert not of_kind(findings, "invalid_option")
    (blank,) = [f for f in of_kind(findings, "blank") if f.code == "PPA1A"]
    assert (blank.line, blank.severity, blank.unit_id) == (3, "warning", "u1")
    assert blank.message() == "Butir PPA1A belum dijawab."
    assert blank.message("en") == "Item PPA1A is unanswered."
    assert pd.isna(answer(data, "PPA1A")["answer"])


# -- numbers: survey indices and Jumlah ------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "clamped", "shown"), [("5", 4.0, "5"), ("-1", 0.0, "-1"), ("4,5", 4.0, "4,5"),
                                                        ("4,01", 4.0, "4,01"), ("400", 4.0, "400")])
def test_survey_index_outside_range_is_clamped_and_reported(tmp_path, value, clamped, shown):
    data = read_inputs(csv_file(tmp_path, f"u1;HBA;{value}"))
    (bad,) = of_kind(validate(data), "index_range")
    assert (bad.severity, bad.line, bad.code) == ("error", 2, "HBA")
    assert bad.message() == f"Indeks survei {shown} di luar rentang 0..4; dipotong ke {clamped:g}."
    assert bad.message("en") == f"Survey index {shown} is outside 0..4; clamped to {clamped:g}."
    assert answer(data, "HBA")["number"] == clamped
    assert score_answers(data.answers, data.rubric).items.at["u1", "HBA"] == clamped / 4


def test_survey_index_as_text_is_not_a_number(tmp_path):
    data = read_inputs(csv_file(tmp_path, "u1;HPA;tinggi"))
    (bad,) = of_kind(validate(data), "not_a_number")
    assert (bad.line, bad.code, bad.params["expected"]) == (2, "HPA", "indeks 0..4")
    assert bad.message() == "Nilai 'tinggi' bukan angka; yang diharapkan: indeks 0..4."


@pytest.mark.parametrize(("value", "kind", "severity", "number", "message"), [
    ("-3", "negative", "error", None, "Jumlah '-3' negatif; yang diharapkan bilangan 0 atau lebih."),
    ("banyak", "not_a_number", "error", None, "Nilai 'banyak' bukan angka; yang diharapkan: bilangan 0 atau lebih."),
    ("2,5", "not_integer", "warning", 2.5, "Jumlah '2,5' bukan bilangan bulat."),
    ("Ya", "not_a_number", "error", None, "Nilai 'Ya' bukan angka; yang diharapkan: bilangan 0 atau lebih."),
])
def test_jumlah_values(tmp_path, value, kind, severity, number, message):
    code = "PRD1A.jumlah_sasaran"
    data = read_inputs(csv_file(tmp_path, f"u1;{code};{value}", "u1;PRD1A.jumlah_sasaran_tercapai;2"))
    (bad,) = of_kind(validate(data), kind)
    assert (bad.severity, bad.line, bad.code, bad.unit_id) == (severity, 2, code, "u1")
    assert bad.message() == message
    got = answer(data, code)["number"]
    assert (math.isnan(got) if number is None else got == number)


def test_jumlah_with_thousands_separator_and_spaces(tmp_path):
    data = read_inputs(csv_file(tmp_path, "u1;PRD1A.jumlah_sasaran; 1.234 ", "u1;PRD1A.jumlah_sasaran_tercapai;1 000"))
    assert answer(data, "PRD1A.jumlah_sasaran")["number"] == 1234
    assert answer(data, "PRD1A.jumlah_sasaran_tercapai")["number"] == 1000
    assert [f for f in validate(data) if f.kind != "blank"] == []


# -- Excel error values ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "shown"), [("#DIV/0!", "#DIV/0!"), ("#REF!", "#REF!"), ("#N/A", "#N/A"),
                                             ("#ref!", "#REF!"), (" #VALUE! ", "#VALUE!")])
def test_excel_errors_in_csv_cells(tmp_path, value, shown):
    data = read_inputs(csv_file(tmp_path, f"u1;PPA1B;{value}", f"u1;PRD1A.jumlah_sasaran;{value}"))
    bad = of_kind(validate(data), "excel_error")
    assert [(f.line, f.code, f.severity) for f in bad] == [(2, "PPA1B", "error"), (3, "PRD1A.jumlah_sasaran", "error")]
    assert bad[0].message() == f"Sel berisi galat Excel {shown}; yang diharapkan: A/B/C."
    assert bad[1].message("en") == f"The cell holds the Excel error {shown}; expected Jumlah."
    assert pd.isna(answer(data, "PPA1B")["answer"]) and math.isnan(answer(data, "PRD1A.jumlah_sasaran")["number"])


def test_excel_error_text_in_xlsx_cells(tmp_path):
    path = xlsx_file(tmp_path, [["u1", "PPA1B", "x"], ["u1", "HBA", "x"]])
    wb = openpyxl.load_workbook(path)
    for ref, error in (("C2", "#DIV/0!"), ("C3", "#N/A")):  # typed as text (e.g. pasted values)
        wb.active[ref].value = error
        wb.active[ref].data_type = "s"
    wb.save(path)
    bad = of_kind(validate(read_inputs(path)), "excel_error")
    assert [(f.cell, f.params["found"], f.code) for f in bad] == [("C2", "#DIV/0!", "PPA1B"), ("C3", "#N/A", "HBA")]


def test_excel_error_cells_in_xlsx(tmp_path):
    path = xlsx_file(tmp_path, [["u1", "PPA1B", "#DIV/0!"], ["u1", "PPA1A", "#REF!"], ["u1", "HBA", "#N/A"]])
    assert openpyxl.load_workbook(path).active["C2"].data_type == "e"  # real error cells
    bad = of_kind(validate(read_inputs(path)), "excel_error")
    assert [(f.cell, f.params["found"]) for f in bad] == [("C2", "#DIV/0!"), ("C3", "#REF!"), ("C4", "#N/A")]


# -- duplicates --------------------------------------------------------------------------------------------------------
def test_conflicting_duplicate_is_an_error_and_the_last_value_wins(tmp_path):
    path = csv_file(tmp_path, "u1;PPA1B;A", "u1;PPA1A;Ya", "u1;PPA1B;c")
    data = read_inputs(path)
    (dup,) = of_kind(validate(data), "duplicate_conflict")
    assert (dup.severity, dup.line, dup.code, dup.unit_id) == ("error", 4, "PPA1B", "u1")
    assert dup.params["found"] == "['A', 'c'] (baris 2, baris 4)" and dup.params["normalised"] == "c"
    assert dup.message() == ("Jawaban ganda yang bertentangan untuk PPA1B (unit): ['A', 'c'] (baris 2, baris 4); "
                             "yang dipakai: 'c'.")
    assert answer(data, "PPA1B")["answer"] == "C"


def test_identical_duplicate_is_a_warning(tmp_path):
    data = read_inputs(csv_file(tmp_path, "u1;PPA1B;A", "u1;PPA1B;a", "u2;PPA1B;B"))
    findings = validate(data)
    (dup,) = of_kind(findings, "duplicate_same")
    assert (dup.severity, dup.line, dup.code, dup.unit_id) == ("warning", 3, "PPA1B", "u1")
    assert dup.message() == "Jawaban ganda yang sama untuk PPA1B (unit): ['A', 'a'] (baris 2, baris 3)."
    assert not of_kind(findings, "duplicate_conflict")
    assert answer(data, "PPA1B", unit="u2")["answer"] == "B"  # other units are not duplicates


def test_duplicates_across_files_and_tiers(tmp_path):
    first = csv_file(tmp_path, "u1;unit;PPA1A;Ya", "u1;tpi;PPA1A;Tidak", header="unit_id;tier;code;answer",
                     name="a.csv")
    second = xlsx_file(tmp_path, [["u1", "PPA1A", "Tidak"]], name="b.xlsx")
    data = read_inputs([first, second])
    (dup,) = of_kind(validate(data), "duplicate_conflict")  # unit tier only: TPI answers are a different tier
    assert (dup.file, dup.sheet, dup.cell, dup.params["tier"]) == (str(second), "Jawaban", "C2", "unit")
    assert "(baris 2, C2)" in dup.params["found"]
    assert answer(data, "PPA1A")["answer"] == "Tidak" and answer(data, "PPA1A", tier="tpi")["answer"] == "Tidak"


# -- the pure helpers --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "number"), [
    ("3,6", 3.6), ("3.6", 3.6), (" 12 ", 12.0), ("1.234,5", 1234.5), ("1.234.567", 1234567.0), ("86%", 0.86),
    ("86,5 %", 0.865), ("-2", -2.0), ("+4", 4.0), ("1\u00a0000", 1000.0), (7, 7.0), (2.5, 2.5),
    ("abc", None), ("", None), ("3,6,1", None), ("1e3", None), (True, None), (None, None), (float("nan"), None),
    (dt.date(2024, 1, 1), None),
])
def test_parse_number(value, number):
    got = parse_number(value)
    assert got == (pytest.approx(number) if number is not None else None)


@pytest.mark.parametrize(("value", "tier"), [
    (None, "unit"), ("", "unit"), (float("nan"), "unit"), ("TPI", "tpi"), (" tpi 2 ", "tpi2"), ("TPN", "tpn"),
    ("unit", "unit"), ("auditor", None), ("tpi4", None),
])
def test_normalise_tier(value, tier):
    assert normalise_tier(value) == tier


@pytest.mark.parametrize(("value", "blank"), [
    (None, True), (float("nan"), True), ("", True), (" - ", True), ("N/A", True), ("blm diisi", True),
    ("0", False), (0, False), ("Tidak", False), (False, False),
])
def test_is_blank(value, blank):
    assert is_blank(value) is blank


def test_build_answers_keeps_locations_and_reports_each_value_once(rubric):
    raw = pd.DataFrame([
        {"unit_id": "u1", "tier": "unit", "code": "PPA1A", "raw": "ya", "file": "f.csv", "line": 2},
        {"unit_id": "u2", "tier": "unit", "code": "PPA1A", "raw": "ya", "file": "f.csv", "line": 3},
        {"unit_id": "u1", "tier": "unit", "code": "PPA1B", "raw": 1, "file": "g.xlsx", "sheet": "S", "cell": "C9"},
        {"unit_id": "u1", "tier": "TPI", "code": "HBA", "raw": "3,2", "file": "f.csv", "line": 4},
        {"unit_id": "u1", "tier": "unit", "code": "PPA2A", "raw": True, "file": "f.csv", "line": 5},
        {"unit_id": "u1", "tier": "unit", "code": "PPA4A", "raw": 1.0, "file": "f.csv", "line": 6},
    ]).reindex(columns=RAW_COLUMNS)
    frame, findings = build_answers(raw, rubric)
    assert [(f.kind, f.unit_id, f.line, f.cell) for f in findings] == [
        ("normalised", "u1", 2, None), ("normalised", "u2", 3, None), ("invalid_option", "u1", None, "C9"),
        ("invalid_option", "u1", 5, None), ("invalid_option", "u1", 6, None)]
    assert list(frame["answer"][:2]) == ["Ya", "Ya"]
    hba = frame[frame["code"] == "HBA"].iloc[0]
    assert (hba["tier"], hba["number"]) == ("tpi", pytest.approx(3.2))
    assert findings[3].message() == "Jawaban 'True' tidak sah untuk tipe Ya/Tidak; butir ini tidak dinilai."


def test_select_tier_final_takes_the_latest_tier_that_answered(rubric):
    raw = pd.DataFrame([
        {"unit_id": "u1", "tier": "unit", "code": "PPA1B", "raw": "A"},
        {"unit_id": "u1", "tier": "tpi", "code": "PPA1B", "raw": "B"},
        {"unit_id": "u1", "tier": "tpi2", "code": "PPA1B", "raw": "C"},
        {"unit_id": "u1", "tier": "tpn", "code": "PPA1B", "raw": ""},  # blank: does not count as answering
        {"unit_id": "u1", "tier": "unit", "code": "PPA1A", "raw": "Ya"},
    ]).reindex(columns=RAW_COLUMNS)
    frame, _ = build_answers(raw, rubric)
    final = select_tier(frame, "final").set_index("code")
    assert final.at["PPA1B", "answer"] == "C" and final.at["PPA1B", "tier"] == "tpi2"
    assert final.at["PPA1A", "answer"] == "Ya"
    assert select_tier(frame, "tpi").set_index("code").at["PPA1B", "answer"] == "C"
    assert select_tier(frame, "unit").set_index("code").at["PPA1B", "answer"] == "A"
    with pytest.raises(ValueError):
        select_tier(frame, "boss")
