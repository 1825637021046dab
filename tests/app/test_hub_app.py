"""The evaluator app on the team server: every write through the real ledger service (in a thread, a fake hub
resolving tokens), identity and tier from the service, "Tugas saya" and the status hand-offs, driven through the
widgets' handlers as a click in the browser does. Nothing is ever written to a local ledger file."""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

import pytest

from tests.app.hubapp import app_on_service
from tests.team.teams import team_yaml
from zi_nb.app.hub_mode import role_tier
from zi_nb.app.session import load_data, resolve_parameters
from zi_nb.app.status_panel import item_notes, moves
from zi_nb.app.workbench import Root, Workbench
from zi_nb.common.domain import BUKTI
from zi_nb.errors import ParameterError, ZiError
from zi_nb.review.ledger import Ledger

UNIT = "kanim-sukawangi"
ITEM = "PPA1B"  # three required documents
TEAM = team_yaml(["sari", "budi", "siti", "kora", "tono"], unit=UNIT, kuota=1)
SARI = "hub:sari (Sari Dewi)"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
BUDI = "hub:budi (Budi Santoso, NIP 198001012005011001)"


@pytest.fixture(scope="module")
def data():
    return load_data()


@pytest.fixture
def hub(tmp_path, monkeypatch, data):
    """(open the app as a user -> Root, the service's ledger, the local ledger path that must stay absent)."""
    with app_on_service(tmp_path, monkeypatch, data, TEAM, unit=UNIT) as (app, _url, ledger, local):
        yield app, ledger, local


def bench_of(root: Root) -> Workbench:
    assert root.bench is not None, root.widget.children
    return root.bench


def change(bench: Workbench, code: str) -> str:
    """Choose another option of ``code`` in its control (as a click does); the option chosen."""
    bench.goto(code)
    control = bench.control.children[0]
    current = bench.s.value_text(code)
    values = [o[1] if isinstance(o, tuple) else o for o in control.options]
    option = next(v for v in values if v is not None and v != current)
    control.value = option
    return option


def save(bench: Workbench, code: str, note: str) -> str:
    option = change(bench, code)
    bench.note.value = note
    bench._on_save()
    return option


def click(bench: Workbench, target: str) -> str:
    panel = bench.status
    assert panel is not None and target in panel.buttons, (target, list(panel.buttons), panel.head.value)
    panel.buttons[target].click()
    return html.unescape(panel.msg.value)


def status(ledger: Ledger) -> str:
    return [r for r in ledger.records(UNIT) if r.kind == "status"][-1].answer


def test_the_whole_hand_off_through_the_app(hub):
    app, ledger, local = hub
    # the PIC: identity and tier from the service, no name box; answers the unit tier and submits
    sari = bench_of(app("sari"))
    assert sari.s.tier == "unit" and sari.s.evaluator == SARI and not hasattr(sari, "who")
    assert list(sari.status.buttons) == ["diajukan"] and "draf" in sari.status.head.value
    chosen = save(sari, "PPA1A", "SK tim sudah ada")
    assert "Tersimpan di ledger" in sari.msg.value and SARI in sari.msg.value, sari.msg.value
    [rec] = [r for r in ledger.records(UNIT) if r.kind == "answer"]
    assert (rec.code, rec.tier, rec.answer, rec.evaluator) == ("PPA1A", "unit", chosen, SARI)
    assert "sekarang 'diajukan'" in click(sari, "diajukan") and status(ledger) == "diajukan"
    assert sari.status.buttons == {}
    # a write the rules refuse now: the service's message, the draft kept, nothing local
    option = change(sari, "PPA1B")
    sari.note.value = "ralat"
    sari._on_save()
    assert "berstatus 'diajukan'" in html.unescape(sari.msg.value) and sari.s.drafts == {"PPA1B": option}
    assert [r.code for r in ledger.records(UNIT) if r.kind == "answer"] == ["PPA1A"]

    # the TPI: "Tugas saya" lists the unit; a TPI answer and a verdict, then direviu and back with a note per item
    picker = app("budi", unit="")
    tasks = picker.widget.children[1].children[1]
    assert "zi-tasks" in tasks._dom_classes and UNIT in tasks.children[1].children[0].value
    tasks.children[1].children[1].click()  # "Buka"
    budi = bench_of(picker)
    assert budi.s.tier == "tpi" and budi.s.evaluator == BUDI and budi.s.unit_text["PPA1A"] == chosen
    save(budi, ITEM, "dokumen belum lengkap")
    assert "Tersimpan" in budi.msg.value, budi.msg.value
    budi.goto(ITEM)
    budi.evidence.rows[0][2]["ada"].click()
    assert "zi-msg ok" in budi.evidence.msg.value and "1 dari 3 dokumen dinilai" in budi.evidence.head.value
    mine = [r for r in ledger.records(UNIT) if r.evaluator == BUDI]
    assert [(r.kind, r.tier) for r in mine] == [("answer", "tpi"), (BUKTI, "tpi")]
    assert mine[0].evaluator.startswith("hub:budi ")
    assert [r.code for r in budi.s.records(ITEM)] == [ITEM]  # read back from the service
    click(budi, "direviu")
    assert status(ledger) == "direviu" and set(budi.status.buttons) == {"dikembalikan"}
    budi.status.butir.value = "PPA1A: SK belum ditandatangani\n"
    budi.status.note.value = "Perbaiki SK"
    click(budi, "dikembalikan")
    back = [r for r in ledger.records(UNIT) if r.kind == "status"][-1]
    assert back.answer == "dikembalikan" and back.details["butir"] == {"PPA1A": "SK belum ditandatangani"}

    # the PIC corrects and resubmits; the TPI reviews again
    sari = bench_of(app("sari"))
    assert list(sari.status.buttons) == ["diajukan ulang"]
    save(sari, "PPA1A", "SK ditandatangani")
    assert "Tersimpan" in sari.msg.value, sari.msg.value
    click(sari, "diajukan ulang")
    click(bench_of(app("budi")), "direviu")

    # the ketua finalises with the LHE just made (its sha256), the coordinator proposes
    siti = bench_of(app("siti"))
    assert siti.s.tier == "tpi" and set(siti.status.buttons) == {"final TPI", "dikembalikan"}
    # until the ketua signs, the predikat says the review is not final, on its own line
    assert "(reviu belum final)" in siti.head_html.value and "status unit: direviu" in siti.head_html.value
    assert "sha256" in click(siti, "final TPI") and status(ledger) == "direviu"  # no LHE yet: asked for it
    siti.s.lhe_sha256 = sha = hashlib.sha256(b"LHE").hexdigest()
    siti.status.refresh()
    assert siti.status.sha.value == sha
    click(siti, "final TPI")
    final = [r for r in ledger.records(UNIT) if r.kind == "status"][-1]
    assert final.answer == "final TPI" and final.details["lhe_sha256"] == sha and final.evaluator == "siti"
    assert "reviu belum final" not in siti.head_html.value  # the header follows the new status at once
    kora = bench_of(app("kora"))
    assert list(kora.status.buttons) == ["diusulkan"]
    click(kora, "diusulkan")
    assert status(ledger) == "diusulkan"
    assert set(bench_of(app("tono")).status.buttons) == {"ditetapkan", "tidak ditetapkan"}
    assert not local.exists() and not local.parent.exists()


def test_a_view_only_role_is_refused_by_the_service_and_nothing_is_lost(hub):
    app, ledger, local = hub
    kora = bench_of(app("kora"))
    assert kora.s.tier == "tpi" and kora.status.buttons == {} and "hanya melihat" in kora.status.head.value
    option = save(kora, ITEM, "coba")
    assert "tidak berhak" in kora.msg.value and "zi-msg err" in kora.msg.value, kora.msg.value
    assert kora.s.drafts == {ITEM: option}
    kora.catatan.save("UNIT")
    assert "zi-msg err" in kora.catatan.msgs["UNIT"].value
    assert [r for r in ledger.records() if r.kind not in ("penolakan",)] == []
    assert not local.exists()


def test_without_a_token_the_app_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("ZI_NB_SERVICE_URL", "http://127.0.0.1:9/services/zi-ledger/")
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    root = Root(resolve_parameters({"unit_id": UNIT, "ledger_path": str(tmp_path / "l.sqlite")}))
    assert root.bench is None and "server tim" in root.widget.children[1].value


def test_the_unit_tier_is_a_parameter_on_the_team_server_only():
    assert resolve_parameters({"tier": "unit"}, {"ZI_NB_SERVICE_URL": "http://x/"})["tier"] == "unit"
    with pytest.raises(ParameterError):
        resolve_parameters({"tier": "unit"}, {})


def test_roles_tiers_moves_and_item_notes():
    assert role_tier(["unit"]) == ("unit", True) and role_tier(["tpn"]) == ("tpn", True)
    assert role_tier(["ketua-tpi"]) == ("tpi", False) and role_tier(["admin"]) == ("tpi", False)
    assert moves(["unit"], "dikembalikan") == [("AJUKAN_ULANG", "diajukan ulang")]
    assert moves(["ketua-tpi"], "final TPI") == [("BUKA_FINAL", "dikembalikan")]
    assert moves(["tpn"], "ditetapkan") == [("CABUT", "dicabut")]
    assert item_notes("ppa1a: SK\n\nPPA1B : foto") == {"PPA1A": "SK", "PPA1B": "foto"}
    with pytest.raises(ZiError):
        item_notes("tanpa titik dua")


def test_standalone_has_no_status_panel(data, tmp_path, monkeypatch):
    import zi_nb.app.workbench as wb

    monkeypatch.delenv("ZI_NB_SERVICE_URL", raising=False)
    monkeypatch.setattr(wb, "load_data", lambda *a, **k: data)
    root = Root(resolve_parameters({"unit_id": UNIT, "ledger_path": str(tmp_path / "l.sqlite")}, {}))
    assert root.hub is None and bench_of(root).status is None and bench_of(root).s.writer.hub is False
    assert isinstance(Path(bench_of(root).s.ledger_path), Path)


def test_undo_and_catatan_go_through_the_service(hub):
    app, ledger, local = hub
    sari = bench_of(app("sari"))
    save(sari, "PPA1A", "SK tim sudah ada")
    sari._on_undo()
    assert "diurungkan" in sari.msg.value and "PPA1A" not in sari.s.drafts, sari.msg.value
    assert [(r.kind, r.evaluator) for r in ledger.records(UNIT)] == [("answer", SARI), ("undo", SARI)]
    # the workbook's answer went with the first change, so the undo restores it (not an empty answer)
    first, undone = ledger.records(UNIT)
    assert first.previous is not None and undone.answer == first.previous
    budi = bench_of(app("budi"))
    client = budi.status.client
    client_sari = sari.status.client
    client_sari.status(UNIT, "diajukan", note="siap")
    budi.catatan.refresh()
    budi.catatan.texts["UNIT"][0].value = "Catatan TPI untuk unit"
    budi.catatan.save("UNIT")
    assert "zi-msg ok" in budi.catatan.msgs["UNIT"].value and BUDI in budi.catatan.msgs["UNIT"].value
    assert budi.catatan.notes()["UNIT"].catatan == "Catatan TPI untuk unit"
    assert client.records(UNIT)["status"] == "diajukan" and not local.exists()


def test_tugas_saya_shows_progress_and_risk(hub):
    app, _ledger, _local = hub
    bench_of(app("sari")).status.client.status(UNIT, "diajukan", note="siap")
    picker = app("budi", unit="")
    tasks = picker.widget.children[1].children[1]
    text = html.unescape(tasks.children[1].children[0].value)
    assert "TPI 113/113 butir terjawab" in text and re.search(r"Risiko \d+,\d \(urutan \d+ dari 12\)", text), text


def test_a_multi_answer_save_is_all_or_none_through_the_service(hub):
    app, ledger, local = hub
    sari = bench_of(app("sari"))
    with pytest.raises(ZiError, match="Mungkin"):
        sari.s.record_answers([("PPA1A", "Tidak"), (ITEM, "Mungkin")], "isi sekaligus")
    assert [r for r in ledger.records(UNIT) if r.kind == "answer"] == []
    recs = sari.s.record_answers([("PPA1A", "Tidak"), (ITEM, "C")], "isi sekaligus")
    assert [(r.code, r.answer, r.evaluator) for r in recs] == [("PPA1A", "Tidak", SARI), (ITEM, "C", SARI)]
    assert [r.code for r in ledger.records(UNIT) if r.kind == "answer"] == ["PPA1A", ITEM] and not local.exists()


def test_attachments_are_read_and_copied_through_the_service(hub, monkeypatch):
    import base64
    import socket

    app, ledger, local = hub
    sari = bench_of(app("sari"))
    sari.goto(ITEM)
    panel = sari.evidence
    assert panel.attach_file("SK Tim.pdf", PDF), panel.msg.value
    [row] = panel.files_box.children
    assert base64.b64encode(PDF).decode() in row.children[1].value  # the download link, read from the service
    budi = bench_of(app("budi"))  # another user with a role on the unit reads it too
    budi.goto(ITEM)
    assert base64.b64encode(PDF).decode() in budi.evidence.files_box.children[0].children[1].value
    # "Simpan salinan": fetched into a temporary store, stored by the service, nothing in this server's folder
    public = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443))]
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: public if str(host).endswith("example.go.id")
                        else real(host, *a, **k))  # the link's host only: the service stays on 127.0.0.1
    copy = PDF + b"% salinan\n"
    panel.opener = lambda link, limit: (copy, "application/pdf", None)
    (line,) = panel.links_box.children
    line.children[1].click()
    assert "zi-msg ok" in panel.msg.value, panel.msg.value
    attached = [r for r in ledger.records(UNIT) if r.kind == "lampiran"]
    assert [r.answer for r in attached] == [hashlib.sha256(PDF).hexdigest(), hashlib.sha256(copy).hexdigest()]
    assert attached[-1].details["source"].startswith("https://") and attached[-1].evaluator == SARI
    assert not local.parent.exists()  # no ledger, no evidence store in the user's server folder
