"""``zi-nb status``: where every unit of the team file stands in the period (status, since when, the current stage's
deadline, who it waits for; with ``--input``: progress, score and predikat with its data status), as a table, JSON
or an xlsx workbook; ``--pengguna`` lists one user's tasks ("Tugas saya")."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

from zi_nb.cli.common import ledger_path, read_data
from zi_nb.common.fmt import date_text
from zi_nb.common.text import visible

LEDGER_HELP = "Berkas ledger (bawaan: $ZI_NB_LEDGER; tanpa keduanya: semua unit berstatus draf)."


def _moment(text: str) -> dt.datetime:
    if not text:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"'{text}': gunakan tanggal/waktu ISO, mis. 2026-06-11 atau 2026-06-11T09:00+07:00",
                                 param_hint="--waktu") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@click.command("status")
@click.option("--team", "team_path", required=True, type=click.Path(dir_okay=False),
              help="Berkas tim (pengguna, peran, periode, batas waktu), mis. zi_nb/data/tim-contoh.yaml.")
@click.option("--ledger", default=None, help=LEDGER_HELP)
@click.option("--input", "inputs", multiple=True, type=click.Path(dir_okay=False),
              help="Berkas LKE dan metadata unit (boleh berulang): menambahkan progres, nilai dan predikat.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "xlsx"]), default="table", show_default=True)
@click.option("-o", "--output", default="", type=click.Path(dir_okay=False), help="Berkas .xlsx (untuk --format xlsx).")
@click.option("--pengguna", default="", help="Tampilkan tugas satu pengguna saja (Tugas saya).")
@click.option("--waktu", default="", hidden=True, help="Waktu acuan (ISO) alih-alih sekarang, untuk pengujian.")
def status(team_path: str, ledger: str | None, inputs: tuple[str, ...], fmt: str, output: str, pengguna: str,
           waktu: str) -> None:
    """Status setiap unit pada periode evaluasi (dari berkas tim dan ledger), batas waktu tahapnya dan siapa yang
    ditunggu; dengan --input juga progres, nilai dan predikat beserta status datanya."""
    from zi_nb.review.ledger import Ledger
    from zi_nb.team.overview import add_progress, cells, unit_rows, write_xlsx
    from zi_nb.team.status import proposed_units
    from zi_nb.team.teamfile import load_team

    if fmt == "xlsx" and not output:
        raise click.BadParameter("--format xlsx memerlukan -o BERKAS.xlsx", param_hint="-o")
    now = _moment(waktu)
    team = load_team(team_path)
    path = ledger_path(ledger)
    records = Ledger(path).records() if path is not None else []
    if pengguna:
        _tasks(team, pengguna, records, now, fmt)
        return
    rows = unit_rows(team, records, now)
    if inputs:
        data = read_data(inputs, team.rubrik)
        add_progress(rows, data, records)
    used = proposed_units(records, team.periode.id)
    if fmt == "json":
        doc = {"instansi": team.instansi, "periode": team.periode.id, "kuota": team.kuota, "terpakai": used,
               "waktu": now.isoformat(), "units": [r.as_dict() for r in rows]}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    if fmt == "xlsx":
        written = write_xlsx(team, rows, output, now)
        click.echo(f"Status {len(rows)} unit periode {team.periode.id} tersimpan di {written}.")
        return
    from zi_nb.team.overview import COLUMNS

    keys = [k for k, _ in COLUMNS if inputs or k not in ("unit_name", "progress", "score", "predicate")]
    header = [label for k, label in COLUMNS if k in keys]
    table = [[c for (k, _), c in zip(COLUMNS, cells(r)) if k in keys] for r in rows]
    widths = [max(len(h), *(len(t[i]) for t in table)) if table else len(h) for i, h in enumerate(header)]
    click.echo(visible(f"Status unit {team.instansi} periode {team.periode.id} · kuota usulan {len(used)}/"
                       f"{team.kuota} terpakai · per {date_text(now)}"))
    for line in (header, *table):
        click.echo(visible("  ".join(text.ljust(w) for text, w in zip(line, widths)).rstrip()))


def _tasks(team: object, username: str, records: list, now: dt.datetime, fmt: str) -> None:
    from zi_nb.team.overview import tasks_for
    from zi_nb.team.teamfile import Team

    assert isinstance(team, Team)
    if team.user(username) is None:
        click.echo(visible(f"Pengguna '{username}' tidak terdaftar dalam berkas tim."), err=True)
        sys.exit(2)
    tasks = tasks_for(team, username, records, now)
    if fmt == "json":
        click.echo(json.dumps([{"unit_id": t.unit_id, "status": t.status, "tahap": t.stage,
                                "batas": t.deadline.isoformat() if t.deadline else None, "lewat": t.overdue,
                                "tugas": t.todo} for t in tasks], ensure_ascii=False, indent=2))
        return
    if fmt == "xlsx":
        raise click.BadParameter("--pengguna menampilkan tugas sebagai tabel atau JSON", param_hint="--format")
    if not tasks:
        click.echo(f"Tidak ada unit yang menunggu {username}.")
    for t in tasks:
        deadline = f"batas {date_text(t.deadline)}{' (LEWAT)' if t.overdue else ''}" if t.deadline else "tanpa batas"
        click.echo(visible(f"{t.unit_id} [{t.status}] {t.todo} · tahap {t.stage}, {deadline}"))


COMMANDS = [status]
