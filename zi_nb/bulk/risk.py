"""The bulk summary's "Risiko": one triage over every unit of the run, so rank 1 is the riskiest unit of the run.

Each input file is read once, on a worker (:func:`zi_nb.bulk.plan.plan_file`), which keeps what the triage needs of
it (:class:`RiskInput`: its answers with the ledger applied, its unit metadata and units). When every file is
planned, :func:`run_risks` puts the inputs together and runs :func:`zi_nb.report.triage_page.unit_risks` once: the
risk score, the signals across units (copying within an instansi, an instansi's history of gaps, a unit's earlier
period in another file) and the ranking 1..N are over the whole run. A unit id found in several files is taken from
the first (its report is made from that file, :func:`zi_nb.bulk.plan.report_name`); the other rows get no risk.

A file that cannot be used has no input here, so its units simply have no risk; should the triage fail on the inputs
put together, every file is tried alone and the run ranks the files that pass (the others' units have no risk).
The run never stops for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pandas as pd

from zi_nb.engine.rubric import Rubric, load_rubric

__all__ = ["RiskInput", "run_risks"]

Risks = dict[str, dict[str, Any]]  # unit id -> risk, risk_rank, risk_reason


@dataclass
class RiskInput:
    """What the run-wide triage needs of one input file (kept by the worker that read it)."""

    answers: pd.DataFrame
    units: pd.DataFrame
    unit_ids: list[str] = field(default_factory=list)


def run_risks(inputs: Sequence[RiskInput | None], rubric: Rubric | str, policies: dict[str, str] | None,
              records: list[Any] | None = None, log: Callable[[str], None] | None = None,
              names: Sequence[str] | None = None) -> list[Risks]:
    """Per input, in order: unit id -> ``risk``, ``risk_rank`` (1..N over every unit of every input) and
    ``risk_reason``; empty for an input that is None (a file that could not be used) or whose units are taken from
    an earlier input. ``records``: the ledger records applied to the answers (document verdicts and attachments)."""
    rubric = load_rubric(rubric)
    owner: dict[str, int] = {}
    for n, part in enumerate(inputs):
        for unit in part.unit_ids if part is not None else []:
            owner.setdefault(str(unit), n)
    usable = [n for n, part in enumerate(inputs) if part is not None and not part.answers.empty]
    try:
        risks = _triage(inputs, usable, owner, rubric, policies, records)
    except Exception as exc:  # one input the triage cannot take must not cost the others their ranking
        passing = []
        for n in usable:
            try:
                _triage(inputs, [n], owner, rubric, policies, records)
                passing.append(n)
            except Exception as alone:
                if log is not None:
                    name = names[n] if names is not None else f"#{n + 1}"
                    log(f"PERINGATAN {name}: risiko triase tidak dihitung ({type(alone).__name__}: {alone})")
        try:
            risks = _triage(inputs, passing, owner, rubric, policies, records) if passing else {}
        except Exception:
            if log is not None:
                log(f"PERINGATAN risiko triase tidak dihitung ({type(exc).__name__}: {exc})")
            risks = {}
    out: list[Risks] = [{} for _ in inputs]
    for unit, fields in risks.items():
        if unit in owner:
            out[owner[unit]][unit] = fields
    return out


def _triage(inputs: Sequence[RiskInput | None], chosen: list[int], owner: dict[str, int], rubric: Rubric,
            policies: dict[str, str] | None, records: list[Any] | None) -> Risks:
    """One triage over the units the ``chosen`` inputs own."""
    from zi_nb.report.triage_page import unit_risks

    answers, units = [], []
    for n in chosen:
        part = inputs[n]
        assert part is not None
        own = part.answers["unit_id"].astype(str).map(owner).eq(n)
        answers.append(part.answers[own.to_numpy()])
        units.append(part.units)
    if not answers:
        return {}
    data = SimpleNamespace(answers=pd.concat(answers, ignore_index=True), rubric=rubric,
                           units=pd.concat(units, ignore_index=True).drop_duplicates("unit_id"))
    if data.answers.empty:
        return {}
    return unit_risks(data, records, policies)
