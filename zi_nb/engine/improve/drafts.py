"""Drafts of the catatan and rekomendasi per area, generated from the rubric for one unit and tier.

For every item of an area below its best option, the draft says what the criteria of the next better option require,
phrased as an action; items are grouped per indicator and the indicators with the largest gains come first. The
evaluator accepts, edits or deletes a draft (:mod:`zi_nb.review.catatan` records what they wrote); a report shows
the evaluator's text when there is one and marks a draft as a draft otherwise.

Where an action comes from, in order:

1. the item's ``action`` in the rubric data (an instansi can write its own through ``extends:``);
2. the criteria text of the option to reach, as the rubric states it (``"a. Jika semua SOP unit telah mengacu ..."``,
   ``"Ya, jika Tim telah dibentuk ..."``): its condition becomes the action (``"Pastikan semua SOP unit telah
   mengacu ..."``);
3. for a ``%`` item (no options), the question with the current percentage (``"Tingkatkan capaian: ..."``).

Unanswered items get no action (an unfinished review is the data status's business, not the unit's); survey indices
are results of external surveys and are outside the areas. The gain of an action is the points the next better
option adds to the total, with the indicator's weight shared by its items as in the scoring (an estimate used for
ordering: :mod:`zi_nb.engine.improve.plan` computes exact plans).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from zi_nb.common.fmt import num, pct
from zi_nb.engine.improve.candidates import ranked_options
from zi_nb.engine.rubric import Item, Rubric
from zi_nb.engine.scoring import Scores

__all__ = ["Action", "AreaDraft", "action_text", "area_drafts", "option_criteria"]

# "a. Jika ... b. Jika ...": the criteria of each option letter, as the circulated LKE writes them
_OPTION_START = re.compile(r"(?:^|\s)([a-eA-E])\.\s*(?=\S)")
_CONDITION = re.compile(r"^\s*(?:(?:ya|tidak)\s*,\s*)?(?:jika|apabila|bila)\s+", re.IGNORECASE)

WORDS = {
    "id": {"ensure": "Pastikan {text}.", "raise": "Tingkatkan capaian: {question} (saat ini {value}).",
           "area": "Nilai area {name} {score} dari {weight} ({share}).",
           "weak": " {count} butir belum pada jawaban terbaik; kekurangan terbesar pada indikator {indicators}.",
           "full": " Semua butir area ini sudah pada jawaban terbaik.", "and": " dan ",
           "none": " Belum ada butir area ini yang dinilai.", "open": " {count} butir belum dinilai.",
           "more": "Perbaiki pula {count} butir lain di area ini (lihat Butir terlemah).",
           "lacking": " Bukti dukung belum lengkap: {count} dokumen pada butir {items}.",
           "complete": "Lengkapi bukti dukung: {documents}", "doc": "{document} ({code})",
           "more_docs": "; dan {count} dokumen lainnya", "items_more": "{items} dan {count} butir lainnya"},
    "en": {"ensure": "Ensure that {text}.", "raise": "Raise the result: {question} (now {value}).",
           "area": "Area {name} scores {score} of {weight} ({share}).",
           "weak": " {count} items are below their best answer; most points are lost in the indicators {indicators}.",
           "full": " Every item of this area is at its best answer.", "and": " and ",
           "none": " No item of this area is assessed yet.", "open": " {count} items are not assessed yet.",
           "more": "Improve {count} more items of this area as well (see Weakest items).",
           "lacking": " Supporting evidence is incomplete: {count} documents in items {items}.",
           "complete": "Complete the supporting evidence: {documents}", "doc": "{document} ({code})",
           "more_docs": "; and {count} more documents", "items_more": "{items} and {count} more items"},
}


# a draft names at most this many actions per area (the largest gains): a rekomendasi the evaluator can still read
# and edit; the remaining items are counted in the draft and listed in the LHE's appendix (weakest items)
DRAFT_ACTIONS = 6
# the lacking documents named in a draft's first rekomendasi, and the items named in its catatan; the rest counted
DRAFT_DOCUMENTS = 5
DRAFT_ITEMS = 4


@dataclass(frozen=True)
class Action:
    """One thing to do for one item: reach ``answer_to`` (an option, or ``100%``) from ``answer_from``."""

    code: str
    indicator: str
    indicator_name: str
    answer_from: str | None
    answer_to: str
    text: str
    gain: float


@dataclass
class AreaDraft:
    """The draft catatan and rekomendasi of one area: ``catatan`` a sentence on the area's score, ``actions`` every
    item's action, grouped per indicator, largest gains first; the rekomendasi names the first
    :data:`DRAFT_ACTIONS` of them and counts the rest."""

    area: str
    name: str
    score: float
    weight: float
    catatan: str
    actions: list[Action] = field(default_factory=list)
    lang: str = "id"
    lacking: dict[str, list[str]] = field(default_factory=dict)  # item code -> documents lacking (bukti dukung)

    @property
    def rekomendasi(self) -> str:
        """The lacking evidence first (``Lengkapi bukti dukung: <document> (<item>); ...``), then the first actions
        as text, one per line (what an evaluator edits), and how many more items there are."""
        words = WORDS["en" if self.lang == "en" else "id"]
        lines = []
        documents = [words["doc"].format(document=d, code=c) for c, docs in self.lacking.items() for d in docs]
        if documents:
            text = "; ".join(documents[:DRAFT_DOCUMENTS])
            if len(documents) > DRAFT_DOCUMENTS:
                text += words["more_docs"].format(count=len(documents) - DRAFT_DOCUMENTS)
            lines.append("- " + words["complete"].format(documents=text) + ".")
        lines += [f"- {a.text}" for a in self.actions[:DRAFT_ACTIONS]]
        rest = len(self.actions) - DRAFT_ACTIONS
        if rest > 0:
            lines.append("- " + words["more"].format(count=rest))
        return "\n".join(lines)


def option_criteria(criteria: str) -> dict[str, str]:
    """The criteria text of each option letter (upper case) in an item's criteria; ``Ya`` for a Ya/Tidak item whose
    criteria state the condition of Ya (``"Ya, jika ..."``)."""
    text = " ".join((criteria or "").split())
    starts = list(_OPTION_START.finditer(text))
    out: dict[str, str] = {}
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        out.setdefault(m.group(1).upper(), text[m.end():end].strip())
    if not out and re.match(r"^\s*ya\s*,", text, re.IGNORECASE):
        out["Ya"] = text
    return out


def _as_action(condition: str, lang: str) -> str:
    body = _CONDITION.sub("", condition).strip().rstrip(".;, ")
    if not body:
        return ""
    if not (len(body) > 1 and body[1].isupper()):  # keep acronyms (SOP, SPIP) as they are
        body = body[0].lower() + body[1:]
    return WORDS[lang]["ensure"].format(text=body)


def action_text(rubric: Rubric, item: Item, answer_to: str, value: float | None = None, lang: str = "id") -> str:
    """What reaching ``answer_to`` asks of the unit, as an action (see the module's docstring for the order)."""
    if item.action:
        return item.action
    kind = rubric.answer_types[item.answer_type].kind
    if kind == "option":
        condition = option_criteria(item.criteria).get(answer_to)
        text = _as_action(condition, lang) if condition else ""
        if text:
            return text
    question = item.question.strip().rstrip(".")
    shown = pct(value, 0, lang) if value is not None and not math.isnan(value) else "-"
    if kind == "ratio":
        return WORDS[lang]["raise"].format(question=question, value=shown)
    return WORDS[lang]["ensure"].format(text=question[0].lower() + question[1:] if question else question)


def _next_better(rubric: Rubric, item: Item, value: float) -> tuple[str, float] | None:
    """The option just above ``value`` (None at the best option); ``("100%", 1.0)`` for a ``%`` item below 1."""
    at = rubric.answer_types[item.answer_type]
    if at.kind == "ratio":
        return ("100%", 1.0) if value < 1 - 1e-9 else None
    if at.kind != "option":
        return None
    better = [(label, v) for label, v in ranked_options(rubric, item.answer_type) if v > value + 1e-9]
    return better[-1] if better else None


def _current(rubric: Rubric, item: Item, value: float, lang: str) -> str:
    at = rubric.answer_types[item.answer_type]
    if at.kind == "ratio":
        return pct(value, 0, lang)
    for label, v in ranked_options(rubric, item.answer_type):
        if abs(v - value) <= 1e-6:
            return label
    return num(value, 2, lang)


def _lacking_sentence(lacking: dict[str, list[str]], words: dict[str, str]) -> str:
    codes = list(lacking)
    items = ", ".join(codes[:DRAFT_ITEMS])
    if len(codes) > DRAFT_ITEMS:
        items = words["items_more"].format(items=items, count=len(codes) - DRAFT_ITEMS)
    return words["lacking"].format(count=sum(len(d) for d in lacking.values()), items=items)


def area_drafts(rubric: Rubric, scores: Scores, unit_id: str, lang: str = "id",
                lacking: Mapping[str, Sequence[str]] | None = None) -> dict[str, AreaDraft]:
    """The draft of every area of the rubric for ``unit_id`` in ``scores`` (one tier), keyed by area code.

    ``lacking``: item code -> the documents of its bukti dukung that are lacking (missing, rejected by the
    evaluator, or every required document of an item without any evidence), as plain data; an area with any names
    them in its catatan and asks for them first in its rekomendasi."""
    words = WORDS["en" if lang == "en" else "id"]
    per_indicator: dict[str, int] = {}
    for item in rubric.items:
        per_indicator[item.indicator] = per_indicator.get(item.indicator, 0) + 1
    actions: dict[str, list[Action]] = {}
    answered: dict[str, int] = {}
    unanswered: dict[str, int] = {}
    for item in rubric.items:
        indicator = rubric.indicator_by_code[item.indicator]
        if indicator.area is None or item.code not in scores.items.columns:
            continue
        value = float(cast(float, scores.items.at[unit_id, item.code]))
        if math.isnan(value):
            unanswered[indicator.area] = unanswered.get(indicator.area, 0) + 1
            continue
        answered[indicator.area] = answered.get(indicator.area, 0) + 1
        target = _next_better(rubric, item, value)
        if target is None:
            continue
        gain = (target[1] - value) * indicator.weight / per_indicator[item.indicator]
        actions.setdefault(indicator.area, []).append(Action(
            item.code, indicator.code, indicator.name, _current(rubric, item, value, lang), target[0],
            action_text(rubric, item, target[0], value, lang), gain))
    drafts = {}
    for area in rubric.areas:
        found = actions.get(area.code, [])
        by_indicator: dict[str, float] = {}
        for a in found:
            by_indicator[a.indicator] = by_indicator.get(a.indicator, 0.0) + a.gain
        order = {code: i for i, code in enumerate(sorted(by_indicator, key=lambda c: (-round(by_indicator[c], 9), c)))}
        found = sorted(found, key=lambda a: (order[a.indicator], -round(a.gain, 9), a.code))
        weight = float(sum(area.weights.values()))
        score = float(cast(float, scores.areas.at[unit_id, area.code]))
        catatan = words["area"].format(name=area.name, score=num(score, 2, lang), weight=num(weight, 2, lang),
                                       share=pct(score / weight if weight else math.nan, 1, lang))
        if not answered.get(area.code):
            catatan += words["none"]
        elif found:
            names = list(dict.fromkeys(a.indicator_name for a in found))[:2]
            catatan += words["weak"].format(count=len(found), indicators=words["and"].join(names))
        elif not unanswered.get(area.code):
            catatan += words["full"]
        if answered.get(area.code) and unanswered.get(area.code):
            catatan += words["open"].format(count=unanswered[area.code])
        missing = {code: list(dict.fromkeys(docs)) for code, docs in (lacking or {}).items()
                   if docs and code in rubric.item_by_code
                   and rubric.indicator_by_code[rubric.item_by_code[code].indicator].area == area.code}
        if missing:
            catatan += _lacking_sentence(missing, words)
        drafts[area.code] = AreaDraft(area.code, area.name, score, weight, catatan, found, lang, missing)
    return drafts
