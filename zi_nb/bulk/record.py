"""What a bulk run leaves for auditors: ``manifest.json`` (:mod:`zi_nb.audit.manifest`, read by ``zi-nb audit verify``
and ``zi-nb audit replay``) and, when a ledger is in use, each unit's decision in the ledger
(:mod:`zi_nb.review.decisions`), as ``zi-nb report`` does (:mod:`zi_nb.audit.run_record`).

The scores stated per unit are the contract records the plan computed from the same inputs, rubric, policies and
ledger records as the notebooks (:func:`zi_nb.bulk.plan.plan_file`), so nothing is read again here. A unit skipped
by ``--resume`` is listed with the parameters its report was made with (from its state file). Its decision is not
recorded again: :func:`zi_nb.review.decisions.record_decision` writes a unit's decision once per run (a run killed after
some decisions and resumed records only the missing ones).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zi_nb.audit.manifest import write_manifest
from zi_nb.engine.rubric import load_rubric
from zi_nb.review.decisions import record_decision
from zi_nb.review.ledger import Ledger


def record_bulk_run(out_dir: Path, run_id: str, rows: list[dict[str, Any]], params: dict[str, Any],
                    files: list[Path], units_path: str, command: list[str] | None = None,
                    settings: Path | None = None) -> Path:
    """Write the run's manifest and record each finished unit's decision in the ledger (when one is in use);
    ``settings``: the evaluation settings file every report used (recorded with its sha256)."""
    import sys

    rubric = load_rubric(params["rubric"])
    ledger = Ledger(params["ledger_path"]) if params.get("ledger_path") else None
    units = []
    for row in rows:
        if row.get("unit_id") is None:  # a file that could not be read has no unit; summary.json says why
            continue
        ok = row["status"] == "ok"
        units.append({"unit_id": row["unit_id"], "status": row["status"], "error": row.get("error"),
                      "params": row.get("params") or {}, "record": row.get("record") if ok else None,
                      "outputs": [out_dir / row[k] for k in ("notebook", "report", "pdf", "docx")
                                  if ok and row.get(k)]})
    inputs = [*files, *([Path(units_path)] if units_path else [])]
    manifest = write_manifest(out_dir, run_id, command or sys.argv, {"tier": params["tier"],
                              "policies": params["policies"]}, inputs, rubric,
                              rubric.policy_values(params["policies"]), ledger, units, settings=settings)
    if ledger is not None:
        for unit in units:
            record = unit["record"]
            if record is not None and record.get("year") is not None:
                record_decision(ledger, record, run_id, rubric.id)
    return manifest
