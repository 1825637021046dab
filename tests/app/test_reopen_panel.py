"""The admin's "Buka kembali tahap" row of the status panel on the team server: through the real ledger service (in a
thread, a fake hub resolving tokens), driven through the widgets' handlers as a click in the browser does. The
admin reopens a stage whose deadline passed; the PIC's answer, refused before with the date, is then taken; the
service's refusal is shown as it is; no other role gets the row."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from tests.app.hubapp import app_on_service, walk
from tests.team.teams import team_yaml
from zi_nb.app.session import load_data
from zi_nb.app.workbench import Workbench

UNIT = "kanim-sukawangi"
# the stage of filling in ended on 31 March 2026: past, whenever the tests run (they run after it)
TEAM = team_yaml(["sari", "budi", "adm"], unit=UNIT, kuota=1, tahapan=[("pengisian", "2026-01-05", "2026-03-31")])
CLASSES = ("zi-reopen", "zi-reopen-stage", "zi-reopen-until", "zi-reopen-note", "zi-reopen-btn")


@pytest.fixture(scope="module")
def data():
    return load_data()


@pytest.fixture
def hub(tmp_path, monkeypatch, data):
    """(open the app on the unit as a user -> its Workbench, the service's ledger), as tests/app/test_hub_app.py."""
    with app_on_service(tmp_path, monkeypatch, data, TEAM, unit=UNIT) as (open_as, _url, ledger, _local):

        def app(user: str) -> Workbench:
            root = open_as(user)
            assert root.bench is not None and root.bench.status is not None, root.widget.children
            return root.bench

        yield app, ledger


def classes(bench: Workbench) -> set[str]:
    return {c for w in walk(bench.widget) for c in getattr(w, "_dom_classes", ())}


def save(bench: Workbench, code: str, note: str) -> str:
    """Choose another option of ``code`` and save it, as a click does; the message shown."""
    bench.goto(code)
    control = bench.control.children[0]
    current = bench.s.value_text(code)
    values = [o[1] if isinstance(o, tuple) else o for o in control.options]
    control.value = next(v for v in values if v is not None and v != current)
    bench.note.value = note
    bench._on_save()
    return html.unescape(bench.msg.value)


def test_the_admin_reopens_the_stage_through_the_service(hub):
    app, ledger = hub
    sari = app("sari")
    assert "Batas waktu tahap pengisian telah lewat pada 31 Maret 2026" in save(sari, "PPA1A", "SK tim ada")
    assert [r for r in ledger.records(UNIT) if r.kind == "answer"] == [] and list(sari.s.drafts) == ["PPA1A"]
    chosen = sari.s.drafts["PPA1A"]

    adm = app("adm")
    row = adm.status.reopen
    assert row is not None and set(CLASSES) <= classes(adm)
    assert list(row.stage.options) == ["pengisian", "reviu", "finalisasi", "pengusulan", "penetapan"]
    # no date chosen: said here, nothing sent
    row.note.value = "perpanjangan karena banjir"
    row.button.click()
    assert "Pilih tanggal" in html.unescape(adm.status.msg.value) and "zi-msg err" in adm.status.msg.value
    # no note: the service's refusal, as it is
    row.until.value, row.note.value = dt.date(2099, 12, 31), ""
    row.button.click()
    assert "Catatan (alasan membuka kembali tahap) wajib diisi" in html.unescape(adm.status.msg.value)
    assert [r for r in ledger.records(UNIT) if r.code.startswith("BUKA:")] == []

    row.stage.value, row.note.value = "pengisian", "perpanjangan karena banjir"
    row.button.click()
    shown = html.unescape(adm.status.msg.value)
    assert "zi-msg ok" in adm.status.msg.value, shown
    assert "Tahap pengisian dibuka kembali untuk unit kanim-sukawangi sampai 31 Desember 2099" in shown
    [rec] = [r for r in ledger.records(UNIT) if r.code.startswith("BUKA:")]
    assert (rec.answer, rec.evaluator, rec.note) == ("pengisian", "adm", "perpanjangan karena banjir")
    assert rec.details == {"aksi": "BUKA_TAHAP", "via": "hub", "sampai": "2099-12-31"}
    assert f"#{rec.seq}" in shown and row.note.value == ""

    # the PIC saves the answer kept as a draft again: now taken
    sari.goto("PPA1A")
    sari.note.value = "SK tim ada"
    sari._on_save()
    assert "Tersimpan di ledger" in html.unescape(sari.msg.value), sari.msg.value
    assert [(r.code, r.answer) for r in ledger.records(UNIT) if r.kind == "answer"] == [("PPA1A", chosen)]


@pytest.mark.parametrize("user", ["sari", "budi"])
def test_other_roles_have_no_reopen_row(hub, user):
    app, _ = hub
    bench = app(user)
    assert bench.status.reopen is None
    assert not classes(bench) & set(CLASSES)
