"""``zi-nb triage``: which self-assessments (PMPZI) to check first, and which units to propose within a quota.

Exit status: 0 the ranking was written; 2 nothing usable was read (no unit, a file that cannot be read at all), or a
parameter cannot be used (``--format xlsx`` or ``html`` without ``-o``, a weights file that is not valid).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import click
import pandas as pd

from zi_nb.cli.common import echo_findings, ledger_path, parse_policies, read_data

HEADERS = {
    "id": {"rank": "Urutan", "unit": "Unit", "instansi": "Instansi", "risk": "Risiko", "predicate": "Predikat",
           "total": "Nilai mandiri", "reviewed": "Nilai TPI/TPN", "why": "Alasan utama",
           "items": "Butir diperiksa dulu",
           "title": "Triase penilaian mandiri (PMPZI): periksa lebih dulu yang teratas",
           "quota": "Usulan dalam kuota", "status": "Status", "place": "Urutan", "reason": "Alasan",
           "more": "lebih dari {n} butir", "none": "-"},
    "en": {"rank": "Rank", "unit": "Unit", "instansi": "Instansi", "risk": "Risk", "predicate": "Predikat",
           "total": "Self score", "reviewed": "TPI/TPN score", "why": "Main reasons", "items": "Items to check first",
           "title": "Triage of self-assessments (PMPZI): check the top ones first",
           "quota": "Nomination within the quota", "status": "Status", "place": "Place", "reason": "Reason",
           "more": "more than {n} items", "none": "-"},
}
REASONS_SHOWN = 2


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--ledger", default=None, help="Ledger penilai yang diterapkan (bawaan: $ZI_NB_LEDGER; tanpa keduanya: "
                                             "tanpa ledger); penilaian bukti dukungnya ikut dipakai.")
@click.option("--quota", type=click.IntRange(min=0), default=None,
              help="Kuota usulan: unit yang memenuhi kriteria diurutkan, yang masuk dan yang di luar kuota.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "xlsx", "html"]), default="table",
              show_default=True, help="html: halaman notebooks/triage.ipynb (papermill), tanpa sel kode.")
@click.option("-o", "--output", default=None, help="Berkas keluaran (wajib untuk xlsx dan html; bawaan: layar).")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--rubric", default="zi-2021", show_default=True, help="Id rubrik bawaan atau berkas YAML.")
@click.option("--policy", "policy", multiple=True, help="Kebijakan nama=nilai (boleh berulang).")
@click.option("--bobot", "weights", default=None, help="Berkas bobot triase YAML (bawaan: triage-bobot.yaml bawaan).")
@click.option("--top", type=click.IntRange(min=1), default=None, help="Hanya N unit teratas pada tabel.")
def triage(paths: tuple[str, ...], ledger: str | None, quota: int | None, fmt: str, output: str | None, lang: str,
           rubric: str, policy: tuple[str, ...], weights: str | None, top: int | None) -> None:
    """Urutkan penilaian mandiri yang perlu diperiksa lebih dulu (risiko dari sinyal berbobot, tiap sinyal dengan
    alasannya), dan bila --quota diberikan: unit yang diusulkan dalam kuota, yang di luar kuota, dan yang akan masuk
    bila satu kriteria terpenuhi.

    Status keluar: 0 berhasil, 2 tidak ada yang dapat dinilai atau parameter tidak dapat dipakai.
    """
    from zi_nb.engine.triage import load_config, nominate
    from zi_nb.engine.triage import triage as run_triage
    from zi_nb.report.triage_page import label_predicates

    if fmt in ("xlsx", "html") and not output:
        raise click.BadParameter(f"format {fmt} memerlukan berkas keluaran: -o BERKAS.{fmt}", param_hint="--format")
    policies = parse_policies(policy)
    config = load_config(weights)
    chosen = ledger_path(ledger)
    data = read_data(paths, rubric)
    data.rubric.policy_values(policies)
    if data.fatal_files or not data.unit_ids or data.answers.empty:
        echo_findings([f for f in data.findings if f.severity == "error"], lang)
        click.echo("Tidak ada unit yang dapat ditriase.", err=True)
        sys.exit(2)
    verdicts = attachments = None
    if chosen is not None:
        from zi_nb.review.evidence import attachment_frame, verdict_frame
        from zi_nb.review.ledger import Ledger, apply_ledger

        records = Ledger(chosen).records()
        data = apply_ledger(data, records=records)
        verdicts, attachments = verdict_frame(records), attachment_frame(records)
    if fmt == "html":  # the page of notebooks/triage.ipynb, run with papermill (zi_nb.report.triage_page)
        from zi_nb.report.triage_page import render_html

        render_html(Path(str(output)), list(paths), chosen or "", quota, lang, rubric, policies, weights)
        click.echo(f"Ditulis: {output}", err=True)
        return
    result = run_triage(data.answers, data.units, data.rubric, policies or None, config, verdicts, attachments)
    nomination = nominate(result, quota) if quota is not None else None
    label_predicates(data, policies or None, result, nomination, lang)
    if fmt == "json":
        _write(output, json.dumps(document(result, nomination, lang), ensure_ascii=False, indent=2))
    elif fmt == "xlsx":
        write_xlsx(Path(str(output)), result, nomination, lang)
        click.echo(f"Ditulis: {output}", err=True)
    else:
        _write(output, render_table(result, nomination, lang, top))


def _write(output: str | None, text: str) -> None:
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
        click.echo(f"Ditulis: {output}", err=True)
    else:
        click.echo(text)


def _items_text(items: list[str], predicate: str, max_items: int, lang: str) -> str:
    if items:
        return ", ".join(items)
    return HEADERS[lang]["none"] if predicate == "TIDAK" else HEADERS[lang]["more"].format(n=max_items)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def document(result: Any, nomination: pd.DataFrame | None, lang: str) -> dict[str, Any]:
    """The JSON document: rubric, weights, every ranked unit with signals, reasons and items, and the nomination."""
    text = "text_en" if lang == "en" else "text"
    units = []
    for rec in result.table.to_dict("records"):
        reasons = result.reasons[result.reasons["unit_id"].eq(rec["unit_id"])]
        units.append({
            "rank": int(rec["rank"]), "unit_id": rec["unit_id"], "unit_name": rec["unit_name"],
            "instansi": rec["instansi"], "year": _plain(rec["year"]), "risk": round(float(rec["risk"]), 4),
            "predicate": rec["predicate"], "predicate_text": rec["predicate_text"],
            "total_unit": _plain(rec["total_unit"]),
            "total_reviewed": _plain(rec["total_reviewed"]),
            "signals": {k[2:]: round(float(v), 4) for k, v in rec.items() if k.startswith("s_")},
            "reasons": [{"signal": s, "text": t} for s, t in zip(reasons["signal"], reasons[text])],
            "items_to_check": list(rec["items_to_check"]),
        })
    rubric = result.unit_scores.rubric
    doc: dict[str, Any] = {"rubric": {"id": rubric.id, "hash": rubric.content_hash},
                           "weights": {"file": result.config.source, **result.config.weights}, "units": units}
    if nomination is not None:
        reason = "reason_en" if lang == "en" else "reason"
        doc["nomination"] = [{"place": _plain(r["place"]) if not pd.isna(r["place"]) else None,
                              "unit_id": r["unit_id"], "status": r["status"], "predicate": r["predicate"],
                              "predicate_text": r["predicate_text"],
                              "margin": _plain(r["margin"]), "risk": _plain(r["risk"]), "reason": r[reason]}
                             for r in nomination.to_dict("records")]
    return doc


def render_table(result: Any, nomination: pd.DataFrame | None, lang: str, top: int | None) -> str:
    from rich.console import Console
    from rich.table import Table

    from zi_nb.common.fmt import num

    h = HEADERS[lang]
    table = Table(title=h["title"])
    for key, justify in [("rank", "right"), ("unit", "left"), ("instansi", "left"), ("risk", "right"),
                         ("predicate", "left"), ("total", "right"), ("reviewed", "right"), ("why", "left"),
                         ("items", "left")]:
        table.add_column(h[key], justify=justify)  # type: ignore[arg-type]
    text = "text_en" if lang == "en" else "text"
    shown = result.table if top is None else result.table.head(top)
    for rec in shown.to_dict("records"):
        reasons = result.reasons[result.reasons["unit_id"].eq(rec["unit_id"])]
        order = {s: -float(rec[f"s_{s}"]) * result.config.weights[s] for s in reasons["signal"].unique()}
        picked = sorted(zip(reasons["signal"], reasons[text]), key=lambda p: order[p[0]])[:REASONS_SHOWN]
        table.add_row(str(rec["rank"]), str(rec["unit_name"]), str(rec["instansi"] or "-"),
                      num(rec["risk"], 1, lang), str(rec["predicate_text"]), num(rec["total_unit"], lang=lang),
                      num(rec["total_reviewed"], lang=lang), "; ".join(t for _, t in picked) or h["none"],
                      _items_text(rec["items_to_check"], rec["predicate"], result.config.max_items, lang))
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(table)
    if nomination is not None:
        quota_table = Table(title=h["quota"])
        for key in ("place", "unit", "status", "predicate", "reason"):
            quota_table.add_column(h[key])
        for r in nomination.to_dict("records"):
            quota_table.add_row("" if pd.isna(r["place"]) else str(r["place"]), str(r["unit_id"]),
                                r["status_en" if lang == "en" else "status"], str(r["predicate_text"]),
                                str(r["reason_en" if lang == "en" else "reason"]))
        console.print(quota_table)
    return console.export_text().rstrip()


def write_xlsx(path: Path, result: Any, nomination: pd.DataFrame | None, lang: str) -> None:
    """Sheets ``triase`` (the ranking), ``alasan`` (every reason) and ``kuota`` (with --quota)."""
    from zi_nb.common.files import atomic_path
    from zi_nb.lke.xlsx import safe_text

    ranking = result.table.assign(items_to_check=result.table["items_to_check"].map(", ".join))
    reasons = result.reasons.drop(columns="text" if lang == "en" else "text_en")
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        ranking.map(safe_text).to_excel(writer, sheet_name="triase", index=False)
        reasons.map(safe_text).to_excel(writer, sheet_name="alasan", index=False)
        if nomination is not None:
            nomination.map(safe_text).to_excel(writer, sheet_name="kuota", index=False)


COMMANDS = [triage]
