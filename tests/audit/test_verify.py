"""Audits of run directories: a clean run verifies; each tampering is caught and named; replay matches."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
import yaml

from tests.helpers import run
from zi_nb.audit.verify import replay, verify
from zi_nb.lke.sample import bundled_paths
from zi_nb.review.ledger import Ledger


@pytest.fixture(scope="module")
def base_run(tmp_path_factory, rubric):
    """One `zi-nb report` run on copies of the sample, with two reviewer changes in a ledger."""
    root = tmp_path_factory.mktemp("audit")
    answers, units = (shutil.copy(p, root / p.name) for p in bundled_paths())
    led = root / "ledger.sqlite"
    book = Ledger(led)
    book.adjust(rubric, "rsud-mekarsari", "PPB1A", "A", "tpi", "eva", "SOP mengacu probis", previous="C")
    book.adjust(rubric, "rsud-mekarsari", "PPA1B", "A", "tpi", "eva", "Tim lengkap", previous="B")
    book.adjust(rubric, "rsud-mekarsari", "PPA2B", "A", "tpi", "eva", "Target relevan", previous="B")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        from zi_nb.cli import main

        with pytest.raises(SystemExit) as exc:
            main(["report", str(answers), "--units-file", str(units), "--unit", "rsud-mekarsari", "-o",
                  str(root / "run"), "--ledger", str(led), "--run-id", "R1"])
        assert exc.value.code == 0
    return root


@pytest.fixture
def work(base_run, tmp_path):
    """A private copy of the run, its inputs and its ledger, with the manifest pointing at the copies."""
    root = tmp_path / "w"
    shutil.copytree(base_run, root)
    manifest_path = root / "run" / "manifest.json"
    text = manifest_path.read_text(encoding="utf-8").replace(str(base_run), str(root))
    manifest_path.write_text(text, encoding="utf-8")
    return root


def kinds(differences):
    return {(d.kind, d.subject) for d in differences}


def test_clean_run_verifies(work, capsys):
    assert verify(work / "run") == []
    code, out, _ = run(capsys, "audit", "verify", str(work / "run"))
    assert code == 0 and "LOLOS" in out
    manifest = json.loads((work / "run" / "manifest.json").read_text())
    unit = manifest["units"][0]
    assert unit["stated"]["predicate"] in ("WBK", "WBBM", "TIDAK") and len(unit["outputs"]) == 2
    assert [r["seq"] for r in manifest["ledger"]["records"]["rsud-mekarsari"]] == [1, 2, 3]
    assert manifest["environment"]["versions"]["zi-nb"] and manifest["rubric"]["id"] == "zi-2021"


def test_changed_input_is_named(work, capsys):
    path = work / "sample-lke.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("rsud-mekarsari,tpi,PPB1B,", "rsud-mekarsari,tpi,PPB1B,E",
                                                             1), encoding="utf-8")
    diffs = verify(work / "run")
    assert ("input", "sample-lke.csv") in kinds(diffs)
    code, out, _ = run(capsys, "audit", "verify", str(work / "run"))
    assert code == 1 and "sample-lke.csv" in out and "TIDAK LOLOS" in out


def _sql(path, statement):
    db = sqlite3.connect(path)
    db.execute(statement)
    db.commit()
    db.close()


def test_changed_removed_and_reordered_ledger_records(work):
    led = work / "ledger.sqlite"
    _sql(led, "UPDATE records SET answer = 'B' WHERE seq = 1")
    details = [d.detail for d in verify(work / "run")]
    assert any("#1 telah diubah" in d for d in details) and any("#1: isi telah diubah" in d for d in details)
    _sql(led, "UPDATE records SET answer = 'A' WHERE seq = 1")
    _sql(led, "DELETE FROM records WHERE seq = 2")
    details = [d.detail for d in verify(work / "run")]
    assert any("#2 yang dipakai run ini telah dihapus" in d for d in details)
    assert any("rantai hash terputus" in d for d in details)


def test_reordered_ledger_records(work):
    led = work / "ledger.sqlite"
    _sql(led, "UPDATE records SET seq = 100 WHERE seq = 1")
    _sql(led, "UPDATE records SET seq = 1 WHERE seq = 3")
    _sql(led, "UPDATE records SET seq = 3 WHERE seq = 100")
    details = [d.detail for d in verify(work / "run")]
    assert any("rantai hash terputus" in d or "urutan" in d for d in details)
    assert any("telah diubah" in d for d in details)


def test_changed_report_and_different_score(work):
    html = work / "run" / "rsud-mekarsari.html"
    html.write_text(html.read_text(encoding="utf-8").replace("Belum memenuhi", "Menuju WBK"), encoding="utf-8")
    assert ("output", "rsud-mekarsari.html") in kinds(verify(work / "run"))
    manifest_path = work / "run" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["units"][0]["stated"]["total"] += 5
    manifest_path.write_text(json.dumps(manifest))
    diffs = verify(work / "run")
    assert any(d.kind == "score" and "total tercatat" in d.detail for d in diffs)


def test_replay_matches(work, tmp_path, capsys):
    assert replay(work / "run", tmp_path / "new") == []
    code, out, _ = run(capsys, "audit", "replay", str(work / "run"), "-o", str(tmp_path / "new2"))
    assert code == 0 and "SAMA" in out


def test_old_rubric_version_still_verifies_after_a_new_one(tmp_path, rubric, capsys):
    """A run made with a rubric file that is later superseded (and even removed) still verifies: the manifest keeps
    the exact rubric version it used."""
    old = tmp_path / "zi-2021-old.yaml"
    old.write_text(yaml.safe_dump({"extends": "zi-2021", "id": "zi-2021-lama", "title": "Versi lama",
                                   "predicates": [{"code": "WBK", "name": "Menuju WBK", "criteria": [
                                       {"code": "total", "name": "Nilai total", "measure": "total",
                                        "minimum": 70}]}]}), encoding="utf-8")
    answers = bundled_paths()
    code, _, err = run(capsys, "report", str(answers[0]), "--units-file", str(answers[1]), "--unit", "kua-sukamaju",
                       "--rubric", str(old), "-o", str(tmp_path / "run"), "--run-id", "OLD")
    assert code == 0, err
    newer = tmp_path / "zi-2025.yaml"
    newer.write_text(yaml.safe_dump({"extends": "zi-2021", "id": "zi-2025", "title": "Versi baru"}), encoding="utf-8")
    old.unlink()
    assert verify(tmp_path / "run") == []
