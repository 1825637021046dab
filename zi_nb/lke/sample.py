"""Sample data: the bundled fictional units and deterministic synthetic units for benchmarks.

The bundled sample (``zi_nb/data/sample/``) holds twelve fictional units of the kinds evaluated in the field, from
several instansi and years, with the unit's self-assessment and a TPI review (notes, evidence links), spanning
WBBM, WBK and not-yet. It is produced by :func:`bundled_units` with a fixed seed and committed, so it never changes
unless regenerated on purpose (``python -m zi_nb.lke.sample``).

:func:`synthetic_raw` draws any number of units the same way, vectorised over units (one draw per rubric item for
all units), so 10,000 units take a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from zi_nb.common.files import atomic_path
from zi_nb.common.resources import sample_dir
from zi_nb.engine.answers import RAW_COLUMNS, build_answers
from zi_nb.engine.rubric import Rubric, load_rubric
from zi_nb.lke.export import write_circulated

SAMPLE_ANSWERS = "sample-lke.csv"
SAMPLE_UNITS = "sample-units.csv"


@dataclass(frozen=True)
class UnitSpec:
    unit_id: str
    unit_name: str
    instansi: str
    year: int
    current_predicate: str | None
    quality: float  # 0..1: how well the unit has built its Zona Integritas
    ipak: float  # survey indices 0..4
    ipkp: float


# Fictional units (no real office is meant), chosen to span WBBM, WBK and not-yet after TPI review.
BUNDLED: list[UnitSpec] = [
    UnitSpec("kanim-sukawangi", "Kantor Imigrasi Kelas II Non TPI Sukawangi", "Kementerian Hukum dan HAM", 2022,
             "WBK", 0.97, 3.84, 3.78),
    UnitSpec("kppn-lembah-hijau", "KPPN Tipe A1 Lembah Hijau", "Kementerian Keuangan", 2023, "WBK", 0.96, 3.81,
             3.74),
    UnitSpec("pn-sungai-jernih", "Pengadilan Negeri Sungai Jernih Kelas II", "Mahkamah Agung", 2023, "WBK", 0.95,
             3.77, 3.71),
    UnitSpec("kpp-danau-biru", "KPP Pratama Danau Biru", "Kementerian Keuangan", 2023, None, 0.9, 3.72, 3.55),
    UnitSpec("kemenag-mekarsari", "Kantor Kementerian Agama Kabupaten Mekarsari", "Kementerian Agama", 2022, None,
             0.86, 3.68, 3.41),
    UnitSpec("samsat-bukit-indah", "UPT Samsat Kota Bukit Indah", "Pemerintah Provinsi Nusa Raya", 2023, None, 0.85,
             3.66, 3.36),
    UnitSpec("lapas-karang-asri", "Lembaga Pemasyarakatan Kelas IIB Karang Asri", "Kementerian Hukum dan HAM", 2022,
             None, 0.88, 3.7, 3.3),
    UnitSpec("puskesmas-sukamaju", "Puskesmas Kecamatan Sukamaju", "Pemerintah Kota Tirtayasa", 2022, None, 0.66,
             3.42, 3.15),
    UnitSpec("dukcapil-tirtayasa", "Dinas Kependudukan dan Pencatatan Sipil Kota Tirtayasa",
             "Pemerintah Kota Tirtayasa", 2023, None, 0.74, 3.58, 3.28),
    UnitSpec("rsud-mekarsari", "RSUD Kabupaten Mekarsari", "Pemerintah Kabupaten Mekarsari", 2024, None, 0.7, 3.5,
             3.1),
    UnitSpec("kua-sukamaju", "KUA Kecamatan Sukamaju", "Kementerian Agama", 2024, None, 0.55, 3.3, 3.0),
    UnitSpec("bps-mekarsari", "BPS Kabupaten Mekarsari", "Badan Pusat Statistik", 2024, "WBK", 0.93, 3.75, 3.62),
]

_KINDS = [("Kantor Imigrasi Kelas II", "Kementerian Hukum dan HAM"), ("KPPN", "Kementerian Keuangan"),
          ("Pengadilan Negeri", "Mahkamah Agung"), ("KPP Pratama", "Kementerian Keuangan"),
          ("Kantor Kementerian Agama Kabupaten", "Kementerian Agama"), ("UPT Samsat", "Pemerintah Provinsi"),
          ("Puskesmas Kecamatan", "Pemerintah Kabupaten"), ("Lembaga Pemasyarakatan", "Kementerian Hukum dan HAM"),
          ("RSUD", "Pemerintah Kabupaten"), ("BPS Kabupaten", "Badan Pusat Statistik")]
_PLACES = ["Sukawangi", "Mekarsari", "Tirtayasa", "Bukit Indah", "Karang Asri", "Lembah Hijau", "Danau Biru",
           "Sungai Jernih", "Sukamaju", "Padang Permai", "Tanjung Harapan", "Gunung Sari", "Pantai Indah",
           "Rawa Bening", "Sumber Rejeki", "Cahaya Timur"]
_UNIT_NOTES = ["Telah dilaksanakan sesuai rencana kerja ZI.", "Dokumen ditetapkan dengan SK Kepala Kantor.",
               "Dilaksanakan secara berkala setiap triwulan.", "Laporan monev tersedia dan ditindaklanjuti.",
               "Sebagian kegiatan masih dalam proses pelaksanaan.", "Bukti dukung diunggah ke folder bersama."]
_TPI_NOTES = ["Bukti dukung belum lengkap untuk seluruh periode.", "Monev belum dilakukan secara berkala.",
              "Tindak lanjut hasil evaluasi belum terdokumentasi.", "Belum seluruh pegawai terlibat.",
              "Dokumen tidak ditandatangani pimpinan.", "Inovasi belum berdampak pada layanan."]
_EVIDENCE = ["SK Kepala Kantor tentang Tim Kerja ZI", "Laporan Monitoring dan Evaluasi Triwulan",
             "Notulensi dan daftar hadir rapat", "Dokumentasi kegiatan sosialisasi", "Laporan Kinerja (LKj)",
             "Standar Pelayanan yang dimaklumatkan"]


def _draw_option(rng: np.random.Generator, n_options: int, quality: np.ndarray) -> np.ndarray:
    """Option index (0 = best) per unit: better units pick better options more often."""
    spread = (1.0 - quality) * (n_options - 1) * 1.6
    idx = np.floor(rng.random(quality.shape[0]) * (spread + 0.999)).astype(int)
    return np.clip(idx, 0, n_options - 1)


def synthetic_raw(specs: list[UnitSpec], rubric: Rubric | str = "zi-2021", seed: int = 2021,
                  tpi: bool = True, file: str | None = None) -> pd.DataFrame:
    """Raw answer rows (unit and, optionally, TPI tier) for ``specs``, deterministic for a seed."""
    rubric = load_rubric(rubric)
    rng = np.random.default_rng(seed)
    n = len(specs)
    unit_ids = np.array([s.unit_id for s in specs], dtype=object)
    quality = np.array([s.quality for s in specs])
    tpi_quality = np.clip(quality - 0.06, 0, 1)
    frames = []

    def emit(tier: str, code: str, values: np.ndarray, notes: np.ndarray, evidence: np.ndarray | None) -> None:
        frames.append(pd.DataFrame({"unit_id": unit_ids, "tier": tier, "code": code, "raw": values,
                                    "note": notes, "evidence": evidence}))

    for item in rubric.items:
        at = rubric.answer_types[item.answer_type]
        note_idx = rng.integers(0, len(_UNIT_NOTES), n)
        ev_idx = rng.integers(0, len(_EVIDENCE), n)
        notes = np.array(_UNIT_NOTES, dtype=object)[note_idx]
        evidence = np.array([f"{_EVIDENCE[e]}\nhttps://drive.example.go.id/zi/{u}/{item.code}.pdf"
                             for e, u in zip(ev_idx, unit_ids)], dtype=object)
        tpi_notes = np.array(_TPI_NOTES, dtype=object)[rng.integers(0, len(_TPI_NOTES), n)]
        if at.kind == "option":
            labels = np.array(list(at.options), dtype=object)
            unit_pick = _draw_option(rng, len(labels), quality)
            emit("unit", item.code, labels[unit_pick], notes, evidence)
            if tpi:
                tpi_pick = np.maximum(unit_pick, _draw_option(rng, len(labels), tpi_quality))
                emit("tpi", item.code, labels[tpi_pick], np.where(tpi_pick > unit_pick, tpi_notes, "Sesuai."), None)
        elif at.kind == "index":
            base = np.array([s.ipak if item.code == "HBA" else s.ipkp for s in specs])
            values = np.round(np.clip(base + rng.normal(0, 0.01, n), 0, 4), 2)
            emit("unit", item.code, values, np.full(n, "Hasil survei eksternal.", dtype=object), evidence)
            if tpi:
                emit("tpi", item.code, values, np.full(n, "Sesuai hasil survei.", dtype=object), None)
        elif at.kind == "ratio":
            _emit_inputs(item, rng, quality, tpi_quality, emit, notes, evidence, tpi)
    raw = pd.concat(frames, ignore_index=True)
    raw["_unit"] = pd.Categorical(raw["unit_id"], categories=list(dict.fromkeys(unit_ids)))
    raw["_tier"] = raw["tier"].map({"unit": 0, "tpi": 1})
    raw = raw.sort_values(["_unit", "_tier"], kind="stable").drop(columns=["_unit", "_tier"]).reset_index(drop=True)
    raw["file"] = file
    return raw.reindex(columns=RAW_COLUMNS)


def _emit_inputs(item, rng, quality, tpi_quality, emit, notes, evidence, tpi: bool) -> None:
    """Consistent Jumlah inputs for a % item (parts sum to stated totals, achieved <= base)."""
    n = quality.shape[0]
    rule = item.rule
    names = [i.name for i in item.inputs]
    values: dict[str, np.ndarray] = {}
    if rule.kind == "decrease":
        prev = rng.integers(0, 6, n)
        cur = np.floor(prev * (1.0 - quality) * rng.random(n)).astype(int)
        values = {rule.previous: prev, rule.current: cur}
        for other in names:
            values.setdefault(other, np.minimum(cur, rng.integers(0, 3, n)))
    else:
        parts = rule.denominator or rule.denominator_choices.get(next(iter(rule.denominator_choices), ""), [])
        for p in parts:
            values[p] = rng.integers(1, 25, n)
        base = np.sum([values[p] for p in parts], axis=0)
        achieved = np.floor(base * np.clip(quality + rng.normal(0, 0.05, n), 0, 1)).astype(int)
        if rule.above_base == "allowed":
            achieved = achieved + rng.integers(0, 3, n)
        values[rule.numerator] = achieved
        if rule.denominator_total:
            values[rule.denominator_total] = base
        for other in names:  # inputs the rule does not use (e.g. complaints still in process)
            values.setdefault(other, np.maximum(0, base - achieved))
    for name in names:
        emit("unit", f"{item.code}.{name}", values[name].astype(int), notes, evidence)
        if tpi:
            emit("tpi", f"{item.code}.{name}", values[name].astype(int), np.full(n, "Sesuai.", dtype=object), None)


def synthetic_specs(count: int, seed: int = 2021) -> list[UnitSpec]:
    """``count`` synthetic unit descriptions, deterministic for a seed."""
    rng = np.random.default_rng(seed)
    specs = []
    for i in range(count):
        kind, instansi = _KINDS[i % len(_KINDS)]
        place = _PLACES[(i // len(_KINDS)) % len(_PLACES)]
        quality = float(np.clip(rng.beta(5, 1.6), 0.3, 1.0))
        specs.append(UnitSpec(f"unit-{i + 1:05d}", f"{kind} {place} {i + 1}", instansi, 2022 + i % 3,
                              "WBK" if rng.random() < 0.2 else None, quality,
                              float(np.round(3.2 + 0.7 * quality + rng.normal(0, 0.05), 2)),
                              float(np.round(3.0 + 0.8 * quality + rng.normal(0, 0.05), 2))))
    return specs


def units_frame(specs: list[UnitSpec]) -> pd.DataFrame:
    return pd.DataFrame({"unit_id": [s.unit_id for s in specs], "unit_name": [s.unit_name for s in specs],
                         "instansi": [s.instansi for s in specs], "year": [s.year for s in specs],
                         "current_predicate": [s.current_predicate or "" for s in specs]})


def long_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """The long-format table users exchange: unit_id, tier, code, answer, note, evidence."""
    out = raw[["unit_id", "tier", "code", "raw", "note", "evidence"]].rename(columns={"raw": "answer"})
    return out.fillna("")


def bundled_paths() -> list[Path]:
    """The bundled sample files (answers, unit metadata)."""
    folder = sample_dir()
    return [folder / SAMPLE_ANSWERS, folder / SAMPLE_UNITS]


def _with_everyday_mistakes(raw: pd.DataFrame) -> pd.DataFrame:
    """What real files contain: lower-case options, stray spaces, decimal commas, a blank, markup in a note."""
    raw = raw.copy()

    def put(unit: str, tier: str, code: str, column: str, value: str | None) -> None:
        mask = (raw["unit_id"] == unit) & (raw["tier"] == tier) & (raw["code"] == code)
        raw.loc[mask, column] = value

    put("rsud-mekarsari", "unit", "PPA1B", "raw", "a")
    put("rsud-mekarsari", "unit", "PPA2A", "raw", "Ya ")
    put("rsud-mekarsari", "unit", "HBA", "raw", "3,5")
    put("rsud-mekarsari", "unit", "PPC1C", "raw", "")
    put("rsud-mekarsari", "unit", "PPB1A", "note", "Catatan dengan <script>alert('x')</script> & tanda <b>tebal</b>")
    put("kua-sukamaju", "unit", "PPD1A", "raw", "B.")
    # bukti dukung as real files have it: a path on the filler's own computer, an item without any evidence, one
    # shared folder link for unrelated items, and one link used by two units
    put("rsud-mekarsari", "unit", "PPA1A", "evidence", "Scan SK Tim ZI\nC:\\Users\\Admin\\Documents\\ZI\\SK Tim.pdf")
    put("rsud-mekarsari", "unit", "PPA3A", "evidence", None)
    folder = "Semua dokumen ada di folder ini\nhttps://drive.google.com/drive/folders/zi-kua-sukamaju-2024"
    for code in ("PPB1A", "PPC1A", "PRF2A"):
        put("kua-sukamaju", "unit", code, "evidence", folder)
    for unit in ("kpp-danau-biru", "samsat-bukit-indah"):
        put(unit, "unit", "PPD2A", "evidence", "Contoh dokumen dari instansi\nhttps://bit.ly/contoh-bukti-zi")
    return raw


def write_bundled(folder: Path) -> list[Path]:
    """Regenerate the bundled sample into ``folder`` (``zi_nb/data/sample``: ``python -m zi_nb.lke.sample``)."""
    folder.mkdir(parents=True, exist_ok=True)
    raw = _with_everyday_mistakes(synthetic_raw(BUNDLED, seed=90))
    paths = [folder / SAMPLE_ANSWERS, folder / SAMPLE_UNITS]
    long_frame(raw).to_csv(paths[0], index=False)
    units_frame(BUNDLED).to_csv(paths[1], index=False)
    return paths


def write_synthetic(folder: Path, count: int, seed: int = 2021, fmt: str = "csv") -> list[Path]:
    """Write ``count`` synthetic units into ``folder``.

    ``csv``/``xlsx``: one long-format answers file plus a unit metadata file (sheet, for xlsx); ``lke``: one
    circulated LKE workbook per unit (the ``ID | Penilaian | ...`` export layout, unit and TPI columns).
    """

    folder.mkdir(parents=True, exist_ok=True)
    specs = synthetic_specs(count, seed)
    raw = synthetic_raw(specs, seed=seed)
    units = units_frame(specs)
    if fmt == "csv":
        paths = [folder / "synthetic-lke.csv", folder / "synthetic-units.csv"]
        with atomic_path(paths[0]) as tmp:
            long_frame(raw).to_csv(tmp, index=False)
        with atomic_path(paths[1]) as tmp:
            units.to_csv(tmp, index=False)
        return paths
    if fmt == "xlsx":
        path = folder / "synthetic-lke.xlsx"
        with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            long_frame(raw).to_excel(writer, sheet_name="jawaban", index=False)
            units.to_excel(writer, sheet_name="unit", index=False)
        return [path]

    answers, _ = build_answers(raw, load_rubric())
    paths = []
    for spec, (_, unit_answers) in zip(specs, answers.groupby("unit_id", sort=False)):
        path = folder / f"{spec.unit_id}.xlsx"
        write_circulated(path, load_rubric(), cast("dict[str, Any]", units_frame([spec]).iloc[0].to_dict()),
                         unit_answers)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write_bundled(sample_dir()):
        print(written)
