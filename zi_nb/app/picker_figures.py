"""The figures of the unit list (:meth:`zi_nb.app.workbench.Root.show_picker`): each unit's PMPZI total, the tier's
total and predikat with its data status, the answer records of the tier and the items with lacking evidence.

Standalone (``zi-nb serve``) they come from the inputs with the local ledger applied (:func:`local_rows`). On the
team server the local ledger has none of the team's records, so they come from the ledger service
(``api/ringkasan``, :func:`service_rows`): the same figures the coordinator's "Semua unit" and the unit's own page
read, with the unit's workflow status, so that its predikat says the review is not final before ``final TPI``
(:func:`zi_nb.app.view.predicate_in_review`). A unit the user has no role on gets no figures
(:data:`NO_ROLE`); the service unreachable or refusing gives none at all, and a short message (:data:`UNREADABLE`).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from zi_nb.app import view
from zi_nb.app.hub_mode import Hub
from zi_nb.app.triage_panel import Figures, local_figures
from zi_nb.common.domain import ANSWER_KINDS
from zi_nb.engine.dataset import LkeData
from zi_nb.engine.evidence import evidence_counts
from zi_nb.engine.results import compute
from zi_nb.engine.validate import validate
from zi_nb.errors import LedgerError
from zi_nb.review.evidence import evidence_check
from zi_nb.review.ledger import Ledger, apply_ledger, default_path

NO_ROLE = "tidak ada peran Anda pada unit ini"
NO_FIGURES = "nilai tidak tersedia (layanan ledger tidak dapat dibaca)"
UNREADABLE = "Nilai unit tidak dapat dibaca dari layanan ledger: {error} Daftar unit ditampilkan tanpa nilai."

Rows = dict[str, dict[str, Any]]  # unit -> the figures of its row (the keys view.picker_row reads)


def local_rows(data: LkeData, params: dict[str, str]) -> tuple[Rows, Figures]:
    """The figures of every unit from the inputs with the local ledger (``ledger_path``, else the default one)
    applied, and the local triage's risk figures over the same records."""
    path = Path(params["ledger_path"]) if params["ledger_path"] else default_path()
    book = Ledger(path) if path.is_file() else None
    applied = apply_ledger(data, book) if book else data
    records = book.records() if book else []
    tier = params["tier"]
    changes = Counter(r.unit_id for r in records if r.tier == tier and r.kind in ANSWER_KINDS)
    findings = validate(applied)  # once for both views (the ledger changes only reviewer tiers)
    unit_res, tier_res = compute(applied, "unit", findings=findings), compute(applied, tier, findings=findings)
    lacking = evidence_counts(evidence_check(applied, records, tier))  # every unit: ~30 ms
    rows: Rows = {}
    for u in data.units["unit_id"]:  # the rows of the list
        tier_ok = u in tier_res.scores.unit_ids
        rows[u] = {"unit_total": unit_res.scores.total.get(u),
                   "tier_total": tier_res.scores.total.get(u) if tier_ok else None, "changes": changes.get(u, 0),
                   "lacking": lacking.get(u, 0),
                   "predicate": tier_res.evaluation.predicate.get(u, "TIDAK") if tier_ok else "TIDAK",
                   **view.status_fields(tier_res.statuses.get(u))}
    return rows, local_figures(applied, records)  # the triage of every unit, once per render (~0,15 s)


def service_rows(hub: Hub, tier: str) -> tuple[Rows | None, str]:
    """(unit -> figures over the team ledger, for the units the user has a role on; "") from ``api/ringkasan``, or
    (None, why) when the service cannot be reached or refuses."""
    try:
        found = hub.client.summary_rows(tier)
    except LedgerError as exc:
        return None, UNREADABLE.format(error=str(exc).rstrip(".") + ".")
    units = found.get("units")
    if not isinstance(units, dict):
        return None, UNREADABLE.format(error="jawaban tanpa daftar unit.")
    rows: Rows = {}
    for unit, f in units.items():
        status = f.get("data_status")
        rows[str(unit)] = {
            "unit_total": f.get("unit_total"), "tier_total": f.get("tier_total"),
            "predicate": f.get("predicate") or "TIDAK", "changes": f.get("changes") or 0,
            "lacking": f.get("lacking") or 0, "workflow": str(f.get("status") or ""),
            **view.status_fields(SimpleNamespace(**status) if isinstance(status, dict) else None)}
    return rows, ""
