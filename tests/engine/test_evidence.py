"""Evidence findings (zi_nb.engine.evidence): pure rules over answers, item values, verdicts and attachments."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import answers_of, best_raw
from zi_nb.engine.evidence import evidence_counts, evidence_findings, link_problem, links_of
from zi_nb.engine.scoring import score_answers
from zi_nb.review.evidence import ATTACHMENT_COLUMNS, VERDICT_COLUMNS


def _rows(rubric, unit="u1", evidence=lambda unit, code: f"SK\nhttps://drive.example.go.id/{unit}/{code}.pdf"):
    return [{**r, "evidence": evidence(unit, r["code"])} for r in best_raw(rubric, unit)]


def _findings(rubric, rows, verdicts=(), attachments=()):
    answers = answers_of(rubric, rows)
    units = list(dict.fromkeys(r["unit_id"] for r in rows))
    values = score_answers(answers, rubric, "final", unit_ids=units).items
    return evidence_findings(rubric, answers, values, pd.DataFrame(list(verdicts), columns=VERDICT_COLUMNS),
                             pd.DataFrame(list(attachments), columns=ATTACHMENT_COLUMNS))


def test_complete_distinct_evidence_gives_no_finding(rubric):
    assert _findings(rubric, _rows(rubric)) == []


def test_an_item_answered_high_without_any_evidence(rubric):
    rows = [{**r, "evidence": None} if r["code"] in ("PPA1A", "PPA1B") else r for r in _rows(rubric)]
    rows = [{**r, "raw": "Tidak"} if r["code"] == "PPA1B" else r for r in rows]  # the lowest answer claims nothing
    (f,) = _findings(rubric, rows)
    assert (f.kind, f.code, f.unit_id, f.severity) == ("evidence_none", "PPA1A", "u1", "warning")
    assert "SK Tim Kerja Pembangunan ZI" in f.message()  # the rubric's required documents are named
    # an attached file is evidence
    assert _findings(rubric, rows, attachments=[("u1", "tpi", "PPA1A", "a" * 64, "sk.pdf")]) == []


def test_documents_marked_missing_or_wrong_on_a_high_answer(rubric):
    rows = _rows(rubric)
    verdicts = [("u1", "tpi", "PPA1A", 1, "tidak ada"), ("u1", "tpi", "PPA1A", 3, "tidak sesuai"),
                ("u1", "tpi", "PPA1A", 2, "ada"), ("u1", "tpi", "PPA1B", 1, "ada")]
    (f,) = _findings(rubric, rows, verdicts)
    assert (f.kind, f.code, f.tier) == ("evidence_rejected", "PPA1A", "tpi")
    docs = rubric.documents_of("PPA1A")
    assert f"{docs[0]} (tidak ada)" in f.message() and f"{docs[2]} (tidak sesuai)" in f.message()
    assert docs[1] not in f.message()
    low = [{**r, "raw": "Tidak"} if r["code"] == "PPA1A" else r for r in rows]
    assert _findings(rubric, low, verdicts) == []  # the answer claims nothing: the missing document is consistent


@pytest.mark.parametrize(("link", "reason"), [
    ("C:\\Users\\pic\\Documents\\sk.pdf", "local_path"),
    ("\\\\server\\zi\\sk.pdf", "local_path"),
    ("file:///home/pic/sk.pdf", "file_url"),
    ("http://localhost/sk.pdf", "localhost"),
    ("http://127.0.0.1:8080/sk.pdf", "private"),
    ("https://192.168.1.10/zi/sk.pdf", "private"),
    ("http://", "no_host"),
])
def test_links_the_evaluator_cannot_open(rubric, link, reason):
    assert link_problem(link) == reason
    rows = _rows(rubric)
    rows = [{**r, "evidence": f"SK tim\n{link}"} if r["code"] == "PPA1A" else r for r in rows]
    found = _findings(rubric, rows)
    assert [(f.kind, f.code) for f in found] == [("evidence_unreachable", "PPA1A")]
    assert found[0].message("en") != found[0].message("id") and "cannot be opened" in found[0].message("en")


def test_the_same_link_for_unrelated_items_and_across_units(rubric):
    shared = "https://drive.google.com/drive/folders/ZI-2024"

    def one_folder(unit, code):
        return shared if code in ("PPA1A", "PPA1B", "PRF2A") else f"https://x.go.id/{unit}/{code}"

    found = _findings(rubric, _rows(rubric, evidence=one_folder))
    assert {f.code for f in found} == {"PPA1A", "PPA1B", "PRF2A"}  # PPA1A and PPA1B share an indicator, PRF2A not
    assert all(f.kind == "evidence_reused" for f in found)
    prf = next(f for f in found if f.code == "PRF2A")
    assert "PPA1A" in prf.message() and "PPA1B" in prf.message()
    # the same indicator only: no finding
    same = _findings(rubric, _rows(rubric, evidence=lambda u, c: shared if c in ("PPA1A", "PPA1B")
                                   else f"https://x.go.id/{u}/{c}"))
    assert same == []
    # across units (a trailing slash or the host's case does not hide it)
    rows = _rows(rubric, "u1", lambda u, c: shared if c == "PPA1A" else f"https://x.go.id/{u}/{c}")
    rows += _rows(rubric, "u2", lambda u, c: shared.upper().replace("ZI-2024", "ZI-2024/").replace(
        "HTTPS://DRIVE.GOOGLE.COM/DRIVE/FOLDERS", "https://Drive.Google.com/drive/folders") if c == "PPA1A"
        else f"https://x.go.id/{u}/{c}")
    found = _findings(rubric, rows)
    assert {(f.unit_id, f.code) for f in found} == {("u1", "PPA1A"), ("u2", "PPA1A")}
    assert "unit lain: u2" in next(f for f in found if f.unit_id == "u1").message()
    assert evidence_counts(found) == {"u1": 1, "u2": 1}


def test_the_same_file_attached_to_unrelated_items(rubric):
    sha = "b" * 64
    found = _findings(rubric, _rows(rubric), attachments=[("u1", "tpi", "PPA1A", sha, "sk.pdf"),
                                                         ("u1", "tpi", "PRF2A", sha, "sk.pdf")])
    assert {(f.kind, f.code) for f in found} == {("evidence_reused", "PPA1A"), ("evidence_reused", "PRF2A")}
    assert "sk.pdf" in found[0].message()


def test_links_of_finds_urls_and_local_paths_in_order():
    text = "SK tim: https://a.go.id/sk.pdf, lihat juga C:\\Data\\sk.pdf dan file:///x.pdf."
    assert links_of(text) == ["https://a.go.id/sk.pdf", "C:\\Data\\sk.pdf", "file:///x.pdf"]
    assert links_of(None) == [] and links_of("Notulen rapat 12 Mei") == []


@given(st.ip_addresses(v=4))
def test_an_address_is_refused_exactly_when_it_is_not_reachable_from_outside(address):
    link = f"https://{address}/bukti.pdf"
    local = address.is_loopback or address.is_private or address.is_link_local or address.is_unspecified
    assert (link_problem(link) == "private") == local
    assert link_problem(link) in (None, "private")


@given(st.from_regex(r"[a-z][a-z0-9-]{0,20}\.(go\.id|com|org|net)", fullmatch=True))
def test_a_public_host_name_is_reachable(host):
    assert link_problem(f"https://{host}/zi/sk.pdf") is None


def test_units_without_answer_rows_give_no_finding(rubric):
    answers = answers_of(rubric, best_raw(rubric))
    values = score_answers(answers, rubric, "final", unit_ids=["u1"]).items
    alone = evidence_findings(rubric, answers.iloc[0:0], values)  # values without their answer rows: no evidence
    assert alone and {f.kind for f in alone} == {"evidence_none"} and all(f.file is None for f in alone)
    assert evidence_findings(rubric, answers, values.iloc[0:0]) == []
