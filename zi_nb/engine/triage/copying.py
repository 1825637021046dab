"""The copying signal: notes, evidence and answer patterns a unit shares with another unit of its instansi (pure).

For every unit the unit tier's notes (catatan), evidence texts (bukti dukung) and option answers are laid out as
integer matrices (units x items, -1 where empty; texts compared after folding case and spaces) and compared with
every other unit of the same instansi, item by item, in a few vectorised passes (chunks of rows, so memory stays
bounded). A unit is never compared with its own other periods (a unit reusing last year's notes is not copying).

* notes and evidence: the share of the unit's non-empty entries identical to the same item's entry of one other unit
  (the closest one), counted over at least ``copying_min_items`` entries so that two lone notes do not make a copy;
  strength ``(share - copying_share) / (1 - copying_share)`` clipped to 0..1;
* answers: the share of items answered alike by the two units (over the items both answered); strength
  ``(share - answer_similarity) / (1 - answer_similarity)``, times ``answer_similarity_weight``, since well-built
  units legitimately answer alike.

The signal is the largest of the three.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zi_nb.engine.triage.signals import Signal, en, reasons_frame

__all__ = ["best_matches", "copying_signal", "text_codes"]

CHUNK_CELLS = 20_000_000  # comparisons held in memory at once


def text_codes(frame: pd.DataFrame, column: str, unit_ids: list[str], items: list[str]) -> np.ndarray:
    """(units x items) integer code of each normalised non-empty text of ``column`` (-1 where empty)."""
    out = np.full((len(unit_ids), len(items)), -1, dtype=np.int64)
    if frame.empty:
        return out
    codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)  # each distinct text normalised once
    folded = pd.Series([" ".join(t.casefold().split()) if isinstance(t, str) else "" for t in uniques], dtype=object)
    norm_codes, _ = pd.factorize(folded)
    norm_codes = np.where(folded.str.len().gt(0).to_numpy(), norm_codes, -1)
    mapped = np.where(codes >= 0, norm_codes[np.maximum(codes, 0)] if len(uniques) else -1, -1)
    keep = mapped >= 0
    u = pd.Categorical(frame["unit_id"].to_numpy()[keep], categories=unit_ids).codes
    c = pd.Categorical(frame["code"].to_numpy()[keep], categories=items).codes
    codes = mapped[keep]
    ok = (u >= 0) & (c >= 0)
    out[u[ok], c[ok]] = codes[ok]
    return out


def best_matches(matrix: np.ndarray, group: np.ndarray, key: np.ndarray, min_items: int,
                 pairwise_base: bool) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the largest share of its non-empty cells equal to another row's in the same ``group`` (never a
    row with the same ``key``), and that row's index (-1 when none). ``pairwise_base``: the share is over the cells
    both rows filled; else over the row's own filled cells; never fewer than ``min_items``."""
    n = matrix.shape[0]
    share, partner = np.zeros(n), np.full(n, -1, dtype=np.int64)
    valid = matrix >= 0
    for g in np.unique(group):
        rows = np.flatnonzero(group == g)
        if len(rows) < 2:
            continue
        m, v = matrix[rows], valid[rows]
        k = key[rows]
        chunk = max(1, CHUNK_CELLS // max(1, len(rows) * m.shape[1]))
        for start in range(0, len(rows), chunk):
            stop = min(start + chunk, len(rows))
            same = ((m[start:stop, None, :] == m[None, :, :]) & v[start:stop, None, :]).sum(axis=2).astype(float)
            if pairwise_base:
                base = v[start:stop].astype(float) @ v.T.astype(float)
            else:
                base = np.broadcast_to(v[start:stop].sum(axis=1, keepdims=True).astype(float), same.shape)
            ratio = same / np.maximum(base, float(min_items))
            ratio[k[start:stop, None] == k[None, :]] = 0.0  # itself and its own other periods
            best = ratio.argmax(axis=1)
            share[rows[start:stop]] = ratio[np.arange(stop - start), best]
            partner[rows[start:stop]] = np.where(ratio.max(axis=1) > 0, rows[best], -1)
    return share, partner


def copying_signal(answers: pd.DataFrame, unit_ids: list[str], items: list[str], instansi: pd.Series,
                   identity: pd.Series, scale: dict[str, float]) -> Signal:
    """Copying for ``unit_ids`` from the unit tier rows of ``answers``; ``instansi`` and ``identity`` (index unit_id)
    group the comparisons and exclude a unit's own periods."""
    rows = answers[answers["tier"].eq("unit") & answers["code"].isin(items)]
    group = pd.factorize(instansi.reindex(unit_ids).fillna("").astype(str))[0]
    key = pd.factorize(identity.reindex(unit_ids).fillna("").astype(str))[0]
    ids = np.array(unit_ids, dtype=object)
    min_items = int(scale["copying_min_items"])
    found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for column in ("note", "evidence"):
        found[column] = best_matches(text_codes(rows, column, unit_ids, items), group, key, min_items, False)
    found["answer"] = best_matches(text_codes(rows, "answer", unit_ids, items), group, key, min_items, True)

    def above(share: np.ndarray, start: float) -> np.ndarray:
        return np.clip((share - start) / (1.0 - start), 0.0, 1.0)

    parts = {"note": above(found["note"][0], scale["copying_share"]),
             "evidence": above(found["evidence"][0], scale["copying_share"]),
             "answer": above(found["answer"][0], scale["answer_similarity"]) * scale["answer_similarity_weight"]}
    words = {"note": ("catatan", "notes"), "evidence": ("bukti dukung", "evidence"),
             "answer": ("pola jawaban", "answer pattern")}
    reasons = []
    for what, strength in parts.items():
        share, partner = found[what]
        for n in np.flatnonzero(strength > 0):
            other = ids[partner[n]]
            pct = en(100 * share[n], 0)
            if what == "answer":
                reasons.append((ids[n], "copying", f"Pola jawaban {pct}% sama dengan unit {other} (instansi yang sama)",
                                f"Answer pattern {pct}% identical to unit {other} (same instansi)"))
            else:
                reasons.append((ids[n], "copying",
                                f"{pct}% {words[what][0]} sama persis dengan butir yang sama di unit {other}",
                                f"{pct}% of {words[what][1]} identical to the same items of unit {other}"))
    total = np.maximum.reduce(list(parts.values())) if unit_ids else np.zeros(0)
    return Signal("copying", pd.Series(total, index=pd.Index(unit_ids, name="unit_id")), reasons_frame(reasons))
