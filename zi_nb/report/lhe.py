"""The LHE a report notebook displays: :class:`Lhe` is the report model (:mod:`zi_nb.report.model`) with its
sections (:mod:`zi_nb.report.html`) and charts (:mod:`zi_nb.report.charts`) as methods, one per notebook cell."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from zi_nb.report import charts, html, model
from zi_nb.report.model import UnitReport


@dataclass
class Lhe(UnitReport):
    """One unit's LHE: ``lhe.section("summary")``, ``lhe.chart("radar")``."""

    def section(self, name: str, **options: Any) -> Any:
        """An HTML section (``identity``, ``summary``, ``areas``, ``next_predicate``, ``weakest_items``,
        ``reviewer_changes``, ``data_problems``, ``provenance``), see :mod:`zi_nb.report.html`."""
        return getattr(html, f"section_{name}")(self, **options)

    def chart(self, name: str) -> Any:
        """A chart (``radar``, ``parts``, ``hasil``, ``tiers``) displayed as SVG, see :mod:`zi_nb.report.charts`; None
        when the chart does not apply (``tiers`` with a single tier)."""
        return getattr(charts, f"chart_{name}")(self)


def build(*args: Any, **params: Any) -> Lhe:
    """:func:`zi_nb.report.model.build` (same parameters), as an :class:`Lhe`."""
    report = model.build(*args, **params)
    return Lhe(**{f.name: getattr(report, f.name) for f in fields(report)})
