"""What the ``zi-nb`` commands share: options, policy parsing, reading inputs, applying a ledger, printing findings
and the score table."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from zi_nb.common.domain import TIER_CHOICES
from zi_nb.common.findings import Finding
from zi_nb.errors import ZiError

TIER_OPTION = click.Choice(list(TIER_CHOICES))


def parse_policies(values: tuple[str, ...]) -> dict[str, str]:
    policies = {}
    for v in values:
        if "=" not in v:
            raise click.BadParameter(f"'{v}': gunakan bentuk nama=nilai, misalnya unanswered=zero",
                                     param_hint="--policy")
        key, value = v.split("=", 1)
        policies[key.strip()] = value.strip()
    return policies


def echo_findings(findings: list[Finding], lang: str, err: bool = True, limit: int | None = None) -> None:
    shown = findings if limit is None else findings[:limit]
    for f in shown:
        click.echo(f.render(lang), err=err)
    if limit is not None and len(findings) > limit:
        click.echo(f"... dan {len(findings) - limit} temuan lain (lihat `zi-nb validate`).", err=err)


def summary_line(findings: list[Finding]) -> str:
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    return f"{errors} galat, {warnings} peringatan."


def read_data(paths: tuple[str, ...], rubric: str):
    from zi_nb.lke.inputs import read_inputs

    return read_inputs(list(paths), rubric)


def ledger_path(ledger: str | Path | None) -> Path | None:
    """The ledger a reading command applies (:func:`zi_nb.review.ledger.resolve_ledger`: ``--ledger``, else
    ``ZI_NB_LEDGER``, else none), absolute; a ledger given but not found stops the command with a clear message."""
    from zi_nb.review.ledger import LEDGER_ENV, resolve_ledger

    path = resolve_ledger(ledger)
    if path is not None and not path.is_file():
        source = "--ledger" if str(ledger or "").strip() else f"variabel lingkungan {LEDGER_ENV}"
        raise ZiError(f"Ledger '{path}' (dari {source}) tidak ditemukan; periksa jalurnya, atau jalankan tanpa "
                      f"--ledger dan tanpa {LEDGER_ENV} untuk menilai tanpa ledger.")
    return path


def writable_ledger(ledger: str | Path | None) -> Path:
    """The ledger a writing command records into (``adjust``, ``revoke``): the same rule, but one must be
    given; it is created when it does not exist yet."""
    from zi_nb.review.ledger import LEDGER_ENV, resolve_ledger

    path = resolve_ledger(ledger)
    if path is None:
        raise ZiError(f"Tidak ada ledger untuk mencatat perubahan: beri --ledger BERKAS (dibuat bila belum ada, mis. "
                      f"--ledger outputs/ledger.sqlite) atau setel variabel lingkungan {LEDGER_ENV}.")
    return path


def with_ledger(data: Any, ledger: str | Path | None) -> Any:
    """The data with the reviewer records of the ledger :func:`ledger_path` chooses applied (unchanged without one)."""
    path = ledger_path(ledger)
    if path is None:
        return data
    from zi_nb.review.ledger import Ledger, apply_ledger

    return apply_ledger(data, Ledger(path))


def last_ledger_seq(ledger: str | Path | None) -> int:
    """The last record number of a ledger (0 when none): a run applies exactly the records up to it."""
    path = ledger_path(ledger)
    if path is None:
        return 0
    from zi_nb.review.ledger import Ledger

    records = Ledger(path).records()
    return records[-1].seq if records else 0


def report_problems(data: Any, findings: list[Finding], lang: str) -> None:
    """Stop with status 2 when nothing usable was read; otherwise list errors on stderr and go on."""
    if data.fatal_files or not data.unit_ids:
        echo_findings([f for f in findings if f.severity == "error"], lang)
        if not data.unit_ids:
            click.echo("Tidak ada unit yang dapat dinilai.", err=True)
        sys.exit(2)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        echo_findings(errors, lang, limit=20)
        click.echo(f"Data memuat {summary_line(findings)} Butir yang tidak sah tidak dinilai.", err=True)


def print_table(doc: dict[str, Any], rubric: Any, lang: str) -> None:
    """The score table: one line per unit with its predikat and, beside it, the data status of the result (a
    predikat from data with errors or an unfinished evaluation is never shown as if it were final)."""
    from rich.console import Console
    from rich.table import Table

    from zi_nb.common.fmt import num, pct, predicate_with_status, status_detail, tier_label

    tier = doc["tier"] if isinstance(doc["tier"], str) else ", ".join(doc["tier"])
    table = Table(title=f"Nilai Evaluasi ZI — rubrik {doc['rubric']['id']}, tingkat {tier_label(tier, lang)}",
                  show_lines=False)
    for name, justify in [("Unit", "left"), ("Instansi", "left"), ("Thn", "right"), ("Total", "right"),
                          ("Pengungkit", "right"), ("Hasil", "right"), ("Area terendah", "left"),
                          ("Predikat", "left"), ("Status", "left")]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for u in doc["units"]:
        weights = {a.code: sum(a.weights.values()) for a in rubric.areas}
        lowest = min(u["areas"], key=lambda a: u["areas"][a]["total"] / weights[a] if weights[a] else 1)
        share = u["areas"][lowest]["total"] / weights[lowest] if weights[lowest] else 0
        table.add_row(u["unit_name"] or u["unit_id"], u["instansi"] or "-", str(u["year"] or "-"),
                      num(u["total"], lang=lang), num(u.get("pengungkit"), lang=lang), num(u.get("hasil"), lang=lang),
                      f"{lowest} {pct(share, lang=lang)}", predicate_with_status(u["predicate"], u["status"], lang),
                      status_detail(u["status"], u["errors"], u["answered"], u["scorable"], lang))
    Console(width=max(140, Console().width)).print(table)
