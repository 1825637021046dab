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

The package's rooms, each depending only on those listed before it (``tests/test_architecture.py``):

    common   domain constants, text and number formatting, findings, files, bundled resources
    engine   rubric, answers, scores per tier, predikat, validation, results, next-predikat plan
    lke      readers and writers of spreadsheets (long format, template, circulated workbooks, sample)
    review   the hash-chained reviewer ledger, decisions and revocations
    report   the LHE: report model, HTML sections, charts, notebook runner and report kernel
    audit    run manifests, run records, audit verify/replay
    bulk     zi-nb bulk: plan, executors, warm workers, run record, summary page
    app      the evaluator app (ipywidgets) and its voila server
    cli      the zi-nb command line
"""

from __future__ import annotations

from zi_nb.common.findings import Finding
from zi_nb.common.version import __version__
from zi_nb.engine.dataset import LkeData
from zi_nb.engine.predicate import Evaluation, evaluate
from zi_nb.engine.results import TierResult, compute, score_document, unit_records
from zi_nb.engine.rubric import Rubric, available_rubrics, load_rubric
from zi_nb.engine.scoring import Scores, score_answers
from zi_nb.engine.validate import validate
from zi_nb.errors import (
    InputError,
    LedgerError,
    ParameterError,
    PolicyError,
    ReportError,
    RubricError,
    WorkerError,
    ZiError,
)
from zi_nb.lke.inputs import read_inputs
from zi_nb.review.ledger import Ledger, apply_ledger

__all__ = [
    "Evaluation",
    "Finding",
    "InputError",
    "Ledger",
    "LedgerError",
    "LkeData",
    "ParameterError",
    "PolicyError",
    "ReportError",
    "Rubric",
    "RubricError",
    "Scores",
    "TierResult",
    "WorkerError",
    "ZiError",
    "__version__",
    "apply_ledger",
    "available_rubrics",
    "compute",
    "evaluate",
    "load_rubric",
    "read_inputs",
    "score_answers",
    "score_document",
    "unit_records",
    "validate",
]
