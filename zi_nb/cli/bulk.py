"""``zi-nb bulk``: reports for many units at once, on warm workers or a Dask cluster (registered on the main group).

See :mod:`zi_nb.bulk.run` for the flow and :mod:`zi_nb.bulk.summary` for ``summary.json``, ``summary.xlsx`` and
``index.html``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from zi_nb.cli.common import TIER_OPTION, ledger_path, parse_policies
from zi_nb.common.fmt import num

UNIT_TIMEOUT = 300.0  # zi_nb.bulk.warm.UNIT_TIMEOUT (not imported here: the CLI starts without jupyter_client)


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Folder keluaran.")
@click.option("--workers", type=click.IntRange(1, 256), default=2, show_default=True,
              help="Jumlah pekerja (proses lokal, atau pekerja klaster Dask lokal).")
@click.option("--tier", type=TIER_OPTION, default="final", show_default=True)
@click.option("--ledger", default="", help="Berkas ledger penilai (bawaan: $ZI_NB_LEDGER; tanpa keduanya: tanpa "
                                           "ledger).")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: proses di mesin ini; dask: klaster dask.distributed.")
@click.option("--scheduler", default="",
              help="Alamat penjadwal Dask, mis. tcp://10.0.0.5:8786 (bawaan: klaster lokal).")
@click.option("--resume", is_flag=True,
              help="Lewati unit yang laporannya sudah selesai dari masukan dan parameter yang sama.")
@click.option("--units-file", default="", help="Berkas metadata unit (bawaan: CSV metadata di antara masukan).")
@click.option("--policy", "policy", multiple=True, help="Kebijakan nama=nilai.")
@click.option("--rubric", default="zi-2021", show_default=True)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--run-id", default="", help="Id proses (bawaan: dari waktu; dengan --resume: id proses sebelumnya).")
@click.option("--pdf", is_flag=True, help="Tulis juga PDF (memerlukan Chromium).")
@click.option("--docx", is_flag=True, help="Tulis juga LHE sebagai dokumen Word (.docx) dari templat Word.")
@click.option("--settings", "settings_file", default="", type=click.Path(dir_okay=False),
              help="Berkas pengaturan evaluasi (YAML: instansi, kop, logo, nomor, periode, tanggal, tempat, tim, "
                   "templat_word) untuk LHE setiap unit.")
@click.option("--timeout", type=click.FloatRange(min=0), default=UNIT_TIMEOUT, show_default=True,
              help="Batas waktu per unit dalam detik (0 = tanpa batas): unit yang melewatinya dihentikan dan dicatat "
                   "gagal, kernel pekerjanya dimulai ulang, unit lain dilanjutkan.")
@click.option("--no-progress", is_flag=True, help="Tanpa bilah kemajuan.")
def bulk(inputs: tuple[str, ...], output: str, workers: int, tier: str, ledger: str, executor: str, scheduler: str,
         resume: bool, units_file: str, policy: tuple[str, ...], rubric: str, lang: str, run_id: str, pdf: bool,
         docx: bool, settings_file: str, timeout: float, no_progress: bool) -> None:
    """Buat LHE setiap unit dari banyak berkas LKE sekaligus, beserta ringkasan (index.html, summary.xlsx/json).

    MASUKAN: berkas CSV/XLSX atau folder berisi buku kerja LKE. Status keluar: 0 semua laporan jadi, 1 ada unit atau
    berkas yang gagal (tercatat di ringkasan), 2 masukan atau parameter tidak dapat dipakai, 130 dihentikan (Ctrl-C;
    lanjutkan dengan --resume).
    """
    from zi_nb.bulk.run import BulkOptions, run_bulk

    if scheduler and executor != "dask":
        raise click.BadParameter("--scheduler hanya berlaku dengan --executor dask", param_hint="--scheduler")
    options = BulkOptions(inputs=list(inputs), out_dir=Path(output), workers=workers, tier=tier,
                          policies=parse_policies(policy), rubric=rubric, lang=lang,
                          ledger=str(ledger_path(ledger) or ""),  # the one ledger rule, absolute
                          units_file=units_file, pdf=pdf, docx=docx, settings=settings_file, executor=executor,
                          scheduler=scheduler, resume=resume, run_id=run_id, progress=not no_progress, timeout=timeout)
    result = run_bulk(options)
    ok = len(result.rows) - result.failed
    resumed = sum(bool(r.get("resumed")) for r in result.rows)
    out = Path(output)
    click.echo(f"{ok} laporan ({resumed} dilewati karena sudah selesai), {result.failed} gagal, "
               f"{num(result.seconds, 1, lang)} detik. Ringkasan: {out / 'index.html'}, {out / 'summary.json'}, "
               f"{out / 'summary.xlsx'}")
    if result.index_error:
        click.echo(result.index_error, err=True)
    sys.exit(result.exit_code)


COMMANDS = [bulk]
