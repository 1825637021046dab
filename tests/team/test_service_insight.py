"""The ledger service with the units' LKE inputs (zi_nb.team.insight): the inputs reaching the hub's servers and the
service, the overview's progress, score and predikat, "Tugas saya" with progress and ordered by triage risk, the
multi-answer save (all or none) and the attachment download (api/berkas)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import urllib.parse

import pytest

from tests.team.teams import Person, team_yaml
from tests.team.test_hub import raw_post, refusals, written
from tests.team.test_service_api import PDF, client, raw_get, serving
from zi_nb.app.session import load_data
from zi_nb.app.writer import HubWriter
from zi_nb.engine.rubric import load_rubric
from zi_nb.errors import LedgerError, ParameterError
from zi_nb.lke.sample import bundled_paths
from zi_nb.review.evidence_store import EvidenceStore
from zi_nb.review.ledger import Ledger
from zi_nb.team import insight, overview
from zi_nb.team import service as svc
from zi_nb.team.hub import hub_config
from zi_nb.team.status import transition
from zi_nb.team.teamfile import load_team

K, P, Q = "kanim-sukawangi", "kppn-lembah-hijau", "kua-sukamaju"  # risk (sample): kua > kanim > kppn
TEAM = team_yaml(["sari", "dewi", Person("agus", "Agus Salim"), "budi", "kora"], kuota=2,
                 units={"sari": K, "dewi": [P, "unit-baru"], "agus": Q, "budi": [K, P, Q, "unit-baru"]},
                 tahapan=[("pengisian", "2026-01-05", "2099-03-31"), ("reviu", "2026-02-01", "2099-04-30"),
                          ("finalisasi", "2026-04-01", "2099-05-15")])
SARI = "hub:sari (Sari Dewi)"
ANSWER_KEYS = {"unit_id", "status", "since", "since_by", "stage", "deadline", "deadline_passed", "waiting_for", "todo",
               "unit_name", "progress", "score", "predicate", "details"}


@pytest.fixture(scope="module")
def data():
    return load_data()


@pytest.fixture
def service(tmp_path, data):
    with serving(tmp_path, TEAM, data=data) as found:
        yield found


def submit(ledger: Ledger, team_file, *pairs: tuple[str, str]) -> None:
    team = load_team(team_file)
    for user, unit in pairs:
        transition(ledger, team, user, unit, "diajukan", via="cli")


# -- 1. the inputs -------------------------------------------------------------------------------------------------
def test_the_hub_passes_the_inputs_to_every_server_and_to_the_service(tmp_path):
    team_file = tmp_path / "tim.yaml"
    team_file.write_text(TEAM, encoding="utf-8")
    answers, units = bundled_paths()
    text = hub_config(team_file, tmp_path / "l.sqlite", tmp_path / "hub", 8123, proxy="/bin/true",
                      input_path=answers, units_path=units)
    env = text.split("c.Spawner.environment = ", 1)[1].split("\n", 1)[0]
    assert f"'ZI_NB_INPUT': '{answers.resolve()}'" in env and f"'ZI_NB_UNITS': '{units.resolve()}'" in env
    command = text.split('"command": ', 1)[1].split("\n", 1)[0]
    assert f"'--input', '{answers.resolve()}', '--units', '{units.resolve()}'" in command
    default = hub_config(team_file, tmp_path / "l.sqlite", tmp_path / "hub", 8123, proxy="/bin/true")
    assert "'ZI_NB_INPUT': ''" in default and "'--input'" not in default  # the bundled sample, as zi-nb serve
    with pytest.raises(ParameterError, match=r"hilang\.xlsx"):
        hub_config(team_file, tmp_path / "l.sqlite", tmp_path / "hub", 8123, proxy="/bin/true",
                   input_path=tmp_path / "hilang.xlsx")


def test_a_missing_or_unreadable_input_refuses_to_start(tmp_path, capsys):
    from tests.helpers import run
    from zi_nb.cli import app

    team_file = tmp_path / "tim.yaml"
    team_file.write_text(TEAM, encoding="utf-8")
    bad = tmp_path / "lke-rusak.xlsx"
    bad.write_bytes(b"PK\x03\x04 bukan zip")
    with pytest.raises(ParameterError, match=r"lke-rusak\.xlsx") as caught:
        insight.load_inputs(str(bad))
    assert "tidak dapat dibaca" in str(caught.value)
    with pytest.raises(ParameterError, match=r"hilang\.csv"):
        insight.load_inputs("", str(tmp_path / "hilang.csv"))
    with pytest.raises(SystemExit) as stopped:  # the service itself, as the hub starts it
        svc.main(["--team", str(team_file), "--ledger", str(tmp_path / "l.sqlite"), "--port", "1",
                  "--input", str(bad)])
    assert "lke-rusak.xlsx" in str(stopped.value.code) and "Traceback" not in str(stopped.value.code)
    if "hub" not in app.cli.commands:
        from zi_nb.cli.hub import hub

        app.cli.add_command(hub)
    code, out, err = run(capsys, "hub", "--team", str(team_file), "--state-dir", str(tmp_path / "st"),
                         "--input", str(bad), "--config-only")
    assert code != 0 and "lke-rusak.xlsx" in out + err and "Traceback" not in out + err
    assert not (tmp_path / "st").exists()


# -- 2. the overview -------------------------------------------------------------------------------------------------
def test_the_overview_has_progress_score_and_a_labelled_predikat(service):
    from openpyxl import load_workbook

    url, _ledger = service
    rows = {r["unit_id"]: r for r in client(url, "kora").overview()}
    assert list(rows) == [K, P, "unit-baru", Q] and set(rows[K]) == ANSWER_KEYS
    kanim = rows[K]
    assert kanim["progress"].startswith("UNIT 113/113, TPI 113/113, TPN 0/113") and kanim["score"] != "-"
    assert "[status draf: reviu TPI belum final; data" in kanim["predicate"]  # never a bare predikat
    assert kanim["details"]["answered"] == {"unit": 113, "tpi": 113, "tpn": 0} and kanim["unit_name"]
    assert rows["unit-baru"]["progress"] == "tidak ada dalam masukan"
    sheet = load_workbook(io.BytesIO(client(url, "kora").overview_xlsx())).active
    assert sheet["A4"].value == K and sheet["I4"].value == kanim["progress"] and sheet["K4"].value == kanim["predicate"]


def test_without_inputs_the_overview_keeps_its_columns_empty(tmp_path):
    with serving(tmp_path, TEAM) as (url, _ledger):
        row = client(url, "kora").overview()[0]
        assert set(row) == ANSWER_KEYS and row["progress"] == row["predicate"] == ""
        [task] = client(url, "sari").tasks()
        assert task["progress"] is None and task["risk"] is None and task["tier"] == "unit"


# -- 3. "Tugas saya" ---------------------------------------------------------------------------------------------------
def test_tasks_carry_progress_and_risk_and_the_riskiest_come_first(service, tmp_path):
    url, ledger = service
    submit(ledger, tmp_path / "tim.yaml", ("sari", K), ("dewi", P), ("agus", Q), ("dewi", "unit-baru"))
    found = client(url, "budi").tasks()
    assert [t["unit_id"] for t in found] == [Q, K, P, "unit-baru"]  # team order: K, P, unit-baru, Q
    first = found[0]
    assert first["tier"] == "tpi" and first["stage"] == "reviu" and first["deadline"] == "2099-04-30"
    assert first["progress"] == {"tier": "tpi", "answered": 113, "scorable": 113, "text": "TPI 113/113"}
    ranks = [t["risk"]["rank"] for t in found[:3]]
    assert ranks == sorted(ranks) and all(t["risk"]["of"] == 12 for t in found[:3])
    assert found[0]["risk"]["score"] > found[1]["risk"]["score"] > found[2]["risk"]["score"]
    assert found[3]["progress"] is None and found[3]["risk"] is None
    [mine] = client(url, "sari").tasks() or [None]  # sari submitted: nothing waits for her
    assert mine is None


def test_tasks_for_orders_by_deadline_then_risk_then_the_team_file(tmp_path):
    team_file = tmp_path / "tim.yaml"
    team_file.write_text(TEAM.replace("peran: [{jenis: koordinator}]",
                                      "peran: [{jenis: koordinator}, {jenis: ketua-tpi}]"), encoding="utf-8")
    team = load_team(team_file)
    ledger = Ledger(tmp_path / "l.sqlite")
    submit(ledger, team_file, ("sari", K), ("dewi", P), ("agus", Q))
    transition(ledger, team, "budi", K, "direviu", via="cli")
    transition(ledger, team, "budi", P, "direviu", via="cli")
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    records = ledger.records()
    plain = overview.tasks_for(team, "kora", records, now)
    assert [t.unit_id for t in plain] == [K, P]  # finalisasi (ketua TPI), the team file's order
    assert [t.unit_id for t in overview.tasks_for(team, "kora", records, now, {K: 0.1, P: 0.9})] == [P, K]
    assert [t.unit_id for t in overview.tasks_for(team, "kora", records, now, {K: 0.5})] == [K, P]
    assert [t.unit_id for t in overview.tasks_for(team, "budi", records, now, {K: 9.0, P: 9.0, Q: 0.1})] == [Q]
    # the deadline first: reviu (2099-04-30) before finalisasi (2099-05-15), whatever the risk
    transition(ledger, team, "budi", K, "dikembalikan", note="perbaiki", data={"butir": {"PPA1A": "SK"}}, via="cli")
    transition(ledger, team, "sari", K, "diajukan ulang", via="cli")
    assert [t.unit_id for t in overview.tasks_for(team, "budi", ledger.records(), now, {Q: 0.1, K: 0.2})] == [K, Q]


def test_the_insight_is_computed_once_per_state_of_the_ledger(tmp_path, data, monkeypatch):
    ledger = Ledger(tmp_path / "l.sqlite")
    calls = []
    real = insight.compute
    monkeypatch.setattr(insight, "compute", lambda d, r: calls.append(len(r)) or real(d, r))
    first = insight.insight(data, ledger.records())
    assert insight.insight(data, ledger.records()) is first and calls == [0]
    ledger.adjust(load_rubric("zi-2021"), K, "PPA1A", "Tidak", "tpi", "penguji", "uji")
    assert insight.insight(data, ledger.records()) is not first and calls == [0, 1]
    assert insight.insight(data, ledger.records()) is insight.insight(data, ledger.records()) and calls == [0, 1]


# -- 4. several answers at once: all or none -------------------------------------------------------------------------
def test_a_batch_with_one_invalid_answer_writes_nothing(service):
    url, ledger = service
    body = {"unit_id": K, "tier": "unit", "note": "isi sekaligus",
            "changes": [{"code": "PPA1A", "answer": "Ya", "previous": None},
                        {"code": "PPA1B", "answer": "Mungkin", "previous": "Ya"}]}
    got, reply = raw_post(url, "api/answers", body, "tok-sari")
    assert got == 400 and "Mungkin" in reply["error"] and written(ledger) == []
    with pytest.raises(LedgerError, match="Mungkin"):  # the app's writer: one request, nothing written
        HubWriter(client(url, "sari")).adjust_many(load_rubric("zi-2021"), K, [("PPA1A", "Ya", None),
                                                                               ("PPA1B", "Mungkin", None)],
                                                   "unit", "", "isi sekaligus")
    assert written(ledger) == []
    for wrong, words in [({"changes": []}, "changes"), ({"changes": [{"code": "PPA1A"}]}, "ke-1"),
                         ({"changes": [{"code": "PPA1A", "answer": "Ya"}] * 2}, "sekali"),
                         ({"changes": body["changes"][:1], "note": ""}, "Catatan")]:
        got, reply = raw_post(url, "api/answers", {**body, **wrong}, "tok-sari")
        assert got == 400 and words in reply["error"], (wrong, reply)
    got, reply = raw_post(url, "api/answers", {**body, "tier": "tpi"}, "tok-sari")  # not her tier: refused
    assert got == 403 and written(ledger) == [] and refusals(ledger)[-1].details["aksi"] == "REVIU"
    recs = HubWriter(client(url, "sari")).adjust_many(load_rubric("zi-2021"), K, [("PPA1A", "Tidak", "Ya"),
                                                                                  ("PPA1B", "C", None)],
                                                      "unit", "ignored", "isi sekaligus")
    assert [(r.code, r.answer, r.evaluator) for r in recs] == [("PPA1A", "Tidak", SARI), ("PPA1B", "C", SARI)]
    assert [r.code for r in written(ledger)] == ["PPA1A", "PPA1B"] and recs[0].previous == "Ya"
    assert recs[1].seq == recs[0].seq + 1 and ledger.verify() == []


# -- 5. attachments --------------------------------------------------------------------------------------------------
def test_an_attached_file_is_downloaded_by_those_with_a_role_on_the_unit(service, tmp_path):
    url, ledger = service
    name = "SK Tim – final \"2026\".pdf"
    sha = client(url, "sari").attach(K, "PPA1A", "unit", name, PDF)["berkas"]["sha256"]
    for user in ("sari", "budi", "kora"):
        assert client(url, user).read_attachment(K, sha) == PDF, user
    got, content, headers = raw_get(url, f"api/berkas?unit={K}&sha256={sha}", "tok-budi")
    assert got == 200 and content == PDF and headers["Content-Type"] == "application/pdf"
    disposition = headers["Content-Disposition"]
    assert 'filename="SK Tim _ final _2026_.pdf"' in disposition
    assert urllib.parse.quote(name, safe="") in disposition and headers["X-Content-Type-Options"] == "nosniff"
    got, reply, _ = raw_get(url, f"api/berkas?unit={K}&sha256={sha}", "tok-dewi")  # the PIC of another unit
    assert got == 403 and K in reply["error"]
    got, reply, _ = raw_get(url, f"api/berkas?unit={P}&sha256={sha}", "tok-budi")  # not attached to that unit
    assert got == 404 and "tidak terlampir pada unit" in reply["error"]
    other = hashlib.sha256(b"lain").hexdigest()
    got, reply, _ = raw_get(url, f"api/berkas?unit={K}&sha256={other}", "tok-sari")
    assert got == 404 and other in reply["error"]
    got, reply, _ = raw_get(url, f"api/berkas?unit={K}&sha256=../../etc/passwd", "tok-sari")
    assert got == 400 and "sha256" in reply["error"]
    got, reply, _ = raw_get(url, f"api/berkas?unit=entah&sha256={sha}", "tok-kora")
    assert got == 400 and "tidak terdaftar" in reply["error"]
    got, reply, _ = raw_get(url, f"api/berkas?unit={K}&sha256={sha}", None)
    assert got == 401
    EvidenceStore(tmp_path / "bukti-dukung").path_of(sha).unlink()  # lost from the store
    got, reply, _ = raw_get(url, f"api/berkas?unit={K}&sha256={sha}", "tok-kora")
    assert got == 404 and "tidak ada di penyimpanan" in reply["error"]
    with pytest.raises(LedgerError, match="tidak ada di penyimpanan"):
        client(url, "kora").read_attachment(K, sha)
    assert [r.kind for r in written(ledger)] == ["lampiran"]
