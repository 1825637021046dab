"""The ``zi-nb`` command line. Messages are in Bahasa Indonesia; ``--lang en`` switches findings to English.

Exit status: 0 success; 1 the input has errors (``validate``, or ``score --strict``); 2 the input or a parameter
cannot be used at all (unreadable file, missing columns, unknown policy...); 3 an internal error (a bug: run with
``ZI_NB_DEBUG=1`` to see the traceback). No traceback is shown for bad input.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import ZiError
from .findings import Finding, has_errors

TIER_OPTION = click.Choice(["unit", "tpi", "tpn", "final"])


def _parse_policies(values: tuple[str, ...]) -> dict[str, str]:
    policies = {}
    for v in values:
        if "=" not in v:
            raise click.BadParameter(f"'{v}': gunakan bentuk nama=nilai, misalnya unanswered=zero",
                                     param_hint="--policy")
        key, value = v.split("=", 1)
        policies[key.strip()] = value.strip()
    return policies


def _echo_findings(findings: list[Finding], lang: str, err: bool = True, limit: int | None = None) -> None:
    shown = findings if limit is None else findings[:limit]
    for f in shown:
        click.echo(f.render(lang), err=err)
    if limit is not None and len(findings) > limit:
        click.echo(f"... dan {len(findings) - limit} temuan lain (lihat `zi-nb validate`).", err=err)


def _summary_line(findings: list[Finding]) -> str:
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    return f"{errors} galat, {warnings} peringatan."


def _read(paths: tuple[str, ...], rubric: str):
    from .inputs import read_inputs

    return read_inputs(list(paths), rubric)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zi-nb")
def cli() -> None:
    """zi-nb: workbench evaluasi Zona Integritas (Menuju WBK / WBBM)."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--rubric", default="zi-2021", show_default=True, help="Id rubrik bawaan atau berkas YAML.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--policy", "policy", multiple=True, help="Kebijakan nama=nilai (boleh berulang).")
def validate(paths: tuple[str, ...], rubric: str, fmt: str, lang: str, policy: tuple[str, ...]) -> None:
    """Periksa berkas LKE: setiap temuan dengan berkas, lembar, sel/baris, kode butir dan pesan.

    Status keluar: 0 bersih (boleh ada peringatan), 1 ada galat, 2 ada berkas yang sama sekali tidak dapat dibaca.
    """
    from .validate import validate as run_validate

    data = _read(paths, rubric)
    findings = run_validate(data, _parse_policies(policy))
    if fmt == "json":
        doc = {"rubric": {"id": data.rubric.id, "hash": data.rubric.content_hash},
               "files": data.files, "units": data.unit_ids,
               "summary": {"errors": sum(f.severity == "error" for f in findings),
                           "warnings": sum(f.severity == "warning" for f in findings)},
               "findings": [f.to_dict(lang) for f in findings]}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        _echo_findings(findings, lang, err=False)
        click.echo(f"{len(data.files)} berkas, {len(data.unit_ids)} unit: {_summary_line(findings)}")
    sys.exit(2 if data.fatal_files else 1 if has_errors(findings) else 0)


@cli.command()
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
    from .results import score_document, summary_frame
    from .validate import validate as run_validate

    policies = _parse_policies(policy)
    data = _with_ledger(_read(paths, rubric), ledger)
    data.rubric.policy_values(policies)  # refuse unknown policies before any work
    findings = run_validate(data, policies)
    _report_problems(data, findings, lang)
    doc = score_document(data, [tier], policies)
    if fmt == "json":
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        from .xlsx import safe_text

        # text that a spreadsheet would take for a formula (= + - @ ...) is written as text
        click.echo(summary_frame(doc["units"]).map(safe_text).to_csv(index=False), nl=False)
    else:
        _print_table(doc, data.rubric, lang)
    if not doc["units"]:
        click.echo(f"Tidak ada unit dengan jawaban pada tingkat '{tier}'.", err=True)
        sys.exit(2)
    sys.exit(1 if strict and has_errors(findings) else 0)


def _with_ledger(data: Any, ledger: str | None) -> Any:
    """The data with a ledger's reviewer records applied (when a ledger path is given)."""
    if not ledger:
        return data
    from .ledger import Ledger, apply_ledger

    if not Path(ledger).is_file():
        raise ZiError(f"Ledger '{ledger}' tidak ditemukan.")
    return apply_ledger(data, Ledger(ledger))


def _ledger_seq(ledger: str) -> int:
    """The last record number of a ledger (0 when none): a run applies exactly the records up to it."""
    if not ledger or not Path(ledger).is_file():
        return 0
    from .ledger import Ledger

    records = Ledger(ledger).records()
    return records[-1].seq if records else 0


def _report_problems(data: Any, findings: list[Finding], lang: str) -> None:
    """Stop with status 2 when nothing usable was read; otherwise list errors on stderr and go on."""
    if data.fatal_files or not data.unit_ids:
        _echo_findings([f for f in findings if f.severity == "error"], lang)
        if not data.unit_ids:
            click.echo("Tidak ada unit yang dapat dinilai.", err=True)
        sys.exit(2)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        _echo_findings(errors, lang, limit=20)
        click.echo(f"Data memuat {_summary_line(findings)} Butir yang tidak sah tidak dinilai.", err=True)


def _print_table(doc: dict[str, Any], rubric: Any, lang: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from .fmt import num, pct, predicate_label

    table = Table(title=f"Nilai Evaluasi ZI — rubrik {doc['rubric']['id']}, tingkat {doc['tier']}",
                  show_lines=False)
    for name, justify in [("Unit", "left"), ("Instansi", "left"), ("Thn", "right"), ("Total", "right"),
                          ("Pengungkit", "right"), ("Hasil", "right"), ("Area terendah", "left"),
                          ("Predikat", "left")]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for u in doc["units"]:
        weights = {a.code: sum(a.weights.values()) for a in rubric.areas}
        lowest = min(u["areas"], key=lambda a: u["areas"][a]["total"] / weights[a] if weights[a] else 1)
        share = u["areas"][lowest]["total"] / weights[lowest] if weights[lowest] else 0
        table.add_row(u["unit_name"] or u["unit_id"], u["instansi"] or "-", str(u["year"] or "-"),
                      num(u["total"], lang=lang), num(u.get("pengungkit"), lang=lang), num(u.get("hasil"), lang=lang),
                      f"{lowest} {pct(share, lang=lang)}", predicate_label(u["predicate"], lang))
    Console(width=max(120, Console().width)).print(table)


@cli.command()
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

    from .runner import ReportError, report_parameters, run_report

    policies = _parse_policies(policy)
    data = _read((input_path, units_file) if units_file else (input_path,), rubric)
    data.rubric.policy_values(policies)
    if data.fatal_files or not data.unit_ids:
        _echo_findings([f for f in data.findings if f.severity == "error"], lang)
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
    ledger_seq = _ledger_seq(ledger)
    entries = []
    for unit_id in chosen:
        params = report_parameters(input_path, unit_id, units_path=units_file, tier=tier, rubric=rubric,
                                   policies=policies, lang=lang, run_id=run_id, ledger_path=ledger,
                                   ledger_seq=ledger_seq)
        try:
            files = run_report(params, Path(output), pdf=pdf)
            click.echo(f"{unit_id}: {files.html}" + (f", {files.pdf}" if files.pdf else ""))
            entries.append({"unit_id": unit_id, "params": params,
                            "outputs": [p for p in (files.notebook, files.html, files.pdf) if p]})
        except ReportError as exc:
            click.echo(f"GALAT {unit_id}: {exc}", err=True)
            entries.append({"unit_id": unit_id, "params": params, "status": "failed", "error": str(exc)})
    from .run_record import record_run

    manifest = record_run(Path(output), run_id, data, entries, tier, policies, ledger or None,
                          [Path(input_path), *([Path(units_file)] if units_file else [])])
    click.echo(f"Manifest: {manifest}")
    failed = sum(e.get("status") == "failed" for e in entries)
    sys.exit(1 if failed else 0)


@cli.command()
@click.option("--unit", "unit_name", required=True, help="Nama unit kerja.")
@click.option("--unit-id", default=None, help="Id unit (bawaan: dari nama).")
@click.option("--instansi", default=None)
@click.option("--year", type=int, default=None)
@click.option("--rubric", default="zi-2021", show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Berkas .xlsx tujuan.")
def template(unit_name: str, unit_id: str | None, instansi: str | None, year: int | None, rubric: str,
             output: str) -> None:
    """Tulis templat LKE kosong untuk satu unit (dengan daftar pilihan jawaban dan kriteria)."""
    from .lke_template import write_template
    from .rubric import load_rubric
    from .text import slug

    write_template(Path(output), load_rubric(rubric), unit_id or slug(unit_name), unit_name, instansi, year)
    click.echo(f"Templat LKE ditulis: {output}")


@cli.command()
@click.option("--units", "count", type=click.IntRange(1, 100_000), default=12, show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False))
@click.option("--seed", type=int, default=2021, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "lke"]), default="csv", show_default=True,
              help="csv/xlsx: format panjang (jawaban + metadata unit); lke: satu buku kerja LKE edaran per unit.")
def sample(count: int, output: str, seed: int, fmt: str) -> None:
    """Tulis N unit sintetis yang deterministik (untuk uji dan tolok ukur)."""
    from .sample import write_synthetic

    paths = write_synthetic(Path(output), count, seed, fmt)
    click.echo(f"{count} unit sintetis ditulis ke {output} ({len(paths)} berkas).")


@cli.command()
@click.argument("ref", default="zi-2021")
def rubric(ref: str) -> None:
    """Periksa dan tampilkan rubrik (id bawaan atau berkas YAML): id, hash, jumlah butir, kebijakan."""
    from .rubric import available_rubrics, load_rubric

    r = load_rubric(ref)
    click.echo(f"{r.id}: {r.title}\n  sumber: {r.source}\n  hash: {r.content_hash}")
    click.echo(f"  {len(r.items)} butir dinilai, {len(r.input_codes)} isian Jumlah, {len(r.indicators)} indikator")
    for name, p in r.policies.items():
        click.echo(f"  kebijakan {name} = {p.default} (pilihan: {', '.join(p.choices)})")
    click.echo(f"  rubrik bawaan: {', '.join(available_rubrics())}")


@cli.command()
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
def demo(lang: str) -> None:
    """Pekerjaan utama pada data contoh bawaan: validasi lalu nilai dan predikat setiap unit."""
    from .results import score_document
    from .sample import bundled_paths
    from .validate import validate as run_validate

    paths = tuple(str(p) for p in bundled_paths())
    data = _read(paths, "zi-2021")
    findings = run_validate(data)
    click.echo(f"Data contoh: {len(data.unit_ids)} unit dari {len(paths)} berkas. Validasi: {_summary_line(findings)}")
    _echo_findings([f for f in findings if f.severity == "error"], lang, err=False, limit=10)
    _print_table(score_document(data, ["final"]), data.rubric, lang)


def _register() -> None:
    """Import the modules that add commands to :data:`cli` (kept apart to keep each module small)."""
    from . import cli_audit, cli_bulk, cli_review  # noqa: F401


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the CLI, turning user errors into clear messages without traceback."""
    _register()
    try:
        cli.main(args=argv, prog_name="zi-nb", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Dibatalkan.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except ZiError as exc:
        click.echo(f"GALAT: {exc}", err=True)
        for f in getattr(exc, "findings", []):
            click.echo(f.render(), err=True)
        sys.exit(2)
    except SystemExit:
        raise
    except Exception as exc:  # a bug: say so plainly, show the traceback only when asked
        if os.environ.get("ZI_NB_DEBUG"):
            raise
        click.echo(f"Kesalahan internal zi-nb ({type(exc).__name__}: {exc}). Jalankan ulang dengan ZI_NB_DEBUG=1 "
                   "untuk rincian dan laporkan.", err=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
