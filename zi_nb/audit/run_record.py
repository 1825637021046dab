"""What a finished run leaves for auditors: the manifest and, when a ledger is in use, one decision per unit.

Shared by ``zi-nb report`` and ``zi-nb bulk``: scores are recomputed here from the same inputs, rubric, policies
and ledger records the notebooks used, and stated in the manifest next to the report files' hashes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from zi_nb.audit.manifest import write_manifest
from zi_nb.engine.dataset import LkeData
from zi_nb.engine.results import compute, unit_records
from zi_nb.review.decisions import record_decision
from zi_nb.review.ledger import Ledger, apply_ledger


def record_run(run_dir: Path, run_id: str, data: LkeData, entries: list[dict[str, Any]], tier: str,
               policies: dict[str, str], ledger_path: str | None, inputs: list[Path],
               command: list[str] | None = None, settings: Path | None = None) -> Path:
    """Write ``manifest.json`` for a run and record each unit's decision in the ledger (when one is in use).

    ``entries``: per unit ``unit_id``, ``params``, ``outputs`` and, for failures, ``status``/``error``.
    """
    ledger = Ledger(ledger_path) if ledger_path else None
    scored = apply_ledger(data, ledger) if ledger is not None else data
    records = {r["unit_id"]: r for r in unit_records(compute(scored, tier, policies))}
    for entry in entries:
        entry["record"] = records.get(entry["unit_id"]) if entry.get("status", "ok") == "ok" else None
    manifest = write_manifest(run_dir, run_id, command or sys.argv, {"tier": tier, "policies": policies},
                              inputs, data.rubric, data.rubric.policy_values(policies), ledger, entries, settings)
    if ledger is not None:
        for entry in entries:
            record = entry.get("record")
            if record is not None and record.get("year") is not None:
                record_decision(ledger, record, run_id, data.rubric.id)
    return manifest
