"""Who may write what, and when: the permission rules of an evaluation period (pure: no I/O).

Every write to a unit's data (answers, evidence, verdicts, catatan) and every status change is an *action*; an
action is allowed when a row of :data:`TABLE` allows it for one of the user's roles and the unit's current status,
the user is assigned to the unit (roles ``unit`` and ``tpi`` only; the others act on every unit of the team file),
the stage's deadline has not passed (unless an admin reopened the stage for the unit), and, for a proposal, the quota
and the revocation waiting period allow it. The transition table (``-`` in "to": an edit, the status stays)::

    action        roles              from status                          to status                      stage
    ISI           unit               draf                                 -                              pengisian
    ISI           unit               dikembalikan                         -                              reviu
    AJUKAN        unit               draf                                 diajukan                       pengisian
    AJUKAN_ULANG  unit               dikembalikan                         diajukan ulang                 reviu
    REVIU         tpi                diajukan, diajukan ulang, direviu    -                              reviu
    REVIU         tpi                diajukan, diajukan ulang             direviu                        reviu
    KEMBALIKAN    tpi, ketua-tpi     direviu                              dikembalikan (item notes)      reviu
    FINALISASI    ketua-tpi          direviu                              final TPI (LHE sha256)         finalisasi
    BUKA_FINAL    ketua-tpi          final TPI                            dikembalikan (item notes)      finalisasi
    USULKAN       koordinator        final TPI                            diusulkan (quota, waiting)     pengusulan
    TPN_REVIU     tpn                diusulkan                            -                              penetapan
    TETAPKAN      tpn                diusulkan                            ditetapkan, tidak ditetapkan   penetapan
    CABUT         tpn                ditetapkan                           dicabut (reason)               -
    BUKA_TAHAP    admin              any                                  - (a stage reopened, note)     -

``ISI``: the unit tier's answers and evidence; ``REVIU``: the TPI tier's answers, evidence verdicts and catatan;
``TPN_REVIU``: the TPN tier's. The quota counts every unit of the period already proposed (``diusulkan``,
``ditetapkan``, ``tidak ditetapkan``, ``dicabut``): a slot used is not given back by the decision. A unit whose
predikat was revoked cannot be proposed until the rubric's ``masa_tunggu_pencabutan`` (years) has passed since the
revocation. A deadline (``batas``) is the last day of its stage in the team's time zone; from the next day on, the
stage's writes are refused with the date, until an admin reopens the stage for the unit (:func:`check`'s
``reopened``).

:data:`WAITING` says who a unit in each status waits for (the "Tugas saya" list and ``zi-nb status``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from zi_nb.common.fmt import TIME_ZONES, date_text
from zi_nb.errors import PermissionDenied
from zi_nb.team.teamfile import ROLE_LABEL, SCOPED_ROLES, Team

# statuses of a unit in a period, in workflow order
DRAF = "draf"
DIAJUKAN = "diajukan"
DIREVIU = "direviu"
DIKEMBALIKAN = "dikembalikan"
DIAJUKAN_ULANG = "diajukan ulang"
FINAL_TPI = "final TPI"
DIUSULKAN = "diusulkan"
DITETAPKAN = "ditetapkan"
TIDAK_DITETAPKAN = "tidak ditetapkan"
DICABUT = "dicabut"
STATUSES: tuple[str, ...] = (DRAF, DIAJUKAN, DIREVIU, DIKEMBALIKAN, DIAJUKAN_ULANG, FINAL_TPI, DIUSULKAN, DITETAPKAN,
                             TIDAK_DITETAPKAN, DICABUT)
# the statuses of a unit that used a slot of the period's quota
PROPOSED: tuple[str, ...] = (DIUSULKAN, DITETAPKAN, TIDAK_DITETAPKAN, DICABUT)

# actions
ISI = "ISI"
AJUKAN = "AJUKAN"
REVIU = "REVIU"
KEMBALIKAN = "KEMBALIKAN"
AJUKAN_ULANG = "AJUKAN_ULANG"
FINALISASI = "FINALISASI"
BUKA_FINAL = "BUKA_FINAL"
USULKAN = "USULKAN"
TPN_REVIU = "TPN_REVIU"
TETAPKAN = "TETAPKAN"
CABUT = "CABUT"
BUKA_TAHAP = "BUKA_TAHAP"
ACTIONS: tuple[str, ...] = (ISI, AJUKAN, REVIU, KEMBALIKAN, AJUKAN_ULANG, FINALISASI, BUKA_FINAL, USULKAN, TPN_REVIU,
                            TETAPKAN, CABUT, BUKA_TAHAP)
# what an action is, as a message says it ("... tidak berhak <label>")
ACTION_LABEL = {
    ISI: "mengisi penilaian mandiri dan bukti dukung unit", AJUKAN: "mengajukan unit untuk direviu",
    REVIU: "mengisi reviu TPI (jawaban, bukti dukung, catatan)", KEMBALIKAN: "mengembalikan unit untuk diperbaiki",
    AJUKAN_ULANG: "mengajukan ulang unit", FINALISASI: "memfinalkan hasil TPI dan menandatangani LHE",
    BUKA_FINAL: "membuka kembali hasil TPI yang sudah final", USULKAN: "mengusulkan unit ke TPN",
    TPN_REVIU: "mengisi penilaian TPN", TETAPKAN: "menetapkan hasil TPN", CABUT: "mencabut predikat unit",
    BUKA_TAHAP: "membuka kembali tahap yang lewat batas waktu",
}
# the ledger tier a record of each action is written at
ACTION_TIER = {ISI: "unit", AJUKAN: "unit", AJUKAN_ULANG: "unit", REVIU: "tpi", KEMBALIKAN: "tpi", FINALISASI: "tpi",
               BUKA_FINAL: "tpi", USULKAN: "tpi", TPN_REVIU: "tpn", TETAPKAN: "tpn", CABUT: "tpn",
               BUKA_TAHAP: "final"}


@dataclass(frozen=True)
class Rule:
    """One row of the transition table: ``roles`` may do ``action`` on a unit in one of ``sources``; ``targets``
    the statuses it may lead to (empty: an edit), ``stage`` whose deadline locks it (None: no deadline)."""

    action: str
    roles: tuple[str, ...]
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    stage: str | None


TABLE: tuple[Rule, ...] = (
    Rule(ISI, ("unit",), (DRAF,), (), "pengisian"),
    Rule(ISI, ("unit",), (DIKEMBALIKAN,), (), "reviu"),
    Rule(AJUKAN, ("unit",), (DRAF,), (DIAJUKAN,), "pengisian"),
    Rule(AJUKAN_ULANG, ("unit",), (DIKEMBALIKAN,), (DIAJUKAN_ULANG,), "reviu"),
    Rule(REVIU, ("tpi",), (DIAJUKAN, DIAJUKAN_ULANG, DIREVIU), (), "reviu"),
    Rule(REVIU, ("tpi",), (DIAJUKAN, DIAJUKAN_ULANG), (DIREVIU,), "reviu"),
    Rule(KEMBALIKAN, ("tpi", "ketua-tpi"), (DIREVIU,), (DIKEMBALIKAN,), "reviu"),
    Rule(FINALISASI, ("ketua-tpi",), (DIREVIU,), (FINAL_TPI,), "finalisasi"),
    Rule(BUKA_FINAL, ("ketua-tpi",), (FINAL_TPI,), (DIKEMBALIKAN,), "finalisasi"),
    Rule(USULKAN, ("koordinator",), (FINAL_TPI,), (DIUSULKAN,), "pengusulan"),
    Rule(TPN_REVIU, ("tpn",), (DIUSULKAN,), (), "penetapan"),
    Rule(TETAPKAN, ("tpn",), (DIUSULKAN,), (DITETAPKAN, TIDAK_DITETAPKAN), "penetapan"),
    Rule(CABUT, ("tpn",), (DITETAPKAN,), (DICABUT,), None),
    Rule(BUKA_TAHAP, ("admin",), STATUSES, (), None),
)

# the tier of the ledger each role writes (a user holding several: the first of these); the other roles (ketua TPI,
# koordinator, admin) view the TPI tier and act on the status only
ROLE_TIER: dict[str, str] = {"unit": "unit", "tpi": "tpi", "tpn": "tpn"}
VIEW_TIER = "tpi"


def tier_of(roles: Collection[str]) -> tuple[str, bool]:
    """(the tier a user of ``roles`` works in, whether they write its answers): :data:`ROLE_TIER`'s first match,
    else :data:`VIEW_TIER` without writing."""
    found = next((tier for role, tier in ROLE_TIER.items() if role in roles), None)
    return (found, True) if found else (VIEW_TIER, False)


# who a unit in each status waits for: (role, what to do, the stage whose deadline applies); finished statuses: none
WAITING: dict[str, tuple[str, str, str]] = {
    DRAF: ("unit", "isi penilaian mandiri dan bukti dukung, lalu ajukan", "pengisian"),
    DIAJUKAN: ("tpi", "reviu jawaban, bukti dukung dan catatan, lalu tandai direviu", "reviu"),
    DIKEMBALIKAN: ("unit", "perbaiki sesuai catatan TPI, lalu ajukan ulang", "reviu"),
    DIAJUKAN_ULANG: ("tpi", "reviu perbaikan unit, lalu tandai direviu", "reviu"),
    DIREVIU: ("ketua-tpi", "finalkan dan tandatangani LHE, atau kembalikan", "finalisasi"),
    FINAL_TPI: ("koordinator", "usulkan ke TPN (dalam kuota)", "pengusulan"),
    DIUSULKAN: ("tpn", "nilai dan tetapkan hasil", "penetapan"),
}


def action_for(status: str, to_status: str) -> str | None:
    """The action that moves a unit from ``status`` to ``to_status`` (None: no such transition)."""
    return next((r.action for r in TABLE if status in r.sources and to_status in r.targets), None)


def rules_for(action: str, status: str, to_status: str | None = None) -> list[Rule]:
    """The rows allowing ``action`` from ``status`` (to ``to_status``; None: an edit, or any row of the action when
    the action has no edit row)."""
    rows = [r for r in TABLE if r.action == action and status in r.sources]
    if to_status is not None:
        return [r for r in rows if to_status in r.targets]
    edits = [r for r in rows if not r.targets]
    return edits or rows


def local_date(now: dt.datetime, zone: str) -> dt.date:
    """The date of ``now`` (naive: UTC) in one of Indonesia's time zones."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    return now.astimezone(dt.timezone(dt.timedelta(hours=TIME_ZONES.get(zone, 7)))).date()


def deadline_passed(team: Team, stage: str | None, now: dt.datetime) -> dt.date | None:
    """The deadline of ``stage`` when it has passed at ``now`` (in the team's zone), else None."""
    found = team.stage(stage) if stage else None
    if found is None:
        return None
    return found.batas if local_date(now, team.zona_waktu) > found.batas else None


def check(team: Team, username: str, action: str, unit_id: str, status: str, now: dt.datetime, *,
          to_status: str | None = None, reopened: Collection[str] = (), proposed: Collection[str] = (),
          revoked_on: dt.date | None = None, waiting_years: int | None = None) -> None:
    """Refuse with :class:`PermissionDenied` (who, what, which unit, why) unless ``username`` may do ``action`` on
    ``unit_id`` in ``status`` at ``now``.

    ``to_status``: the status a transition leads to (None: an edit). ``reopened``: the stages an admin reopened for
    the unit. ``proposed``: the units of the period that already used a slot of the quota (for ``USULKAN``);
    ``revoked_on``: the date the unit's predikat was last revoked, with the rubric's ``waiting_years``.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    what = ACTION_LABEL[action]
    user = team.user(username)
    if user is None:
        raise PermissionDenied(f"Pengguna '{username}' tidak terdaftar dalam berkas tim; {what} untuk unit "
                               f"{unit_id} ditolak.")
    who = f"Anda ({user.label})"
    if unit_id not in team.units:
        raise PermissionDenied(f"{who}: unit '{unit_id}' tidak terdaftar dalam berkas tim; {what} ditolak.")
    roles = [r for r in dict.fromkeys(k for rule in TABLE if rule.action == action for k in rule.roles)]
    mine = [k for k in roles if k in user.kinds]
    if not mine:
        allowed = " atau ".join(ROLE_LABEL[k] for k in roles)
        raise PermissionDenied(f"{who} tidak berhak {what} untuk unit {unit_id}; hanya {allowed} yang berhak.")
    assigned = [k for k in mine if k not in SCOPED_ROLES or unit_id in user.units_as(k)]
    if not assigned:
        units = ", ".join(u for k in mine for u in user.units_as(k)) or "-"
        raise PermissionDenied(f"{who} tidak ditugaskan pada unit {unit_id}; yang ditugaskan: {units}.")
    rules = [r for r in rules_for(action, status, to_status) if any(k in r.roles for k in assigned)]
    if not rules:
        sources = [s for r in TABLE if r.action == action and (to_status is None or to_status in r.targets)
                   and any(k in r.roles for k in assigned) for s in r.sources]
        target = f" menjadi '{to_status}'" if to_status else ""
        raise PermissionDenied(f"{who}: unit {unit_id} berstatus '{status}'; {what}{target} hanya dapat dilakukan "
                               f"saat status {' atau '.join(dict.fromkeys(sources)) or '-'}.")
    rule = rules[0]
    passed = deadline_passed(team, rule.stage, now) if rule.stage not in reopened else None
    if passed is not None:
        raise PermissionDenied(f"Batas waktu tahap {rule.stage} telah lewat pada {date_text(passed)}; {what} untuk "
                               f"unit {unit_id} oleh {user.username} ditolak. Admin dapat membuka kembali tahap ini "
                               "untuk unit ini dengan catatan.")
    if action == USULKAN:
        check_proposal(team, unit_id, now, proposed, revoked_on, waiting_years)


def check_proposal(team: Team, unit_id: str, now: dt.datetime, proposed: Collection[str],
                   revoked_on: dt.date | None, waiting_years: int | None) -> None:
    """The quota and the revocation waiting period of a proposal (see the module's docstring)."""
    used = [u for u in dict.fromkeys(proposed) if u != unit_id]
    if len(used) >= team.kuota:
        raise PermissionDenied(f"Kuota usulan periode {team.periode.id} ({team.kuota} unit) telah terpakai: "
                               f"{', '.join(used) or '-'}; unit {unit_id} tidak dapat diusulkan.")
    if revoked_on is None:
        return
    if waiting_years is None:
        raise ValueError("waiting_years is required when the unit was revoked")
    until = add_years(revoked_on, waiting_years)
    if local_date(now, team.zona_waktu) < until:
        raise PermissionDenied(f"Predikat unit {unit_id} dicabut pada {date_text(revoked_on)}; unit ini tidak dapat "
                               f"diusulkan kembali sebelum {date_text(until)} (masa tunggu {waiting_years} tahun).")


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` ``years`` later (29 February -> 28 February of a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def allowed(team: Team, username: str, action: str, unit_id: str, status: str, now: dt.datetime,
            **context: object) -> bool:
    """:func:`check` as a yes/no (for what a screen offers; the write itself calls :func:`check`)."""
    try:
        check(team, username, action, unit_id, status, now, **context)  # type: ignore[arg-type]
    except PermissionDenied:
        return False
    return True
