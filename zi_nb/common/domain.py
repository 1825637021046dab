"""The words of the domain that code branches on, each defined once.

Tiers (who answered): the unit's self-assessment (PMPZI), up to three TPI columns of a circulated workbook, and TPN.
A later tier overrides an earlier one in the ``final`` view. Stages group the tiers by who evaluates. Rules, weights,
thresholds and document lists are not here: they are rubric data (``zi_nb/rubrics``).
"""

from __future__ import annotations

# every tier an answer can carry, in order of precedence: the latest tier that answered wins in "final"
TIERS: tuple[str, ...] = ("unit", "tpi", "tpi2", "tpi3", "tpn")
# the TPI columns of a circulated workbook (a team may have up to three evaluators side by side)
TPI_TIERS: tuple[str, ...] = ("tpi", "tpi2", "tpi3")
# who evaluates: the unit itself, the internal team (TPI), the national team (TPN)
STAGES: tuple[str, ...] = ("unit", "tpi", "tpn")
TIER_STAGE: dict[str, str] = {"unit": "unit", "tpi": "tpi", "tpi2": "tpi", "tpi3": "tpi", "tpn": "tpn"}
# the stages whose evaluators record answers in the ledger
REVIEW_TIERS: tuple[str, ...] = ("tpi", "tpn")
# the views a score can be computed for: one stage, or "final" (every tier, the latest winning)
FINAL = "final"
TIER_CHOICES: tuple[str, ...] = (*STAGES, FINAL)
# the tiers each view reads, in precedence order
TIER_RANKS: dict[str, tuple[str, ...]] = {FINAL: TIERS, "unit": ("unit",), "tpi": TPI_TIERS, "tpn": ("tpn",)}

# ledger record kinds: reviewer changes to answers, and decisions about a unit
ANSWER_KINDS: tuple[str, ...] = ("answer", "undo")
# the evaluators' catatan and rekomendasi for an area (code = the area's code) or the whole unit (code UNIT_SCOPE)
CATATAN = "catatan"
UNIT_SCOPE = "UNIT"
# bukti dukung: an evaluator's verdict on one required document of an item (code = the item, answer = the verdict),
# and a file attached to an item, stored in the evidence store (answer = its sha256)
BUKTI = "bukti"
LAMPIRAN = "lampiran"
VERDICT_PRESENT = "ada"  # the document is there and is the right, final one
VERDICT_ABSENT = "tidak ada"  # the document is missing
VERDICT_WRONG = "tidak sesuai"  # a document was given, but the wrong one or a draft
VERDICTS: tuple[str, ...] = (VERDICT_PRESENT, VERDICT_ABSENT, VERDICT_WRONG)
# the workflow of a unit in an evaluation period (zi_nb.team.status): a status change or a stage reopened by an admin,
# and a write refused by the team's rules (who tried what, and why)
STATUS = "status"
PENOLAKAN = "penolakan"
RECORD_KINDS: tuple[str, ...] = (*ANSWER_KINDS, CATATAN, BUKTI, LAMPIRAN, "decision", "revocation", STATUS, PENOLAKAN)
# the records a report reads (an audit replays exactly these, up to the run's last record)
REPORT_KINDS: tuple[str, ...] = (*ANSWER_KINDS, CATATAN, BUKTI, LAMPIRAN)

# the kinds of rubric item answers
ITEM_KINDS: tuple[str, ...] = ("option", "ratio", "index", "count")

# the data status of a result (unit and tier): how far its predikat can be relied on. The codes are part of the JSON
# contract of ``zi-nb score``; their display text (Bahasa Indonesia / English) is in zi_nb.common.fmt.STATUS_LABEL
STATUS_FINAL = "final"  # every scorable item answered, no data error
STATUS_INCOMPLETE = "belum lengkap"  # no data error, but items left unanswered: the predikat is provisional
STATUS_PROVISIONAL = "sementara"  # data errors: the predikat cannot be determined from this data
DATA_STATUSES: tuple[str, ...] = (STATUS_FINAL, STATUS_INCOMPLETE, STATUS_PROVISIONAL)
