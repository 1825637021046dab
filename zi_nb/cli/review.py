"""Reviewer commands of ``zi-nb``: ``adjust``, ``catatan``, ``history``, ``revoke``, ``export`` and ``serve``
(registered on the main group).

Every change goes through the hash-chained ledger (:mod:`zi_nb.review.ledger`); ``export`` writes the LKE back in the
circulated layout with the reviewers' answers and notes in the TPI columns.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from zi_nb.cli.common import ledger_path, read_data, with_ledger, writable_ledger
from zi_nb.common.domain import REVIEW_TIERS
from zi_nb.common.text import visible

LEDGER_HELP = "Berkas ledger (bawaan: $ZI_NB_LEDGER; tanpa keduanya: tanpa ledger)."
WRITE_LEDGER_HELP = "Berkas ledger yang dicatati, dibuat bila belum ada (bawaan: $ZI_NB_LEDGER; salah satunya wajib)."


def _unit_or_exit(data: Any, unit: str) -> None:
    if unit not in data.unit_ids:
        click.echo(visible(f"Unit '{unit}' tidak ada dalam masukan; unit yang ada: {', '.join(data.unit_ids) or '-'}."),
                   err=True)
        sys.exit(2)


@click.command()
@click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False), help="Berkas LKE unit.")
@click.option("--units-file", default="", help="Berkas metadata unit tambahan.")
@click.option("--unit", required=True)
@click.option("--code", required=True, help="Kode butir atau isian Jumlah, mis. PPA1B atau PRE3A.wajib_total.")
@click.option("--answer", required=True)
@click.option("--tier", type=click.Choice(list(REVIEW_TIERS)), default="tpi", show_default=True)
@click.option("--evaluator", required=True, help="Id evaluator.")
@click.option("--note", default="", help="Catatan perubahan (wajib).")
@click.option("--ledger", default=None, help=WRITE_LEDGER_HELP)
@click.option("--rubric", default="zi-2021", show_default=True)
def adjust(input_path: str, units_file: str, unit: str, code: str, answer: str, tier: str, evaluator: str,
           note: str, ledger: str | None, rubric: str) -> None:
    """Ubah jawaban satu butir sebagai penilai (TPI/TPN); tercatat di ledger dengan catatan wajib."""
    from zi_nb.review.ledger import Ledger, check_answer

    if not note.strip():
        click.echo("Catatan wajib diisi: gunakan --note \"alasan perubahan\".", err=True)
        sys.exit(2)
    path = writable_ledger(ledger)  # refuse before reading anything
    data = read_data((input_path, units_file) if units_file else (input_path,), rubric)
    _unit_or_exit(data, unit)
    check_answer(data.rubric, code, answer)  # refuse before touching the ledger
    book = Ledger(path)
    current = with_ledger(data, path).answers
    rows = current[(current["unit_id"] == unit) & (current["code"] == code)]
    mine = rows[rows["tier"] == tier]
    prev_rows = mine if not mine.empty else rows[rows["tier"] == "unit"]
    previous = None if prev_rows.empty else (prev_rows["answer"].iloc[-1] or _num_text(prev_rows["number"].iloc[-1]))
    # the ledger records its own latest answer as the previous one when it has one (read under its write lock);
    # the workbook's answer otherwise
    record = book.adjust(data.rubric, unit, code, answer, tier, evaluator, note, previous=previous)
    click.echo(f"Tersimpan di {book.path} (#{record.seq}): {unit} {code} {record.previous or '-'} -> {record.answer} "
               f"oleh {record.evaluator} ({tier}).")


def _num_text(value: Any) -> str | None:
    if value is None or value != value:
        return None
    return str(int(value)) if float(value).is_integer() else str(value)


@click.command("catatan")
@click.option("--unit", required=True)
@click.option("--area", default="", help="Kode area (mis. A) atau UNIT untuk unit secara keseluruhan; bawaan saat "
                                         "menampilkan: semua.")
@click.option("--catatan", "text", default=None, help="Teks catatan (menggantikan yang berlaku).")
@click.option("--rekomendasi", default=None, help="Teks rekomendasi (menggantikan yang berlaku).")
@click.option("--draf", "accept_draft", is_flag=True,
              help="Terima draf dari rubrik sebagai teks penilai (memerlukan --input); tanpa --area: semua area "
                   "yang belum bercatatan.")
@click.option("--hapus", is_flag=True, help="Tarik teks penilai (laporan kembali menampilkan draf).")
@click.option("--input", "input_path", default="", type=click.Path(dir_okay=False),
              help="Berkas LKE unit (untuk draf dan untuk memeriksa unitnya).")
@click.option("--units-file", default="", help="Berkas metadata unit tambahan.")
@click.option("--tier", type=click.Choice(list(REVIEW_TIERS)), default="tpi", show_default=True)
@click.option("--evaluator", default="", help="Id evaluator (wajib untuk menulis).")
@click.option("--ledger", default=None, help=WRITE_LEDGER_HELP)
@click.option("--rubric", default="zi-2021", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def catatan(unit: str, area: str, text: str | None, rekomendasi: str | None, accept_draft: bool, hapus: bool,
            input_path: str, units_file: str, tier: str, evaluator: str, ledger: str | None, rubric: str,
            fmt: str) -> None:
    """Catatan dan rekomendasi penilai per area (dan untuk unit): tampilkan, tulis, terima draf, atau tarik.

    Setiap perubahan tercatat di ledger (siapa, kapan, tingkat; berantai hash) dan tampil di LHE di samping nilai
    areanya. Tanpa --catatan/--rekomendasi/--draf/--hapus: tampilkan yang berlaku (dan draf bila --input diberi)."""
    from zi_nb.cli.catatan_view import show_catatan, write_from_cli

    writing = text is not None or rekomendasi is not None or accept_draft or hapus
    if not writing:
        show_catatan(unit, area, input_path, units_file, tier, ledger, rubric, fmt)
        return
    if sum([text is not None or rekomendasi is not None, accept_draft, hapus]) > 1:
        click.echo("Pilih salah satu: --catatan/--rekomendasi, --draf, atau --hapus.", err=True)
        sys.exit(2)
    if not evaluator.strip():
        click.echo("Id evaluator wajib untuk menulis: gunakan --evaluator NAMA.", err=True)
        sys.exit(2)
    write_from_cli(unit, area, text, rekomendasi, accept_draft, hapus, input_path, units_file, tier, evaluator,
                   writable_ledger(ledger), rubric)


@click.command()
@click.option("--unit", default=None, help="Unit (bawaan: semua).")
@click.option("--ledger", default=None, help=LEDGER_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def history(unit: str | None, ledger: str | None, fmt: str) -> None:
    """Riwayat perubahan jawaban di ledger: siapa, kapan, apa, dan mengapa; serta keutuhan rantai hash."""
    from zi_nb.review.ledger import LEDGER_ENV, Ledger

    path = ledger_path(ledger)
    if path is None:
        click.echo(f"Tidak ada ledger: beri --ledger BERKAS atau setel variabel lingkungan {LEDGER_ENV}.", err=True)
        sys.exit(2)
    book = Ledger(path)
    records = book.records(unit)
    if unit is not None and not records:
        known = list(dict.fromkeys(r.unit_id for r in book.records()))
        click.echo(visible(f"Unit '{unit}' tidak ada di ledger {path}; unit yang tercatat: {', '.join(known) or '-'}."),
                   err=True)
        sys.exit(2)
    problems = book.verify()
    if fmt == "json":
        click.echo(json.dumps({"ledger": str(path), "head": book.head(), "chain_ok": not problems,
                               "problems": problems, "records": [r.__dict__ for r in records]},
                              ensure_ascii=False, indent=2))
    else:
        from zi_nb.review.decisions import unit_story

        units = [unit] if unit else list(dict.fromkeys(r.unit_id for r in records))
        for unit_id in units:
            click.echo(visible(f"== {unit_id}"))
            for e in unit_story(book, unit_id):
                year = f"[{e.year}] " if e.year else ""
                click.echo(visible(f"#{e.seq} {e.timestamp[:19].replace('T', ' ')} UTC  {year}{e.label}: {e.text}"))
        click.echo(f"{len(records)} rekaman. Rantai hash: " + ("utuh." if not problems else "RUSAK: "
                                                               + "; ".join(problems)))
    sys.exit(1 if problems else 0)


@click.command()
@click.option("--unit", required=True)
@click.option("--year", required=True, type=int)
@click.option("--reason", default="", help="Alasan pencabutan (wajib).")
@click.option("--evaluator", required=True)
@click.option("--ledger", default=None, help=WRITE_LEDGER_HELP)
@click.option("--rubric", default="zi-2021", show_default=True)
def revoke(unit: str, year: int, reason: str, evaluator: str, ledger: str | None, rubric: str) -> None:
    """Cabut predikat unit untuk satu tahun; tercatat di ledger dengan alasannya."""
    from zi_nb.review.decisions import revoke as do_revoke
    from zi_nb.review.ledger import Ledger

    if not reason.strip():
        click.echo("Alasan wajib diisi: gunakan --reason \"...\".", err=True)
        sys.exit(2)
    record = do_revoke(Ledger(writable_ledger(ledger)), unit, year, reason, evaluator, rubric)
    click.echo(f"Predikat {record.previous} {unit} tahun {year} dicabut (#{record.seq}).")


@click.command()
@click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False))
@click.option("--units-file", default="")
@click.option("--unit", required=True)
@click.option("--ledger", default=None, help=LEDGER_HELP)
@click.option("--rubric", default="zi-2021", show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Berkas .xlsx tujuan.")
def export(input_path: str, units_file: str, unit: str, ledger: str | None, rubric: str, output: str) -> None:
    """Tulis LKE unit dalam tata letak edaran dengan jawaban dan catatan penilai di kolom TPI."""
    from zi_nb.lke.export import write_circulated

    data = read_data((input_path, units_file) if units_file else (input_path,), rubric)
    _unit_or_exit(data, unit)
    data = with_ledger(data, ledger)
    meta = data.units.set_index("unit_id").loc[unit].to_dict()
    answers = data.answers[data.answers["unit_id"] == unit]
    write_circulated(Path(output), data.rubric, {"unit_id": unit, **meta}, answers)
    click.echo(f"LKE {unit} ditulis: {output}")


@click.command()
@click.option("--input", "input_path", default="", type=click.Path(dir_okay=False),
              help="Berkas masukan (bawaan: data contoh).")
@click.option("--units", "units_path", default="", type=click.Path(dir_okay=False),
              help="Berkas metadata unit tambahan.")
@click.option("--ledger", default=None, help="Berkas ledger yang dicatati (bawaan: $ZI_NB_LEDGER, tanpa keduanya "
                                             "outputs/ledger.sqlite di folder ini, jalur absolutnya ditampilkan).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Alamat; selain 127.0.0.1/localhost mewajibkan token.")
@click.option("--port", type=click.IntRange(1, 65535), default=8866, show_default=True)
@click.option("--evaluator", default="", help="Id evaluator (bila kosong, ditanyakan di halaman).")
@click.option("--tier", type=click.Choice(list(REVIEW_TIERS)), default="tpi", show_default=True)
@click.option("--token", default=None, help="Token akses (bawaan: dibuat otomatis bila --host bukan lokal).")
@click.option("--pool", type=click.IntRange(0, 16), default=2, show_default=True,
              help="Kernel yang disiapkan lebih dulu agar halaman cepat terbuka (0 = tidak ada).")
@click.option("--idle-timeout", type=click.IntRange(0), default=300, show_default=True,
              help="Detik tanpa koneksi dan tanpa aktivitas sebelum kernel halaman yang ditinggalkan dihentikan "
                   "(0 = tidak pernah).")
def serve(input_path: str, units_path: str, ledger: str | None, host: str, port: int, evaluator: str, tier: str,
          token: str | None, pool: int, idle_timeout: int) -> None:
    """Jalankan workbench penilai sebagai aplikasi web (voila) untuk evaluator tanpa menyentuh kode.

    Setiap halaman mendapat kernel sendiri, dihentikan saat halaman ditutup (atau setelah --idle-timeout detik bila
    ditinggalkan); Ctrl+C, SIGTERM dan SIGHUP menghentikan server beserta semua kernelnya."""
    from zi_nb.app.serve import serve as run_serve
    from zi_nb.review.ledger import default_path, resolve_ledger

    # the same rule; the web app always records somewhere, so without one it is outputs/ledger.sqlite of the current
    # folder, made absolute here and named in the start-up line
    path = resolve_ledger(ledger) or default_path()
    sys.exit(run_serve(input_path, units_path, str(path), host, port, evaluator, tier, token, echo=click.echo,
                       pool=pool, idle_timeout=idle_timeout))


COMMANDS = [adjust, catatan, history, revoke, export, serve]
