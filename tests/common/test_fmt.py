"""Display text of results (zi_nb.common.fmt): the data status, the predikat shown with it, the tiers."""

from __future__ import annotations

from zi_nb.common.domain import DATA_STATUSES, STATUS_FINAL, STATUS_INCOMPLETE, STATUS_PROVISIONAL, TIERS
from zi_nb.common.fmt import STATUS_LABEL, predicate_with_status, status_detail, tier_label


def test_every_status_and_tier_has_both_languages():
    assert set(STATUS_LABEL["id"]) == set(STATUS_LABEL["en"]) == set(DATA_STATUSES)
    for tier in TIERS:
        assert tier_label(tier) != tier.upper() or tier in ("tpi", "tpn")
    assert tier_label("unit") == "penilaian mandiri unit (PMPZI)"
    assert tier_label("unit", "en") == "unit self-assessment (PMPZI)"


def test_predikat_is_final_only_with_a_final_status():
    assert predicate_with_status("WBBM", STATUS_FINAL) == "Menuju WBBM"
    assert predicate_with_status("WBBM", STATUS_INCOMPLETE) == "Menuju WBBM (sementara)"
    assert predicate_with_status("WBBM", STATUS_PROVISIONAL) == "belum dapat ditetapkan"
    assert predicate_with_status("WBK", STATUS_INCOMPLETE, "en") == "Towards WBK (provisional)"
    assert predicate_with_status("WBK", STATUS_PROVISIONAL, "en") == "cannot be determined yet"


def test_status_detail_names_the_counts():
    assert status_detail(STATUS_FINAL, 0, 113, 113) == "final"
    assert status_detail(STATUS_INCOMPLETE, 0, 2, 113) == "belum lengkap: 2 dari 113 butir dijawab"
    assert status_detail(STATUS_PROVISIONAL, 3, 113, 113) == "sementara: 3 galat data"
    assert status_detail(STATUS_PROVISIONAL, 1, 100, 113, "en") == (
        "provisional: 1 data error, 100 of 113 items answered")
