"""One unit's triage in words (pure): what the evaluator app's "Risiko" view shows, and what the ledger service
answers to ``api/risiko?unit=U`` (:func:`unit_summary`), from a :class:`zi_nb.engine.triage.ranking.Triage`.

Also the pieces the triage page (:mod:`zi_nb.report.triage_page`) shares with it: the signals' names
(:func:`signal_name`), each unit's reasons ordered by their weight in its risk (:func:`ordered_reasons`) and the
predikat as it may be shown (:func:`label_predicates`: with the data status of the final view, and "klaim unit
(PMPZI), belum direviu" when no TPI/TPN answered, never a bare code).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from zi_nb.engine.triage.ranking import SIGNAL_NAMES, SIGNALS

__all__ = ["CLAIM", "label_predicates", "ordered_reasons", "signal_name", "unit_summary"]

CLAIM = {"id": "klaim unit (PMPZI), belum direviu", "en": "the unit's own claim (PMPZI), not reviewed"}


def signal_name(signal: str, lang: str = "id") -> str:
    """The name of a triage signal in words ("Selisih dengan TPI/TPN")."""
    pair = SIGNAL_NAMES.get(signal)
    return signal if pair is None else pair[1 if lang == "en" else 0]


def _reason_key(strengths: Any, weights: dict[str, float]) -> Any:
    """The order of a unit's reasons: the signal weighing most in its risk first, ties in the signals' order (a
    stable sort keeps the engine's order within a signal)."""
    return lambda pair: (-float(strengths[f"s_{pair[0]}"]) * weights[pair[0]], SIGNALS.index(pair[0]))


def ordered_reasons(result: Any, lang: str = "id") -> dict[str, list[tuple[str, str]]]:
    """unit id -> its reasons ``(signal, text)``, the signal weighing most in its risk first (ties: signal order,
    then as the engine gave them); every ranked unit, an empty list when it has none."""
    text = "text_en" if lang == "en" else "text"
    weights = result.config.weights
    table = result.table.set_index("unit_id")
    out: dict[str, list[tuple[str, str]]] = {u: [] for u in table.index}
    for unit, rows in result.reasons.groupby("unit_id", sort=False):
        if unit not in out:
            continue
        pairs = list(zip(rows["signal"], rows[text]))
        out[str(unit)] = sorted(pairs, key=_reason_key(table.loc[unit], weights))
    return out


def label_predicates(data: Any, policies: dict[str, str] | None, result: Any, nomination: pd.DataFrame | None,
                     lang: str) -> None:
    """Add ``predicate_text`` to the ranking (and the nomination): the predikat as it may be shown, with the data
    status of the final view on the same line, and "klaim unit" when no TPI/TPN answered (never a bare code)."""
    from zi_nb.common.domain import STATUS_PROVISIONAL
    from zi_nb.common.fmt import predicate_with_status
    from zi_nb.engine.results import compute
    from zi_nb.engine.validate import validate

    final = compute(data, "final", policies, validate(data, policies))
    status = {u: s.status for u, s in final.statuses.items()}
    reviewed = dict(zip(result.table["unit_id"], result.table["total_reviewed"].notna()))
    key = "en" if lang == "en" else "id"

    def text(unit: str, code: Any) -> str:
        shown = predicate_with_status(str(code), status.get(unit, STATUS_PROVISIONAL), lang)
        return shown if reviewed.get(unit, False) else f"{shown} · {CLAIM[key]}"

    result.table["predicate_text"] = [text(u, c) for u, c in zip(result.table["unit_id"], result.table["predicate"])]
    if nomination is not None:
        nomination["predicate_text"] = [text(u, c) for u, c in zip(nomination["unit_id"], nomination["predicate"])]


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def unit_summary(result: Any, unit_id: str, lang: str = "id") -> dict[str, Any] | None:
    """The unit's triage as plain values (JSON as it is), None when the unit is not ranked (not in the input, or an
    earlier period of a unit):

    ``unit_id``, ``unit_name``, ``score`` (the risk), ``maximum`` (the sum of the weights: 100 as shipped), ``rank``
    (1 = check first), ``count`` (units ranked), ``predicate`` (the code, on the self-assessment),
    ``predicate_text`` (the predikat as it may be shown, when :func:`label_predicates` labelled ``result``; else
    None), ``total_unit``, ``total_reviewed`` (None when not reviewed), ``signals`` (every signal, the one weighing
    most first, ties in the signals' order: ``key``, ``name``, ``strength`` 0..1, ``points`` = strength x
    ``weight``, ``reasons`` in words, ordered as :func:`ordered_reasons`), ``reasons`` (every reason, as the engine
    gave them), ``items_to_check`` (item codes), ``max_items``, ``weights_file`` (the name of the weights file)."""
    table = result.table
    rows = table[table["unit_id"].eq(unit_id)].to_dict("records")
    if not rows:
        return None
    row = rows[0]
    weights = {str(k): float(v) for k, v in result.config.weights.items()}
    column = "text_en" if lang == "en" else "text"
    mine = result.reasons[result.reasons["unit_id"].eq(unit_id)]
    given = [(str(s), str(t)) for s, t in zip(mine["signal"], mine[column])]
    texts: dict[str, list[str]] = {}
    for signal, text in sorted(given, key=_reason_key(row, weights)):
        texts.setdefault(signal, []).append(text)
    signals: list[dict[str, Any]] = [
        {"key": s, "name": signal_name(s, lang), "strength": float(row[f"s_{s}"]),
         "points": float(row[f"s_{s}"]) * weights[s], "weight": weights[s], "reasons": texts.get(s, [])}
        for s in SIGNALS]
    signals.sort(key=lambda g: -float(g["points"]))  # stable: ties keep the signals' order
    labelled = row.get("predicate_text")
    return {"unit_id": str(row["unit_id"]), "unit_name": _text(row.get("unit_name")),
            "score": float(row["risk"]), "maximum": sum(weights.values()), "rank": int(row["rank"]),
            "count": len(table), "predicate": str(row["predicate"]),
            "predicate_text": None if labelled is None or pd.isna(labelled) else str(labelled),
            "total_unit": _number(row["total_unit"]), "total_reviewed": _number(row["total_reviewed"]),
            "signals": signals, "reasons": [t for _, t in given],
            "items_to_check": [str(c) for c in row["items_to_check"]], "max_items": int(result.config.max_items),
            "weights_file": Path(result.config.source).name}
