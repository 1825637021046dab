"""read_inputs (zi_nb.lke.inputs): layout detection by content, unusable files, many files and units in one call, and
property-based fuzzing of the long-format CSV reader."""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.helpers import best_raw
from zi_nb.common.files import sha256_file
from zi_nb.common.findings import MESSAGES
from zi_nb.engine.answers import RAW_COLUMNS, build_answers
from zi_nb.engine.validate import validate
from zi_nb.lke.export import write_circulated
from zi_nb.lke.inputs import read_inputs
from zi_nb.lke.template import COL, IDENTITY_SHEET, LKE_SHEET, write_template


def of_kind(findings, kind: str) -> list:
    return [f for f in findings if f.kind == kind]


@pytest.fixture(scope="module")
def template(tmp_path_factory, rubric) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "templat.xlsx"
    write_template(path, rubric, "u-t", "Unit Templat", "Instansi T", 2024)
    return path


@pytest.fixture(scope="module")
def circulated(tmp_path_factory, rubric) -> Path:
    answers, _ = build_answers(pd.DataFrame(best_raw(rubric, "u-c")).reindex(columns=RAW_COLUMNS), rubric)
    path = tmp_path_factory.mktemp("circ") / "edaran.xlsx"
    write_circulated(path, rubric, {"unit_id": "u-c", "unit_name": "Unit Edaran", "instansi": "Pemda C",
                                    "year": 2023}, answers)
    return path


def edited(source: Path, target: Path, edit) -> Path:
    wb = openpyxl.load_workbook(source)
    edit(wb)
    wb.save(target)
    return target


# -- unreadable files --------------------------------------------------------------------------------------------------
def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("dokumen.txt", "bukan buku kerja")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "content", "kind", "detail"), [
    ("potong.xlsx", None, "file_unreadable", "zip"),  # truncated: filled in from the template below
    ("acak.xlsx", os.urandom(4096), "file_not_text", None),
    ("acak.csv", bytes(range(256)) * 8, "file_not_text", None),
    ("kosong.csv", b"", "file_empty", None),
    ("kosong.xlsx", b"", "file_empty", None),
    ("lama.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024, "file_unreadable", ".xls lama"),
    ("lama.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 1024, "file_unreadable", "kata sandi"),
    ("arsip.xlsx", _zip_without_workbook(), "file_unreadable", "bukan buku kerja Excel"),
    ("pk.csv", b"PK\x03\x04 bukan zip", "file_unreadable", None),
])
def test_unreadable_files_are_fatal_findings_naming_the_file(tmp_path, template, name, content, kind, detail):
    path = tmp_path / name
    if content is None:
        whole = template.read_bytes()
        content = whole[: len(whole) // 2]
    path.write_bytes(content)
    data = read_inputs(path)  # never raises
    assert data.fatal_files == [str(path)]
    assert data.unit_ids == [] and data.answers.empty
    (finding,) = data.findings
    assert (finding.kind, finding.severity, finding.file) == (kind, "error", str(path))
    if detail:
        assert detail in finding.message()
    assert filled(finding)
    assert finding.render().startswith(f"GALAT: {path}: ")
    assert validate(data) == data.findings
    assert data.files == {str(path): sha256_file(path)}


def test_missing_file(tmp_path):
    path = tmp_path / "tidak-ada.csv"
    data = read_inputs(path)
    assert data.fatal_files == [str(path)] and data.files == {}
    (finding,) = data.findings
    assert (finding.kind, finding.file) == ("file_missing", str(path))
    assert finding.render() == f"GALAT: {path}: Berkas tidak ditemukan."
    assert finding.render("en") == f"ERROR: {path}: File not found."


# -- missing sheets and columns ------------------------------------------------------------------------------------
def test_csv_without_a_required_column(tmp_path):
    path = tmp_path / "lke.csv"
    path.write_text("unit_id;code;catatan\nu1;PPA1A;ada\n", encoding="utf-8")
    data = read_inputs(path)
    (finding,) = data.findings
    assert (finding.kind, finding.severity, finding.file, data.fatal_files) == (
        "column_missing", "error", str(path), [str(path)])
    assert finding.message() == "Kolom wajib 'answer' tidak ada; kolom yang ada: unit_id, code, catatan."
    assert finding.message("en") == "Required column 'answer' is missing; columns present: unit_id, code, catatan."


def test_xlsx_without_a_known_layout(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["unit_id", "kode", "nilai"])
    wb.active.append(["u1", "PPA1A", "Ya"])
    path = tmp_path / "lain.xlsx"
    wb.save(path)
    data = read_inputs(path)
    (finding,) = data.findings
    assert (finding.kind, finding.severity, finding.file, data.fatal_files) == (
        "unknown_format", "error", str(path), [str(path)])
    assert "Format berkas tidak dikenali" in finding.message() and "unit_id, code, answer" in finding.message()
    assert finding.render().startswith(f"GALAT: {path}: ")


def test_template_without_its_lke_sheet(template, tmp_path):
    path = edited(template, tmp_path / "t.xlsx", lambda wb: wb.remove(wb[LKE_SHEET]))
    data = read_inputs(path)
    (finding,) = data.findings
    assert (finding.kind, finding.severity, finding.file, data.fatal_files) == (
        "sheet_missing", "error", str(path), [str(path)])
    assert finding.message() == "Lembar 'LKE' tidak ada; lembar yang ada: Identitas Unit, _zi_nb."


def test_template_without_its_answer_column(template, tmp_path):
    def edit(wb):
        wb[LKE_SHEET].cell(3, COL["answer"]).value = "Isian"

    path = edited(template, tmp_path / "t.xlsx", edit)
    data = read_inputs(path)
    (finding,) = data.findings
    assert (finding.kind, finding.sheet, finding.file, data.fatal_files) == (
        "column_missing", LKE_SHEET, str(path), [str(path)])
    assert finding.params["expected"] == "Kode, Jawaban Unit"


def test_template_without_identity_sheet_still_reads_the_unit(template, tmp_path):
    path = edited(template, tmp_path / "t.xlsx", lambda wb: wb.remove(wb[IDENTITY_SHEET]))
    data = read_inputs(path)
    (finding,) = [f for f in data.findings]
    assert (finding.kind, finding.severity) == ("sheet_missing", "warning")
    assert data.unit_ids == ["u-t"] and data.fatal_files == []


@pytest.mark.parametrize("header", ["Pilihan Jawaban", "Jawaban Unit", "Penilaian"])
def test_circulated_without_a_key_column(circulated, tmp_path, header):
    def edit(wb):
        ws = wb.active
        col = next(c for c in range(1, ws.max_column + 1) if ws.cell(8, c).value == header)
        ws.cell(8, col).value = "Kolom"

    path = edited(circulated, tmp_path / "c.xlsx", edit)
    data = read_inputs(path)
    assert [(f.kind, f.file) for f in data.findings] == [("unknown_format", str(path))]
    assert data.fatal_files == [str(path)]


# -- detection by content, not by name ---------------------------------------------------------------------------------
def test_layouts_are_detected_from_content(tmp_path, template, circulated):
    csv_as_xlsx = tmp_path / "jawaban.xlsx"
    csv_as_xlsx.write_text("unit_id,code,answer\nu1,PPA1A,Ya\n", encoding="utf-8")
    template_as_csv = tmp_path / "templat.csv"
    template_as_csv.write_bytes(template.read_bytes())
    circulated_no_ext = tmp_path / "edaran"
    circulated_no_ext.write_bytes(circulated.read_bytes())
    data = read_inputs([csv_as_xlsx, template_as_csv, circulated_no_ext])
    assert data.fatal_files == []
    assert data.unit_ids == ["u-t", "u-c", "u1"]  # units with metadata first
    sheets = data.answers.groupby("unit_id")["sheet"].first()
    assert pd.isna(sheets["u1"]) and sheets["u-t"] == LKE_SHEET and sheets["u-c"] == "LKE ZI"


# -- many files and many units at once ---------------------------------------------------------------------------------
def test_many_files_and_units_one_bad_file_does_not_stop_the_others(tmp_path, template, circulated):
    long_csv = tmp_path / "jawaban.csv"
    long_csv.write_text("unit_id;code;answer\nu1;PPA1A;Ya\nu2;PPA1A;Mungkin\nu3;PPA1B;b\n", encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Jawaban"
    ws.append(["unit_id", "tier", "code", "answer"])
    ws.append(["u4", "unit", "HBA", 3.2])
    ws.append(["u4", "tpi", "HBA", 5])
    meta = wb.create_sheet("Unit")
    meta.append(["unit_id", "nama_unit", "tahun"])
    meta.append(["u4", "Kantor Empat", 2024])
    long_xlsx = tmp_path / "jawaban.xlsx"
    wb.save(long_xlsx)
    filled = edited(template, tmp_path / "templat-isi.xlsx",
                    lambda wb: [wb[LKE_SHEET].cell(r, COL["answer"]).__setattr__("value", "F")
                                for r in range(4, wb[LKE_SHEET].max_row + 1)
                                if wb[LKE_SHEET].cell(r, COL["code"]).value == "PPA1B"])
    broken = tmp_path / "rusak.xlsx"
    broken.write_bytes(template.read_bytes()[:999])
    missing = tmp_path / "hilang.csv"
    empty = tmp_path / "kosong.csv"
    empty.write_bytes(b"")
    paths = [long_csv, broken, long_xlsx, missing, filled, empty, circulated]
    data = read_inputs(paths)
    assert data.fatal_files == [str(broken), str(missing), str(empty)]
    assert data.unit_ids == ["u4", "u-t", "u-c", "u1", "u2", "u3"]
    assert set(data.files) == {str(p) for p in paths if p != missing}
    fatal = [(f.kind, f.file) for f in data.findings if f.file in data.fatal_files]
    assert fatal == [("file_unreadable", str(broken)), ("file_missing", str(missing)), ("file_empty", str(empty))]
    errors = [(f.kind, f.file, f.line, f.sheet, f.cell, f.unit_id) for f in validate(data)
              if f.severity == "error" and f.file not in data.fatal_files]
    answer_col = openpyxl.utils.get_column_letter(COL["answer"])
    assert sorted(errors, key=str) == sorted([
        ("invalid_option", str(long_csv), 3, None, None, "u2"),
        ("index_range", str(long_xlsx), None, "Jawaban", "D3", "u4"),
        ("invalid_option", str(filled), None, LKE_SHEET, f"{answer_col}9", "u-t"),
    ], key=str)
    units = data.units.set_index("unit_id")
    assert units.at["u4", "unit_name"] == "Kantor Empat" and units.at["u4", "year"] == 2024
    assert units.at["u-t", "unit_name"] == "Unit Templat" and units.at["u-t", "instansi"] == "Instansi T"
    assert units.at["u-c", "unit_name"] == "Unit Edaran" and units.at["u-c", "year"] == 2023
    assert units.at["u1", "unit_name"] == "u1"  # no metadata: the id stands in
    tiers = data.answers.groupby("unit_id")["tier"].agg(set)
    assert tiers["u4"] == {"unit", "tpi"} and tiers["u-c"] == {"unit"}


def test_unit_metadata_from_a_second_file_merges_with_answers(tmp_path):
    answers = tmp_path / "jawaban.csv"
    answers.write_text("unit_id,code,answer\nu1,PPA1A,Ya\nu2,PPA1A,Tidak\n", encoding="utf-8")
    wb = openpyxl.Workbook()
    wb.active.append(["ID Unit", "Nama Unit", "Instansi", "Tahun", "Predikat Saat Ini"])
    wb.active.append(["u2", "Kantor Dua", "Pemda B", 2024, "WBK"])
    wb.active.append(["u9", "Tanpa Jawaban", "Pemda Z", 2024, None])
    wb.create_sheet("Jawaban").append(["unit_id", "code", "answer"])  # a long-format sheet without rows
    units = tmp_path / "unit.xlsx"
    wb.save(units)
    for order in ([answers, units], [units, answers]):
        data = read_inputs(order)
        assert data.fatal_files == [] and data.findings == []
        got = data.units.set_index("unit_id")
        assert sorted(got.index) == ["u1", "u2"]  # metadata of a unit without answers is not a unit
        assert got.at["u2", "unit_name"] == "Kantor Dua" and got.at["u2", "current_predicate"] == "WBK"
        assert got.at["u2", "year"] == 2024 and got.at["u2", "file"] == str(units)
        assert got.at["u1", "unit_name"] == "u1"


def test_hundreds_of_units_in_one_call(tmp_path, rubric):
    rows = ["unit_id;code;answer"]
    for n in range(300):
        rows += [f"k{n:03d};PPA1A;{'Ya' if n % 2 else 'ya'}", f"k{n:03d};PPA1B;{'ABCF'[n % 4]}"]
    path = tmp_path / "banyak.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    data = read_inputs(path)
    assert len(data.unit_ids) == 300
    normalised = of_kind(data.findings, "normalised")
    invalid = of_kind(data.findings, "invalid_option")
    assert len(normalised) == 150 and len(invalid) == 75
    assert [f.line for f in invalid] == [2 + 2 * n + 1 for n in range(300) if n % 4 == 3]


def filled(finding) -> bool:
    """The message of a finding has every placeholder filled (it is not the fallback that shows the template)."""
    return all(MESSAGES[finding.kind][i] not in finding.message(lang) or "{" not in MESSAGES[finding.kind][i]
               for i, lang in ((0, "id"), (1, "en")))


# -- property-based fuzzing of the long-format CSV reader ---------------------------------------------------------
CELL = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)  # unicode, no controls
NASTY = st.sampled_from(["", " ", ";", ",", '"', '""', "\n", "\r\n", "\t", "|", "\x07", "\ufeff", "#REF!",
                         "Ya", "a", "B.", "3,6", "-1", "PPA1A", "ppa1b", "HBA", "PRD1A.jumlah_sasaran", "u1",
                         "tpi", "é", "中文", "\u202e", "=1+1", "'", "\\", "\u00a0"])
FIELD = st.one_of(CELL, NASTY, st.lists(NASTY, max_size=4).map("".join))
CODES = ["PPA1A", "PPA1B", "ppa2a", " PPA3A ", "HBA", "HPA", "PRD1A.jumlah_sasaran", "PRD1A.jumlah_sasaran_tercapai",
         "PRE3A.wajib_total", "XYZ9"]


def _mostly(choices: list[str]) -> st.SearchStrategy[str]:
    plausible = st.sampled_from(choices)
    return st.one_of(plausible, plausible, FIELD)


ROW = st.tuples(  # unit_id, tier, code, answer, note: mostly plausible, often hostile
    _mostly(["u1", "u2", " u3 ", "101"]),
    _mostly(["", "unit", "TPI", " tpi2 ", "tpn"]),
    _mostly(CODES),
    _mostly(["Ya", "ya ", "A", "b.", "3,6", "7", "-2", "", "#DIV/0!", "Mungkin"]),
    FIELD)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=8), delimiter=st.sampled_from([";", ",", "\t", "|"]))
def test_fuzzed_csv_never_raises_and_every_row_is_an_answer_or_a_located_finding(tmp_path, rows, delimiter):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["unit_id", "tier", "code", "answer", "note"])
    starts = []
    for row in rows:
        starts.append(buffer.getvalue().count("\n") + 1)
        writer.writerow([field.replace("\r", "") for field in row])
    path = tmp_path / "fuzz.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))

    data = read_inputs(path)
    findings = validate(data)  # never raises either

    assert all(filled(f) for f in findings)
    if data.fatal_files:
        assert data.fatal_files == [str(path)]
        assert findings and all(f.file == str(path) and f.severity == "error" for f in findings)
        assert findings[0].kind in ("file_not_text", "header_missing", "no_units", "file_unreadable")
        return
    answered = set(data.answers["line"])
    located = {f.line for f in findings if f.file == str(path) and f.line is not None}
    duplicated = {int(x) for f in findings if f.kind.startswith("duplicate")
                  for x in re.findall(r"baris (\d+)", f.params["found"])}
    for line, row in zip(starts, rows):
        unit, tier, *content = (field.replace("\r", "").strip() for field in row)
        if not any(content) and (unit or not tier):
            continue  # an empty record, or a unit id with nothing to say about it
        assert line in answered or line in located or line in duplicated, (line, row, [f.render() for f in findings])
    assert answered <= set(starts) and located <= set(starts)  # lines are where records start
    assert set(data.answers["file"]) <= {str(path)}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(st.characters(blacklist_categories=("Cs",)), max_size=300))
@example(text="u1;PPA1A;Ya\ru1;PPA1B;A\r\nu1;\"PPA2A\";\"Y\na\"\n\x00")
@example(text='u1;PPA1A;"Ya\nu1;PPA1B;A')  # an unclosed quote swallows the rest of the file
def test_fuzzed_raw_text_after_a_header_never_raises(tmp_path, text):
    path = tmp_path / "mentah.csv"
    path.write_bytes(("unit_id;code;answer\n" + text).encode("utf-8"))
    data = read_inputs(path)
    findings = validate(data)
    for f in findings:
        assert f.file == str(path) and filled(f)
        assert f.render() and f.render("en")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 2  # the reader's physical lines
    assert data.answers.empty or set(data.answers["line"].dropna()) <= set(range(2, lines + 1))
