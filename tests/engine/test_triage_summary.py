"""One unit's triage in words (zi_nb.engine.triage.summary.unit_summary): what the app's "Risiko" view and the ledger
service's ``api/risiko?unit=U`` show, checked against the triage's own table and reasons on the sample."""

from __future__ import annotations

import json
import math

import pytest

from zi_nb.engine.triage import SIGNALS, triage, unit_summary
from zi_nb.engine.triage.summary import CLAIM, label_predicates, ordered_reasons, signal_name
from zi_nb.lke.inputs import read_inputs
from zi_nb.lke.sample import bundled_paths

MANY_UNIT = "kua-sukamaju"  # gap, inconsistency, threshold hugging and reused evidence at once
ITEMS_UNIT = "kanim-sukawangi"  # meets a predikat: items to check first


@pytest.fixture(scope="module")
def data():
    return read_inputs(list(bundled_paths()))


@pytest.fixture(scope="module")
def result(data):
    found = triage(data.answers, data.units, data.rubric)
    label_predicates(data, None, found, None, "id")
    return found


@pytest.mark.parametrize("unit", [MANY_UNIT, ITEMS_UNIT])
def test_the_summary_is_the_units_row_reasons_and_signals(result, unit):
    row = result.table.set_index("unit_id").loc[unit]
    found = unit_summary(result, unit)
    assert found is not None
    weights = result.config.weights
    assert (found["unit_id"], found["score"], found["rank"], found["count"]) == (
        unit, float(row["risk"]), int(row["rank"]), len(result.table))
    assert found["maximum"] == sum(weights.values()) == 100
    assert found["predicate"] == row["predicate"] and found["predicate_text"] == row["predicate_text"]
    assert found["total_unit"] == float(row["total_unit"]) and found["items_to_check"] == list(row["items_to_check"])
    assert found["max_items"] == result.config.max_items and found["weights_file"] == "triage-bobot.yaml"
    signals = found["signals"]
    assert sorted(s["key"] for s in signals) == sorted(SIGNALS)
    points = [s["points"] for s in signals]
    assert points == sorted(points, reverse=True)  # the one weighing most first
    for s in signals:
        assert s["name"] == signal_name(s["key"]) and s["weight"] == weights[s["key"]]
        assert s["strength"] == float(row[f"s_{s['key']}"]) and math.isclose(s["points"], s["strength"] * s["weight"])
    # the reasons of each signal in the order of the triage page, every reason in the engine's order
    by_signal = [(s["key"], t) for s in signals for t in s["reasons"]]
    assert sorted(by_signal) == sorted(ordered_reasons(result)[unit]) and by_signal
    for key in SIGNALS:
        assert [t for k, t in by_signal if k == key] == [t for k, t in ordered_reasons(result)[unit] if k == key]
    assert found["reasons"] == result.reasons_of(unit)
    assert json.loads(json.dumps(found)) == found  # plain values: the service answers it as it is


def test_a_unit_not_reviewed_is_a_claim_and_an_unknown_unit_has_no_summary(result, data):
    assert unit_summary(result, "tidak-ada") is None
    bare = triage(data.answers, data.units, data.rubric)
    plain = unit_summary(bare, ITEMS_UNIT)
    assert plain is not None and plain["predicate_text"] is None  # not labelled: never a bare code as the text
    reviewed = unit_summary(result, ITEMS_UNIT)
    assert reviewed is not None and reviewed["total_reviewed"] is not None and CLAIM["id"] not in str(
        reviewed["predicate_text"])


def test_english_names_and_reasons(result):
    found = unit_summary(result, MANY_UNIT, "en")
    assert found is not None
    assert {s["name"] for s in found["signals"]} == {signal_name(k, "en") for k in SIGNALS}
    assert found["reasons"] == result.reasons_of(MANY_UNIT, "en")


def test_the_report_uses_the_engines_labels():
    from zi_nb.report import triage_page

    assert triage_page.ordered_reasons is ordered_reasons and triage_page.signal_name is signal_name
    assert triage_page.label_predicates is label_predicates and triage_page.CLAIM is CLAIM
