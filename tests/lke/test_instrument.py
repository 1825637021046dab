"""Instrument recognition (another evaluation's workbook refused), unit identity, two-row headers and the format
decided from the bytes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import REAL_LKE
from tests.lke.instruments import write_pmprb
from tests.lke.reshape import real_rows, two_row_header, write_rows
from zi_nb.engine.rubric import available_rubrics, load_rubric
from zi_nb.engine.scoring import score_answers
from zi_nb.lke import instrument
from zi_nb.lke.columns import find_columns
from zi_nb.lke.export import write_circulated
from zi_nb.lke.inputs import read_inputs
from zi_nb.lke.mapping import map_sheet
from zi_nb.lke.template import write_template
from zi_nb.lke.xlsx import Book, open_workbook

RUBRIC = load_rubric("zi-2021")
REAL_TOTAL = 95.709524
ROWS = real_rows()


def _total(path: Path) -> float:
    data = read_inputs([path])
    assert not data.fatal_files, [f.render() for f in data.findings if f.severity == "error"]
    return float(score_answers(data.answers, data.rubric).total.iloc[0])


def _fit(path: Path, sheet: str) -> tuple[float, float]:
    book = open_workbook(path)
    assert isinstance(book, Book), book
    rows = book.values(sheet)
    cols = find_columns(rows)
    assert cols is not None
    mapped = map_sheet(rows, cols, RUBRIC, None)
    components = {c.code for c in RUBRIC.components}
    return mapped.fitting / mapped.leaves, len(components & mapped.structure) / len(components)


# -- other instruments refused --------------------------------------------------------------------------------------
@pytest.mark.parametrize("labels, looks_like", [(True, "LKE PMPRB / Evaluasi RB"), (False, "tidak dikenali")])
def test_other_instrument_is_refused_with_one_error(tmp_path, labels, looks_like):
    path = write_pmprb(tmp_path / "pmprb.xlsx", labels=labels)
    data = read_inputs([path])
    errors = [f for f in data.findings if f.severity == "error"]
    assert [f.kind for f in errors] == ["other_instrument"] and data.fatal_files == [str(path)]
    (f,) = errors
    assert f.file == str(path) and f.sheet == "LKE"
    text = f.message()
    assert looks_like in text and all(r in text for r in available_rubrics()) and "tidak dinilai" in text
    assert "looks like" in f.message("en")
    # never scored: no unit at all (neither "Bobot" nor the four unit sheets), no answers
    assert data.answers.empty and data.units.empty and not data.unit_ids
    assert not any(f.kind == "unit_from_file_name" for f in data.findings)


def test_other_instrument_fit_is_below_the_thresholds(tmp_path):
    fit, share = _fit(write_pmprb(tmp_path / "pmprb.xlsx", labels=False), "LKE")
    assert fit < instrument.MIN_ITEM_FIT and share < instrument.MIN_COMPONENT_SHARE


def test_old_zi_without_pemenuhan_reform_is_named(tmp_path):
    # the areas of the rubric without its Pemenuhan / Reform split (the older LKE ZI), items of another wording
    rows = [list(r) for r in ROWS]
    for r in rows:
        for c, v in enumerate(r):
            if isinstance(v, str) and v.strip().upper() in ("PEMENUHAN", "REFORM", "PENGUNGKIT", "HASIL"):
                r[c] = "KOMPONEN"
    for r in rows[5:]:
        if len(r) > 9 and str(r[9]).strip() in ("Ya/Tidak", "A/B/C"):
            r[9] = "A/B/C/D/E"  # answer types of another instrument
    data = read_inputs([write_rows(tmp_path / "lama.xlsx", {"LKE ZI": rows})])
    (f,) = [f for f in data.findings if f.severity == "error"]
    assert f.kind == "other_instrument" and "LKE ZI lama" in f.message(), f.render()


# -- LKE of the rubric accepted -------------------------------------------------------------------------------------
def test_real_export_and_template_are_accepted_above_the_thresholds(tmp_path):
    data = read_inputs([REAL_LKE])
    assert not data.fatal_files and not any(f.kind == "other_instrument" for f in data.findings)
    fit, share = _fit(REAL_LKE, "LKE ZI")
    assert fit >= instrument.MIN_ITEM_FIT and share >= instrument.MIN_COMPONENT_SHARE
    unit = data.units.iloc[0].to_dict()
    write_circulated(tmp_path / "export.xlsx", RUBRIC, unit, data.answers)
    assert abs(_total(tmp_path / "export.xlsx") - REAL_TOTAL) < 1e-6
    fit, share = _fit(tmp_path / "export.xlsx", "LKE ZI")
    assert fit >= instrument.MIN_ITEM_FIT and share >= instrument.MIN_COMPONENT_SHARE
    write_template(tmp_path / "t.xlsx", RUBRIC, "u-t", "Unit T")
    assert not read_inputs([tmp_path / "t.xlsx"]).fatal_files


_EXTRA = st.one_of(st.just([]), st.just(["", "Catatan instansi: baris tambahan"]),
                   st.just(["", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "keterangan"]))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(inserts=st.lists(st.tuples(st.integers(3, len(ROWS)), _EXTRA), max_size=6),
       deletes=st.lists(st.integers(0, len(ROWS) - 1), max_size=4),
       moves=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), max_size=4),
       seed=st.randoms(use_true_random=False))
def test_non_item_rows_never_change_the_real_score(tmp_path, inserts, deletes, moves, seed):
    rows = [list(r) for r in ROWS]
    header = next(i for i, r in enumerate(rows) if "Pilihan Jawaban" in [str(v).strip() for v in r])
    for source, target in moves:  # reorder: an empty row taken from its place and put elsewhere below the header
        empties = [i for i, r in enumerate(rows) if i > header and not any(str(v).strip() for v in r[1:])]
        if empties:
            row = rows.pop(empties[source % len(empties)])
            rows.insert(header + 1 + target % (len(rows) - header), row)
    blank = {i for i, r in enumerate(rows) if i > header and not any(str(v).strip() for v in r[1:])}
    rows = [r for i, r in enumerate(rows) if not (i in blank and i in deletes)]  # delete empty rows
    extra = [(min(at, len(rows)), row) for at, row in inserts]
    seed.shuffle(extra)  # inserted in any order
    for at, row in sorted(extra, key=lambda x: -x[0]):
        rows.insert(max(at, header + 1), list(row))
    path = write_rows(tmp_path / f"r{seed.random():.6f}.xlsx", {"LKE ZI": rows})
    assert abs(_total(path) - REAL_TOTAL) < 1e-6


# -- header over two rows -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("groups", [("Unit",), ("Unit", "TPI"), ("Unit", "Pusat")])
def test_two_row_header_with_tier_groups_is_read(tmp_path, groups):
    path = write_rows(tmp_path / "dua-baris.xlsx", {"LKE ZI": two_row_header(ROWS, groups)})
    book = open_workbook(path)
    assert isinstance(book, Book)
    rows = book.values("LKE ZI")
    cols = find_columns(rows)
    assert cols is not None and [t for t, _, _ in cols.answers] == ["unit", *(["tpi"] if len(groups) > 1 else [])]
    assert rows[cols.header][cols.answers[0][2]] == "Jawaban"
    assert abs(_total(path) - REAL_TOTAL) < 1e-6


# -- unit identity --------------------------------------------------------------------------------------------------
def test_identity_from_cells_not_table_headers(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0] = ["", "Unit Kerja", "Bobot"]  # a small table's header: not the unit's name
    data = read_inputs([write_rows(tmp_path / "dinas-x.xlsx", {"LKE ZI": rows})])
    assert data.units["unit_name"].tolist() == ["dinas-x"]
    (warn,) = [f for f in data.findings if f.kind == "unit_from_file_name"]
    assert warn.severity == "warning" and "dinas-x.xlsx" in warn.message()
    rows[0] = ["", "Unit Kerja : Dinas Komunikasi dan Informatika"]
    data = read_inputs([write_rows(tmp_path / "dinas-y.xlsx", {"LKE ZI": rows})])
    assert data.units["unit_name"].tolist() == ["Dinas Komunikasi dan Informatika"]
    assert not any(f.kind == "unit_from_file_name" for f in data.findings)


def test_identity_from_a_cover_sheet(tmp_path):
    cover = [["Nama Unit", "Kantor Imigrasi Kelas II Non TPI Blitar"], ["Tahun", 2024]]
    data = read_inputs([write_rows(tmp_path / "lke.xlsx", {"Identitas": cover, "LKE ZI": ROWS})])
    assert data.units["unit_name"].tolist() == ["Kantor Imigrasi Kelas II Non TPI Blitar"]
    assert not any(f.kind == "unit_from_file_name" for f in data.findings)


# -- the format from the bytes ----------------------------------------------------------------------------------------
def test_xlsx_named_xls_is_read_as_the_workbook_it_is(tmp_path):
    path = tmp_path / "tangsel.xls"
    shutil.copy(REAL_LKE, path)
    data = read_inputs([path])
    assert not data.fatal_files and not any(f.kind == "file_unreadable" for f in data.findings)
    assert abs(_total(path) - REAL_TOTAL) < 1e-6


def test_library_text_only_under_debug(tmp_path, monkeypatch):
    path = tmp_path / "rusak.xlsx"
    shutil.copy(REAL_LKE, path)
    data = path.read_bytes()
    start = data.index(b"xl/workbook.xml") + 30
    path.write_bytes(data[:start] + b"\x00" * 200 + data[start + 200:])  # damaged: the library fails
    monkeypatch.setenv("ZI_NB_DEBUG", "1")
    debug = " ".join(f.message() for f in read_inputs([path]).findings if f.severity == "error")
    monkeypatch.delenv("ZI_NB_DEBUG")
    texts = " ".join(f.message() for f in read_inputs([path]).findings if f.severity == "error")
    assert "rusak" in texts and "Cannot" in debug and "Cannot" not in texts and texts != debug


# -- several unit sheets --------------------------------------------------------------------------------------------
def _with_identity(text: str | None) -> list[list]:
    rows = [list(r) for r in ROWS]
    rows[0] = ["", text] if text else [""]
    return rows


def test_several_unit_sheets_yield_one_unit_each_named_by_sheet(tmp_path):
    path = write_rows(tmp_path / "kanwil.xlsx", {"Sampul": [["Instansi", "Kemenkumham"]],
                                                 **{f"LKE Unit {n}": _with_identity(None) for n in (1, 2, 3)}})
    data = read_inputs([path])
    assert not data.fatal_files
    assert data.unit_ids == ["kanwil-lke-unit-1", "kanwil-lke-unit-2", "kanwil-lke-unit-3"]
    assert data.units["unit_name"].tolist() == ["LKE Unit 1", "LKE Unit 2", "LKE Unit 3"]
    assert set(data.units["instansi"]) == {"Kemenkumham"}
    scores = score_answers(data.answers, data.rubric)
    assert all(abs(t - REAL_TOTAL) < 1e-6 for t in scores.total)
    assert read_inputs([path]).unit_ids == data.unit_ids  # stable
    assert set(data.answers.groupby("unit_id")["code"].count()) == {len(data.answers) // 3}


def test_several_unit_sheets_named_by_their_identity_cells(tmp_path):
    path = write_rows(tmp_path / "lke.xlsx", {"LKE Unit 1": _with_identity("Unit Kerja : Lapas Kelas I"),
                                              "LKE Unit 2": _with_identity("Unit Kerja : Rutan Kelas II")})
    data = read_inputs([path])
    assert data.units["unit_name"].tolist() == ["Lapas Kelas I", "Rutan Kelas II"]
    assert data.unit_ids == ["lapas-kelas-i", "rutan-kelas-ii"]


def test_unit_sheets_naming_the_same_unit_are_one_clear_error(tmp_path):
    path = write_rows(tmp_path / "lke.xlsx", {"LKE ZI": _with_identity("Unit Kerja : Lapas Kelas I"),
                                              "LKE ZI (2)": _with_identity("Unit Kerja : Lapas Kelas I")})
    data = read_inputs([path])
    (f,) = [f for f in data.findings if f.severity == "error"]
    assert f.kind == "unit_sheets_ambiguous" and data.fatal_files == [str(path)] and not data.unit_ids
    assert "'LKE ZI', 'LKE ZI (2)'" in f.message() and "lapas-kelas-i" in f.message()


def test_an_lke_sheet_beside_another_instruments_sheet_is_read(tmp_path):
    import openpyxl

    path = write_rows(tmp_path / "campur.xlsx", {"LKE ZI": _with_identity("Unit Kerja : Dinas A")})
    pmprb = openpyxl.load_workbook(write_pmprb(tmp_path / "pmprb.xlsx"))["LKE"]
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("PMPRB")
    for row in pmprb.iter_rows(values_only=True):
        ws.append(list(row))
    wb.save(path)
    data = read_inputs([path])
    assert data.unit_ids == ["dinas-a"] and not data.fatal_files
    assert abs(float(score_answers(data.answers, data.rubric).total.iloc[0]) - REAL_TOTAL) < 1e-6
