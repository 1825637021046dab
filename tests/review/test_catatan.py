"""Catatan and rekomendasi per area as ledger records (zi_nb.review.catatan)."""

from __future__ import annotations

import pytest

from zi_nb.common.domain import UNIT_SCOPE
from zi_nb.common.limits import MAX_CATATAN_CHARS
from zi_nb.errors import LedgerError
from zi_nb.review.catatan import notes_in_force, scopes, write_catatan
from zi_nb.review.decisions import unit_story
from zi_nb.review.ledger import Ledger


def test_a_catatan_is_a_chained_record_with_who_when_and_tier(tmp_path, rubric):
    book = Ledger(tmp_path / "l.sqlite")
    rec = write_catatan(book, rubric, "u1", "A", "tpi", "budi", " Tim sudah dibentuk. ", "- Tetapkan agen")
    assert (rec.kind, rec.code, rec.tier, rec.evaluator) == ("catatan", "A", "tpi", "budi")
    assert rec.details == {"catatan": "Tim sudah dibentuk.", "rekomendasi": "- Tetapkan agen"}
    assert rec.timestamp and book.verify() == []
    (note,) = notes_in_force(book.records("u1"), "u1", "tpi").values()
    assert (note.scope, note.catatan, note.evaluator, note.seq) == ("A", "Tim sudah dibentuk.", "budi", rec.seq)
    assert "catatan ditulis" in [e.label for e in unit_story(book, "u1")]


def test_the_latest_text_wins_and_a_withdrawal_brings_back_the_draft(tmp_path, rubric):
    book = Ledger(tmp_path / "l.sqlite")
    write_catatan(book, rubric, "u1", "B", "tpi", "budi", "lama", "")
    write_catatan(book, rubric, "u1", "B", "tpi", "sari", "baru", "r")
    assert notes_in_force(book.records(), "u1", "tpi")["B"].catatan == "baru"
    write_catatan(book, rubric, "u1", "B", "tpi", "sari", "", "")
    assert "B" not in notes_in_force(book.records(), "u1", "tpi")
    assert "catatan ditarik" in [e.label for e in unit_story(book, "u1")]


def test_views_tpn_over_tpi_in_final_and_each_stage_alone(tmp_path, rubric):
    book = Ledger(tmp_path / "l.sqlite")
    write_catatan(book, rubric, "u1", "C", "tpi", "budi", "tpi", "")
    write_catatan(book, rubric, "u1", "C", "tpn", "ani", "tpn", "")
    write_catatan(book, rubric, "u2", "C", "tpi", "budi", "lain", "")
    records = book.records()
    assert notes_in_force(records, "u1", "tpi")["C"].catatan == "tpi"
    assert notes_in_force(records, "u1", "tpn")["C"].catatan == "tpn"
    assert notes_in_force(records, "u1", "final")["C"].catatan == "tpn"
    assert notes_in_force(records, "u1", "unit") == {}  # the unit's own view carries no evaluator's text
    write_catatan(book, rubric, "u1", "C", "tpn", "ani", "", "")  # TPN withdraws: TPI's text is in force again
    assert notes_in_force(book.records(), "u1", "final")["C"].catatan == "tpi"


def test_scopes_are_the_rubric_areas_and_the_whole_unit(tmp_path, rubric):
    assert scopes(rubric) == [a.code for a in rubric.areas] + [UNIT_SCOPE]
    book = Ledger(tmp_path / "l.sqlite")
    write_catatan(book, rubric, "u1", UNIT_SCOPE, "tpi", "budi", "umum", "")
    with pytest.raises(LedgerError, match="Area 'Z' tidak ada"):
        write_catatan(book, rubric, "u1", "Z", "tpi", "budi", "x", "")
    with pytest.raises(LedgerError, match="terlalu panjang"):
        write_catatan(book, rubric, "u1", "A", "tpi", "budi", "x" * (MAX_CATATAN_CHARS + 1), "")
    with pytest.raises(LedgerError, match="Tingkat 'unit' tidak sah"):
        write_catatan(book, rubric, "u1", "A", "unit", "budi", "x", "")
    with pytest.raises(LedgerError, match="evaluator"):
        write_catatan(book, rubric, "u1", "A", "tpi", " ", "x", "")
    assert [r.code for r in book.records()] == [UNIT_SCOPE]  # nothing refused was written
