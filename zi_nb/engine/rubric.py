"""Rubrics as data: load, validate and identify a versioned LKE rubric.

A rubric is a YAML file in ``zi_nb/rubrics/`` (``zi-2021.yaml``) or anywhere on disk. It declares:

* ``answer_types``: how an answer becomes a value 0..1 (``option`` with a value per option, ``ratio`` computed from
  Jumlah inputs, ``index`` clamped to ``minimum..maximum`` and divided by the maximum, ``count`` never scored);
* ``components``: the tree above the indicators (Pengungkit > Pemenuhan, Reform; Hasil > Bersih, Prima) with weights;
* ``areas``: the *area perubahan* with a weight per component (``{PEMENUHAN: 4, REFORM: 4}``; an older regime
  without the split uses a single component, e.g. ``{PENGUNGKIT: 5}``);
* ``indicators``: code, name, component, optional area, weight;
* ``items``: code, indicator, answer type, question, criteria, and for ``%`` items the ``rule`` and its Jumlah
  ``inputs`` (addressed as ``<item>.<input>``);
* ``policies``: named choices where implementations differ, each with its default;
* ``documents``: per item code, the bukti dukung an evaluator expects, in order (``PPA1A: [SK Tim Kerja ..., ...]``);
  document *n* of an item is addressed by its 1-based position;
* ``predicates``: WBK, WBBM... each a list of criteria on a measure (``total``, a component, an indicator, or
  ``area`` = every area as a share of its weight).

A new year's edits are a new file, either complete or with ``extends: zi-2021`` plus the entries it replaces
(matched by ``code``) and ``remove: [codes]``; ``documents`` entries replace the list of the items they name (an
instansi's own checklist), and a removed item loses its list. The content hash is the sha256 of the canonical JSON of
the resolved rubric, so it identifies the rules, not the file's formatting.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from zi_nb.common.resources import rubrics_dir
from zi_nb.engine.consistency import ConsistencyRule, consistency_problems
from zi_nb.errors import PolicyError, RubricError

TOLERANCE = 1e-9  # comparisons of weights and thresholds use unrounded values within this tolerance


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AnswerType(_Model):
    kind: Literal["option", "ratio", "index", "count"]
    options: dict[str, float] = Field(default_factory=dict)  # option -> value 0..1 (kind option)
    minimum: float = 0.0  # kind index
    maximum: float = 4.0  # kind index


class Component(_Model):
    code: str
    name: str
    weight: float
    parent: str | None = None


class Area(_Model):
    code: str
    name: str
    weights: dict[str, float]  # component code -> weight of this area within it


class Indicator(_Model):
    code: str
    name: str
    component: str
    area: str | None = None
    weight: float


class Rule(_Model):
    """How a ``%`` item's value is computed from its Jumlah inputs.

    kind ``ratio``: ``min(1, numerator / base)``. The base is the stated total ``denominator_total`` when it is
    answered, else the sum of ``denominator``; or, when ``denominator_policy`` is set, the sum of the inputs listed in
    ``denominator_choices`` for the chosen policy value. ``above_base`` says whether a numerator above the base is
    valid (``allowed``) or inconsistent data to report (``error``; the value is still capped at 1). A zero base makes
    the item unanswered unless ``zero_base_policy`` names a policy whose value ``one`` scores it 1.

    kind ``decrease``: 1 when ``previous`` and ``current`` are both 0, else ``max(0, (previous - current) /
    previous)``, and 0 when ``previous`` is 0 and ``current`` is not.
    """

    kind: Literal["ratio", "decrease"]
    numerator: str | None = None
    denominator: list[str] = Field(default_factory=list)
    denominator_total: str | None = None
    denominator_policy: str | None = None
    denominator_choices: dict[str, list[str]] = Field(default_factory=dict)
    above_base: Literal["allowed", "error"] = "error"
    zero_base_policy: str | None = None
    previous: str | None = None
    current: str | None = None

    def referenced_inputs(self) -> list[str]:
        names = [self.numerator, self.denominator_total, self.previous, self.current, *self.denominator]
        for choice in self.denominator_choices.values():
            names.extend(choice)
        return [n for n in dict.fromkeys(names) if n]


class Input(_Model):
    name: str
    label: str
    lke_row: int | None = None


class Item(_Model):
    code: str
    indicator: str
    answer_type: str
    question: str
    criteria: str = ""
    # optional: what to do to reach the next better answer, as an action ("Susun dan tetapkan ..."); catatan drafts
    # derive it from the criteria of the next better option when absent (zi_nb.engine.improve.drafts)
    action: str | None = None
    lke_row: int | None = None
    rule: Rule | None = None
    inputs: list[Input] = Field(default_factory=list)


class Policy(_Model):
    default: str
    description: str = ""
    choices: dict[str, str]


class Criterion(_Model):
    code: str
    name: str
    measure: str  # "total", a component code, an indicator code, or "area"
    minimum: float | None = None
    minimum_ratio: float | None = None  # for "area": share of each area's weight

    @model_validator(mode="after")
    def _threshold(self) -> Criterion:
        if (self.minimum is None) == (self.minimum_ratio is None):
            raise ValueError(f"criterion {self.code}: exactly one of minimum / minimum_ratio is required")
        return self


class Predicate(_Model):
    code: str
    name: str
    requires: str | None = None  # predikat the unit must already hold (WBBM requires WBK)
    criteria: list[Criterion]


class Rubric(_Model):
    """A resolved, validated rubric. Build it with :func:`load_rubric`."""

    schema_: int = Field(alias="schema")
    id: str
    title: str
    regulation: str = ""
    in_force_from: int | None = None
    total: float
    answer_types: dict[str, AnswerType]
    components: list[Component]
    areas: list[Area]
    indicators: list[Indicator]
    items: list[Item]
    policies: dict[str, Policy] = Field(default_factory=dict)
    predicates: list[Predicate]
    documents: dict[str, list[str]] = Field(default_factory=dict)  # item code -> required documents (bukti dukung)
    source: str = Field(default="", exclude=True)
    consistency: list[ConsistencyRule] = Field(default_factory=list)  # rules of answers that contradict each other

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    # -- derived lookups -------------------------------------------------------------------------------------------
    @cached_property
    def content_hash(self) -> str:
        canonical = json.dumps(self.model_dump(by_alias=True, mode="json"), sort_keys=True, ensure_ascii=False,
                               separators=(",", ":"))
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @cached_property
    def item_by_code(self) -> dict[str, Item]:
        return {i.code: i for i in self.items}

    @cached_property
    def indicator_by_code(self) -> dict[str, Indicator]:
        return {i.code: i for i in self.indicators}

    @cached_property
    def area_by_code(self) -> dict[str, Area]:
        return {a.code: a for a in self.areas}

    @cached_property
    def component_by_code(self) -> dict[str, Component]:
        return {c.code: c for c in self.components}

    @cached_property
    def input_codes(self) -> dict[str, tuple[Item, Input]]:
        """``PRE3A.wajib_total`` -> (item, input) for every Jumlah input."""
        return {f"{item.code}.{inp.name}": (item, inp) for item in self.items for inp in item.inputs}

    @cached_property
    def all_codes(self) -> set[str]:
        return set(self.item_by_code) | set(self.input_codes)

    def answer_type_of(self, code: str) -> str:
        """Answer type of an item or Jumlah input code (``Jumlah`` for inputs)."""
        if code in self.item_by_code:
            return self.item_by_code[code].answer_type
        if code in self.input_codes:
            return "Jumlah"
        raise KeyError(code)

    def top_components(self) -> list[Component]:
        return [c for c in self.components if c.parent is None]

    def leaf_component(self, code: str) -> list[str]:
        """The component and its ancestors, leaf first."""
        chain = [code]
        while (parent := self.component_by_code[chain[-1]].parent) is not None:
            chain.append(parent)
        return chain

    def policy_values(self, overrides: dict[str, str] | None = None) -> dict[str, str]:
        """Every policy of the rubric with its chosen value; unknown names or values raise :class:`PolicyError`."""
        values = {name: p.default for name, p in self.policies.items()}
        for name, value in (overrides or {}).items():
            if name not in self.policies:
                raise PolicyError(
                    f"Kebijakan '{name}' tidak dikenal dalam rubrik {self.id}; yang tersedia: "
                    + ", ".join(sorted(self.policies))
                )
            if value not in self.policies[name].choices:
                raise PolicyError(
                    f"Nilai '{value}' untuk kebijakan '{name}' tidak sah; pilihan: "
                    + ", ".join(self.policies[name].choices)
                )
            values[name] = value
        return values

    def documents_of(self, code: str) -> list[str]:
        """The documents required as bukti dukung for an item, in order (empty when the rubric lists none)."""
        return self.documents.get(code, [])

    def predicate(self, code: str) -> Predicate:
        for p in self.predicates:
            if p.code == code:
                return p
        raise KeyError(code)


# -- validation -----------------------------------------------------------------------------------------------------
def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6


def check_rubric(r: Rubric) -> list[str]:
    """Every inconsistency of a rubric, as messages in Bahasa Indonesia (empty when valid)."""
    problems: list[str] = []

    def dupes(kind: str, codes: list[str]) -> None:
        seen: set[str] = set()
        for c in codes:
            if c in seen:
                problems.append(f"kode {kind} '{c}' muncul lebih dari sekali")
            seen.add(c)

    dupes("komponen", [c.code for c in r.components])
    dupes("area", [a.code for a in r.areas])
    dupes("indikator", [i.code for i in r.indicators])
    dupes("butir", [i.code for i in r.items] + list(r.input_codes))
    comps = r.component_by_code
    for c in r.components:
        if c.parent is not None and c.parent not in comps:
            problems.append(f"komponen {c.code}: induk '{c.parent}' tidak ada")
    top = sum(c.weight for c in r.top_components())
    if not _close(top, r.total):
        problems.append(f"bobot komponen teratas berjumlah {top:g}, seharusnya {r.total:g}")
    for c in r.components:
        children = [x for x in r.components if x.parent == c.code]
        inds = [i for i in r.indicators if i.component == c.code]
        if children and inds:
            problems.append(f"komponen {c.code} memiliki subkomponen dan indikator sekaligus")
        parts = children or inds
        total = sum(x.weight for x in parts)
        if parts and not _close(total, c.weight):
            problems.append(f"bobot di bawah komponen {c.code} berjumlah {total:g}, seharusnya {c.weight:g}")
        if not parts:
            problems.append(f"komponen {c.code} tidak memiliki indikator")
    for a in r.areas:
        for comp, weight in a.weights.items():
            if comp not in comps:
                problems.append(f"area {a.code}: komponen '{comp}' tidak ada")
                continue
            total = sum(i.weight for i in r.indicators if i.area == a.code and i.component == comp)
            if not _close(total, weight):
                problems.append(f"bobot indikator area {a.code} di {comp} berjumlah {total:g}, seharusnya {weight:g}")
    for i in r.indicators:
        if i.component not in comps:
            problems.append(f"indikator {i.code}: komponen '{i.component}' tidak ada")
        if i.area is not None and i.area not in r.area_by_code:
            problems.append(f"indikator {i.code}: area '{i.area}' tidak ada")
        if not any(it.indicator == i.code for it in r.items):
            problems.append(f"indikator {i.code} tidak memiliki butir")
    for it in r.items:
        if it.indicator not in r.indicator_by_code:
            problems.append(f"butir {it.code}: indikator '{it.indicator}' tidak ada")
        at = r.answer_types.get(it.answer_type)
        if at is None:
            problems.append(f"butir {it.code}: tipe jawaban '{it.answer_type}' tidak dikenal")
            continue
        if at.kind == "count":
            problems.append(f"butir {it.code}: tipe Jumlah hanya untuk isian, bukan butir yang dinilai")
        if at.kind == "ratio":
            if it.rule is None:
                problems.append(f"butir % {it.code} tidak memiliki aturan (rule)")
                continue
            names = {inp.name for inp in it.inputs}
            for ref in it.rule.referenced_inputs():
                if ref not in names:
                    problems.append(f"butir % {it.code}: isian '{ref}' dipakai aturan tetapi tidak dideklarasikan")
            if it.rule.kind == "ratio":
                if not it.rule.numerator or not (it.rule.denominator or it.rule.denominator_choices):
                    problems.append(f"butir % {it.code}: aturan ratio memerlukan pembilang dan pembagi")
                for pol in (it.rule.denominator_policy, it.rule.zero_base_policy):
                    if pol and pol not in r.policies:
                        problems.append(f"butir % {it.code}: kebijakan '{pol}' tidak dideklarasikan")
                if it.rule.denominator_policy:
                    choices = r.policies.get(it.rule.denominator_policy)
                    if choices and set(choices.choices) != set(it.rule.denominator_choices):
                        problems.append(f"butir % {it.code}: pilihan pembagi tidak sesuai kebijakan")
            elif not (it.rule.previous and it.rule.current):
                problems.append(f"butir % {it.code}: aturan decrease memerlukan previous dan current")
        elif it.rule is not None or it.inputs:
            problems.append(f"butir {it.code}: aturan/isian hanya untuk tipe %")
        if at.kind == "option" and (not at.options or any(not 0 <= v <= 1 for v in at.options.values())):
            problems.append(f"tipe jawaban {it.answer_type}: nilai pilihan harus 0..1")
    for code, docs in r.documents.items():
        if code not in r.item_by_code:
            problems.append(f"bukti dukung: butir '{code}' tidak ada")
        if not docs or any(not str(d).strip() for d in docs):
            problems.append(f"bukti dukung {code}: daftar dokumen kosong atau berisi nama kosong")
        if len(set(docs)) != len(docs):
            problems.append(f"bukti dukung {code}: dokumen yang sama disebut lebih dari sekali")
    for name, policy in r.policies.items():
        if policy.default not in policy.choices:
            problems.append(f"kebijakan {name}: nilai bawaan '{policy.default}' bukan salah satu pilihan")
    if not r.predicates:
        problems.append("rubrik tidak memiliki predikat")
    measures = {"total", "area"} | set(comps) | set(r.indicator_by_code)
    pred_codes = {p.code for p in r.predicates}
    for p in r.predicates:
        if p.requires and p.requires not in pred_codes:
            problems.append(f"predikat {p.code}: prasyarat '{p.requires}' tidak ada")
        if not p.criteria:
            problems.append(f"predikat {p.code} tidak memiliki kriteria (ambang batas)")
        for crit in p.criteria:
            if crit.measure not in measures:
                problems.append(f"predikat {p.code}, kriteria {crit.code}: ukuran '{crit.measure}' tidak dikenal")
            if crit.measure == "area" and crit.minimum_ratio is None:
                problems.append(f"predikat {p.code}, kriteria {crit.code}: area memerlukan minimum_ratio")
    ratio_items = {i.code for i in r.items if i.rule is not None and i.rule.kind == "ratio"}
    problems += consistency_problems(r.consistency, set(r.item_by_code), set(r.input_codes), ratio_items)
    return problems


# -- loading --------------------------------------------------------------------------------------------------------
def _packaged(name: str) -> Path | None:
    path = rubrics_dir() / f"{name}.yaml"
    return path if path.is_file() else None


def available_rubrics() -> list[str]:
    """Ids of the rubrics shipped inside the package."""
    folder = rubrics_dir()
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _merge_by_code(base: list[dict], edits: list[dict], remove: set[str]) -> list[dict]:
    replaced = {e["code"]: e for e in edits}
    merged = [replaced.pop(x["code"], x) for x in base if x["code"] not in remove]
    return merged + list(replaced.values())


def _read_raw(ref: str | Path, seen: tuple[str, ...] = ()) -> tuple[dict[str, Any], str]:
    path = _packaged(str(ref)) if isinstance(ref, str) and not str(ref).endswith((".yaml", ".yml")) else Path(ref)
    if path is None or not path.is_file():
        raise RubricError(f"Rubrik '{ref}' tidak ditemukan; rubrik bawaan: {', '.join(available_rubrics())}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RubricError(f"{path}: berkas rubrik bukan YAML yang sah: {exc}") from None
    if not isinstance(raw, dict):
        raise RubricError(f"{path}: berkas rubrik harus berupa pemetaan YAML")
    parent = raw.pop("extends", None)
    if parent is not None:
        if parent in seen:
            raise RubricError(f"{path}: 'extends' melingkar: {' -> '.join((*seen, parent))}")
        base, _ = _read_raw(parent, (*seen, raw.get("id", str(path))))
        remove = set(raw.pop("remove", []) or [])
        for key in ("components", "areas", "indicators", "items", "predicates", "consistency"):
            base[key] = _merge_by_code(base.get(key, []), raw.pop(key, []) or [], remove)
        for key in ("answer_types", "policies", "documents"):
            base[key] = {**base.get(key, {}), **(raw.pop(key, {}) or {})}
        base["documents"] = {k: v for k, v in base["documents"].items() if k not in remove}
        base.update(raw)
        raw = base
    return raw, str(path)


@lru_cache(maxsize=16)
def _load_cached(ref: str) -> Rubric:
    return _load(ref)


def _load(ref: str | Path) -> Rubric:
    raw, path = _read_raw(ref)
    try:
        rubric = Rubric.model_validate({**raw, "source": path})
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10])
        raise RubricError(f"{path}: struktur rubrik tidak sah: {details}") from None
    problems = check_rubric(rubric)
    if problems:
        raise RubricError(f"{path}: rubrik '{rubric.id}' tidak konsisten:\n- " + "\n- ".join(problems))
    return rubric


def load_rubric(ref: str | Path | Rubric = "zi-2021") -> Rubric:
    """Load and validate a rubric by packaged id (``zi-2021``) or path; a :class:`Rubric` passes through.

    Raises :class:`RubricError` naming the file and every failed check.
    """
    if isinstance(ref, Rubric):
        return ref
    if isinstance(ref, str) and not ref.endswith((".yaml", ".yml")):
        return _load_cached(ref)
    return _load(Path(ref))
