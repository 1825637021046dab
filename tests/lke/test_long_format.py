"""The long format (CSV and XLSX): what Indonesian Excel users produce, read through zi_nb.lke.inputs.read_inputs."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from zi_nb.lke.inputs import read_inputs
from zi_nb.lke.long_csv import read_csv, record_starts
from zi_nb.lke.long_format import header_key, read_workbook, sniff_workbook
from zi_nb.lke.xlsx import open_workbook


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def answer_of(data, unit: str, code: str, tier: str = "unit") -> pd.Series:
    rows = data.answers[(data.answers["unit_id"] == unit) & (data.answers["code"] == code)
                        & (data.answers["tier"] == tier)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def kinds(findings, kind: str) -> list:
    return [f for f in findings if f.kind == kind]


def test_bom_semicolon_decimal_comma_lower_case_and_stray_spaces(tmp_path: Path) -> None:
    text = ("\ufeff Unit_ID ;  Kode ; JAWABAN ;Catatan ; Bukti Dukung\n"
            " u1 ; PPA1A ; ya ;Tim dibentuk dengan SK;SK Tim\n"
            "u1;PPA1B; b ;;\n"
            "u1;HBA;3,6;survei;\n"
            "u1;PRA1A.jumlah_agen_perubahan; 12 ;;\n"
            "u1;PPA2A;Ya;;\n")
    data = read_inputs(write(tmp_path / "lke.csv", text))
    assert data.fatal_files == []
    assert answer_of(data, "u1", "PPA1A")["answer"] == "Ya"
    assert answer_of(data, "u1", "PPA1A")["note"] == "Tim dibentuk dengan SK"
    assert answer_of(data, "u1", "PPA1A")["evidence"] == "SK Tim"
    assert answer_of(data, "u1", "PPA1B")["answer"] == "B"
    assert answer_of(data, "u1", "HBA")["number"] == pytest.approx(3.6)
    assert answer_of(data, "u1", "PRA1A.jumlah_agen_perubahan")["number"] == 12
    assert answer_of(data, "u1", "PPA2A")["answer"] == "Ya"
    warned = {(f.code, f.line) for f in kinds(data.findings, "normalised")}
    assert warned == {("PPA1A", 2), ("PPA1B", 3)}
    assert all(f.severity == "warning" for f in data.findings), [f.render() for f in data.findings]


def test_values_are_kept_as_text(tmp_path: Path) -> None:
    extract = read_csv(write(tmp_path / "a.csv", "unit_id;code;answer;note\nu1;PPA1A;NA;N/A\nu1;HBA;3,6;0012\n"),
                       None)  # type: ignore[arg-type]
    assert list(extract.raw["raw"]) == ["NA", "3,6"]
    assert list(extract.raw["note"]) == ["N/A", "0012"]


def test_metadata_in_a_second_file(tmp_path: Path) -> None:
    answers = write(tmp_path / "jawaban.csv", "unit_id,code,answer\nu1,PPA1A,Ya\nu2,PPA1A,Tidak\n")
    units = write(tmp_path / "unit.csv", "Unit ID;Nama Unit;Instansi;Tahun;Predikat\n"
                                         "u1;Kantor Satu;Kementerian A;2024;WBK\nu2;Kantor Dua;Pemda B;2023;\n")
    only_meta = read_csv(units, None)  # type: ignore[arg-type]
    assert only_meta.raw.empty and not only_meta.fatal
    data = read_inputs([answers, units])
    got = data.units.set_index("unit_id")
    assert got.loc["u1", "unit_name"] == "Kantor Satu" and got.loc["u1", "year"] == 2024
    assert got.loc["u1", "current_predicate"] == "WBK" and got.loc["u2", "instansi"] == "Pemda B"
    assert got.loc["u2", "unit_name"] == "Kantor Dua"
    assert data.findings == []


def test_metadata_on_the_same_rows_and_invalid_year(tmp_path: Path) -> None:
    text = ("unit_id,unit_name,year,code,answer\n"
            "u1,Kantor Satu,2024,PPA1A,Ya\n"
            "u1,Kantor Satu,2024,PPA1B,A\n"
            "u2,Kantor Dua,dua ribu,PPA1A,Ya\n")
    data = read_inputs(write(tmp_path / "lke.csv", text))
    got = data.units.set_index("unit_id")
    assert got.loc["u1", "unit_name"] == "Kantor Satu" and got.loc["u1", "year"] == 2024
    assert got.loc["u2", "unit_name"] == "Kantor Dua" and pd.isna(got.loc["u2", "year"])
    (bad,) = kinds(data.findings, "metadata_invalid")
    assert (bad.line, bad.unit_id, bad.severity, bad.params["found"]) == (4, "u2", "warning", "dua ribu")


def test_metadata_in_a_second_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Jawaban"
    ws.append(["Data LKE"])  # a title row above the header
    ws.append(["Unit ID", "Kode", "Jawaban", "Catatan", "Tingkat"])
    ws.append(["u1", "PPA1A", "Ya", "ada SK", "unit"])
    ws.append(["u1", "HBA", 3.6, None, "tpi"])
    ws.append([101, "PPA1A", "tidak", None, None])  # a unit id typed as a number
    meta = wb.create_sheet("Unit")
    meta.append(["unit_id", "nama_unit", "instansi", "tahun"])
    meta.append(["u1", "Kantor Satu", "Kementerian A", 2024])
    meta.append([101, "Kantor 101", "Kementerian A", "2023"])
    path = tmp_path / "long.xlsx"
    wb.save(path)
    book = open_workbook(path)
    assert sniff_workbook(book)
    data = read_inputs(path)
    assert answer_of(data, "u1", "PPA1A")["cell"] == "C3" and answer_of(data, "u1", "PPA1A")["line"] is None
    assert answer_of(data, "u1", "HBA", tier="tpi")["number"] == pytest.approx(3.6)
    assert answer_of(data, "101", "PPA1A")["answer"] == "Tidak"
    got = data.units.set_index("unit_id")
    assert got.loc["u1", "unit_name"] == "Kantor Satu" and got.loc["101", "year"] == 2023
    (warn,) = kinds(data.findings, "normalised")
    assert (warn.sheet, warn.cell) == ("Jawaban", "C5")


def test_missing_column_names_file_column_and_columns_found(tmp_path: Path) -> None:
    path = write(tmp_path / "salah.csv", "unit_id;kode;nilai\nu1;PPA1A;Ya\n")
    data = read_inputs(path)
    assert data.fatal_files == [str(path)]
    (finding,) = data.findings
    assert finding.kind == "column_missing" and finding.file == str(path)
    assert finding.params["expected"] == "answer"
    text = finding.render()
    assert str(path) in text and "'answer'" in text and "unit_id, kode, nilai" in text


@pytest.mark.parametrize(("content", "kind"), [
    (b"", "file_empty"),
    (b"\n\n  \n", "file_empty"),
    (b"\nunit_id,code,answer\nu1,PPA1A,Ya\n", "header_missing"),
    (b"u1;PPA1A;Ya\nu1;PPA1B;A\n", "header_missing"),
    (b"\x00\x01\x02\x03PDF\x00\x00binary\x00" * 20, "file_not_text"),
    (b"unit_id,code,answer\n", "no_units"),
])
def test_unusable_files_are_fatal_findings(tmp_path: Path, content: bytes, kind: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    data = read_inputs(path)
    assert data.fatal_files == [str(path)]
    assert [f.kind for f in data.findings] == [kind]
    assert data.findings[0].message()  # renders in Bahasa Indonesia without a missing placeholder
    assert "{" not in data.findings[0].message()


def test_utf16_unicode_text_from_excel(tmp_path: Path) -> None:
    text = "unit_id\tcode\tanswer\tnote\r\nu1\tPPA1A\tYa\tSudah – lengkap ✓ 中文\r\nu1\tPPA1B\tc\t\r\n"
    path = tmp_path / "unicode.txt"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    data = read_inputs(path)
    assert answer_of(data, "u1", "PPA1A")["note"] == "Sudah – lengkap ✓ 中文"
    assert answer_of(data, "u1", "PPA1B")["answer"] == "C"
    assert [f.line for f in kinds(data.findings, "normalised")] == [3]


def test_utf16_without_bom_and_cp1252(tmp_path: Path) -> None:
    no_bom = tmp_path / "nobom.csv"
    no_bom.write_bytes("unit_id,code,answer\nu1,PPA1A,Ya\n".encode("utf-16-le"))
    assert answer_of(read_inputs(no_bom), "u1", "PPA1A")["answer"] == "Ya"
    legacy = write(tmp_path / "legacy.csv", "unit_id;code;answer;catatan\nu1;PPA1A;Ya;Café – “rapat” 5€\n",
                   encoding="cp1252")
    data = read_inputs(legacy)
    assert answer_of(data, "u1", "PPA1A")["note"] == "Café – “rapat” 5€"
    latin = write(tmp_path / "latin.csv", "unit_id;code;answer;note\nu1;PPA1A;Ya;Pr\u00e9sidence \x81\n",
                  encoding="latin-1")
    assert answer_of(read_inputs(latin), "u1", "PPA1A")["note"] == "Pr\u00e9sidence \x81"


def test_several_units_and_tiers_in_one_file(tmp_path: Path) -> None:
    text = ("unit_id,tier,code,answer\n"
            "u1,unit,PPA1A,Ya\nu1,TPI,PPA1A,Tidak\nu2,,PPA1A,Tidak\nu3,unit,PPA1B,B\nu3,auditor,PPA1B,C\n")
    data = read_inputs(write(tmp_path / "lke.csv", text))
    assert data.unit_ids == ["u1", "u2", "u3"]
    assert answer_of(data, "u1", "PPA1A", "tpi")["answer"] == "Tidak"
    assert answer_of(data, "u2", "PPA1A")["answer"] == "Tidak"
    (tier,) = kinds(data.findings, "unknown_tier")
    assert (tier.line, tier.unit_id) == (6, "u3")


def test_line_numbers_follow_physical_lines(tmp_path: Path) -> None:
    text = ('unit_id,code,answer,note\n'                       # 1
            'u1,PPA1A,Ya,"catatan\nyang panjang, dua baris"\n'  # 2-3
            '\n'                                               # 4 (blank)
            'u1,PPA1B,A,"kutip ""ganda"""\n'                   # 5
            ',PPA2A,Ya,\n'                                     # 6: no unit
            'u1,PPA2B,Z,\n'                                    # 7: invalid option
            'u1,PPA2C,"3,6",\n'                                # 8: not an option
            'u1,PPA3A,"B",5" monitor\n')                       # 9
    data = read_inputs(write(tmp_path / "lke.csv", text))
    assert [(f.kind, f.line) for f in data.findings if f.kind != "normalised"] == [
        ("unit_missing", 6), ("invalid_option", 7), ("invalid_option", 8)]
    assert answer_of(data, "u1", "PPA1A")["note"] == "catatan\nyang panjang, dua baris"
    assert answer_of(data, "u1", "PPA1B")["note"] == 'kutip "ganda"'
    assert answer_of(data, "u1", "PPA1B")["line"] == 5
    assert answer_of(data, "u1", "PPA3A")["note"] == '5" monitor' and answer_of(data, "u1", "PPA3A")["line"] == 9


def test_record_starts_match_the_csv_module(tmp_path: Path) -> None:
    notes = ["", "satu", "dua\nbaris", 'kutip "x"', "a;b", "\n\nawal kosong", '"', "akhir\n", "x\r\ny"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["unit_id", "code", "answer", "note"])
    for i, note in enumerate(notes * 3):
        writer.writerow([f"u{i}", "PPA1A", "Ya", note.replace("\r", "")])
    text = buffer.getvalue()
    reader = csv.reader(io.StringIO(text), delimiter=";")
    expected, previous = [], 0
    for _ in reader:
        expected.append(previous + 1)
        previous = reader.line_num
    starts, width = record_starts(text, ";")
    assert starts == expected and width == 4
    extract = read_csv(write(tmp_path / "n.csv", text), None)  # type: ignore[arg-type]
    assert list(extract.raw["line"]) == expected[1:]
    assert [n or None for n in extract.raw["note"]] == [n.replace("\r", "").strip() or None for n in notes * 3]


def test_unquoted_decimal_comma_in_a_comma_file_is_reported(tmp_path: Path) -> None:
    data = read_inputs(write(tmp_path / "lke.csv", "unit_id,code,answer\nu1,HBA,3,6\nu1,PPA1A,Ya\n"))
    (stray,) = kinds(data.findings, "unnamed_column_value")
    assert (stray.line, stray.params["found"]) == (2, "6")
    assert answer_of(data, "u1", "HBA")["number"] == 3  # what the row says once split at the comma


def test_rows_without_code_are_reported(tmp_path: Path) -> None:
    data = read_inputs(write(tmp_path / "lke.csv", "unit_id,code,answer\nu1,PPA1A,Ya\nu1,,A\n,,\n"))
    (row,) = kinds(data.findings, "unmapped_row")
    assert (row.line, row.unit_id) == (3, "u1")
    assert len(data.findings) == 1


@pytest.mark.parametrize(("header", "key"), [
    ("unit_id", "unit_id"), (" Unit ID ", "unit_id"), ("KODE", "code"), ("Jawaban", "answer"),
    ("Jawaban Unit", "answer"), ("catatan", "note"), ("Keterangan", "note"), ("bukti", "evidence"),
    ("Bukti Dukung", "evidence"), ("bukti_dukung", "evidence"), ("Tautan Bukti Dukung", "evidence_link"),
    ("nama_unit", "unit_name"), ("Nama Unit", "unit_name"), ("tahun", "year"), ("Predikat", "current_predicate"),
    ("predikat saat ini", "current_predicate"), ("tingkat", "tier"), ("\ufeffunit_id", "unit_id"),
    ("Pertanyaan", None), ("", None), (None, None), (3, None),
])
def test_header_aliases(header: object, key: str | None) -> None:
    assert header_key(header) == key


def test_sniff_rejects_other_workbooks(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["Kode", "Jawaban Unit", "Catatan"])  # no unit_id: not long format
    path = tmp_path / "other.xlsx"
    wb.save(path)
    book = open_workbook(path)
    assert not sniff_workbook(book)
    extract = read_workbook(book, path, None)  # type: ignore[arg-type]
    assert extract.fatal and extract.findings[0].kind == "column_missing"


def test_bundled_sample_reads_cleanly() -> None:
    from zi_nb.lke.sample import bundled_paths

    data = read_inputs(bundled_paths())
    assert data.fatal_files == [] and len(data.unit_ids) == 12
    assert not [f.render() for f in data.findings if f.severity == "error"]
    assert data.units["year"].map(lambda y: isinstance(y, int)).all()
    assert not data.units["unit_name"].eq(data.units["unit_id"]).any()
    assert not math.isnan(answer_of(data, "rsud-mekarsari", "HBA")["number"])
