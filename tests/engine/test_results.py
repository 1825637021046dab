"""The results contract (zi_nb.engine.results): unit records, the summary table and the score document."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.helpers import best_raw
from zi_nb.engine.results import compute, score_document, summary_frame, unit_records
from zi_nb.lke.inputs import read_inputs
from zi_nb.lke.sample import bundled_paths

RECORD_KEYS = {"unit_id", "unit_name", "instansi", "year", "current_predicate", "tier", "total", "pengungkit",
               "pemenuhan", "reform", "hasil", "bersih", "prima", "areas", "indicators", "items", "predicate",
               "predicate_by_criteria", "criteria", "prerequisites", "unanswered", "status", "errors", "warnings",
               "answered", "scorable"}
SUMMARY_COLUMNS = ["unit_id", "unit_name", "instansi", "year", "tier", "total", "pengungkit", "pemenuhan", "reform",
                   "hasil", "bersih", "prima", "area_A", "area_B", "area_C", "area_D", "area_E", "area_F",
                   "predicate", "failed_criteria", "unanswered", "status", "errors", "warnings", "answered",
                   "scorable"]


@pytest.fixture(scope="module")
def sample():
    return read_inputs(bundled_paths())


@pytest.fixture(scope="module")
def records(sample):
    return unit_records(compute(sample))


def write_csv(path: Path, rows: list[dict], meta: str | None = None) -> Path:
    lines = ["unit_id;tier;code;answer"] + [f"{r['unit_id']};{r['tier']};{r['code']};{r['raw']}" for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_unit_records_contract_keys_and_types(records, sample, rubric):
    assert [r["unit_id"] for r in records] == sample.unit_ids
    for r in records:
        assert set(r) == RECORD_KEYS
        assert r["tier"] == "final"
        assert isinstance(r["year"], int) and isinstance(r["unit_name"], str)
        assert set(r["areas"]) == {a.code for a in rubric.areas}
        assert all(set(a) == {"pemenuhan", "reform", "total"} for a in r["areas"].values())
        assert set(r["indicators"]) == {i.code for i in rubric.indicators}
        assert set(r["items"]) == {i.code for i in rubric.items}
        assert all(v is None or (isinstance(v, float) and 0 <= v <= 1) for v in r["items"].values())
        assert r["predicate"] in ("WBBM", "WBK", "TIDAK") and r["predicate_by_criteria"] in ("WBBM", "WBK", "TIDAK")
        for c in r["criteria"]:
            assert set(c) == {"predicate", "code", "name", "value", "minimum", "margin", "met"}
            assert isinstance(c["met"], bool) and isinstance(c["value"], float)
    json.loads(json.dumps(records))  # plain Python values only


def test_unit_records_add_up(records, rubric):
    for r in records:
        assert r["total"] == pytest.approx(r["pengungkit"] + r["hasil"], abs=1e-9)
        assert r["pengungkit"] == pytest.approx(r["pemenuhan"] + r["reform"], abs=1e-9)
        assert r["hasil"] == pytest.approx(r["bersih"] + r["prima"], abs=1e-9)
        assert r["pemenuhan"] == pytest.approx(sum(a["pemenuhan"] for a in r["areas"].values()), abs=1e-9)
        assert r["reform"] == pytest.approx(sum(a["reform"] for a in r["areas"].values()), abs=1e-9)
        for code, a in r["areas"].items():
            assert a["total"] == pytest.approx(a["pemenuhan"] + a["reform"], abs=1e-9)
            area = {x.code: x for x in rubric.areas}[code]
            assert 0 <= a["total"] <= sum(area.weights.values()) + 1e-9
        assert r["total"] == pytest.approx(sum(r["indicators"].values()), abs=1e-9)
        assert r["unanswered"] == [c for c, v in r["items"].items() if v is None]


def test_predicate_follows_the_criteria(records):
    for r in records:
        met = {p: all(c["met"] for c in r["criteria"] if c["predicate"] == p) for p in ("WBK", "WBBM")}
        expected = "WBBM" if met["WBBM"] else "WBK" if met["WBK"] else "TIDAK"
        assert r["predicate_by_criteria"] == expected
        for c in r["criteria"]:
            assert c["margin"] == pytest.approx(c["value"] - c["minimum"], abs=1e-12)
            assert c["met"] == (c["value"] >= c["minimum"] - 1e-9)
        if r["predicate_by_criteria"] == "WBBM":
            (pre,) = r["prerequisites"]
            assert pre["requires"] == "WBK" and pre["met"] == (r["current_predicate"] == "WBK")
    assert {r["predicate"] for r in records} == {"WBBM", "WBK", "TIDAK"}


def test_unanswered_items_are_listed_and_policy_changes_the_score(tmp_path, rubric):
    rows = [r for r in best_raw(rubric, "u1") if r["code"] not in ("PPA1A", "PPA1B", "HBB")]
    rows += [r for r in best_raw(rubric, "u2") if not r["code"].startswith("PRE3A")]
    data = read_inputs(write_csv(tmp_path / "lke.csv", rows))
    by_unit = {r["unit_id"]: r for r in unit_records(compute(data))}
    assert by_unit["u1"]["unanswered"] == ["PPA1A", "PPA1B", "HBB"]
    assert by_unit["u1"]["indicators"]["PPA1"] == 0.0  # an indicator with no answer scores 0
    assert by_unit["u1"]["items"]["HBB"] is None
    assert by_unit["u2"]["unanswered"] == ["PRE3A"]
    assert by_unit["u2"]["total"] == pytest.approx(100)  # excluded from its indicator's average
    zero = {r["unit_id"]: r for r in unit_records(compute(data, policies={"unanswered": "zero"}))}
    assert zero["u2"]["total"] == pytest.approx(99)  # PRE3 (weight 2) averages 1 and 0
    assert zero["u1"]["total"] == pytest.approx(by_unit["u1"]["total"])  # PPA1 and HBB score 0 either way
    frame = summary_frame(list(by_unit.values()))
    assert dict(zip(frame["unit_id"], frame["unanswered"])) == {"u1": 3, "u2": 1}


def test_summary_frame_columns_and_values(records):
    frame = summary_frame(records)
    assert list(frame.columns) == SUMMARY_COLUMNS
    assert len(frame) == len(records)
    first = frame.iloc[0]
    r = records[0]
    assert first["total"] == r["total"] and first["area_C"] == r["areas"]["C"]["total"]
    for row, rec in zip(frame.itertuples(), records):
        target = "WBK" if rec["predicate"] == "TIDAK" else "WBBM"
        failed = [c["code"] for c in rec["criteria"] if c["predicate"] == target and not c["met"]]
        assert row.failed_criteria == ", ".join(failed)
    tidak = frame[frame["predicate"] == "TIDAK"]
    assert len(tidak) and all(tidak["failed_criteria"] != "")


def test_score_document_with_several_tiers(sample, rubric):
    doc = score_document(sample, ["unit", "tpi", "final"], {"unanswered": "zero"})
    assert doc["rubric"] == {"id": "zi-2021", "hash": rubric.content_hash, "title": rubric.title}
    assert doc["tier"] == ["unit", "tpi", "final"]
    assert doc["policies"] == {**rubric.policy_values(None), "unanswered": "zero"}
    tiers = [u["tier"] for u in doc["units"]]
    assert tiers == ["unit"] * 12 + ["tpi"] * 12 + ["final"] * 12
    by = {(u["tier"], u["unit_id"]): u for u in doc["units"]}
    changed = [uid for uid in sample.unit_ids if by[("tpi", uid)]["total"] != by[("unit", uid)]["total"]]
    assert changed  # the reviewers re-scored some units
    for uid in sample.unit_ids:
        assert by[("final", uid)]["total"] == pytest.approx(by[("tpi", uid)]["total"])  # TPI answered every item
    single = score_document(sample, ["unit"])
    assert single["tier"] == "unit" and single["policies"]["unanswered"] == "exclude"
    json.loads(json.dumps(doc))


def test_tiers_without_answers_have_no_units(sample):
    assert score_document(sample, ["tpn"])["units"] == []
    assert unit_records(compute(sample, "tpn")) == []


def test_real_workbook_result(real_lke):
    data = read_inputs(real_lke)
    (r,) = unit_records(compute(data))
    assert r["total"] == pytest.approx(95.70952380952381, abs=1e-9)
    assert r["pengungkit"] == pytest.approx(55.70952380952381, abs=1e-9) and r["hasil"] == pytest.approx(40)
    assert r["areas"]["E"]["reform"] == pytest.approx(4.866666666666667, abs=1e-9)
    assert r["predicate_by_criteria"] == "WBBM" and r["predicate"] == "WBBM"
    assert all(c["met"] for c in r["criteria"])
    assert r["unanswered"] == [] and r["year"] is None and r["unit_name"] == "tangsel-opd-lke-zi-2021"
    assert not math.isnan(r["items"]["PRE3B"])
