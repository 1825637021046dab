"""Findings (zi_nb.common.findings): every kind renders a located message in Bahasa Indonesia and English, and the
``zi-nb validate`` command carries them as text and JSON with the documented exit status."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from zi_nb.cli import main
from zi_nb.common.findings import MESSAGES, SEVERITY_LABEL, Finding, cell_name, has_errors

# Parameters that each kind's producers pass (see answers, validate, the readers and xlsx).
PARAMS: dict[str, dict] = {
    "file_missing": {},
    "file_unreadable": {"expected": "XLSX", "detail": "File is not a zip file"},
    "file_too_large": {"size": 60_000_000, "limit": 52_428_800},
    "unknown_format": {},
    "other_instrument": {"rubric": "zi-2021", "found": "LKE PMPRB / Evaluasi RB", "found_en": "a PMPRB workbook",
                         "detail": "6 dari 40 baris butir cocok", "detail_en": "6 of 40 item rows match",
                         "expected": "zi-2021"},
    "unit_from_file_name": {"found": "lke.xlsx"},
    "unit_sheets_ambiguous": {"found": "'LKE ZI', 'LKE ZI (2)' sama-sama unit 'u1'", "expected": "beri identitas"},
    "sheet_missing": {"expected": "LKE", "found": "Identitas Unit, _zi_nb"},
    "column_missing": {"expected": "answer", "found": "unit_id, code"},
    "unknown_code": {"found": "XYZ9", "rubric": "zi-2021"},
    "unmapped_row": {"found": "Baris tambahan"},
    "item_missing": {},
    "unknown_tier": {"found": "auditor"},
    "unit_missing": {},
    "invalid_option": {"found": "Mungkin", "expected": "Ya/Tidak"},
    "normalised": {"found": "ya", "normalised": "Ya"},
    "blank": {},
    "not_a_number": {"found": "banyak", "expected": "bilangan 0 atau lebih"},
    "negative": {"found": "-3"},
    "not_integer": {"found": "2,5"},
    "index_range": {"found": 5.0, "normalised": 4.0},
    "excel_error": {"found": "#DIV/0!", "expected": "A/B/C"},
    "answer_type_mismatch": {"found": "Ya", "expected": "Ya/Tidak"},
    "duplicate_conflict": {"tier": "unit", "found": "['A', 'B'] (baris 2, baris 3)", "normalised": "B"},
    "duplicate_same": {"tier": "unit", "found": "['A', 'A'] (baris 2, baris 3)", "normalised": "A"},
    "total_mismatch": {"found": "12", "expected": "13"},
    "above_base": {"numerator": "Jumlah selesai", "denominator": "Jumlah wajib", "found": "5", "expected": "4"},
    "zero_base": {"denominator": "Jumlah Sasaran Kinerja"},
    "input_missing": {"expected": "Jumlah pelanggaran tahun ini"},
    "cached_mismatch": {"found": "1,7333", "expected": "1,8667", "what": "nilai PRE3", "formula": "=AVERAGE(L1:L2)"},
    "formula_range": {"found": "=AVERAGE(L176:L179)*H175", "expected": "L184"},
    "formula_answer": {"found": "=SUM(K9:K10)", "cached": "tidak ada"},
    "cached_absent": {"found": 74},
    "metadata_invalid": {"field": "tahun", "found": "dua ribu", "expected": "bilangan bulat, mis. 2024"},
    "no_units": {},
    "file_empty": {},
    "file_not_text": {},
    "header_missing": {"found": "u1, PPA1A, Ya"},
    "unnamed_column_value": {"found": "6"},
    "template_rubric_mismatch": {"found": "zi-2019 (sha256:a)", "expected": "zi-2021 (sha256:b)"},
    "unknown_unit": {"found": "u9", "expected": "u1, u2"},
    "merged_answer": {"found": "K8:K9", "expected": "K8"},
    "implausible_value": {"found": "1000000", "what": "isian Jumlah", "expected": "bilangan bulat 0 sampai 100.000"},
    "limit_exceeded": {"found": "berkas ini memuat 2.000.001 baris", "limit": "2.000.000 baris data",
                       "expected": "Pecah menjadi beberapa berkas"},
    "row_fields": {"found": "u1 PPA1A Ya", "expected": ";"},
    "evidence_rejected": {"detail": "SK Tim (tidak ada); Notulen (tidak sesuai)",
                          "detail_en": "SK Tim (missing); Notulen (wrong or draft)"},
    "evidence_none": {"expected": "SK Tim Kerja; Notulen (semua)", "expected_en": "SK Tim Kerja; Notulen (all)"},
    "evidence_reused": {"found": "https://drive.example.go.id/zi", "expected": "butir PPB1A (indikator lain)",
                        "expected_en": "item PPB1A (another indicator)"},
    "evidence_unreachable": {"found": "C:\\Data\\sk.pdf", "detail": "alamat berkas lokal",
                             "detail_en": "a local path"},
}


NOT_SHOWN = {("cached_mismatch", "formula"), ("duplicate_same", "normalised")}  # data for tools, not for the message
# one language's wording of a value (the other language shows its own): checked in its language only
BY_LANGUAGE = {("other_instrument", "found"): "id", ("other_instrument", "detail"): "id",
               ("evidence_unreachable", "detail"): "id", ("evidence_unreachable", "detail_en"): "en",
               ("evidence_rejected", "detail"): "id", ("evidence_rejected", "detail_en"): "en",
               ("evidence_none", "expected"): "id", ("evidence_none", "expected_en"): "en",
               ("evidence_reused", "expected"): "id", ("evidence_reused", "expected_en"): "en",
               ("other_instrument", "found_en"): "en", ("other_instrument", "detail_en"): "en"}


def test_the_catalogue_is_covered():
    assert set(PARAMS) == set(MESSAGES)


@pytest.mark.parametrize("kind", sorted(MESSAGES))
def test_every_kind_renders_in_both_languages_without_placeholders(kind):
    finding = Finding(kind, "error", file="lke.xlsx", sheet="LKE ZI", cell="K185", code="PRE3B", unit_id="u1",
                      params=PARAMS[kind])
    ind, eng = finding.message(), finding.message("en")
    for lang, text in (("id", ind), ("en", eng)):
        assert text and not re.search(r"\{[a-z_]+\}", text), text
        assert text.endswith(".")
        for key, value in PARAMS[kind].items():
            if (kind, key) in NOT_SHOWN or BY_LANGUAGE.get((kind, key), lang) != lang:
                continue
            shown = f"{value:g}" if isinstance(value, float) else str(value)
            assert shown in text, (text, value)
    assert ind != eng
    if "{code}" in MESSAGES[kind][0]:
        assert "PRE3B" in ind and "PRE3B" in eng


def test_numbers_read_from_cells_are_shown_as_people_write_them():
    f = Finding("index_range", params={"found": 4.5, "normalised": 4.0})
    assert f.message() == "Indeks survei 4,5 di luar rentang 0..4; dipotong ke 4."
    assert f.message("en") == "Survey index 4.5 is outside 0..4; clamped to 4."
    assert Finding("invalid_option", params={"found": 3.0, "expected": "A/B/C"}).message().startswith("Jawaban '3' ")
    assert f.params == {"found": 4.5, "normalised": 4.0}  # the data keeps its values


def test_a_missing_parameter_never_hides_the_finding():
    text = Finding("above_base", params={"found": "5"}).message()
    assert "melebihi" in text and "'found': '5'" in text


@pytest.mark.parametrize(("finding", "location"), [
    (Finding("blank", file="a.csv", line=12), "a.csv, baris 12"),
    (Finding("blank", file="b.xlsx", sheet="LKE ZI", cell="K185"), "b.xlsx, lembar 'LKE ZI', sel K185"),
    (Finding("sheet_missing", file="c.xlsx"), "c.xlsx"),
    (Finding("no_units"), "-"),
])
def test_location(finding, location):
    assert finding.location() == location


def test_render_names_severity_place_unit_code_and_message():
    f = Finding("total_mismatch", "error", file="lke.xlsx", sheet="LKE ZI", cell="K185", code="PRE3B.wajib_total",
                unit_id="tangsel", params={"found": "12", "expected": "13"})
    assert f.render() == ("GALAT: lke.xlsx, lembar 'LKE ZI', sel K185 [tangsel] PRE3B.wajib_total: "
                          "Jumlah yang dinyatakan 12 berbeda dengan jumlah rinciannya 13.")
    assert f.render("en") == ("ERROR: lke.xlsx, lembar 'LKE ZI', sel K185 [tangsel] PRE3B.wajib_total: "
                              "The stated total 12 differs from the sum of its parts 13.")
    w = Finding("normalised", "warning", file="a.csv", line=3, code="PPA1A", params={"found": "ya", "normalised": "Ya"})
    assert w.render() == "PERINGATAN: a.csv, baris 3 PPA1A: Jawaban 'ya' dibaca sebagai 'Ya'."
    assert w.render("en").startswith("WARNING: a.csv, baris 3 PPA1A: Answer 'ya'")
    info = Finding("no_units", "info", file="x.csv")
    assert info.render() == "INFO: x.csv: Tidak ada unit yang terbaca dari berkas ini."
    assert set(SEVERITY_LABEL["id"]) == set(SEVERITY_LABEL["en"]) == {"error", "warning", "info"}


def test_to_dict_is_json_ready():
    import datetime as dt

    f = Finding("invalid_option", file="x.xlsx", sheet="S", cell="C5", code="PPA2B", unit_id="u1",
                params={"found": dt.date(2024, 1, 5), "expected": "A/B/C"})
    d = f.to_dict()
    assert set(d) == {"kind", "severity", "file", "sheet", "cell", "line", "code", "unit_id", "params", "message",
                      "location", "tier"}
    assert d["tier"] is None and Finding("blank", "warning", tier="tpi").to_dict()["tier"] == "tpi"
    assert d["params"] == {"found": "2024-01-05", "expected": "A/B/C"}
    assert d["message"] == "Jawaban '2024-01-05' tidak sah untuk tipe A/B/C; butir ini tidak dinilai."
    assert f.to_dict("en")["message"].startswith("Answer '2024-01-05' is not valid")
    assert json.loads(json.dumps(d)) == d


def test_helpers():
    assert cell_name(185, 11) == "K185" and cell_name(1, 28) == "AB1"
    assert has_errors([Finding("blank", "warning"), Finding("unknown_code")])
    assert not has_errors([Finding("blank", "warning"), Finding("normalised", "info")])
    assert not has_errors([])


# -- zi-nb validate ----------------------------------------------------------------------------------------------------
def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out = capsys.readouterr()
    return exc.value.code or 0, out.out, out.err


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_json_carries_every_location_field(capsys, tmp_path, rubric):
    bad = write(tmp_path / "lke.csv", "unit_id;code;answer\nu1;PPA1A;Mungkin\nu1;XYZ9;A\nu1;PPA1B;a\nu1;HBA;5\n")
    code, out, err = run(capsys, "validate", str(bad), "--format", "json")
    assert code == 1 and err == ""
    doc = json.loads(out)
    assert doc["rubric"] == {"id": "zi-2021", "hash": rubric.content_hash}
    assert doc["units"] == ["u1"] and list(doc["files"]) == [str(bad)]
    top = [(f["kind"], f["severity"], f["file"], f["sheet"], f["cell"], f["line"], f["code"], f["unit_id"])
           for f in doc["findings"] if f["kind"] != "blank" and not f["kind"].startswith("evidence_")]
    assert top == [
        ("invalid_option", "error", str(bad), None, None, 2, "PPA1A", "u1"),
        ("unknown_code", "error", str(bad), None, None, 3, None, "u1"),
        ("normalised", "warning", str(bad), None, None, 4, "PPA1B", "u1"),
        ("index_range", "error", str(bad), None, None, 5, "HBA", "u1"),
    ]
    messages = {f["kind"]: f["message"] for f in doc["findings"]}
    assert messages["unknown_code"] == "Kode 'XYZ9' tidak ada dalam rubrik zi-2021."
    assert messages["index_range"] == "Indeks survei 5 di luar rentang 0..4; dipotong ke 4."
    blanks = [f for f in doc["findings"] if f["kind"] == "blank"]
    assert len(blanks) == 110 and all(f["severity"] == "warning" and f["file"] == str(bad) for f in blanks)
    # answered above the lowest value without a bukti dukung column at all: PPA1B (a = A) and HBA (5, clamped to 4)
    evidence = {(f["kind"], f["code"], f["severity"]) for f in doc["findings"] if f["kind"].startswith("evidence_")}
    assert evidence == {("evidence_none", "PPA1B", "warning"), ("evidence_none", "HBA", "warning")}
    assert doc["summary"] == {"errors": 3, "warnings": 111 + 2}
    for f in doc["findings"]:
        assert {"file", "sheet", "cell", "line", "code", "severity", "message", "kind", "unit_id"} <= set(f)


def test_validate_json_in_english_and_exit_zero_when_only_warnings(capsys, tmp_path, rubric):
    rows = ["unit_id,code,answer"] + [f"u1,{i.code},{'ya' if i.answer_type == 'Ya/Tidak' else 'A'}"
                                      for i in rubric.items if i.answer_type in ("Ya/Tidak", "A/B/C")]
    ok = write(tmp_path / "ok.csv", "\n".join(rows) + "\n")
    code, out, _ = run(capsys, "validate", str(ok), "--format", "json", "--lang", "en")
    doc = json.loads(out)
    assert code == 0 and doc["summary"]["errors"] == 0 and doc["summary"]["warnings"] > 0
    normalised = [f for f in doc["findings"] if f["kind"] == "normalised"]
    assert len(normalised) == 17 and normalised[0]["message"] == "Answer 'ya' was read as 'Ya'."
    assert {f["kind"] for f in doc["findings"]} == {"normalised", "blank", "evidence_none"}
    (none,) = [f for f in doc["findings"] if f["kind"] == "evidence_none" and f["code"] == "PPA1A"]
    assert none["message"].startswith("Item PPA1A is answered above its lowest value without any evidence")


def test_validate_clean_input_exits_zero(capsys, tmp_path, rubric):
    from tests.helpers import best_raw

    rows = ["unit_id;code;answer;evidence"] + [f"{r['unit_id']};{r['code']};{r['raw']};https://zi.example.go.id/{r['code']}"
                                               for r in best_raw(rubric)]
    clean = write(tmp_path / "bersih.csv", "\n".join(rows) + "\n")
    code, out, _ = run(capsys, "validate", str(clean))
    assert code == 0
    assert out.strip() == "1 berkas, 1 unit: 0 galat, 0 peringatan."
    code, out, _ = run(capsys, "validate", str(clean), "--format", "json")
    assert code == 0 and json.loads(out)["findings"] == []


def test_validate_text_output_in_both_languages(capsys, tmp_path):
    bad = write(tmp_path / "lke.csv", "unit_id;code;answer\nu1;PRD1A.jumlah_sasaran;-3\n")
    code, out, _ = run(capsys, "validate", str(bad))
    assert code == 1
    assert f"GALAT: {bad}, baris 2 [u1] PRD1A.jumlah_sasaran: Jumlah '-3' negatif" in out
    assert out.splitlines()[-1] == "1 berkas, 1 unit: 1 galat, 112 peringatan."  # PRD1A is not also blank
    code, out, _ = run(capsys, "validate", str(bad), "--lang", "en")
    assert code == 1
    assert f"ERROR: {bad}, baris 2 [u1] PRD1A.jumlah_sasaran: Count '-3' is negative; expected 0 or more." in out


def test_validate_unreadable_and_good_files_together(capsys, tmp_path):
    good = write(tmp_path / "baik.csv", "unit_id;code;answer\nu1;PPA1A;Ya\n")
    broken = tmp_path / "rusak.xlsx"
    broken.write_bytes(b"PK\x03\x04 terpotong")
    code, out, err = run(capsys, "validate", str(good), str(broken), "--format", "json")
    assert code == 2 and "Traceback" not in err  # a file that cannot be read at all: status 2
    doc = json.loads(out)
    assert doc["units"] == ["u1"]
    (fatal,) = [f for f in doc["findings"] if f["file"] == str(broken)]
    assert (fatal["kind"], fatal["severity"], fatal["location"]) == ("file_unreadable", "error", str(broken))
    assert fatal["message"].startswith("Berkas tidak dapat dibaca sebagai XLSX")


def test_validate_real_workbook_json(capsys, real_lke):
    code, out, _ = run(capsys, "validate", str(real_lke), "--format", "json")
    assert code == 1
    doc = json.loads(out)
    got = [(f["kind"], f["severity"], f["sheet"], f["cell"], f["code"]) for f in doc["findings"]
           if not f["kind"].startswith("evidence_")]
    # 27 items answered above their lowest value have nothing in their bukti dukung columns
    evidence = [f for f in doc["findings"] if f["kind"].startswith("evidence_")]
    assert {(f["kind"], f["severity"], f["sheet"]) for f in evidence} == {("evidence_none", "warning", "LKE ZI")}
    assert len(evidence) == 27
    assert got == [
        ("cached_mismatch", "error", "Ctt Eval", "I68", None),  # the hidden summaries' grand totals, by their label
        ("unit_from_file_name", "warning", "LKE ZI", None, None),
        ("answer_type_mismatch", "warning", "LKE ZI", "J8", "PPA1A"),
        ("cached_mismatch", "error", "LKE ZI", "L125", "REFORM"),
        ("cached_mismatch", "error", "LKE ZI", "L167", "REFORM:E"),
        ("cached_mismatch", "error", "LKE ZI", "L175", "PRE3"),
        ("formula_range", "warning", "LKE ZI", "L175", "PRE3"),
        ("total_mismatch", "error", "LKE ZI", "K185", "PRE3B.wajib_total"),
        ("cached_mismatch", "error", "LKE ZI", "L198", "PENGUNGKIT"),
        ("cached_mismatch", "error", "LKE ZI", "L208", None),
        ("cached_mismatch", "error", "Utama", "I28", None),
    ]
    assert doc["summary"] == {"errors": 8, "warnings": 3 + 27}
    assert all(f["line"] is None and f["file"] == str(real_lke) for f in doc["findings"])
