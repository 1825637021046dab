"""The work behind ``zi-nb catatan``: show the catatan and rekomendasi in force (and the drafts), write, accept drafts
or withdraw (:mod:`zi_nb.review.catatan` records them in the ledger)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from zi_nb.cli.common import echo_findings, ledger_path, read_data, with_ledger
from zi_nb.common.domain import UNIT_SCOPE
from zi_nb.common.text import visible


def _drafts(unit: str, input_path: str, units_file: str, tier: str, ledger: str | Path | None,
            rubric: str) -> tuple[Any, dict[str, Any]]:
    """The data (ledger applied) and the drafts per area of the unit at ``tier`` (empty without an input)."""
    from zi_nb.engine.improve.drafts import area_drafts
    from zi_nb.engine.results import compute
    from zi_nb.engine.rubric import load_rubric

    if not input_path:
        return load_rubric(rubric), {}
    data = read_data((input_path, units_file) if units_file else (input_path,), rubric)
    if data.fatal_files:
        echo_findings([f for f in data.findings if f.severity == "error"], "id")
        sys.exit(2)
    if unit not in data.unit_ids:
        click.echo(visible(f"Unit '{unit}' tidak ada dalam masukan; unit yang ada: {', '.join(data.unit_ids) or '-'}."),
                   err=True)
        sys.exit(2)
    data = with_ledger(data, ledger)
    result = compute(data.for_units([unit]), tier, {})
    if unit not in result.scores.unit_ids:
        return data.rubric, {}
    return data.rubric, area_drafts(data.rubric, result.scores, unit)


def _check_area(rubric: Any, area: str) -> str:
    from zi_nb.review.catatan import scopes

    known = {s.upper(): s for s in scopes(rubric)}
    code = known.get(area.strip().upper(), area.strip())  # "b" or "unit" are meant as B and UNIT
    if code and code not in known.values():
        click.echo(f"Area '{area}' tidak ada dalam rubrik {rubric.id}; yang ada: {', '.join(scopes(rubric))} "
                   f"({UNIT_SCOPE} = unit secara keseluruhan).", err=True)
        sys.exit(2)
    return code


def show_catatan(unit: str, area: str, input_path: str, units_file: str, tier: str, ledger: str | None,
                 rubric: str, fmt: str) -> None:
    from zi_nb.review.catatan import notes_in_force, scopes
    from zi_nb.review.ledger import Ledger

    path = ledger_path(ledger)
    rub, drafts = _drafts(unit, input_path, units_file, tier, path, rubric)
    code = _check_area(rub, area)
    notes = notes_in_force(Ledger(path).records(unit), unit, tier) if path else {}
    rows = []
    for scope in ([code] if code else scopes(rub)):
        note, draft = notes.get(scope), drafts.get(scope)
        rows.append({"area": scope, "source": "penilai" if note else ("draf" if draft else "kosong"),
                     "catatan": note.catatan if note else (draft.catatan if draft else ""),
                     "rekomendasi": note.rekomendasi if note else (draft.rekomendasi if draft else ""),
                     "evaluator": note.evaluator if note else None, "seq": note.seq if note else None})
    if fmt == "json":
        click.echo(json.dumps({"unit_id": unit, "tier": tier, "areas": rows}, ensure_ascii=False, indent=2))
        return
    for row in rows:
        source = str(row["source"]).upper()
        if row["source"] == "penilai":
            source = f"oleh {row['evaluator']} (#{row['seq']})"
        click.echo(visible(f"== {row['area']} [{source}]"))
        click.echo(visible(f"Catatan: {row['catatan'] or '-'}"))
        click.echo(visible(f"Rekomendasi:\n{row['rekomendasi'] or '-'}"))


def write_from_cli(unit: str, area: str, text: str | None, rekomendasi: str | None, accept_draft: bool,
                   hapus: bool, input_path: str, units_file: str, tier: str, evaluator: str, path: Path,
                   rubric: str) -> None:
    from zi_nb.review.catatan import notes_in_force, write_catatan
    from zi_nb.review.ledger import Ledger

    if accept_draft and not input_path:
        click.echo("--draf memerlukan --input (draf dibuat dari jawaban unit).", err=True)
        sys.exit(2)
    rub, drafts = _drafts(unit, input_path, units_file, tier, path if path.is_file() else None, rubric)
    code = _check_area(rub, area)
    if not code and not accept_draft:
        click.echo("Sebutkan --area (kode area atau UNIT).", err=True)
        sys.exit(2)
    book = Ledger(path)
    notes = notes_in_force(book.records(unit), unit, tier)
    if accept_draft:
        targets = [code] if code else [s for s in drafts if s not in notes]
        written = 0
        for scope in targets:
            draft = drafts.get(scope)
            if draft is None:
                click.echo(f"Area {scope}: tidak ada draf (draf dibuat untuk area rubrik, bukan {UNIT_SCOPE}).",
                           err=True)
                sys.exit(2)
            record = write_catatan(book, rub, unit, scope, tier, evaluator, draft.catatan, draft.rekomendasi)
            click.echo(f"Draf area {scope} diterima sebagai teks {tier.upper()} (#{record.seq}).")
            written += 1
        if not written:
            click.echo("Semua area sudah bercatatan penilai; tidak ada draf yang diterima.")
        return
    held = notes.get(code)
    if hapus:
        new_catatan, new_rekomendasi = "", ""
    else:  # an option not given keeps the text in force
        new_catatan = text if text is not None else (held.catatan if held else "")
        new_rekomendasi = rekomendasi if rekomendasi is not None else (held.rekomendasi if held else "")
    record = write_catatan(book, rub, unit, code, tier, evaluator, new_catatan, new_rekomendasi)
    verb = "ditarik" if hapus else "tersimpan"
    click.echo(f"Catatan {unit} area {code} {verb} di {book.path} (#{record.seq}) oleh {record.evaluator} "
               f"({tier.upper()}).")
