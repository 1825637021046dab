"""Commands on inputs: ``validate``, ``score``, ``report``, ``template``, ``sample``, ``rubric`` and ``demo``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from zi_nb.cli.common import (
    TIER_OPTION,
    echo_findings,
    last_ledger_seq,
    parse_policies,
    print_table,
    read_data,
    report_problems,
    summary_line,
    with_ledger,
)
from zi_nb.common.findings import has_errors


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--rubric", default="zi-2021", show_default=True, help="Id rubrik bawaan atau berkas YAML.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--policy", "policy", multiple=True, help="Kebijakan nama=nilai (boleh berulang).")
def validate(paths: tuple[str, ...], rubric: str, fmt: str, lang: str, policy: tuple[str, ...]) -> None:
    """Periksa berkas LKE: setiap temuan dengan berkas, lembar, sel/baris, kode butir dan pesan.

    Status keluar: 0 bersih (boleh ada peringatan), 1 ada galat, 2 ada berkas yang sama sekali tidak dapat dibaca.
    """
    from zi_nb.engine.validate import validate as run_validate

    data = read_data(paths, rubric)
    findings = run_validate(data, parse_policies(policy))
    if fmt == "json":
        doc = {"rubric": {"id": data.rubric.id, "hash": data.rubric.content_hash},
               "files": data.files, "units": data.unit_ids,
               "summary": {"errors": sum(f.severity == "error" for f in findings),
                           "warnings": sum(f.severity == "warning" for f in findings)},
               "findings": [f.to_dict(lang) for f in findings]}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        echo_findings(findings, lang, err=False)
        click.echo(f"{len(data.files)} berkas, {len(data.unit_ids)} unit: {summary_line(findings)}")
    sys.exit(2 if data.fatal_files else 1 if has_errors(findings) else 0)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--tier", type=TIER_OPTION, default="final", show_default=True,
              help="Tingkat penilai: unit (PMPZI), tpi, tpn, atau final (tingkat terakhir yang menjawab).")
@click.option("--policy", "policy", multiple=True, help="Kebijakan nama=nilai, misalnya unanswered=zero.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--rubric", default="zi-2021", show_default=True)
@click.option("--strict", is_flag=True, help="Keluar dengan status 1 bila ada galat pada data.")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--ledger", default=None, help="Ledger penilai yang diterapkan (bawaan: tidak ada).")
def score(paths: tuple[str, ...], tier: str, policy: tuple[str, ...], fmt: str, rubric: str, strict: bool,
          lang: str, ledger: str | None) -> None:
    """Hitung nilai dan predikat setiap unit."""
    from zi_nb.engine.results import score_document, summary_frame
    from zi_nb.engine.validate import validate as run_validate

    policies = parse_policies(policy)
    data = with_ledger(read_data(paths, rubric), ledger)
    data.rubric.policy_values(policies)  # refuse unknown policies before any work
    findings = run_validate(data, policies)
    report_problems(data, findings, lang)
    doc = score_document(data, [tier], policies)
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
    sys.exit(1 if strict and has_errors(findings) else 0)


@click.command()
@click.argument("input_path", type=click.Path(dir_okay=False))
@click.option("--unit", "units", multiple=True, help="Unit yang dilaporkan (boleh berulang); bawaan: semua unit.")
@click.option("--units-file", default="", help="Berkas metadata unit tambahan.")
@click.option("--tier", type=TIER_OPTION, default="final", show_default=True)
@click.option("--policy", "policy", multiple=True, help="Kebijakan nama=nilai.")
@click.option("--rubric", default="zi-2021", show_default=True)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--run-id", default=None, help="Id proses (bawaan: dibuat dari waktu dan masukan).")
@click.option("--ledger", default="", help="Berkas ledger penilai (opsional).")
@click.option("--pdf", is_flag=True, help="Tulis juga PDF (memerlukan Chromium).")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Folder keluaran.")
def report(input_path: str, units: tuple[str, ...], units_file: str, tier: str, policy: tuple[str, ...], rubric: str,
           lang: str, run_id: str | None, ledger: str, pdf: bool, output: str) -> None:
    """Buat LHE (notebook .ipynb dan .html, opsional .pdf) per unit dengan papermill."""
    import time

    from zi_nb.errors import ReportError
    from zi_nb.report.runner import report_parameters, run_report

    policies = parse_policies(policy)
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
    ledger = ledger or os.environ.get("ZI_NB_LEDGER", "")
    seq = last_ledger_seq(ledger)
    entries = []
    for unit_id in chosen:
        params = report_parameters(input_path, unit_id, units_path=units_file, tier=tier, rubric=rubric,
                                   policies=policies, lang=lang, run_id=run_id, ledger_path=ledger,
                                   ledger_seq=seq)
        try:
            files = run_report(params, Path(output), pdf=pdf)
            click.echo(f"{unit_id}: {files.html}" + (f", {files.pdf}" if files.pdf else ""))
            entries.append({"unit_id": unit_id, "params": params,
                            "outputs": [p for p in (files.notebook, files.html, files.pdf) if p]})
        except ReportError as exc:
            click.echo(f"GALAT {unit_id}: {exc}", err=True)
            entries.append({"unit_id": unit_id, "params": params, "status": "failed", "error": str(exc)})
    from zi_nb.audit.run_record import record_run

    manifest = record_run(Path(output), run_id, data, entries, tier, policies, ledger or None,
                          [Path(input_path), *([Path(units_file)] if units_file else [])])
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
    print_table(score_document(data, ["final"]), data.rubric, lang)


COMMANDS = [validate, score, report, template, sample, rubric, demo]
