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
           "final": "akhir (tingkat terakhir yang menjawab)"},
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


MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


def date_text(value: object, lang: str = "id") -> str | None:
    """A date as people write it: ``2026-06-11`` (a date, datetime or ISO text) -> ``"11 Juni 2026"`` (``"11 June
    2026"`` with ``lang="en"``); None for no date or text that is not one."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    if not isinstance(value, dt.date):
        return None
    return f"{value.day} {MONTHS['en' if lang == 'en' else 'id'][value.month - 1]} {value.year}"


# Indonesia's time zones (no daylight saving): hours ahead of UTC
TIME_ZONES = {"WIB": 7, "WITA": 8, "WIT": 9}


def local_time(timestamp: str, zone: str = "WIB", lang: str = "id") -> str:
    """A UTC ISO timestamp as people in ``zone`` read it: ``"2026-06-11T03:05:00+00:00"`` -> ``"11 Juni 2026
    10.05 WIB"`` (``"11 June 2026 10:05 WIB"`` in English); the text unchanged when it is not a timestamp."""
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(timestamp.strip())
    except (AttributeError, ValueError):
        return str(timestamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(dt.timezone(dt.timedelta(hours=TIME_ZONES.get(zone, 7))))
    clock = f"{local.hour:02d}{':' if lang == 'en' else '.'}{local.minute:02d}"
    return f"{date_text(local.date(), lang)} {clock} {zone if zone in TIME_ZONES else 'WIB'}"
