"""Who a reminder goes to: a recommendation's addressee decides, the commune never answers for others.

A task the plan gives another body (an assignment) is reminded to that body. A recommendation
addressed to the commune itself (its name appears in the addressee) is reminded to
the commune and escalated to its chairman. One addressed to the district, the province or an office
is reminded to the body of the plan it names (when the plan gives that body an address) or else to
the coordinating office, and never to the commune or its chairman.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from giamsat.domain.formatting import in_sentence
from giamsat.plan.model import Plan
from giamsat.plan.places import is_village
from giamsat.plan.wording import unit_words_by_name


@dataclass(frozen=True)
class Route:
    """Where one reminder goes and how it greets its reader."""

    to: tuple[str, ...]
    cc: tuple[str, ...]
    greeting: str          # the body after "Kính gửi:"
    to_commune: bool       # the commune answers for it (and its chairman on escalation)
    to_office: bool        # the coordinating office itself is asked


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def names_commune(addressed_to: str, unit_name: str | None) -> bool:
    """Whether a recommendation's addressee is the commune ``unit_name`` itself."""
    return bool(unit_name) and _fold(unit_name or "") in _fold(addressed_to)


def _plan_body_email(plan: Plan, addressed_to: str) -> tuple[str, str] | None:
    """(short name, e-mail) of the plan's body that ``addressed_to`` names, when it has an address."""
    folded = _fold(addressed_to)
    for body in (plan.bodies.upper_body, plan.bodies.office, plan.bodies.committee):
        if body.email and (_fold(body.short) in folded or _fold(body.name) in folded):
            return body.short, body.email
    return None


def _is_village(plan: Plan, unit_name: str | None) -> bool:
    unit = plan.unit_named(unit_name or "")
    return unit is not None and is_village(unit.kind)


def route(plan: Plan, row: Any, escalated: bool,
          words_of: Callable[[str], dict[str, str]] | None = None) -> Route:
    """The addresses of a reminder for the obligation ``row`` (see the module docstring);
    ``words_of``: ``unit_words_by_name`` of the plan, memoised by a caller routing many."""
    office = (plan.bodies.office.email,) if plan.bodies.office.email else ()
    unit_name = in_sentence(row.unit_name or "")  # "UBND xã Đại An", never "UBND Xã Đại An"
    def words() -> dict[str, str]:  # a village: "Trưởng thôn Đông" (only where a greeting needs it)
        return words_of(row.unit_name or "") if words_of else unit_words_by_name(plan, row.unit_name or "")
    if row.kind == "assignment":
        task = plan.assignment(row.key.removeprefix("assignment:"))
        return Route((task.email,) if task else (), office if escalated else (),
                     task.body if task else "", False, False)
    if row.rec_id is None:
        to = row.chairman_email if escalated else row.unit_email
        greeting = words()["unit_chief"] if escalated else words()["unit_addressee"]
        return Route((to,) if to else (), office if escalated else (), greeting, True, False)
    if names_commune(row.addressed_to or "", unit_name):
        first = row.addressed_email or row.unit_email
        if escalated and row.chairman_email:
            return Route((row.chairman_email,), office, words()["unit_chief"], True, False)
        # a village is written to through its head ("Trưởng thôn …"), a commune as addressed
        greeting = words()["unit_addressee"] if _is_village(plan, row.unit_name) else row.addressed_to
        return Route((first,) if first else (), office if escalated else (), greeting, True, False)
    named = _plan_body_email(plan, row.addressed_to or "")
    if row.addressed_email and row.addressed_email not in (row.unit_email, row.chairman_email):
        return Route((row.addressed_email,), (), row.addressed_to, False, False)
    if named and named[1] not in office:
        return Route((named[1],), office, row.addressed_to, False, False)
    return Route(office, (), plan.bodies.office.short, False, True)
