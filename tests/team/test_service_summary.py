"""The unit list's figures through the ledger service (``api/ringkasan``, zi_nb.team.service_api.summary): the
engine's results over the units' inputs with the team ledger applied, for the units the caller has a role on, at the
tier of the caller's role (or ``?tier=``), computed once per state of the ledger; bad requests refused in words."""

from __future__ import annotations

import math

import pytest

from tests.team.teams import team_yaml
from tests.team.test_service_api import client, raw_get, serving
from zi_nb.app.session import load_data
from zi_nb.engine.evidence import evidence_counts
from zi_nb.engine.results import compute
from zi_nb.engine.validate import validate
from zi_nb.review.evidence import evidence_check
from zi_nb.review.ledger import apply_ledger
from zi_nb.team import insight

K, P, Q = "kanim-sukawangi", "kppn-lembah-hijau", "kua-sukamaju"
TEAM = team_yaml(["sari", "budi", "tono", "kora"], unit=K, units={"budi": [K, Q]}, kuota=2)
CHANGES = [("PPA1B", "C", None), ("PPA2A", "Tidak", None), ("PPB1A", "D", None)]  # TPI answers below K's own


@pytest.fixture(scope="module")
def data():
    return load_data()


@pytest.fixture
def service(tmp_path, data):
    with serving(tmp_path, TEAM, data=data) as found:
        yield found


def reviewed(url: str) -> None:
    client(url, "sari").status(K, "diajukan", note="siap")
    client(url, "budi").adjust_many(K, "tpi", "dokumen kurang", CHANGES)


def expected(data, records, tier: str) -> dict:
    """What the app's unit list computes over ``records`` (zi_nb.app.workbench before the service gave it)."""
    applied = apply_ledger(data, records=records)
    findings = validate(applied)
    unit_res, tier_res = compute(applied, "unit", findings=findings), compute(applied, tier, findings=findings)
    lacking = evidence_counts(evidence_check(applied, records, tier))
    return {"unit": unit_res.scores.total, "tier": tier_res.scores.total, "predicate": tier_res.evaluation.predicate,
            "statuses": tier_res.statuses, "lacking": lacking}


def test_the_figures_are_the_engines_over_the_team_ledger(service, data):
    url, ledger = service
    bare = client(url, "budi").summary_rows()
    reviewed(url)
    found = client(url, "budi").summary_rows()
    assert found["tier"] == "tpi" and found["ledger"] is True
    want = expected(data, ledger.records(), "tpi")
    k = found["units"][K]
    assert k["tier_total"] == pytest.approx(float(want["tier"][K]))
    assert k["unit_total"] == pytest.approx(float(want["unit"][K]))
    assert k["predicate"] == want["predicate"][K] and k["lacking"] == want["lacking"].get(K, 0)
    assert k["data_status"] == {**want["statuses"][K].to_dict(), "final": want["statuses"][K].final}
    assert k["changes"] == len(CHANGES) and k["status"] == "diajukan"
    assert k["tier_total"] < bare["units"][K]["tier_total"]  # the TPI's lower answers, from the team ledger only
    assert bare["units"][K]["changes"] == 0 and bare["units"][K]["status"] == "draf"
    assert found["units"][Q]["changes"] == 0 and found["units"][Q]["status"] == "draf"
    assert not any(isinstance(v, float) and math.isnan(v) for row in found["units"].values() for v in row.values())


def test_each_caller_gets_the_units_of_their_roles_at_their_tier(service, data):
    url, _ = service
    reviewed(url)
    budi = client(url, "budi").summary_rows()
    assert set(budi["units"]) == {K, Q}  # his two units of twelve
    sari = client(url, "sari").summary_rows()
    assert sari["tier"] == "unit" and set(sari["units"]) == {K}
    assert sari["units"][K]["tier_total"] == pytest.approx(sari["units"][K]["unit_total"])
    assert sari["units"][K]["changes"] == 0  # the unit tier's records: none (the TPI's are at the tpi tier)
    kora = client(url, "kora").summary_rows()
    assert kora["tier"] == "tpi" and list(kora["units"]) == [str(u) for u in data.unit_ids]  # every unit
    assert kora["units"][K] == budi["units"][K]  # one cached computation, the same figures for everyone
    tono = client(url, "tono").summary_rows()
    assert tono["tier"] == "tpn" and len(tono["units"]) == len(data.unit_ids)
    asked = client(url, "kora").summary_rows("unit")
    assert asked["tier"] == "unit" and asked["units"][K]["tier_total"] == pytest.approx(kora["units"][K]["unit_total"])


def test_bad_requests_are_refused_in_words(service, tmp_path):
    url, _ = service
    code, body, _ = raw_get(url, "api/ringkasan?tier=final", "tok-budi")
    assert code == 400 and "Tingkat 'final' tidak sah untuk ringkasan unit" in body["error"]
    assert "unit, tpi, tpn" in body["error"]
    code, body, _ = raw_get(url, "api/ringkasan", "tok-siti")  # a hub user missing from the team file
    assert code == 403 and "tidak terdaftar dalam berkas tim" in body["error"]
    code, body, _ = raw_get(url, "api/ringkasan", None)
    assert code == 401 and body["error"]
    (tmp_path / "kosong").mkdir()
    with serving(tmp_path / "kosong", TEAM) as (bare_url, _ledger):
        code, body, _ = raw_get(bare_url, "api/ringkasan", "tok-budi")
        assert code == 400 and "tanpa masukan LKE" in body["error"]


def test_computed_once_per_state_of_the_ledger(service, monkeypatch):
    url, ledger = service
    reviewed(url)
    calls = []
    real = insight.unit_figures
    monkeypatch.setattr(insight, "unit_figures", lambda a, r, t: calls.append((len(r), t)) or real(a, r, t))
    budi, kora = client(url, "budi"), client(url, "kora")
    budi.summary_rows()
    kora.summary_rows()
    budi.summary_rows()
    first = len(ledger.records())
    assert calls == [(first, "tpi")]  # the second caller and the second read: the cached figures
    kora.summary_rows("unit")
    assert calls == [(first, "tpi"), (first, "unit")]
    budi.adjust_many(K, "tpi", "lagi", [("PPC1A", "Tidak", None)])
    after = budi.summary_rows()
    assert calls[-1] == (first + 1, "tpi") and after["units"][K]["changes"] == len(CHANGES) + 1
