"""The hub users as the team file knows them (:class:`TeamUser`), and the ``evaluator`` id the ledger service
writes for them (:func:`evaluator_id`): read by the service (:mod:`zi_nb.team.service`) and the hub's configuration
(:mod:`zi_nb.team.hub`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zi_nb.team import teamfile

HUB_PATH = "hub"  # the ``via`` of a status record, refusal or check made through the service; the evaluator prefix


@dataclass(frozen=True)
class TeamUser:
    username: str
    nama: str
    nip: str
    peran: tuple[str, ...]  # the roles' jenis: unit, tpi, ketua-tpi, tpn, koordinator, admin

    @property
    def admin(self) -> bool:
        return "admin" in self.peran


def _jenis(role: Any) -> str:
    if isinstance(role, str):
        return role
    if isinstance(role, dict):
        return str(role.get("jenis", ""))
    return str(getattr(role, "jenis", ""))


def field_text(obj: Any, name: str) -> str:
    value = obj.get(name, "") if isinstance(obj, dict) else getattr(obj, name, "")
    return "" if value is None else str(value)


def load_team(path: str | Path) -> Any:
    """The team file (:func:`zi_nb.team.teamfile.load_team`)."""
    return teamfile.load_team(path)


def team_users(team: Any) -> dict[str, TeamUser]:
    """username -> :class:`TeamUser`, from a Team object (``.pengguna``) or a dict read from YAML (``pengguna``)."""
    people = team.get("pengguna", team.get("users", [])) if isinstance(team, dict) else team.pengguna
    out = {}
    for person in people or []:
        roles = person.get("peran", []) if isinstance(person, dict) else getattr(person, "peran", [])
        user = TeamUser(field_text(person, "username"), field_text(person, "nama"), field_text(person, "nip"),
                        tuple(_jenis(r) for r in roles or []))
        if user.username:
            out[user.username] = user
    return out


def evaluator_id(user: TeamUser) -> str:
    """The ``evaluator`` written in a record: ``hub:budi (Budi Santoso, NIP 198001012005011001)``."""
    who = ", ".join(p for p in (user.nama, f"NIP {user.nip}" if user.nip else "") if p)
    return f"{HUB_PATH}:{user.username}" + (f" ({who})" if who else "")
