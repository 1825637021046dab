"""``zi-nb audit verify`` and ``zi-nb audit replay``: prove a run directory, or re-run it and compare."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group()
def audit() -> None:
    """Periksa ulang hasil run (manifest.json): hash, ledger, nilai, dan laporan."""


@audit.command("verify")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--ledger", default=None, help="Ledger yang diperiksa (bawaan: yang tercatat di manifest).")
@click.option("--bukti", "evidence", default=None, type=click.Path(file_okay=False),
              help="Folder penyimpanan bukti dukung yang diperiksa (bawaan: yang tercatat di manifest).")
def verify_cmd(run_dir: str, ledger: str | None, evidence: str | None) -> None:
    """Hitung ulang setiap unit dari masukan, rubrik dan rekaman ledger yang tercatat, periksa berkas bukti dukung
    yang dilihat laporan; sebutkan setiap perbedaan."""
    from zi_nb.audit.manifest import read_manifest
    from zi_nb.audit.verify import verify

    manifest = read_manifest(Path(run_dir))
    differences = verify(Path(run_dir), ledger, evidence)
    for d in differences:
        click.echo(d.render())
    units = len(manifest["units"])
    if differences:
        click.echo(f"TIDAK LOLOS: {len(differences)} perbedaan pada run {manifest['run_id']} ({units} unit).")
        sys.exit(1)
    click.echo(f"LOLOS: run {manifest['run_id']} ({units} unit, rubrik {manifest['rubric']['id']}) sesuai dengan "
               "masukan, rubrik, ledger, bukti dukung dan laporan yang tercatat.")


@audit.command("replay")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Folder run baru.")
def replay_cmd(run_dir: str, output: str) -> None:
    """Jalankan ulang notebook yang tercatat dengan parameter yang tercatat, lalu bandingkan isi laporannya."""
    from zi_nb.audit.verify import replay

    differences = replay(Path(run_dir), Path(output))
    for d in differences:
        click.echo(d)
    if differences:
        click.echo(f"BERBEDA: {len(differences)} laporan tidak sama isinya.")
        sys.exit(1)
    click.echo("SAMA: isi setiap laporan yang dijalankan ulang sama dengan aslinya.")


COMMANDS = [audit]
