"""Statuses as ledger events: the full cycle with the right roles, every forbidden attempt refused and recorded,
quota, the revocation waiting period, deadlines and an admin's reopening, and the "Tugas saya" list."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import ROOT
from zi_nb.common.domain import PENOLAKAN, STATUS
from zi_nb.errors import LedgerError, PermissionDenied
from zi_nb.review.decisions import unit_story
from zi_nb.review.ledger import Ledger
from zi_nb.team.overview import tasks_for, unit_rows
from zi_nb.team.permissions import ACTIONS, STATUSES, TABLE, WAITING
from zi_nb.team.status import (
    guard,
    last_revocation,
    proposed_units,
    reopen,
    status_of,
    transition,
    waiting_years,
)
from zi_nb.team.teamfile import Team, load_team

TEAM = load_team(ROOT / "zi_nb" / "data" / "tim-contoh.yaml")
UNIT = "kua-sukamaju"
SHA = "ab" * 32
MARCH = dt.datetime(2026, 3, 1, 2, tzinfo=dt.UTC)
# (who, target, when, note, data): the whole cycle with the right roles, each step within its stage's deadline
CYCLE = [
    ("agus.pic", "diajukan", MARCH, "", None),
    ("budi", "direviu", MARCH, "", None),
    ("dewi", "dikembalikan", MARCH, "Perbaiki bukti dukung", {"butir": {"PPA1A": "SK tim belum ditandatangani",
                                                                         "PPB1A": "Rencana kerja tanpa target"}}),
    ("agus.pic", "diajukan ulang", MARCH, "", None),
    ("budi", "direviu", MARCH, "", None),
    ("siti", "final TPI", dt.datetime(2026, 4, 10, tzinfo=dt.UTC), "", {"lhe_sha256": SHA}),
    ("hendra", "diusulkan", dt.datetime(2026, 5, 10, tzinfo=dt.UTC), "", None),
    ("tpn.wati", "ditetapkan", dt.datetime(2026, 7, 1, tzinfo=dt.UTC), "Memenuhi WBK", None),
    ("tpn.wati", "dicabut", dt.datetime(2026, 9, 1, tzinfo=dt.UTC), "Terbukti pungutan liar", None),
]
ROLE_USER = {"unit": "agus.pic", "tpi": "budi", "ketua-tpi": "siti", "koordinator": "hendra", "tpn": "tpn.wati",
             "admin": "admin"}


def _go(ledger, user, target, when, note="", data=None, unit=UNIT, team=TEAM):
    return transition(ledger, team, user, unit, target, note=note, data=data, now=when, via="cli")


def test_the_full_cycle_with_the_right_roles(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite")
    for user, target, when, note, data in CYCLE:
        before = status_of(ledger.records(), UNIT, "2026")
        rec = _go(ledger, user, target, when, note, data)
        assert (rec.kind, rec.code, rec.previous, rec.answer, rec.evaluator) == (STATUS, "STATUS:2026", before, target,
                                                                               user)
        assert rec.details["via"] == "cli" and rec.note
    records = ledger.records()
    assert status_of(records, UNIT, "2026") == "dicabut" and status_of(records, "kanim-sukawangi", "2026") == "draf"
    by_target = {r.answer: r for r in records if r.kind == STATUS}
    assert by_target["dikembalikan"].details["butir"]["PPA1A"] == "SK tim belum ditandatangani"
    assert by_target["dikembalikan"].tier == "tpi" and by_target["diajukan"].tier == "unit"
    final = by_target["final TPI"].details
    assert final["lhe_sha256"] == SHA and final["aksi"] == "FINALISASI"
    assert by_target["dicabut"].details["alasan"] == "Terbukti pungutan liar"
    assert proposed_units(records, "2026") == [UNIT]
    assert last_revocation(records, UNIT) == dt.date(2026, 9, 1)
    assert not [r for r in records if r.kind == PENOLAKAN]
    assert ledger.verify() == []
    labels = [e.label for e in unit_story(ledger, UNIT)]
    assert labels[0] == "status: diajukan" and labels[-1] == "status: dicabut"


def _try_everything(ledger, team, unit, when):
    """Every transition by every role from the unit's current status: the forbidden ones are refused, recorded, and
    change nothing. Returns the (role, target) pairs allowed."""
    allowed = []
    status = status_of(ledger.records(), unit, team.periode.id)
    for role, user in ROLE_USER.items():
        for target in STATUSES[1:]:
            may = any(status in r.sources and target in r.targets and role in r.roles for r in TABLE)
            if may:
                allowed.append((role, target))
                continue
            count = len(ledger.records())
            with pytest.raises(PermissionDenied) as exc:
                _go(ledger, user, target, when, "alasan", {"butir": {"PPA1A": "x"}, "lhe_sha256": SHA}, unit, team)
            records = ledger.records()
            assert len(records) == count + 1, (role, target)
            refusal = records[-1]
            assert (refusal.kind, refusal.unit_id, refusal.evaluator, refusal.previous, refusal.answer) == (
                PENOLAKAN, unit, user, status, target)
            assert refusal.note == str(exc.value) and refusal.details["via"] == "cli"
            assert status_of(records, unit, team.periode.id) == status
    return allowed


def test_every_forbidden_transition_is_refused_and_recorded(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite")
    seen = set()
    for user, target, when, note, data in CYCLE:
        seen.update(_try_everything(ledger, TEAM, UNIT, when))
        _go(ledger, user, target, when, note, data)
    seen.update(_try_everything(ledger, TEAM, UNIT, CYCLE[-1][2]))
    assert ("ketua-tpi", "final TPI") in seen and ("koordinator", "diusulkan") in seen
    assert ledger.verify() == []


@pytest.mark.parametrize("role", list(ROLE_USER))
def test_edits_are_guarded_by_role_assignment_and_status(tmp_path, role):
    ledger = Ledger(tmp_path / "l.sqlite")
    user = ROLE_USER[role]
    for action in ("ISI", "REVIU", "TPN_REVIU"):
        may = any("draf" in r.sources and role in r.roles for r in TABLE if r.action == action)
        if may:
            guard(ledger, TEAM, user, action, UNIT, now=MARCH, via="hub")
        else:
            with pytest.raises(PermissionDenied):
                guard(ledger, TEAM, user, action, UNIT, now=MARCH, via="hub")
    refusals = [r for r in ledger.records() if r.kind == PENOLAKAN]
    assert len(refusals) == (2 if role == "unit" else 3)
    assert {r.details["via"] for r in refusals} <= {"hub"}


def test_a_tpi_member_not_assigned_is_refused_with_the_units_assigned(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite")
    _go(ledger, "rina", "diajukan", MARCH, unit="kanim-sukawangi")
    with pytest.raises(PermissionDenied) as exc:
        _go(ledger, "dewi", "direviu", MARCH, unit="kanim-sukawangi")
    assert str(exc.value) == ("Anda (dewi, TPI) tidak ditugaskan pada unit kanim-sukawangi; yang ditugaskan: "
                              "puskesmas-sukamaju, kua-sukamaju.")
    assert ledger.records()[-1].kind == PENOLAKAN


def _to_final(ledger, unit, team=TEAM, when=MARCH, pic="agus.pic", tpi="dewi"):
    _go(ledger, pic, "diajukan", when, unit=unit, team=team)
    _go(ledger, tpi, "direviu", when, unit=unit, team=team)
    _go(ledger, "siti", "final TPI", when, data={"lhe_sha256": SHA}, unit=unit, team=team)


def test_the_quota_refuses_the_next_proposal(tmp_path):
    team = TEAM.model_copy(update={"kuota": 1, "periode": TEAM.periode.model_copy(update={"tahapan": []})})
    ledger = Ledger(tmp_path / "l.sqlite")
    _to_final(ledger, "kua-sukamaju", team)
    _to_final(ledger, "puskesmas-sukamaju", team)
    _go(ledger, "hendra", "diusulkan", MARCH, unit="kua-sukamaju", team=team)
    with pytest.raises(PermissionDenied) as exc:
        _go(ledger, "hendra", "diusulkan", MARCH, unit="puskesmas-sukamaju", team=team)
    assert "Kuota usulan periode 2026 (1 unit) telah terpakai: kua-sukamaju" in str(exc.value)
    # a decision does not give the slot back
    _go(ledger, "tpn.wati", "tidak ditetapkan", MARCH, note="Belum memenuhi", unit="kua-sukamaju", team=team)
    with pytest.raises(PermissionDenied, match="Kuota"):
        _go(ledger, "hendra", "diusulkan", MARCH, unit="puskesmas-sukamaju", team=team)
    assert [r.kind for r in ledger.records()[-3:]] == [PENOLAKAN, STATUS, PENOLAKAN]


def test_a_revoked_unit_cannot_be_proposed_within_the_waiting_period(tmp_path):
    assert waiting_years(TEAM) == 2  # the rubric's policy masa_tunggu_pencabutan, by default
    ledger = Ledger(tmp_path / "l.sqlite")
    for user, target, when, note, data in CYCLE:
        _go(ledger, user, target, when, note, data)
    # the next period: a new team file for 2027, no deadlines to keep the test about the waiting period only
    team = Team.model_validate({**TEAM.model_dump(), "periode": {"id": "2027", "tahapan": []}})
    _to_final(ledger, UNIT, team, dt.datetime(2027, 3, 1, tzinfo=dt.UTC))
    with pytest.raises(PermissionDenied) as exc:
        _go(ledger, "hendra", "diusulkan", dt.datetime(2028, 8, 31, tzinfo=dt.UTC), team=team)
    assert str(exc.value) == ("Predikat unit kua-sukamaju dicabut pada 1 September 2026; unit ini tidak dapat "
                              "diusulkan kembali sebelum 1 September 2028 (masa tunggu 2 tahun).")
    rec = _go(ledger, "hendra", "diusulkan", dt.datetime(2028, 9, 1, tzinfo=dt.UTC), team=team)
    assert rec.code == "STATUS:2027" and status_of(ledger.records(), UNIT, "2026") == "dicabut"


def test_deadline_lock_and_the_admins_reopening(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite")
    _go(ledger, "agus.pic", "diajukan", MARCH)
    late = dt.datetime(2026, 5, 3, tzinfo=dt.UTC)
    with pytest.raises(PermissionDenied) as exc:
        _go(ledger, "budi", "direviu", late)
    assert str(exc.value).startswith("Batas waktu tahap reviu telah lewat pada 30 April 2026;")
    with pytest.raises(PermissionDenied, match="Batas waktu tahap reviu telah lewat pada 30 April 2026"):
        guard(ledger, TEAM, "budi", "REVIU", UNIT, now=late, via="hub")
    with pytest.raises(PermissionDenied, match=r"Anda \(budi, TPI\) tidak berhak membuka kembali"):
        reopen(ledger, TEAM, "budi", UNIT, "reviu", until=dt.date(2026, 5, 7), note="minta", now=late, via="cli")
    opened = reopen(ledger, TEAM, "admin", UNIT, "reviu", until=dt.date(2026, 5, 7), note="Surat Ketua TPI no. 12",
                    now=late, via="cli")
    assert (opened.kind, opened.code, opened.answer, opened.details["sampai"]) == (STATUS, "BUKA:2026", "reviu",
                                                                                  "2026-05-07")
    assert status_of(ledger.records(), UNIT, "2026") == "diajukan"  # a reopening is no status change
    guard(ledger, TEAM, "budi", "REVIU", UNIT, now=late, via="hub")
    _go(ledger, "budi", "direviu", late)
    # the reopening is for that unit and until its date only
    with pytest.raises(PermissionDenied, match="30 April 2026"):
        guard(ledger, TEAM, "budi", "REVIU", UNIT, now=dt.datetime(2026, 5, 8, tzinfo=dt.UTC), via="hub")
    _go(ledger, "rina", "diajukan", MARCH, unit="kanim-sukawangi")
    with pytest.raises(PermissionDenied, match="30 April 2026"):
        _go(ledger, "budi", "direviu", late, unit="kanim-sukawangi")
    with pytest.raises(LedgerError, match="Tahap 'libur'"):
        reopen(ledger, TEAM, "admin", UNIT, "libur", until=dt.date(2026, 5, 7), note="x", now=late, via="cli")


def test_malformed_requests_are_errors_not_refusals(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite")
    with pytest.raises(LedgerError, match="Status 'selesai' tidak dikenal"):
        _go(ledger, "budi", "selesai", MARCH)
    with pytest.raises(LedgerError, match="catatan per butir"):
        _go(ledger, "dewi", "dikembalikan", MARCH, note="x")
    with pytest.raises(LedgerError, match="Kode butir ZZZ9 tidak ada"):
        _go(ledger, "dewi", "dikembalikan", MARCH, note="x", data={"butir": {"ZZZ9": "?"}})
    with pytest.raises(LedgerError, match="Alasan pengembalian wajib"):
        _go(ledger, "dewi", "dikembalikan", MARCH, data={"butir": {"PPA1A": "?"}})
    with pytest.raises(LedgerError, match="sha256 LHE"):
        _go(ledger, "siti", "final TPI", MARCH, data={"lhe_sha256": "abc"})
    with pytest.raises(LedgerError, match="Alasan pencabutan wajib"):
        _go(ledger, "tpn.wati", "dicabut", MARCH)
    with pytest.raises(ValueError):
        transition(ledger, TEAM, "agus.pic", UNIT, "diajukan", now=MARCH, via="email")
    assert ledger.records() == []


def test_tasks_and_the_overview_follow_the_status(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite")
    assert [t.unit_id for t in tasks_for(TEAM, "agus.pic", [], MARCH)] == ["kua-sukamaju", "puskesmas-sukamaju"]
    assert tasks_for(TEAM, "budi", [], MARCH) == [] and tasks_for(TEAM, "siapa", [], MARCH) == []
    _go(ledger, "agus.pic", "diajukan", MARCH)
    records = ledger.records()
    tasks = tasks_for(TEAM, "budi", records, MARCH)
    assert [(t.unit_id, t.status, t.stage, t.deadline, t.overdue) for t in tasks] == [
        (UNIT, "diajukan", "reviu", dt.date(2026, 4, 30), False)]
    assert tasks_for(TEAM, "dewi", records, dt.datetime(2026, 5, 2, tzinfo=dt.UTC))[0].overdue
    rows = {r.unit_id: r for r in unit_rows(TEAM, records, MARCH)}
    assert rows[UNIT].waiting_for == "TPI (budi, dewi)" and rows[UNIT].since_by == "agus.pic"
    assert rows["kanim-sukawangi"].waiting_for == "PIC unit (rina)" and rows["kanim-sukawangi"].since == "-"
    assert set(WAITING) < set(STATUSES) and len(ACTIONS) == 12


def test_two_proposals_at_once_never_exceed_the_quota(tmp_path):
    """The quota is counted under the ledger's write lock: two coordinators proposing the last slot at the same time
    get one proposal and one recorded refusal."""
    from concurrent.futures import ThreadPoolExecutor

    team = TEAM.model_copy(update={"kuota": 1, "periode": TEAM.periode.model_copy(update={"tahapan": []})})
    ledger = Ledger(tmp_path / "l.sqlite")
    _to_final(ledger, "kua-sukamaju", team)
    _to_final(ledger, "puskesmas-sukamaju", team)

    def propose(unit: str) -> str:
        try:
            _go(Ledger(ledger.path), "hendra", "diusulkan", MARCH, unit=unit, team=team)
        except PermissionDenied:
            return "ditolak"
        return "diusulkan"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(propose, ["kua-sukamaju", "puskesmas-sukamaju"]))
    assert outcomes == ["ditolak", "diusulkan"]
    records = ledger.records()
    assert len(proposed_units(records, "2026")) == 1 and records[-1].kind == PENOLAKAN
