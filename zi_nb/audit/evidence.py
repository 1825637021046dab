"""Bukti dukung in the audit: which evidence files a run's reports saw, and whether they are still what they were.

A unit's reports see the files attached to its items (ledger records of kind ``lampiran``,
:mod:`zi_nb.review.evidence`). The manifest lists, per unit, every file those records refer to (attachments in force
and those taken back, as :func:`zi_nb.review.evidence.evidence_hashes` does: an earlier decision may rest on them)
with its sha256, the name the user gave it and the item, plus the root of the evidence store
(:func:`zi_nb.review.evidence_store.default_store_path`: ``ZI_NB_EVIDENCE``, else ``bukti-dukung`` beside the ledger).
``zi-nb audit verify`` checks each listed file against its hash in that store: a changed or missing file is a
difference of kind ``bukti``, and fails the audit as a changed input does.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from zi_nb.common.domain import LAMPIRAN
from zi_nb.review.evidence import evidence_hashes
from zi_nb.review.evidence_store import EvidenceStore, default_store_path
from zi_nb.review.ledger import Record

__all__ = ["evidence_entries", "evidence_problems", "store_root"]


def evidence_entries(records: Iterable[Record], unit_ids: Iterable[str]) -> dict[str, list[dict[str, str]]]:
    """unit -> the evidence files its records refer to, in the order first attached: ``sha256``, ``name`` (as the
    user gave it when attaching) and ``code`` (the item). A file attached to two items is listed for each."""
    wanted = set(unit_ids)
    by_unit: dict[str, list[Record]] = {u: [] for u in wanted}
    for rec in records:
        if rec.kind == LAMPIRAN and rec.unit_id in wanted:
            by_unit[rec.unit_id].append(rec)
    out: dict[str, list[dict[str, str]]] = {}
    for unit, recs in by_unit.items():
        known = set(evidence_hashes(recs))
        listed: dict[tuple[str, str], dict[str, str]] = {}
        for rec in recs:
            sha = rec.answer
            if not sha or sha not in known:
                continue
            entry = listed.setdefault((rec.code, sha), {"sha256": sha, "name": "", "code": rec.code})
            if not entry["name"] and not rec.details.get("removed"):
                entry["name"] = str(rec.details.get("name", ""))
        if listed:
            out[unit] = list(listed.values())
    return out


def store_root(ledger_path: str | Path) -> str:
    """The absolute root of the evidence store of a ledger, as the manifest records it."""
    return str(Path(default_store_path(Path(ledger_path))).resolve())


def evidence_problems(manifest: dict[str, Any], store: str | Path | None = None) -> list[tuple[str, str]]:
    """(unit, Indonesian detail) for each evidence file listed in the manifest that is missing from the store or
    whose content no longer hashes to its recorded sha256. ``store``: the store to check (default: the one the
    manifest records). A manifest without evidence (an older run, or no ledger) has nothing to check."""
    root = store or manifest.get("evidence_store")
    listed = [(u["unit_id"], e) for u in manifest.get("units", []) for e in u.get("evidence") or []]
    if not listed:
        return []
    if not root:
        return [(unit, f"berkas bukti dukung '{e.get('name')}' butir {e.get('code')} tercatat, tetapi manifest tidak "
                       "mencatat penyimpanan bukti dukung (beri --bukti FOLDER)") for unit, e in listed]
    evidence = EvidenceStore(root)
    problems = []
    checked: dict[str, str | None] = {}
    for unit, entry in listed:
        sha = str(entry.get("sha256", ""))
        if sha not in checked:
            checked[sha] = evidence.verify(sha)
        problem = checked[sha]
        if problem:
            problems.append((unit, f"berkas bukti dukung '{entry.get('name') or '-'}' butir {entry.get('code')}: "
                                   f"{problem}"))
    return problems
