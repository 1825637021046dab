"""The pure core: the rubric as data, answers, vectorised scores per tier, the predikat criteria, validation,
result documents and the next-predikat plan (:mod:`.improve`). No file formats, no notebooks, no ledger."""
