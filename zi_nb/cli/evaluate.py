"""Commands on inputs: ``validate``, ``score``, ``report``, ``template``, ``sample``, ``rubric`` and ``demo``.

Exit status of ``score``: 0 when every unit's result is ``final`` or ``belum lengkap`` (items unanswered, no data
error); 1 when any unit's result is ``sementara`` (data errors concerning that unit and tier; the output is still
written in full, its predikat shown as "belum dapat ditetapkan"), or with ``--strict`` when the data holds any error
at all (also in tiers the chosen view does not read); 2 when nothing usable was read or no unit has answers in the tier.
``validate``: 0 clean (warnings allowed), 1 errors, 2 a file that cannot be read at all or no unit answered anything
(an empty template: nothing to score, as ``score`` says). Besides the structural findings of the files, ``validate``
gives the bukti dukung findings (warnings, :func:`zi_nb.review.evidence.evidence_check`: items answered above their
lowest value without evidence, links the evaluator cannot open, evidence reused, documents an evaluator rejected),
with the ledger's answers, verdicts and attachments applied when a ledger is in use (``--ledger``, else
``ZI_NB_LEDGER``); the structural validation reads the files alone.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from zi_nb.cli.common import (
    TIER_OPTION,
    echo_findings,
    last_ledger_seq,
    ledger_path,
    parse_policies,
    print_table,
    read_data,
    report_problems,
    summary_line,
    with_ledger,
)
from zi_nb.common.domain import STATUS_PROVISIONAL
from zi_nb.common.findings import Finding, has_errors


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--rubric", default="zi-2021", show_default=True, help="Id rubrik bawaan atau berkas YAML.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--policy", "policy", multiple=True, help="Kebijakan nama=nilai (boleh berulang).")
@click.option("--ledger", default=None, help="Ledger penilai: jawaban, penilaian bukti dukung dan lampirannya ikut "
                                             "diperiksa (bawaan: $ZI_NB_LEDGER; tanpa keduanya: tanpa ledger).")
def validate(paths: tuple[str, ...], rubric: str, fmt: str, lang: str, policy: tuple[str, ...],
             ledger: str | None) -> None:
    """Periksa berkas LKE: setiap temuan dengan berkas, lembar, sel/baris, kode butir dan pesan, termasuk bukti
    dukung (peringatan).

    Status keluar: 0 bersih (boleh ada peringatan), 1 ada galat, 2 ada berkas yang sama sekali tidak dapat dibaca
    atau tidak ada unit yang menjawab satu butir pun (templat kosong: sama seperti `score`).
    """
    from zi_nb.engine.answers import is_blank
    from zi_nb.engine.validate import validate as run_validate

    policies = parse_policies(policy)
    chosen_ledger = ledger_path(ledger)  # a ledger given but not found stops here, before any work
    data = read_data(paths, rubric)
    findings = [*run_validate(data, policies), *evidence_findings(data, chosen_ledger, policies)]
    # units that answered at least one item in some tier: none (an empty template) means nothing to score, as `score`
    with_answers = set(data.answers.loc[~data.answers["raw"].map(is_blank).astype(bool), "unit_id"])
    answered = [u for u in data.unit_ids if u in with_answers]
    if fmt == "json":
        doc = {"rubric": {"id": data.rubric.id, "hash": data.rubric.content_hash},
               "files": data.files, "units": data.unit_ids, "units_answered": answered,
               "summary": {"errors": sum(f.severity == "error" for f in findings),
                           "warnings": sum(f.severity == "warning" for f in findings)},
               "findings": [f.to_dict(lang) for f in findings]}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        echo_findings(findings, lang, err=False)
        shown = f" ({len(answered)} dengan jawaban)" if len(answered) < len(data.unit_ids) else ""
        click.echo(f"{len(data.files)} berkas, {len(data.unit_ids)} unit{shown}: {summary_line(findings)}")
    if not data.fatal_files and not answered:
        click.echo(("Belum ada jawaban yang terisi: " + ", ".join(f"unit '{u}'" for u in data.unit_ids) +
                    " belum menjawab satu butir pun (templat kosong?); tidak ada yang dapat dinilai.")
                   if data.unit_ids else "Tidak ada unit yang dapat dinilai.", err=True)
    sys.exit(2 if data.fatal_files or not answered else 1 if has_errors(findings) else 0)


def evidence_findings(data: Any, ledger: Path | None, policies: dict[str, str]) -> list[Finding]:
    """The bukti dukung findings of ``validate``: of the data with the ledger's answers applied (the structural
    findings stay those of the files), with the ledger's verdicts and attachments; none without answers."""
    from zi_nb.review.evidence import evidence_check
    from zi_nb.review.ledger import Ledger, apply_ledger

    if data.answers.empty or not data.unit_ids:
        return []
    records = Ledger(ledger).records() if ledger is not None else []
    checked = apply_ledger(data, records=records) if records else data
    return evidence_check(checked, records, "final", policies or None)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--tier", type=TIER_OPTION, default="final", show_default=True,
              help="Tingkat penilai: unit (PMPZI), tpi, tpn, atau final (tingkat terakhir yang menjawab).")
@click.option("--policy", "policy", multiple=True, help="Kebijakan nama=nilai, misalnya unanswered=zero.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--rubric", default="zi-2021", show_default=True)
@click.option("--strict", is_flag=True,
              help="Keluar dengan status 1 bila ada galat apa pun pada data (juga pada tingkat yang tidak dinilai).")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--ledger", default=None, help="Ledger penilai yang diterapkan (bawaan: $ZI_NB_LEDGER; tanpa keduanya: "
                                             "tanpa ledger).")
def score(paths: tuple[str, ...], tier: str, policy: tuple[str, ...], fmt: str, rubric: str, strict: bool,
          lang: str, ledger: str | None) -> None:
    """Hitung nilai, predikat dan status data setiap unit.

    Status keluar: 0 semua hasil final atau belum lengkap, 1 ada unit berstatus sementara (galat data; keluaran
    tetap ditulis lengkap) atau --strict dan ada galat, 2 tidak ada yang dapat dinilai.
    """
    from zi_nb.engine.results import score_document, summary_frame
    from zi_nb.engine.validate import validate as run_validate

    policies = parse_policies(policy)
    data = with_ledger(read_data(paths, rubric), ledger)
    data.rubric.policy_values(policies)  # refuse unknown policies before any work
    findings = run_validate(data, policies)
    report_problems(data, findings, lang)
    doc = score_document(data, [tier], policies, findings)
    if fmt == "json":
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        from zi_nb.lke.xlsx import safe_text

        # text that a spreadsheet would take for a formula (= + - @ ...) is written as text
        click.echo(summary_frame(doc["units"]).map(safe_text).to_csv(index=False), nl=False)
    else:
        print_table(doc, data.rubric, lang)
    if not doc["units"]:
        click.echo(f"Tidak ada unit dengan jawaban pada tingkat '{tier}'.", err=True)
        sys.exit(2)
    provisional = any(u["status"] == STATUS_PROVISIONAL for u in doc["units"])
    sys.exit(1 if provisional or (strict and has_errors(findings)) else 0)


@click.command()
@click.argument("input_path", type=click.Path(dir_okay=False))
@click.option("--unit", "units", multiple=True, help="Unit yang dilaporkan (boleh berulang); bawaan: semua unit.")
@click.option("--units-file", default="", help="Berkas metadata unit tambahan.")
@click.option("--tier", type=TIER_OPTION, default="final", show_default=True)
@click.option("--policy", "policy", multiple=True, help="Kebijakan nama=nilai.")
@click.option("--rubric", default="zi-2021", show_default=True)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--run-id", default=None, help="Id proses (bawaan: dibuat dari waktu dan masukan).")
@click.option("--ledger", default="", help="Berkas ledger penilai (bawaan: $ZI_NB_LEDGER; tanpa keduanya: tanpa "
                                           "ledger).")
@click.option("--pdf", is_flag=True, help="Tulis juga PDF (memerlukan Chromium).")
@click.option("--docx", is_flag=True, help="Tulis juga LHE sebagai dokumen Word (.docx) dari templat Word.")
@click.option("--settings", "settings_file", default="", type=click.Path(dir_okay=False),
              help="Berkas pengaturan evaluasi (YAML: instansi, kop, logo, nomor, periode, tanggal, tempat, tim).")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Folder keluaran.")
def report(input_path: str, units: tuple[str, ...], units_file: str, tier: str, policy: tuple[str, ...], rubric: str,
           lang: str, run_id: str | None, ledger: str, pdf: bool, docx: bool, settings_file: str, output: str) -> None:
    """Buat LHE (notebook .ipynb dan .html, opsional .pdf dan .docx) per unit dengan papermill."""
    import time

    from zi_nb.errors import ReportError
    from zi_nb.report.pdf import PdfPrinter
    from zi_nb.report.runner import report_parameters, run_report
    from zi_nb.report.settings import load_settings

    policies = parse_policies(policy)
    load_settings(settings_file)  # a malformed settings file stops here, with its line, before any work
    data = read_data((input_path, units_file) if units_file else (input_path,), rubric)
    data.rubric.policy_values(policies)
    if data.fatal_files or not data.unit_ids:
        echo_findings([f for f in data.findings if f.severity == "error"], lang)
        click.echo("Tidak ada unit yang dapat dilaporkan.", err=True)
        sys.exit(2)
    chosen = list(units) or data.unit_ids
    unknown = [u for u in chosen if u not in data.unit_ids]
    if unknown:
        click.echo(f"Unit tidak ada dalam masukan: {', '.join(unknown)}. Unit yang ada: {', '.join(data.unit_ids)}",
                   err=True)
        sys.exit(2)
    run_id = run_id or time.strftime("%Y%m%dT%H%M%S")
    ledger = str(ledger_path(ledger) or "")  # the one ledger rule, stored absolute in the parameters and manifest
    seq = last_ledger_seq(ledger)
    entries = []
    with PdfPrinter() as printer:  # one browser for every PDF of this run, started at the first one
        for unit_id in chosen:
            params = report_parameters(input_path, unit_id, units_path=units_file, tier=tier, rubric=rubric,
                                       policies=policies, lang=lang, run_id=run_id, ledger_path=ledger,
                                       ledger_seq=seq, settings_path=settings_file)
            try:
                files = run_report(params, Path(output), pdf=pdf, docx=docx, printer=printer)
                click.echo(f"{unit_id}: {files.html}" + "".join(f", {p}" for p in (files.pdf, files.docx) if p))
                entries.append({"unit_id": unit_id, "params": params,
                                "outputs": [p for p in (files.notebook, files.html, files.pdf, files.docx) if p]})
            except ReportError as exc:
                click.echo(f"GALAT {unit_id}: {exc}", err=True)
                entries.append({"unit_id": unit_id, "params": params, "status": "failed", "error": str(exc)})
    from zi_nb.audit.run_record import record_run

    manifest = record_run(Path(output), run_id, data, entries, tier, policies, ledger or None,
                          [Path(input_path), *([Path(units_file)] if units_file else [])],
                          settings=Path(settings_file) if settings_file else None)
    click.echo(f"Manifest: {manifest}")
    failed = sum(e.get("status") == "failed" for e in entries)
    sys.exit(1 if failed else 0)


@click.command()
@click.option("--unit", "unit_name", required=True, help="Nama unit kerja.")
@click.option("--unit-id", default=None, help="Id unit (bawaan: dari nama).")
@click.option("--instansi", default=None)
@click.option("--year", type=int, default=None)
@click.option("--rubric", default="zi-2021", show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Berkas .xlsx tujuan.")
def template(unit_name: str, unit_id: str | None, instansi: str | None, year: int | None, rubric: str,
             output: str) -> None:
    """Tulis templat LKE kosong untuk satu unit (dengan daftar pilihan jawaban dan kriteria)."""
    from zi_nb.common.text import slug
    from zi_nb.engine.rubric import load_rubric
    from zi_nb.lke.template import write_template

    write_template(Path(output), load_rubric(rubric), unit_id or slug(unit_name), unit_name, instansi, year)
    click.echo(f"Templat LKE ditulis: {output}")


@click.command()
@click.option("--units", "count", type=click.IntRange(1, 100_000), default=12, show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False))
@click.option("--seed", type=int, default=2021, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "lke"]), default="csv", show_default=True,
              help="csv/xlsx: format panjang (jawaban + metadata unit); lke: satu buku kerja LKE edaran per unit.")
def sample(count: int, output: str, seed: int, fmt: str) -> None:
    """Tulis N unit sintetis yang deterministik (untuk uji dan tolok ukur)."""
    from zi_nb.lke.sample import write_synthetic

    paths = write_synthetic(Path(output), count, seed, fmt)
    click.echo(f"{count} unit sintetis ditulis ke {output} ({len(paths)} berkas).")


@click.command()
@click.argument("ref", default="zi-2021")
def rubric(ref: str) -> None:
    """Periksa dan tampilkan rubrik (id bawaan atau berkas YAML): id, hash, jumlah butir, kebijakan."""
    from zi_nb.engine.rubric import available_rubrics, load_rubric

    r = load_rubric(ref)
    click.echo(f"{r.id}: {r.title}\n  sumber: {r.source}\n  hash: {r.content_hash}")
    click.echo(f"  {len(r.items)} butir dinilai, {len(r.input_codes)} isian Jumlah, {len(r.indicators)} indikator")
    for name, p in r.policies.items():
        click.echo(f"  kebijakan {name} = {p.default} (pilihan: {', '.join(p.choices)})")
    click.echo(f"  rubrik bawaan: {', '.join(available_rubrics())}")


@click.command()
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
def demo(lang: str) -> None:
    """Pekerjaan utama pada data contoh bawaan: validasi lalu nilai dan predikat setiap unit."""
    from zi_nb.engine.results import score_document
    from zi_nb.engine.validate import validate as run_validate
    from zi_nb.lke.sample import bundled_paths

    paths = tuple(str(p) for p in bundled_paths())
    data = read_data(paths, "zi-2021")
    findings = run_validate(data)
    click.echo(f"Data contoh: {len(data.unit_ids)} unit dari {len(paths)} berkas. Validasi: {summary_line(findings)}")
    echo_findings([f for f in findings if f.severity == "error"], lang, err=False, limit=10)
    print_table(score_document(data, ["final"], findings=findings), data.rubric, lang)


COMMANDS = [validate, score, report, template, sample, rubric, demo]
