"""The team workflow through the ledger service (zi_nb.team.service_api): status changes, semua ada, attachments,
undo, a unit's records, "Tugas saya" and the overview; with a fake hub resolving tokens."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.team.teams import team_yaml
from tests.team.test_hub import FakeHub, raw_post, refusals, serve_state, user_model, written
from zi_nb.engine.rubric import load_rubric
from zi_nb.errors import LedgerError
from zi_nb.review.evidence_store import EvidenceStore
from zi_nb.review.ledger import Ledger, apply_ledger
from zi_nb.team import service as svc
from zi_nb.team import service_api
from zi_nb.team.client import ServiceClient

USERS = ("sari", "dewi", "budi", "siti", "kora", "tono", "adm")
TEAM = team_yaml(USERS, kuota=2, units={"sari": "u1", "dewi": "u2", "budi": ["u1", "u2"]})
TOKENS = {f"tok-{u}": u for u in USERS}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
SHA = hashlib.sha256(b"LHE u1").hexdigest()
SARI = "hub:sari (Sari Dewi)"
BUDI = "hub:budi (Budi Santoso, NIP 198001012005011001)"


@contextlib.contextmanager
def serving(tmp_path: Path, team_text: str = TEAM, bukti_dir: Path | None = None,
            data: object = None) -> Iterator[tuple[str, Ledger]]:
    """The service on a free port in a thread, every user of ``team_text`` with the token ``tok-<username>`` (and
    ``data``, the units' LKE inputs, when given)."""
    team_file = tmp_path / "tim.yaml"
    team_file.write_text(team_text, encoding="utf-8")
    ledger = Ledger(tmp_path / "ledger.sqlite")
    hub = FakeHub({token: user_model(name) for token, name in TOKENS.items()})
    state = svc.ServiceState(svc.load_team(team_file), ledger, hub, load_rubric("zi-2021"), bukti_dir, data)
    with serve_state(state) as url:
        yield url, ledger


@pytest.fixture
def service(tmp_path):
    with serving(tmp_path) as found:
        yield found


def raw_get(url: str, path: str, token: str | None) -> tuple[int, dict | bytes, dict]:
    req = urllib.request.Request(url + path, headers={"Authorization": f"token {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            data = resp.read()
            headers = dict(resp.headers)
            if resp.headers.get("Content-Type", "").startswith("application/json"):
                return resp.status, json.loads(data), headers
            return resp.status, data, headers
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), dict(exc.headers)


def client(url: str, user: str) -> ServiceClient:
    return ServiceClient(url, f"tok-{user}")


def status_of(url: str, unit: str = "u1") -> str:
    return client(url, "budi").records(unit)["status"]


# -- the full cycle --------------------------------------------------------------------------------------------------
def test_the_full_cycle_through_the_service(service):
    url, ledger = service
    sari, budi, siti, kora, tono = (client(url, u) for u in ("sari", "budi", "siti", "kora", "tono"))
    # the PIC fills the self-assessment (unit tier) and attaches a document, then submits
    rec = sari.adjust("u1", "PPA1A", "Ya", "unit", "SK tim sudah ada")
    assert rec["evaluator"] == SARI and rec["tier"] == "unit"
    attached = sari.attach("u1", "PPA1A", "unit", "SK Tim.pdf", PDF, note="SK terbaru")
    assert attached["record"]["kind"] == "lampiran" and attached["berkas"]["size"] == len(PDF)
    assert [t["unit_id"] for t in sari.tasks()] == ["u1"]
    assert sari.status("u1", "diajukan", note="siap direviu")["answer"] == "diajukan"
    assert sari.tasks() == [] and [t["unit_id"] for t in budi.tasks()] == ["u1"]
    # TPI reviews, marks every document present, returns with notes per item
    budi.adjust("u1", "PPA1A", "Tidak", "tpi", "SK belum ditandatangani")
    assert len(budi.all_present("u1", "PPA1A", "tpi")) >= 1
    budi.status("u1", "direviu", note="reviu selesai")
    back = budi.status("u1", "dikembalikan", note="Perbaiki SK", butir={"PPA1A": "SK belum ditandatangani"})
    assert back["data"]["butir"] == {"PPA1A": "SK belum ditandatangani"} and back["data"]["via"] == "hub"
    # the PIC corrects and resubmits; TPI reviews again; the ketua signs; the coordinator proposes
    sari.adjust("u1", "PPA1A", "Ya", "unit", "SK ditandatangani")
    sari.status("u1", "diajukan ulang", note="sudah diperbaiki")
    budi.status("u1", "direviu", note="perbaikan diterima")
    final = siti.status("u1", "final TPI", lhe_sha256=SHA)
    assert final["data"]["lhe_sha256"] == SHA and final["evaluator"] == "siti"
    kora.status("u1", "diusulkan", note="diusulkan ke TPN")
    # TPN reviews at its tier and decides; later revokes with a reason
    tono.adjust("u1", "PPA1A", "Ya", "tpn", "terverifikasi")
    tono.all_present("u1", "PPA1A", "tpn")
    tono.status("u1", "ditetapkan", note="memenuhi syarat")
    revoked = tono.status("u1", "dicabut", alasan="Pelanggaran integritas")
    assert revoked["data"]["alasan"] == "Pelanggaran integritas" and status_of(url) == "dicabut"
    steps = [r for r in ledger.records() if r.kind == "status"]
    assert [r.evaluator for r in steps] == ["sari", "budi", "budi", "sari", "budi", "siti", "kora", "tono", "tono"]
    assert all(r.details["via"] == "hub" for r in steps)
    assert refusals(ledger) == [] and ledger.verify() == []


def test_the_pic_answers_the_unit_tier_until_submitting(service):
    url, ledger = service
    sari = client(url, "sari")
    sari.adjust("u1", "PPA1A", "Ya", "unit", "SK tim ada")
    sari.status("u1", "diajukan", note="siap")
    with pytest.raises(LedgerError, match="berstatus 'diajukan'"):
        sari.adjust("u1", "PPA1A", "Tidak", "unit", "ralat")
    with pytest.raises(LedgerError, match="berstatus 'diajukan'"):
        sari.attach("u1", "PPA1A", "unit", "SK.pdf", PDF)
    with pytest.raises(LedgerError, match="berstatus 'diajukan'"):
        sari.undo("u1", "ralat")
    assert [r.answer for r in written(ledger)] == ["Ya"]
    [*_, last] = refusals(ledger)
    assert last.evaluator == "sari" and last.details["aksi"] == "ISI" and last.previous == "diajukan"
    assert len(refusals(ledger)) == 3


def test_a_unit_tier_ledger_answer_replaces_the_workbooks(service, rubric):
    from zi_nb.engine.answers import build_answers
    from zi_nb.engine.dataset import LkeData

    url, ledger = service
    client(url, "sari").adjust("u1", "PPA1A", "Tidak", "unit", "SK belum ada")
    raw = pd.DataFrame([{"unit_id": "u1", "tier": t, "reviewer": None, "code": "PPA1A", "raw": "Ya", "note": None,
                         "evidence": None, "file": "lke.xlsx", "sheet": "LKE", "cell": "H10", "line": None}
                        for t in ("unit", "tpi")])
    answers, _ = build_answers(raw, rubric)
    data = LkeData(rubric=rubric, units=pd.DataFrame({"unit_id": ["u1"], "unit_name": ["Unit 1"]}),
                   answers=answers, cached=pd.DataFrame(), findings=[], files={})
    applied = apply_ledger(data, ledger)
    got = {t: a for t, c, a in zip(applied.answers["tier"], applied.answers["code"], applied.answers["raw"])
           if c == "PPA1A"}
    assert got == {"unit": "Tidak", "tpi": "Ya"}  # the PIC's answer replaced the workbook's; TPI's untouched


# -- each endpoint: allowed, refused (recorded), no token --------------------------------------------------------------
POSTS = {
    "status": {"unit_id": "u1", "to_status": "diajukan", "note": "siap"},
    "semua-ada": {"unit_id": "u1", "code": "PPA1A", "tier": "tpi"},
    "attach": {"unit_id": "u1", "code": "PPA1A", "tier": "unit", "name": "SK.pdf",
               "content": base64.b64encode(PDF).decode()},
    "undo": {"unit_id": "u1", "tier": "unit", "note": "salah isi"},
}


@pytest.mark.parametrize("path", [*POSTS, "records?unit=u1", "tasks", "overview"])
def test_no_token_is_401_and_writes_nothing(service, path):
    url, ledger = service
    if path in POSTS:
        got, body = raw_post(url, "api/" + path, POSTS[path], None)
    else:
        got, body, _ = raw_get(url, "api/" + path, None)
    assert got == 401 and "Token hub tidak ada" in body["error"]
    got, body = raw_post(url, "api/attach", POSTS["attach"], "tok-unknown") if path == "attach" else (401, body)
    assert got == 401
    assert ledger.records() == []


def test_status_refused_is_recorded_and_forged_names_are_ignored(service):
    url, ledger = service
    got, body = raw_post(url, "api/status", {**POSTS["status"], "username": "sari", "evaluator": "sari"}, "tok-budi")
    assert got == 403 and "budi" in body["error"] and "PIC unit" in body["error"]
    [refusal] = refusals(ledger)
    assert refusal.evaluator == "budi" and refusal.details == {"aksi": "AJUKAN", "via": "hub"}
    got, body = raw_post(url, "api/status", {**POSTS["status"], "evaluator": "budi"}, "tok-sari")
    assert got == 200 and body["record"]["evaluator"] == "sari" and body["diabaikan"] == ["evaluator"]
    got, body = raw_post(url, "api/status", {"unit_id": "u1", "to_status": "terbang"}, "tok-sari")
    assert got == 400 and "tidak dikenal" in body["error"]
    got, body = raw_post(url, "api/status", {"unit_id": "u1", "to_status": "direviu", "butir": "x"}, "tok-budi")
    assert got == 400 and "butir" in body["error"]
    assert len(refusals(ledger)) == 1


def test_semua_ada(service):
    url, ledger = service
    got, body = raw_post(url, "api/semua-ada", POSTS["semua-ada"], "tok-budi")  # u1 is draf: TPI may not yet
    assert got == 403 and "berstatus 'draf'" in body["error"] and refusals(ledger)[-1].details["aksi"] == "REVIU"
    client(url, "sari").status("u1", "diajukan", note="siap")
    recs = client(url, "budi").all_present("u1", "PPA1A", "tpi")
    assert {r["answer"] for r in recs} == {"ada"} and all(r["evaluator"] == BUDI for r in recs)
    got, body = raw_post(url, "api/semua-ada", {**POSTS["semua-ada"], "tier": "tpn"}, "tok-budi")
    assert got == 403 and "TPN" in body["error"]
    got, body = raw_post(url, "api/semua-ada", {**POSTS["semua-ada"], "code": "XYZ"}, "tok-budi")
    assert got == 400 and "XYZ" in body["error"]


def test_attach_stores_the_file_and_refuses_what_it_must(service, tmp_path, monkeypatch):
    url, ledger = service
    got, body = raw_post(url, "api/attach", POSTS["attach"], "tok-dewi")  # the PIC of another unit
    assert got == 403 and "tidak ditugaskan pada unit u1" in body["error"]
    assert refusals(ledger)[-1].evaluator == "dewi" and refusals(ledger)[-1].details["aksi"] == "ISI"
    got, body = raw_post(url, "api/attach", POSTS["attach"], "tok-sari")
    assert got == 200 and body["record"]["evaluator"] == SARI
    store = EvidenceStore(tmp_path / "bukti-dukung")  # beside the ledger by default
    assert store.read(body["berkas"]["sha256"]) == PDF
    scan = PDF + b"%" * (3 << 20)  # larger than any other request's body (1 MiB)
    got, body = raw_post(url, "api/attach", {**POSTS["attach"], "content": base64.b64encode(scan).decode()},
                         "tok-sari")
    assert got == 200 and store.read(body["berkas"]["sha256"]) == scan
    with pytest.raises((urllib.error.URLError, ConnectionError, json.JSONDecodeError)):  # the others: 1 MiB
        raw_post(url, "api/answer", {"unit_id": "u1", "code": "PPA1A", "tier": "unit", "answer": "Ya",
                                     "note": "x" * (2 << 20)}, "tok-sari")
    got, body = raw_post(url, "api/attach", {**POSTS["attach"], "content": "bukan base64!"}, "tok-sari")
    assert got == 400 and "base64" in body["error"]
    got, body = raw_post(url, "api/attach", {**POSTS["attach"], "name": "virus.exe",
                                             "content": base64.b64encode(b"MZ\x90\x00" * 10).decode()}, "tok-sari")
    assert got == 400 and "virus.exe" in body["error"]
    monkeypatch.setattr(service_api, "UPLOAD_MAX_BODY", 2000)
    big = {**POSTS["attach"], "content": base64.b64encode(PDF * 100).decode()}
    got, body = raw_post(url, "api/attach", big, "tok-sari")
    assert got == 413 and "terlalu besar" in body["error"]
    assert [r.kind for r in written(ledger)] == ["lampiran", "lampiran"]


def test_attach_uses_the_bukti_dir(tmp_path):
    with serving(tmp_path, bukti_dir=tmp_path / "bukti") as (url, _ledger):
        stored = client(url, "sari").attach("u1", "PPA1A", "unit", "SK.pdf", PDF)["berkas"]
    assert EvidenceStore(tmp_path / "bukti").read(stored["sha256"]) == PDF


def test_undo(service):
    url, ledger = service
    sari = client(url, "sari")
    with pytest.raises(LedgerError, match="Tidak ada perubahan"):
        sari.undo("u1", "salah isi")  # the tier comes from sari's one role on u1
    sari.adjust("u1", "PPA1A", "Ya", "unit", "isi")
    sari.adjust("u1", "PPA1A", "Tidak", "unit", "ralat")
    rec = sari.undo("u1", "salah isi")
    assert rec["kind"] == "undo" and rec["answer"] == "Ya" and rec["tier"] == "unit" and rec["evaluator"] == SARI
    got, body = raw_post(url, "api/undo", {"unit_id": "u1", "note": "x", "tier": "tpi"}, "tok-sari")
    assert got == 403 and refusals(ledger)[-1].details["aksi"] == "REVIU"
    got, body = raw_post(url, "api/undo", {"unit_id": "u1", "note": "x"}, "tok-siti")  # no tier of its own
    assert got == 400 and "tier" in body["error"]
    assert ledger.current("u1", "unit") == {"PPA1A": "Ya"}


def test_records_only_for_a_role_on_the_unit(service):
    url, _ledger = service
    client(url, "sari").adjust("u1", "PPA1A", "Ya", "unit", "isi")
    for user in ("sari", "budi", "siti", "kora", "tono", "adm"):
        got, body, _ = raw_get(url, "api/records?unit=u1", f"tok-{user}")
        assert got == 200 and body["status"] == "draf" and [r["code"] for r in body["records"]] == ["PPA1A"], user
    got, body, _ = raw_get(url, "api/records?unit=u1", "tok-dewi")  # the PIC of u2
    assert got == 403 and "u1" in body["error"]
    got, body, _ = raw_get(url, "api/records?unit=nowhere", "tok-adm")
    assert got == 400 and "tidak terdaftar" in body["error"]
    got, body, _ = raw_get(url, "api/records", "tok-adm")
    assert got == 400 and "unit" in body["error"]
    got, body = raw_post(url, "api/records?unit=u1", {}, "tok-adm")
    assert got == 405 and body["error"]


def test_tasks_follow_the_status(service):
    url, _ledger = service
    assert [t["unit_id"] for t in client(url, "budi").tasks()] == []
    assert [t["unit_id"] for t in client(url, "dewi").tasks()] == ["u2"]
    client(url, "sari").status("u1", "diajukan", note="siap")
    [task] = client(url, "budi").tasks()
    assert task["unit_id"] == "u1" and task["status"] == "diajukan" and task["stage"] == "reviu"
    assert client(url, "kora").tasks() == []


def test_overview_json_and_xlsx_for_coordinator_admin_tpn(service):
    from openpyxl import load_workbook

    url, ledger = service
    client(url, "sari").status("u1", "diajukan", note="siap")
    rows = client(url, "kora").overview()
    assert [(r["unit_id"], r["status"]) for r in rows] == [("u1", "diajukan"), ("u2", "draf")]
    for user in ("adm", "tono"):
        assert len(client(url, user).overview()) == 2
    content = client(url, "kora").overview_xlsx()
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A4"].value == "u1" and sheet["C4"].value == "diajukan"
    got, _, headers = raw_get(url, "api/overview?format=xlsx", "tok-adm")
    assert got == 200 and 'filename="status-unit-2026.xlsx"' in headers["Content-Disposition"]
    for user in ("sari", "budi", "siti"):
        got, body, _ = raw_get(url, "api/overview", f"tok-{user}")
        assert got == 403 and "koordinator" in body["error"], user
    got, body, _ = raw_get(url, "api/overview?format=pdf", "tok-kora")
    assert got == 400 and "json atau xlsx" in body["error"]
    assert [r.kind for r in ledger.records()] == ["status"]
