"""The team file: who takes part in an evaluation period, in which role, for which units, and the stages' deadlines.

One YAML file per instansi and period (``zi-nb status --team tim.yaml``; the evaluator hub reads the same file).
Example (``zi_nb/data/tim-contoh.yaml``)::

    instansi: Kementerian Contoh Republik Indonesia
    rubrik: zi-2021                  # the rubric of the period (its policies: masa_tunggu_pencabutan)
    zona_waktu: WIB                  # WIB, WITA or WIT: deadlines end at midnight of this zone
    periode:
      id: "2026"                     # the period's id, in every status record (STATUS:2026)
      tahapan:                       # the stages, in this order (any may be left out: it then has no deadline)
        - {nama: pengisian, mulai: 2026-01-05, batas: 2026-03-31}   # the units fill their self-assessment
        - {nama: reviu, mulai: 2026-02-01, batas: 2026-04-30}       # TPI reviews, returns, resubmissions
        - {nama: finalisasi, mulai: 2026-04-01, batas: 2026-05-15}  # the ketua TPI signs the LHE
        - {nama: pengusulan, mulai: 2026-05-01, batas: 2026-05-31}  # the coordinator proposes to TPN
        - {nama: penetapan, mulai: 2026-06-01, batas: 2026-12-15}   # TPN evaluates and decides
    kuota: 2                         # how many units the coordinator may propose in the period
    pengguna:
      - username: rina               # the JupyterHub login: lowercase letters, digits, '.', '-', '_'
        nama: Rina Wulandari
        peran:
          - {jenis: unit, unit: [kanim-sukawangi]}        # PIC of a unit: fills its self-assessment
      - username: budi
        nama: Budi Santoso, S.E.
        nip: "198001012005011002"    # 18 digits; required for every role but unit
        peran:
          - {jenis: tpi, unit: [kanim-sukawangi, kua-sukamaju]}   # TPI member: reviews the units listed
      - username: siti
        nama: Dra. Siti Aminah, M.Si.
        nip: "196805121994032001"
        peran: [{jenis: ketua-tpi}]  # ketua-tpi, tpn, koordinator, admin act on every unit: no unit list

Roles (``jenis``): ``unit`` (a unit's PIC), ``tpi`` (a TPI member), ``ketua-tpi``, ``tpn``, ``koordinator``,
``admin``; a user may hold several. ``unit`` and ``tpi`` require the list of units; the other roles refuse one. The
units of the period are the units named in ``unit`` and ``tpi`` roles, in order of first appearance.

A unit may have several PICs (a unit's ZI team often shares the filling; each write is recorded under its own
username), and several TPI members. Stages are listed in the order above, each ``batas`` not before its ``mulai``,
each stage starting and ending no earlier than the one before (stages may overlap: a unit can be reviewed while
others still fill). ``mulai`` is shown to people; only ``batas`` locks writes.

A malformed file is refused with its line and what was expected (:class:`zi_nb.errors.TeamError`): unknown fields,
duplicate usernames, unknown roles, a ``unit``/``tpi`` role without units, a NIP that is not 18 digits, a deadline
before its start, stages out of order.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from zi_nb.common.yamlfile import explain, line_of, read_yaml
from zi_nb.errors import TeamError

STAGE_NAMES: tuple[str, ...] = ("pengisian", "reviu", "finalisasi", "pengusulan", "penetapan")
ROLE_KINDS: tuple[str, ...] = ("unit", "tpi", "ketua-tpi", "tpn", "koordinator", "admin")
SCOPED_ROLES: tuple[str, ...] = ("unit", "tpi")  # roles that act on the units they list only
ROLE_LABEL = {"unit": "PIC unit", "tpi": "TPI", "ketua-tpi": "ketua TPI", "tpn": "TPN", "koordinator": "koordinator",
              "admin": "admin"}
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
NIP = re.compile(r"^\d{18}$")
UNIT_ID = re.compile(r"^\S+$")


def _text(value: Any) -> Any:
    """YAML reads ``2026`` and an unquoted NIP as numbers: take them as the text they are."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class Role(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jenis: Literal["unit", "tpi", "ketua-tpi", "tpn", "koordinator", "admin"]
    unit: list[str] = Field(default_factory=list)

    @field_validator("unit", mode="before")
    @classmethod
    def _units_as_text(cls, value: Any) -> Any:
        return [_text(v) for v in value] if isinstance(value, list) else value


class User(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str
    nama: str = Field(min_length=1)
    nip: str = ""
    peran: list[Role] = Field(min_length=1)

    @field_validator("username", "nip", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        return _text(value)

    @property
    def kinds(self) -> list[str]:
        return list(dict.fromkeys(r.jenis for r in self.peran))

    def units_as(self, kind: str) -> list[str]:
        """The units this user holds ``kind`` (``unit`` or ``tpi``) for."""
        return list(dict.fromkeys(u for r in self.peran if r.jenis == kind for u in r.unit))

    @property
    def label(self) -> str:
        """``budi, TPI`` as messages name a user."""
        return f"{self.username}, {'/'.join(ROLE_LABEL[k] for k in self.kinds)}"


class Stage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nama: Literal["pengisian", "reviu", "finalisasi", "pengusulan", "penetapan"]
    mulai: dt.date
    batas: dt.date


class Period(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    tahapan: list[Stage] = Field(default_factory=list)

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        return _text(value)


class Team(BaseModel):
    """A team file (see the module's docstring for each field)."""

    model_config = ConfigDict(extra="forbid")

    instansi: str = ""
    rubrik: str = "zi-2021"
    zona_waktu: Literal["WIB", "WITA", "WIT"] = "WIB"
    periode: Period
    kuota: int = Field(ge=0)
    pengguna: list[User] = Field(min_length=1)
    source: str | None = Field(default=None, exclude=True)  # the file read

    def user(self, username: str) -> User | None:
        return next((u for u in self.pengguna if u.username == username), None)

    @property
    def units(self) -> list[str]:
        """Every unit of the period, in order of first appearance."""
        return list(dict.fromkeys(u for p in self.pengguna for r in p.peran if r.jenis in SCOPED_ROLES
                                  for u in r.unit))

    def holders(self, kind: str, unit_id: str | None = None) -> list[str]:
        """The usernames holding role ``kind`` (for ``unit_id`` when the role is scoped to units)."""
        return [u.username for u in self.pengguna if kind in u.kinds
                and (kind not in SCOPED_ROLES or unit_id is None or unit_id in u.units_as(kind))]

    def stage(self, name: str) -> Stage | None:
        return next((s for s in self.periode.tahapan if s.nama == name), None)


def load_team(path: str | Path) -> Team:
    """The team in ``path``; :class:`TeamError` names the file, the line and what was expected."""
    file = Path(path)
    raw, tree = read_yaml(file, "Berkas tim", TeamError)
    if not isinstance(raw, dict):
        raise TeamError(f"{file.name}: berkas tim harus berupa pemetaan nama: nilai (lihat contoh "
                        "zi_nb/data/tim-contoh.yaml).")

    def located(loc: tuple[Any, ...]) -> str:
        line = line_of(tree, loc)
        return f"{file.name}{f' baris {line}' if line else ''}"

    try:
        team = Team.model_validate({**raw, "source": str(file.resolve())})
    except ValidationError as exc:
        problems = [f"{located(tuple(e['loc']))}: '{'.'.join(str(p) for p in e['loc'])}' {explain(e)}"
                    for e in exc.errors()[:10]]
        raise TeamError("Berkas tim tidak sah:\n- " + "\n- ".join(problems)) from None
    problems = [f"{located(loc)}: {text}" for loc, text in team_problems(team)]
    if problems:
        raise TeamError("Berkas tim tidak sah:\n- " + "\n- ".join(problems[:10]))
    return team


def team_problems(team: Team) -> list[tuple[tuple[Any, ...], str]]:
    """The rules a valid structure may still break, each as (location in the file, what was expected)."""
    out: list[tuple[tuple[Any, ...], str]] = []
    seen: dict[str, int] = {}
    for i, user in enumerate(team.pengguna):
        at = ("pengguna", i)
        if not USERNAME.match(user.username):
            out.append(((*at, "username"), f"username '{user.username}' tidak sah: hanya huruf kecil, angka, '.', "
                                           "'-' dan '_' (diawali huruf atau angka, paling panjang 64)"))
        if user.username in seen:
            out.append(((*at, "username"), f"username '{user.username}' sudah dipakai pengguna ke-"
                                           f"{seen[user.username] + 1}; setiap username hanya sekali"))
        seen.setdefault(user.username, i)
        if user.nip and not NIP.match(user.nip):
            out.append(((*at, "nip"), f"NIP '{user.nip}' tidak sah: harus 18 angka (tanpa spasi)"))
        if not user.nip and any(k != "unit" for k in user.kinds):
            out.append(((*at, "nama"), f"NIP '{user.username}' wajib diisi untuk peran "
                                       f"{', '.join(k for k in user.kinds if k != 'unit')} (18 angka)"))
        kinds: list[str] = []
        for j, role in enumerate(user.peran):
            where = (*at, "peran", j)
            if role.jenis in kinds:
                out.append(((*where, "jenis"), f"peran '{role.jenis}' disebut dua kali untuk '{user.username}'; "
                                               "gabungkan daftar unitnya"))
            kinds.append(role.jenis)
            if role.jenis in SCOPED_ROLES and not role.unit:
                out.append(((*where, "jenis"), f"peran '{role.jenis}' memerlukan daftar unit (unit: [id-unit, ...])"))
            if role.jenis not in SCOPED_ROLES and role.unit:
                out.append(((*where, "unit"), f"peran '{role.jenis}' berlaku untuk semua unit: hapus daftar unitnya"))
            bad = [u for u in role.unit if not UNIT_ID.match(u)]
            if bad:
                out.append(((*where, "unit"), f"id unit {', '.join(repr(u) for u in bad)} tidak sah (tanpa spasi)"))
            doubled = sorted({u for u in role.unit if role.unit.count(u) > 1})
            if doubled:
                out.append(((*where, "unit"), f"unit {', '.join(doubled)} disebut lebih dari sekali"))
    out += _stage_problems(team)
    return out


def _stage_problems(team: Team) -> list[tuple[tuple[Any, ...], str]]:
    out: list[tuple[tuple[Any, ...], str]] = []
    before: Stage | None = None
    for i, stage in enumerate(team.periode.tahapan):
        at = ("periode", "tahapan", i)
        if stage.batas < stage.mulai:
            out.append(((*at, "batas"), f"batas tahap {stage.nama} ({stage.batas}) sebelum mulainya ({stage.mulai})"))
        if before is not None:
            if STAGE_NAMES.index(stage.nama) <= STAGE_NAMES.index(before.nama):
                out.append(((*at, "nama"), f"tahap {stage.nama} tidak pada urutannya (sesudah {before.nama}); "
                                           f"urutan tahapan: {', '.join(STAGE_NAMES)}, masing-masing sekali"))
            elif stage.mulai < before.mulai or stage.batas < before.batas:
                out.append(((*at, "mulai"), f"tahap {stage.nama} ({stage.mulai} s.d. {stage.batas}) dimulai atau "
                                            f"berakhir sebelum tahap {before.nama} ({before.mulai} s.d. "
                                            f"{before.batas})"))
        before = stage
    return out
