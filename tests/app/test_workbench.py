"""The evaluator workbench without a browser: the session model, the widgets wired to it, parameters and serving.

Speed is measured by ``benchmarks/bench_widgets.py`` (printed, never asserted here).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import ROOT
from zi_nb.app import view
from zi_nb.app.accept import ACCEPT_NOTE
from zi_nb.app.session import PARAMETERS, Session, load_data, resolve_parameters
from zi_nb.app.view import criteria_lines
from zi_nb.app.workbench import Root, Workbench, workbench
from zi_nb.engine.results import compute
from zi_nb.errors import LedgerError, ParameterError
from zi_nb.review.ledger import Ledger, apply_ledger

UNIT = "kanim-sukawangi"


@pytest.fixture(scope="module")
def data():
    return load_data()


@pytest.fixture
def ledger_path(tmp_path) -> Path:
    return tmp_path / "ledger.sqlite"


@pytest.fixture
def bench(data, ledger_path) -> Workbench:
    return Workbench(Session(data, UNIT, "tpi", "Penilai Uji", str(ledger_path)))


def full_total(data, ledger_path: Path, unit: str = UNIT, tier: str = "tpi") -> float:
    """The total as ``zi-nb score`` computes it: the whole input plus the ledger, every unit, from scratch."""
    applied = apply_ledger(data, Ledger(ledger_path)) if ledger_path.exists() else data
    return float(compute(applied, tier).scores.total[unit])


def choose(bench: Workbench, code: str, option: str) -> None:
    bench.goto(code)
    bench.control.children[0].value = option  # the ToggleButtons, as a click in the browser does


def test_builds_the_workbench_for_a_sample_unit(bench, data, ledger_path):
    s = bench.s
    assert s.total == pytest.approx(full_total(data, ledger_path))
    assert s.unit_total == pytest.approx(float(compute(data, "unit").scores.total[UNIT]))
    assert "Kantor Imigrasi Kelas II Non TPI Sukawangi" in bench.head_html.value
    assert "zi-predikat" in bench.head_html.value and s.predicate in bench.head_html.value
    assert bench.code == "PPA1A" and "zi-current" in bench.area_buttons["A"]._dom_classes
    assert "Kriteria predikat" in bench.summary.value and "✓" in bench.summary.value
    assert not ledger_path.exists()  # reading never creates the ledger


def test_changing_an_answer_updates_the_total_like_a_full_rescore(bench, data, ledger_path):
    before = bench.s.total
    choose(bench, "PPA1B", "C")
    assert bench.s.drafts == {"PPA1B": "C"}
    assert bench.s.total < before
    assert f"{bench.s.total:.2f}".replace(".", ",") in bench.head_html.value
    assert "belum disimpan" in bench.head_html.value
    assert len(bench.latencies) == 1
    bench.note.value = "Tim dipilih tanpa seleksi."
    bench._on_save()
    assert "Tersimpan di ledger" in bench.msg.value
    assert bench.s.drafts == {}
    assert bench.s.total == pytest.approx(full_total(data, ledger_path))


def test_save_without_a_note_is_refused(bench, ledger_path):
    choose(bench, "PPA1B", "B")
    for note in ("", "   \n"):
        bench.note.value = note
        bench._on_save()
        assert "Catatan wajib diisi" in bench.msg.value and "zi-msg err" in bench.msg.value
    assert not ledger_path.exists()
    assert bench.s.drafts == {"PPA1B": "B"}  # the change is kept, waiting for its note


def test_save_needs_an_evaluator(data, ledger_path):
    bench = Workbench(Session(data, UNIT, "tpi", "", str(ledger_path)))
    choose(bench, "PPA1B", "B")
    bench.note.value = "alasan"
    bench._on_save()
    assert "Nama evaluator wajib diisi" in bench.msg.value
    bench.who.value = "Evaluator Baru"
    bench._on_save()
    assert [r.evaluator for r in Ledger(ledger_path).records()] == ["Evaluator Baru"]


def test_undo_adds_a_record_and_restores_the_answer(bench, data, ledger_path):
    original = bench.s.total
    choose(bench, "PPA1B", "C")
    bench.note.value = "Tidak ada seleksi."
    bench._on_save()
    bench._on_undo()
    records = Ledger(ledger_path).records(UNIT)
    assert [(r.kind, r.code, r.previous, r.answer) for r in records] == [
        ("answer", "PPA1B", "A", "C"), ("undo", "PPA1B", "C", "A")]
    assert "diurungkan" in bench.msg.value
    assert bench.control.children[0].value == "A"
    assert bench.s.total == pytest.approx(original) == pytest.approx(full_total(data, ledger_path))
    assert Ledger(ledger_path).verify() == []
    bench._on_undo()  # nothing left to undo: refused, nothing written
    assert "Tidak ada perubahan tersimpan" in bench.msg.value
    assert len(Ledger(ledger_path).records()) == 2


def test_a_saved_change_is_shown_when_the_unit_is_opened_again(bench, data, ledger_path):
    choose(bench, "PPA1B", "C")
    bench.note.value = "catatan"
    bench._on_save()
    again = Workbench(Session(data, UNIT, "tpi", "Penilai Lain", str(ledger_path)))
    again.goto("PPA1B")
    assert again.control.children[0].value == "C"
    assert again.s.total == pytest.approx(bench.s.total)
    assert "catatan" in again.hist.value and "catatan" in again.tiers.value
    assert again.s.status("PPA1B") == "changed"


def test_percent_items_show_their_jumlah_inputs(bench, data, ledger_path):
    bench.goto("PRE2A")
    boxes = {row.children[1]._dom_classes[-1]: row.children[1] for row in bench.control.children}
    assert set(boxes) == {"zi-input-PRE2A-pengaduan_harus_ditindaklanjuti", "zi-input-PRE2A-pengaduan_sedang_diproses",
                          "zi-input-PRE2A-pengaduan_selesai"}
    before = bench.s.total
    boxes["zi-input-PRE2A-pengaduan_harus_ditindaklanjuti"].value = "40"
    assert bench.s.total < before
    boxes["zi-input-PRE2A-pengaduan_selesai"].value = "tiga"
    assert "tidak sah" in bench.msg.value and "PRE2A.pengaduan_selesai" not in bench.s.drafts
    bench.note.value = "Register pengaduan memuat 40 pengaduan."
    bench._on_save()
    assert [r.code for r in Ledger(ledger_path).records()] == ["PRE2A.pengaduan_harus_ditindaklanjuti"]
    assert bench.s.total == pytest.approx(full_total(data, ledger_path))


def test_survey_index_accepts_a_decimal_comma(bench, data, ledger_path):
    bench.goto("HPA")
    box = bench.control.children[0].children[1]
    box.value = "3,2"
    assert bench.s.drafts == {"HPA": "3.2"}
    assert bench.s.item_value("HPA") == pytest.approx(0.8)


def test_reset_discards_unsaved_changes(bench):
    before = bench.s.total
    choose(bench, "PPA1B", "C")
    bench._on_reset()
    assert bench.s.drafts == {} and bench.s.total == before and bench.control.children[0].value == "A"


def test_filters(bench, data):
    s = bench.s
    a = data.answers[data.answers["unit_id"] == UNIT]
    shown = a.assign(v=a["answer"].where(a["answer"].notna(), a["number"].astype(str))).pivot(
        index="code", columns="tier", values="v")
    expected = {c.split(".", 1)[0] for c in shown.index[shown["unit"] != shown["tpi"]]}
    assert set(s.filtered("changed")) == expected
    assert s.filtered("unassessed") == []
    assert set(s.filtered("different")) == {c for c in expected if c not in s.touched}
    weakest = s.filtered("weakest")
    losses = [s.lost(c) for c in weakest]
    assert 0 < len(weakest) <= 15 and losses == sorted(losses, reverse=True)
    assert losses[0] == pytest.approx(max(s.lost(i.code) for i in s.rubric.items))
    bench.filter.value = "changed"
    assert list(bench.item_buttons) == s.filtered("changed")
    assert bench.tree.layout.display == "none"
    choose(bench, "PPA1B", "C")  # a draft counts as changed
    bench._refresh_filter()
    assert "PPA1B" in bench.item_buttons and "zi-st-draft" in bench.item_buttons["PPA1B"]._dom_classes
    bench.filter.value = "weakest"
    assert list(bench.item_buttons) == s.filtered("weakest")
    bench.filter.value = "all"
    assert bench.tree.layout.display == "" and bench.code == "PPA1B"


def test_a_tier_without_answers_lists_every_item_as_unassessed(data, ledger_path):
    s = Session(data, UNIT, "tpn", "Penilai TPN", str(ledger_path))
    assert s.total == 0 and len(s.filtered("unassessed")) == len(s.rubric.items)
    assert s.filtered("weakest") == []  # nothing answered: nothing ranked
    s.set_value("PPA1A", "Ya")
    assert s.total > 0 and "PPA1A" in s.filtered("unassessed")  # a draft is not yet a decision
    assert s.filtered("weakest") == [] or s.filtered("weakest") == ["PPA1A"]
    s.save("PPA1A", "Ada SK tim.")
    assert "PPA1A" not in s.filtered("unassessed") and s.progress() == (1, len(s.rubric.items))


def test_navigation_area_indicator_item(bench):
    bench.show_area("E")
    assert bench.indicator == bench.s.indicators("E")[0]
    assert bench.code == bench.s.items(bench.indicator)[0]
    assert list(bench.indicator_buttons) == bench.s.indicators("E")
    bench.indicator_buttons[bench.s.indicators("E")[1]].click()
    assert bench.code == bench.s.items(bench.s.indicators("E")[1])[0]
    bench.show_area("H")
    assert set(bench.s.indicators("H")) == {"HBA", "HBB", "HPA"}
    bench.goto("PPA1A")
    bench.step(-1)
    assert bench.code == bench.s.rubric.items[-1].code
    bench.step(1)
    assert bench.code == "PPA1A"


def test_user_text_is_escaped_and_evidence_links_are_clickable(data, ledger_path):
    bench = Workbench(Session(data, "rsud-mekarsari", "tpi", "x", str(ledger_path)))
    bench.goto("PPB1A")
    shown = bench.unit_box.value  # the unit's note and evidence, shown before the evaluator's controls
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert '<a href="https://drive.example.go.id/zi/rsud-mekarsari/PPB1A.pdf" target="_blank" ' \
           'rel="noopener noreferrer">' in shown
    assert "<script>" not in bench.tiers.value


def test_criteria_lines():
    lines = criteria_lines("a. Jika semua b.Target sebagian; c. Jika tidak")
    assert [o for o, _ in lines] == ["A", "B", "C"]
    assert criteria_lines("Ya, jika Tim telah dibentuk.") == [("Ya", "Ya, jika Tim telah dibentuk.")]
    assert criteria_lines("Diisi dengan nilai survei") == [(None, "Diisi dengan nilai survei")]


def test_unit_picker_then_open_and_back(ledger_path):
    root = Root({"input_path": "", "units_path": "", "unit_id": "", "tier": "tpi", "evaluator": "x",
                 "ledger_path": str(ledger_path)})
    picker = root.widget.children[1]
    rows = picker.children[-1].children
    assert len(rows) == 12 and "zi-unit-kanim-sukawangi" in rows[0]._dom_classes
    search = picker.children[-2]
    search.value = "mekarsari"
    assert sum(r.layout.display != "none" for r in rows) == 3
    rows[0].children[1].click()
    assert root.bench is not None and root.bench.s.unit_id == UNIT
    next(b for b in root.bench.widget.children[1].children[1].children if "zi-back" in b._dom_classes
         and "zi-mode" not in b._dom_classes).click()  # "Daftar unit"
    assert "zi-picker" in root.widget.children[1]._dom_classes
    unknown = Root({"input_path": "", "units_path": "", "unit_id": "tidak-ada", "tier": "tpi", "evaluator": "",
                    "ledger_path": str(ledger_path)})
    assert "tidak ada dalam masukan" in unknown.widget.children[1].children[1].value


def test_unreadable_input_is_a_message(tmp_path):
    root = Root({"input_path": str(tmp_path / "hilang.xlsx"), "units_path": "", "unit_id": "", "tier": "tpi",
                 "evaluator": "", "ledger_path": ""})
    assert "Tidak ada unit yang dapat dibaca" in root.widget.children[1].value


def test_parameters_from_notebook_environment_and_query_string():
    env = {"ZI_NB_INPUT": "/data/lke.xlsx", "ZI_NB_TIER": "tpn", "ZI_NB_EVALUATOR": "Ani",
           "ZI_NB_LEDGER": "/data/ledger.sqlite", "QUERY_STRING": "unit=kua-sukamaju&x=1"}
    got = resolve_parameters({"input_path": "", "tier": "tpi", "unit_id": ""}, env)
    assert got == {"input_path": "/data/lke.xlsx", "units_path": "", "unit_id": "kua-sukamaju", "tier": "tpn",
                   "evaluator": "Ani", "ledger_path": "/data/ledger.sqlite", "zona_waktu": "WIB"}
    assert resolve_parameters({}, {**env, "ZI_NB_TZ": "WITA"})["zona_waktu"] == "WITA"
    with pytest.raises(ParameterError, match="zona_waktu"):
        resolve_parameters({"zona_waktu": "UTC"}, {})
    assert resolve_parameters({"input_path": "mine.csv", "unit_id": "u1"}, env)["input_path"] == "mine.csv"
    assert resolve_parameters({"unit_id": "u1"}, env)["unit_id"] == "u1"
    with pytest.raises(ParameterError, match="tidak dikenal"):
        resolve_parameters({"unit": "x"}, {})
    with pytest.raises(ParameterError, match="tpi atau tpn"):
        resolve_parameters({"tier": "final"}, {})
    with pytest.raises(ParameterError, match="harus berupa teks"):
        resolve_parameters({"unit_id": 3}, {})


def test_workbench_entry_point(ledger_path, monkeypatch):
    monkeypatch.setenv("ZI_NB_LEDGER", str(ledger_path))
    monkeypatch.setenv("QUERY_STRING", f"unit={UNIT}")
    widget = workbench({"input_path": "", "unit_id": "", "tier": "tpi", "evaluator": "", "ledger_path": "",
                        "units_path": ""})
    assert "zi-app" in widget.children[0]._dom_classes


def test_notebook_declares_the_parameters():
    nb = json.loads((ROOT / "notebooks" / "evaluator.ipynb").read_text())
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    tree = ast.parse("".join(cell["source"]))
    declared = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body}
    assert declared == {name: default for name, (default, _) in PARAMETERS.items()}
    assert not any(c["cell_type"] == "markdown" for c in nb["cells"])  # voila would show it


def test_session_checks_its_arguments(data):
    with pytest.raises(ParameterError, match="tpi atau tpn"):
        Session(data, UNIT, "final")
    with pytest.raises(ParameterError, match="tidak ada dalam masukan"):
        Session(data, "tidak-ada")
    s = Session(data, UNIT)
    with pytest.raises(LedgerError, match="tidak sah"):
        s.set_value("PPA1B", "Z")
    with pytest.raises(LedgerError, match="tidak boleh kosong"):
        s.set_value("PPA1B", " ")
    assert np.isfinite(s.total)


def test_decision_records_in_the_ledger_are_not_answer_changes(data, ledger_path):
    book = Ledger(ledger_path)
    book.append(kind="decision", unit_id=UNIT, code="PREDIKAT:2024", tier="tpi", previous=None, answer="WBK",
                evaluator="Ketua TPI", note="Ditetapkan", rubric_id=data.rubric.id)
    bench = Workbench(Session(data, UNIT, "tpi", "x", str(ledger_path)))
    assert bench.s.records() == [] and "PREDIKAT:2024" not in bench.s.touched
    bench._on_undo()  # a decision is never undone from the workbench
    assert "Tidak ada perubahan tersimpan" in bench.msg.value
    assert len(Ledger(ledger_path).records()) == 1


def test_serve_configuration(tmp_path, monkeypatch):
    from zi_nb.app import serve as srv

    assert not srv.needs_token("127.0.0.1") and not srv.needs_token("localhost") and srv.needs_token("0.0.0.0")
    lke = tmp_path / "lke.csv"
    lke.write_text("unit_id,code,answer\nu1,PPA1A,Ya\n")
    env = srv.server_env(str(lke), "", "rel/ledger.sqlite", "tpn", " Ani ",
                         base={"QUERY_STRING": "unit=x", "PATH": "/bin"})
    assert env["ZI_NB_INPUT"] == str(lke) and env["ZI_NB_TIER"] == "tpn" and env["ZI_NB_EVALUATOR"] == "Ani"
    assert Path(env["ZI_NB_LEDGER"]).is_absolute() and "QUERY_STRING" not in env and env["PATH"] == "/bin"
    command = srv.voila_command("0.0.0.0", 9000, "rahasia")
    assert "--Voila.ip=0.0.0.0" in command and "--port=9000" in command and "--token=rahasia" in command
    assert str(srv.NOTEBOOK) in command and "--no-browser" in command and "--Voila.port_retries=0" in command
    with pytest.raises(ParameterError, match="tpi atau tpn"):
        srv.start(tier="final")
    with pytest.raises(ParameterError, match="tidak ditemukan"):
        srv.start(input_path=str(tmp_path / "hilang.xlsx"))

    lines: list[str] = []

    class FakeProcess:
        def wait(self):
            return 0

    class FakeServer(srv.Server):
        def wait_ready(self, timeout=60.0):
            pass

        def stop(self, timeout=10.0):
            lines.append("stopped")

    def fake_start(*args, **kwargs):  # serve() also passes the pool and idle options by name
        host, port, token = args[3], args[4], args[7]
        return FakeServer(FakeProcess(), host, port, token or ("t0ken" if srv.needs_token(host) else ""))

    monkeypatch.setattr(srv, "start", fake_start)
    assert srv.serve(str(lke), host="0.0.0.0", port=9001, echo=lines.append) == 0
    assert any("/?token=t0ken" in line and ":9001/" in line for line in lines) and "stopped" in lines
    lines.clear()
    srv.serve(str(lke), echo=lines.append)
    assert lines[0] == "Workbench penilai berjalan: http://127.0.0.1:8866/"


def _long_data(tmp_path, rows):
    from zi_nb.lke.inputs import read_inputs

    path = tmp_path / "lke.csv"
    path.write_text("\n".join(["unit_id;tier;code;answer", *(f"{r['unit_id']};{r['tier']};{r['code']};{r['raw']}"
                                                             for r in rows)]) + "\n", encoding="utf-8")
    return read_inputs([path])


def test_header_shows_an_unfinished_review_as_provisional(tmp_path, rubric, ledger_path):
    from tests.helpers import best_raw

    tpi = [{**r, "tier": "tpi"} for r in best_raw(rubric) if r["code"] in ("PPA1A", "PPA1B")]
    s = Session(_long_data(tmp_path, [*best_raw(rubric), *tpi]), "u1", "tpi", "Penilai Uji", str(ledger_path))
    head = Workbench(s).head_html.value
    n = len(rubric.items)
    assert s.data_status.status == "belum lengkap" and s.data_status.answered == 2
    assert f"belum lengkap: 2 dari {n} butir dijawab" in head and "(sementara)" in head
    assert "zi-predikat pending" in head
    third = next(r for r in best_raw(rubric) if r["code"] not in ("PPA1A", "PPA1B") and "." not in r["code"])
    s.set_value(third["code"], str(third["raw"]))  # a draft answers one more item: the status follows live
    assert s.data_status.answered == 3


def test_header_never_shows_a_predikat_from_data_with_errors(tmp_path, rubric, ledger_path):
    from tests.helpers import best_raw, set_raw

    rows = [*best_raw(rubric), *set_raw([{**r, "tier": "tpi"} for r in best_raw(rubric)], "PPA1B", "F")]
    s = Session(_long_data(tmp_path, rows), "u1", "tpi", "Penilai Uji", str(ledger_path))
    head = Workbench(s).head_html.value
    assert s.data_status.status == "sementara" and s.data_status.errors == 1
    assert "belum dapat ditetapkan" in head and "sementara: 1 galat data" in head and "Menuju WBBM" not in head
    assert "Penilaian mandiri unit (PMPZI)" in head


def test_picker_rows_carry_the_data_status(tmp_path, rubric, ledger_path):
    from tests.helpers import best_raw

    tpi = [{**r, "tier": "tpi"} for r in best_raw(rubric) if r["code"] in ("PPA1A", "PPA1B")]
    data = _long_data(tmp_path, [*best_raw(rubric), *tpi, *best_raw(rubric, unit_id="u2", tier="tpi")])
    root = Root({"input_path": str(tmp_path / "lke.csv"), "units_path": "", "unit_id": "", "tier": "tpi",
                 "evaluator": "", "ledger_path": str(ledger_path)})
    assert root.data.unit_ids == data.unit_ids
    html = {name: row.children[0].value for name, row in zip(root.data.unit_ids, root.widget.children[1].children[2]
                                                                .children)}
    assert "(sementara)" in html["u1"] and "belum lengkap: 2 dari" in html["u1"]
    assert ">\nMenuju WBBM<" in html["u2"] and "belum lengkap" not in html["u2"]


# -- starting from the unit's answers, layout details, catatan per area (issue 16) ------------------------------------
@pytest.fixture
def fresh(data, ledger_path) -> Workbench:
    """A TPN review of the sample unit: nothing assessed yet at this tier, as a real review starts."""
    return Workbench(Session(data, UNIT, "tpn", "Penilai TPN", str(ledger_path)))


def test_accept_the_units_answer_per_item_indicator_area_and_all(fresh, data, ledger_path):
    s, n = fresh.s, len(fresh.s.rubric.items)
    assert s.progress() == (0, n) and f"0 dari {n} dinilai" in fresh.head_html.value
    fresh.goto("PPA1B")
    fresh.accept("item")
    assert "1 butir disetujui sesuai jawaban unit" in fresh.msg.value
    assert s.saved["PPA1B"] == s.unit_text["PPA1B"] and s.progress() == (1, n)
    fresh.accept("indicator")
    indicator = s.items(s.rubric.item_by_code["PPA1B"].indicator)
    assert all(s.saved[c] == s.unit_text[c] for c in indicator)
    assert f"{len(indicator) - 1} butir disetujui" in fresh.msg.value and "1 butir tidak diubah" in fresh.msg.value
    fresh.accept("area")
    area = [c for ind in s.indicators("A") for c in s.items(ind)]
    assert s.progress(area) == (len(area), len(area)) and f"({len(area)}/{len(area)})" in \
        fresh.area_buttons["A"].description
    assert f"{len(area)} dari {n} dinilai" in fresh.head_html.value
    records = Ledger(ledger_path).records(UNIT)
    assert len(records) == sum(len(s.codes_of(c)) for c in area)  # one record per code, none twice
    assert {(r.tier, r.evaluator, r.note) for r in records} == {("tpn", "Penilai TPN", ACCEPT_NOTE)}
    assert all(r.answer == s.unit_text[r.code] for r in records)

    fresh.accept("all")  # asks first, writes nothing
    assert fresh.ask.layout.display == "" and f"{n - len(area)} butir yang belum dinilai" in fresh.ask_text.value
    assert len(Ledger(ledger_path).records(UNIT)) == len(records)
    fresh.confirm.click()
    assert fresh.ask.layout.display == "none" and s.progress() == (n, n)
    assert s.total == pytest.approx(full_total(data, ledger_path, tier="tpn"))
    assert s.total == pytest.approx(s.unit_total)  # every answer is the unit's: the unit's total
    assert s.filtered("different") == [] and s.filtered("unassessed") == []

    choose(fresh, "PPA1B", "C")  # then the evaluator changes one item
    fresh.note.value = "Tidak ada seleksi."
    fresh._on_save()
    assert s.filtered("different") == ["PPA1B"] and s.total < s.unit_total


def test_accepting_skips_what_the_unit_left_unanswered_and_keeps_decisions(fresh, ledger_path):
    s = fresh.s
    options = list(s.rubric.answer_types[s.rubric.item_by_code["PPA2A"].answer_type].options)
    other = next(o for o in options if o != s.unit_text["PPA2A"])
    choose(fresh, "PPA2A", other)
    fresh.note.value = "Bukti tidak mendukung jawaban unit."
    fresh._on_save()
    s.unit_text["PPA2C"] = None  # as if the unit had not answered it
    fresh.accept("indicator")
    assert s.saved["PPA2A"] == other and s.saved.get("PPA2C") is None and s.saved["PPA2B"] == s.unit_text["PPA2B"]
    assert "1 butir disetujui" in fresh.msg.value
    assert "1 butir dilewati karena tidak dijawab unit" in fresh.msg.value
    assert "1 butir tidak diubah karena sudah diputuskan penilai" in fresh.msg.value
    undone = s.undo()  # undo takes back the whole acceptance, not the decision before it
    assert len(undone) == 1 and s.saved.get("PPA2B") is None and s.saved["PPA2A"] == other
    fresh.goto("PPA2A")
    fresh.accept("item")  # one item chosen by the evaluator: the unit's answer replaces the decision
    assert s.saved["PPA2A"] == s.unit_text["PPA2A"]
    assert Ledger(ledger_path).records(UNIT)[-1].note == ACCEPT_NOTE


def test_accepting_needs_an_evaluator_and_writes_nothing_without(data, ledger_path):
    bench = Workbench(Session(data, UNIT, "tpn", "", str(ledger_path)))
    bench.accept("area")
    assert "Nama evaluator wajib diisi" in bench.msg.value and not ledger_path.exists()


def test_a_batch_the_ledger_cannot_write_leaves_nothing_behind(data, ledger_path, monkeypatch):
    from zi_nb.app.accept import accept, area_items, progress
    from zi_nb.review.ledger import Ledger

    s = Session(data, UNIT, "tpn", "Penilai TPN", str(ledger_path))
    before = progress(s)
    real = Ledger.write_many

    def full_disk(self, unit_id, build):
        def broken(records):
            batch = build(records)
            return [*batch[:-1], {"kind": "answer"}]  # the last record cannot be written: the insert fails part way
        return real(self, unit_id, broken)

    monkeypatch.setattr(Ledger, "write_many", full_disk)
    try:
        accept(s, area_items(s, "A"))
    except TypeError:
        pass
    monkeypatch.undo()
    assert Ledger(ledger_path).records() == [] and progress(s) == before  # all or nothing
    monkeypatch.setattr(Ledger, "adjust_many", lambda *a, **k: (_ for _ in ()).throw(LedgerError("disk penuh")))
    done = accept(s, area_items(s, "A"))
    assert done.records == [] and done.failed == "disk penuh"
    assert "Tidak ada yang tersimpan: disk penuh" in done.message()


def test_weakest_ranks_answered_items_only(data, ledger_path):
    s = Session(data, UNIT, "tpn", "Penilai TPN", str(ledger_path))
    for code in ("PPA1A", "PPA1B"):
        s.set_value(code, "Tidak" if code == "PPA1A" else "C")
    assert set(s.filtered("weakest")) == {"PPA1A", "PPA1B"}  # the 111 unanswered items are not ranked


def test_messages_name_inputs_by_their_label(bench):
    bench.goto("PRE2A")
    code = next(c for c in bench.s.codes_of("PRE2A"))
    bench.change(code, "banyak")
    assert "tidak sah" in bench.msg.value and "." + code.split(".")[1] not in bench.msg.value
    assert "(tipe" not in bench.msg.value and "butir PRE2A" in bench.msg.value
    bench.change(code, "7")
    bench.note.value = "Dihitung ulang dari daftar pengaduan."
    bench._on_save()
    field = code.split(".")[1]
    assert "Tersimpan di ledger" in bench.msg.value and field not in bench.msg.value and field not in bench.hist.value
    assert bench.s.input_label(code) in bench.hist.value


def test_header_layout_and_one_rounding(bench, data, ledger_path):
    head = bench.head_html.value
    assert re.search(r'zi-h-sub">\s*·', head) is None and " ·  · " not in head
    bench.goto("PRE2A")  # a % item: 90,5 % and 90 % must not both appear
    live = re.search(r"<b>([\d,]+%)</b>", bench.live.value)
    assert live and live.group(1) in bench.tiers.value
    s = Session(data, UNIT, "tpi", "x", str(ledger_path))
    s.meta["instansi"] = None
    assert re.search(r'zi-h-sub">\s*·', Workbench(s).head_html.value) is None


def test_item_card_shows_the_units_submission_before_the_controls(data, ledger_path):
    bench = Workbench(Session(data, "rsud-mekarsari", "tpi", "x", str(ledger_path)))
    bench.goto("PPB1A")
    card = [w for w in bench.card.children]
    assert card.index(bench.info) < card.index(bench.unit_box) < card.index(bench.control) < card.index(bench.tiers)
    assert 'target="_blank" rel="noopener noreferrer"' in bench.unit_box.value
    assert "jawaban unit" in bench.info.value  # the unit's answer marked on the criteria
    bench.s.stages["unit"].loc["PPB1A", "note"] = "panjang " * 100
    bench.render_item()
    assert "selengkapnya" in bench.unit_box.value and "<details" in bench.unit_box.value
    assert "Pintasan papan ketik" in "".join(getattr(w, "value", "") for w in card)


def test_history_times_are_local(bench, data, ledger_path):
    choose(bench, "PPA1B", "C")
    bench.note.value = "x"
    bench._on_save()
    assert "Waktu (WIB)" in bench.hist.value and "UTC" not in bench.hist.value and " WIB</td>" in bench.hist.value
    wita = Workbench(Session(data, UNIT, "tpi", "x", str(ledger_path), zone="WITA"))
    wita.goto("PPA1B")
    assert "Waktu (WITA)" in wita.hist.value and " WITA</td>" in wita.hist.value


def _luminance(colour: str) -> float:
    rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(fg: str, bg: str) -> float:
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_text_colours_meet_wcag_aa():
    css = view.CSS
    badges = re.findall(r"\.zi-badge\.(\w+)\{background:(#[0-9a-f]{6})\}", css)
    assert {b for b, _ in badges} == {"WBBM", "WBK", "TIDAK"}
    pairs = [("#ffffff", bg) for _, bg in badges]
    for rule in re.findall(r"\{([^}]*)\}", css):  # every rule with both a text colour and a solid background
        fg, bg = re.search(r"(?<![-\w])color:(#[0-9a-f]{6})", rule), re.search(r"background:(#[0-9a-f]{6})", rule)
        if fg and bg:
            pairs.append((fg.group(1), bg.group(1)))
    texts = set(re.findall(r"(?<![-\w])color:(#[0-9a-f]{6})", css)) - {"#fff", "#ffffff"}
    pairs += [(c, bg) for c in texts for bg in ("#ffffff", "#f3f5f9") if c not in ("#ffb74d",)]
    low = [(f, b, round(contrast(f, b), 2)) for f, b in pairs if contrast(f, b) < 4.5]
    assert low == []


def test_catatan_per_area_draft_edit_save_and_reload(data, ledger_path):
    from zi_nb.app.catatan_panel import CatatanPanel

    s = Session(data, UNIT, "tpi", "Penilai Uji", str(ledger_path))
    panel = CatatanPanel(s)
    panel.refresh()
    assert "draf dari rubrik" in panel.heads["A"].value and panel.texts["A"][0].value.startswith("Nilai area")
    panel.texts["A"][0].value = "Tim kerja sudah dibentuk dengan SK."
    panel.texts["A"][1].value = "- Lakukan seleksi anggota tim secara terbuka."
    panel.save("A")
    assert "tersimpan di ledger" in panel.msgs["A"].value
    rec = Ledger(ledger_path).records(UNIT)[-1]
    assert (rec.kind, rec.code, rec.tier, rec.evaluator) == ("catatan", "A", "tpi", "Penilai Uji")
    again = CatatanPanel(Session(data, UNIT, "tpi", "Penilai Uji", str(ledger_path)))
    again.refresh()
    assert again.texts["A"][0].value == "Tim kerja sudah dibentuk dengan SK."
    assert "tersimpan oleh Penilai Uji" in again.heads["A"].value and "WIB" in again.heads["A"].value
    assert "draf dari rubrik" in again.heads["B"].value
    nobody = CatatanPanel(Session(data, UNIT, "tpi", "", str(ledger_path)))
    nobody.save("B")
    assert "Nama evaluator wajib diisi" in nobody.msgs["B"].value


def test_catatan_panel_is_reached_from_the_header(bench):
    bench.mode.click()
    assert bench.body.children[1] is bench.catatan.widget and bench.mode.description == "Kembali ke butir"
    bench.mode.click()
    assert bench.body.children[1] is bench.card


def test_download_links_carry_the_files(tmp_path):
    from zi_nb.app.catatan_panel import links

    page = tmp_path / "u.html"
    page.write_text("<p>LHE</p>")
    out = links({"html": page, "pdf": None, "docx": tmp_path / "missing.docx"})
    assert 'download="u.html" href="data:text/html;base64,PHA+TEhFPC9wPg=="' in out and "PDF" not in out


def test_the_lhe_kernel_does_not_inherit_the_page_kernels_voila_setup(monkeypatch):
    import os

    from zi_nb.app.catatan_panel import report_environment

    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv("IPYTHONDIR", "/tmp/zi-nb-serve-profile")
    with report_environment():
        assert "VOILA_PREHEAT" not in os.environ and "IPYTHONDIR" not in os.environ
    assert os.environ["VOILA_PREHEAT"] == "True" and os.environ["IPYTHONDIR"] == "/tmp/zi-nb-serve-profile"


def test_on_the_team_server_the_app_never_writes_a_ledger_of_its_own(bench, ledger_path, monkeypatch):
    """Under the hub only the ledger service writes: the app refuses to save instead of writing a local file."""
    monkeypatch.setenv("ZI_NB_SERVICE_URL", "http://127.0.0.1:9/services/zi-ledger/")
    choose(bench, "PPA1B", "B")
    bench.note.value = "dokumen belum lengkap"
    bench._on_save()
    assert "server tim" in bench.msg.value and "BELUM tersimpan" in bench.msg.value
    assert not ledger_path.exists() and bench.s.drafts == {"PPA1B": "B"}
