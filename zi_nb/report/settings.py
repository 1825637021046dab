"""Evaluation settings: what makes a generated LHE the official one of an instansi (kop, nomor, team, place, date).

One YAML file per evaluation (``zi-nb report --settings evaluasi.yaml``, ``zi-nb bulk --settings ...``, the report
notebook's ``settings_path`` parameter); the file and its sha256 are listed in the report's provenance and the run's
manifest. Every field is optional: without a file the LHE says what is missing instead of inventing it. Example
(``zi_nb/data/evaluasi-contoh.yaml``)::

    instansi: Kementerian Contoh Republik Indonesia     # the instansi whose units are evaluated
    kop:                                                # letterhead lines, the first in bold
      - KEMENTERIAN CONTOH REPUBLIK INDONESIA
      - INSPEKTORAT JENDERAL
      - Jl. Contoh No. 1, Jakarta 10110
    logo: logo.png                                      # PNG or JPEG beside this file (at most 1 MB)
    nomor: "LHE-{urut:03d}/IJ/ZI/{bulan}/{tahun}"       # {unit_id} {tahun} {bulan} (Roman month of tanggal) {urut}
    nomor_unit: {kanim-sukawangi: LHE-07/IJ/ZI/2026}    # a unit's nomor given as is (wins over the pattern)
    penilai: TPI Inspektorat Jenderal Kementerian Contoh   # who evaluated (else the tier's name)
    periode: 1 Mei - 30 Juni 2026                       # the evaluation period as it is written
    tanggal: 2026-06-11                                 # the date of the LHE (printed "11 Juni 2026")
    tempat: Jakarta                                     # where the ketua tim signs
    zona_waktu: WIB                                     # WIB, WITA or WIT: times shown in reports
    templat_word: lhe-instansi.docx                     # the instansi's own Word template (else templates/)
    tim:                                                # the evaluation team, ketua first
      - {nama: "Dra. Siti Aminah, M.Si.", nip: "196805121994032001", peran: ketua}
      - {nama: Budi Santoso, nip: "198001012005011002", peran: anggota}

``{urut}`` is the unit's position (1, 2, ...) in ``urutan`` when the file lists it, else in the input.
A malformed file is refused with its line and what was expected (:class:`zi_nb.errors.ParameterError`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from zi_nb.common.yamlfile import explain, line_of, read_yaml
from zi_nb.errors import ParameterError

MAX_LOGO_BYTES = 1024 * 1024
ROLES = ("ketua", "wakil ketua", "anggota", "sekretaris")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


class Member(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nama: str = Field(min_length=1)
    nip: str = ""
    peran: Literal["ketua", "wakil ketua", "anggota", "sekretaris"] = "anggota"
    jabatan: str = ""


class Settings(BaseModel):
    """The settings of one evaluation (see the module's docstring for each field)."""

    model_config = ConfigDict(extra="forbid")

    instansi: str = ""
    kop: list[str] = Field(default_factory=list)
    logo: str | None = None
    nomor: str = ""
    nomor_unit: dict[str, str] = Field(default_factory=dict)
    urutan: list[str] = Field(default_factory=list)
    penilai: str = ""
    periode: str = ""
    tanggal: dt.date | None = None
    tempat: str = ""
    zona_waktu: Literal["WIB", "WITA", "WIT"] = "WIB"
    templat_word: str | None = None
    tim: list[Member] = Field(default_factory=list)
    source: str | None = Field(default=None, exclude=True)  # the file read, for relative paths (logo)

    @property
    def ketua(self) -> Member | None:
        return next((m for m in self.tim if m.peran == "ketua"), None)

    def nomor_for(self, unit_id: str, position: int | None, year: int | None) -> str | None:
        """The LHE's nomor for a unit: given as is in ``nomor_unit``, else the pattern filled in; None without
        either. A pattern that cannot be filled is refused when the file is read, not here."""
        if unit_id in self.nomor_unit:
            return self.nomor_unit[unit_id]
        if not self.nomor:
            return None
        if unit_id in self.urutan:
            position = self.urutan.index(unit_id) + 1
        return fill_nomor(self.nomor, unit_id, position, year, self.tanggal)

    def logo_path(self) -> Path | None:
        return self._relative(self.logo)

    def word_template(self) -> Path | None:
        """The instansi's own Word template for the LHE (``templat_word``), None for the bundled one."""
        return self._relative(self.templat_word)

    def _relative(self, name: str | None) -> Path | None:
        if not name:
            return None
        base = Path(self.source).parent if self.source else Path.cwd()
        return (base / name).resolve()


def fill_nomor(pattern: str, unit_id: str, position: int | None, year: int | None, date: dt.date | None) -> str:
    # {tahun}: the year of the LHE's date (when the letter is issued), else the year the unit is evaluated for
    values = {"unit_id": unit_id, "urut": position or 0, "tahun": date.year if date else (year or ""),
              "bulan": ROMAN[date.month - 1] if date else ""}
    return pattern.format(**values)


def load_settings(path: str | Path | None) -> Settings:
    """The settings in ``path`` (empty settings for None or ""); :class:`ParameterError` names the file, the line
    and what was expected."""
    if not path:
        return Settings()
    file = Path(path)
    raw, tree = read_yaml(file, "Berkas pengaturan evaluasi", ParameterError)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ParameterError(f"{file.name}: berkas pengaturan harus berupa pemetaan nama: nilai (lihat contoh di "
                             "README).")
    try:
        settings = Settings.model_validate({**raw, "source": str(file.resolve())})
    except ValidationError as exc:
        problems = []
        for e in exc.errors()[:10]:
            loc = tuple(e["loc"])
            line = line_of(tree, loc)
            name = ".".join(str(p) for p in loc)
            problems.append(f"{file.name}{f' baris {line}' if line else ''}: '{name}' {explain(e)}")
        raise ParameterError("Pengaturan evaluasi tidak sah:\n- " + "\n- ".join(problems)) from None
    _check(settings, file)
    return settings


def _check(settings: Settings, file: Path) -> None:
    if settings.nomor:
        try:
            fill_nomor(settings.nomor, "unit", 1, 2026, dt.date(2026, 1, 1))
        except (KeyError, IndexError, ValueError):
            raise ParameterError(f"{file.name}: pola 'nomor' {settings.nomor!r} hanya boleh memakai {{unit_id}}, "
                                 "{tahun}, {bulan} dan {urut} (mis. {urut:03d}).") from None
    logo = settings.logo_path()
    if logo is not None:
        if not logo.is_file():
            raise ParameterError(f"{file.name}: logo '{settings.logo}' tidak ditemukan (jalur relatif terhadap berkas "
                                 "pengaturan).")
        head = logo.read_bytes()[:8]
        if not (head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8")):
            raise ParameterError(f"{file.name}: logo '{settings.logo}' harus berupa gambar PNG atau JPEG.")
        if logo.stat().st_size > MAX_LOGO_BYTES:
            raise ParameterError(f"{file.name}: logo '{settings.logo}' lebih dari 1 MB.")
    word = settings.word_template()
    if word is not None and (not word.is_file() or not word.read_bytes()[:4] == b"PK\x03\x04"):
        raise ParameterError(f"{file.name}: templat Word '{settings.templat_word}' tidak ditemukan atau bukan berkas "
                             ".docx (jalur relatif terhadap berkas pengaturan).")
    if sum(m.peran == "ketua" for m in settings.tim) > 1:
        raise ParameterError(f"{file.name}: 'tim' memuat lebih dari satu ketua.")
