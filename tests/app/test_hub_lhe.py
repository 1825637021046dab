"""The LHE made in the app on the team server: from the team's ledger as the ledger service holds it (an extract of
the unit's records read through the service), never from a ledger file of the user's own server."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from tests.app import test_hub_app as team_app
from tests.app.test_hub_app import BUDI, ITEM, UNIT, bench_of, click, save
from zi_nb.app.catatan_panel import ledger_source
from zi_nb.common.domain import REPORT_KINDS
from zi_nb.errors import LedgerError
from zi_nb.report.model import build
from zi_nb.review.extract import read_extract

data, hub = team_app.data, team_app.hub  # the fixtures: the sample read once, the app on a real ledger service


def test_the_ketua_makes_the_lhe_from_the_team_ledger(hub, tmp_path, monkeypatch):
    app, ledger, local = hub
    monkeypatch.setenv("HOME", str(tmp_path / "home-siti"))
    click(bench_of(app("sari")), "diajukan")
    budi = bench_of(app("budi"))
    assert "Tersimpan" not in budi.msg.value
    save(budi, ITEM, "dokumen belum lengkap")
    budi.catatan.texts["UNIT"][0].value = "Catatan tim TPI untuk seluruh unit."
    budi.catatan.save("UNIT")
    assert "zi-msg ok" in budi.catatan.msgs["UNIT"].value, budi.catatan.msgs["UNIT"].value
    click(budi, "direviu")

    siti = bench_of(app("siti"))
    out = siti.catatan.make_lhe()
    shown = html.unescape(siti.catatan.lhe.value)
    assert out is not None, shown
    last = ledger.records(UNIT)[-1]
    assert out == tmp_path / "home-siti" / "lhe" / UNIT and f"sampai rekaman #{last.seq}" in shown
    assert 'class="zi-dl-pdf"' in siti.catatan.lhe.value and len(siti.s.lhe_sha256) == 64
    page = (out / f"{UNIT}.html").read_text(encoding="utf-8")
    assert BUDI in html.unescape(page)  # the TPI member's change, written through the service
    assert "Catatan tim TPI untuk seluruh unit." in page
    used = [r for r in ledger.records(UNIT) if r.kind in REPORT_KINDS][-1]  # the status moves are not in an LHE
    assert "layanan ledger tim (zi-ledger)" in page and f"#{used.seq}" in page and used.hash in page
    extract = read_extract(out / f"ledger-{UNIT}-{last.seq}.json")
    assert [r.hash for r in extract.records] == [r.hash for r in ledger.records(UNIT)]
    assert not local.exists()

    # the LHE the ketua signs is the one "Finalisasi" records
    siti.status.refresh()
    assert siti.status.sha.value == siti.s.lhe_sha256


def test_an_lhe_from_a_tampered_extract_is_refused(hub, tmp_path, monkeypatch):
    app, _, _ = hub
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    click(bench_of(app("sari")), "diajukan")
    budi = bench_of(app("budi"))
    save(budi, ITEM, "dokumen belum lengkap")
    path = Path(ledger_source(budi.s)["records_path"])
    body = json.loads(path.read_text(encoding="utf-8"))
    body["records"][0]["answer"] = "A"  # the record no longer matches its hash
    path.write_text(json.dumps(body), encoding="utf-8")
    with pytest.raises(LedgerError, match="tidak cocok dengan hash-nya") as info:
        build(unit_id=UNIT, tier="tpi", records_path=str(path))
    assert str(path) in str(info.value)
