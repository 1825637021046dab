"""Run the report notebook for units and export it: papermill executes, nbconvert writes HTML, Chromium prints PDF.

``notebooks/unit_report.ipynb`` is executed with papermill with the same parameters a user would pass on the
``papermill`` command line, so ``zi-nb report`` and plain papermill produce the same content. The executed notebook
is exported with our nbconvert template (``templates/zi_report``): no code cells, no external scripts, charts
embedded. PDF (optional) is the same HTML printed by headless Chromium (Debian package ``chromium``), chosen because
it renders exactly the HTML the evaluators see and is installable here; see :func:`html_to_pdf` and
:mod:`zi_nb.report.pdf` (one browser kept open for many reports).

Every file is written to a temporary name and renamed when complete, so an interrupted run leaves no half report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zi_nb.common.files import atomic_path
from zi_nb.common.resources import notebook, templates_dir
from zi_nb.common.text import css_string, file_stem
from zi_nb.errors import ReportError
from zi_nb.report.kernel import fresh_kernel
from zi_nb.report.model import check_parameters

if TYPE_CHECKING:
    from nbformat import NotebookNode

    from zi_nb.report.pdf import PdfPrinter

NOTEBOOK = notebook("unit_report")
TEMPLATES = templates_dir()
TEMPLATE_NAME = "zi_report"
@dataclass
class ReportFiles:
    unit_id: str
    notebook: Path
    html: Path
    pdf: Path | None = None
    docx: Path | None = None


def _report_exporter_class() -> type:
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        """HTMLExporter without two costs paid per unit in bulk runs: the last step, which re-parses the whole page
        with BeautifulSoup to give images a default alt text and outputs a tabindex (our template writes every chart's
        alt text itself and the report has no input cells), and re-validating the notebook after each preprocessor."""

        # Exporter returns a notebook, template exporters return text: nbconvert's own HTMLExporter and
        # TemplateExporter ignore this [override] error too
        def from_notebook_node(  # type: ignore[override]
            self, nb: NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
        ) -> tuple[str, dict[str, Any]]:
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

        def _validate_preprocessor(self, nbc: Any, preprocessor: Any) -> None:
            """The notebook was validated when papermill wrote it, and our preprocessors only remove cells: no need
            to validate it again after each of the exporter's thirteen preprocessors."""

    return ReportExporter


def exporter() -> Any:
    """An HTML exporter with our template, without input cells or cells tagged ``hide``."""
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {"hide"}
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    exp = _report_exporter_class()(config=config, template_name=TEMPLATE_NAME,
                                   extra_template_basedirs=[str(TEMPLATES)])
    exp.register_preprocessor("nbconvert.preprocessors.TagRemovePreprocessor", enabled=True)
    exp.register_filter("css_string", css_string)
    return exp


def export_html(notebook: Path, html: Path, footer: str = "", exp: Any = None, header: str = "") -> Path:
    """The executed notebook as a self-contained page; ``footer`` closes the page, ``header`` heads every printed
    page (with "Halaman n dari m" at its foot) unless the report's cover states its own (title, unit, nomor)."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            header = output.get("metadata", {}).get("text/html", {}).get("zi_header", header)
    body, _ = (exp or exporter()).from_notebook_node(
        nb, resources={"metadata": {"name": nb.metadata.get("title", notebook.stem)}, "zi_footer": footer,
                       "zi_header": header})
    with atomic_path(html) as tmp:
        tmp.write_text(body, encoding="utf-8")
    return html


def html_to_pdf(html: Path, pdf: Path, printer: PdfPrinter | None = None) -> Path:
    """Print an HTML file to PDF with headless Chromium (A4, the page styles of our template): with ``printer`` (a
    :class:`zi_nb.report.pdf.PdfPrinter` kept open for many reports), else with a browser started for this file."""
    from zi_nb.report.pdf import PdfPrinter

    if printer is not None:
        return printer.print(html, pdf)
    with PdfPrinter() as one_off:
        return one_off.print(html, pdf)


def report_parameters(input_path: str | Path, unit_id: str, **options: Any) -> dict[str, Any]:
    """The notebook parameters for one unit, checked exactly as the notebook checks them."""
    params = {"input_path": str(Path(input_path).resolve()) if input_path else "", "unit_id": unit_id, **options}
    for key in ("units_path", "ledger_path", "settings_path", "records_path"):
        if params.get(key):
            params[key] = str(Path(params[key]).resolve())
    return check_parameters(params)


def run_report(params: dict[str, Any], out_dir: Path, pdf: bool = False, exp: Any = None,
               km: Any = None, printer: PdfPrinter | None = None, docx: bool = False) -> ReportFiles:
    """Execute the notebook for ``params`` (see :data:`zi_nb.report.model.PARAMETERS`) and export it into ``out_dir``.

    ``exp`` reuses an exporter from :func:`exporter`; ``km`` runs the notebook in an already running kernel (its
    kernel manager): :mod:`zi_nb.bulk.warm` resets that kernel first, so the notebook is the same as with a fresh
    kernel. ``printer`` prints the PDF in a browser kept open for many reports (:class:`zi_nb.report.pdf.PdfPrinter`).
    Without ``km`` the report gets a new kernel of its own (:func:`zi_nb.report.kernel.fresh_kernel`).
    ``docx``: the notebook also writes the LHE as a Word document, ``<unit>.docx`` (parameter ``docx_path``, from
    the report it has computed: :mod:`zi_nb.report.docx`).
    """
    import papermill as pm

    params = check_parameters(params)  # whoever calls (CLI, bulk, audit replay): only declared, well-typed values
    if km is None:  # a new kernel for this report alone
        with fresh_kernel() as kernel:
            return run_report(params, out_dir, pdf, exp or exporter(), kernel.km, printer, docx=docx)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = file_stem(params["unit_id"])
    notebook, html = out_dir / f"{name}.ipynb", out_dir / f"{name}.html"
    word = (out_dir / f"{name}.docx").resolve() if docx else None
    params = {**params, "docx_path": str(word) if word else ""}  # the notebook writes it (atomically) or not at all
    with atomic_path(notebook) as tmp:
        try:
            pm.execute_notebook(str(NOTEBOOK), str(tmp), parameters=params, kernel_name="python3",
                                progress_bar=False, cwd=str(NOTEBOOK.parent), language="python", km=km,
                                request_save_on_cell_execute=False)
        except pm.PapermillExecutionError as exc:
            raise ReportError(f"Notebook laporan gagal untuk unit '{params['unit_id']}': {exc.ename}: "
                              f"{exc.evalue}") from None
    footer = f"zi-nb · rubrik {params['rubric']} · run {params['run_id'] or '-'}"
    export_html(notebook, html, footer, exp, header=f"Laporan Hasil Evaluasi Zona Integritas · {params['unit_id']}")
    files = ReportFiles(params["unit_id"], notebook, html, docx=word)
    if pdf:
        files.pdf = html_to_pdf(html, out_dir / f"{name}.pdf", printer)
    return files
