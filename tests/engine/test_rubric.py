from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import ROOT
from zi_nb.engine.rubric import available_rubrics, check_rubric, load_rubric
from zi_nb.errors import PolicyError, RubricError

PACKAGED = ROOT / "zi_nb" / "rubrics" / "zi-2021.yaml"


def raw_rubric() -> dict:
    return yaml.safe_load(PACKAGED.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict, name: str = "r.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_zi2021_structure(rubric):
    assert rubric.id == "zi-2021"
    assert "zi-2021" in available_rubrics()
    assert len(rubric.items) == 113 and len(rubric.input_codes) == 24
    assert len(rubric.indicators) == 45
    kinds = [rubric.answer_types[i.answer_type].kind for i in rubric.items]
    assert kinds.count("ratio") == 8 and kinds.count("index") == 2
    parts = {c: sum(i.weight for i in rubric.indicators if i.component == c) for c in ("PEMENUHAN", "REFORM")}
    assert parts == {"PEMENUHAN": 30, "REFORM": 30}
    hasil = sum(i.weight for i in rubric.indicators if i.component in ("BERSIH", "PRIMA"))
    assert hasil == 40
    assert {a.code: sum(a.weights.values()) for a in rubric.areas} == {
        "A": 8, "B": 7, "C": 10, "D": 10, "E": 15, "F": 10}
    assert rubric.answer_types["A/B/C/D"].options == {"A": 1, "B": 0.67, "C": 0.33, "D": 0}


def test_reference_csv_matches_rubric(rubric):
    """Every row of the shared reference CSV is in the rubric with the same type and weight."""
    import csv

    ref = ROOT.parent / "shared" / "reference" / "lke-zi-2021.csv"
    assert ref.is_file()
    rows = list(csv.DictReader(ref.open(encoding="utf-8")))
    assert len(rows) == 137
    for row in rows:
        if row["answer_type"] == "Jumlah":
            assert row["code"] in rubric.input_codes
            continue
        item = rubric.item_by_code[row["code"]]
        assert item.answer_type == row["answer_type"]
        assert rubric.indicator_by_code[item.indicator].weight == float(row["indicator_weight"])
        assert item.question == row["question"].strip()


def test_content_hash_is_stable_and_sensitive(tmp_path):
    data = raw_rubric()
    a = load_rubric(write(tmp_path, data, "a.yaml"))
    b = load_rubric(write(tmp_path, data, "b.yaml"))
    assert a.content_hash == b.content_hash == load_rubric("zi-2021").content_hash
    data["items"][0]["question"] += " (revisi)"
    c = load_rubric(write(tmp_path, data, "c.yaml"))
    assert c.content_hash != a.content_hash


@pytest.mark.parametrize("mutate, fragment", [
    (lambda d: d["indicators"][0].update(weight=0.75), "bobot"),
    (lambda d: d["items"][1].update(code=d["items"][0]["code"]), "lebih dari sekali"),
    (lambda d: d["items"][0].update(answer_type="Skala 1-5"), "tipe jawaban"),
    (lambda d: next(i for i in d["items"] if i["code"] == "PRD1A")["inputs"].pop(), "tidak dideklarasikan"),
    (lambda d: next(i for i in d["items"] if i["code"] == "PRF1B").pop("rule"), "tidak memiliki aturan"),
    (lambda d: d["predicates"][0].update(criteria=[]), "kriteria"),
    (lambda d: d["predicates"][0]["criteria"][0].pop("minimum"), "minimum"),
    (lambda d: d["policies"]["unanswered"].update(default="blank"), "bawaan"),
])
def test_invalid_rubric_is_refused_with_clear_message(tmp_path, mutate, fragment):
    data = raw_rubric()
    mutate(data)
    with pytest.raises(RubricError) as err:
        load_rubric(write(tmp_path, data))
    assert fragment in str(err.value)
    assert "r.yaml" in str(err.value)


def test_missing_and_malformed_rubric(tmp_path):
    with pytest.raises(RubricError, match="tidak ditemukan"):
        load_rubric("zi-1999")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(RubricError, match="YAML"):
        load_rubric(bad)


def test_next_year_edits_via_extends(tmp_path):
    """A new year's rubric names its parent and only what changes (renamed item, moved weight, new threshold)."""
    edits = {
        "extends": "zi-2021",
        "id": "zi-2024-draft",
        "title": "Draf rubrik 2024",
        "indicators": [
            {"code": "PPA1", "name": "Penyusunan Tim Kerja", "component": "PEMENUHAN", "area": "A", "weight": 0.75},
            {"code": "PPA2", "name": "Rencana Pembangunan ZI", "component": "PEMENUHAN", "area": "A", "weight": 0.75},
        ],
        "items": [{"code": "PPA1A", "indicator": "PPA1", "answer_type": "Ya/Tidak",
                   "question": "Unit kerja telah membentuk tim ZI (rumusan baru)"}],
        "predicates": [{"code": "WBK", "name": "Menuju WBK", "criteria": [
            {"code": "total", "name": "Nilai total", "measure": "total", "minimum": 77}]}],
    }
    r = load_rubric(write(tmp_path, edits))
    assert r.id == "zi-2024-draft"
    assert r.item_by_code["PPA1A"].question.endswith("(rumusan baru)")
    assert r.indicator_by_code["PPA1"].weight == 0.75
    assert r.predicate("WBK").criteria[0].minimum == 77
    assert r.predicate("WBBM").criteria[0].minimum == 85
    assert len(r.items) == 113 and r.content_hash != load_rubric().content_hash


def test_older_regime_area_level_only(tmp_path):
    """PermenPAN-RB 52/2014: no Pemenuhan/Reform split, area weights directly under Pengungkit."""
    areas = {"A": 5, "B": 5, "C": 15, "D": 10, "E": 15, "F": 10}
    data = {
        "schema": 1, "id": "zi-2014", "title": "LKE ZI 2014 (ringkas)", "total": 100,
        "answer_types": {"Nilai (0-100%)": {"kind": "index", "minimum": 0, "maximum": 100}},
        "components": [{"code": "PENGUNGKIT", "name": "Pengungkit", "weight": 60},
                       {"code": "HASIL", "name": "Hasil", "weight": 40}],
        "areas": [{"code": a, "name": f"Area {a}", "weights": {"PENGUNGKIT": w}} for a, w in areas.items()],
        "indicators": [{"code": f"I{a}", "name": f"Area {a}", "component": "PENGUNGKIT", "area": a, "weight": w}
                       for a, w in areas.items()]
        + [{"code": "H1", "name": "Survei persepsi korupsi + TLHP", "component": "HASIL", "weight": 20},
           {"code": "H2", "name": "Survei pelayanan", "component": "HASIL", "weight": 20}],
        "items": [{"code": f"I{a}1", "indicator": f"I{a}", "answer_type": "Nilai (0-100%)", "question": f"Area {a}"}
                  for a in areas]
        + [{"code": "H11", "indicator": "H1", "answer_type": "Nilai (0-100%)", "question": "H1"},
           {"code": "H21", "indicator": "H2", "answer_type": "Nilai (0-100%)", "question": "H2"}],
        "policies": {"unanswered": {"default": "exclude", "choices": {"exclude": "", "zero": ""}}},
        "predicates": [{"code": "WBK", "name": "Menuju WBK", "criteria": [
            {"code": "total", "name": "Total", "measure": "total", "minimum": 75},
            {"code": "area", "name": "Area", "measure": "area", "minimum_ratio": 0.6}]}],
    }
    r = load_rubric(write(tmp_path, data))
    assert check_rubric(r) == []
    from tests.helpers import answers_of
    from zi_nb.engine.predicate import evaluate
    from zi_nb.engine.scoring import score_answers

    rows = [{"unit_id": "x", "code": i.code, "raw": 80} for i in r.items]
    s = score_answers(answers_of(r, rows), r)
    assert s.total["x"] == pytest.approx(80)
    assert s.areas.loc["x", "C"] == pytest.approx(12)
    assert evaluate(s).predicate["x"] == "WBK"


def test_policy_values(rubric):
    assert rubric.policy_values()["unanswered"] == "exclude"
    assert rubric.policy_values({"unanswered": "zero"})["unanswered"] == "zero"
    with pytest.raises(PolicyError, match="tidak dikenal"):
        rubric.policy_values({"rounding": "up"})
    with pytest.raises(PolicyError, match="tidak sah"):
        rubric.policy_values({"unanswered": "maybe"})


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=0.05, max_value=5, allow_nan=False), min_size=6, max_size=6))
def test_any_valid_reweighting_sums_as_declared(tmp_path_factory, factors):
    """Scale each area's indicators by a factor and re-declare the sums: the loader accepts it and the weights of
    every part, area and the total add up exactly as declared."""
    data = raw_rubric()
    factor = dict(zip("ABCDEF", factors))
    for ind in data["indicators"]:
        if ind.get("area"):
            ind["weight"] = round(ind["weight"] * factor[ind["area"]], 6)
    for area in data["areas"]:
        for comp in area["weights"]:
            area["weights"][comp] = round(sum(i["weight"] for i in data["indicators"]
                                              if i.get("area") == area["code"] and i["component"] == comp), 6)
    for comp in data["components"]:
        if comp["code"] in ("PEMENUHAN", "REFORM"):
            comp["weight"] = round(sum(a["weights"][comp["code"]] for a in data["areas"]), 6)
    peng = next(c for c in data["components"] if c["code"] == "PENGUNGKIT")
    peng["weight"] = round(sum(c["weight"] for c in data["components"] if c.get("parent") == "PENGUNGKIT"), 6)
    data["total"] = round(peng["weight"] + 40, 6)
    r = load_rubric(write(tmp_path_factory.mktemp("w"), data))
    assert sum(c.weight for c in r.top_components()) == pytest.approx(r.total)
    for a in r.areas:
        for comp, w in a.weights.items():
            assert sum(i.weight for i in r.indicators if i.area == a.code and i.component == comp) == pytest.approx(w)


def test_required_documents_are_rubric_data_from_the_reference_list():
    """zi-2021 carries the 244 documents of bukti-dukung-2021.csv (ZI-RULES.md section 9), in their order."""
    import csv

    from tests.helpers import SHARED

    r = load_rubric()
    with open(SHARED / "reference" / "bukti-dukung-2021.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    expected: dict[str, list[str]] = {}
    for row in sorted(rows, key=lambda x: int(x["doc_no"])):
        expected.setdefault(row["code"], []).append(" ".join(row["dokumen"].split()))
    assert r.documents == expected
    assert sum(map(len, r.documents.values())) == 244 and len(r.documents) == 110
    assert r.documents_of("HBA") == [] and r.documents_of("PPA1A")[0].startswith("SK Tim Kerja")


def test_an_instansi_replaces_the_documents_of_an_item_through_extends(tmp_path):
    r = load_rubric(write(tmp_path, {"extends": "zi-2021", "id": "zi-2021-kemenx", "title": "ZI 2021 Kemen X",
                                     "documents": {"PPA1A": ["SK Tim ZI", "Berita acara pembentukan"]},
                                     "remove": []}))
    base = load_rubric()
    assert r.documents_of("PPA1A") == ["SK Tim ZI", "Berita acara pembentukan"]
    assert r.documents_of("PPA1B") == base.documents_of("PPA1B")
    assert r.content_hash != base.content_hash  # the checklist is part of the rubric's identity


@pytest.mark.parametrize(("documents", "message"), [
    ({"XYZ9": ["SK"]}, "butir 'XYZ9' tidak ada"),
    ({"PPA1A": []}, "daftar dokumen kosong"),
    ({"PPA1A": ["SK", "SK"]}, "lebih dari sekali"),
])
def test_a_bad_documents_list_is_refused(tmp_path, documents, message):
    with pytest.raises(RubricError, match=message):
        load_rubric(write(tmp_path, {"extends": "zi-2021", "id": "x", "title": "x", "documents": documents}))
