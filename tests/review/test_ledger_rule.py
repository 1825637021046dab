"""One ledger rule for every command: ``--ledger``, else ``ZI_NB_LEDGER``, else none; absolute once resolved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run
from zi_nb.errors import ReportError
from zi_nb.lke.sample import bundled_paths
from zi_nb.review.ledger import LEDGER_ENV, Ledger, default_path, resolve_ledger

SAMPLE = [str(p) for p in bundled_paths()]
UNIT = "rsud-mekarsari"


@pytest.fixture
def env(monkeypatch, tmp_path) -> Any:
    """No ledger in the environment, and a current folder of our own."""
    monkeypatch.delenv(LEDGER_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def adjust(capsys, *ledger: str, unit: str = UNIT) -> tuple[int, str, str]:
    return run(capsys, "adjust", "--input", SAMPLE[0], "--unit", unit, "--code", "PPB1A", "--answer", "A",
               "--evaluator", "eva", "--note", "bukti baru", *ledger)


def test_resolve_ledger_flag_env_none(env, tmp_path):
    assert resolve_ledger(None) is None and resolve_ledger("") is None
    assert resolve_ledger("rel/l.sqlite") == tmp_path / "rel" / "l.sqlite"  # relative: against the current folder
    env.setenv(LEDGER_ENV, "env.sqlite")
    assert resolve_ledger(None) == tmp_path / "env.sqlite"
    assert resolve_ledger("flag.sqlite") == tmp_path / "flag.sqlite"  # the flag wins
    assert resolve_ledger(None).is_absolute() and default_path() == tmp_path / "env.sqlite"
    env.delenv(LEDGER_ENV)
    assert default_path() == tmp_path / "outputs" / "ledger.sqlite"  # the evaluator app's own fallback, absolute


def test_adjust_needs_a_ledger_and_stores_it_absolute(env, tmp_path, capsys):
    code, _, err = adjust(capsys)
    assert code == 2 and "Tidak ada ledger" in err and "--ledger" in err and LEDGER_ENV in err
    assert not (tmp_path / "outputs").exists()  # nothing written anywhere
    code, out, _ = adjust(capsys, "--ledger", "rel.sqlite")
    assert code == 0 and f"Tersimpan di {tmp_path / 'rel.sqlite'} " in out
    env.setenv(LEDGER_ENV, str(tmp_path / "env.sqlite"))
    code, out, _ = adjust(capsys)
    assert code == 0 and str(tmp_path / "env.sqlite") in out and len(Ledger(tmp_path / "env.sqlite").records()) == 1
    code, _, err = adjust(capsys, unit="tidak-ada")
    assert code == 2 and "Unit 'tidak-ada' tidak ada dalam masukan" in err


def test_revoke_needs_a_ledger(env, tmp_path, capsys):
    args = ["revoke", "--unit", "u1", "--year", "2024", "--reason", "alasan", "--evaluator", "menpan"]
    code, _, err = run(capsys, *args)
    assert code == 2 and "Tidak ada ledger" in err
    env.setenv(LEDGER_ENV, "env.sqlite")
    run(capsys, *args)  # the environment's ledger is the one opened (relative: against the current folder)
    assert (tmp_path / "env.sqlite").is_file()


def test_history_flag_env_none_and_unknown_unit(env, tmp_path, capsys):
    adjust(capsys, "--ledger", str(tmp_path / "l.sqlite"))
    code, _, err = run(capsys, "history")
    assert code == 2 and "Tidak ada ledger" in err and LEDGER_ENV in err
    code, out, _ = run(capsys, "history", "--ledger", "l.sqlite")
    assert code == 0 and "1 rekaman" in out
    other = tmp_path / "lain"
    other.mkdir()
    env.chdir(other)  # another folder: the environment's absolute path still names the same ledger
    env.setenv(LEDGER_ENV, str(tmp_path / "l.sqlite"))
    code, out, _ = run(capsys, "history", "--unit", UNIT)
    assert code == 0 and "1 rekaman" in out
    code, _, err = run(capsys, "history", "--unit", "tidak-ada")
    assert code == 2 and "Unit 'tidak-ada' tidak ada di ledger" in err and UNIT in err
    code, _, err = run(capsys, "history", "--ledger", "hilang.sqlite")
    assert code == 2 and f"Ledger '{other / 'hilang.sqlite'}' (dari --ledger) tidak ditemukan" in err


def _total(csv_text: str) -> str:
    return next(line for line in csv_text.splitlines() if line.startswith(UNIT)).split(",")[5]


def test_score_and_export_follow_the_rule(env, tmp_path, capsys):
    led = tmp_path / "l.sqlite"
    adjust(capsys, "--ledger", str(led))
    _, plain, _ = run(capsys, "score", *SAMPLE, "--format", "csv")
    _, flagged, _ = run(capsys, "score", *SAMPLE, "--format", "csv", "--ledger", str(led))
    env.setenv(LEDGER_ENV, str(led))
    _, from_env, _ = run(capsys, "score", *SAMPLE, "--format", "csv")
    assert _total(plain) != _total(flagged) == _total(from_env)  # score no longer ignores the environment's ledger
    code, _, _ = run(capsys, "export", "--input", SAMPLE[0], "--units-file", SAMPLE[1], "--unit", UNIT,
                     "-o", str(tmp_path / "x.xlsx"))
    assert code == 0
    env.delenv(LEDGER_ENV)
    _, exported, _ = run(capsys, "score", str(tmp_path / "x.xlsx"), "--format", "csv")
    assert _total(exported) == _total(flagged)  # export applied the environment's ledger
    env.setenv(LEDGER_ENV, str(tmp_path / "hilang.sqlite"))
    code, _, err = run(capsys, "score", *SAMPLE)
    assert code == 2 and f"(dari variabel lingkungan {LEDGER_ENV}) tidak ditemukan" in err
    code, _, err = run(capsys, "export", "--input", SAMPLE[0], "--unit", "tidak-ada", "-o", str(tmp_path / "y.xlsx"))
    assert code == 2 and "Unit 'tidak-ada' tidak ada dalam masukan" in err


@pytest.mark.parametrize("how", ["flag", "env", "none"])
def test_report_bulk_and_serve_receive_the_resolved_ledger(how, env, tmp_path, capsys):
    import zi_nb.app.serve
    import zi_nb.bulk.run
    import zi_nb.report.runner

    led = tmp_path / "l.sqlite"
    adjust(capsys, "--ledger", str(led))
    flag = ["--ledger", "l.sqlite"] if how == "flag" else []
    if how == "env":
        env.setenv(LEDGER_ENV, "l.sqlite")  # relative: resolved against the current folder, once
    expected = "" if how == "none" else str(led)
    seen: dict[str, Any] = {}

    def fake_report(params, out, pdf=False, **options):
        seen["report"] = params["ledger_path"]
        raise ReportError("tidak dijalankan dalam uji ini")

    def fake_bulk(options, *args, **kwargs):
        seen["bulk"] = options.ledger
        raise SystemExit(0)

    def fake_serve(input_path, units_path, ledger_path, *args, **kwargs):
        seen["serve"] = ledger_path
        return 0

    env.setattr(zi_nb.report.runner, "run_report", fake_report)
    env.setattr(zi_nb.bulk.run, "run_bulk", fake_bulk)
    env.setattr(zi_nb.app.serve, "serve", fake_serve)
    run(capsys, "report", SAMPLE[0], "--unit", UNIT, "-o", str(tmp_path / "out"), *flag)
    run(capsys, "bulk", SAMPLE[0], "-o", str(tmp_path / "bulk"), *flag)
    run(capsys, "serve", *flag)
    assert seen == {"report": expected, "bulk": expected,
                    "serve": expected or str(tmp_path / "outputs" / "ledger.sqlite")}
    assert all(Path(v).is_absolute() for v in seen.values() if v)
