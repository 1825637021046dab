"""The triage risk in the evaluator app on the team server: the unit list's chips, the order by risk, the "Risiko"
view and "Tugas saya" all show the ledger service's triage over the team ledger (the real service in a thread, a
fake hub resolving tokens), never a local triage without the team's records; a unit's PIC sees no risk anywhere;
the service unreachable or refusing is a short message, the picker and the review still work."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tests.app.hubapp import app_on_service, rows_of, walk
from tests.team.teams import team_yaml
from tests.team.test_service_api import client, raw_get
from zi_nb.app.session import load_data
from zi_nb.app.widgets import css_name
from zi_nb.app.workbench import Root, Workbench
from zi_nb.common.fmt import num
from zi_nb.engine.triage import triage
from zi_nb.errors import LedgerError
from zi_nb.team.client import ServiceClient

K, Q = "kanim-sukawangi", "kua-sukamaju"
TEAM = team_yaml(["sari", "budi", "kora"], unit=K, units={"budi": [K, Q]}, kuota=1)
CHANGES = [("PPA1B", "C", None), ("PPA2A", "Tidak", None), ("PPB1A", "D", None)]  # K's gap grows
CHIP = re.compile(r"Risiko (\d+,\d) · #(\d+)")


@pytest.fixture(scope="module")
def data():
    return load_data()


@pytest.fixture(scope="module")
def bare(data):
    """The local triage without the team's records: what the app showed on the hub before."""
    return triage(data.answers, data.units, data.rubric).table.set_index("unit_id")


@pytest.fixture
def hub(tmp_path, monkeypatch, data):
    """(open the app as a user -> Root, the service's url)."""
    with app_on_service(tmp_path, monkeypatch, data, TEAM) as (app, url, _ledger, _local):
        yield app, url


def reviewed(url: str) -> None:
    client(url, "sari").status(K, "diajukan", note="siap")
    client(url, "budi").adjust_many(K, "tpi", "dokumen kurang", CHANGES)


def chip(row: Any) -> tuple[str, int] | None:
    m = CHIP.search(row.children[0].value)
    return (m.group(1), int(m.group(2))) if m else None


def tasks_text(root: Root) -> str:
    box = next(w for w in walk(root.widget) if "zi-tasks" in getattr(w, "_dom_classes", ()))
    return html.unescape(" ".join(w.value for w in walk(box) if isinstance(getattr(w, "value", None), str)))


def bench_of(root: Root) -> Workbench:
    assert root.bench is not None, [getattr(w, "value", "") for w in walk(root.widget)][:5]
    return root.bench


def test_chips_are_the_services_figures_and_tugas_sayas(hub, bare):
    app, url = hub
    reviewed(url)
    figures = client(url, "budi").risks()["units"]
    root = app("budi")
    rows = rows_of(root)
    assert len(rows) == 12
    for unit in (K, Q):
        assert chip(rows[css_name(unit)]) == (num(figures[unit]["score"], 1), figures[unit]["rank"])
    assert chip(rows[css_name(K)]) != (num(float(bare.at[K, "risk"]), 1), int(bare.at[K, "rank"]))  # team ledger
    assert sum(chip(r) is not None or "Risiko -" in r.children[0].value for r in rows.values()) == 2  # his units
    k = figures[K]
    assert f"Risiko {num(k['score'], 1)} (urutan {k['rank']} dari 12)" in tasks_text(root)  # the same figure
    head = html.unescape(root.widget.children[1].children[0].children[1].children[2].value)
    assert "atas 12 unit (dengan ledger tim)" in head
    order = next(w for w in walk(root.widget) if "zi-risk-order" in getattr(w, "_dom_classes", ()))
    order.value = "risk"
    ordered = [r._dom_classes[-1] for r in root.widget.children[1].children[-1].children]
    mine = sorted((K, Q), key=lambda u: figures[u]["rank"])
    assert ordered[:2] == [f"zi-unit-{css_name(u)}" for u in mine]  # the units with a figure first, by rank


def test_the_risiko_view_shows_the_services_summary(hub, bare):
    app, url = hub
    reviewed(url)
    summary = client(url, "budi").risk_summary(K)
    assert summary is not None
    bench = bench_of(app("budi", K))
    assert bench.risk is not None
    bench.risk.button.click()
    shown = html.unescape(bench.risk.head.value)
    assert f"{num(summary['score'], 1)} <small>dari 100</small>" in shown
    assert f"{num(float(bare.at[K, 'risk']), 1)} <small>" not in shown  # not the local triage without the records
    assert f"peringkat {summary['rank']} dari 12 unit" in shown and f"<b>{summary['predicate_text']}</b>" in shown
    for signal in summary["signals"]:
        if signal["strength"] > 0:
            assert signal["name"] in shown and all(r in shown for r in signal["reasons"])
    assert "dengan penilaian bukti dukung di ledger" in shown
    assert list(bench.risk.item_buttons) == summary["items_to_check"]
    # what the TPI saves moves the view: the service triages the team ledger afresh
    bench.risk.button.click()
    client(url, "budi").adjust_many(K, "tpi", "lagi", [("PPC1A", "Tidak", None), ("PPC2A", "Tidak", None)])
    bench.risk.button.click()
    after = client(url, "budi").risk_summary(K)
    assert after is not None and after["score"] > summary["score"]
    assert f"{num(after['score'], 1)} <small>dari 100</small>" in html.unescape(bench.risk.head.value)


def test_a_pic_sees_no_risk_anywhere(hub, monkeypatch):
    app, url = hub
    client(url, "sari").adjust(K, "PPA1A", "Tidak", "unit", "awal")  # a record in the team ledger; K still draf
    root = app("sari")
    assert all(chip(r) is None and "Risiko" not in r.children[0].value for r in rows_of(root).values())
    assert not any("zi-risk-order" in getattr(w, "_dom_classes", ()) for w in walk(root.widget))
    text = tasks_text(root)
    assert K in text and "Risiko" not in text and "butir terjawab" in text
    bench = bench_of(app("sari", K))
    assert bench.risk is None
    assert not any("zi-risk-mode" in getattr(w, "_dom_classes", ()) for w in walk(bench.widget))
    code, body, _ = raw_get(url, "api/risiko", "tok-sari")
    assert code == 403 and "PIC" in body["error"]
    # even were the service to give a PIC a risk in "Tugas saya", the app shows none
    real = ServiceClient.tasks
    monkeypatch.setattr(ServiceClient, "tasks", lambda self: [{**t, "risk": {"score": 25.3, "rank": 6, "of": 12}}
                                                              for t in real(self)])
    assert client(url, "sari").tasks()[0]["risk"] is not None
    assert "Risiko" not in tasks_text(app("sari"))


def test_the_service_unreachable_is_a_message_and_the_review_still_works(hub, monkeypatch):
    app, url = hub
    reviewed(url)

    def down(self: ServiceClient, *args: Any) -> Any:
        raise LedgerError(f"Layanan ledger di {self.url} tidak dapat dihubungi (Connection refused)")

    monkeypatch.setattr(ServiceClient, "risks", down)
    monkeypatch.setattr(ServiceClient, "risk_summary", down)
    root = app("budi")
    shown = html.unescape(root.widget.children[1].children[0].children[1].value)
    assert "Risiko triase tidak dapat dibaca dari layanan ledger: Layanan ledger di" in shown
    assert "Traceback" not in shown
    rows = rows_of(root)
    assert len(rows) == 12 and not any(chip(r) for r in rows.values())
    rows[css_name(K)].children[1].click()  # the row still opens the unit
    bench = bench_of(root)
    assert bench.s.unit_id == K and bench.risk is not None
    bench.risk.button.click()
    assert "tidak dapat dibaca dari layanan ledger" in bench.risk.head.value and not bench.risk.item_buttons
    bench.risk.button.click()
    bench.goto("PPA1A")
    control = bench.control.children[0]
    values = [o[1] if isinstance(o, tuple) else o for o in control.options]
    control.value = next(v for v in values if v is not None and v != bench.s.value_text("PPA1A"))
    bench.note.value = "tetap tersimpan"
    bench._on_save()
    assert "Tersimpan di ledger" in bench.msg.value, bench.msg.value  # the review goes on through the service
