"""Formatting of numbers and labels for people: Indonesian number format (95,71; 1.234,5)."""

from __future__ import annotations

import math


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
