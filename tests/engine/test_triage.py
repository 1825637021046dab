"""Triage of self-assessments (issue 19): each signal on hand-made units, the ranking, the items to check first and
the nomination within a quota."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import answers_of, best_raw, set_raw
from zi_nb.engine.predicate import evaluate
from zi_nb.engine.rubric import load_rubric
from zi_nb.engine.scoring import score_answers
from zi_nb.engine.triage import SIGNALS, load_config, nominate, triage
from zi_nb.engine.triage.checks import downgrade_sets
from zi_nb.engine.triage.quota import IN, NEAR, OUT
from zi_nb.errors import ParameterError, RubricError

RUBRIC = load_rubric()


def clean(unit_id: str, tier: str = "unit") -> list[dict]:
    """Every item at its best, Jumlah inputs that add up, a note and a link of its own on every row."""
    rows = set_raw(best_raw(RUBRIC, unit_id, tier), "PRE2A.pengaduan_sedang_diproses", 0)
    for n, r in enumerate(rows):
        r["note"] = f"catatan {unit_id} {n}"
        r["evidence"] = f"https://drive.example.go.id/{unit_id}/{r['code']}.pdf"
    return rows


def meta(*rows: tuple[str, str, str, int]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit_id", "unit_name", "instansi", "year"])


def run(rows: list[dict], units: pd.DataFrame, rubric=RUBRIC, **kw):
    return triage(answers_of(rubric, rows), units, rubric, **kw)


def strengths(result, unit: str) -> dict[str, float]:
    return {s: float(result.strengths.at[unit, s]) for s in SIGNALS}


def lower(rows: list[dict], codes: list[str], tier: str | None = None) -> list[dict]:
    """Each option item of ``codes`` set to its lowest answer (rows of ``tier`` only when given)."""
    out = [dict(r) for r in rows]
    for r in out:
        if r["code"] in codes and (tier is None or r["tier"] == tier):
            options = RUBRIC.answer_types[RUBRIC.item_by_code[r["code"]].answer_type].options
            r["raw"] = min(options, key=options.get)
    return out


def test_clean_units_raise_no_signal():
    result = run(clean("a") + clean("b"), meta(("a", "Unit A", "Inst 1", 2024), ("b", "Unit B", "Inst 2", 2024)))
    for unit in ("a", "b"):
        assert strengths(result, unit) == dict.fromkeys(SIGNALS, 0.0)
    assert result.reasons.empty
    assert list(result.table["rank"]) == [1, 2] and list(result.table["unit_id"]) == ["a", "b"]


def test_inconsistency_rules_are_the_rubrics_with_their_text():
    rows = lower(clean("a"), ["PPA1A"])  # no team, yet PPA1B stays A
    rows = set_raw(rows, "PRE3A.wajib_total", 99)  # the parts no longer add up
    result = run(rows, meta(("a", "Unit A", "Inst", 2024)))
    texts = result.reasons_of("a")
    rule = {r.code: r for r in RUBRIC.consistency}
    assert rule["tim_belum_dibentuk"].text in texts
    assert rule["jumlah_wajib_lhkpn"].text in texts
    assert rule["tim_belum_dibentuk"].text_en in result.reasons_of("a", "en")
    assert strengths(result, "a")["inconsistency"] == pytest.approx(min(1.0, 2 / 2))


def test_a_percent_item_at_100_with_zero_base_is_inconsistent():
    rows = clean("a")
    for name in ("jumlah_agen_perubahan", "jumlah_perubahan_dibuat"):
        rows = set_raw(rows, f"PRA1A.{name}", 0)
    units = meta(("a", "Unit A", "Inst", 2024))
    assert run(rows, units).reasons_of("a") == []  # a zero base alone scores nothing: no contradiction
    stated = run([*rows, {"unit_id": "a", "tier": "unit", "code": "PRA1A", "raw": "100%"}], units)
    zero = next(r for r in RUBRIC.consistency if r.kind == "zero_base")
    assert stated.reasons_of("a") == [f"{zero.text} (PRA1A)"]


def test_thin_evidence_counts_high_answers_without_evidence():
    rows = clean("a")
    for r in rows:
        if r["code"] in ("PPA1A", "PPA2A", "PPB1A"):
            r["evidence"] = None
    result = run(rows, meta(("a", "Unit A", "Inst", 2024)))
    scale = load_config().scale["evidence_items"]
    assert strengths(result, "a")["evidence"] == pytest.approx(3 / scale)
    assert any("PPA1A, PPA2A, PPB1A" in t for t in result.reasons_of("a"))


def test_threshold_hugging_reads_the_rubrics_criteria(tmp_path):
    rows = lower(clean("a"), ["PPA1B", "PPB1A", "PPC1B", "PPD1A", "PRB1A"])
    total = float(score_answers(answers_of(RUBRIC, rows), RUBRIC, "unit").total.iloc[0])

    def rubric_with(minimum: float):
        path = tmp_path / f"r{minimum:.3f}.yaml"
        path.write_text("extends: zi-2021\nid: uji\npredicates:\n- code: WBK\n  name: Menuju WBK\n  criteria:\n"
                        f"  - code: total\n    name: Nilai total\n    measure: total\n    minimum: {minimum}\n",
                        encoding="utf-8")
        return load_rubric(path)

    share = load_config().scale["hugging_share"]
    units = meta(("a", "Unit A", "Inst", 2024))
    close = run(rows, units, rubric_with(total - 0.5))
    assert strengths(close, "a")["hugging"] == pytest.approx(1 - 0.5 / (share * (total - 0.5)))
    assert any("hanya 0,50 di atas batas" in t for t in close.reasons_of("a"))
    assert strengths(run(rows, units, rubric_with(total - 10)), "a")["hugging"] == 0.0
    assert strengths(run(rows, units, rubric_with(total + 0.1)), "a")["hugging"] == 0.0  # below: not hugging


def test_copying_of_notes_and_evidence_within_an_instansi():
    copy = [dict(r, unit_id="b") for r in clean("a")]
    units = meta(("a", "Unit A", "Inst", 2024), ("b", "Unit B", "Inst", 2024))
    result = run(clean("a") + copy, units)
    assert strengths(result, "a")["copying"] == 1.0 and strengths(result, "b")["copying"] == 1.0
    assert any("sama persis" in t and "unit a" in t for t in result.reasons_of("b"))
    elsewhere = run(clean("a") + copy, meta(("a", "Unit A", "Inst 1", 2024), ("b", "Unit B", "Inst 2", 2024)))
    assert strengths(elsewhere, "b")["copying"] == pytest.approx(
        min(1.0, len([i for i in RUBRIC.items]) / load_config().scale["reused_items"]))  # the links are reused


def test_change_since_last_period_and_only_latest_periods_ranked():
    before = lower(clean("a-2023"), [i.code for i in RUBRIC.items if i.code.startswith(("PPA", "PPB", "PPC"))])
    units = meta(("a-2023", "Unit A", "Inst", 2023), ("a-2024", "Unit A", "Inst", 2024))
    result = run(before + clean("a-2024"), units)
    assert list(result.table["unit_id"]) == ["a-2024"]
    assert strengths(result, "a-2024")["change"] == 1.0
    assert any("periode sebelumnya (a-2023)" in t for t in result.reasons_of("a-2024"))
    assert strengths(result, "a-2024")["copying"] == 0.0  # a unit's own earlier period is not a copy source


def test_gap_against_the_reviewer_and_the_instansi_history():
    reviewed = clean("a") + lower(clean("a", "tpi"), ["PPA1B", "PPB1A", "PPC1B"], "tpi")
    units = meta(("a", "Unit A", "Inst", 2024), ("b", "Unit B", "Inst", 2024), ("c", "Unit C", "Other", 2024))
    result = run(reviewed + clean("b") + clean("c"), units)
    gap = float(result.unit_scores.total["a"] - result.final_scores.total["a"])
    assert gap > 0 and strengths(result, "a")["gap"] == pytest.approx(min(1, gap / load_config().scale["gap_points"]))
    assert strengths(result, "b")["gap"] == strengths(result, "a")["gap"]  # not reviewed: its instansi's history
    assert any(t.startswith("Belum direviu") and t.endswith("paling sering diturunkan: PPA1B, PPB1A, PPC1B")
               for t in result.reasons_of("b"))
    assert strengths(result, "c")["gap"] == 0.0


OPTION_ITEMS = [i.code for i in RUBRIC.items if RUBRIC.answer_types[i.answer_type].kind == "option"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sets(st.sampled_from(OPTION_ITEMS), min_size=1, max_size=25),
       st.sets(st.sampled_from(OPTION_ITEMS), max_size=10))
def test_raising_a_units_answers_never_lowers_its_gap(low, raised):
    tpi = lower(clean("a", "tpi"), sorted(low | raised), "tpi")
    before = lower(clean("a"), sorted(low | raised), "unit")
    after = lower(clean("a"), sorted(low - raised), "unit")
    units = meta(("a", "Unit A", "Inst", 2024))
    gap = [float(run(rows + tpi, units).unit_scores.total["a"] - run(rows + tpi, units).final_scores.total["a"])
           for rows in (before, after)]
    assert gap[1] >= gap[0] - 1e-9


def test_ranking_is_deterministic_and_ignores_row_order():
    rows = lower(clean("a"), ["PPA1A"]) + clean("b") + [dict(r, unit_id="c") for r in clean("b")]
    units = meta(("a", "A", "I", 2024), ("b", "B", "I", 2024), ("c", "C", "I", 2024))
    first = run(rows, units).table
    shuffled = [rows[i] for i in np.random.default_rng(3).permutation(len(rows))]
    second = run(shuffled, units.iloc[::-1]).table
    cols = ["rank", "unit_id", "risk"]
    pd.testing.assert_frame_equal(first[cols], second[cols])
    order = list(first["unit_id"])
    assert order.index("c") == order.index("b") + 1  # b and c tie (copies of each other): unit id decides
    assert first["risk"].iloc[order.index("b")] == first["risk"].iloc[order.index("c")]


def test_items_to_check_drop_the_predikat_when_downgraded():
    result = run(clean("a"), meta(("a", "Unit A", "Inst", 2024)))
    items = result.table.at[0, "items_to_check"]
    assert result.table.at[0, "predicate"] == "WBBM" and items
    answers = answers_of(RUBRIC, lower(clean("a"), items))
    assert evaluate(score_answers(answers, RUBRIC, "unit")).by_criteria["a"] != "WBBM"
    shorter = answers_of(RUBRIC, lower(clean("a"), items[:-1]))
    assert evaluate(score_answers(shorter, RUBRIC, "unit")).by_criteria["a"] == "WBBM"
    assert downgrade_sets(result.unit_scores, ["a"], 0) == {"a": []}  # no room to search: nothing found


def test_quota_in_out_and_near_with_reasons():
    weak_survey = set_raw(clean("d"), "HPA", 2.5)  # only the IPKP criterion fails
    rows = clean("a") + lower(clean("b"), ["PPA1B"]) + lower(clean("c"), ["PPA1B", "PPB1A"]) + weak_survey
    units = meta(("a", "A", "I1", 2024), ("b", "B", "I2", 2024), ("c", "C", "I3", 2024), ("d", "D", "I4", 2024))
    result = run(rows, units)
    table = nominate(result, 2)
    status = dict(zip(table["unit_id"], table["status"]))
    assert list(table["status"]).count(IN) == 2 and status["d"] == NEAR
    assert [s for u, s in status.items() if u != "d"].count(OUT) == 1
    near = table[table["unit_id"].eq("d")].iloc[0]
    assert "Survei IPKP" in near["reason"] and "would become" in near["reason_en"]
    first = table.iloc[0]
    assert first["place"] == 1 and "kuota 2" in first["reason"]
    assert list(table["place"].dropna()) == [1, 2, 3]
    with pytest.raises(ValueError):
        nominate(result, -1)


def test_weights_are_data(tmp_path):
    config = load_config()
    assert set(config.weights) == set(SIGNALS) and config.source.endswith("triage-bobot.yaml")
    with pytest.raises(ParameterError, match="tidak dapat dibaca"):
        load_config(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("weights: {gap: 1}\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="inconsistency"):
        load_config(bad)


def test_consistency_rules_are_checked_with_the_rubric(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("extends: zi-2021\nid: uji\nconsistency:\n- code: x\n  kind: cap\n  when: NOPE\n  then: PPA1B\n"
                    "  text: contoh\n", encoding="utf-8")
    with pytest.raises(RubricError, match="NOPE"):
        load_rubric(path)
    assert load_rubric().content_hash == RUBRIC.content_hash  # the rules do not change the rubric's identity
