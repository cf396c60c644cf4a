"""The outline (đề cương) form defined once: sections, columns and Vietnamese labels.

The renderer draws the Word form from this, the reader finds its tables by these header labels,
and validation names sections, rows and columns with them. Standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

FORM_KIND = "giamsat-de-cuong"
MARKER_PREFIX = "GIAMSAT-FORM"

CellKind = Literal["text", "count", "money", "signed", "percent", "ordinal"]


@dataclass(frozen=True)
class Column:
    """One column of a form table: stable key, header label, what the cell holds."""

    key: str
    label: str
    kind: CellKind = "text"
    required: bool = False
    width_cm: float = 1.6


@dataclass(frozen=True)
class FixedRow:
    """A row the form prints already labelled (e.g. 'Hộ nghèo'); ``key`` is stored in the DB."""

    key: str
    label: str


@dataclass(frozen=True)
class Section:
    """A lettered part of the form: a table of rows, or a narrative box (one-column table)."""

    key: str
    title: str
    instruction: str  # "{level}" and "{addressees}" are filled from the plan when rendered
    columns: tuple[Column, ...]
    fixed_rows: tuple[FixedRow, ...] = ()
    empty_rows: int = 0
    narrative: bool = False
    required: bool = False

    def column(self, key: str) -> Column:
        """The column with ``key``."""
        return next(c for c in self.columns if c.key == key)

    @property
    def label_column(self) -> Column:
        """The first column, which names the row (ordinal or fixed label)."""
        return self.columns[0]


SECTION_A = Section(
    key="A",
    title="A. KẾT QUẢ THỰC HIỆN DỰ ÁN 2 (ĐA DẠNG HÓA SINH KẾ, PHÁT TRIỂN MÔ HÌNH GIẢM NGHÈO)",
    instruction=("Mỗi mô hình ghi một dòng. Số hộ ghi số nguyên; kinh phí ghi bằng đồng, có thể "
                 "dùng dấu chấm phân cách hàng nghìn (ví dụ 150.000.000). Ô không có số liệu ghi 0. "
                 "Cần thêm dòng: đặt con trỏ ở dòng cuối bảng và nhấn Tab."),
    columns=(
        Column("ordinal", "TT", "ordinal", width_cm=0.9),
        Column("name", "Tên mô hình", "text", required=True, width_cm=2.8),
        Column("village", "Thôn/xóm/TDP", "text", required=True, width_cm=1.6),
        Column("model_type", "Loại mô hình", "text", required=True, width_cm=1.8),
        Column("host_org", "Đơn vị chủ trì", "text", width_cm=1.8),
        Column("households_poor", "Hộ nghèo (hộ)", "count", True, 1.3),
        Column("households_near_poor", "Hộ cận nghèo (hộ)", "count", True, 1.3),
        Column("households_escaped", "Hộ mới thoát nghèo (hộ)", "count", True, 1.3),
        Column("households_other", "Hộ khác (hộ)", "count", True, 1.3),
        Column("fund_central", "Ngân sách trung ương (đồng)", "money", True, 1.8),
        Column("fund_local", "Ngân sách địa phương (đồng)", "money", True, 1.8),
        Column("fund_counterpart", "Vốn đối ứng (đồng)", "money", True, 1.8),
        Column("fund_credit", "Vốn tín dụng (đồng)", "money", True, 1.8),
        Column("disbursed", "Đã giải ngân (đồng)", "money", True, 1.8),
        Column("outcomes", "Kết quả đạt được", "text", width_cm=2.0),
    ),
    empty_rows=5,
)

# The 2021–2025 programme's numbering: its Project 2 is what section A's title describes.
SEED_COMPONENT = "Dự án 2"


def section_a_title(component: str) -> str:
    """Section A's title for the plan's component: the seed's own for ``Dự án 2``; another
    programme's component (the merged 2026 programme has no Project 2) by its own name."""
    if component == SEED_COMPONENT:
        return SECTION_A.title
    return f"A. KẾT QUẢ THỰC HIỆN {component.upper()}"


SECTION_B = Section(
    key="B",
    title="B. KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO",
    instruction=("Ghi số hộ của từng nhóm. Cuối kỳ = Đầu kỳ − Thoát + Tái + Phát sinh mới ± "
                 "Biến động khác (biến động giảm ghi dấu trừ, ví dụ -3). Tỷ lệ (%) = Cuối kỳ / "
                 "Tổng số hộ dân cư × 100, ghi hai chữ số thập phân (ví dụ 2,35). Hộ nghèo, hộ cận "
                 "nghèo xác định theo {standard}."),
    columns=(
        Column("group", "Nhóm hộ", "text", width_cm=3.0),
        Column("total_households", "Tổng số hộ dân cư", "count", True, 2.4),
        Column("at_start", "Số hộ đầu kỳ", "count", True, 2.2),
        Column("escaped", "Số hộ thoát", "count", True, 2.2),
        Column("fell_back", "Số hộ tái", "count", True, 2.2),
        Column("newly_poor", "Số hộ phát sinh mới", "count", True, 2.4),
        Column("other_changes", "Biến động khác (±)", "signed", True, 2.4),
        Column("at_end", "Số hộ cuối kỳ", "count", True, 2.2),
        Column("rate_pct", "Tỷ lệ cuối kỳ (%)", "percent", True, 2.2),
    ),
    fixed_rows=(FixedRow("poor", "Hộ nghèo"), FixedRow("near_poor", "Hộ cận nghèo")),
    required=True,
)

SECTION_CRITERIA = Section(
    key="CT",  # shown to the commune as section C: its criteria table, above the summary box
    title="C. CÔNG TÁC CHỈ ĐẠO, TỔ CHỨC THỰC HIỆN RÀ SOÁT",
    instruction=("Mỗi tiêu chí: ghi ở cột 'Trả lời' đúng một lựa chọn nêu trong ngoặc dưới tiêu chí "
                 "(ví dụ Có hoặc Không) và nêu cụ thể ở cột 'Nội dung cụ thể' (văn bản, số hội nghị, "
                 "hình thức, thời gian…). Không xóa, không đổi thứ tự các tiêu chí."),
    columns=(
        Column("criterion", "Tiêu chí", "text", width_cm=8.6),
        Column("answer", "Trả lời", "text", required=True, width_cm=3.2),
        Column("detail", "Nội dung cụ thể", "text", required=True, width_cm=12.2),
    ),
)
C_AFTER_CRITERIA = ("Tóm tắt chung công tác chỉ đạo, tổ chức thực hiện rà soát và những nội dung khác "
                    "chưa nêu ở bảng trên. Ghi vào ô dưới đây (bắt buộc).")

SECTION_C = Section(
    key="C",
    title="C. CÔNG TÁC CHỈ ĐẠO, TỔ CHỨC THỰC HIỆN RÀ SOÁT",
    instruction=("Nêu việc chỉ đạo, triển khai rà soát; tuyên truyền về cuộc rà soát; đôn đốc, "
                 "theo dõi tiến độ; tổng hợp, báo cáo kết quả về Ban chỉ đạo {level}. "
                 "Ghi vào ô dưới đây (bắt buộc)."),
    columns=(Column("text", "Nội dung mục C", "text", width_cm=24.0),),
    narrative=True,
    required=True,
)

SECTION_D = Section(
    key="D",
    title="D. KHÓ KHĂN, VƯỚNG MẮC",
    instruction=("Nêu những khó khăn, vướng mắc trong quá trình tổ chức thực hiện. "
                 "Ghi vào ô dưới đây (bắt buộc; nếu không có ghi 'Không có')."),
    columns=(Column("text", "Nội dung mục D", "text", width_cm=24.0),),
    narrative=True,
    required=True,
)

SECTION_E = Section(
    key="E",
    title="E. ĐỀ XUẤT, KIẾN NGHỊ",
    instruction=("Mỗi kiến nghị ghi một dòng: nội dung và cơ quan, đơn vị được kiến nghị "
                 "(ví dụ: {addressees})."),
    columns=(
        Column("ordinal", "TT", "ordinal", width_cm=0.9),
        Column("content", "Nội dung đề xuất, kiến nghị", "text", required=True, width_cm=16.0),
        Column("addressed_to", "Cơ quan, đơn vị được kiến nghị", "text", required=True,
               width_cm=7.0),
    ),
    empty_rows=4,
)

SECTIONS: tuple[Section, ...] = (SECTION_A, SECTION_B, SECTION_CRITERIA, SECTION_C, SECTION_D,
                                 SECTION_E)


@dataclass(frozen=True)
class CriterionQuestion:
    """A criterion the outline asks in section C: key, worded title, the short answers allowed."""

    key: str
    title: str
    answers: tuple[str, ...]

    def label(self, number: int) -> tuple[str, str]:
        """The two lines of its label cell: ``1. <title>`` and ``(Có / Không)``."""
        return f"{number}. {self.title}", "(" + " / ".join(self.answers) + ")"


def choices_in(label_text: str) -> tuple[str, ...]:
    """The answers a criterion's label cell offers (its last parenthesised line), as written."""
    found = re.search(r"\(([^()]*)\)\s*$", label_text or "")
    return tuple(a.strip() for a in found.group(1).split(" / ")) if found else ()


def section(key: str) -> Section:
    """The section with letter ``key``."""
    return next(s for s in SECTIONS if s.key == key)


def normalise(text: str) -> str:
    """Header text compared loosely: NFC, case-folded, whitespace collapsed, dashes unified."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Marker:
    """What the hidden marker of a form says: which form, for which unit and cycle."""

    form_version: str
    unit_key: str
    cycle_key: str

    @property
    def unit_code(self) -> str:
        """The unit's code (the part of ``unit_key`` before ``@``)."""
        return self.unit_key.split("@", 1)[0]

    def encode(self) -> str:
        """``GIAMSAT-FORM|giamsat-de-cuong|2024.1|13741@2024-01-01|vu-ban-2024``."""
        return "|".join((MARKER_PREFIX, FORM_KIND, self.form_version, self.unit_key,
                         self.cycle_key))


# A unit's code: the statistics office's five digits; a village (which has none) the commune's
# code, a dash and the number the commune gives it (``13741-01``).
UNIT_CODE = r"\d{5}(?:-\d{2,3})?"

_MARKER_RE = re.compile(
    rf"{MARKER_PREFIX}\|{FORM_KIND}\|([^|\s]{{1,20}})\|({UNIT_CODE}@\d{{4}}-\d{{2}}-\d{{2}})\|"
    r"([a-z0-9][a-z0-9-]{0,63})")


def decode_marker(text: str) -> Marker | None:
    """The marker found in ``text``, or None when there is none."""
    match = _MARKER_RE.search(text or "")
    return Marker(*match.groups()) if match else None


@dataclass
class RawRow:
    """One data row as read: its position under the header (1-based) and cell texts by key."""

    position: int
    cells: dict[str, str]


@dataclass
class RawTable:
    """A section's table as read: its rows, and the spec columns its header lacks."""

    rows: list[RawRow]
    missing_columns: list[str]


@dataclass
class RawReport:
    """Everything read from a filled form, as text: the validator turns it into figures."""

    marker: Marker | None = None
    marker_conflict: bool = False
    tables: dict[str, RawTable] | None = None
    duplicate_sections: list[str] | None = None
