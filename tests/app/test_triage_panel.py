"""The unit's risk signals in the evaluator app (issue 19): the "Risiko" view of a unit's review and the risk figure
and order of the unit list, driven through the widgets' handlers (no browser).

The expectations come from :func:`zi_nb.engine.triage.triage` run here on the same data, so a view that shows
another unit's figures, drops a signal or loses the ledger fails.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from zi_nb.app.session import Session, load_data
from zi_nb.app.triage_panel import local_risk
from zi_nb.app.workbench import Root, Workbench
from zi_nb.common.fmt import num
from zi_nb.engine.triage import triage
from zi_nb.report.triage_page import CLAIM, label_predicates, ordered_reasons, signal_name

EVIDENCE_UNIT = "rsud-mekarsari"  # the sample's planted evidence problem: high answers without checkable evidence
MANY_UNIT = "kua-sukamaju"  # gap, inconsistency, threshold hugging and reused evidence at once
ITEMS_UNIT = "kanim-sukawangi"  # meets a predikat: items to check first


@pytest.fixture(scope="module")
def data():
    return load_data()


@pytest.fixture(scope="module")
def expected(data):
    result = triage(data.answers, data.units, data.rubric)
    label_predicates(data, None, result, None, "id")
    return result


@pytest.fixture
def ledger_path(tmp_path) -> Path:
    return tmp_path / "ledger.sqlite"


def bench_of(data, unit: str, ledger_path: Path, **kw) -> Workbench:
    return Workbench(Session(data, unit, "tpi", "Penilai Uji", str(ledger_path)),
                     risk=lambda: local_risk(data, str(ledger_path)), **kw)


def params(ledger_path: Path, unit: str = "") -> dict[str, str]:
    return {"input_path": "", "units_path": "", "unit_id": unit, "tier": "tpi", "evaluator": "Penilai Uji",
            "ledger_path": str(ledger_path)}


def picker_rows(root: Root) -> list:
    return list(root.widget.children[1].children[-1].children)


def figures(rows: list) -> list[tuple[float, int]]:
    """(risk, rank) of each row's "Risiko 47,5 · #1"."""
    out = []
    for row in rows:
        m = re.search(r"Risiko (\d+,\d) · #(\d+)", row.children[0].value)
        assert m, row.children[0].value[:200]
        out.append((float(m.group(1).replace(",", ".")), int(m.group(2))))
    return out


def test_the_sample_plants_the_signals_the_tests_rely_on(expected):
    table = expected.table.set_index("unit_id")
    assert table.at[EVIDENCE_UNIT, "s_evidence"] > 0
    assert (table.loc[MANY_UNIT, ["s_gap", "s_inconsistency", "s_hugging", "s_copying"]] > 0).all()
    assert table.at[ITEMS_UNIT, "items_to_check"]


@pytest.mark.parametrize("unit", [EVIDENCE_UNIT, MANY_UNIT])
def test_risiko_view_shows_score_rank_and_every_signal_in_words(data, expected, ledger_path, unit):
    bench = bench_of(data, unit, ledger_path)
    assert bench.body.children[1] is bench.card
    bench.risk.button.click()
    assert bench.body.children[1] is bench.risk.widget and bench.risk.button.description == "Kembali ke butir"
    shown = html.unescape(bench.risk.head.value)
    row = expected.table.set_index("unit_id").loc[unit]
    assert f"{num(float(row['risk']), 1)} <small>dari 100</small>" in shown
    assert f"peringkat {int(row['rank'])} dari {len(expected.table)} unit" in shown
    reasons = ordered_reasons(expected)[unit]
    assert reasons
    for signal, text in reasons:
        assert signal_name(signal) in shown and text in shown
        assert f"kekuatan {num(float(row[f's_{signal}']))}" in shown
    quiet = [signal_name(s) for s in ("gap", "inconsistency", "evidence", "hugging", "copying", "change")
             if row[f"s_{s}"] == 0]
    assert all(name in shown.split("Tanpa sinyal:")[1] for name in quiet)
    # the predikat is the unit's own claim, never shown bare
    assert "Predikat menurut penilaian mandiri unit (PMPZI)" in shown and f"<b>{row['predicate_text']}</b>" in shown
    assert re.search(r"\d\.\d", re.sub(r"<[^>]*>|style=\"[^\"]*\"", "", shown)) is None  # comma decimals only
    bench.risk.button.click()
    assert bench.body.children[1] is bench.card and bench.risk.button.description == "Risiko"


def test_evidence_signal_names_the_items_without_checkable_evidence(data, ledger_path):
    bench = bench_of(data, EVIDENCE_UNIT, ledger_path)
    bench.risk.toggle()
    assert "Bukti dukung tipis" in bench.risk.head.value
    assert "tanpa bukti dukung yang dapat diperiksa: PPA1A, PPA3A" in bench.risk.head.value
    assert not bench.risk.item_buttons  # it meets no predikat: nothing to downgrade
    assert {"PPA1A", "PPA3A"} <= set(bench.risk.named_buttons)  # the items its reasons name open from the view too
    bench.risk.named_buttons["PPA3A"].click()
    assert bench.code == "PPA3A" and bench.body.children[1] is bench.card


def test_an_item_to_check_opens_the_item_in_the_review(data, expected, ledger_path):
    bench = bench_of(data, ITEMS_UNIT, ledger_path)
    items = expected.table.set_index("unit_id").at[ITEMS_UNIT, "items_to_check"]
    assert bench.code != items[0]
    bench.risk.button.click()
    assert list(bench.risk.item_buttons) == list(items)
    assert any("Butir yang diperiksa lebih dulu" in getattr(c, "value", "") for c in bench.risk.widget.children)
    bench.risk.item_buttons[items[0]].click()
    assert bench.code == items[0] and bench.body.children[1] is bench.card
    assert items[0] in bench.crumb.value and bench.risk.button.description == "Risiko"


def test_the_catatan_mode_and_the_risiko_view_take_turns(data, ledger_path):
    bench = bench_of(data, ITEMS_UNIT, ledger_path)
    bench.risk.button.click()
    bench.mode.click()  # from Risiko straight to the catatan
    assert bench.body.children[1] is bench.catatan.widget
    assert bench.mode.description == "Kembali ke butir" and bench.risk.button.description == "Risiko"
    bench.risk.button.click()  # and back to Risiko
    assert bench.body.children[1] is bench.risk.widget and bench.mode.description == "Catatan & LHE"
    bench.mode.click()
    bench.mode.click()
    assert bench.body.children[1] is bench.card


def test_the_view_triages_again_with_what_was_just_saved(data, ledger_path):
    bench = bench_of(data, ITEMS_UNIT, ledger_path)
    bench.risk.toggle()
    before = re.search(r"mandiri (\d+,\d+) poin di atas", bench.risk.head.value)
    bench.risk.toggle()
    bench.goto("PPA1B")
    bench.control.children[0].value = "C"  # the TPI answer lower: the gap with the unit's self-assessment grows
    bench.note.value = "Tim dipilih tanpa seleksi."
    bench._on_save()
    assert "Tersimpan di ledger" in bench.msg.value
    bench.risk.toggle()
    after = re.search(r"mandiri (\d+,\d+) poin di atas", bench.risk.head.value)
    assert before and after
    assert float(after.group(1).replace(",", ".")) > float(before.group(1).replace(",", "."))


def test_a_unit_without_reviewer_answers_is_a_claim(tmp_path, rubric, ledger_path):
    from tests.helpers import best_raw
    from zi_nb.lke.inputs import read_inputs

    path = tmp_path / "lke.csv"
    rows = [*best_raw(rubric), *best_raw(rubric, unit_id="u2")]
    path.write_text("\n".join(["unit_id;tier;code;answer", *(f"{r['unit_id']};{r['tier']};{r['code']};{r['raw']}"
                                                             for r in rows)]) + "\n", encoding="utf-8")
    data = read_inputs([path])
    bench = bench_of(data, "u1", ledger_path)
    bench.risk.toggle()
    assert f"Menuju WBBM · {CLAIM['id']}" in bench.risk.head.value
    assert "peringkat" in bench.risk.head.value and "dari 2 unit" in bench.risk.head.value


def test_picker_shows_each_units_risk_and_orders_by_it_on_request(data, expected, ledger_path):
    root = Root(params(ledger_path))
    rows = picker_rows(root)
    default = [r._dom_classes[-1] for r in rows]
    assert default == [f"zi-unit-{u}" for u in data.units["unit_id"]]  # the default order stays the input's
    ranks = dict(zip(expected.table["unit_id"], expected.table["rank"]))
    assert [k for _, k in figures(rows)] == [ranks[u] for u in data.units["unit_id"]]
    bar = root.widget.children[1].children[0].children[1]
    order = next(w for w in bar.children if "zi-risk-order" in w._dom_classes)
    assert order.value == "list"
    order.value = "risk"
    by_risk = picker_rows(root)
    risks = [r for r, _ in figures(by_risk)]
    assert risks == sorted(risks, reverse=True) and by_risk != rows
    assert [k for _, k in figures(by_risk)] == list(range(1, len(by_risk) + 1))
    assert by_risk[0]._dom_classes[-1] == f"zi-unit-{expected.table['unit_id'][0]}"
    root.widget.children[1].children[-2].value = "mekarsari"  # the search still filters the ordered list
    assert sum(r.layout.display != "none" for r in by_risk) == 3
    order.value = "list"
    assert [r._dom_classes[-1] for r in picker_rows(root)] == default
    by_risk[0].children[1].click()  # and a row still opens its unit, with its Risiko view
    assert root.bench is not None and root.bench.s.unit_id == expected.table["unit_id"][0]
    root.bench.risk.button.click()
    assert "peringkat 1 dari" in root.bench.risk.head.value


def test_a_failing_triage_is_a_message_not_a_broken_picker(ledger_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("bobot rusak")

    monkeypatch.setattr("zi_nb.app.triage_panel.triage", broken)
    root = Root(params(ledger_path))
    picker = root.widget.children[1]
    assert "zi-picker" in picker._dom_classes
    assert "Risiko triase tidak dapat dihitung: bobot rusak" in picker.children[0].children[1].value
    rows = picker_rows(root)
    assert len(rows) == 12 and not any("Risiko " in r.children[0].value for r in rows)
    rows[0].children[1].click()  # the review opens; its Risiko view says the same
    bench = root.bench
    assert bench is not None
    bench.risk.button.click()
    assert "Risiko triase tidak dapat dihitung" in bench.risk.head.value and not bench.risk.item_buttons
