from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run
from zi_nb.lke.sample import bundled_paths

SAMPLE = [str(p) for p in bundled_paths()]


def test_score_json_contract(capsys, rubric):
    code, out, _ = run(capsys, "score", *SAMPLE, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["rubric"] == {"id": "zi-2021", "hash": rubric.content_hash, "title": rubric.title}
    assert doc["policies"]["unanswered"] == "exclude"
    assert len(doc["units"]) == 12
    keys = {"unit_id", "unit_name", "tier", "total", "pengungkit", "pemenuhan", "reform", "hasil", "bersih", "areas",
            "indicators", "items", "predicate", "criteria", "unanswered"}
    for unit in doc["units"]:
        assert keys <= set(unit)
        assert set(unit["areas"]) == set("ABCDEF")
        assert all(set(a) == {"pemenuhan", "reform", "total"} for a in unit["areas"].values())
        assert len(unit["items"]) == 113 and len(unit["indicators"]) == 45
        assert unit["predicate"] in ("WBBM", "WBK", "TIDAK")
        for c in unit["criteria"]:
            assert {"predicate", "name", "value", "minimum", "met"} <= set(c)
        assert unit["total"] == pytest.approx(unit["pengungkit"] + unit["hasil"])
        assert unit["pengungkit"] == pytest.approx(unit["pemenuhan"] + unit["reform"])
    assert {u["predicate"] for u in doc["units"]} == {"WBBM", "WBK", "TIDAK"}


def test_score_tiers_and_policy(capsys):
    _, unit_out, _ = run(capsys, "score", *SAMPLE, "--format", "json", "--tier", "unit")
    _, tpi_out, _ = run(capsys, "score", *SAMPLE, "--format", "json", "--tier", "tpi",
                        "--policy", "unanswered=zero")
    unit_doc, tpi_doc = json.loads(unit_out), json.loads(tpi_out)
    assert all(u["tier"] == "unit" for u in unit_doc["units"])
    assert tpi_doc["policies"]["unanswered"] == "zero"
    totals = {u["unit_id"]: u["total"] for u in unit_doc["units"]}
    assert any(u["total"] < totals[u["unit_id"]] for u in tpi_doc["units"])


def test_score_table_and_csv(capsys):
    code, out, _ = run(capsys, "score", *SAMPLE)
    assert code == 0 and "Menuju WBBM" in out and "," in out
    code, out, _ = run(capsys, "score", *SAMPLE, "--format", "csv")
    assert out.splitlines()[0].startswith("unit_id,unit_name,instansi,year,tier,total")
    assert len(out.splitlines()) == 13


def test_unknown_policy_is_refused_without_traceback(capsys):
    code, _, err = run(capsys, "score", *SAMPLE, "--policy", "unanswered=never")
    assert code == 2 and "Traceback" not in err and "unanswered" in err


def test_validate_exit_status_and_json(capsys, tmp_path):
    code, out, _ = run(capsys, "validate", *SAMPLE)
    assert code == 0 and "0 galat" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("unit_id;code;answer\nu1;PPA1A;Mungkin\nu1;XYZ9;A\n", encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(bad), "--format", "json")
    doc = json.loads(out)
    assert code == 1
    kinds = {(f["kind"], f["line"]) for f in doc["findings"]}
    assert ("invalid_option", 2) in kinds and ("unknown_code", 3) in kinds
    assert all(f["file"] == str(bad) for f in doc["findings"] if f["kind"] in ("invalid_option", "unknown_code"))


def test_missing_file_and_garbage_are_clear(capsys, tmp_path):
    code, _, err = run(capsys, "score", str(tmp_path / "nope.csv"))
    assert code == 2 and "tidak ditemukan" in err and "Traceback" not in err
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    code, _, err = run(capsys, "score", str(junk))
    assert code == 2 and "junk.xlsx" in err and "Traceback" not in err


def test_template_and_rubric_commands(capsys, tmp_path):
    out_file = tmp_path / "lke.xlsx"
    code, out, _ = run(capsys, "template", "--unit", "Kantor Imigrasi Kelas II Sukawangi", "-o", str(out_file))
    assert code == 0 and out_file.is_file()
    code, out, _ = run(capsys, "rubric")
    assert code == 0 and "sha256:" in out and "113 butir" in out


def test_sample_is_deterministic(capsys, tmp_path):
    run(capsys, "sample", "--units", "5", "-o", str(tmp_path / "a"))
    run(capsys, "sample", "--units", "5", "-o", str(tmp_path / "b"))
    a = (tmp_path / "a" / "synthetic-lke.csv").read_bytes()
    assert a == (tmp_path / "b" / "synthetic-lke.csv").read_bytes()
    _, out, _ = run(capsys, "score", str(tmp_path / "a" / "synthetic-lke.csv"),
                    str(tmp_path / "a" / "synthetic-units.csv"), "--format", "json")
    assert len(json.loads(out)["units"]) == 5


def test_console_script_runs_demo():
    exe = Path(sys.executable).with_name("zi-nb")
    proc = subprocess.run([str(exe), "demo"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "12 unit" in proc.stdout and "Menuju WBK" in proc.stdout


def _typo_file(tmp_path, rubric) -> str:
    from tests.helpers import best_raw, set_raw

    rows = set_raw(best_raw(rubric), "PPA1B", "F")
    path = tmp_path / "typo.csv"
    path.write_text("\n".join(["unit_id;tier;code;answer", *(f"{r['unit_id']};{r['tier']};{r['code']};{r['raw']}"
                                                             for r in rows)]) + "\n", encoding="utf-8")
    return str(path)


def test_score_with_a_data_error_exits_1_and_never_shows_a_final_predikat(capsys, tmp_path, rubric):
    typo = _typo_file(tmp_path, rubric)
    code, out, err = run(capsys, "score", typo)
    assert code == 1 and "PPA1B" in err
    (line,) = [ln for ln in out.splitlines() if "u1" in ln]
    assert "belum dapat ditetapkan" in line and "sementara: 1 galat data" in line and "Menuju WBBM" not in line
    code, out, _ = run(capsys, "score", typo, "--format", "json")
    unit = json.loads(out)["units"][0]
    assert code == 1 and unit["predicate"] == "WBBM"  # the computed value stays, its status says it is not final
    assert (unit["status"], unit["errors"], unit["answered"], unit["scorable"]) == (
        "sementara", 1, len(rubric.items) - 1, len(rubric.items))
    code, out, _ = run(capsys, "score", typo, "--format", "csv")
    header, row = out.splitlines()
    values = dict(zip(header.split(","), row.split(",")))
    assert code == 1 and values["status"] == "sementara" and values["errors"] == "1"


def test_score_marks_an_incomplete_tier_as_provisional(capsys, tmp_path, rubric):
    from tests.helpers import best_raw

    rows = [*best_raw(rubric), *({**r, "tier": "tpi"} for r in best_raw(rubric) if r["code"] in ("PPA1A", "PPA1B"))]
    path = tmp_path / "tpi.csv"
    path.write_text("\n".join(["unit_id;tier;code;answer", *(f"{r['unit_id']};{r['tier']};{r['code']};{r['raw']}"
                                                             for r in rows)]) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "score", str(path), "--tier", "tpi")
    (line,) = [ln for ln in out.splitlines() if "u1" in ln]
    assert code == 0 and "(sementara)" in line and f"belum lengkap: 2 dari {len(rubric.items)} butir" in line
    code, out, _ = run(capsys, "score", str(path), "--tier", "unit")
    assert "penilaian mandiri unit (PMPZI)" in out.replace("\n", " ") or "PMPZI" in out
    (line,) = [ln for ln in out.splitlines() if "u1" in ln]
    assert "Menuju WBBM" in line and "final" in line and "sementara" not in line


@pytest.mark.parametrize("name", ["t.xls", "t.csv", "t"])
def test_template_refuses_an_extension_other_than_xlsx(capsys, tmp_path, name):
    code, _, err = run(capsys, "template", "--unit", "Unit X", "-o", str(tmp_path / name))
    assert code == 2 and "berakhiran" in err and ".xlsx" in err and "Traceback" not in err
    assert not (tmp_path / name).exists()
