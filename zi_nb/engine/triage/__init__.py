"""Triage of self-assessments (PMPZI): which to check first (:func:`triage`) and which to propose within a quota
(:func:`nominate`). Signals in :mod:`~zi_nb.engine.triage.signals` and :mod:`~zi_nb.engine.triage.copying`, the
items to check in :mod:`~zi_nb.engine.triage.checks`, weights in ``zi_nb/data/triage-bobot.yaml``."""

from zi_nb.engine.triage.quota import nominate
from zi_nb.engine.triage.ranking import SIGNALS, Triage, TriageConfig, load_config, triage
from zi_nb.engine.triage.summary import unit_summary

__all__ = ["SIGNALS", "Triage", "TriageConfig", "load_config", "nominate", "triage", "unit_summary"]
