"""The unit report (LHE): the report model the notebook builds (:mod:`.model`), its HTML sections and charts,
and the runner that executes the notebook in a fresh kernel (:mod:`.kernel`) and exports HTML/PDF.

The report notebook uses ``from zi_nb import report`` then ``report.build(**report.check_parameters(globals()))``."""

from zi_nb.report.lhe import Lhe, build
from zi_nb.report.model import check_parameters

__all__ = ["Lhe", "build", "check_parameters"]
