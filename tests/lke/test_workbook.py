"""Circulated LKE workbooks: the real Tangerang Selatan workbook and the export layout (write, read back)."""

from __future__ import annotations

import math
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.helpers import ROOT
from zi_nb.engine.answers import RAW_COLUMNS, build_answers
from zi_nb.engine.rubric import load_rubric
from zi_nb.lke.export import write_circulated
from zi_nb.lke.inputs import read_inputs
from zi_nb.lke.workbook import find_columns, formula_refs, map_sheet, read_workbook, sniff_workbook
from zi_nb.lke.xlsx import open_workbook, safe_text

REAL = ROOT.parent / "shared/real-lke/tangsel-opd-lke-zi-2021.xlsx"
RUBRIC = load_rubric("zi-2021")
ANSWER_KEY = ["unit_id", "tier", "reviewer", "code", "answer", "number", "note", "evidence"]


# -- the real workbook ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real():
    assert REAL.is_file(), f"real workbook missing: {REAL}"
    book = open_workbook(REAL)
    assert sniff_workbook(book)
    return read_workbook(book, REAL, RUBRIC)


def _raw(extract, code: str) -> dict:
    rows = extract.raw[extract.raw["code"] == code]
    assert len(rows) == 1, f"{code}: {len(rows)} rows"
    return rows.iloc[0].to_dict()


def _cached(extract, measure: str) -> dict:
    rows = extract.cached[extract.cached["measure"] == measure]
    assert len(rows) == 1, f"{measure}: {len(rows)} cached rows"
    return rows.iloc[0].to_dict()


def test_real_every_code_is_mapped(real):
    kinds = {f.kind for f in real.findings}
    assert "item_missing" not in kinds and "unmapped_row" not in kinds, [f.render() for f in real.findings]
    pct_formula = set(real.cached["measure"]) & {i.code for i in RUBRIC.items if i.answer_type == "%"}
    assert len(pct_formula) == 8  # the % items computed by the workbook's own formulas
    own_total = {"PRE3A.wajib_total"}  # K178 '=IF(...,K179+K180+K181)': the workbook's own sum, never an answer
    assert not own_total & set(real.raw["code"])
    mapped = set(real.raw["code"]) | pct_formula | own_total
    assert mapped == RUBRIC.all_codes and len(mapped) == 113 + 24
    assert not real.raw.duplicated(["tier", "code"]).any()
    assert set(real.raw["tier"]) == {"unit"} and set(real.raw["sheet"]) == {"LKE ZI"}


@pytest.mark.parametrize("code, cell, value", [
    ("PPA1A", "K8", "Ya"), ("PPA1B", "K9", "A"), ("PPE3B", "K86", "Ya"),
    ("PPF5A", "K122", "A"), ("PPF5B", "K123", "Ya"), ("PPF5C", "K124", "A"),  # rows read a., c., b.
    ("PRB2A", "K142", "A"), ("PRB2B", "K143", "A"), ("PRE1A", "K169", "A"),
    ("PRA1A.jumlah_agen_perubahan", "K129", 7), ("PRA1B.jumlah_perubahan_diintegrasikan", "K133", 1),
    ("PRE3A.wajib_kepala_satker", "K179", 1),  # K178 (the total) holds the workbook's own formula: not an answer
    ("PRE3B.wajib_total", "K185", 12), ("PRE3B.wajib_eselon_iii", "K186", 0), ("PRE3B.wajib_eselon_iv", "K187", 1),
    ("PRE3B.wajib_fungsional_pelaksana", "K188", 12), ("PRE3B.sudah_melaporkan", "K189", 12),
    ("HBA", "K202", 4), ("HBB", "K203", "A"), ("HPA", "K205", 4),
])
def test_real_answer_cells(real, code, cell, value):
    rec = _raw(real, code)
    assert rec["cell"] == cell
    assert rec["raw"] == value


def test_real_stated_total_differs_from_parts(real):
    answers, _ = build_answers(real.raw, RUBRIC)
    num = answers.set_index("code")["number"]
    parts = num["PRE3B.wajib_eselon_iii"] + num["PRE3B.wajib_eselon_iv"] + num["PRE3B.wajib_fungsional_pelaksana"]
    assert (num["PRE3B.wajib_total"], parts) == (12, 13)


def test_real_notes_and_hyperlinks_in_evidence(real):
    rec = _raw(real, "PPA1A")
    assert rec["note"].startswith("Terdapat Pembentukan")
    assert rec["evidence"].startswith("SK Kepala OPD Ttg Tim Kerja Pembangunan")
    link = "https://drive.google.com/file/d/1Zu-e_vh46AKarvxKlJ3RqrRToPQ-O5wn/view?usp=sharing"
    assert rec["evidence"].endswith(link)
    # P73: URL text with a trailing blank whose hyperlink target ends with "/": the target is kept
    assert "https://e-sakip.tangerangselatankota.go.id/" in _raw(real, "PPD2G")["evidence"].splitlines()
    links = real.raw["evidence"].fillna("").str.count("https://drive.google.com").sum()
    assert links >= 80
    assert _raw(real, "PRA1A.jumlah_agen_perubahan")["note"].startswith("1. Syafira")


def test_real_cached_values(real):
    summaries = real.cached[(real.cached["measure"] == "total") & (real.cached["sheet"] != "LKE ZI")]
    assert [(r["sheet"], r["cell"], r["formula"], round(r["value"], 6), r["tier"]) for r in summaries.to_dict(
        "records")] == [("Utama", "I28", "='Ctt Eval'!I68", 95.57619, "unit"),  # found by its label, not I28
                        ("Ctt Eval", "I68", "='LKE ZI'!L208", 95.57619, "unit")]
    total = _cached(real.__class__(cached=real.cached[real.cached["sheet"] == "LKE ZI"]), "total")
    assert total["cell"] == "L208" and total["value"] == pytest.approx(95.57619047619048)
    assert total["formula"] == "=SUM(L198,L206)" and total["tier"] == "unit"
    pre3 = _cached(real, "PRE3")
    assert (pre3["cell"], pre3["formula"]) == ("L175", "=AVERAGE(L176:L179)*H175")
    assert pre3["value"] == pytest.approx(1.7333333333)
    assert _cached(real, "PENGUNGKIT")["cell"] == "L198"
    assert _cached(real, "HASIL")["cell"] == "L206"
    assert _cached(real, "REFORM:E")["value"] == pytest.approx(4.733333333)
    assert _cached(real, "PEMENUHAN:A")["cell"] == "L6"
    assert _cached(real, "HBA")["cell"] == "L202" and _cached(real, "HBA")["value"] == 17.5
    pra1b = _cached(real, "PRA1B")
    assert pra1b["cell"] == "K131" and pra1b["value"] == pytest.approx(1 / 7) and "K133/K132" in pra1b["formula"]
    expected = ({i.code for i in RUBRIC.indicators} | {f"{c}:{a.code}" for a in RUBRIC.areas for c in a.weights}
                | {c.code for c in RUBRIC.components} | {"total"}
                | {i.code for i in RUBRIC.items if i.answer_type == "%"})
    assert set(real.cached["measure"]) == expected
    assert not real.cached.loc[real.cached["sheet"] == "LKE ZI", "measure"].duplicated().any()


def test_real_formula_range_and_type_findings(real):
    ranges = [f for f in real.findings if f.kind == "formula_range"]
    assert [(f.cell, f.code) for f in ranges] == [("L175", "PRE3")]  # misses the LHKASN item (row 184)
    assert ranges[0].params == {"found": "=AVERAGE(L176:L179)*H175", "expected": "L184"}  # only the missing cell
    assert ranges[0].severity == "warning" and ranges[0].sheet == "LKE ZI"
    types = [(f.cell, f.code, f.params["found"]) for f in real.findings if f.kind == "answer_type_mismatch"]
    assert types == [("J8", "PPA1A", "Ya")]
    # '%' in the answer-type column of the indicator rows J170/J175 is the workbook's notation: no finding there
    assert not [f for f in real.findings if f.cell in ("J170", "J175")]


def test_real_unit_metadata_from_file_stem(real):
    unit = real.units.iloc[0].to_dict()
    assert unit["unit_id"] == "tangsel-opd-lke-zi-2021" and unit["unit_name"] == "tangsel-opd-lke-zi-2021"
    assert unit["year"] is None and unit["instansi"] is None
    assert set(real.raw["unit_id"]) == {"tangsel-opd-lke-zi-2021"}


def test_real_through_read_inputs():
    data = read_inputs(REAL)
    assert not data.fatal_files
    final = data.answers.set_index("code")
    assert final.at["PPA1A", "answer"] == "Ya" and final.at["HBA", "number"] == 4
    assert len(data.cached) == 72 + 2  # and the grand totals of the hidden Utama and Ctt Eval sheets


def test_real_layout_survives_inserted_and_moved_rows():
    rows = [list(r) for r in open_workbook(REAL).values("LKE ZI")]
    cols = find_columns(rows)
    assert (cols.header, cols.type, cols.answers, cols.notes, cols.evidence) == (1, 9, [("unit", None, 10)],
                                                                             {"unit": 14}, [15, 16])
    before = {code: id(rows[r]) for r, code in map_sheet(rows, cols, RUBRIC).codes.items()}
    # an instansi's edits: an extra question and an empty row inside PPA2, the items of PPB1 in another order
    i = next(r for r, row in enumerate(rows) if str(row[6]).startswith("Dalam dokumen pembangunan"))
    extra = [""] * len(rows[i])
    extra[5], extra[6], extra[9], extra[10] = "d.", "Unit kerja memiliki maskot Zona Integritas", "A/B/C", "A"
    rows[i:i] = [extra, [""] * len(rows[i])]
    j = next(r for r, row in enumerate(rows) if str(row[6]).startswith("SOP mengacu pada peta"))
    rows[j], rows[j + 2] = rows[j + 2], rows[j]
    mapped = map_sheet(rows, cols, RUBRIC)
    assert {code: id(rows[r]) for r, code in mapped.codes.items()} == before
    assert [(f[0], f[1]) for f in mapped.findings if f[0] != "answer_type_mismatch"] == [("unmapped_row", f"G{i + 1}")]


def test_real_formula_range_through_sub_headers():
    rows = open_workbook(REAL).values("LKE ZI")
    ws = openpyxl.load_workbook(REAL)["LKE ZI"]
    ws["L175"] = "=AVERAGE(L176,L183)*H175"  # the two sub-indicator rows (LHKPN, LHKASN) cover both items
    ws["L167"] = "=SUM(L168,L175)"  # REFORM:E without PRE2 (L170)
    mapped = map_sheet(rows, find_columns(rows), RUBRIC, ws)
    assert [(f[1], f[2], f[3]["expected"]) for f in mapped.findings if f[0] == "formula_range"] == [
        ("L167", "REFORM:E", "L170")]  # only the missing cell: L168 and L175 are covered


def test_formula_refs():
    assert formula_refs("=AVERAGE(L176:L179)*H175", 11) == [175, 176, 177, 178]
    assert formula_refs("=SUM(L6,$L$23)", 11) == [5, 22]
    assert formula_refs("=L198", 11) is None


# -- the export layout ------------------------------------------------------------------------------------------------
UNIT = {"unit_id": "kanim-blitar", "unit_name": "Kantor Imigrasi Kelas II Non TPI Blitar",
        "instansi": "Kementerian Hukum dan HAM", "year": 2024}
NASTY = ["=cmd|' /C calc'!A0", "+SUM(A1:A9)", "@import", "-5 poin: perlu bukti", "Catatan ✓ ünïcødé 漢字"]


def _answers() -> pd.DataFrame:
    recs = []
    for n, code in enumerate(sorted(RUBRIC.all_codes)):
        at = RUBRIC.answer_type_of(code)
        kind = "count" if at == "Jumlah" else RUBRIC.answer_types[at].kind
        if kind == "ratio":
            raw = None
        elif kind == "option":
            raw = list(RUBRIC.answer_types[at].options)[n % len(RUBRIC.answer_types[at].options)]
        else:
            raw = {"count": n % 9, "index": "3,45" if code == "HPA" else 3.6}[kind]
        note = NASTY[n % len(NASTY)] if n % 3 == 0 else None
        evidence = f"SK Tim {code}\nhttps://drive.example.org/{code}?x=1" if n % 4 == 0 else None
        if raw is None and note is None and evidence is None:
            note = "dihitung dari isian Jumlah"
        recs.append(("unit", None, code, raw, note, evidence))
        if kind == "option":
            first = next(iter(RUBRIC.answer_types[at].options))
            recs.append(("tpi", "Inspektorat", code, first, "=1+1" if n % 5 else None, None))
            if n % 2:
                recs.append(("tpi2", "Itjen Kemenkumham", code, list(RUBRIC.answer_types[at].options)[-1],
                             "Sesuai ✓", None))
            if n % 10 == 0:
                recs.append(("tpn", "TPN", code, next(iter(RUBRIC.answer_types[at].options)), None, None))
    raw = pd.DataFrame([dict(zip(["tier", "reviewer", "code", "raw", "note", "evidence"], r), unit_id="kanim-blitar")
                        for r in recs]).reindex(columns=RAW_COLUMNS)
    answers, findings = build_answers(raw, RUBRIC)
    assert not findings
    return answers


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    left = a[ANSWER_KEY].sort_values(["tier", "code"]).reset_index(drop=True)
    right = b[ANSWER_KEY].sort_values(["tier", "code"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "kanim-blitar.xlsx"
    answers = _answers()
    write_circulated(path, RUBRIC, UNIT, answers)
    return path, answers


def test_export_round_trip(exported):
    path, answers = exported
    data = read_inputs(path)
    assert not data.fatal_files and not data.findings, [f.render() for f in data.findings]
    _same(answers, data.answers)
    unit = data.units.iloc[0]
    assert (unit["unit_id"], unit["unit_name"], unit["instansi"], unit["year"]) == (
        "kanim-blitar", UNIT["unit_name"], UNIT["instansi"], 2024)
    assert set(data.answers["reviewer"].dropna()) == {"Inspektorat", "Itjen Kemenkumham", "TPN"}
    assert set(data.answers["tier"]) == {"unit", "tpi", "tpi2", "tpn"}
    assert data.answers.set_index(["tier", "code"]).at[("unit", "HPA"), "number"] == pytest.approx(3.45)
    assert data.cached.empty


def test_export_header_text_cells_and_links(exported):
    path, _ = exported
    ws = openpyxl.load_workbook(path)["LKE ZI"]
    header = [c.value for c in ws[8] if c.value]
    assert header[:9] == ["ID", "Penilaian", "Bobot", "Kriteria Nilai", "Pilihan Jawaban", "Jawaban Unit",
                          "Catatan/Keterangan/Penjelasan (Unit)", "Daftar Bukti Dukung (Unit)", "Tautan Bukti Dukung"]
    assert header[9:] == ["Jawaban TPI Inspektorat", "Nilai", "%", "Catatan (TPI Inspektorat)",
                          "Jawaban TPI Itjen Kemenkumham", "Catatan (TPI Itjen Kemenkumham)", "Jawaban TPN",
                          "Catatan (TPN)"]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # nothing Excel would execute
    risky = [c for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+", "@", "-"))]
    assert {c.value for c in risky} >= set(NASTY[:4]) | {"=1+1"}
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)
    links = {c.hyperlink.target for c in cells if c.hyperlink is not None}
    assert "https://drive.example.org/HBA?x=1" in links and all(u.startswith("https://") for u in links)


def test_safe_text_without_cell_keeps_csv_guard():
    assert safe_text("=1+1") == "'=1+1" and safe_text("abc") == "abc" and safe_text(3) == 3


def _rebuild(src: Path, dst: Path, edit, sheet: str = "LKE ZI") -> None:
    """Copy a workbook's values (and URL hyperlinks of column I) after ``edit(rows)`` changed the rows."""
    rows = [list(r) for r in open_workbook(src).values("LKE ZI")]
    rows = edit(rows)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row, start=1):
            if v != "" and v is not None:
                safe_text(v, ws.cell(r, c)) if isinstance(v, str) else ws.cell(r, c, v)
        if len(row) > 8 and str(row[8]).startswith("https://"):
            ws.cell(r, 9).hyperlink = str(row[8]).splitlines()[0]
    wb.save(dst)


def test_export_inserted_reordered_and_unmappable_rows(exported, tmp_path):
    path, answers = exported
    header = find_columns(open_workbook(path).values("LKE ZI")).header
    width = len(open_workbook(path).values("LKE ZI")[header])
    extra: dict[str, int] = {}

    def edit(rows):
        text = [str(r[1]) for r in rows]
        b = text.index(next(t for t in text if t.startswith("b. Dalam dokumen pembangunan")))  # PPA2B
        rows[b], rows[b + 1] = rows[b + 1], rows[b]  # PPA2C now above PPA2B
        for r in rows[header + 1:]:
            if isinstance(r[0], float):
                r[0] += 3  # the template row ids drift
        bogus = [""] * width
        bogus[1], bogus[4], bogus[5] = "d. Unit kerja menyediakan lahan parkir sepeda", "A/B/C", "A"
        note = [""] * width
        note[1] = "Keterangan tambahan instansi: kolom bukti diperbarui"
        rows = [*rows[:b + 2], bogus, *rows[b + 2:]]
        extra["bogus"] = b + 2 + 4 + 1  # four title rows and a note row are inserted above
        titles = [[""] * width for _ in range(4)]
        titles[0][0] = "SALINAN UNTUK TPI"
        return titles + rows[:header] + [note] + rows[header:]

    copy = tmp_path / "salinan.xlsx"
    _rebuild(path, copy, edit)
    data = read_inputs(copy)
    unmapped = [f for f in data.findings if f.kind == "unmapped_row"]
    assert [f.cell for f in unmapped] == [f"B{extra['bogus'] + 1}"]
    assert "parkir sepeda" in unmapped[0].params["found"] and unmapped[0].severity == "warning"
    assert {f.kind for f in data.findings} == {"unmapped_row"}
    _same(answers, data.answers)
    assert data.units.iloc[0]["unit_id"] == "kanim-blitar"
    cells = data.answers.set_index(["tier", "code"])["cell"]
    assert int(cells[("unit", "PPA2C")][1:]) < int(cells[("unit", "PPA2B")][1:])


def test_export_sniffed_by_content_not_names(exported, tmp_path):
    path, answers = exported
    copy = tmp_path / "data.xlsx"
    _rebuild(path, copy, lambda rows: rows, sheet="Sheet1 (2)")
    assert sniff_workbook(open_workbook(copy))
    data = read_inputs(copy)
    assert set(data.answers["sheet"]) == {"Sheet1 (2)"}
    _same(answers, data.answers)
    other = tmp_path / "lain.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Penilaian", "Bobot", "Nilai"])
    wb.active.append(["Sesuatu", 1, 2])
    wb.save(other)
    assert not sniff_workbook(open_workbook(other))


def test_export_missing_item_reported(exported, tmp_path):
    path, _ = exported

    def edit(rows):
        return [r for r in rows if not str(r[1]).startswith("c. Terdapat mekanisme atau media")]  # PPA2C

    copy = tmp_path / "kurang.xlsx"
    _rebuild(path, copy, edit)
    data = read_inputs(copy)
    assert [(f.kind, f.code) for f in data.findings] == [("item_missing", "PPA2C")]


def test_export_write_is_atomic_and_fast(tmp_path):
    answers = _answers()
    target = tmp_path / "out" / "unit.xlsx"
    target.parent.mkdir()
    target.write_bytes(b"old")
    write_circulated(target, RUBRIC, UNIT, answers)  # warm-up (imports) and overwrite
    start = time.perf_counter()
    for n in range(5):
        write_circulated(tmp_path / "out" / f"u{n}.xlsx", RUBRIC, UNIT, answers, tiers=["tpi"])
    write_avg = (time.perf_counter() - start) / 5
    start = time.perf_counter()
    for n in range(5):
        book = open_workbook(tmp_path / "out" / f"u{n}.xlsx")
        extract = read_workbook(book, tmp_path / "out" / f"u{n}.xlsx", RUBRIC)
    read_avg = (time.perf_counter() - start) / 5
    assert sorted(p.name for p in target.parent.iterdir()) == ["u0.xlsx", "u1.xlsx", "u2.xlsx", "u3.xlsx",
                                                               "u4.xlsx", "unit.xlsx"]
    assert target.read_bytes()[:2] == b"PK"
    assert set(extract.raw["tier"]) == {"unit", "tpi"}  # tiers=["tpi"] leaves tpi2 out
    assert write_avg < 0.25 and read_avg < 0.15, (write_avg, read_avg)


def test_export_blank_answer_with_note_and_nan_values(tmp_path):
    answers = _answers()
    answers = answers[answers["tier"] == "unit"].copy()
    idx = answers.index[answers["code"] == "PPA1A"][0]
    answers.loc[idx, ["raw", "answer"]] = None
    answers.loc[idx, "note"] = "belum ada SK"
    path = tmp_path / "kosong.xlsx"
    write_circulated(path, RUBRIC, {"unit_id": "u-1", "unit_name": "Unit Satu", "instansi": None, "year": None},
                     answers)
    data = read_inputs(path)
    rec = data.answers.set_index("code").loc["PPA1A"]
    assert rec["raw"] is None or (isinstance(rec["raw"], float) and math.isnan(rec["raw"]))
    assert rec["note"] == "belum ada SK" and pd.isna(rec["answer"])
    assert data.units.iloc[0]["year"] is None or pd.isna(data.units.iloc[0]["year"])
