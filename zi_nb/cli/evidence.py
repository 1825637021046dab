"""``zi-nb bukti``: the bukti dukung of a unit's items from the command line: the checklist of required documents
with the verdicts in force, marking documents, "semua ada", attaching a file, "simpan salinan" of a link, and taking
an attachment back. Every write is a ledger record (:mod:`zi_nb.review.evidence`); files go to the evidence store
(:mod:`zi_nb.review.evidence_store`, ``--bukti-dir``, bawaan: folder ``bukti-dukung`` beside the ledger).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from zi_nb.cli.common import ledger_path, writable_ledger
from zi_nb.common.domain import REVIEW_TIERS, VERDICTS
from zi_nb.common.limits import size
from zi_nb.common.text import visible

WITHDRAW = "hapus"


def _refuse(message: str) -> NoReturn:
    """A command line that cannot be used: the message in Bahasa Indonesia, status 2 (no click usage text)."""
    click.echo(visible(message), err=True)
    sys.exit(2)


def _parse_marks(values: tuple[str, ...]) -> dict[int, str | None]:
    marks: dict[int, str | None] = {}
    for value in values:
        number, sep, verdict = value.partition("=")
        verdict = " ".join(verdict.split()).lower()
        if not sep or not number.strip().isdigit() or verdict not in (*VERDICTS, WITHDRAW):
            _refuse(
                f"--tandai '{value}' tidak sah; yang diharapkan NOMOR=PENILAIAN dengan penilaian salah satu dari "
                f"{', '.join(VERDICTS)} atau {WITHDRAW}, mis. --tandai 2=\"tidak ada\".")
        marks[int(number)] = None if verdict == WITHDRAW else verdict
    return marks


def _store(bukti_dir: str, ledger: Path) -> Any:
    from zi_nb.review.evidence_store import EvidenceStore, default_store_path

    return EvidenceStore(Path(bukti_dir).expanduser().resolve() if bukti_dir else default_store_path(ledger))


@click.command("bukti")
@click.option("--unit", required=True)
@click.option("--item", "code", default="", help="Kode butir, mis. PPA1A (bawaan saat menampilkan: semua butir).")
@click.option("--tandai", "marks", multiple=True,
              help="Penilaian satu dokumen: NOMOR=ada | \"tidak ada\" | \"tidak sesuai\" | hapus (boleh berulang).")
@click.option("--semua-ada", "all_present", is_flag=True, help="Semua dokumen butir ini ada.")
@click.option("--catatan", "note", default="", help="Catatan penilaian bukti (mis. dokumen masih draf).")
@click.option("--lampirkan", "attach_path", default="", type=click.Path(dir_okay=False),
              help="Lampirkan berkas sebagai bukti dukung butir ini (PDF, gambar, dokumen Office tanpa makro).")
@click.option("--salin", "url", default="", help="Simpan salinan isi tautan http(s) sebagai lampiran butir ini.")
@click.option("--lepas", "detach_sha", default="", help="Lepas lampiran (sha256) dari butir ini; --catatan wajib.")
@click.option("--input", "input_path", default="", type=click.Path(dir_okay=False),
              help="Berkas LKE unit (untuk bukti dukung yang diisi unit dan temuan).")
@click.option("--tier", type=click.Choice(["unit", *REVIEW_TIERS]), default="tpi", show_default=True,
              help="Tingkat penilai (penilaian dokumen: tpi/tpn; lampiran juga unit).")
@click.option("--evaluator", default="", help="Id evaluator (wajib untuk menulis).")
@click.option("--ledger", default=None, help="Berkas ledger (bawaan: $ZI_NB_LEDGER).")
@click.option("--bukti-dir", default="", help="Folder penyimpanan bukti (bawaan: $ZI_NB_EVIDENCE, atau folder "
                                              "bukti-dukung di samping ledger).")
@click.option("--rubric", default="zi-2021", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def bukti(unit: str, code: str, marks: tuple[str, ...], all_present: bool, note: str, attach_path: str, url: str,
          detach_sha: str, input_path: str, tier: str, evaluator: str, ledger: str | None, bukti_dir: str,
          rubric: str, fmt: str) -> None:
    """Bukti dukung per butir: daftar dokumen yang dipersyaratkan rubrik dengan penilaiannya, lampiran, dan temuan.

    Tanpa opsi menulis: tampilkan. Menulis (--tandai, --semua-ada, --lampirkan, --salin, --lepas) memerlukan --item,
    --evaluator dan ledger; setiap perubahan tercatat di ledger (siapa, kapan, tingkat; berantai hash).
    """
    from zi_nb.engine.rubric import load_rubric

    rub = load_rubric(rubric)
    if code and code not in rub.item_by_code:
        _refuse(visible(f"Butir '{code}' tidak ada dalam rubrik {rub.id}."))
    actions = [bool(marks), all_present, bool(attach_path), bool(url), bool(detach_sha)]
    if sum(actions) > 1:
        _refuse("Pilih salah satu: --tandai, --semua-ada, --lampirkan, --salin atau --lepas.")
    if any(actions):
        if not code:
            _refuse("Sebutkan --item (kode butir) untuk menulis.")
        if not evaluator.strip():
            _refuse("Id evaluator wajib untuk menulis: gunakan --evaluator NAMA.")
        _write(rub, unit, code, tier, evaluator, _parse_marks(marks) if marks else None, all_present, note,
               attach_path, url, detach_sha, writable_ledger(ledger), bukti_dir)
        return
    _show(rub, unit, code, tier, input_path, ledger_path(ledger), fmt)


def _write(rub: Any, unit: str, code: str, tier: str, evaluator: str, marks: dict[int, str | None] | None,
           all_present: bool, note: str, attach_path: str, url: str, detach_sha: str, path: Path,
           bukti_dir: str) -> None:
    from zi_nb.review import evidence
    from zi_nb.review.evidence_store import save_copy
    from zi_nb.review.ledger import Ledger

    book = Ledger(path)
    if marks is not None or all_present:
        records = (evidence.mark_all_present(book, rub, unit, code, tier, evaluator) if all_present
                   else evidence.write_verdicts(book, rub, unit, code, tier, evaluator, marks or {}, note))
        for rec in records:
            click.echo(visible(f"#{rec.seq} {rec.note}"))
        return
    if detach_sha:
        rec = evidence.detach(book, rub, unit, code, tier, evaluator, detach_sha.strip().lower(), note)
        click.echo(visible(f"#{rec.seq} lampiran {detach_sha[:12]}… dilepas dari {code}."))
        return
    store = _store(bukti_dir, path)
    if url:
        stored, name = save_copy(store, url)
        rec, stored = evidence.attach(book, store, rub, unit, code, tier, evaluator, name, store.read(stored.sha256),
                                      note, source=url)
    else:
        source = Path(attach_path)
        if not source.is_file():
            _refuse(visible(f"Berkas '{attach_path}' tidak ditemukan."))
        rec, stored = evidence.attach(book, store, rub, unit, code, tier, evaluator, source.name, source.read_bytes(),
                                      note)
    click.echo(visible(f"#{rec.seq} {rec.note}: {stored.label}, {size(stored.size)}, sha256 {stored.sha256} "
                       f"(tersimpan di {store.root})."))


def _show(rub: Any, unit: str, code: str, tier: str, input_path: str, path: Path | None, fmt: str) -> None:
    from zi_nb.lke.inputs import read_inputs
    from zi_nb.review.evidence import attachments_in_force, evidence_check, verdicts_in_force
    from zi_nb.review.ledger import Ledger, apply_ledger

    records = Ledger(path).records(unit) if path else []
    view = "final" if tier == "unit" else tier
    verdicts = verdicts_in_force(records, unit, view)
    attached = attachments_in_force(records, unit)
    submitted: dict[str, list[str]] = {}
    findings: list[Any] = []
    if input_path:
        data = read_inputs([input_path], rub)
        if unit not in data.unit_ids:
            click.echo(visible(f"Unit '{unit}' tidak ada dalam masukan; unit yang ada: {', '.join(data.unit_ids)}."),
                       err=True)
            sys.exit(2)
        data = apply_ledger(data.for_units([unit]), records=records)
        findings = evidence_check(data, records, view)
        for rec in data.answers[data.answers["evidence"].notna()].itertuples(index=False):
            submitted.setdefault(str(rec.code).split(".", 1)[0], []).append(str(rec.evidence))
    codes = [code] if code else [i.code for i in rub.items if rub.documents_of(i.code) or i.code in submitted]
    rows: list[dict[str, Any]] = []
    for c in codes:
        docs = [{"no": n, "dokumen": d, **_verdict(verdicts.get((unit, c, n)))}
                for n, d in enumerate(rub.documents_of(c), start=1)]
        rows.append({"item": c, "documents": docs, "submitted": list(dict.fromkeys(submitted.get(c, []))),
                     "attachments": [{"name": a.name, "sha256": a.sha256, "size": a.size, "label": a.label,
                                      "source": a.source, "evaluator": a.evaluator, "seq": a.seq}
                                     for a in attached if a.code == c],
                     "findings": [f.message() for f in findings if f.code == c]})
    if fmt == "json":
        click.echo(json.dumps({"unit_id": unit, "tier": view, "items": rows}, ensure_ascii=False, indent=2))
        return
    for row in rows:
        if not code and not (row["findings"] or any(d["verdict"] for d in row["documents"]) or row["attachments"]):
            continue  # the overview shows the items with something to say
        click.echo(visible(f"== {row['item']} {rub.item_by_code[row['item']].question[:90]}"))
        for d in row["documents"]:
            who = f" ({d['evaluator']}, #{d['seq']})" if d["verdict"] else ""
            said = f" · {d['catatan']}" if d.get("catatan") else ""
            click.echo(visible(f"  {d['no']}. [{d['verdict'] or 'belum dinilai'}] {d['dokumen']}{who}{said}"))
        for text in row["submitted"]:
            click.echo(visible("  bukti dari unit: " + " | ".join(text.splitlines())))
        for a in row["attachments"]:
            click.echo(visible(f"  lampiran: {a['name']} ({a['label']}, {size(a['size'])}) sha256 {a['sha256'][:12]}… "
                               f"oleh {a['evaluator']}"))
        for message in row["findings"]:
            click.echo(visible(f"  TEMUAN: {message}"))
    lacking = sum(bool(r["findings"]) for r in rows)
    click.echo(f"{len(rows)} butir; {lacking} dengan bukti dukung kurang." if input_path else
               f"{len(rows)} butir (beri --input untuk bukti dari unit dan temuan).")


def _verdict(v: Any) -> dict[str, Any]:
    if v is None:
        return {"verdict": None}
    return {"verdict": v.verdict, "catatan": v.note, "evaluator": v.evaluator, "seq": v.seq}


COMMANDS = [bukti]
