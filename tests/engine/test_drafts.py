"""Drafts of catatan and rekomendasi from the rubric (zi_nb.engine.improve.drafts)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import answers_of, best_raw, set_raw
from zi_nb.engine.improve.drafts import action_text, area_drafts, option_criteria
from zi_nb.engine.scoring import score_answers


def _scores(rubric, rows):
    return score_answers(answers_of(rubric, rows), rubric, tier="unit")


def test_option_criteria_reads_each_letter_and_the_ya_condition():
    text = "a. Jika semua SOP lengkap b. Jika sebagian SOP c. Jika belum ada"
    assert option_criteria(text) == {"A": "Jika semua SOP lengkap", "B": "Jika sebagian SOP", "C": "Jika belum ada"}
    assert option_criteria("Ya, jika Tim telah dibentuk.") == {"Ya": "Ya, jika Tim telah dibentuk."}


def test_the_action_is_the_next_better_options_criteria(rubric):
    item = rubric.item_by_code["PPA1A"]
    assert action_text(rubric, item, "Ya") == "Pastikan tim telah dibentuk di dalam unit kerja."
    sop = rubric.item_by_code["PPB1A"]
    assert action_text(rubric, sop, "A").startswith("Pastikan semua SOP unit telah mengacu peta proses bisnis")
    custom = sop.model_copy(update={"action": "Susun dan tetapkan SOP yang mengacu peta proses bisnis."})
    assert action_text(rubric, custom, "A") == "Susun dan tetapkan SOP yang mengacu peta proses bisnis."


def test_a_unit_at_its_best_has_no_actions_and_one_weaker_item_has_one(rubric):
    best = best_raw(rubric)
    drafts = area_drafts(rubric, _scores(rubric, best), "u1")
    assert set(drafts) == {a.code for a in rubric.areas}
    assert all(not d.actions for d in drafts.values())
    assert "sudah pada jawaban terbaik" in drafts["A"].catatan
    weaker = area_drafts(rubric, _scores(rubric, set_raw(best, "PPB1A", "C")), "u1")
    (action,) = weaker["B"].actions
    assert (action.code, action.answer_from, action.answer_to) == ("PPB1A", "C", "B")  # the next better, not A
    assert action.text.startswith("Pastikan semua SOP unit telah mengacu peta proses bisnis")
    assert action.gain > 0 and "1 butir" in weaker["B"].catatan


def test_unanswered_items_get_no_action_and_an_unassessed_area_says_so(rubric):
    def area_of(code: str) -> str | None:
        return rubric.indicator_by_code[rubric.item_by_code[code.split(".")[0]].indicator].area

    rows = [r for r in best_raw(rubric) if area_of(r["code"]) != "A"]
    drafts = area_drafts(rubric, _scores(rubric, rows), "u1")
    assert not drafts["A"].actions and "Belum ada butir" in drafts["A"].catatan
    pemenuhan_only = [r for r in best_raw(rubric) if not r["code"].startswith("PPA")]
    half = area_drafts(rubric, _scores(rubric, pemenuhan_only), "u1")["A"].catatan
    assert "butir belum dinilai" in half and "Semua butir" not in half


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_action_raises_an_item_below_its_best_and_larger_gains_come_first(rubric, data):
    options = [i for i in rubric.items if rubric.answer_types[i.answer_type].kind == "option"
               and rubric.indicator_by_code[i.indicator].area is not None]
    chosen = data.draw(st.lists(st.sampled_from(options), min_size=1, max_size=12, unique_by=lambda i: i.code))
    rows = best_raw(rubric)
    for item in chosen:
        worst = min(rubric.answer_types[item.answer_type].options.items(), key=lambda kv: kv[1])[0]
        rows = set_raw(rows, item.code, worst)
    drafts = area_drafts(rubric, _scores(rubric, rows), "u1")
    acted = {a.code for d in drafts.values() for a in d.actions}
    assert acted == {i.code for i in chosen}
    for d in drafts.values():
        per_indicator: dict[str, float] = {}
        for a in d.actions:
            per_indicator[a.indicator] = per_indicator.get(a.indicator, 0.0) + a.gain
        order = list(dict.fromkeys(a.indicator for a in d.actions))
        sums = [round(per_indicator[i], 9) for i in order]
        assert sums == sorted(sums, reverse=True)  # grouped per indicator, largest gains first


def test_the_rekomendasi_names_the_largest_gains_and_counts_the_rest(rubric):
    from zi_nb.engine.improve.drafts import DRAFT_ACTIONS

    rows = best_raw(rubric)
    area_e = [i for i in rubric.items if rubric.indicator_by_code[i.indicator].area == "E"
              and rubric.answer_types[i.answer_type].kind == "option"]
    for item in area_e:
        worst = min(rubric.answer_types[item.answer_type].options.items(), key=lambda kv: kv[1])[0]
        rows = set_raw(rows, item.code, worst)
    draft = area_drafts(rubric, _scores(rubric, rows), "u1")["E"]
    lines = draft.rekomendasi.splitlines()
    assert len(draft.actions) == len(area_e) > DRAFT_ACTIONS
    assert lines[:DRAFT_ACTIONS] == [f"- {a.text}" for a in draft.actions[:DRAFT_ACTIONS]]
    assert lines[-1] == f"- Perbaiki pula {len(area_e) - DRAFT_ACTIONS} butir lain di area ini (lihat Butir terlemah)."
