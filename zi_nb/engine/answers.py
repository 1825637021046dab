"""The answers frame: one row per (unit, tier, code), normalised against the rubric.

Every reader (long format, circulated workbook, template) only *extracts* raw rows with their location; this module
turns them into the canonical frame that scoring and validation use, so normalisation rules live in one place.

Raw frame columns (:data:`RAW_COLUMNS`)::

    unit_id   str       the unit
    tier      str       unit | tpi | tpi2 | tpi3 | tpn   (see TIERS; later tiers override earlier ones in "final")
    reviewer  str|None  human name of the tier column ("TPI Itjen"), when the input names one
    code      str       rubric item code (PPA1A) or Jumlah input code (PRE3A.wajib_total)
    raw       object    the cell/field value as read (str, int, float, bool or None)
    note      str|None  catatan / keterangan
    evidence  str|None  bukti dukung: list and links, one per line
    file, sheet, cell, line   where the value came from (cell A1-style for workbooks, 1-based line for CSV)

The answers frame adds ``answer`` (canonical option such as ``"A"`` or ``"Ya"``, else None) and ``number`` (float,
for Jumlah, survey indices and directly stated % values, else NaN).
"""

from __future__ import annotations

import math
import re
from typing import Any, cast

import numpy as np
import pandas as pd

from zi_nb.common import limits
from zi_nb.common.domain import TIER_RANKS, TIERS
from zi_nb.common.findings import Finding, Severity
from zi_nb.common.limits import MAX_COUNT
from zi_nb.engine.rubric import Rubric

RAW_COLUMNS = ["unit_id", "tier", "reviewer", "code", "raw", "note", "evidence", "file", "sheet", "cell", "line"]
ANSWER_COLUMNS = [*RAW_COLUMNS, "answer", "number"]
EXCEL_ERRORS = {"#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
                "#GETTING_DATA"}
BLANK_MARKERS = {"", "blm diisi", "belum diisi", "-", "n/a"}

_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_ID_NUMBER = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")  # 1.234,5 (Indonesian thousands)
_TRAILING = re.compile(r"[\s.):]+$")


def normalise_tier(value: Any) -> str | None:
    """``"TPI"`` -> ``"tpi"``; blank -> ``"unit"``; unknown -> None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "unit"
    text = str(value).strip().lower().replace(" ", "")
    if text == "":
        return "unit"
    return text if text in TIERS else None


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in BLANK_MARKERS


def parse_number(value: Any) -> float | None:
    """A number from a cell or CSV field, accepting Indonesian decimal commas (``3,6``) and ``1.234,5``.

    Returns None when the value is not a number. Booleans are not numbers.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        f = float(value)
        return None if math.isnan(f) else f
    if not isinstance(value, str):
        return None
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    if _ID_NUMBER.match(text):
        text = text.replace(".", "").replace(",", ".")
    elif _NUMBER.match(text):
        text = text.replace(",", ".")
    else:
        return None
    number = float(text)
    return number / 100 if percent else number


def normalise_value(rubric: Rubric, code: str, raw: Any) -> tuple[str | None, float, str | None, dict]:
    """Normalise one raw value for ``code``.

    Returns ``(answer, number, finding_kind, params)``: the canonical option or None, the number or NaN, and the
    kind of finding to report (None when the value is clean or blank).
    """
    return normalise_typed(rubric, rubric.answer_type_of(code), raw)


def normalise_typed(rubric: Rubric, answer_type: str, raw: Any) -> tuple[str | None, float, str | None, dict]:
    """:func:`normalise_value` for an answer type rather than a code."""
    if isinstance(raw, str) and raw.endswith(":bool") and raw[:-5] in ("True", "False"):
        raw = raw[:-5] == "True"
    nan = float("nan")
    kind = rubric.answer_types[answer_type].kind if answer_type != "Jumlah" else "count"
    if is_blank(raw):
        return None, nan, None, {}
    text = str(raw).strip() if not isinstance(raw, (int, float)) else None
    if text is not None and text.upper() in EXCEL_ERRORS:
        return None, nan, "excel_error", {"found": text.upper(), "expected": answer_type}
    if kind == "option":
        options = rubric.answer_types[answer_type].options
        if text is None or isinstance(raw, bool):
            return None, nan, "invalid_option", {"found": raw, "expected": answer_type}
        if text in options:
            return (text, nan, None, {}) if raw == text else (
                text, nan, "normalised", {"found": raw, "normalised": text})
        cleaned = _TRAILING.sub("", text).strip().lower()
        for option in options:
            if cleaned == option.lower():
                return option, nan, "normalised", {"found": raw, "normalised": option}
        return None, nan, "invalid_option", {"found": raw, "expected": answer_type}
    number = parse_number(raw)
    if number is None:
        expected = {"count": "bilangan 0 atau lebih", "index": "indeks 0..4", "ratio": "persentase 0..100%"}[kind]
        return None, nan, "not_a_number", {"found": raw, "expected": expected}
    if kind == "count":
        if number < 0:
            return None, number, "negative", {"found": raw}
        if number > MAX_COUNT:
            return None, nan, "implausible_value", {"found": raw, "what": "isian Jumlah", "expected": (
                f"bilangan bulat 0 sampai {limits.number(MAX_COUNT)} (jumlah orang, dokumen atau pengaduan satu unit)")}
        if not float(number).is_integer():
            return None, number, "not_integer", {"found": raw}
    if kind == "ratio":
        stated_percent = text is not None and text.endswith("%")
        share = number if stated_percent or number <= 1 else number / 100  # a bare 86 means 86 %
        if not 0 <= share <= 1:
            return None, nan, "implausible_value", {"found": raw, "what": "butir %",
                                                    "expected": "persentase 0 sampai 100% (mis. 86 atau 86%)"}
    if kind == "index":
        at = rubric.answer_types[answer_type]
        if not at.minimum <= number <= at.maximum:
            clamped = min(max(number, at.minimum), at.maximum)
            return None, clamped, "index_range", {"found": raw, "normalised": clamped}
    return None, number, None, {}


SEVERITY: dict[str, Severity] = {
    "normalised": "warning",
    "not_integer": "warning",
    "index_range": "error",
    "duplicate_same": "warning",
}


def empty_raw() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in RAW_COLUMNS})


def build_answers(raw: pd.DataFrame, rubric: Rubric) -> tuple[pd.DataFrame, list[Finding]]:
    """Normalise a raw frame into the answers frame; returns it with the findings about individual values.

    Unknown codes and tiers are reported and dropped. Duplicates of (unit, tier, code) keep the last value; a
    conflicting duplicate is an error, an identical one a warning. Work is done once per distinct (code, value)
    pair, so a million rows of repeated answers normalise in about a second.
    """
    findings: list[Finding] = []
    frame = raw.reindex(columns=RAW_COLUMNS).reset_index(drop=True)
    if frame.empty:
        return pd.DataFrame(columns=ANSWER_COLUMNS), findings
    tiers = {t: normalise_tier(t) for t in frame["tier"].drop_duplicates()}
    frame["tier"] = frame["tier"].map(lambda t: "unit" if pd.isna(t) else tiers.get(t))
    codes = rubric.all_codes
    upper = {c.upper(): c for c in codes}
    code_map = {c: (c if c in codes else upper.get(str(c or "").strip().upper())) for c in frame["code"].unique()}
    frame["code"] = frame["code"].map(code_map)
    bad = frame["tier"].isna() | frame["code"].isna()
    for idx in np.flatnonzero(bad.to_numpy()):
        rec = raw.iloc[idx]
        loc = _location(rec)
        tier = cast("str | None", frame.at[idx, "tier"])  # normalise_tier's result (None: unknown tier)
        if tier is None or pd.isna(tier):
            findings.append(Finding("unknown_tier", "error", **loc, params={"found": rec.get("tier")}))
        else:
            findings.append(Finding("unknown_code", "error", **{**loc, "code": None}, tier=tier,
                                    params={"found": rec.get("code"), "rubric": rubric.id}))
    frame = frame[~bad].reset_index(drop=True)
    type_of = {c: rubric.answer_type_of(c) for c in codes}
    pairs = pd.MultiIndex.from_arrays([frame["code"].map(type_of), frame["raw"].map(_hashable)])
    index, uniques = pd.factorize(pairs)
    results = [normalise_typed(rubric, answer_type, value) for answer_type, value in uniques]
    answer = np.array([r[0] for r in results], dtype=object)
    number = np.array([r[1] for r in results], dtype=float)
    kinds = np.array([r[2] for r in results], dtype=object)
    frame["answer"] = answer[index]
    frame["number"] = number[index]
    for idx in np.flatnonzero(pd.notna(kinds[index])):
        _, _, kind, params = results[index[idx]]
        row = frame.iloc[idx]
        findings.append(Finding(kind, SEVERITY.get(kind, "error"), **_location(row), tier=str(row["tier"]),
                                params=params))
        if kind not in ("normalised", "not_integer", "index_range"):
            frame.at[idx, "number"] = np.nan
    frame = _resolve_duplicates(frame, findings)
    return frame.reset_index(drop=True), findings


def _hashable(value: Any) -> Any:
    """Booleans become text so that TRUE is not confused with 1 when distinct values are grouped; blanks become ``""``
    (missing values would otherwise fall out of the grouping)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value!r}:bool" if isinstance(value, bool) else value


def _location(rec: Any) -> dict:
    """Location fields of a raw record for a Finding (missing values as None)."""

    def text(key: str) -> str | None:
        value = rec.get(key)
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)

    line = rec.get("line")
    return {"file": text("file"), "sheet": text("sheet"), "cell": text("cell"),
            "line": None if line is None or pd.isna(line) else int(line),
            "unit_id": text("unit_id"), "code": text("code")}


def _resolve_duplicates(frame: pd.DataFrame, findings: list[Finding]) -> pd.DataFrame:
    key = ["unit_id", "tier", "code"]
    dup = frame.duplicated(key, keep=False)
    if not dup.any():
        return frame
    for (_unit_id, tier, _code), group in frame[dup].groupby(key, sort=False):
        values = [a if a is not None else n for a, n in zip(group["answer"], group["number"])]
        distinct = {("nan" if isinstance(v, float) and math.isnan(v) else v) for v in values}
        last = group.iloc[-1]
        sheets = set(group["sheet"].dropna())  # cells of several sheets are named with their sheet
        where = ", ".join((f"lembar '{sh}' {c}" if len(sheets) > 1 else c) if isinstance(c, str) else (
            f"baris {int(ln)}" if not pd.isna(ln) else "?") for c, ln, sh in zip(group["cell"], group["line"],
                                                                                 group["sheet"]))
        kind = "duplicate_same" if len(distinct) == 1 else "duplicate_conflict"
        findings.append(Finding(
            kind, SEVERITY.get(kind, "error"), **_location(last), tier=str(tier),
            params={"tier": tier, "found": f"{[str(v) for v in group['raw']]} ({where})",
                    "normalised": last["raw"]}))
    return frame.drop_duplicates(key, keep="last")


def select_tier(answers: pd.DataFrame, tier: str) -> pd.DataFrame:
    """Answers of one tier, one row per (unit, code).

    ``unit``/``tpn``: that tier only. ``tpi``: the latest TPI column (tpi3 over tpi2 over tpi) per item.
    ``final``: the latest tier that answered each item (tpn over tpi over unit). Blank answers do not count as
    answering. Jumlah inputs of a % item are taken from the tier that supplied that item's latest input.
    """
    if tier in TIER_RANKS:
        ranks = TIER_RANKS[tier]
    elif tier in TIERS:
        ranks = (tier,)
    else:
        raise ValueError(tier)
    sub = answers[answers["tier"].isin(ranks)]
    answered = sub["answer"].notna() | sub["number"].notna()
    sub = sub[answered]
    order = sub["tier"].map({t: i for i, t in enumerate(TIERS)})
    sub = sub.assign(_rank=order).sort_values(["unit_id", "code", "_rank"], kind="stable")
    return sub.drop_duplicates(["unit_id", "code"], keep="last").drop(columns="_rank")
