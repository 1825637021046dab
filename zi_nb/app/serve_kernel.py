"""What runs inside each kernel ``zi-nb serve`` starts, before the evaluator notebook: the import warm-up and, in a
preheated kernel, the wait for the page request.

Why: voila's preheated kernels (``--preheat_kernel=True``) start and **run the whole notebook before any page is
asked for**, so the kernel has no ``QUERY_STRING`` yet and ``?unit=`` would be lost. Voila's documented answer is
:func:`voila.utils.wait_for_request` (also behind ``get_query_string()``): it blocks until the page request that takes
this kernel arrives, then puts that request's variables (``QUERY_STRING``, ``SCRIPT_NAME``...) into ``os.environ``.
Rather than adding that call to ``notebooks/evaluator.ipynb``, the server gives its kernels an IPython startup file
(:func:`write_profile`, through ``IPYTHONDIR``) that calls :func:`install`:

- every kernel imports the workbench modules at start (pandas, ipywidgets, the engine: the slow part of a page);
- a preheated kernel also reads the server's input files (the same for every page) and hands them to the
  workbench's first read, if unchanged meanwhile (:func:`preload`, which replaces ``zi_nb.app.workbench.load_data``
  in this kernel for that one call, and does nothing when the workbench reads its input another way);
- a preheated kernel registers a one-shot ``pre_run_cell`` hook: voila first runs its own snippet that sets
  ``VOILA_KERNEL_ID``, then the notebook's first cell; before that first cell the hook waits for the request, so
  :func:`zi_nb.app.session.resolve_parameters` reads this page's ``?unit=`` as without preheating. Nothing of the
  unit, the ledger or the evaluator is read before the request: a kernel serves exactly one page.
- a kernel started for a request (pool empty, or preheating off) has its ``QUERY_STRING`` already: no hook;
- a kernel started by a page's kernel (the LHE runner's) inherits the page's ``VOILA_*`` variables: left alone.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

WARM_MODULES = ("zi_nb.app.workbench",)  # imports pandas, ipywidgets, the engine, the ledger
STARTUP_FILE = "00-zi-nb-serve.py"
STARTUP_CODE = """\
# Dibuat oleh `zi-nb serve`: pemanasan impor dan, pada kernel yang dipanaskan, menunggu permintaan halaman.
import zi_nb.app.serve_kernel as _zi_nb_serve_kernel

_zi_nb_serve_kernel.install(get_ipython())  # noqa: F821 (IPython startup namespace)
del _zi_nb_serve_kernel
"""


def preheated(environ: dict[str, str] | None = None) -> bool:
    """Whether this kernel was started by voila's pool, ahead of any request."""
    env = os.environ if environ is None else environ
    return env.get("VOILA_PREHEAT", "False") == "True"


def warm_up() -> None:
    for name in WARM_MODULES:
        importlib.import_module(name)


def wait_for_page() -> None:
    """Block until voila hands this preheated kernel to a page request; the request's variables land in
    ``os.environ`` (voila's ``wait_for_request``)."""
    from voila.utils import wait_for_request

    wait_for_request()


def file_stamp(paths: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    stamps = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            stamps.append((-1, -1))
        else:
            stamps.append((st.st_mtime_ns, st.st_size))
    return tuple(stamps)


def preload() -> None:
    """Read the server's input (the same for every page: ``ZI_NB_INPUT``, ``ZI_NB_UNITS``) before the request and
    hand it to the workbench's first ``load_data`` call in this kernel, when the files did not change meanwhile. Only
    the input: the ledger, the unit and the evaluator are read after the request."""
    from zi_nb.app import session, workbench

    original = session.load_data
    if getattr(workbench, "load_data", None) is not original:
        return
    key = (os.environ.get("ZI_NB_INPUT", ""), os.environ.get("ZI_NB_UNITS", ""))
    files = tuple(p for p in key if p)
    stamp = file_stamp(files)
    try:
        data = original(*key)
    except Exception:  # the page shows the reading error itself
        return

    def load_data_once(input_path: str = "", units_path: str = "") -> Any:
        workbench.load_data = original  # once: a later call reads afresh
        if (input_path, units_path) == key and file_stamp(files) == stamp:
            return data
        return original(input_path, units_path)

    workbench.load_data = load_data_once


def install(shell: Any) -> None:
    """Called from the kernel's startup file: warm the imports; in a preheated kernel, wait for the request before
    the notebook's first cell. Nothing at all in a kernel started from a page's kernel (the LHE runner's: it
    inherits ``VOILA_KERNEL_ID`` and ``VOILA_PREHEAT`` and no request will ever come for it)."""
    if os.environ.get("VOILA_KERNEL_ID"):
        return
    warm_up()
    if shell is None or not preheated():
        return

    def before_first_cell(*_: Any) -> None:
        if not os.environ.get("VOILA_KERNEL_ID"):  # voila's own first snippet (it sets the variable)
            return
        shell.events.unregister("pre_run_cell", before_first_cell)
        wait_for_page()

    preload()
    shell.events.register("pre_run_cell", before_first_cell)


def write_profile(ipython_dir: Path) -> Path:
    """An IPython directory whose default profile runs :data:`STARTUP_CODE` in every kernel (``IPYTHONDIR``)."""
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / STARTUP_FILE).write_text(STARTUP_CODE, encoding="utf-8")
    return ipython_dir
