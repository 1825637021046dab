from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import ROOT, answers_of, best_raw, set_raw
from zi_nb.engine.answers import select_tier
from zi_nb.engine.scoring import score_answers
from zi_nb.lke.sample import BUNDLED, synthetic_raw

sys.path.insert(0, str(ROOT / "benchmarks"))
from naive_scoring import naive_scores


def test_all_best_answers_score_100(rubric):
    s = score_answers(answers_of(rubric, best_raw(rubric)), rubric)
    assert s.total["u1"] == pytest.approx(100)
    assert s.components.loc["u1", "PENGUNGKIT"] == pytest.approx(60)
    assert s.components.loc["u1", "BERSIH"] == pytest.approx(22.5)
    assert not s.items.isna().any().any()


def test_item_values_per_answer_type(rubric):
    rows = best_raw(rubric)
    rows = set_raw(rows, "PPA3A", "B")  # A/B/C/D -> 0.67 literal
    rows = set_raw(rows, "PPB1B", "D")  # A/B/C/D/E -> 0.25
    rows = set_raw(rows, "PPA1B", "B")  # A/B/C -> 0.5
    rows = set_raw(rows, "HBA", "3,6")  # decimal comma
    rows = set_raw(rows, "HPA", 4.7)  # clamped
    s = score_answers(answers_of(rubric, rows), rubric)
    items = s.items.loc["u1"]
    assert items["PPA3A"] == 0.67 and items["PPB1B"] == 0.25 and items["PPA1B"] == 0.5
    assert items["HBA"] == pytest.approx(0.9) and items["HPA"] == 1.0
    assert s.indicators.loc["u1", "HBA"] == pytest.approx(15.75)
    assert s.indicators.loc["u1", "PPA3"] == pytest.approx((1 + 0.67 + 1) / 3 * 1.0)


@pytest.mark.parametrize("prev, cur, expected", [(0, 0, 1.0), (4, 1, 0.75), (4, 6, 0.0), (0, 2, 0.0)])
def test_prc3a_decrease_rule(rubric, prev, cur, expected):
    rows = set_raw(best_raw(rubric), "PRC3A.pelanggaran_tahun_sebelumnya", prev)
    rows = set_raw(rows, "PRC3A.pelanggaran_tahun_ini", cur)
    assert score_answers(answers_of(rubric, rows), rubric).items.loc["u1", "PRC3A"] == pytest.approx(expected)


def test_pengaduan_policies(rubric):
    rows = set_raw(best_raw(rubric), "PRE2A.pengaduan_harus_ditindaklanjuti", 6)
    rows = set_raw(rows, "PRE2A.pengaduan_sedang_diproses", 1)
    rows = set_raw(rows, "PRE2A.pengaduan_selesai", 1)
    a = answers_of(rubric, rows)
    assert score_answers(a, rubric).items.loc["u1", "PRE2A"] == pytest.approx(1 / 6)
    alt = score_answers(a, rubric, policies={"pengaduan_base": "diproses_selesai"})
    assert alt.items.loc["u1", "PRE2A"] == pytest.approx(0.5)
    assert alt.policies["pengaduan_base"] == "diproses_selesai"
    zero = answers_of(rubric, set_raw(set_raw(set_raw(rows, "PRE2A.pengaduan_harus_ditindaklanjuti", 0),
                                              "PRE2A.pengaduan_selesai", 0), "PRE2A.pengaduan_sedang_diproses", 0))
    assert score_answers(zero, rubric).items.loc["u1", "PRE2A"] == 1.0
    assert np.isnan(score_answers(zero, rubric, policies={"pengaduan_nol": "unanswered"}).items.loc["u1", "PRE2A"])


def test_lhkpn_base_is_stated_total_else_sum_of_parts(rubric):
    rows = best_raw(rubric)
    rows = set_raw(rows, "PRE3B.wajib_total", 12)
    rows = set_raw(rows, "PRE3B.wajib_eselon_iii", 0)
    rows = set_raw(rows, "PRE3B.wajib_eselon_iv", 1)
    rows = set_raw(rows, "PRE3B.wajib_fungsional_pelaksana", 12)
    rows = set_raw(rows, "PRE3B.sudah_melaporkan", 12)
    assert score_answers(answers_of(rubric, rows), rubric).items.loc["u1", "PRE3B"] == 1.0
    rows = set_raw(rows, "PRE3B.wajib_total", None)
    assert score_answers(answers_of(rubric, rows), rubric).items.loc["u1", "PRE3B"] == pytest.approx(12 / 13)


def test_zero_base_makes_item_unanswered(rubric):
    rows = set_raw(best_raw(rubric), "PRD1A.jumlah_sasaran", 0)
    s = score_answers(answers_of(rubric, rows), rubric)
    assert np.isnan(s.items.loc["u1", "PRD1A"])
    assert "PRD1A" in s.unanswered()["u1"]


def test_unanswered_policy(rubric):
    rows = [r for r in best_raw(rubric) if r["code"] != "PPA1B"]
    a = answers_of(rubric, rows)
    exclude = score_answers(a, rubric)
    zero = score_answers(a, rubric, policies={"unanswered": "zero"})
    assert exclude.indicators.loc["u1", "PPA1"] == pytest.approx(0.5)
    assert zero.indicators.loc["u1", "PPA1"] == pytest.approx(0.25)
    assert exclude.unanswered()["u1"] == ["PPA1B"] == zero.unanswered()["u1"]
    empty = [r for r in rows if r["code"] != "PPA1A"]
    assert score_answers(answers_of(rubric, empty), rubric).indicators.loc["u1", "PPA1"] == 0


def test_final_takes_latest_tier_per_item(rubric):
    rows = [*best_raw(rubric), {"unit_id": "u1", "tier": "tpi", "code": "PPA1B", "raw": "C"},
            {"unit_id": "u1", "tier": "tpi2", "code": "PPA1B", "raw": "B"},
            {"unit_id": "u1", "tier": "tpi", "code": "PPA2B", "raw": "C"},
            {"unit_id": "u1", "tier": "tpn", "code": "PPA2B", "raw": "B"}]
    a = answers_of(rubric, rows)
    final = score_answers(a, rubric, tier="final").items.loc["u1"]
    assert final["PPA1B"] == 0.5 and final["PPA2B"] == 0.5 and final["PPA1A"] == 1
    tpi = score_answers(a, rubric, tier="tpi")
    assert tpi.items.loc["u1", "PPA1B"] == 0.5 and tpi.items.loc["u1", "PPA2B"] == 0
    assert tpi.items.loc["u1"].notna().sum() == 2
    assert score_answers(a, rubric, tier="unit").total["u1"] == pytest.approx(100)


def test_vectorised_equals_naive_loop(rubric):
    raw = synthetic_raw(BUNDLED, rubric, seed=7)
    a = answers_of(rubric, raw.to_dict("records"))
    for policies in ({}, {"unanswered": "zero", "pengaduan_base": "diproses_selesai"}):
        s = score_answers(a, rubric, tier="tpi", policies=policies)
        naive = naive_scores(select_tier(a, "tpi"), rubric, policies)
        for unit_id, expected in naive.items():
            assert s.total[unit_id] == pytest.approx(expected["total"], abs=1e-9)
            for ind in rubric.indicators:
                assert s.indicators.loc[unit_id, ind.code] == pytest.approx(expected[ind.code], abs=1e-9)
            for comp in ("PEMENUHAN", "REFORM", "BERSIH", "PRIMA"):
                assert s.components.loc[unit_id, comp] == pytest.approx(expected[comp], abs=1e-9)


# -- properties -----------------------------------------------------------------------------------------------------
OPTION_ITEMS = None


def _random_rows(rubric, data) -> list[dict]:
    rows = []
    for item in rubric.items:
        at = rubric.answer_types[item.answer_type]
        if at.kind == "option":
            choice = data.draw(st.sampled_from([None, *at.options]))
            if choice is not None:
                rows.append({"unit_id": "u", "code": item.code, "raw": choice})
        elif at.kind == "index":
            rows.append({"unit_id": "u", "code": item.code,
                         "raw": data.draw(st.floats(min_value=-1, max_value=6, allow_nan=False))})
        else:
            for inp in item.inputs:
                v = data.draw(st.one_of(st.none(), st.integers(min_value=0, max_value=30)))
                if v is not None:
                    rows.append({"unit_id": "u", "code": f"{item.code}.{inp.name}", "raw": v})
    return rows


@settings(max_examples=60, deadline=None)
@given(data=st.data(), unanswered=st.sampled_from(["exclude", "zero"]))
def test_scores_within_bounds(rubric, data, unanswered):
    rows = _random_rows(rubric, data)
    if not rows:
        return
    s = score_answers(answers_of(rubric, rows), rubric, policies={"unanswered": unanswered})
    items = s.items.to_numpy()
    assert np.all((items[~np.isnan(items)] >= 0) & (items[~np.isnan(items)] <= 1))
    weights = np.array([i.weight for i in rubric.indicators])
    ind = s.indicators.to_numpy()[0]
    assert np.all(ind >= -1e-12) and np.all(ind <= weights + 1e-9)
    assert 0 <= s.total.iloc[0] <= 100 + 1e-9
    for comp in rubric.components:
        assert s.components.iloc[0][comp.code] <= comp.weight + 1e-9


@settings(max_examples=60, deadline=None)
@given(data=st.data(), unanswered=st.sampled_from(["exclude", "zero"]))
def test_better_answer_never_lowers_any_score(rubric, data, unanswered):
    rows = best_raw(rubric)
    option_items = [i for i in rubric.items if rubric.answer_types[i.answer_type].kind == "option"]
    # start from a random answer sheet (all answered), then improve one option item by one step
    for item in option_items:
        options = list(rubric.answer_types[item.answer_type].options)
        rows = set_raw(rows, item.code, data.draw(st.sampled_from(options)))
    target = data.draw(st.sampled_from(option_items))
    options = rubric.answer_types[target.answer_type].options
    current = next(r["raw"] for r in rows if r["code"] == target.code)
    better = [o for o, v in options.items() if v > options[current]]
    if not better:
        return
    improved = set_raw(rows, target.code, data.draw(st.sampled_from(better)))
    policies = {"unanswered": unanswered}
    before = score_answers(answers_of(rubric, rows), rubric, policies=policies)
    after = score_answers(answers_of(rubric, improved), rubric, policies=policies)
    for frame in ("indicators", "components", "areas"):
        diff = getattr(after, frame).to_numpy() - getattr(before, frame).to_numpy()
        assert np.all(diff >= -1e-12)
    assert after.total.iloc[0] > before.total.iloc[0]


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_100_only_for_all_best(rubric, data):
    rows = best_raw(rubric)
    item = data.draw(st.sampled_from(rubric.items))
    at = rubric.answer_types[item.answer_type]
    if at.kind == "option":
        worse = [o for o, v in at.options.items() if v < max(at.options.values())]
        rows = set_raw(rows, item.code, data.draw(st.sampled_from(worse)))
    elif at.kind == "index":
        rows = set_raw(rows, item.code, data.draw(st.floats(min_value=0, max_value=3.99)))
    elif item.rule.kind == "decrease":
        rows = set_raw(rows, f"{item.code}.{item.rule.current}", data.draw(st.integers(min_value=1, max_value=9)))
    else:
        rows = set_raw(rows, f"{item.code}.{item.rule.numerator}", data.draw(st.integers(min_value=0, max_value=9)))
    s = score_answers(answers_of(rubric, rows), rubric)
    assert s.total.iloc[0] < 100


def test_many_units_at_once_equal_one_by_one(rubric):
    raw = synthetic_raw(BUNDLED[:4], rubric, seed=3)
    a = answers_of(rubric, raw.to_dict("records"))
    together = score_answers(a, rubric, tier="final")
    for unit_id in together.unit_ids:
        alone = score_answers(a[a["unit_id"] == unit_id], rubric, tier="final")
        pd.testing.assert_series_equal(alone.indicators.loc[unit_id], together.indicators.loc[unit_id])
