"""The unit report: parameters, sections, escaping, and the notebook run through papermill and zi-nb report."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from tests.helpers import REAL_LKE, ROOT
from zi_nb.common.fmt import local_time
from zi_nb.errors import InputError, ParameterError
from zi_nb.report import build, check_parameters
from zi_nb.report.model import PARAMETERS
from zi_nb.report.runner import NOTEBOOK, report_parameters, run_report


def defaults(**over):
    return {name: default for name, (_, default, _) in PARAMETERS.items()} | over


def test_parameters_are_checked():
    assert check_parameters(defaults(unit_id="x"))["unit_id"] == "x"
    with pytest.raises(ParameterError, match="colour"):
        check_parameters(defaults(colour="red"))
    with pytest.raises(ParameterError, match="policies"):
        check_parameters(defaults(policies="unanswered=zero"))
    with pytest.raises(ParameterError, match="tier"):
        check_parameters(defaults(tier="tpx"))
    with pytest.raises(ParameterError, match="lang"):
        check_parameters(defaults(lang="fr"))
    # names that are not parameters but belong to the kernel or to imports are ignored
    assert check_parameters(defaults(_i1="x", In=[], Out={}, report=pytest))


def test_notebook_declares_exactly_the_parameters():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    names = set(re.findall(r"^(\w+) =", cell.source, flags=re.M))
    assert names == set(PARAMETERS)


def test_unknown_unit_is_a_clear_error():
    with pytest.raises(InputError, match="tidak ada dalam masukan"):
        build(unit_id="tidak-ada")


def test_sections_escape_user_text(tmp_path):
    csv = tmp_path / "lke.csv"
    rows = [("u1", "HBA", "0", "<script>alert('x')</script>", "<img src=x onerror=alert(1)>\nhttps://a.b/c")]
    pd.DataFrame(rows, columns=["unit_id", "code", "answer", "note", "evidence"]).to_csv(csv, index=False)
    meta = tmp_path / "units.csv"
    pd.DataFrame([("u1", "<b>Unit</b> & Co", "Instansi <i>X</i>", 2024)],
                 columns=["unit_id", "unit_name", "instansi", "year"]).to_csv(meta, index=False)
    lhe = build(str(csv), "u1", units_path=str(meta))
    html = "".join(str(lhe.section(s)) for s in ("cover", "weakest_items", "summary"))
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert "&lt;b&gt;Unit&lt;/b&gt; &amp; Co" in html
    assert '<a href="https://a.b/c">' in html


def test_english_option():
    lhe = build(unit_id="kanim-sukawangi", lang="en")
    assert "Zona Integritas Evaluation Report" in str(lhe.section("cover"))
    assert "Towards WBBM" in str(lhe.section("summary"))


@pytest.fixture(scope="module")
def reports(tmp_path_factory, real_lke):
    """Reports of a WBBM, a WBK and a not-yet sample unit and of the real workbook, through zi-nb's runner."""
    out = tmp_path_factory.mktemp("reports")
    files = {}
    for unit in ("kanim-sukawangi", "kpp-danau-biru", "rsud-mekarsari"):
        files[unit] = run_report(report_parameters("", unit, run_id="test"), out)
    files["real"] = run_report(report_parameters(real_lke, "tangsel-opd-lke-zi-2021", run_id="test"), out)
    return files


@pytest.mark.parametrize("unit, label", [("kanim-sukawangi", "Menuju WBBM"), ("kpp-danau-biru", "Menuju WBK"),
                                         ("rsud-mekarsari", "Belum memenuhi"), ("real", "belum dapat ditetapkan")])
def test_report_html_content(reports, rubric, unit, label):
    html = reports[unit].html.read_text(encoding="utf-8")
    assert label in html
    for pred in rubric.predicates:
        for crit in pred.criteria:
            if crit.measure != "area":
                assert crit.name in html
    for area in rubric.areas:
        assert f"Area {area.code} {area.name}" in html
    images = re.findall(r'<img alt="([^"]*)" src="data:image/svg\+xml;base64,', html)
    assert len(images) >= 3 and all(images)  # charts embedded, each with its title as alternative text
    assert "lhe.section" not in html and "class=\"jp-InputArea" not in html and "<script src=" not in html
    assert "Langkah menuju predikat berikutnya" in html and "Asal-usul laporan" in html


def test_real_workbook_report_numbers(reports):
    html = reports["real"].html.read_text(encoding="utf-8")
    assert "95,71" in html  # the rubric's total, not the workbook's 95,58
    assert "K185" in html and "L175" in html  # its defects are listed
    # its stated total differs from its parts (K185): a data error, so its predikat is not announced as final
    assert "Status data: sementara" in html and "belum dapat ditetapkan" in html


def test_report_note_with_script_is_text(reports):
    # rsud-mekarsari's bundled note on PPB1A contains <script>; wherever it shows, it must be text
    html = reports["rsud-mekarsari"].html.read_text(encoding="utf-8")
    assert "<script>alert('x')</script>" not in html


def test_plain_papermill_gives_same_content(reports, tmp_path):
    out = tmp_path / "plain.ipynb"
    papermill = Path(sys.executable).with_name("papermill")
    proc = subprocess.run([str(papermill), str(NOTEBOOK), str(out), "-p", "unit_id", "kpp-danau-biru",
                           "-p", "run_id", "test", "-k", "python3"], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]

    def outputs(path):
        nb = nbformat.read(path, as_version=4)
        return [json.dumps([o.get("data", {}).get("text/html") or o.get("data", {}).get("text/plain")
                            for o in c.get("outputs", [])]) for c in nb.cells if c.cell_type == "code"][2:]

    assert outputs(out) == outputs(reports["kpp-danau-biru"].notebook)


def test_unknown_parameter_refused_by_plain_papermill(tmp_path):
    papermill = Path(sys.executable).with_name("papermill")
    proc = subprocess.run([str(papermill), str(NOTEBOOK), str(tmp_path / "x.ipynb"), "-p", "colour", "red",
                           "-k", "python3"], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode != 0
    assert "colour" in proc.stderr and "tidak dikenal" in proc.stderr


def test_cli_report_writes_ipynb_and_html(tmp_path, capsys):
    from tests.helpers import run

    code, _, err = run(capsys, "report", str(ROOT / "zi_nb/data/sample/sample-lke.csv"), "--units-file",
                       str(ROOT / "zi_nb/data/sample/sample-units.csv"), "--unit", "bps-mekarsari",
                       "-o", str(tmp_path), "--run-id", "t")
    assert code == 0, err
    assert (tmp_path / "bps-mekarsari.html").is_file() and (tmp_path / "bps-mekarsari.ipynb").is_file()
    assert not list(tmp_path.glob(".*tmp*"))
    code, _, err = run(capsys, "report", str(ROOT / "zi_nb/data/sample/sample-lke.csv"), "--unit", "nope",
                       "-o", str(tmp_path))
    assert code == 2 and "nope" in err


@pytest.mark.parametrize("unit", ["kpp-danau-biru", "real"])
def test_pdf_prints_whole_on_a4_with_page_numbers(reports, chromium_path, tmp_path, unit):
    """Every criterion's WBK and WBBM margin is in the PDF's text (no column cut off), no page is wider than A4, each
    page has the running header and "Halaman n dari m"."""
    import subprocess

    from tests.helpers import ensure_debian_package
    from zi_nb.common.fmt import num
    from zi_nb.engine.results import unit_records
    from zi_nb.report.runner import html_to_pdf

    pdftotext = ensure_debian_package("pdftotext", "poppler-utils")
    pdf = html_to_pdf(reports[unit].html, tmp_path / "lhe.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    info = subprocess.run([pdftotext.replace("pdftotext", "pdfinfo"), "-f", "1", "-l", "999", str(pdf)],
                          capture_output=True, text=True, check=True).stdout
    sizes = [line.split(":", 1)[1].split("pts")[0].split("x") for line in info.splitlines()
             if line.startswith("Page") and "size:" in line]
    assert sizes and all(float(w) <= 595.5 and float(h) <= 842.5 for w, h in sizes)  # A4 portrait, 595 x 842 pt
    pages = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")[:-1]
    assert len(pages) == len(sizes) >= 3
    unit_id = "tangsel-opd-lke-zi-2021" if unit == "real" else unit
    for n, page in enumerate(pages, 1):
        assert f"Halaman {n} dari {len(pages)}" in page
        assert f"Laporan Hasil Evaluasi Zona Integritas · {unit_id}" in page
    text = " ".join(pages)
    params = report_parameters(REAL_LKE if unit == "real" else "", unit_id)
    lhe = build(params["input_path"], unit_id)
    (record,) = [r for r in unit_records(lhe.result) if r["unit_id"] == unit_id]
    for c in record["criteria"]:
        shown = ("+" if c["margin"] >= 0 else "") + num(c["margin"], 2)
        assert shown in text, (c["predicate"], c["code"], shown)


def test_report_shows_ledger_changes_with_who_when_why(tmp_path, rubric):
    from zi_nb.review.ledger import Ledger

    path = tmp_path / "l.sqlite"
    record = Ledger(path).adjust(rubric, "rsud-mekarsari", "PPB1A", "A", "tpi", "evaluator-7", "SOP <b>lengkap</b>",
                                 previous="C")
    plain = build(unit_id="rsud-mekarsari")
    lhe = build(unit_id="rsud-mekarsari", ledger_path=str(path))
    html = str(lhe.section("reviewer_changes"))
    assert "evaluator-7" in html and "SOP &lt;b&gt;lengkap&lt;/b&gt;" in html
    assert "Catatan penilai" in html and "Catatan unit" not in html
    # the time in the evaluation's zone (WIB = UTC+7 by default), in words
    assert local_time(record.timestamp, "WIB") in html and " WIB<" in html
    assert lhe.result.scores.total["rsud-mekarsari"] > plain.result.scores.total["rsud-mekarsari"]
    with pytest.raises(InputError, match="Ledger"):
        build(unit_id="rsud-mekarsari", ledger_path=str(tmp_path / "missing.sqlite"))


def _long_csv(path: Path, rows: list[dict]) -> str:
    lines = ["unit_id;tier;code;answer"] + [f"{r['unit_id']};{r['tier']};{r['code']};{r['raw']}" for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_summary_puts_the_data_status_above_a_predikat_that_cannot_be_determined(tmp_path, rubric):
    from tests.helpers import best_raw, set_raw

    lhe = build(_long_csv(tmp_path / "typo.csv", set_raw(best_raw(rubric), "PPA1B", "F")), "u1")
    html = str(lhe.section("summary"))
    assert lhe.status.status == "sementara"
    assert html.index("Status data: sementara") < html.index("belum dapat ditetapkan")
    assert f"1 galat data, 0 peringatan; {len(rubric.items) - 1} dari {len(rubric.items)} butir dijawab" in html
    assert "Menuju WBBM" not in html and 'badge WBBM' not in html
    assert "sementara" in str(lhe.section("cover"))


def test_summary_of_an_unfinished_tpi_review_is_provisional(tmp_path, rubric):
    from tests.helpers import best_raw

    tpi = [{**r, "tier": "tpi"} for r in best_raw(rubric) if r["code"] in ("PPA1A", "PPA1B")]
    path = _long_csv(tmp_path / "tpi.csv", [*best_raw(rubric), *tpi])
    html = str(build(path, "u1", tier="tpi").section("summary"))
    assert "Status data: belum lengkap" in html and "(sementara)" in html
    assert f"2 dari {len(rubric.items)} butir dijawab ({len(rubric.items) - 2} belum dijawab)" in html
    unit = build(path, "u1", tier="unit")
    assert "penilaian mandiri unit (PMPZI)" in str(unit.section("summary"))
    assert "penilaian mandiri unit (PMPZI)" in str(unit.section("cover"))
    assert "Status data: final" in str(unit.section("summary")) and ">Menuju WBBM<" in str(unit.section("summary"))
