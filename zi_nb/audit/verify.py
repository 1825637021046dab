"""Audit a run directory: :func:`verify` proves its reports are what the recorded inputs and decisions produce;
:func:`replay` re-executes the recorded notebooks and compares the content of the new reports with the old ones.

``verify`` checks, and names what differs:

* every input file against its recorded sha256 (a changed or missing input);
* the rubric copy against the recorded content hash (the run is recomputed with that exact rubric version, so old
  runs stay verifiable after the packaged rubric is updated);
* the ledger: its whole hash chain, per unit the records the run applied (a changed, removed, inserted or
  reordered record), and that each unit's decision of this run is recorded once (not again by a resumed run);
* every unit's scores, recomputed from the recorded inputs, rubric and ledger records, against the scores and
  predikat the manifest states (a different score);
* every output file against its recorded sha256 (a changed report);
* every bukti dukung file the run's reports saw (listed per unit in the manifest) against its sha256 in the evidence
  store the manifest records, or the one given (a changed or missing file: kind ``bukti``, naming the unit, the
  file's name and its item; :mod:`zi_nb.audit.evidence`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zi_nb.audit.evidence import evidence_problems
from zi_nb.audit.manifest import read_manifest, stated
from zi_nb.common.domain import REPORT_KINDS
from zi_nb.common.files import sha256_file
from zi_nb.engine.results import compute, unit_records
from zi_nb.engine.rubric import Rubric
from zi_nb.lke.inputs import read_inputs
from zi_nb.report.runner import run_report
from zi_nb.review.decisions import duplicated_decisions
from zi_nb.review.ledger import Ledger, apply_ledger, record_hash

TOLERANCE = 1e-9


@dataclass(frozen=True)
class Difference:
    kind: str  # input, rubric, ledger, score, output, bukti
    subject: str
    detail: str

    def render(self) -> str:
        return f"BEDA [{self.kind}] {self.subject}: {self.detail}"


def _rubric(run_dir: Path, manifest: dict[str, Any], out: list[Difference]) -> Rubric | None:
    copy = run_dir / manifest["rubric"].get("copy", "rubric.json")
    if not copy.is_file():
        out.append(Difference("rubric", copy.name, "salinan rubrik tidak ada"))
        return None
    rubric = Rubric.model_validate(json.loads(copy.read_text(encoding="utf-8")))
    if rubric.content_hash != manifest["rubric"]["hash"]:
        recorded_hash = manifest["rubric"]["hash"]
        out.append(Difference("rubric", manifest["rubric"]["id"],
                              f"isi rubrik berubah (tercatat {recorded_hash}, kini {rubric.content_hash})"))
    return rubric


def _inputs(manifest: dict[str, Any], out: list[Difference]) -> list[Path]:
    paths = []
    for entry in manifest["inputs"]:
        path = Path(entry["path"])
        if not path.is_file():
            out.append(Difference("input", entry["name"], f"berkas masukan tidak ditemukan di {path}"))
            continue
        digest = sha256_file(path)
        if digest != entry["sha256"]:
            out.append(Difference("input", entry["name"], f"berkas masukan berubah (sha256 tercatat "
                                                          f"{entry['sha256'][:16]}…, kini {digest[:16]}…)"))
        paths.append(path)
    settings = manifest.get("settings")
    if settings:  # the evaluation settings (kop, nomor, team) the reports were made with
        path = Path(settings["path"])
        if not path.is_file():
            out.append(Difference("input", settings["name"], f"berkas pengaturan evaluasi tidak ditemukan di {path}"))
        elif sha256_file(path) != settings["sha256"]:
            out.append(Difference("input", settings["name"], "berkas pengaturan evaluasi berubah (sha256 berbeda)"))
    return paths


def _ledger_records(manifest: dict[str, Any], ledger_path: str | None, out: list[Difference]) -> list | None:
    state = manifest.get("ledger")
    if not state:
        return None
    path = Path(ledger_path or state["path"])
    if not path.is_file():
        out.append(Difference("ledger", str(path), "ledger tidak ditemukan"))
        return []
    ledger = Ledger(path)
    for problem in ledger.verify():
        out.append(Difference("ledger", path.name, problem))
    by_seq = {r.seq: r for r in ledger.records()}
    this_run = [r for r in by_seq.values() if r.kind == "decision" and r.details.get("run_id") == manifest["run_id"]]
    for (unit_id, run_id, code), n in duplicated_decisions(this_run).items():
        out.append(Difference("ledger", unit_id, f"keputusan {code} run {run_id} tercatat {n} kali (seharusnya "
                                                 "sekali per unit per run)"))
    used = []
    for unit_id, recorded in state["records"].items():
        seqs = [r["seq"] for r in recorded]
        if seqs != sorted(seqs):
            out.append(Difference("ledger", unit_id, f"urutan rekaman yang dipakai berubah: {seqs}"))
        for entry in recorded:
            rec = by_seq.get(entry["seq"])
            if rec is None:
                out.append(Difference("ledger", unit_id, f"rekaman #{entry['seq']} yang dipakai run ini telah dihapus"))
            elif entry["hash"] != rec.hash or record_hash(rec.payload()) != entry["hash"] or \
                    rec.unit_id != unit_id:
                out.append(Difference("ledger", unit_id, f"rekaman #{entry['seq']} telah diubah"))
            else:
                used.append(rec)
        last = max(seqs, default=0)
        extra = [r.seq for r in by_seq.values() if r.unit_id == unit_id and r.kind in REPORT_KINDS
                 and r.seq <= last and r.seq not in set(seqs)]
        if extra:
            out.append(Difference("ledger", unit_id, f"rekaman disisipkan di antara rekaman yang dipakai: {extra}"))
    return sorted(used, key=lambda r: r.seq)


def _compare(unit_id: str, before: dict[str, Any], now: dict[str, Any], out: list[Difference]) -> None:
    for key in ("total", "pengungkit", "pemenuhan", "reform", "hasil", "bersih", "prima"):
        if key in before and not math.isclose(before[key], now.get(key, math.nan), abs_tol=TOLERANCE):
            out.append(Difference("score", unit_id, f"{key} tercatat {before[key]:.6f}, dihitung ulang "
                                                    f"{now.get(key, math.nan):.6f}"))
    if before.get("predicate") != now.get("predicate"):
        out.append(Difference("score", unit_id, f"predikat tercatat {before.get('predicate')}, dihitung ulang "
                                                f"{now.get('predicate')}"))
    for area, value in before.get("areas", {}).items():
        if not math.isclose(value, now["areas"].get(area, math.nan), abs_tol=TOLERANCE):
            out.append(Difference("score", unit_id, f"area {area} tercatat {value:.6f}, dihitung ulang "
                                                    f"{now['areas'].get(area, math.nan):.6f}"))
    if [(c["predicate"], c["code"], c["met"]) for c in before.get("criteria", [])] != \
            [(c["predicate"], c["code"], c["met"]) for c in now.get("criteria", [])]:
        out.append(Difference("score", unit_id, "kriteria predikat berbeda"))


def verify(run_dir: Path, ledger_path: str | None = None, evidence_store: str | None = None) -> list[Difference]:
    """Every difference between a run directory and what its recorded inputs and decisions produce.
    ``evidence_store``: the evidence store to check the listed bukti dukung files in (default: the recorded one)."""
    manifest = read_manifest(run_dir)
    out: list[Difference] = []
    rubric = _rubric(run_dir, manifest, out)
    paths = _inputs(manifest, out)
    records = _ledger_records(manifest, ledger_path, out)
    ok_units = [u for u in manifest["units"] if u.get("status", "ok") == "ok" and u.get("stated")]
    if rubric is not None and paths and ok_units:
        data = read_inputs(paths, rubric)
        if records is not None:
            data = apply_ledger(data, records=records)
        by_tier: dict[str, dict[str, dict[str, Any]]] = {}
        for unit in ok_units:
            tier = unit["stated"]["tier"]
            if tier not in by_tier:
                by_tier[tier] = {r["unit_id"]: stated(r) for r in unit_records(
                    compute(data, tier, manifest.get("policies") or None))}
            now = by_tier[tier].get(unit["unit_id"])
            if now is None:
                out.append(Difference("score", unit["unit_id"], "unit tidak lagi ada dalam masukan"))
            else:
                _compare(unit["unit_id"], unit["stated"], now, out)
    for unit in manifest["units"]:
        for entry in unit.get("outputs", []):
            path = run_dir / entry["path"]
            if not path.is_file():
                out.append(Difference("output", entry["path"], "berkas laporan hilang"))
            elif sha256_file(path) != entry["sha256"]:
                out.append(Difference("output", entry["path"], "berkas laporan berubah sejak run"))
    out.extend(Difference("bukti", unit_id, detail) for unit_id, detail in evidence_problems(manifest, evidence_store))
    return out


def notebook_content(path: Path) -> list[str]:
    """The content of an executed report notebook: each code cell's HTML/text outputs (no timings, no metadata)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "injected-parameters" in cell.metadata.get("tags", []):
            continue
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            text = data.get("text/html") or data.get("text/plain") or o.get("text") or ""
            out.append(text if isinstance(text, str) else "".join(text))
    return out


def replay(run_dir: Path, new_dir: Path) -> list[str]:
    """Re-execute every recorded report with its recorded parameters into ``new_dir``; return readable differences
    of content (empty when the new reports say exactly what the old ones say)."""
    import difflib

    manifest = read_manifest(run_dir)
    diffs: list[str] = []
    for unit in manifest["units"]:
        if unit.get("status", "ok") != "ok":
            continue
        params = dict(unit["params"])
        files = run_report(params, new_dir)
        old_nb = next((run_dir / o["path"] for o in unit["outputs"] if o["path"].endswith(".ipynb")), None)
        if old_nb is None or not old_nb.is_file():
            diffs.append(f"{unit['unit_id']}: notebook lama tidak ada")
            continue
        old, new = notebook_content(old_nb), notebook_content(files.notebook)
        if old != new:
            lines = difflib.unified_diff("\n".join(old).splitlines(), "\n".join(new).splitlines(),
                                         f"{unit['unit_id']} (lama)", f"{unit['unit_id']} (baru)", lineterm="", n=1)
            diffs.append("\n".join(list(lines)[:80]))
    return diffs
