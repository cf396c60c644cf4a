"""Who issues the plan, at which level, under which programme: the plan's level-dependent facts."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from giamsat.plan.sections import _Model


class Issuer(_Model):
    """The territory of the issuing committee: a province, a district (the seed) or a commune."""

    level: Literal["province", "district", "commune"]
    name: str                       # the place: "Ninh Bình", "Vụ Bản"
    code: str = Field(pattern=r"^\d{2,5}$")
    place_name: str                 # the place in "Ninh Bình, ngày … tháng … năm …"
    province: str | None = None     # the province a district or commune lies in
    province_code: str | None = Field(default=None, pattern=r"^\d{2}$")


class Programme(_Model):
    """The programme monitored: its name, period and the component whose models are reported."""

    name: str                       # "Chương trình mục tiêu quốc gia giảm nghèo bền vững"
    short: str                      # "Chương trình MTQG giảm nghèo bền vững"
    period: str = Field(pattern=r"^\d{4}-\d{4}$")
    component: str                  # "Dự án 2": the component whose livelihood models are counted


class FinanceOffice(_Model):
    """The finance office the plan tasks with allocating the funds (omitted: no such item)."""

    name: str                       # "Phòng Tài chính - Kế hoạch", "Sở Tài chính"
    task: str | None = None         # its task verbatim; default: allocate the funding line
