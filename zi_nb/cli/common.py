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


def with_ledger(data: Any, ledger: str | None) -> Any:
    """The data with a ledger's reviewer records applied (when a ledger path is given)."""
    if not ledger:
        return data
    from zi_nb.review.ledger import Ledger, apply_ledger

    if not Path(ledger).is_file():
        raise ZiError(f"Ledger '{ledger}' tidak ditemukan.")
    return apply_ledger(data, Ledger(ledger))


def last_ledger_seq(ledger: str) -> int:
    """The last record number of a ledger (0 when none): a run applies exactly the records up to it."""
    if not ledger or not Path(ledger).is_file():
        return 0
    from zi_nb.review.ledger import Ledger

    records = Ledger(ledger).records()
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
    from rich.console import Console
    from rich.table import Table

    from zi_nb.common.fmt import num, pct, predicate_label

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
