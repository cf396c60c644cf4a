"""The register's vocabulary: document kinds, their labels and number symbols, and statuses."""

from __future__ import annotations

from dataclasses import dataclass

from giamsat.domain.formatting import doc_number
from giamsat.plan.schema import Plan

DRAFT, ISSUED = "draft", "issued"
STATUS_LABELS = {DRAFT: "dự thảo", ISSUED: "đã ký, phát hành"}

# Row kinds written by the steps → the kind a văn thư reads in the register.
PUBLIC_KINDS = {"notify_plan": "plan", "notify_letter": "letter", "notify_outline": "outline",
                "visit_minutes": "minutes", "visit_minutes_recorded": "minutes_filled"}


@dataclass(frozen=True)
class Kind:
    """One kind of document: its Vietnamese name and the type code of its number (None: none)."""

    label: str
    type_code: str | None
    numbered: bool  # the văn thư gives it a number when it is issued


KINDS = {
    "plan": Kind("Kế hoạch", "KH", True),
    "letter": Kind("Công văn", None, True),
    "outline": Kind("Đề cương báo cáo", None, False),
    "minutes": Kind("Biên bản giám sát", "BB", False),
    "minutes_filled": Kind("Biên bản giám sát (đã ghi)", "BB", False),
    "interim_report": Kind("Báo cáo giữa kỳ", "BC", True),
    "final_report": Kind("Báo cáo kết quả giám sát", "BC", True),
    "office_report": Kind("Báo cáo của cơ quan thường trực", "BC", True),
    "adhoc_report": Kind("Báo cáo kết quả giám sát đột xuất", "BC", True),
}
OFFICE_KINDS = ("letter", "office_report", "adhoc_report")  # issued in the office's name


def public_kind(row_kind: str) -> str:
    """``notify_plan`` → ``plan``; report kinds are already public."""
    return PUBLIC_KINDS.get(row_kind, row_kind)


def kind_of(row_kind: str) -> Kind:
    """The kind's description (an unknown kind is shown as itself, unnumbered)."""
    name = public_kind(row_kind)
    return KINDS.get(name, Kind(name, None, False))


def issuer_code(row_kind: str, plan: Plan) -> str:
    """Who signs it: the letter and the office's reports are the office's (``LĐTBXH``), the rest
    the committee's (``UBND``)."""
    if public_kind(row_kind) in OFFICE_KINDS:
        return plan.bodies.office.code or "LĐTBXH"
    return plan.bodies.committee.code or "UBND"


def full_number(row_kind: str, plan: Plan, given: str) -> str:
    """``52`` → ``52/KH-UBND``; a number already written with its symbol is kept as given."""
    given = given.strip()
    if not given.isdigit():
        return given
    return doc_number(int(given), kind_of(row_kind).type_code, issuer_code(row_kind, plan)).removeprefix(
        "Số: ")


def blank_number(row_kind: str, plan: Plan) -> str:
    """``Số:      /KH-UBND``: the number line of a draft, before the văn thư numbers it."""
    code = kind_of(row_kind).type_code
    tail = f"{code}-{issuer_code(row_kind, plan)}" if code else issuer_code(row_kind, plan)
    return f"Số:      /{tail}"


def blank_place_date(place: str, year: int) -> str:
    """``Vụ Bản, ngày      tháng      năm 2024``: the date line of a draft, dated at issuance."""
    return f"{place}, ngày      tháng      năm {year}"
