"""The triage page (``notebooks/triage.ipynb``, ``zi-nb triage --format html``): which self-assessments (PMPZI) to
check first, in words.

:func:`build` reads the inputs (and a ledger), runs :func:`zi_nb.engine.triage.triage` and, with a quota,
:func:`zi_nb.engine.triage.nominate`; :class:`TriagePage` renders the sections with the Jinja macros of
``templates/zi_triage/index.html.j2`` (autoescape on): :meth:`~TriagePage.intro` (title, what the ranking means),
:meth:`~TriagePage.ranking` (every ranked unit: a table sortable by a button in each column head, filterable by text,
with each unit's reasons in an expandable ``<details>`` and the items to check first) and :meth:`~TriagePage.quota`
(the nomination within the quota). A predikat is never shown bare (:func:`label_predicates`): always with the data
status of its result, and "klaim unit (PMPZI), belum direviu" when no TPI/TPN answered for the unit. The labels,
the signals' names and the order of the reasons are the engine's (:mod:`zi_nb.engine.triage.summary`, shared with the
evaluator app's "Risiko" view); this module re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader

from zi_nb.common.fmt import num
from zi_nb.common.resources import templates_dir
from zi_nb.engine.triage.summary import CLAIM, label_predicates, ordered_reasons, signal_name
from zi_nb.report.html import Html

__all__ = ["CLAIM", "LABELS", "Built", "TriagePage", "build", "label_predicates", "ordered_reasons", "page",
           "signal_name", "top_reasons", "unit_risks"]

TEMPLATE = "zi_triage/index.html.j2"
LABELS: dict[str, dict[str, str]] = {
    "id": {"title": "Triase penilaian mandiri (PMPZI)",
           "lead": "Unit diurutkan menurut risiko: makin tinggi, makin dulu penilaian mandirinya perlu diperiksa. "
                   "Risiko adalah jumlah sinyal berbobot (0 sampai {max}); setiap sinyal disertai alasannya. "
                   "Urutan ini bukan nilai dan bukan predikat: ia hanya menunjukkan mana yang diperiksa lebih dulu.",
           "claim_note": "Predikat unit yang belum dinilai TPI/TPN adalah klaim unit sendiri (PMPZI), belum direviu.",
           "meta": "rubrik {rubric} · {units} unit · bobot {weights}",
           "rank": "Urutan", "unit": "Unit", "instansi": "Instansi", "risk": "Risiko", "predicate": "Predikat",
           "total": "Nilai mandiri", "reviewed": "Nilai TPI/TPN", "why": "Alasan", "check": "Butir diperiksa dulu",
           "ranking": "Urutan pemeriksaan", "filter": "Saring: unit, instansi, alasan, butir...",
           "filter_label": "Saring", "count": "{n} unit", "of": "dari", "units": "unit",
           "sort_hint": "judul kolom mengurutkan (klik, atau Enter/Spasi)", "order": "urutan",
           "default_order": "risiko tertinggi", "asc": "naik", "desc": "turun",
           "no_reason": "tidak ada sinyal", "reasons": "{n} alasan", "more": "lebih dari {n} butir",
           "items_hint": "Butir yang bila diturunkan ke nilai terendah paling cepat mengubah predikat",
           "none_left": "Tidak ada unit yang cocok dengan saringan.", "empty": "Tidak ada unit.",
           "quota": "Usulan dalam kuota ({quota} unit)", "place": "Urutan", "status": "Status", "reason": "Alasan",
           "quota_lead": "Unit yang memenuhi kriteria predikat diurutkan menurut jarak dari batas terdekat dikurangi "
                         "risiko; yang teratas sampai kuota masuk."},
    "en": {"title": "Triage of self-assessments (PMPZI)",
           "lead": "Units are ranked by risk: the higher, the sooner its self-assessment should be checked. The risk "
                   "is the sum of weighted signals (0 to {max}); every signal comes with its reason. The ranking is "
                   "not a score nor a predikat: it only tells which to check first.",
           "claim_note": "The predikat of a unit no TPI/TPN has assessed is the unit's own claim (PMPZI), not "
                         "reviewed.",
           "meta": "rubric {rubric} · {units} units · weights {weights}",
           "rank": "Rank", "unit": "Unit", "instansi": "Instansi", "risk": "Risk", "predicate": "Predikat",
           "total": "Self score", "reviewed": "TPI/TPN score", "why": "Reasons", "check": "Items to check first",
           "ranking": "Order of checking", "filter": "Filter: unit, instansi, reason, item...",
           "filter_label": "Filter", "count": "{n} units", "of": "of", "units": "units",
           "sort_hint": "column heads sort (click, or Enter/Space)", "order": "order",
           "default_order": "highest risk", "asc": "ascending", "desc": "descending",
           "no_reason": "no signal", "reasons": "{n} reasons", "more": "more than {n} items",
           "items_hint": "Items that, set to their lowest value, change the predikat soonest",
           "none_left": "No unit matches the filter.", "empty": "No unit.",
           "quota": "Nomination within the quota ({quota} units)", "place": "Place", "status": "Status",
           "reason": "Reason",
           "quota_lead": "Units meeting the criteria of a predikat are ordered by their distance from the closest "
                         "threshold less their risk; the top ones up to the quota are in."},
}


def top_reasons(result: Any, lang: str = "id") -> dict[str, str]:
    """unit id -> the reason weighing most in its risk ("" when none)."""
    return {u: (pairs[0][1] if pairs else "") for u, pairs in ordered_reasons(result, lang).items()}


@dataclass
class Built:
    """What the page shows: the data read, the triage, the nomination (None without a quota)."""

    data: Any
    result: Any
    nomination: pd.DataFrame | None
    quota: int | None
    lang: str


def build(input_paths: list[str | Path] | None = None, ledger_path: str | Path | None = "", quota: int | None = None,
          lang: str = "id", rubric: str = "zi-2021", policies: dict[str, str] | None = None,
          weights: str | Path | None = None) -> Built:
    """Read ``input_paths`` (default: the bundled sample), apply the ledger (``""``/None: none) and triage."""
    from zi_nb.engine.triage import load_config, nominate, triage
    from zi_nb.errors import InputError
    from zi_nb.lke.inputs import read_inputs
    from zi_nb.lke.sample import bundled_paths

    paths = [Path(p) for p in (input_paths or bundled_paths())]
    data = read_inputs(paths, rubric)
    if data.fatal_files or not data.unit_ids or data.answers.empty:
        errors = [f"{f.location()}: {f.message()}" for f in data.findings if f.severity == "error"]
        raise InputError("Tidak ada unit yang dapat ditriase. " + "; ".join(errors[:5]))
    verdicts = attachments = None
    if ledger_path:
        from zi_nb.review.evidence import attachment_frame, verdict_frame
        from zi_nb.review.ledger import Ledger, apply_ledger

        records = Ledger(ledger_path).records()
        data = apply_ledger(data, records=records)
        verdicts, attachments = verdict_frame(records), attachment_frame(records)
    result = triage(data.answers, data.units, data.rubric, policies or None, load_config(weights), verdicts,
                    attachments)
    nomination = nominate(result, quota) if quota is not None else None
    label_predicates(data, policies or None, result, nomination, lang)
    return Built(data, result, nomination, quota, "en" if lang == "en" else "id")


def unit_risks(data: Any, records: list[Any] | None = None, policies: dict[str, str] | None = None,
               lang: str = "id") -> dict[str, dict[str, Any]]:
    """unit id -> ``risk`` (0..100 with the shipped weights), ``risk_rank`` (1 = check first, among the units of
    ``data``) and ``risk_reason`` (the reason weighing most, "" when none), for the bulk summary; ``records``: the
    ledger records already applied to ``data`` (their document verdicts and attachments feed the evidence signal).
    Earlier periods of a unit are not ranked (absent)."""
    from zi_nb.engine.triage import triage

    verdicts = attachments = None
    if records:
        from zi_nb.review.evidence import attachment_frame, verdict_frame

        verdicts, attachments = verdict_frame(records), attachment_frame(records)
    result = triage(data.answers, data.units, data.rubric, policies or None, None, verdicts, attachments)
    reasons = top_reasons(result, lang)
    return {str(u): {"risk": round(float(r), 4), "risk_rank": int(k), "risk_reason": reasons.get(str(u), "")}
            for u, r, k in zip(result.table["unit_id"], result.table["risk"], result.table["rank"])}


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(templates_dir())), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True)
    env.filters.update(num=num)
    return env


def _value(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


class TriagePage:
    """The sections of the triage page, each an :class:`~zi_nb.report.html.Html` for a notebook cell."""

    def __init__(self, built: Built) -> None:
        self.built = built
        self.lang = built.lang
        self.t = LABELS[self.lang]
        self._macros: Any = None

    def _html(self, section: str, **context: Any) -> Html:
        if self._macros is None:
            self._macros = environment().get_template(TEMPLATE).module
        return Html(str(getattr(self._macros, section)(t=self.t, lang=self.lang, **context)))

    def units(self) -> list[dict[str, Any]]:
        """The ranked units as the table shows them (numbers unformatted, reasons ordered)."""
        result, t = self.built.result, self.t
        reasons = ordered_reasons(result, self.lang)
        rows = []
        for rec in result.table.to_dict("records"):
            items = list(rec["items_to_check"])
            items_text = ", ".join(items) if items else (
                "-" if rec["predicate"] == "TIDAK" else t["more"].format(n=result.config.max_items))
            rows.append({"rank": int(rec["rank"]), "unit_id": str(rec["unit_id"]), "unit_name": str(rec["unit_name"]),
                         "instansi": str(rec["instansi"] or ""), "risk": float(rec["risk"]),
                         "predicate": str(rec["predicate"]), "predicate_text": str(rec["predicate_text"]),
                         "total_unit": _value(rec["total_unit"]), "total_reviewed": _value(rec["total_reviewed"]),
                         "reasons": [{"signal": s, "name": signal_name(s, self.lang), "text": x}
                                     for s, x in reasons.get(str(rec["unit_id"]), [])],
                         "items": items, "items_text": items_text})
        return rows

    def intro(self) -> Html:
        result = self.built.result
        rubric = result.unit_scores.rubric
        table = result.table
        return self._html("intro", rubric=rubric.id, count=len(table),
                          maximum=num(sum(result.config.weights.values()), 0, self.lang),
                          weights=Path(result.config.source).name,
                          claims=bool(table["total_reviewed"].isna().any()))

    def ranking(self) -> Html:
        return self._html("ranking", units=self.units())

    def quota(self) -> Html | None:
        """The nomination within the quota; None without a quota."""
        nomination = self.built.nomination
        if nomination is None:
            return None
        en = self.lang == "en"
        rows = [{"place": "" if pd.isna(r["place"]) else int(r["place"]), "unit_id": str(r["unit_id"]),
                 "status": r["status_en" if en else "status"], "predicate_text": str(r["predicate_text"]),
                 "reason": str(r["reason_en" if en else "reason"])} for r in nomination.to_dict("records")]
        return self._html("quota", rows=rows, quota=self.built.quota)


def page(input_paths: list[str | Path] | None = None, ledger_path: str | Path | None = "", quota: int | None = None,
         lang: str = "id", rubric: str = "zi-2021", policies: dict[str, str] | None = None,
         weights: str | Path | None = "") -> TriagePage:
    """The page of the notebook's parameters (:func:`build`, then :class:`TriagePage`)."""
    return TriagePage(build(input_paths, ledger_path, quota, lang, rubric, policies, weights or None))


def render_html(output: Path, input_paths: list[str | Path], ledger_path: str | Path | None = "",
                quota: int | None = None, lang: str = "id", rubric: str = "zi-2021",
                policies: dict[str, str] | None = None, weights: str | Path | None = "") -> Path:
    """Execute ``notebooks/triage.ipynb`` with papermill (a fresh kernel) and export it as a self-contained page
    without code cells (:func:`zi_nb.report.runner.export_html`); the executed notebook is not kept."""
    import tempfile

    import papermill as pm

    from zi_nb.common.resources import notebook
    from zi_nb.errors import ReportError
    from zi_nb.report.kernel import fresh_kernel
    from zi_nb.report.runner import export_html

    source = notebook("triage")
    params = {"input_paths": [str(Path(p).resolve()) for p in input_paths],
              "ledger_path": str(Path(ledger_path).resolve()) if ledger_path else "", "quota": quota, "lang": lang,
              "rubric": str(Path(rubric).resolve()) if Path(rubric).suffix in (".yaml", ".yml") else rubric,
              "policies": dict(policies or {}), "weights": str(Path(weights).resolve()) if weights else ""}
    with tempfile.TemporaryDirectory(prefix="zi-triage-") as tmp:
        executed = Path(tmp) / "triage.ipynb"
        try:
            with fresh_kernel() as worker:
                pm.execute_notebook(str(source), str(executed), parameters=params, kernel_name="python3",
                                    progress_bar=False, cwd=str(source.parent), language="python", km=worker.km,
                                    request_save_on_cell_execute=False)
        except pm.PapermillExecutionError as exc:
            raise ReportError(f"Notebook triase gagal: {exc.ename}: {exc.evalue}") from None
        title = LABELS["en" if lang == "en" else "id"]["title"]
        return export_html(executed, Path(output), f"zi-nb · {title}")
