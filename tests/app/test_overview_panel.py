""""Semua unit" in the evaluator app on the team server: the coordinator's view of every unit of the period, read
from the real ledger service (in a thread, a fake hub resolving tokens), driven through the widgets' handlers as a
click in the browser does."""

from __future__ import annotations

import base64
import hashlib
import html
import io
import re
from typing import Any

import pytest

from tests.app.hubapp import app_on_service
from tests.team.teams import team_yaml
from tests.team.test_service_api import client, serving
from zi_nb.app.hub_mode import Hub
from zi_nb.app.overview_panel import OverviewPanel, predicate_cell, quota_line, row_html
from zi_nb.app.session import load_data, resolve_parameters
from zi_nb.app.workbench import Root
from zi_nb.errors import LedgerError
from zi_nb.team.client import ServiceClient

UNITS = ("kanim-sukawangi", "kppn-lembah-hijau", "pn-sungai-jernih")
ELSEWHERE = "unit-luar"  # in the team file, not in the app's inputs: no "Buka"
TEAM = team_yaml(["sari", "dewi", "budi", "siti", "kora", "tono", "adm"], kuota=2,
                 units={"sari": UNITS[0], "dewi": UNITS[1:], "budi": [*UNITS, ELSEWHERE]})
SHA = hashlib.sha256(b"LHE").hexdigest()


@pytest.fixture(scope="module")
def data():
    return load_data()


@pytest.fixture
def hub(tmp_path, monkeypatch, data):
    """(open the app's unit list as a user -> Root, the service's address, its ledger)."""
    with app_on_service(tmp_path, monkeypatch, data, TEAM, service_data=False) as (app, url, ledger, _local):
        yield app, url, ledger


def found(widget: Any, name: str) -> list[Any]:
    """The widgets under ``widget`` (itself included) carrying the CSS class ``name``, as a browser selects them."""
    out = [widget] if name in getattr(widget, "_dom_classes", ()) else []
    for child in getattr(widget, "children", ()):
        out += found(child, name)
    return out


def one(widget: Any, name: str) -> Any:
    [hit] = found(widget, name)
    return hit


def text(widget: Any) -> str:
    """The visible text of the HTML widgets under ``widget`` (hidden rows left out)."""
    if getattr(getattr(widget, "layout", None), "display", None) == "none":
        return ""
    own = html.unescape(re.sub(r"<[^>]+>", " ", getattr(widget, "value", "") or "")) \
        if type(widget).__name__ == "HTML" else ""
    return " ".join([own, *(text(c) for c in getattr(widget, "children", ()))])


def shown_units(section: Any) -> list[str]:
    rows = found(section, "zi-ov-row")
    return [next(c[len("zi-ov-unit-"):] for c in r._dom_classes if c.startswith("zi-ov-unit-"))
            for r in rows if r.layout.display != "none"]


def statuses(section: Any) -> dict[str, str]:
    out = {}
    for row in found(section, "zi-ov-row"):
        cells = re.findall(r"<div>(.*?)</div>", row.children[0].value)
        unit = re.sub(r"<[^>]+>", "", cells[0])
        out[unit] = re.sub(r"<[^>]+>", "", cells[2])
    return out


def propose(url: str) -> None:
    """kanim-sukawangi through the whole hand-off to ``diusulkan``; kppn-lembah-hijau ``diajukan``."""
    client(url, "sari").status(UNITS[0], "diajukan", note="siap")
    client(url, "budi").status(UNITS[0], "direviu", note="reviu selesai")
    client(url, "siti").status(UNITS[0], "final TPI", lhe_sha256=SHA)
    client(url, "kora").status(UNITS[0], "diusulkan", note="usul")
    client(url, "dewi").status(UNITS[1], "diajukan", note="siap")


def test_the_coordinator_sees_every_unit_with_its_status_and_the_quota(hub):
    app, url, _ledger = hub
    propose(url)
    section = one(app("kora").widget, "zi-overview")
    assert "Semua unit" in text(section) and "periode 2026" in text(section)
    assert statuses(section) == {UNITS[0]: "diusulkan", UNITS[1]: "diajukan", UNITS[2]: "draf", ELSEWHERE: "draf"}
    assert shown_units(section) == [*UNITS, ELSEWHERE]
    # who each waits for, from the service; the unit's name from the app's inputs when the service sends none
    cells = html.unescape(one(section, f"zi-ov-unit-{UNITS[1]}").children[0].value)
    assert "TPI (budi)" in cells and "KPPN Tipe A1 Lembah Hijau" in cells, cells
    assert re.findall(r"<div>(.*?)</div>", cells)[-3:] == ["-", "-", "-"]  # a service without the inputs
    # the quota: units that used a slot (diusulkan, ditetapkan, tidak ditetapkan, dicabut)
    quota = text(one(section, "zi-ov-quota-box"))
    assert "1 unit diusulkan" in quota, quota
    client(url, "tono").status(UNITS[0], "ditetapkan", note="ditetapkan")
    one(section, "zi-ov-reload").click()  # "Muat ulang"
    assert statuses(section)[UNITS[0]] == "ditetapkan"
    assert "1 unit diusulkan" in text(one(section, "zi-ov-quota-box"))  # a decision does not give the slot back
    # admin and TPN see the units, without the coordinator's quota line
    for user in ("adm", "tono"):
        other = one(app(user).widget, "zi-overview")
        assert set(statuses(other)) == {*UNITS, ELSEWHERE} and text(one(other, "zi-ov-quota-box")).strip() == ""


def test_progress_score_and_the_labelled_predikat_from_a_service_with_the_inputs(tmp_path, monkeypatch, data):
    import zi_nb.app.workbench as wb

    monkeypatch.setattr(wb, "load_data", lambda *a, **k: data)
    with serving(tmp_path, TEAM, data=data) as (url, _ledger):
        propose(url)
        monkeypatch.setenv("ZI_NB_SERVICE_URL", url)
        monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "tok-kora")
        root = Root(resolve_parameters({"unit_id": "", "ledger_path": str(tmp_path / "lokal.sqlite")}))
        section = one(root.widget, "zi-overview")
        rows = {u: html.unescape(one(section, f"zi-ov-unit-{u}").children[0].value) for u in (*UNITS, ELSEWHERE)}
    for unit in UNITS:
        progress, score, predicate = re.findall(r"<div>(.*?)</div>", rows[unit])[-3:]
        assert progress.startswith("UNIT ") and re.fullmatch(r"\d+,\d\d", score), rows[unit]
        assert "[status " in predicate and ("Menuju" in predicate or "Belum memenuhi" in predicate), rows[unit]
    assert "reviu TPI final" in rows[UNITS[0]] and "reviu TPI belum final" in rows[UNITS[2]]
    assert "tidak ada dalam masukan" in rows[ELSEWHERE]


def test_the_xlsx_link_carries_the_workbook_of_every_unit(hub):
    from openpyxl import load_workbook

    app, url, _ledger = hub
    propose(url)
    section = one(app("kora").widget, "zi-overview")
    link = one(section, "zi-ov-download").value
    found_href = re.search(r'download="([^"]+)" href="data:([^;]+);base64,([^"]+)"', link)
    assert found_href is not None, link
    name, mime, payload = found_href.groups()
    assert name == "status-unit-2026.xlsx" and mime.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(base64.b64decode(payload))).active
    rows = [tuple(c.value for c in r[:3]) for r in sheet.iter_rows(min_row=4)]
    assert [(r[0], r[2]) for r in rows] == [(UNITS[0], "diusulkan"), (UNITS[1], "diajukan"), (UNITS[2], "draf"),
                                            (ELSEWHERE, "draf")]


def test_a_pic_or_tpi_member_gets_no_section_and_the_service_refuses_them(hub):
    app, url, _ledger = hub
    for user in ("sari", "budi", "siti"):
        root = app(user)
        assert "zi-picker" in root.widget.children[1]._dom_classes and found(root.widget, "zi-overview") == [], user
        with pytest.raises(LedgerError, match="koordinator"):
            client(url, user).overview_report()


def test_a_refusal_or_an_unreachable_service_is_a_message(hub, data):
    _app, url, _ledger = hub
    opened: list[str] = []
    # the app believes the user a koordinator, the service does not: its refusal, no table
    wrong = Hub(ServiceClient(url, "tok-sari"), "sari", "sari", ("koordinator",), "tpi", False)
    panel = OverviewPanel(wrong, opened.append, set(data.unit_ids))
    assert "zi-msg err" in panel.msg.value and "koordinator" in html.unescape(panel.msg.value), panel.msg.value
    assert found(panel.widget, "zi-ov-row") == [] and "zi-dl-xlsx" not in panel.download.value
    gone = Hub(ServiceClient("http://127.0.0.1:9/services/zi-ledger/", "tok-kora", timeout=2), "kora", "kora",
               ("koordinator",), "tpi", False)
    panel = OverviewPanel(gone, opened.append, set(data.unit_ids))
    assert "tidak dapat dihubungi" in html.unescape(panel.msg.value) and found(panel.widget, "zi-ov-row") == []
    assert opened == []


def test_the_filter_shows_the_units_of_one_status(hub):
    app, url, _ledger = hub
    propose(url)
    section = one(app("kora").widget, "zi-overview")
    choose = one(section, "zi-ov-filter")
    assert [v for _, v in choose.options] == ["", "draf", "diajukan", "diusulkan"]
    assert dict(choose.options)["draf (2)"] == "draf"
    choose.value = "draf"
    assert shown_units(section) == [UNITS[2], ELSEWHERE] and "2 dari 4 unit" in text(section)
    choose.value = "diusulkan"
    assert shown_units(section) == [UNITS[0]]
    one(section, "zi-ov-reload").click()  # the choice survives "Muat ulang"
    assert choose.value == "diusulkan" and shown_units(section) == [UNITS[0]]
    choose.value = ""
    assert shown_units(section) == [*UNITS, ELSEWHERE]


def test_buka_opens_the_unit(hub):
    app, url, _ledger = hub
    propose(url)
    root = app("kora")
    section = one(root.widget, "zi-overview")
    assert found(section, f"zi-ov-open-{ELSEWHERE}") == []  # not in the app's inputs: nothing to open
    assert "tidak ada dalam masukan" in text(one(section, f"zi-ov-unit-{ELSEWHERE}"))
    one(section, f"zi-ov-open-{UNITS[1]}").click()
    assert root.bench is not None and root.bench.s.unit_id == UNITS[1]
    assert list(root.widget.children) == [root.bench.widget]
    assert root.bench.status is not None and "diajukan" in root.bench.status.head.value


def test_quota_line_and_predicate_cell():
    units = [{"status": s} for s in ("diusulkan", "ditetapkan", "tidak ditetapkan", "dicabut", "final TPI", "draf")]
    assert quota_line(units[:1], 2) == "Kuota 2: 1 unit diusulkan (sisa 1)"
    assert quota_line(units, 2) == "Kuota 2: 4 unit diusulkan (sisa 0)"
    assert quota_line(units[4:]).startswith("Kuota: 0 unit diusulkan")
    # the predikat as the service labels it; a bare one is never shown
    labelled = "Menuju WBK (sementara) [status direviu: reviu TPI belum final; data belum lengkap: 3 dari 113]"
    assert "Menuju WBK (sementara)" in predicate_cell(labelled) and "reviu TPI belum final" in predicate_cell(labelled)
    for bare in ("WBK", "Menuju WBBM", "TIDAK", "", None, "-"):
        assert predicate_cell(bare) == "-", bare
    row = row_html({"unit_id": "u1", "status": "direviu", "deadline": "2026-06-11", "deadline_passed": True,
                    "predicate": "WBBM", "progress": "", "score": None})
    assert "11 Juni 2026" in row and "(lewat)" in row and "WBBM" not in row
    cells = re.findall(r"<div>(.*?)</div>", row_html({"unit_id": "u1", "status": "draf"}))
    assert len(cells) == 9 and cells[-3:] == ["-", "-", "-"]
