"""The data status of every result (zi_nb.engine.status): errors, warnings, answered items and the status word."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import REAL_LKE, best_raw, set_raw
from zi_nb.common.domain import STATUS_FINAL, STATUS_INCOMPLETE, STATUS_PROVISIONAL
from zi_nb.common.findings import Finding
from zi_nb.engine.results import compute, score_document, unit_records
from zi_nb.engine.status import unit_statuses
from zi_nb.engine.validate import validate
from zi_nb.lke.inputs import read_inputs


def write_csv(path: Path, rows: list[dict]) -> Path:
    lines = ["unit_id;tier;code;answer"] + [f"{r['unit_id']};{r['tier']};{r['code']};{r['raw']}" for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def one_unit(doc: dict, unit_id: str = "u1") -> dict:
    return next(u for u in doc["units"] if u["unit_id"] == unit_id)


def test_clean_complete_unit_is_final(tmp_path, rubric):
    data = read_inputs([write_csv(tmp_path / "ok.csv", best_raw(rubric))])
    unit = one_unit(score_document(data, ["final"]))
    assert unit["predicate"] == "WBBM"
    assert (unit["status"], unit["errors"], unit["answered"], unit["scorable"]) == (
        STATUS_FINAL, 0, len(rubric.items), len(rubric.items))


def test_typo_answer_makes_the_result_sementara(tmp_path, rubric):
    rows = set_raw(best_raw(rubric), "PPA1B", "F")
    data = read_inputs([write_csv(tmp_path / "typo.csv", rows)])
    unit = one_unit(score_document(data, ["final"]))
    assert unit["status"] == STATUS_PROVISIONAL and unit["errors"] == 1
    assert unit["answered"] == len(rubric.items) - 1 and unit["unanswered"] == ["PPA1B"]
    # the finding names the tier of the answer it is about
    invalid = [f for f in data.findings if f.kind == "invalid_option"]
    assert [f.tier for f in invalid] == ["unit"]


def test_unknown_code_and_conflicting_duplicate_are_errors_of_the_unit(tmp_path, rubric):
    rows = [*best_raw(rubric), {"unit_id": "u1", "tier": "unit", "code": "XYZ9", "raw": "A"},
            {"unit_id": "u1", "tier": "unit", "code": "PPA1A", "raw": "Tidak"}]
    data = read_inputs([write_csv(tmp_path / "dup.csv", rows)])
    unit = one_unit(score_document(data, ["final"]))
    assert unit["status"] == STATUS_PROVISIONAL and unit["errors"] == 2
    conflict = next(f for f in data.findings if f.kind == "duplicate_conflict")
    assert conflict.tier == "unit"


@pytest.mark.parametrize("code, value, kind", [
    ("HBA", "5", "index_range"),  # survey index outside 0..4
    ("PRA1A.jumlah_agen_perubahan", "-3", "negative"),
    ("PRA1A.jumlah_agen_perubahan", "sepuluh", "not_a_number"),
    ("PPA1A", "#REF!", "excel_error"),
])
def test_every_kind_of_bad_value_makes_the_result_sementara(tmp_path, rubric, code, value, kind):
    data = read_inputs([write_csv(tmp_path / "bad.csv", set_raw(best_raw(rubric), code, value))])
    assert [f.kind for f in data.findings if f.severity == "error"] == [kind]
    unit = one_unit(score_document(data, ["final"]))
    assert (unit["status"], unit["errors"]) == (STATUS_PROVISIONAL, 1)


def test_tpi_tier_with_few_answers_is_incomplete(tmp_path, rubric):
    tpi = [{**r, "tier": "tpi"} for r in best_raw(rubric) if r["code"] in ("PPA1A", "PPA1B")]
    data = read_inputs([write_csv(tmp_path / "tpi.csv", [*best_raw(rubric), *tpi])])
    unit = one_unit(score_document(data, ["tpi"]))
    assert unit["status"] == STATUS_INCOMPLETE and unit["errors"] == 0
    assert (unit["answered"], unit["scorable"]) == (2, len(rubric.items))
    assert one_unit(score_document(data, ["unit"]))["status"] == STATUS_FINAL


def test_error_of_one_tier_does_not_concern_a_view_that_does_not_read_it(tmp_path, rubric):
    rows = [*set_raw(best_raw(rubric), "PPA1B", "F"), *best_raw(rubric, tier="tpi")]
    data = read_inputs([write_csv(tmp_path / "tiers.csv", rows)])
    doc = score_document(data, ["unit", "tpi", "final"])
    status = {u["tier"]: u["status"] for u in doc["units"]}
    assert status == {"unit": STATUS_PROVISIONAL, "tpi": STATUS_FINAL, "final": STATUS_PROVISIONAL}


def test_findings_without_a_unit_count_for_every_unit_of_their_file():
    shared = Finding("sheet_missing", "error", file="a.xlsx")
    other = Finding("sheet_missing", "error", file="b.xlsx")
    statuses = unit_statuses([shared, other], "final", {"u1": [], "u2": []}, 113,
                             {"u1": {"a.xlsx"}, "u2": {"b.xlsx", "a.xlsx"}})
    assert statuses["u1"].errors == 1 and statuses["u2"].errors == 2


def test_real_workbook_status_follows_its_findings(rubric):
    data = read_inputs([REAL_LKE])
    findings = validate(data)
    result = compute(data, "final", findings=findings)
    (record,) = unit_records(result)
    assert abs(record["total"] - 95.709524) < 1e-6
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    assert (record["errors"], record["warnings"]) == (errors, warnings)
    expected = STATUS_PROVISIONAL if errors else STATUS_INCOMPLETE if record["unanswered"] else STATUS_FINAL
    assert record["status"] == expected
    assert record["answered"] == len(rubric.items) - len(record["unanswered"])


FINDINGS = st.builds(Finding, kind=st.just("blank"), severity=st.sampled_from(["error", "warning", "info"]),
                     file=st.sampled_from([None, "a.csv", "b.csv"]), unit_id=st.sampled_from([None, "u1", "u2"]),
                     tier=st.sampled_from([None, "unit", "tpi", "tpn"]))


@settings(max_examples=200, deadline=None)
@given(findings=st.lists(FINDINGS, max_size=8), view=st.sampled_from(["unit", "tpi", "tpn", "final"]),
       missing=st.dictionaries(st.sampled_from(["u1", "u2"]), st.lists(st.sampled_from(["PPA1A", "HBA"]),
                                                                          unique=True), min_size=1))
def test_status_is_final_iff_no_error_and_nothing_unanswered(findings, view, missing):
    files = {"u1": {"a.csv"}, "u2": {"b.csv"}}
    statuses = unit_statuses(findings, view, missing, 113, files)
    reads = {"unit": {"unit"}, "tpi": {"tpi"}, "tpn": {"tpn"}, "final": {"unit", "tpi", "tpn"}}[view]
    for unit_id, codes in missing.items():
        errors = [f for f in findings if f.severity == "error" and (f.tier is None or f.tier in reads)
                  and (f.unit_id == unit_id or (f.unit_id is None and (f.file is None or f.file in files[unit_id])))]
        s = statuses[unit_id]
        assert s.errors == len(errors)
        assert (s.status == STATUS_FINAL) == (not errors and not codes)
        assert (s.status == STATUS_PROVISIONAL) == bool(errors)
        assert s.answered == 113 - len(codes)
