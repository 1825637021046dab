"""Run manifests: what a ``zi-nb report`` or ``zi-nb bulk`` run read, used and wrote, so it can be proved later.

``manifest.json`` in a run's output directory records: run id, time, command and parameters; each input file with
its sha256; the rubric (id, content hash, and a copy of the resolved rubric in ``rubric.json`` so the run stays
verifiable whatever happens to the package later); policies; the ledger (path, head hash, and per unit the records
used, each with its hash); the environment (zi-nb, Python and key package versions, git commit when run from a
checkout); and per unit the parameters, the scores and predikat it states, each output file with its sha256, and the
bukti dukung files its ledger records refer to (``evidence``: sha256, name and item of each, with the root of the
evidence store in ``evidence_store``; :mod:`zi_nb.audit.evidence`).
:mod:`zi_nb.audit.verify` checks a run directory against it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from zi_nb.audit.evidence import evidence_entries, store_root
from zi_nb.common.domain import REPORT_KINDS
from zi_nb.common.files import atomic_path, sha256_file
from zi_nb.common.resources import package_path
from zi_nb.common.version import package_versions
from zi_nb.engine.rubric import Rubric
from zi_nb.errors import InputError
from zi_nb.review.ledger import Ledger, Record

MANIFEST = "manifest.json"
RUBRIC_COPY = "rubric.json"
VERSION = 1


def git_commit() -> str | None:
    """The git commit of the checkout zi-nb runs from; None for an installed wheel (its folder is no checkout)."""
    root = package_path().parent
    if not (root / ".git").exists():
        return None
    try:
        proc = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() or None if proc.returncode == 0 else None


def environment() -> dict[str, Any]:
    return {"versions": package_versions(), "git_commit": git_commit(), "platform": sys.platform}


def ledger_state(ledger: Ledger | None, unit_ids: list[str],
                 records: list[Record] | None = None) -> dict[str, Any] | None:
    """Head hash and, per unit, the answer records a run applied (seq and hash, in order); ``records``: the ledger's
    records when already read."""
    if ledger is None:
        return None
    per_unit: dict[str, list[dict[str, Any]]] = {u: [] for u in unit_ids}
    for rec in ledger.records() if records is None else records:
        if rec.unit_id in per_unit and rec.kind in REPORT_KINDS:
            per_unit[rec.unit_id].append({"seq": rec.seq, "hash": rec.hash})
    return {"path": str(Path(ledger.path).resolve()), "head": ledger.head(), "records": per_unit}


def unit_records_state(records: list[Record]) -> list[dict[str, Any]]:
    return [{"seq": r.seq, "hash": r.hash} for r in records if r.kind in REPORT_KINDS]


def output_entry(path: Path, run_dir: Path) -> dict[str, str]:
    return {"path": str(path.resolve().relative_to(run_dir.resolve())), "sha256": sha256_file(path)}


def stated(record: dict[str, Any]) -> dict[str, Any]:
    """What a report states for a unit: total, components, areas, predikat and criteria (from the JSON contract)."""
    keys = ("tier", "total", "pengungkit", "pemenuhan", "reform", "hasil", "bersih", "prima", "predicate")
    out = {k: record[k] for k in keys if k in record}
    out["areas"] = {code: area["total"] for code, area in record["areas"].items()}
    out["criteria"] = [{k: c[k] for k in ("predicate", "code", "value", "minimum", "met")} for c in record["criteria"]]
    return out


def write_manifest(run_dir: Path, run_id: str, command: list[str], parameters: dict[str, Any],
                   inputs: list[Path], rubric: Rubric, policies: dict[str, str], ledger: Ledger | None,
                   units: list[dict[str, Any]], settings: Path | None = None) -> Path:
    """Write ``manifest.json`` (and the rubric copy) atomically into ``run_dir``.

    ``settings``: the evaluation settings file the reports used (kop, nomor, team), recorded with its sha256.

    ``units``: one entry per unit with ``unit_id``, ``params`` (the notebook parameters), ``record`` (the unit's
    contract record from :func:`zi_nb.engine.results.unit_records`), ``outputs`` (paths) and optionally
    ``status``/``error``. Each unit's entry lists the evidence files of its ledger records (``evidence``), and the
    manifest records the evidence store of the ledger (``evidence_store``), for the audit.
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    unit_ids = [u["unit_id"] for u in units]
    records = ledger.records() if ledger is not None else []
    evidence = evidence_entries(records, unit_ids)
    rubric_copy = run_dir / RUBRIC_COPY
    with atomic_path(rubric_copy) as tmp:
        tmp.write_text(json.dumps(rubric.model_dump(by_alias=True, mode="json"), ensure_ascii=False, indent=1),
                       encoding="utf-8")
    doc = {
        "manifest_version": VERSION,
        "run_id": run_id,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": command,
        "parameters": parameters,
        "inputs": [{"path": str(p.resolve()), "name": p.name, "sha256": sha256_file(p)} for p in inputs],
        "rubric": {"id": rubric.id, "hash": rubric.content_hash, "copy": RUBRIC_COPY},
        "settings": ({"path": str(settings.resolve()), "name": settings.name, "sha256": sha256_file(settings)}
                     if settings else None),
        "policies": policies,
        "ledger": ledger_state(ledger, unit_ids, records),
        "evidence_store": store_root(ledger.path) if ledger is not None else None,
        "environment": environment(),
        "units": [{
            "unit_id": u["unit_id"],
            "status": u.get("status", "ok"),
            "error": u.get("error"),
            "params": u.get("params", {}),
            "stated": stated(u["record"]) if u.get("record") else None,
            "outputs": [output_entry(Path(p), run_dir) for p in u.get("outputs", []) if Path(p).is_file()],
            "evidence": evidence.get(u["unit_id"], []),
        } for u in units],
    }
    path = run_dir / MANIFEST
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return path


def read_manifest(run_dir: Path) -> dict[str, Any]:
    path = run_dir / MANIFEST
    if not path.is_file():
        raise InputError(f"{path} tidak ditemukan: folder ini bukan hasil `zi-nb report` atau `zi-nb bulk`.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} bukan JSON yang sah: {exc}") from None
