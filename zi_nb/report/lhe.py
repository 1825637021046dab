"""The LHE a report notebook displays: :class:`Lhe` is the report model (:mod:`zi_nb.report.model`) with its
sections (:mod:`zi_nb.report.html`) and charts (:mod:`zi_nb.report.charts`) as methods, one per notebook cell."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from zi_nb.report import charts, html, model, official_html
from zi_nb.report.model import UnitReport


@dataclass
class Lhe(UnitReport):
    """One unit's LHE: ``lhe.section("summary")``, ``lhe.chart("radar")``."""

    def section(self, name: str, **options: Any) -> Any:
        """An HTML section: the official parts (``cover``, ``simpulan``, ``areas``, ``next_predicate``,
        ``signature``, :mod:`zi_nb.report.official_html`) and the others (``summary``, ``components``,
        ``weakest_items``, ``reviewer_changes``, ``data_problems``, ``provenance``, :mod:`zi_nb.report.html`)."""
        module = official_html if hasattr(official_html, f"section_{name}") else html
        return getattr(module, f"section_{name}")(self, **options)

    def chart(self, name: str) -> Any:
        """A chart (``radar``, ``parts``, ``hasil``, ``tiers``) displayed as SVG, see :mod:`zi_nb.report.charts`; None
        when the chart does not apply (``tiers`` with a single tier)."""
        return getattr(charts, f"chart_{name}")(self)

    def write_docx(self, path: str | Path, template: str | Path | None = None) -> Path | None:
        """The LHE as a Word document at ``path`` (:func:`zi_nb.report.docx.write_docx`: the instansi's template from
        the settings, else the bundled one); None, and nothing written, when ``path`` is empty."""
        if not path:
            return None
        from zi_nb.report.docx import write_docx

        return write_docx(self, path, template)


def build(*args: Any, **params: Any) -> Lhe:
    """:func:`zi_nb.report.model.build` (same parameters), as an :class:`Lhe`."""
    report = model.build(*args, **params)
    return Lhe(**{f.name: getattr(report, f.name) for f in fields(report)})
