"""zi-nb: the Zona Integritas evaluation workbench.

Public API (everything else is internal)::

    from zi_nb import load_rubric, read_inputs, validate, score_answers, evaluate, compute, score_document

* :func:`load_rubric` — a versioned rubric (``zi-2021``) loaded and checked, with its content hash;
* :func:`read_inputs` — long-format CSV/XLSX, circulated LKE workbooks and zi-nb templates, many units at once;
* :func:`validate` — every finding with file, sheet, cell or line, code and message;
* :func:`score_answers` / :func:`evaluate` — vectorised scores per tier and the predikat with every criterion;
* :func:`compute` / :func:`score_document` — both together, and the JSON contract of ``zi-nb score``;
* :class:`Ledger` / :func:`apply_ledger` — the hash-chained reviewer ledger and its use by scores and reports.

Errors caused by data or by the user derive from :class:`ZiError` (see :mod:`zi_nb.errors`).
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import InputError, ParameterError, PolicyError, RubricError, ZiError
from .findings import Finding
from .inputs import LkeData, read_inputs
from .ledger import Ledger, LedgerError, apply_ledger
from .predicate import Evaluation, evaluate
from .results import TierResult, compute, score_document, unit_records
from .rubric import Rubric, available_rubrics, load_rubric
from .scoring import Scores, score_answers
from .validate import validate

__all__ = [
    "Evaluation", "Finding", "InputError", "Ledger", "LedgerError", "LkeData", "apply_ledger", "ParameterError", "PolicyError", "Rubric", "RubricError",
    "Scores", "TierResult", "ZiError", "__version__", "available_rubrics", "compute", "evaluate", "load_rubric",
    "read_inputs", "score_answers", "score_document", "unit_records", "validate",
]
