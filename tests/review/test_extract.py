"""A ledger extract (one unit's records as JSON, as the LHE on the team server reads them): every record checked
against its own hash; anything else refused with the file named."""

from __future__ import annotations

import json

import pytest

from zi_nb.errors import LedgerError
from zi_nb.review.catatan import write_catatan
from zi_nb.review.extract import FORMAT, read_extract, record_from_json, record_json, write_extract
from zi_nb.review.ledger import Ledger


@pytest.fixture
def records(tmp_path, rubric):
    ledger = Ledger(tmp_path / "ledger.sqlite")
    ledger.adjust(rubric, "u1", "PPA1B", "B", "tpi", "eva", "Sebagian unsur saja", previous="A")
    ledger.adjust(rubric, "u2", "PPA1B", "C", "tpi", "eva", "lain unit")
    write_catatan(ledger, rubric, "u1", "UNIT", "tpi", "eva", "Catatan, dengan \"kutip\" dan é", "Rekomendasi")
    return ledger.records()


def test_records_survive_the_round_trip_with_their_hashes(tmp_path, records):
    path = write_extract(tmp_path / "x" / "e.json", "u1", records, "layanan uji")
    extract = read_extract(path)
    assert extract.source == "layanan uji" and extract.unit_id == "u1"
    assert extract.records == [r for r in records if r.unit_id == "u1"]  # the other unit's record left out
    assert extract.last is not None and extract.last.kind == "catatan"
    assert [record_from_json(record_json(r)) for r in records] == records


@pytest.mark.parametrize("field, value", [("answer", "A"), ("evaluator", "orang lain"), ("data", {"catatan": "x"}),
                                          ("seq", 9), ("unit_id", "u2")])
def test_a_changed_record_is_refused(tmp_path, records, field, value):
    path = write_extract(tmp_path / "e.json", "u1", records, "uji")
    body = json.loads(path.read_text(encoding="utf-8"))
    body["records"][-1][field] = value
    path.write_text(json.dumps(body), encoding="utf-8")
    with pytest.raises(LedgerError, match="tidak cocok dengan hash-nya") as info:
        read_extract(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("content, message", [
    (None, "tidak ditemukan"), ("{bukan json", "berkas JSON"), (b"\xff\xfe", "berkas JSON"),
    (json.dumps({"format": "lain", "records": []}), "bukan ekstrak ledger zi-nb"),
    (json.dumps({"format": FORMAT, "unit_id": "u1", "records": [1]}), "rekaman ke-1 bukan objek JSON")])
def test_what_is_not_an_extract_is_named(tmp_path, content, message):
    path = tmp_path / "e.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(LedgerError, match=message) as info:
        read_extract(path)
    assert str(path) in str(info.value) and "Traceback" not in str(info.value)
