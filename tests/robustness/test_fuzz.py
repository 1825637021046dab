"""Property-based fuzzing (hypothesis) of the long-format reader and of the scoring rules.

Reader: random CSV files (headers from the known aliases and garbage, any delimiter, encoding, line ending, Excel's
``sep=`` line, hostile values, truncation), random long-format workbooks (typed cells, merged ranges, title rows),
damaged zip bytes and arbitrary bytes. Each is either read, with every problem a located finding that renders
without a placeholder or a raw control character, or refused with the package's own error (:class:`ZiError`);
never another exception. What was read validates and scores without an exception.

Scoring (properties :mod:`tests.test_scoring` does not already check): every part adds up to its whole (indicators
to areas and components, Pemenuhan + Reform, Pengungkit + Hasil = total) within its weight; a better survey index,
a higher achieved count, fewer violations or answering an unanswered item with its best answer never lowers any
score nor the predikat; the predikat criteria are exactly the thresholds of the rubric (ZI-RULES section 5), nested
(WBBM asks at least what WBK asks), and a predikat is given exactly when all its criteria are met.

Every property runs a fixed number of derandomized examples; the examples executed are counted and reported as the
README figure ``fuzz_examples`` (stable between runs: same examples, same count).
"""

from __future__ import annotations

import csv
import io
import math
import random
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.helpers import answers_of, best_raw
from tests.robustness.figures import report
from zi_nb.common.findings import MESSAGES, Finding
from zi_nb.common.text import visible
from zi_nb.engine.predicate import evaluate
from zi_nb.engine.results import score_document
from zi_nb.engine.rubric import load_rubric
from zi_nb.engine.scoring import score_answers
from zi_nb.engine.validate import validate
from zi_nb.errors import ZiError
from zi_nb.lke.inputs import read_inputs
from zi_nb.lke.long_format import HEADER_ALIASES

RUBRIC = load_rubric("zi-2021")
COUNTS: dict[str, int] = {}  # property -> examples executed


def fuzz(examples: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Hypothesis settings of every property here: a fixed number of derandomized examples, no example database
    (so the count is the same on every run), no deadline (the machine is shared)."""
    return settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                    phases=[Phase.explicit, Phase.generate, Phase.shrink],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


def counted(name: str) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + 1


# -- reader invariants ---------------------------------------------------------------------------------------------
def _check_read(paths: list[Path], lines: int | None = None) -> None:
    """Read ``paths``: a ZiError is an accepted refusal; otherwise every invariant of a read must hold."""
    try:
        data = read_inputs(paths, RUBRIC)
    except ZiError:
        return
    names = {str(p) for p in paths}
    findings = validate(data)
    for f in findings:
        assert isinstance(f, Finding) and f.kind in MESSAGES
        assert f.file in names, f
        for lang in ("id", "en"):
            text = f.render(lang)
            assert "{" + "found}" not in text and "{" + "expected}" not in text, text
            assert visible(text) == text, f"hidden characters reach the terminal: {text!r}"
            assert "\n" not in text and "\r" not in text, f"a finding spans several lines: {text!r}"
        if lines is not None and f.line is not None:
            assert 1 <= f.line <= lines, (f.line, lines, f)
    for fatal in data.fatal_files:
        assert [f for f in data.findings if f.file == fatal], fatal
        assert all(f.severity == "error" for f in data.findings if f.file == fatal)
    if lines is not None and not data.answers.empty:
        got = [int(x) for x in data.answers["line"].dropna()]
        assert all(1 <= x <= lines for x in got), (got, lines)
    assert all(visible(u) == u for u in data.unit_ids), data.unit_ids
    if data.unit_ids:
        doc = score_document(data, ["final"])
        for unit in doc["units"]:
            assert -1e-9 <= unit["total"] <= 100 + 1e-9


ALIASES = sorted({a for names in HEADER_ALIASES.values() for a in names})
HEADER = st.lists(st.one_of(st.sampled_from(["unit_id", "code", "answer", "tier", "note"] * 3 + ALIASES),
                            st.sampled_from(["", " ", "Unit ID", "JAWABAN ", "\ufeffunit_id", "x", "kode;butir"]),
                            st.text(max_size=8)), min_size=1, max_size=7)
NASTY = ["", " ", "Ya", "ya ", "Tidak", "A", "b.", "C)", "E", "3,6", "3.6", "36", "-1", "0", "1.234", "1e9",
         "1000000000", "250", "86%", "NaN", "inf", "#DIV/0!", "#REF!", "=1+1", "@SUM(A1)", "2024-01-05", "TRUE",
         "PPA1A", "ppa1b", "HBA", "HPA", "PRD1A", "PRD1A.jumlah_sasaran", "PRE3A.wajib_total", "XYZ9", "u1", "u2",
         "unit", "tpi", "TPN", "auditor", '"', '""', "a,b", "a;b", "\t", "\n", "\r", "é", "وحدة", "中文", "\u202e",
         "\u200b", "\x1b[2J", "\x07", "\x00", "\ufeff", "sep=;", "../../etc/passwd", "a" * 300]
VALUE = st.one_of(st.sampled_from(NASTY), st.sampled_from(NASTY), st.text(max_size=12),
                  st.integers(-10**13, 10**13).map(str), st.floats().map(repr))
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"]


@fuzz(160)
@given(header=HEADER, rows=st.lists(st.lists(VALUE, max_size=8), max_size=10),
       delimiter=st.sampled_from([",", ";", "\t", "|"]), other=st.sampled_from([None, ",", ";"]),
       encoding=st.sampled_from(ENCODINGS), newline=st.sampled_from(["\n", "\r\n", "\r"]),
       sep_line=st.booleans(), cut=st.one_of(st.none(), st.floats(0, 1)))
def test_fuzzed_csv_is_read_or_refused_with_located_findings(header, rows, delimiter, other, encoding, newline,
                                                             sep_line, cut):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        if other is not None and len(row) > 2:  # a row pasted with another delimiter, unquoted
            buffer.write(other.join(v.replace("\n", " ") for v in row) + "\n")
        else:
            writer.writerow(row)
    text = ("sep=" + delimiter + "\n" if sep_line else "") + buffer.getvalue()
    data = text.replace("\n", newline).encode(encoding, errors="replace")
    if cut is not None:
        data = data[: int(len(data) * cut)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_bytes(data)
        physical = max(1, text.count("\n") + text.count("\r") + 1)
        _check_read([path], lines=physical)
    counted("csv")


def _excel_text(value: Any) -> Any:
    """Text as Excel stores it: control characters as ``_xHHHH_`` escapes (which readers decode back)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not isinstance(value, str):
        return value
    return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", value)


CELL = st.one_of(st.sampled_from(NASTY), st.text(max_size=10),
                 st.integers(-10**15, 10**15), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
                 st.dates().map(lambda d: pd.Timestamp(d).to_pydatetime()), st.none(),
                 st.sampled_from(["#N/A", "#DIV/0!", "#VALUE!"]))


@fuzz(40)
@given(header=HEADER, rows=st.lists(st.lists(CELL, max_size=7), max_size=8), title_rows=st.integers(0, 3),
       merges=st.lists(st.tuples(st.integers(1, 12), st.integers(1, 6), st.integers(0, 2), st.integers(0, 1)),
                       max_size=3), second_sheet=st.booleans())
def test_fuzzed_long_workbook_is_read_or_refused_with_located_findings(header, rows, title_rows, merges,
                                                                       second_sheet):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "jawaban"
    for n in range(title_rows):
        ws.cell(n + 1, 1, f"Judul {n}")
    for r, values in enumerate([header, *rows], start=title_rows + 1):
        for c, value in enumerate(values, start=1):
            ws.cell(r, c, _excel_text(value))
    for row, col, down, right in merges:
        if down or right:
            ws.merge_cells(start_row=row, start_column=col, end_row=row + down, end_column=col + right)
    if second_sheet:
        meta = wb.create_sheet("unit")
        meta.append(["unit_id", "unit_name", "year"])
        meta.append(["u1", "Kantor \u202eSatu", "dua ribu"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.xlsx"
        wb.save(path)
        _check_read([path])
    counted("xlsx")


def _small_workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "jawaban"
    ws.append(["unit_id", "code", "answer", "note"])
    for row in best_raw(RUBRIC)[:30]:
        ws.append([row["unit_id"], row["code"], row["raw"], "catatan"])
    ws.merge_cells("D2:D3")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


SMALL_XLSX = _small_workbook()


@fuzz(60)
@given(flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=6),
       cut=st.one_of(st.none(), st.floats(0.05, 1)))
def test_damaged_workbook_bytes_are_refused_or_read(flips, cut):
    data = bytearray(SMALL_XLSX)
    for where, value in flips:
        data[min(int(where * len(data)), len(data) - 1)] = value
    if cut is not None:
        data = data[: int(len(data) * cut)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rusak.xlsx"
        path.write_bytes(bytes(data))
        _check_read([path])
    counted("damaged_xlsx")


@fuzz(60)
@given(prefix=st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf",
                               b"\xff\xfe", b"%PDF", b"unit_id,code,answer\n", b"sep=;\n"]),
       body=st.binary(max_size=3000))
def test_arbitrary_bytes_are_refused_or_read(prefix, body):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "acak.csv"
        path.write_bytes(prefix + body)
        _check_read([path])
    counted("bytes")


# -- scoring rules -------------------------------------------------------------------------------------------------
OPTION_ITEMS = [i for i in RUBRIC.items if RUBRIC.answer_types[i.answer_type].kind == "option"]
INDEX_ITEMS = [i for i in RUBRIC.items if RUBRIC.answer_types[i.answer_type].kind == "index"]
RATIO_ITEMS = [i for i in RUBRIC.items if RUBRIC.answer_types[i.answer_type].kind == "ratio"]
POLICY = st.fixed_dictionaries({"unanswered": st.sampled_from(["exclude", "zero"]),
                                "area_minimum": st.sampled_from(["combined", "per_part"]),
                                "pengaduan_base": st.sampled_from(["harus_ditindaklanjuti", "diproses_selesai"]),
                                "pengaduan_nol": st.sampled_from(["one", "unanswered"])})


@st.composite
def answer_sheet(draw: Any, unit: str = "u1", blanks: bool = True) -> list[dict[str, Any]]:
    """Raw rows of one unit: any option, survey index (also outside 0..4), Jumlah inputs; items may stay blank."""
    rows = []
    for item in RUBRIC.items:
        at = RUBRIC.answer_types[item.answer_type]
        if blanks and draw(st.integers(0, 9)) == 0:
            continue
        if at.kind == "option":
            rows.append({"unit_id": unit, "code": item.code, "raw": draw(st.sampled_from(list(at.options)))})
        elif at.kind == "index":
            rows.append({"unit_id": unit, "code": item.code, "raw": draw(st.floats(-1, 6, allow_nan=False))})
        else:
            for inp in item.inputs:
                rows.append({"unit_id": unit, "code": f"{item.code}.{inp.name}", "raw": draw(st.integers(0, 40))})
    return rows


def _scores(rows: list[dict[str, Any]], policies: dict[str, str]) -> Any:
    return score_answers(answers_of(RUBRIC, rows), RUBRIC, policies=policies)


@fuzz(50)
@given(sheets=st.lists(answer_sheet(), min_size=1, max_size=3), policies=POLICY)
def test_every_part_adds_up_to_its_whole_within_its_weight(sheets, policies):
    rows = [dict(r, unit_id=f"u{n}") for n, sheet in enumerate(sheets) for r in sheet]
    if not rows:
        return
    s = _scores(rows, policies)
    comp = s.components
    weights = {c.code: c.weight for c in RUBRIC.components}
    for unit in s.unit_ids:
        c = comp.loc[unit]
        assert math.isclose(s.total[unit], sum(c[t.code] for t in RUBRIC.top_components()), abs_tol=1e-9)
        for parent in RUBRIC.components:
            kids = [k.code for k in RUBRIC.components if k.parent == parent.code]
            if kids:
                assert math.isclose(c[parent.code], sum(c[k] for k in kids), abs_tol=1e-9)
            leaf = [i.code for i in RUBRIC.indicators if parent.code in RUBRIC.leaf_component(i.component)]
            assert math.isclose(c[parent.code], s.indicators.loc[unit, leaf].sum(), abs_tol=1e-9)
            assert -1e-9 <= c[parent.code] <= weights[parent.code] + 1e-9
        for area in RUBRIC.areas:
            parts = [s.areas.loc[unit, f"{p}:{area.code}"] for p in area.weights]
            assert math.isclose(s.areas.loc[unit, area.code], sum(parts), abs_tol=1e-9)
            for p, w in area.weights.items():
                value = s.areas.loc[unit, f"{p}:{area.code}"]
                assert -1e-9 <= value <= w + 1e-9
                inds = [i.code for i in RUBRIC.indicators if i.area == area.code and i.component == p]
                assert math.isclose(value, s.indicators.loc[unit, inds].sum(), abs_tol=1e-9)
        for p in {p for a in RUBRIC.areas for p in a.weights}:
            assert math.isclose(c[p], sum(s.areas.loc[unit, f"{p}:{a.code}"] for a in RUBRIC.areas if p in a.weights),
                                abs_tol=1e-9)
    counted("parts")


def _rank(code: str) -> int:
    return [p.code for p in RUBRIC.predicates].index(code) + 1 if code in {p.code for p in RUBRIC.predicates} else 0


def _never_lower(before: Any, after: Any) -> None:
    for frame in ("indicators", "components", "areas"):
        diff = getattr(after, frame).to_numpy() - getattr(before, frame).to_numpy()
        assert np.all(diff >= -1e-9), frame
    assert after.total.iloc[0] >= before.total.iloc[0] - 1e-9
    assert _rank(evaluate(after).by_criteria.iloc[0]) >= _rank(evaluate(before).by_criteria.iloc[0])


def _set(rows: list[dict[str, Any]], code: str, value: Any) -> list[dict[str, Any]]:
    out = [r for r in rows if r["code"] != code]
    return [*out, {"unit_id": "u1", "code": code, "raw": value}]


@fuzz(60)
@given(data=st.data(), sheet=answer_sheet(blanks=False), policies=POLICY,
       change=st.sampled_from(["index", "numerator", "violations", "answer_blank"]))
def test_a_better_number_or_a_new_best_answer_never_lowers_any_score_or_the_predikat(data, sheet, policies, change):
    before_rows = sheet
    if change == "index":
        item = data.draw(st.sampled_from(INDEX_ITEMS))
        low = data.draw(st.floats(0, 4, allow_nan=False))
        high = data.draw(st.floats(low, 6, allow_nan=False))
        before_rows, after_rows = _set(sheet, item.code, low), _set(sheet, item.code, high)
    elif change == "numerator":
        item = data.draw(st.sampled_from([i for i in RATIO_ITEMS if i.rule.kind == "ratio"]))
        code = f"{item.code}.{item.rule.numerator}"
        current = next(r["raw"] for r in sheet if r["code"] == code)
        after_rows = _set(sheet, code, current + data.draw(st.integers(1, 20)))
    elif change == "violations":
        item = next(i for i in RATIO_ITEMS if i.rule.kind == "decrease")
        code = f"{item.code}.{item.rule.current}"
        current = next(r["raw"] for r in sheet if r["code"] == code)
        after_rows = _set(sheet, code, max(0, current - data.draw(st.integers(1, 20))))
    else:
        item = data.draw(st.sampled_from(OPTION_ITEMS + INDEX_ITEMS))
        at = RUBRIC.answer_types[item.answer_type]
        best = max(at.options, key=at.options.get) if at.kind == "option" else at.maximum
        before_rows = [r for r in sheet if r["code"] != item.code]
        after_rows = _set(sheet, item.code, best)
    _never_lower(_scores(before_rows, policies), _scores(after_rows, policies))
    counted("monotone")


# ZI-RULES section 5: the predikat criteria (minimum, or share of each area's weight)
THRESHOLDS = {
    "WBK": {"total": 75, "pengungkit": 40, "area": 0.60, "bersih": 18.25, "ipak": 15.75, "kinerja": 2.5, "ipkp": 14},
    "WBBM": {"total": 85, "pengungkit": 48, "area": 0.75, "bersih": 19.5, "ipak": 15.75, "kinerja": 3.75,
             "ipkp": 15.75},
}


@fuzz(50)
@given(sheet=answer_sheet(), policies=POLICY)
def test_predikat_criteria_are_the_rubric_thresholds_and_decide_the_predikat(sheet, policies):
    if not sheet:
        return
    s = _scores(sheet, policies)
    ev = evaluate(s)
    crit = ev.criteria
    per_part = policies["area_minimum"] == "per_part"
    for pred, table in THRESHOLDS.items():
        rows = crit[crit["predicate"] == pred]
        for _, row in rows.iterrows():
            if row["criterion"].startswith("area_"):
                area = RUBRIC.area_by_code[row["criterion"].split("_")[1]]
                weight = area.weights[row["measure"].split(":")[0]] if per_part else sum(area.weights.values())
                assert math.isclose(row["minimum"], table["area"] * weight, abs_tol=1e-9)
            else:
                assert math.isclose(row["minimum"], table[row["criterion"]], abs_tol=1e-9)
            assert bool(row["met"]) == (row["value"] >= row["minimum"] - 1e-9)
        assert len(rows) == 6 + (12 if per_part else 6)
    wbk = crit[crit["predicate"] == "WBK"].set_index("criterion")
    wbbm = crit[crit["predicate"] == "WBBM"].set_index("criterion")
    assert (wbbm["minimum"] >= wbk.loc[wbbm.index, "minimum"] - 1e-9).all()  # WBBM asks at least what WBK asks
    met = crit.groupby("predicate")["met"].all()
    assert not met["WBBM"] or met["WBK"]
    expected = "WBBM" if met["WBBM"] else "WBK" if met["WBK"] else "TIDAK"
    assert ev.by_criteria.iloc[0] == expected
    assert ev.predicate.iloc[0] == expected  # policy "record": the prerequisite is recorded, not enforced
    counted("predikat")


# -- the figure ----------------------------------------------------------------------------------------------------
PROPERTIES = {
    "csv": test_fuzzed_csv_is_read_or_refused_with_located_findings,
    "xlsx": test_fuzzed_long_workbook_is_read_or_refused_with_located_findings,
    "damaged_xlsx": test_damaged_workbook_bytes_are_refused_or_read,
    "bytes": test_arbitrary_bytes_are_refused_or_read,
    "parts": test_every_part_adds_up_to_its_whole_within_its_weight,
    "monotone": test_a_better_number_or_a_new_best_answer_never_lowers_any_score_or_the_predikat,
    "predikat": test_predikat_criteria_are_the_rubric_thresholds_and_decide_the_predikat,
}


def test_fuzz_examples_figure() -> None:
    """The examples every property executed (properties not run yet in this session, e.g. with ``-k``, run here)."""
    for name, prop in PROPERTIES.items():
        if name not in COUNTS:
            prop()
    assert all(COUNTS[name] > 0 for name in PROPERTIES), COUNTS
    report("fuzz_examples", sum(COUNTS[name] for name in PROPERTIES))


def test_fuzzing_can_find_a_broken_reader(monkeypatch: Any) -> None:
    """The reader properties do fail when the reader misbehaves (the fuzzing is not vacuous)."""
    import zi_nb.lke.long_csv

    def broken(path: Path, rubric: Any) -> Any:
        raise ValueError("simulated bug")

    monkeypatch.setattr(zi_nb.lke.long_csv, "read_csv", broken)
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.csv"
        path.write_text("unit_id,code,answer\nu1,PPA1A,Ya\n" + "".join(rng.choice("ab,\n") for _ in range(50)))
        try:
            _check_read([path])
        except ValueError as exc:
            assert "simulated bug" in str(exc)
        else:
            raise AssertionError("a reader that raises was not caught by the property")
