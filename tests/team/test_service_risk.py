"""The triage risk through the ledger service (``api/risiko``, zi_nb.team.service_api.risk): every unit's figure for
the units the caller reviews and one unit's triage in words, from the same cached triage over the team ledger as
"Tugas saya"; refused to a unit's PIC, who gets no risk in "Tugas saya" either."""

from __future__ import annotations

import pytest

from tests.team.teams import team_yaml
from tests.team.test_service_api import client, raw_get, serving
from zi_nb.app.session import load_data
from zi_nb.engine.triage import triage, unit_summary
from zi_nb.engine.triage.summary import label_predicates
from zi_nb.errors import LedgerError
from zi_nb.review.evidence import attachment_frame, verdict_frame
from zi_nb.review.ledger import apply_ledger
from zi_nb.team import insight

K, P, Q = "kanim-sukawangi", "kppn-lembah-hijau", "kua-sukamaju"
TEAM = team_yaml(["sari", "dewi", "budi", "kora"], kuota=2,
                 units={"sari": K, "dewi": {"unit": P, "tpi": Q}, "budi": [K, Q, "unit-baru"]})
# TPI answers below the unit's own: the self-vs-reviewer gap of K grows, so its risk moves with the team ledger
CHANGES = [("PPA1B", "C", None), ("PPA2A", "Tidak", None), ("PPB1A", "D", None)]


@pytest.fixture(scope="module")
def data():
    return load_data()


@pytest.fixture
def service(tmp_path, data):
    with serving(tmp_path, TEAM, data=data) as found:
        yield found


def reviewed(url: str) -> None:
    """The PIC submits K, the TPI answers three items lower (records in the team ledger only)."""
    client(url, "sari").status(K, "diajukan", note="siap")
    client(url, "budi").adjust_many(K, "tpi", "dokumen kurang", CHANGES)


def test_the_figures_are_tugas_sayas_over_the_team_ledger(service, data):
    url, ledger = service
    reviewed(url)
    budi = client(url, "budi")
    answer = budi.risks()
    assert set(answer["units"]) == {K, Q} and answer["of"] == 12 and answer["ledger"] is True  # unit-baru: no input
    [task] = [t for t in budi.tasks() if t["unit_id"] == K]
    assert answer["units"][K] == task["risk"] and task["risk"]["of"] == 12
    records = ledger.records()
    applied = apply_ledger(data, records=records)
    expected = triage(applied.answers, applied.units, applied.rubric, None, None, verdict_frame(records),
                      attachment_frame(records)).table.set_index("unit_id")
    bare = triage(data.answers, data.units, data.rubric).table.set_index("unit_id")
    for unit in (K, Q):
        assert answer["units"][unit] == {"score": round(float(expected.at[unit, "risk"]), 4),
                                         "rank": int(expected.at[unit, "rank"]), "of": 12}
    assert round(float(bare.at[K, "risk"]), 1) != round(answer["units"][K]["score"], 1)  # the ledger counts
    assert set(client(url, "kora").risks()["units"]) == {K, P, Q}  # every unit of the team file with inputs


def test_one_units_summary_is_the_engines_over_the_team_ledger(service, data):
    url, ledger = service
    reviewed(url)
    found = client(url, "budi").risk_summary(K)
    records = ledger.records()
    applied = apply_ledger(data, records=records)
    result = triage(applied.answers, applied.units, applied.rubric, None, None, verdict_frame(records),
                    attachment_frame(records))
    label_predicates(applied, None, result, None, "id")
    expected = unit_summary(result, K)
    assert expected is not None and found is not None
    assert found == {**expected, "score": round(expected["score"], 4), "ledger": True}
    assert found["score"] == client(url, "budi").risks()["units"][K]["score"]
    assert any(s["key"] == "gap" and s["reasons"] for s in found["signals"]) and found["predicate_text"]


def test_a_pic_is_refused_and_gets_no_risk_in_tugas_saya(service):
    url, _ledger = service
    for path in ("api/risiko", f"api/risiko?unit={K}"):
        code, body, _ = raw_get(url, path, "tok-sari")
        assert code == 403 and "bukan untuk PIC unit" in body["error"], body
    [task] = client(url, "sari").tasks()
    assert task["unit_id"] == K and task["progress"] is not None and task["risk"] is None
    assert client(url, "budi").risks()["units"][K] is not None  # the same unit, for its TPI
    with pytest.raises(LedgerError, match="alat bantu penilai"):
        client(url, "sari").risks()


def test_each_unit_for_its_reviewers_only(service):
    url, _ledger = service
    dewi = client(url, "dewi")  # PIC of P, TPI of Q
    assert set(dewi.risks()["units"]) == {Q}
    assert dewi.risk_summary(Q) is not None
    code, body, _ = raw_get(url, f"api/risiko?unit={P}", "tok-dewi")
    assert code == 403 and f"bukan penilai unit {P}" in body["error"]
    code, body, _ = raw_get(url, f"api/risiko?unit={P}", "tok-budi")  # not his unit
    assert code == 403
    code, body, _ = raw_get(url, "api/risiko?unit=tidak-ada", "tok-kora")
    assert code == 400 and "tidak terdaftar" in body["error"]
    assert client(url, "budi").risk_summary("unit-baru") is None  # in the team file, not in the inputs


def test_without_inputs_the_risk_is_said_to_be_unavailable(tmp_path):
    with serving(tmp_path, TEAM) as (url, _ledger):
        code, body, _ = raw_get(url, "api/risiko", "tok-budi")
        assert code == 400 and "tanpa masukan LKE" in body["error"]


def test_tasks_and_risk_share_one_triage_per_state_of_the_ledger(service, monkeypatch):
    url, ledger = service
    reviewed(url)
    calls = []
    real = insight.compute
    monkeypatch.setattr(insight, "compute", lambda d, r: calls.append(len(r)) or real(d, r))
    budi = client(url, "budi")
    budi.tasks()
    budi.risks()
    budi.risk_summary(K)
    budi.risk_summary(K)
    first = len(ledger.records())
    assert calls == [first]  # a write computes nothing; the first read computes once for all three endpoints
    budi.adjust_many(K, "tpi", "lagi", [("PPC1A", "Tidak", None)])
    budi.risks()
    budi.risk_summary(K)
    budi.tasks()
    assert calls == [first, first + 1]
