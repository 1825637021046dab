"""The permission rules: :func:`check` agrees with the transition table for every role, action and status, and each
refusal says who, what, which unit and why."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zi_nb.errors import PermissionDenied
from zi_nb.team.permissions import (
    ACTIONS,
    CABUT,
    DICABUT,
    DIREVIU,
    FINAL_TPI,
    ISI,
    REVIU,
    STATUSES,
    TABLE,
    USULKAN,
    WAITING,
    action_for,
    add_years,
    allowed,
    check,
)
from zi_nb.team.teamfile import ROLE_KINDS, Team

NIP = "198001012005011002"
STAGES = [{"nama": "pengisian", "mulai": "2026-01-05", "batas": "2026-03-31"},
          {"nama": "reviu", "mulai": "2026-02-01", "batas": "2026-04-30"},
          {"nama": "finalisasi", "mulai": "2026-04-01", "batas": "2026-05-15"},
          {"nama": "pengusulan", "mulai": "2026-05-01", "batas": "2026-05-31"},
          {"nama": "penetapan", "mulai": "2026-06-01", "batas": "2026-12-15"}]
EARLY = dt.datetime(2026, 1, 10, 3, tzinfo=dt.UTC)  # before every deadline


def make_team(kuota: int = 5) -> Team:
    users = [{"username": kind.replace("-", ""), "nama": kind, "nip": NIP,
              "peran": [{"jenis": kind, **({"unit": ["u1", "u2"]} if kind in ("unit", "tpi") else {})}]}
             for kind in ROLE_KINDS]
    users.append({"username": "lain", "nama": "TPI lain", "nip": NIP, "peran": [{"jenis": "tpi", "unit": ["u3"]}]})
    users.append({"username": "pic3", "nama": "PIC lain", "peran": [{"jenis": "unit", "unit": ["u3"]}]})
    return Team.model_validate({"instansi": "X", "periode": {"id": "2026", "tahapan": STAGES}, "kuota": kuota,
                                "pengguna": users})


TEAM = make_team()
USER = {kind: kind.replace("-", "") for kind in ROLE_KINDS}


def expected_edit(role: str, action: str, status: str) -> bool:
    return any(r.action == action and role in r.roles and status in r.sources for r in TABLE)


def expected_transition(role: str, status: str, to_status: str) -> bool:
    return any(to_status in r.targets and role in r.roles and status in r.sources for r in TABLE)


def outcome(role: str, action: str, status: str, to_status: str | None = None) -> bool:
    return allowed(TEAM, USER[role], action, "u1", status, EARLY, to_status=to_status)


@given(st.sampled_from(ROLE_KINDS), st.sampled_from(ACTIONS), st.sampled_from(STATUSES))
def test_check_agrees_with_the_table_for_every_role_action_and_status(role, action, status):
    assert outcome(role, action, status) == expected_edit(role, action, status)


@given(st.sampled_from(ROLE_KINDS), st.sampled_from(STATUSES), st.sampled_from(STATUSES))
def test_every_transition_agrees_with_the_table(role, status, to_status):
    action = action_for(status, to_status)
    if action is None:
        return
    assert outcome(role, action, status, to_status) == expected_transition(role, status, to_status)


def test_the_table_exhaustively():
    """Every (role, action, status) once: allowed exactly where a row says so, and every refusal says why."""
    allowed_pairs = 0
    for role in ROLE_KINDS:
        for action in ACTIONS:
            for status in STATUSES:
                expected = expected_edit(role, action, status)
                assert outcome(role, action, status) == expected, (role, action, status)
                allowed_pairs += expected
                if not expected:
                    with pytest.raises(PermissionDenied, match=r"Anda \(" + USER[role]):
                        check(TEAM, USER[role], action, "u1", status, EARLY)
    # 10 statuses for the admin's reopening, and 15 (role, action, status) of the workflow
    assert allowed_pairs == 25


def test_only_the_listed_roles_hold_each_action():
    holders = {a: {role for r in TABLE if r.action == a for role in r.roles} for a in ACTIONS}
    assert holders["FINALISASI"] == holders["BUKA_FINAL"] == {"ketua-tpi"}
    assert holders["USULKAN"] == {"koordinator"}
    assert holders["ISI"] == holders["AJUKAN"] == holders["AJUKAN_ULANG"] == {"unit"}
    assert holders["REVIU"] == {"tpi"} and holders["TPN_REVIU"] == holders["TETAPKAN"] == {"tpn"}
    assert holders["BUKA_TAHAP"] == {"admin"}
    # every status that waits for somebody waits for a role that can move it on
    for status, (role, _todo, _stage) in WAITING.items():
        assert any(status in r.sources and role in r.roles and r.targets for r in TABLE), status


def test_refusal_messages_say_who_what_unit_and_why():
    with pytest.raises(PermissionDenied) as exc:
        check(TEAM, "lain", REVIU, "u1", "diajukan", EARLY)
    assert str(exc.value) == "Anda (lain, TPI) tidak ditugaskan pada unit u1; yang ditugaskan: u3."
    with pytest.raises(PermissionDenied, match=r"Anda \(pic3, PIC unit\) tidak ditugaskan pada unit u1"):
        check(TEAM, "pic3", ISI, "u1", "draf", EARLY)
    with pytest.raises(PermissionDenied, match=r"Anda \(tpi, TPI\) tidak berhak mengisi penilaian mandiri .* unit "
                                               r"u1; hanya PIC unit yang berhak"):
        check(TEAM, "tpi", ISI, "u1", "draf", EARLY)
    with pytest.raises(PermissionDenied, match=r"unit u1 berstatus 'diajukan'; mengisi penilaian mandiri .* hanya "
                                               "dapat dilakukan saat status draf atau dikembalikan"):
        check(TEAM, "unit", ISI, "u1", "diajukan", EARLY)
    with pytest.raises(PermissionDenied, match="Pengguna 'siapa' tidak terdaftar dalam berkas tim"):
        check(TEAM, "siapa", ISI, "u1", "draf", EARLY)
    with pytest.raises(PermissionDenied, match="unit 'u9' tidak terdaftar dalam berkas tim"):
        check(TEAM, "unit", ISI, "u9", "draf", EARLY)
    with pytest.raises(ValueError):
        check(TEAM, "unit", "TERBANG", "u1", "draf", EARLY)


def test_deadlines_lock_a_stage_in_the_teams_time_zone_until_reopened():
    last_day = dt.datetime(2026, 4, 30, 16, 59, tzinfo=dt.UTC)  # 23.59 WIB on the deadline
    check(TEAM, "tpi", REVIU, "u1", "diajukan", last_day)
    next_day = last_day + dt.timedelta(minutes=1)
    with pytest.raises(PermissionDenied) as exc:
        check(TEAM, "tpi", REVIU, "u1", "diajukan", next_day)
    assert str(exc.value).startswith("Batas waktu tahap reviu telah lewat pada 30 April 2026; mengisi reviu TPI")
    assert "oleh tpi ditolak" in str(exc.value) and "u1" in str(exc.value)
    check(TEAM, "tpi", REVIU, "u1", "diajukan", next_day, reopened={"reviu"})
    # the unit PIC fixing a returned unit writes in the reviu stage
    with pytest.raises(PermissionDenied, match="tahap reviu"):
        check(TEAM, "unit", ISI, "u1", "dikembalikan", next_day)
    # revoking has no deadline
    check(TEAM, "tpn", CABUT, "u1", "ditetapkan", dt.datetime(2030, 1, 1, tzinfo=dt.UTC), to_status=DICABUT)


def test_quota_counts_the_units_already_proposed():
    team = make_team(kuota=2)
    may = dict(to_status="diusulkan")
    check(team, "koordinator", USULKAN, "u1", FINAL_TPI, EARLY, proposed=["u2"], **may)
    check(team, "koordinator", USULKAN, "u1", FINAL_TPI, EARLY, proposed=["u1", "u2"], **may)  # itself not counted
    with pytest.raises(PermissionDenied) as exc:
        check(team, "koordinator", USULKAN, "u1", FINAL_TPI, EARLY, proposed=["u2", "u3"], **may)
    assert str(exc.value) == ("Kuota usulan periode 2026 (2 unit) telah terpakai: u2, u3; unit u1 tidak dapat "
                              "diusulkan.")


def test_a_revoked_unit_waits_before_it_can_be_proposed_again():
    revoked = dt.date(2025, 3, 1)
    kw = dict(to_status="diusulkan", revoked_on=revoked, waiting_years=2)
    with pytest.raises(PermissionDenied) as exc:
        check(TEAM, "koordinator", USULKAN, "u1", FINAL_TPI, EARLY, **kw)
    assert str(exc.value) == ("Predikat unit u1 dicabut pada 1 Maret 2025; unit ini tidak dapat diusulkan kembali "
                              "sebelum 1 Maret 2027 (masa tunggu 2 tahun).")
    check(TEAM, "koordinator", USULKAN, "u1", FINAL_TPI, EARLY, **{**kw, "waiting_years": 0})
    with pytest.raises(ValueError):
        check(TEAM, "koordinator", USULKAN, "u1", FINAL_TPI, EARLY, to_status="diusulkan", revoked_on=revoked)
    assert add_years(dt.date(2024, 2, 29), 2) == dt.date(2026, 2, 28)


def test_ketua_returns_before_and_after_finalising_and_a_tpi_member_only_before():
    check(TEAM, "ketuatpi", "KEMBALIKAN", "u1", DIREVIU, EARLY, to_status="dikembalikan")
    check(TEAM, "tpi", "KEMBALIKAN", "u1", DIREVIU, EARLY, to_status="dikembalikan")
    assert action_for(FINAL_TPI, "dikembalikan") == "BUKA_FINAL"
    check(TEAM, "ketuatpi", "BUKA_FINAL", "u1", FINAL_TPI, EARLY, to_status="dikembalikan")
    with pytest.raises(PermissionDenied, match="hanya ketua TPI yang berhak"):
        check(TEAM, "tpi", "BUKA_FINAL", "u1", FINAL_TPI, EARLY, to_status="dikembalikan")
