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

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from zi_nb.app import view
from zi_nb.app.hub_mode import Hub
from zi_nb.app.triage_panel import Figures, local_figures
from zi_nb.engine.dataset import LkeData
from zi_nb.errors import LedgerError
from zi_nb.review.ledger import Ledger, apply_ledger, default_path
from zi_nb.team.insight import unit_figures

NO_ROLE = "tidak ada peran Anda pada unit ini"
NO_FIGURES = "nilai tidak tersedia (layanan ledger tidak dapat dibaca)"
UNREADABLE = "Nilai unit tidak dapat dibaca dari layanan ledger: {error} Daftar unit ditampilkan tanpa nilai."

Rows = dict[str, dict[str, Any]]  # unit -> the figures of its row (the keys view.picker_row reads)


def local_rows(data: LkeData, params: dict[str, str]) -> tuple[Rows, Figures]:
    """The figures of every unit from the inputs with the local ledger (``ledger_path``, else the default one)
    applied (:func:`zi_nb.team.insight.unit_figures`, as the ledger service computes them over the team ledger), and
    the local triage's risk figures over the same records."""
    path = Path(params["ledger_path"]) if params["ledger_path"] else default_path()
    book = Ledger(path) if path.is_file() else None
    applied = apply_ledger(data, book) if book else data
    records = book.records() if book else []
    figures = unit_figures(applied, records, params["tier"])
    rows = {u: row_of(figures.get(str(u), {})) for u in data.units["unit_id"]}  # every unit of the list
    return rows, local_figures(applied, records)  # the triage of every unit, once per render (~0,15 s)


def row_of(figures: dict[str, Any]) -> dict[str, Any]:
    """A unit's row as :func:`zi_nb.app.view.picker_row` reads it, from its figures (as
    :func:`zi_nb.team.insight.unit_figures` gives them; empty: a unit without answers)."""
    status = figures.get("data_status")
    return {"unit_total": figures.get("unit_total"), "tier_total": figures.get("tier_total"),
            "predicate": figures.get("predicate") or "TIDAK", "changes": figures.get("changes") or 0,
            "lacking": figures.get("lacking") or 0,
            **view.status_fields(SimpleNamespace(**status) if isinstance(status, dict) else None)}


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
    rows: Rows = {str(unit): {**row_of(f), "workflow": str(f.get("status") or "")} for unit, f in units.items()}
    return rows, ""
