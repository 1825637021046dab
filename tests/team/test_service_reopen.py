"""An admin reopens a stage for a unit through the ledger service (``api/buka-tahap``, zi_nb.team.service_api.
reopen_stage): after the deadline a PIC's answer is refused with the date; anyone but an admin is refused (recorded);
the admin reopens until a date with a note; the PIC's answer is then taken; a bad request is named (400)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.team.teams import team_yaml
from tests.team.test_hub import raw_post, refusals
from tests.team.test_service_api import client, serving
from zi_nb.errors import LedgerError
from zi_nb.team.status import reopened_stages

# the stage of filling in ended on 31 March 2026: past, whenever the tests run (they run after it)
TEAM = team_yaml(["sari", "budi", "adm"], kuota=1, unit="u1", tahapan=[("pengisian", "2026-01-05", "2026-03-31")])
UNTIL = "2099-12-31"


@pytest.fixture
def service(tmp_path):
    with serving(tmp_path, TEAM) as found:
        yield found


def reopen_body(**changes: str) -> dict:
    return {"unit_id": "u1", "tahap": "pengisian", "sampai": UNTIL, "note": "perpanjangan karena banjir", **changes}


def test_the_admin_reopens_the_stage_and_the_pic_answers_again(service):
    url, ledger = service
    sari = client(url, "sari")
    with pytest.raises(LedgerError, match="Batas waktu tahap pengisian telah lewat pada 31 Maret 2026"):
        sari.adjust("u1", "PPA1A", "Ya", "unit", "SK tim sudah ada")
    assert [r for r in ledger.records("u1") if r.kind == "answer"] == []

    # the TPI member is not an admin: refused (403), the refusal recorded as who tried what, through the hub
    code, body = raw_post(url, "api/buka-tahap", reopen_body(), "tok-budi")
    assert code == 403 and "hanya admin" in body["error"], body
    last = refusals(ledger)[-1]
    assert (last.evaluator, last.details["aksi"], last.details["via"]) == ("budi", "BUKA_TAHAP", "hub")
    assert reopened_stages(ledger.records("u1"), "u1", "2026", dt.date(2026, 12, 4)) == frozenset()
    with pytest.raises(LedgerError, match="hanya admin"):
        sari.reopen("u1", "pengisian", dt.date(2099, 12, 31), "saya ingin mengisi")
    assert [(r.evaluator, r.details["aksi"]) for r in refusals(ledger)][-1] == ("sari", "BUKA_TAHAP")

    # the admin: the reopening is a status record of the caller (never a name from the body), via hub, with the date
    rec = client(url, "adm").reopen("u1", "pengisian", dt.date(2099, 12, 31), "perpanjangan karena banjir")
    assert (rec["kind"], rec["code"], rec["answer"], rec["evaluator"]) == ("status", "BUKA:2026", "pengisian", "adm")
    assert rec["data"] == {"aksi": "BUKA_TAHAP", "via": "hub", "sampai": UNTIL} and rec["note"].startswith("perpanj")
    assert reopened_stages(ledger.records("u1"), "u1", "2026", dt.date(2099, 12, 31)) == {"pengisian"}

    # the PIC's answer is now taken, and the unit may be submitted
    answer = sari.adjust("u1", "PPA1A", "Ya", "unit", "SK tim sudah ada")
    assert (answer["code"], answer["answer"], answer["evaluator"]) == ("PPA1A", "Ya", "hub:sari (Sari Dewi)")
    assert sari.status("u1", "diajukan", note="siap direviu")["answer"] == "diajukan"


def test_a_name_in_the_body_does_not_make_an_admin(service):
    url, ledger = service
    code, body = raw_post(url, "api/buka-tahap", {**reopen_body(), "username": "adm", "evaluator": "adm"}, "tok-budi")
    assert code == 403 and "hanya admin" in body["error"]
    assert [r for r in ledger.records("u1") if r.kind == "status"] == []


@pytest.mark.parametrize(("changes", "words"), [
    ({"sampai": "31-12-2099"}, "Tanggal 'sampai' tidak sah ('31-12-2099')"),
    ({"sampai": "2099-02-30"}, "Tanggal 'sampai' tidak sah ('2099-02-30')"),
    ({"sampai": ""}, "Tanggal 'sampai' tidak sah"),
    ({"sampai": "2026-01-01"}, "Tanggal 'sampai' (1 Januari 2026) sudah lewat"),
    ({"tahap": "isian"}, "Tahap 'isian' tidak dikenal; tahap yang dapat dibuka kembali: pengisian, reviu, finalisasi"),
    ({"note": "  "}, "Catatan (alasan membuka kembali tahap) wajib diisi"),
    ({"unit_id": ""}, "Kolom 'unit_id' wajib diisi"),
])
def test_a_bad_request_is_named(service, changes, words):
    url, ledger = service
    code, body = raw_post(url, "api/buka-tahap", reopen_body(**changes), "tok-adm")
    assert code == 400 and words in body["error"], body
    assert [r for r in ledger.records() if r.kind == "status"] == []


def test_a_missing_note_and_an_unknown_unit(service):
    url, ledger = service
    body = reopen_body()
    del body["note"]
    code, answer = raw_post(url, "api/buka-tahap", body, "tok-adm")
    assert code == 400 and "Catatan (alasan membuka kembali tahap) wajib diisi" in answer["error"]
    code, answer = raw_post(url, "api/buka-tahap", reopen_body(unit_id="u9"), "tok-adm")
    assert code == 403 and "unit 'u9' tidak terdaftar" in answer["error"], answer
    assert [r for r in ledger.records() if r.kind == "status"] == []
