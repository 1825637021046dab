"""What one reader got from one file (:class:`Extract`); the readers of :mod:`zi_nb.lke` return it and
:mod:`zi_nb.lke.inputs` gathers them."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from zi_nb.common.findings import Finding
from zi_nb.engine.answers import empty_raw
from zi_nb.engine.dataset import empty_cached, empty_units


@dataclass
class Extract:
    """What one reader got from one file.

    Attributes:
        raw: raw answer rows (:data:`zi_nb.engine.answers.RAW_COLUMNS`).
        units: one row per unit (:data:`UNIT_COLUMNS`); missing names default to the unit id.
        cached: values the workbook itself computed (indicator, area, part and total cells) with their formula,
            for :func:`zi_nb.engine.validate.check_cached`. ``measure`` is ``total``, a component code (``PEMENUHAN``),
            ``<component>:<area>`` (``REFORM:E``) or an indicator code (``PRE3``).
        findings: problems found while reading (missing sheets, columns, unmapped rows, formula ranges...).
        fatal: True when nothing usable could be read.
    """

    raw: pd.DataFrame = field(default_factory=empty_raw)
    units: pd.DataFrame = field(default_factory=empty_units)
    cached: pd.DataFrame = field(default_factory=empty_cached)
    findings: list[Finding] = field(default_factory=list)
    fatal: bool = False
