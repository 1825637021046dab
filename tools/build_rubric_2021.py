"""Build ``zi_nb/rubrics/zi-2021.yaml`` from the reference CSV (one-off, kept for provenance).

The YAML file is the source of truth once written; this script documents where it came from:
``python tools/build_rubric_2021.py ../shared/reference/lke-zi-2021.csv > zi_nb/rubrics/zi-2021.yaml``.
Rules of the % items, policies and predicate criteria come from ZI-RULES.md sections 3-5.
"""

from __future__ import annotations

import csv
import sys

import yaml

HEADER = {
    "schema": 1,
    "id": "zi-2021",
    "title": "Lembar Kerja Evaluasi Zona Integritas 2021",
    "regulation": "PermenPAN-RB No. 90 Tahun 2021, Lampiran III",
    "in_force_from": 2022,
    "total": 100,
    "answer_types": {
        "Ya/Tidak": {"kind": "option", "options": {"Ya": 1, "Tidak": 0}},
        "A/B/C": {"kind": "option", "options": {"A": 1, "B": 0.5, "C": 0}},
        "A/B/C/D": {"kind": "option", "options": {"A": 1, "B": 0.67, "C": 0.33, "D": 0}},
        "A/B/C/D/E": {"kind": "option", "options": {"A": 1, "B": 0.75, "C": 0.5, "D": 0.25, "E": 0}},
        "%": {"kind": "ratio"},
        "Nilai (0-4)": {"kind": "index", "minimum": 0, "maximum": 4},
        "Jumlah": {"kind": "count"},
    },
    "components": [
        {"code": "PENGUNGKIT", "name": "Pengungkit", "weight": 60},
        {"code": "PEMENUHAN", "name": "Pemenuhan", "weight": 30, "parent": "PENGUNGKIT"},
        {"code": "REFORM", "name": "Reform", "weight": 30, "parent": "PENGUNGKIT"},
        {"code": "HASIL", "name": "Hasil", "weight": 40},
        {"code": "BERSIH", "name": "Birokrasi yang Bersih dan Akuntabel", "weight": 22.5, "parent": "HASIL"},
        {"code": "PRIMA", "name": "Pelayanan Publik yang Prima", "weight": 17.5, "parent": "HASIL"},
    ],
    "policies": {
        "unanswered": {
            "default": "exclude",
            "description": "Butir yang belum dijawab: dikeluarkan dari rata-rata indikator (seperti rumus LKE) "
            "atau dihitung 0.",
            "choices": {"exclude": "dikeluarkan dari rata-rata", "zero": "dihitung 0"},
        },
        "pengaduan_base": {
            "default": "harus_ditindaklanjuti",
            "description": "Pembagi persentase penanganan pengaduan (PRE2A).",
            "choices": {
                "harus_ditindaklanjuti": "selesai / harus ditindaklanjuti",
                "diproses_selesai": "selesai / (sedang diproses + selesai)",
            },
        },
        "pengaduan_nol": {
            "default": "one",
            "description": "Nilai PRE2A bila tidak ada pengaduan yang harus ditangani.",
            "choices": {"one": "dinilai 1", "unanswered": "dianggap belum dijawab"},
        },
        "prerequisite": {
            "default": "record",
            "description": "Prasyarat predikat (WBBM hanya untuk unit yang sudah berpredikat WBK): dicatat saja, "
            "atau ditegakkan sehingga unit tanpa prasyarat tidak diberi predikat itu.",
            "choices": {"record": "dicatat", "enforce": "ditegakkan"},
        },
        "area_minimum": {
            "default": "combined",
            "description": "Syarat minimum area: Pemenuhan + Reform digabung, atau masing-masing bagian.",
            "choices": {"combined": "digabung per area", "per_part": "per bagian (Pemenuhan dan Reform)"},
        },
    },
    "predicates": [
        {
            "code": "WBK",
            "name": "Menuju WBK",
            "criteria": [
                {"code": "total", "name": "Nilai total", "measure": "total", "minimum": 75},
                {"code": "pengungkit", "name": "Pengungkit", "measure": "PENGUNGKIT", "minimum": 40},
                {"code": "area", "name": "Area", "measure": "area", "minimum_ratio": 0.60},
                {"code": "bersih", "name": "Birokrasi bersih dan akuntabel", "measure": "BERSIH", "minimum": 18.25},
                {"code": "ipak", "name": "Survei IPAK (HBA)", "measure": "HBA", "minimum": 15.75},
                {"code": "kinerja", "name": "Capaian kinerja (HBB)", "measure": "HBB", "minimum": 2.5},
                {"code": "ipkp", "name": "Survei IPKP (HPA)", "measure": "HPA", "minimum": 14},
            ],
        },
        {
            "code": "WBBM",
            "name": "Menuju WBBM",
            "requires": "WBK",
            "criteria": [
                {"code": "total", "name": "Nilai total", "measure": "total", "minimum": 85},
                {"code": "pengungkit", "name": "Pengungkit", "measure": "PENGUNGKIT", "minimum": 48},
                {"code": "area", "name": "Area", "measure": "area", "minimum_ratio": 0.75},
                {"code": "bersih", "name": "Birokrasi bersih dan akuntabel", "measure": "BERSIH", "minimum": 19.5},
                {"code": "ipak", "name": "Survei IPAK (HBA)", "measure": "HBA", "minimum": 15.75},
                {"code": "kinerja", "name": "Capaian kinerja (HBB)", "measure": "HBB", "minimum": 3.75},
                {"code": "ipkp", "name": "Survei IPKP (HPA)", "measure": "HPA", "minimum": 15.75},
            ],
        },
    ],
}

AREA_NAMES = {
    "A": "Manajemen Perubahan",
    "B": "Penataan Tatalaksana",
    "C": "Penataan Sistem Manajemen SDM Aparatur",
    "D": "Penguatan Akuntabilitas",
    "E": "Penguatan Pengawasan",
    "F": "Peningkatan Kualitas Pelayanan Publik",
}

# Ratio rules of the eight % items (ZI-RULES.md section 3).
RULES = {
    "PRA1A": {"kind": "ratio", "numerator": "jumlah_perubahan_dibuat", "denominator": ["jumlah_agen_perubahan"],
              "above_base": "allowed"},
    "PRA1B": {"kind": "ratio", "numerator": "jumlah_perubahan_diintegrasikan",
              "denominator": ["jumlah_perubahan_dibuat"]},
    "PRC3A": {"kind": "decrease", "previous": "pelanggaran_tahun_sebelumnya", "current": "pelanggaran_tahun_ini"},
    "PRD1A": {"kind": "ratio", "numerator": "jumlah_sasaran_tercapai", "denominator": ["jumlah_sasaran"]},
    "PRE2A": {"kind": "ratio", "numerator": "pengaduan_selesai",
              "denominator_policy": "pengaduan_base",
              "denominator_choices": {
                  "harus_ditindaklanjuti": ["pengaduan_harus_ditindaklanjuti"],
                  "diproses_selesai": ["pengaduan_sedang_diproses", "pengaduan_selesai"],
              },
              "zero_base_policy": "pengaduan_nol"},
    "PRE3A": {"kind": "ratio", "numerator": "sudah_melaporkan", "denominator_total": "wajib_total",
              "denominator": ["wajib_kepala_satker", "wajib_pejabat_lhkpn", "wajib_lainnya"]},
    "PRE3B": {"kind": "ratio", "numerator": "sudah_melaporkan", "denominator_total": "wajib_total",
              "denominator": ["wajib_eselon_iii", "wajib_eselon_iv", "wajib_fungsional_pelaksana"]},
    "PRF1B": {"kind": "ratio", "numerator": "jumlah_layanan_dipermudah", "denominator": ["jumlah_layanan_terdata"]},
}


def _num(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() else value


def build(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    data = dict(HEADER)
    areas: dict[str, dict] = {}
    indicators: dict[str, dict] = {}
    items: dict[str, dict] = {}
    for r in rows:
        part = r["part"]
        area = r["area_code"] or None
        if r["answer_type"] == "Jumlah":
            item_code, name = r["code"].split(".", 1)
            items[item_code].setdefault("inputs", []).append(
                {"name": name, "lke_row": int(r["lke_row"]), "label": r["question"].strip()}
            )
            continue
        if area:
            areas.setdefault(area, {"code": area, "name": AREA_NAMES[area], "weights": {}})
        if r["indicator_code"] not in indicators:
            component = part if part != "HASIL" else ("PRIMA" if r["indicator_code"] == "HPA" else "BERSIH")
            indicators[r["indicator_code"]] = {
                "code": r["indicator_code"],
                "name": r["indicator"].strip(),
                "component": component,
                **({"area": area} if area else {}),
                "weight": _num(r["indicator_weight"]),
            }
            if area:
                weights = areas[area]["weights"]
                weights[part] = weights.get(part, 0) + _num(r["indicator_weight"])
        item = {
            "code": r["code"],
            "lke_row": int(r["lke_row"]),
            "indicator": r["indicator_code"],
            "answer_type": r["answer_type"],
            "question": r["question"].strip(),
            "criteria": r["criteria"].strip(),
        }
        if r["code"] in RULES:
            item["rule"] = RULES[r["code"]]
        items[r["code"]] = item
    data["areas"] = list(areas.values())
    for a in data["areas"]:
        a["weights"] = {k: _num(str(round(v, 6))) for k, v in a["weights"].items()}
    data["indicators"] = list(indicators.values())
    data["items"] = list(items.values())
    return data


if __name__ == "__main__":
    print("# Rubrik LKE Zona Integritas 2021 (PermenPAN-RB 90/2021). Data, not code: edit with care;")
    print("# a new year's rubric is a new file (or one that `extends` this one).")
    yaml.safe_dump(build(sys.argv[1]), sys.stdout, allow_unicode=True, sort_keys=False, width=110)
