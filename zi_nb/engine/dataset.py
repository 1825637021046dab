"""The answers of many units, normalised against one rubric: :class:`LkeData`, what every reader produces together
(:func:`zi_nb.lke.inputs.read_inputs`) and what scoring, validation and reports take."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from zi_nb.common.findings import Finding
from zi_nb.engine.rubric import Rubric

UNIT_COLUMNS = ["unit_id", "unit_name", "instansi", "year", "current_predicate", "data_date", "file"]
CACHED_COLUMNS = ["unit_id", "tier", "measure", "value", "formula", "file", "sheet", "cell"]


def empty_units() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in UNIT_COLUMNS})


def empty_cached() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in CACHED_COLUMNS})


@dataclass
class LkeData:
    """Everything read from a set of inputs, normalised against one rubric."""

    rubric: Rubric
    answers: pd.DataFrame
    units: pd.DataFrame
    cached: pd.DataFrame
    findings: list[Finding]
    files: dict[str, str]  # path -> sha256 of its bytes
    fatal_files: list[str] = field(default_factory=list)

    @property
    def unit_ids(self) -> list[str]:
        return list(self.units["unit_id"])

    def for_units(self, unit_ids: list[str]) -> LkeData:
        """A copy restricted to some units (findings about other units are dropped)."""
        keep = set(unit_ids)
        return LkeData(
            rubric=self.rubric,
            answers=self.answers[self.answers["unit_id"].isin(keep)],
            units=self.units[self.units["unit_id"].isin(keep)],
            cached=self.cached[self.cached["unit_id"].isin(keep)],
            findings=[f for f in self.findings if f.unit_id is None or f.unit_id in keep],
            files=self.files,
            fatal_files=self.fatal_files,
        )
