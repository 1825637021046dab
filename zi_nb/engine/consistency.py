"""Consistency rules of a rubric: answers that contradict each other by the rubric's own logic (data, not code).

A rubric may declare a top-level ``consistency:`` list; each rule has a ``code``, a ``kind``, the text shown to the
evaluator (``text`` in Bahasa Indonesia, ``text_en`` in English) and the codes it reads:

* ``cap``: when item ``when`` has a value of at most ``when_at_most``, item ``then`` may not be above
  ``then_at_most`` (no team formed, yet the team selection answered A; no monitoring, yet its follow-up answered
  best). Values are the item values 0..1 of the rubric's answer types.
* ``sum``: the Jumlah inputs ``parts`` must add up to the Jumlah input ``total`` (checked when all are answered).
* ``zero_base``: each ``%`` item of ``items`` may not be 100 % (stated or computed) while the base its rule divides
  by is zero (an item whose ``zero_base_policy`` scores a zero base as 1, like PRE2A, is left out of the list).

The rules never change a score or a predikat, so they are not part of the rubric's content hash (results computed
before a rule was added keep their identity); :mod:`zi_nb.engine.triage` checks them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ConsistencyRule", "consistency_problems"]


class ConsistencyRule(BaseModel):
    """One declared consistency rule (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    kind: Literal["cap", "sum", "zero_base"]
    text: str
    text_en: str = ""
    when: str | None = None
    when_at_most: float = 0.0
    then: str | None = None
    then_at_most: float = 0.0
    parts: list[str] = Field(default_factory=list)
    total: str | None = None
    items: list[str] = Field(default_factory=list)

    def codes(self) -> list[str]:
        """Every rubric code the rule reads."""
        return [c for c in (self.when, self.then, self.total, *self.parts, *self.items) if c]


def consistency_problems(rules: list[ConsistencyRule], item_codes: set[str], input_codes: set[str],
                         ratio_items: set[str]) -> list[str]:
    """What is wrong with the declared rules, in Bahasa Indonesia (empty when valid)."""
    problems: list[str] = []
    seen: set[str] = set()
    for rule in rules:
        if rule.code in seen:
            problems.append(f"aturan konsistensi '{rule.code}' muncul lebih dari sekali")
        seen.add(rule.code)
        if not rule.text.strip():
            problems.append(f"aturan konsistensi {rule.code}: teks kosong")
        if rule.kind == "cap":
            for code in (rule.when, rule.then):
                if code not in item_codes:
                    problems.append(f"aturan konsistensi {rule.code}: butir '{code}' tidak ada")
        elif rule.kind == "sum":
            if not rule.parts or rule.total is None:
                problems.append(f"aturan konsistensi {rule.code}: sum memerlukan parts dan total")
            for code in [*rule.parts, *([rule.total] if rule.total else [])]:
                if code not in input_codes:
                    problems.append(f"aturan konsistensi {rule.code}: isian Jumlah '{code}' tidak ada")
        else:
            for code in rule.items or [""]:
                if code not in ratio_items:
                    problems.append(f"aturan konsistensi {rule.code}: '{code}' bukan butir % dengan aturan ratio")
    return problems
