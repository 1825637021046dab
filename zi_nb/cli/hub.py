"""``zi-nb hub``: the multi-user server (JupyterHub, one evaluator app per user, the ledger service); see
:mod:`zi_nb.team.hub`."""

from __future__ import annotations

from pathlib import Path

import click

from zi_nb.team.hub import CONFIG_NAME, find_proxy, hub_config, run_hub, write_config


@click.command()
@click.option("--team", "team_path", required=True, type=click.Path(dir_okay=False, exists=True),
              help="Berkas tim (YAML): pengguna yang boleh masuk dan perannya.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port alamat publik hub.")
@click.option("--ip", default="0.0.0.0", show_default=True, help="Alamat yang didengarkan (127.0.0.1 = lokal saja).")
@click.option("--ledger", "ledger_path", default="outputs/ledger.sqlite", show_default=True,
              help="Berkas ledger yang ditulis layanan ledger.")
@click.option("--state-dir", default="outputs/hub", show_default=True,
              help="Folder keadaan hub: basis data, kata sandi, folder pengguna, konfigurasi.")
@click.option("--config-only", is_flag=True, help=f"Hanya tulis {CONFIG_NAME} ke --state-dir dan cetak jalurnya.")
def hub(team_path: str, port: int, ip: str, ledger_path: str, state_dir: str, config_only: bool) -> None:
    """Server multi-pengguna: JupyterHub dengan aplikasi penilai per pengguna dan layanan ledger."""
    if config_only:
        state = Path(state_dir).resolve()
        path = write_config(state / CONFIG_NAME, hub_config(team_path, ledger_path, state, port, ip=ip))
        click.echo(str(path))
        return
    find_proxy()
    raise SystemExit(run_hub(team_path, ledger_path, state_dir, port, echo=click.echo, ip=ip))


COMMANDS = [hub]
