"""The level-dependent phrases of one plan, as the context every document and e-mail merges in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from email.utils import parseaddr
from typing import Any

from giamsat.domain.formatting import short_date
from giamsat.domain.outline_spec import CriterionQuestion
from giamsat.domain.vocabulary import label
from giamsat.plan import places
from giamsat.plan.model import Plan
from giamsat.plan.sections import Unit


def plan_words(plan: Plan) -> dict[str, str]:
    """Every phrase that depends on the issuer, its units' kinds or the programme, by name."""
    level, name = plan.issuer.level, plan.issuer.name
    return {
        "level": places.level_word(level),
        "area": places.area(level, name),
        "on_territory": places.on_territory(level, name),
        "whole": places.whole(level),
        "tier": places.tier(level),
        "committee_ref": places.committee_ref(level),
        "committee_ref_long": places.committee_ref_long(level),
        "units_phrase": places.kinds_phrase(plan.unit_kinds()),
        "units_body": places.units_body(plan.unit_kinds()),
        "units_body_long": places.units_body_long(plan.unit_kinds()),
        "units_body_cap": places.capfirst(places.units_body(plan.unit_kinds())),
        "units_tier": places.units_tier(level, plan.unit_kinds()),
        "units_tier_lower": places.in_sentence(places.units_tier(level, plan.unit_kinds())),
        "units_title": places.kinds_title(plan.unit_kinds()),
        # a SAMPLED unit ("Chọn ngẫu nhiên 4 xã"); every unit is "units_phrase" ("từng xã, phường")
        "unit_noun": plan.sample.unit_noun or places.kinds_phrase(plan.unit_kinds()),
        "upper_short": plan.bodies.upper_body.short,
        "upper_name": plan.bodies.upper_body.name,
        "upper_team": f"Đoàn giám sát của {plan.bodies.upper_body.name}",
        "programme": plan.programme.name,
        "programme_short": plan.programme.short,
        "programme_period": plan.programme.period,
        "component": places.component_in_sentence(plan.programme.component),  # mid-sentence
        "component_models": places.component_models(plan.programme.component),
        "deadline_words": places.deadline_words(plan.report.deadline_rule),
        "upper_level": places.upper_level(level),
        "poverty_standard": plan.standard.cite(),  # the decree and thresholds of the plan's year
    }


def unit_words(plan: Plan, unit: Any) -> dict[str, str]:
    """How letters, e-mails and forms name one unit (the plan's or a stored row: ``name``,
    ``kind``): who reports, whom they greet, who signs, who receives a visit."""
    kind, name = unit.kind, unit.name
    configured = unit if isinstance(unit, Unit) else plan.unit_named(name)
    head = plan.unit_head(configured) if configured is not None else plan.village_heads.get(kind)
    capacity, title = places.unit_signer(kind, head)
    return {"unit_in_sentence": places.in_sentence(name),
            "unit_body": places.unit_body(kind, name),
            "unit_body_cap": places.capfirst(places.unit_body(kind, name)),
            "unit_body_long": places.unit_body_long(kind, name),
            "unit_addressee": places.unit_addressee(kind, name, head),
            "unit_addressee_long": places.unit_addressee_long(kind, name, head),
            "unit_chief": places.unit_chief(kind, name, plan.bodies.committee.short),
            "unit_hosts": places.unit_hosts(kind, head),
            "unit_request": places.unit_request(kind),
            "unit_venue": places.unit_venue(kind, name),
            "unit_delegate": f"Đại diện {places.unit_body_long(kind, name)}",
            "unit_delegate_upper": f"ĐẠI DIỆN {places.unit_body(kind, name).upper()}",
            "unit_sign_capacity": capacity or "", "unit_sign_title": title,
            "unit_kind_title": places.capfirst(places.KIND_WORD[kind])}  # "Tổ dân phố": a column


def unit_words_by_name(plan: Plan, name: str) -> dict[str, str]:
    """``unit_words`` for a unit known by its name only (a stored row); an unknown name: a commune."""
    unit = plan.unit_named(name)
    return unit_words(plan, unit if unit is not None else Unit.model_construct(name=name, kind="xa"))


def addressees(plan: Plan) -> dict[str, str]:
    """The body an e-mail to each known address greets, by address (case-folded): the name written
    before it in the recipients' lists (``Tên <địa chỉ>``), else the assignee's body, else the
    plan's body (``bodies``) with that address."""
    out: dict[str, str] = {}
    for entry in (*plan.recipients.plan_emails, *plan.recipients.final_report_emails):
        name, address = parseaddr(entry)
        if name.strip() and address:
            out.setdefault(address.casefold(), name.strip())
    for a in plan.assignments:
        out.setdefault(a.email.casefold(), a.body)
    bodies = plan.bodies
    for email, body_name in ((bodies.upper_body.email, bodies.upper_body.name),
                             (bodies.committee.email, bodies.committee.short),
                             (bodies.office.email, bodies.office.short)):
        if email:
            out.setdefault(email.casefold(), body_name)
    return out


def greeting(plan: Plan, to: list[str]) -> str | None:
    """Whom an e-mail to ``to`` greets: the named bodies, in order ("A; B"); none known: None."""
    names = addressees(plan)
    found = [names[a.casefold()] for a in to if a.casefold() in names]
    return "; ".join(dict.fromkeys(found)) or None


def deadline_phrase(plan: Plan, day: dt.date | None = None) -> str:
    """``trước ngày 06/4/2024`` or ``chậm nhất ngày 15/4/2026``, as the plan's rule says."""
    return f"{places.deadline_words(plan.report.deadline_rule)} {short_date(day or plan.report.deadline)}"


def issuer_place(plan: Plan) -> str:
    """``huyện Vụ Bản, tỉnh Nam Định`` / ``tỉnh Ninh Bình``: the issuer's place in full."""
    where = places.area(plan.issuer.level, plan.issuer.name)
    province = plan.issuer.province
    return f"{where}, tỉnh {province}" if province and plan.issuer.level != "province" else where


@dataclass(frozen=True)
class CriterionView:
    """One criterion as officials read it: its content, level, key, worded title and answers."""

    content: str
    level: str
    key: str
    title: str
    answers: tuple[str, ...]
    asked: bool

    @property
    def ref(self) -> str:
        """``household_review.unit.communication``: the criterion's stable reference."""
        return f"{self.content}.{self.level}.{self.key}"


def criteria_of(plan: Plan, level: str | None = None, content: str | None = None) -> list[CriterionView]:
    """The plan's criteria, titles worded for its level (no hard-coded "huyện"), in plan order."""
    words = {**plan_words(plan), "office": plan.bodies.office.short}
    out = []
    for group in plan.criteria_groups():
        if (level and group.level != level) or (content and group.content != content):
            continue
        for c in group.items:
            title = c.title
            for name, value in words.items():
                title = title.replace("{" + name + "}", value)
            out.append(CriterionView(group.content, group.level, c.key, title, c.answers, c.asked))
    return out


def criteria_at(plan: Plan, kind: str, name: str) -> list[CriterionView]:
    """The unit-level criteria as the minutes of a visit to one unit print them: a village's speak of
    that village ("tại tổ dân phố Hai", "họp tổ dân phố"), a commune's as the plan words them."""
    views = criteria_of(plan, level="unit")
    if not places.is_village(kind):
        return views
    return [replace(c, title=places.for_village(c.title, kind, name)) for c in views]


def contents_at(plan: Plan, kind: str, name: str) -> dict[str, str]:
    """The monitored contents' titles by key, worded as ``criteria_at`` words the criteria."""
    village = places.is_village(kind)
    return {c.key: places.for_village(c.title, kind, name) if village else c.title for c in plan.contents}


def outline_questions(plan: Plan) -> tuple[CriterionQuestion, ...]:
    """The unit-level criteria the commune's outline asks in section C, worded for the plan."""
    return tuple(CriterionQuestion(c.key, c.title, c.answers)
                 for c in criteria_of(plan, level="unit") if c.asked and c.content == "household_review")


def rec_source_label(plan: Plan, kind: str) -> str:
    """Where a recommendation came from, as an e-mail names it; the upper team by its body's name."""
    if kind == "provincial":
        return f"Kiến nghị của Đoàn giám sát của {plan.bodies.upper_body.name}"
    return label("rec_source", kind)
