"""``zi-nb hub``: the multi-user server (JupyterHub, one evaluator app per user, the ledger service); see
:mod:`zi_nb.team.hub`."""

from __future__ import annotations

from pathlib import Path

import click

from zi_nb.team.hub import CONFIG_NAME, IDLE_TIMEOUT, ISOLATION, find_proxy, hub_config, run_hub, write_config


@click.command()
@click.option("--team", "team_path", required=True, type=click.Path(dir_okay=False, exists=True),
              help="Berkas tim (YAML): pengguna yang boleh masuk dan perannya.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port alamat publik hub.")
@click.option("--ip", default="0.0.0.0", show_default=True, help="Alamat yang didengarkan (127.0.0.1 = lokal saja).")
@click.option("--ledger", "ledger_path", default="outputs/ledger.sqlite", show_default=True,
              help="Berkas ledger yang ditulis layanan ledger.")
@click.option("--state-dir", default="outputs/hub", show_default=True,
              help="Folder keadaan hub: basis data, kata sandi, folder pengguna, konfigurasi.")
@click.option("--input", "input_path", default="", type=click.Path(dir_okay=False),
              help="Berkas LKE unit-unit untuk semua pengguna dan layanan ledger (bawaan: data contoh).")
@click.option("--units", "units_path", default="", type=click.Path(dir_okay=False),
              help="Berkas metadata unit tambahan.")
@click.option("--idle-timeout", default=IDLE_TIMEOUT, show_default=True, type=click.IntRange(min=0),
              help="Detik tanpa aktivitas sebelum server seorang pengguna dihentikan (jupyterhub-idle-culler; "
                   "0 = tidak pernah). Yang tersimpan ada di ledger; kunjungan berikutnya memulainya lagi.")
@click.option("--isolasi", "isolation", type=click.Choice(list(ISOLATION)), default="bersama", show_default=True,
              help="Cara memisahkan server pengguna: 'pengguna' = satu pengguna sistem per anggota tim (zi-<username>; "
                   "hub sebagai root; kode di kernel seseorang tidak dapat menjangkau ledger), 'bersama' = semua "
                   "sebagai pengguna hub (satu mesin tepercaya, uji).")
@click.option("--config-only", is_flag=True, help=f"Hanya tulis {CONFIG_NAME} ke --state-dir dan cetak jalurnya.")
def hub(team_path: str, port: int, ip: str, ledger_path: str, state_dir: str, input_path: str, units_path: str,
        idle_timeout: int, isolation: str, config_only: bool) -> None:
    """Server multi-pengguna: JupyterHub dengan aplikasi penilai per pengguna dan layanan ledger."""
    if input_path or units_path:  # read once here: a missing or unreadable file stops before anything starts
        from zi_nb.team.insight import load_inputs
        from zi_nb.team.users import field_text, load_team

        load_inputs(input_path, units_path, field_text(load_team(team_path), "rubrik") or "zi-2021")
    if config_only:
        state = Path(state_dir).resolve()
        path = write_config(state / CONFIG_NAME, hub_config(team_path, ledger_path, state, port, ip=ip,
                                                                input_path=input_path, units_path=units_path,
                                                                idle_timeout=idle_timeout, isolation=isolation))
        click.echo(str(path))
        return
    find_proxy()
    raise SystemExit(run_hub(team_path, ledger_path, state_dir, port, echo=click.echo, ip=ip, input_path=input_path,
                             units_path=units_path, idle_timeout=idle_timeout, isolation=isolation))


COMMANDS = [hub]
