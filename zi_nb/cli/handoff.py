"""``zi-nb ubah-status`` and ``zi-nb buka-tahap``: the team workflow's hand-offs from the command line.

The same rules as on the team server (:func:`zi_nb.team.status.transition`, :func:`zi_nb.team.status.reopen`: the
role, the unit's status, the stage's deadline, the quota and the revocation waiting period, checked under the
ledger's write lock; a refusal is recorded as a ``penolakan`` record and answered with exit status 2). Who acts is
``--oleh USERNAME``, a user of the team file; as ``--evaluator`` of the other commands it is the word of whoever runs
the command on their own computer, so the record says ``via: cli`` (on the team server the hub's login decides and
the record says ``via: hub``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from zi_nb.cli.common import writable_ledger

CLI_PATH = "cli"  # the ``via`` of a status record written by these commands


def _butir(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        code, sep, note = value.partition("=")
        if not sep or not code.strip() or not note.strip():
            raise click.BadParameter(f"'{value}': gunakan bentuk KODE=catatan, mis. PPA1A=SK belum ditandatangani",
                                     param_hint="--butir")
        out[code.strip().upper()] = note.strip()
    return out


def _lhe_sha(value: str) -> str:
    """The sha256 of the signed LHE: of the file ``value``, or ``value`` itself when it is 64 hex digits."""
    from zi_nb.common.files import sha256_file
    from zi_nb.team.status import SHA256

    if SHA256.fullmatch(value.strip().lower()):
        return value.strip().lower()
    path = Path(value)
    if not path.is_file():
        raise click.BadParameter(f"'{value}' bukan berkas LHE yang ada dan bukan sha256 (64 digit heksadesimal)",
                                 param_hint="--lhe")
    return sha256_file(path)


TEAM = click.option("--team", "team_path", required=True, type=click.Path(dir_okay=False),
                    help="Berkas tim (pengguna, peran, periode, batas waktu).")
LEDGER = click.option("--ledger", default=None, help="Berkas ledger yang dicatati, dibuat bila belum ada (bawaan: "
                                                        "$ZI_NB_LEDGER; salah satunya wajib).")
UNIT = click.option("--unit", "unit_id", required=True, help="Id unit.")
BY = click.option("--oleh", "username", required=True, help="Username Anda di berkas tim (yang bertindak).")


@click.command("ubah-status")
@TEAM
@LEDGER
@UNIT
@BY
@click.option("--ke", "to_status", required=True,
              help="Status tujuan: diajukan, direviu, dikembalikan, 'diajukan ulang', 'final TPI', diusulkan, "
                   "ditetapkan, 'tidak ditetapkan', dicabut.")
@click.option("--catatan", default="", help="Catatan perubahan status (alasan, untuk dikembalikan dan dicabut).")
@click.option("--butir", multiple=True, help="Catatan per butir untuk 'dikembalikan': KODE=catatan (boleh berulang).")
@click.option("--lhe", default="", help="Untuk 'final TPI': berkas LHE yang ditandatangani (sha256-nya dicatat), "
                                        "atau sha256-nya.")
def ubah_status(team_path: str, ledger: str | None, unit_id: str, username: str, to_status: str, catatan: str,
                butir: tuple[str, ...], lhe: str) -> None:
    """Pindahkan status unit pada periode tim (serah-terima), dengan aturan yang sama seperti di server tim."""
    from zi_nb.review.ledger import Ledger
    from zi_nb.team.status import transition
    from zi_nb.team.teamfile import load_team

    team = load_team(team_path)
    data: dict[str, object] = {}
    if butir:
        data["butir"] = _butir(butir)
    if lhe:
        data["lhe_sha256"] = _lhe_sha(lhe)
    rec = transition(Ledger(writable_ledger(ledger)), team, username, unit_id, to_status, note=catatan, data=data,
                     via=CLI_PATH)
    click.echo(f"Status unit {unit_id} periode {team.periode.id} sekarang '{rec.answer}' (rekaman #{rec.seq}, oleh "
               f"{rec.evaluator}, lewat CLI).")


@click.command("buka-tahap")
@TEAM
@LEDGER
@UNIT
@BY
@click.option("--tahap", required=True, help="Tahap yang dibuka kembali: pengisian, reviu, finalisasi, pengusulan, "
                                             "penetapan.")
@click.option("--sampai", required=True, help="Tanggal terakhir tahap terbuka untuk unit ini (YYYY-MM-DD).")
@click.option("--catatan", required=True, help="Alasan membuka kembali (wajib).")
def buka_tahap(team_path: str, ledger: str | None, unit_id: str, username: str, tahap: str, sampai: str,
               catatan: str) -> None:
    """Admin: buka kembali satu tahap untuk satu unit setelah batas waktunya, sampai tanggal tertentu."""
    from zi_nb.common.fmt import date_text
    from zi_nb.review.ledger import Ledger
    from zi_nb.team.status import reopen
    from zi_nb.team.teamfile import load_team

    try:
        until = dt.date.fromisoformat(sampai)
    except ValueError:
        raise click.BadParameter(f"'{sampai}': gunakan tanggal YYYY-MM-DD, mis. 2026-06-30",
                                 param_hint="--sampai") from None
    team = load_team(team_path)
    book = Ledger(writable_ledger(ledger))
    rec = reopen(book, team, username, unit_id, tahap, until=until, note=catatan, via=CLI_PATH)
    click.echo(f"Tahap {tahap} dibuka kembali untuk unit {unit_id} sampai {date_text(until)} (rekaman #{rec.seq}, "
               f"oleh {rec.evaluator}).")


COMMANDS = [ubah_status, buka_tahap]
