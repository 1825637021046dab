"""Formatting of numbers and labels for people: Indonesian number format (95,71; 1.234,5)."""

from __future__ import annotations

import math

from zi_nb.common.domain import STATUS_FINAL, STATUS_INCOMPLETE, STATUS_PROVISIONAL


def num(value: float | None, decimals: int = 2, lang: str = "id") -> str:
    """``95.7095`` -> ``"95,71"`` (``"95.71"`` with ``lang="en"``); None/NaN -> ``"-"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    text = f"{value:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def pct(value: float | None, decimals: int = 1, lang: str = "id") -> str:
    """``0.8525`` -> ``"85,3%"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return num(value * 100, decimals, lang) + "%"


PREDICATE_LABEL = {
    "id": {"WBBM": "Menuju WBBM", "WBK": "Menuju WBK", "TIDAK": "Belum memenuhi"},
    "en": {"WBBM": "Towards WBBM", "WBK": "Towards WBK", "TIDAK": "Not yet"},
}


def predicate_label(code: str, lang: str = "id") -> str:
    return PREDICATE_LABEL.get(lang, PREDICATE_LABEL["id"]).get(code, code)


# the data status of a result (codes in zi_nb.common.domain) as people read it
STATUS_LABEL = {
    "id": {STATUS_FINAL: "final", STATUS_INCOMPLETE: "belum lengkap", STATUS_PROVISIONAL: "sementara"},
    "en": {STATUS_FINAL: "final", STATUS_INCOMPLETE: "incomplete", STATUS_PROVISIONAL: "provisional"},
}
# the predikat of a result whose data status is not final
UNDETERMINED = {"id": "belum dapat ditetapkan", "en": "cannot be determined yet"}
PROVISIONAL_MARK = {"id": "sementara", "en": "provisional"}

# a tier as people read it; the unit's own answers are its self-assessment, never a verdict of the evaluators
TIER_LABEL = {
    "id": {"unit": "penilaian mandiri unit (PMPZI)", "tpi": "TPI", "tpi2": "TPI 2", "tpi3": "TPI 3", "tpn": "TPN",
           "final": "final (tingkat terakhir yang menjawab)"},
    "en": {"unit": "unit self-assessment (PMPZI)", "tpi": "TPI", "tpi2": "TPI 2", "tpi3": "TPI 3", "tpn": "TPN",
           "final": "final (latest tier that answered)"},
}


def status_label(status: str, lang: str = "id") -> str:
    """``"belum lengkap"`` -> ``"incomplete"`` with ``lang="en"``."""
    return STATUS_LABEL.get(lang, STATUS_LABEL["id"]).get(status, status)


def tier_label(tier: str, lang: str = "id") -> str:
    """``"unit"`` -> ``"penilaian mandiri unit (PMPZI)"``; other tiers by their team's name."""
    return TIER_LABEL.get(lang, TIER_LABEL["id"]).get(tier, tier)


def predicate_with_status(code: str, status: str, lang: str = "id") -> str:
    """The predikat as it may be shown for a result of this data status: ``"Menuju WBBM"`` when final,
    ``"Menuju WBBM (sementara)"`` when items are unanswered, ``"belum dapat ditetapkan"`` when the data has errors."""
    key = "en" if lang == "en" else "id"
    if status == STATUS_PROVISIONAL:
        return UNDETERMINED[key]
    label = predicate_label(code, lang)
    return label if status == STATUS_FINAL else f"{label} ({PROVISIONAL_MARK[key]})"


def status_detail(status: str, errors: int, answered: int, scorable: int, lang: str = "id") -> str:
    """The status with the counts behind it: ``"final"``, ``"belum lengkap: 2 dari 113 butir dijawab"``,
    ``"sementara: 3 galat data"`` (with the unanswered count too when some items are unanswered)."""
    label = status_label(status, lang)
    if status == STATUS_FINAL:
        return label
    if lang == "en":
        answered_text = f"{answered} of {scorable} items answered"
        errors_text = f"{errors} data error{'s' if errors != 1 else ''}"
    else:
        answered_text = f"{answered} dari {scorable} butir dijawab"
        errors_text = f"{errors} galat data"
    if status == STATUS_INCOMPLETE:
        return f"{label}: {answered_text}"
    return f"{label}: {errors_text}" + (f", {answered_text}" if answered < scorable else "")
