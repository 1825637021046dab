"""Formulas in answer cells, formulas without stored values, and the summary sheets' totals (issue 14)."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from tests.helpers import REAL_LKE, run
from zi_nb import read_inputs
from zi_nb.engine.results import compute
from zi_nb.engine.validate import validate
from zi_nb.lke.formulas import formula_answer
from zi_nb.lke.template import write_template

REAL_TOTAL = 95.70952380952381
LKE = "LKE ZI"
_REF = re.compile(r"(?<![A-Za-z_!'\"])(\$?[A-Z]{1,3}\$?)(\d+)(?![\d(])")
_LKE_REF = re.compile(r"('LKE ZI'!\$?[A-Z]{1,3}\$?)(\d+)")


def _insert_note_row(wb: openpyxl.Workbook, at: int, note: str) -> None:
    """Insert a row into 'LKE ZI' as Excel would (formulas here and on the other sheets follow their cells), then
    write a note into it: openpyxl alone moves the cells but not the references."""
    def shift(pattern: re.Pattern[str], text: str) -> str:
        return pattern.sub(lambda m: m.group(1) + str(int(m.group(2)) + (int(m.group(2)) >= at)), text)

    ws = wb[LKE]
    merged = [str(r) for r in ws.merged_cells.ranges]
    for ref in merged:
        ws.unmerge_cells(ref)
    ws.insert_rows(at)
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    c.value = shift(_REF, c.value) if sheet is ws else shift(_LKE_REF, c.value)
    for ref in merged:
        ws.merge_cells(shift(_REF, ref))
    ws.cell(at, 2, note)


@pytest.fixture(scope="module")
def resaved(tmp_path_factory) -> Path:
    """The real workbook with one note row inserted above its header, saved by openpyxl (formulas, no stored values)."""
    wb = openpyxl.load_workbook(REAL_LKE)
    _insert_note_row(wb, 2, "Catatan instansi: diisi ulang setelah reviu internal")
    path = tmp_path_factory.mktemp("resaved") / "tangsel-resaved.xlsx"
    wb.save(path)
    return path


def test_resaved_workbook_has_no_false_cached_alarm_and_one_info(resaved):
    data = read_inputs(resaved)
    findings = validate(data)
    assert not [f for f in findings if f.kind == "cached_mismatch"]
    (info,) = [f for f in findings if f.kind == "cached_absent"]
    assert (info.severity, info.file, info.sheet) == ("info", str(resaved), LKE)
    assert info.params["found"] == len(data.cached) == 74  # the 72 results of 'LKE ZI' and the two summary totals
    assert "tidak menyimpan nilai" in info.message() and "no stored value" in info.message("en")
    assert not [f for f in findings if "None" in f.render() or "nan" in f.message()]
    # the defects of the real workbook are still found, one row further down
    assert {(f.kind, f.cell) for f in findings if f.severity != "info"} >= {
        ("formula_range", "L176"), ("total_mismatch", "K186")}
    assert compute(data).scores.total.iloc[0] == pytest.approx(REAL_TOTAL, abs=1e-9)


def test_resaved_workbook_cli(resaved, capsys):
    code, out, _ = run(capsys, "validate", str(resaved))
    assert "INFO:" in out and "tersimpan di lembar kerja" not in out and "None" not in out
    assert code == 1  # the real data errors (PRE3B's stated total) remain
    code, out, _ = run(capsys, "score", str(resaved), "--format", "json")
    assert '"total": 95.709523' in out


def test_summary_total_is_found_by_its_label(tmp_path):
    wb = openpyxl.load_workbook(REAL_LKE)
    utama = wb["Utama"]
    utama["B28"], utama["I28"] = None, None
    utama["B31"], utama["I31"] = "NILAI EVALUASI REFORMASI BIROKRASI", 90.5  # moved, and a stale typed number
    path = tmp_path / "utama.xlsx"
    wb.save(path)
    findings = validate(read_inputs(path))
    (bad,) = [f for f in findings if f.kind == "cached_mismatch" and f.sheet == "Utama"]
    assert (bad.cell, bad.params["found"], bad.params["expected"]) == ("I31", "90,5000", "95,7095")
    assert bad.message() == ("Nilai tersimpan di lembar kerja 90,5000 berbeda dengan nilai menurut rubrik 95,7095 "
                             "(nilai total).")


def test_summary_total_within_tolerance_is_no_finding(tmp_path):
    wb = openpyxl.load_workbook(REAL_LKE)
    wb["Utama"]["I28"] = REAL_TOTAL + 1e-9  # rounding noise, not a mismatch
    path = tmp_path / "utama.xlsx"
    wb.save(path)
    assert not [f for f in validate(read_inputs(path)) if f.sheet == "Utama"]


def test_formula_in_an_answer_cell_of_the_circulated_layout(tmp_path):
    wb = openpyxl.load_workbook(REAL_LKE)
    wb[LKE]["K8"] = '=IF(1=1,"Ya","Tidak")'  # PPA1A: an answer typed as a formula
    path = tmp_path / "formula-answer.xlsx"
    wb.save(path)
    data = read_inputs(path)
    (bad,) = [f for f in data.findings if f.kind == "formula_answer"]
    assert (bad.severity, bad.sheet, bad.cell, bad.code, bad.tier) == ("error", LKE, "K8", "PPA1A", "unit")
    assert bad.params == {"found": '=IF(1=1,"Ya","Tidak")', "cached": "tidak ada"}
    assert "PPA1A" not in set(data.answers.loc[data.answers["answer"].notna(), "code"])
    assert "K178" not in {f.cell for f in data.findings}  # the workbook's own total formula is not reported


def test_formula_answer_reports_the_cached_value_not_as_answer():
    assert formula_answer("=SUM(K9:K10)", 7.0) == {"found": "=SUM(K9:K10)", "cached": 7.0}
    assert formula_answer("=", "") == {"found": "(rumus bersama)", "cached": "tidak ada"}


@pytest.fixture
def template_with_formulas(tmp_path, rubric) -> tuple[Path, dict[str, str]]:
    path = tmp_path / "templat.xlsx"
    write_template(path, rubric, "u1", "Unit Satu")
    wb = openpyxl.load_workbook(path)
    ws = wb["LKE"]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Kode")
    answer_col = next(c for c in range(1, ws.max_column + 1) if str(ws.cell(header, c).value).startswith("Jawaban"))
    rows = {ws.cell(r, 1).value: r for r in range(header + 1, ws.max_row + 1)}
    cells = {}
    for code in ("PRD1A.jumlah_sasaran", "PRD1A.jumlah_sasaran_tercapai"):
        cell = ws.cell(rows[code], answer_col)
        cell.value = f"=SUM(A1:A{rows[code] - 1})"
        cells[code] = cell.coordinate
    wb.save(path)
    return path, cells


def test_template_formula_cells_are_not_answers(template_with_formulas):
    path, cells = template_with_formulas
    data = read_inputs(path)
    bad = [f for f in data.findings if f.kind == "formula_answer"]
    assert [(f.cell, f.code, f.severity) for f in bad] == [(cells[c], c, "error") for c in cells]
    assert bad[0].message().startswith("Sel jawaban berisi rumus '=SUM(A1:A")
    assert data.answers["answer"].isna().all() and data.answers["number"].isna().all()
    assert compute(data).scores.total.empty  # still an empty template: no unit to score


def test_validate_on_an_empty_template_exits_like_score(template_with_formulas, tmp_path, rubric, capsys):
    for path in (template_with_formulas[0], tmp_path / "kosong.xlsx"):
        if not path.exists():
            write_template(path, rubric, "u9", "Unit Kosong")
        code, out, err = run(capsys, "validate", str(path))
        assert code == 2 and "(0 dengan jawaban)" in out
        assert "belum menjawab satu butir pun" in err
        score_code, _, score_err = run(capsys, "score", str(path))
        assert score_code == code and "Tidak ada unit" in score_err
    code, out, _ = run(capsys, "validate", str(path), "--format", "json")
    assert code == 2 and '"units_answered": []' in out


def test_summary_totals_skip_other_lke_tables(tmp_path):
    from zi_nb.lke.formulas import summary_totals
    from zi_nb.lke.xlsx import open_workbook

    wb = openpyxl.load_workbook(REAL_LKE)
    wb.copy_worksheet(wb[LKE]).title = "LKE unit lain"  # holds "NILAI EVALUASI ZONA INTEGRITAS" too (B208)
    path = tmp_path / "dua-lke.xlsx"
    wb.save(path)
    found = summary_totals(open_workbook(path), LKE, "unit")
    assert [(sheet, cached[4]) for sheet, cached in found] == [("Utama", "I28"), ("Ctt Eval", "I68")]
