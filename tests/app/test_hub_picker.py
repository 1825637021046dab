"""The unit list of the evaluator app on the team server: every figure of a row (PMPZI, the tier's total, the
predikat with its status, changes, lacking evidence) is the ledger service's over the team ledger (``api/ringkasan``;
the real service in a thread, a fake hub resolving tokens), the same the unit's own page shows; a unit the user has no
role on is listed without figures; a predikat before ``final TPI`` says the review is not final; the service
unreachable or refusing is a short message and the list still lists and opens the units."""

from __future__ import annotations

import hashlib
import html
import re
from typing import Any

import pytest

from tests.app.hubapp import app_on_service, rows_of, walk
from tests.team.teams import team_yaml
from tests.team.test_service_api import client, serving
from zi_nb.app import view
from zi_nb.app.picker_figures import NO_FIGURES, NO_ROLE
from zi_nb.app.session import load_data
from zi_nb.app.widgets import css_name
from zi_nb.app.workbench import Root, Workbench
from zi_nb.common.fmt import num
from zi_nb.errors import LedgerError
from zi_nb.team.client import ServiceClient

K, Q = "kanim-sukawangi", "kua-sukamaju"
TEAM = team_yaml(["sari", "budi", "siti", "kora"], unit=K, units={"budi": [K, Q]}, kuota=1)
CHANGES = [("PPA1B", "C", None), ("PPA2A", "Tidak", None), ("PPB1A", "D", None)]  # TPI answers below K's own
TIER_TOTAL = re.compile(r"· TPI (-|\d+,\d\d)")
LHE = hashlib.sha256(b"LHE kanim").hexdigest()


@pytest.fixture(scope="module")
def data():
    return load_data()


@pytest.fixture
def hub(tmp_path, monkeypatch, data):
    """(open the app as a user -> Root, the service's url); the local ledger stays absent."""
    with app_on_service(tmp_path, monkeypatch, data, TEAM) as (app, url, _ledger, _local):
        yield app, url


def reviewed(url: str) -> None:
    client(url, "sari").status(K, "diajukan", note="siap")
    client(url, "budi").adjust_many(K, "tpi", "dokumen kurang", CHANGES)


def text_of(row: Any) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.children[0].value)))


def tier_total(row: Any) -> str:
    m = TIER_TOTAL.search(text_of(row))
    assert m, text_of(row)
    return m.group(1)


def messages(root: Root) -> str:
    return html.unescape(" ".join(w.value for w in walk(root.widget) if "zi-msg" in str(getattr(w, "value", ""))))


def opened(root: Root, unit: str) -> Workbench:
    rows_of(root)[css_name(unit)].children[1].click()  # "Nilai unit ini"
    assert root.bench is not None, messages(root)
    return root.bench


def test_the_rows_figures_are_the_services_and_the_unit_pages(hub):
    app, url = hub
    root = app("budi")
    before = tier_total(rows_of(root)[css_name(K)])
    reviewed(url)  # TPI answers written through the service: the team ledger only
    root.show_picker()  # as "kembali ke daftar" does
    row = rows_of(root)[css_name(K)]
    figures = client(url, "budi").summary_rows()["units"][K]
    after = tier_total(row)
    assert after == num(figures["tier_total"]) != before
    assert f"PMPZI {num(figures['unit_total'])}" in text_of(row)
    assert f"{len(CHANGES)} perubahan di ledger" in text_of(row)
    if figures["lacking"]:
        assert f"{figures['lacking']} butir bukti dukung kurang" in text_of(row)
    bench = opened(root, K)  # the unit's own page: the same team ledger, the same total
    assert num(bench.s.total) == after and num(bench.s.unit_total) == num(figures["unit_total"])
    back = next(w for w in walk(bench.widget) if getattr(w, "description", "") == "Daftar unit")
    back.click()  # back to the list: the same figure
    assert root.bench is bench and tier_total(rows_of(root)[css_name(K)]) == after
    assert tier_total(rows_of(app("budi"))[css_name(K)]) == after  # a new session of the app: the same


def test_a_tpi_member_sees_the_figures_of_their_units_only(hub, data):
    app, url = hub
    reviewed(url)
    rows = rows_of(app("budi"))
    assert len(rows) == len(data.unit_ids)  # the whole list, as "atas 12 unit" of the order by risk counts it
    mine = {css_name(K), css_name(Q)}
    for name, row in rows.items():
        if name in mine:
            assert "PMPZI" in text_of(row) and NO_ROLE not in text_of(row) and not row.children[1].disabled
        else:  # listed, no figure (not even a workbook-only one), not offered to open
            assert NO_ROLE in text_of(row) and "PMPZI" not in text_of(row) and not TIER_TOTAL.search(text_of(row))
            assert row.children[1].disabled
    pic = rows_of(app("sari"))
    assert [n for n, r in pic.items() if "PMPZI" in text_of(r)] == [css_name(K)]
    assert "· Penilaian mandiri unit (PMPZI)" not in text_of(pic[css_name(K)])  # the PIC's tier is the unit's
    kora = rows_of(app("kora"))
    assert all("PMPZI" in text_of(r) for r in kora.values())
    assert tier_total(kora[css_name(K)]) == tier_total(rows[css_name(K)])


def test_a_predikat_before_final_tpi_says_the_review_is_not_final(hub):
    app, url = hub
    reviewed(url)
    root = app("budi")
    row = text_of(rows_of(root)[css_name(K)])
    figures = client(url, "budi").summary_rows()["units"][K]
    label = view.predicate_in_review(figures["predicate"], figures["data_status"]["status"], "diajukan")
    assert label.endswith("(reviu belum final)") and label in row and "status unit: diajukan" in row
    assert 'class="zi-badge pending"' in rows_of(root)[css_name(K)].children[0].value
    assert "(reviu belum final)" in text_of(rows_of(root)[css_name(Q)])  # draf: before final TPI too
    bench = opened(root, K)  # the unit page's header says the same
    assert label in html.unescape(bench.head_html.value)
    client(url, "budi").status(K, "direviu", note="reviu selesai")
    client(url, "siti").status(K, "final TPI", lhe_sha256=LHE)
    final = text_of(rows_of(app("kora"))[css_name(K)])
    assert "(reviu belum final)" not in final and "status unit: final TPI" in final
    assert view.predicate_in_review(figures["predicate"], figures["data_status"]["status"], "final TPI") in final


def test_the_service_unreachable_is_a_message_and_the_list_still_works(hub, monkeypatch, data):
    app, _url = hub

    def down(self: ServiceClient, *args: Any) -> Any:
        raise LedgerError(f"Layanan ledger di {self.url} tidak dapat dihubungi (Connection refused)")

    monkeypatch.setattr(ServiceClient, "summary_rows", down)
    root = app("budi")
    said = messages(root)
    assert "Nilai unit tidak dapat dibaca dari layanan ledger: Layanan ledger di" in said
    assert "Daftar unit ditampilkan tanpa nilai." in said and "Traceback" not in said
    rows = rows_of(root)
    assert len(rows) == len(data.unit_ids)
    assert all(NO_FIGURES in text_of(r) and "PMPZI" not in text_of(r) for r in rows.values())
    assert opened(root, K).s.unit_id == K  # a row still opens its unit


def test_a_service_refusing_is_a_message_and_the_list_still_works(hub, tmp_path, monkeypatch, data):
    app, _url = hub
    (tmp_path / "tanpa-masukan").mkdir()
    with serving(tmp_path / "tanpa-masukan", TEAM) as (bare, _ledger):  # a real 400: started without inputs
        monkeypatch.setenv("ZI_NB_SERVICE_URL", bare)
        root = app("budi")
        said = messages(root)
        assert "Nilai unit tidak dapat dibaca dari layanan ledger: Ringkasan nilai unit tidak tersedia" in said
        assert "Traceback" not in said
        rows = rows_of(root)
        assert len(rows) == len(data.unit_ids) and all(NO_FIGURES in text_of(r) for r in rows.values())
