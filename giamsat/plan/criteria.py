"""The monitoring criteria as configuration: per monitored content and level, what the team checks.

A plan may list its own ``criteria``; a plan that lists none gets ``DEFAULT_CRITERIA`` for the
contents it has. Titles may name the plan's words (``{committee_ref}``, ``{level}``,
``{units_phrase}``, ``{office}``), filled by ``giamsat.plan.wording.criteria_of`` — so a two-tier
province plan says "UBND tỉnh" where the seed's district plan says "UBND huyện".
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from giamsat.plan.sections import _Model

CriteriaLevel = Literal["issuer", "unit"]
YES_NO: tuple[str, ...] = ("Có", "Không")


class Criterion(_Model):
    """One thing the team checks; ``answers``: the short choices a commune answers it with."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    title: str = Field(min_length=3, max_length=300)
    answers: tuple[str, ...] = Field(default=YES_NO, min_length=2, max_length=6)
    asked: bool = True  # unit level: the commune's outline asks it (section C)


class CriteriaGroup(_Model):
    """The criteria of one monitored content (``contents[].key``) at one level."""

    content: str
    level: CriteriaLevel
    items: tuple[Criterion, ...] = Field(min_length=1)


def _c(key: str, title: str, answers: tuple[str, ...] = YES_NO, asked: bool = True) -> Criterion:
    return Criterion(key=key, title=title, answers=answers, asked=asked)


DEFAULT_CRITERIA: tuple[CriteriaGroup, ...] = (
    CriteriaGroup(content="household_review", level="issuer", items=(
        _c("advice", "Tham mưu {committee_ref} lãnh đạo, chỉ đạo công tác rà soát hộ nghèo, "
                     "hộ cận nghèo"),
        _c("guidance", "Hướng dẫn, tập huấn nghiệp vụ rà soát cho các {units_phrase}"),
        _c("progress", "Kiểm tra, đôn đốc, theo dõi tiến độ rà soát của các {units_phrase}"),
        _c("appraisal", "Thẩm định sơ bộ kết quả rà soát của các {units_phrase}"),
        _c("summary_report", "Tổng hợp, báo cáo kết quả rà soát trình Chủ tịch {committee_ref}"),
    )),
    CriteriaGroup(content="household_review", level="unit", items=(
        _c("direction", "Chỉ đạo, tổ chức thực hiện rà soát (kế hoạch, Ban chỉ đạo, hội nghị "
                        "triển khai)"),
        _c("communication", "Tuyên truyền về cuộc rà soát (loa truyền thanh, họp thôn, niêm yết "
                            "công khai)"),
        _c("progress", "Đôn đốc, theo dõi tiến độ rà soát tại các thôn, tổ dân phố",
           ("Đúng tiến độ", "Chậm tiến độ")),
        _c("reporting", "Tổng hợp, báo cáo kết quả rà soát về Ban chỉ đạo {level}",
           ("Đúng hạn", "Chậm", "Chưa báo cáo")),
    )),
    CriteriaGroup(content="project2", level="unit", items=(
        _c("approval", "Phê duyệt mô hình (quyết định, đối tượng, địa bàn thực hiện)", asked=False),
        _c("participants", "Lựa chọn hộ tham gia đúng đối tượng (hộ nghèo, cận nghèo, mới thoát "
                           "nghèo)", asked=False),
        _c("funding", "Bố trí kinh phí, giải ngân, thanh quyết toán đúng quy định", asked=False),
        _c("results", "Kết quả, hiệu quả của mô hình (thu nhập, hộ thoát nghèo, nhân rộng)",
           asked=False),
    )),
)


def default_criteria(content_keys: set[str]) -> tuple[CriteriaGroup, ...]:
    """The default criteria of the contents a plan has."""
    return tuple(g for g in DEFAULT_CRITERIA if g.content in content_keys)
