"""The team files of the tests, from one registry of the test people: :func:`team_yaml` writes the YAML text a test
hands to the service, the hub or the command line (users with nama, NIP and roles, the quota, the stages).

Tests assert the evaluator strings these make (``hub:budi (Budi Santoso, NIP 198001012005011001)``), so a person's
name and NIP stay the same everywhere. As the team file asks, a NIP is written only for a user with a role other
than ``unit``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

SCOPED = ("unit", "tpi")  # the roles given for units; the others are for the whole period


@dataclass(frozen=True)
class Person:
    """A test user: ``peran`` is the role they have unless a test gives them others."""

    username: str
    nama: str
    nip: str = ""
    peran: str = "unit"


PEOPLE: dict[str, Person] = {p.username: p for p in (
    Person("sari", "Sari Dewi"),
    Person("rina", "Rina Lestari"),
    Person("dewi", "Dewi Lestari", "198001012005011002"),
    Person("budi", "Budi Santoso", "198001012005011001", "tpi"),
    Person("siti", "Siti Aminah", "196805121994032001", "ketua-tpi"),
    Person("kora", "Kora Wijaya", "197001012000031001", "koordinator"),
    Person("agus", "Agus Wijaya", "197001012000031001", "koordinator"),
    Person("tono", "Tono Hartono", "197501012001121001", "tpn"),
    Person("yoga", "Yoga Pratama", "199108082019031002", "admin"),
    Person("adm", "Admin Hub", "198001012005011003", "admin"),
)}

Units = str | Sequence[str]


def team_yaml(users: Iterable[str | Person], *, kuota: int, unit: Units = (),
              units: Mapping[str, Units | Mapping[str, Units]] | None = None,
              tahapan: Iterable[tuple[str, str, str]] = (), periode: str = "2026", rubrik: str = "zi-2021") -> str:
    """The team file of ``users`` (usernames of :data:`PEOPLE`, or a :class:`Person` of the test's own), in order.

    Each user has their own role (``Person.peran``); a ``unit`` or ``tpi`` role is for ``unit`` (one unit or a list),
    unless ``units`` names the user: their units (a unit or a list), or their roles, each with its units
    (``{"unit": [P], "tpi": [Q]}``; a role not given for units takes ``()``). ``tahapan``: the period's stages,
    ``(nama, mulai, batas)`` each."""
    units = units or {}
    stages = [f"    - {{nama: {nama}, mulai: {mulai}, batas: {batas}}}" for nama, mulai, batas in tahapan]
    period = ([f'periode: {{id: "{periode}"}}'] if not stages else
              ["periode:", f'  id: "{periode}"', "  tahapan:", *stages])
    lines = [f"rubrik: {rubrik}", *period, f"kuota: {kuota}", "pengguna:"]
    for entry in users:
        person = PEOPLE[entry] if isinstance(entry, str) else entry
        given = units.get(person.username, unit)
        roles = dict(given) if isinstance(given, Mapping) else {person.peran: given}
        lines += [f"  - username: {person.username}", f"    nama: {person.nama}"]
        if any(jenis != "unit" for jenis in roles):
            lines.append(f'    nip: "{person.nip}"')
        lines.append(f"    peran: [{', '.join(_role(jenis, of) for jenis, of in roles.items())}]")
    return "\n".join(lines) + "\n"


def _role(jenis: str, units: Units) -> str:
    if jenis not in SCOPED:
        return f"{{jenis: {jenis}}}"
    listed = [units] if isinstance(units, str) else list(units)
    return f"{{jenis: {jenis}, unit: [{', '.join(listed)}]}}"
