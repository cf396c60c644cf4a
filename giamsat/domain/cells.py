"""One cell and one row of a filled outline: numbers and texts read the way officers write them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from giamsat.domain.outline_spec import Column, RawRow, Section
from giamsat.domain.textsafety import clean_text

_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$")
_DECIMAL = re.compile(r"^\d+([.,]\d+)?$")
_GROUPED_DECIMAL = re.compile(r"^\d{1,3}(\.\d{3})+,\d+$")  # 1.234,5: thousands dots, decimal comma
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
MINUS = ("-", "\u2212", "\u2013")
MAX_DIGITS = 15            # 999.999.999.999.999 đồng; more cannot be a real figure (or fit a BIGINT)
MAX_CELL_CHARS = 1000      # a name, a place, a recommendation
MAX_NARRATIVE_CHARS = 20000  # sections C and D: about eight typed pages


@dataclass(frozen=True)
class Issue:
    """One problem; ``text`` reads ``Mục B, dòng 'Hộ nghèo', cột 'Số hộ cuối kỳ': …``."""

    message: str
    section: str | None = None
    row: str | None = None
    column: str | None = None

    @property
    def text(self) -> str:
        """The full Vietnamese line shown to the commune."""
        where = [f"Mục {self.section}"] if self.section else []
        where += [f"dòng {self.row}"] if self.row else []
        where += [f"cột '{self.column}'"] if self.column else []
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def as_json(self) -> dict[str, str | None]:
        """The form stored on the submission row."""
        return {"section": self.section, "row": self.row, "column": self.column,
                "message": self.message, "text": self.text}


class CellError(ValueError):
    """A cell's text is not the number the column expects (message in Vietnamese)."""


def parse_whole(text: str, signed: bool = False) -> int:
    """``1.234`` → 1234; ``-3`` when ``signed``; anything else raises ``CellError``."""
    raw = "".join(text.split())  # _SPACES.sub("", text): \s, U+00A0 and U+202F are str.isspace
    negative = signed and raw[:1] in (*MINUS, "+") and raw[:1] != "+"
    body = raw[1:] if signed and raw[:1] in (*MINUS, "+") else raw
    if not body:
        raise CellError("chưa điền số liệu (ô không có số liệu ghi 0)")
    if raw[:1] in MINUS and not signed:
        raise CellError(f"không được là số âm ('{text.strip()}')")
    if body.isdecimal() or _GROUPED.match(body):  # ^\d+$ (\d is Nd; body has no "\n")
        if len(body.replace(".", "")) > MAX_DIGITS:
            raise CellError(f"số quá lớn (tối đa {MAX_DIGITS} chữ số)")
        value = int(body.replace(".", ""))
        return -value if negative else value
    if _DECIMAL.match(body) or _GROUPED_DECIMAL.match(body):
        comma = (": dấu phẩy ngăn phần thập phân (số thập phân), ô này chỉ ghi số nguyên; dấu chấm "
                 "ngăn hàng nghìn") if "," in body else ""
        raise CellError(f"phải là số nguyên ('{text.strip()}'){comma}")
    raise CellError(f"phải ghi bằng chữ số, không ghi chữ ('{text.strip()[:40]}')")


def parse_percent(text: str) -> float:
    """``2,35`` / ``2.35`` / ``2,35%`` → 2.35; raises ``CellError`` otherwise."""
    raw = _SPACES.sub("", text).removesuffix("%")
    if not raw:
        raise CellError("chưa điền tỷ lệ")
    if raw[:1] in MINUS:
        raise CellError(f"tỷ lệ không được âm ('{text.strip()}')")
    if not _DECIMAL.match(raw):
        raise CellError(f"phải ghi bằng chữ số, ví dụ 2,35 ('{text.strip()[:40]}')")
    value = float(raw.replace(",", "."))
    if value > 100:
        raise CellError(f"tỷ lệ không thể lớn hơn 100% ('{text.strip()}')")
    return value


def filled(section: Section, row: RawRow) -> bool:
    """Whether the officer wrote anything in the row (its printed label does not count)."""
    cells = row.cells
    for key in _layout(section)[0]:
        text = cells.get(key, "")
        if text and clean_text(text).strip():
            return True
    return False


_LAYOUTS: dict[int, tuple[Section, tuple[str, ...], tuple[tuple[Column, str], ...]]] = {}


def _layout(section: Section) -> tuple[tuple[str, ...], tuple[tuple[Column, str], ...]]:
    """The keys ``filled`` reads and the (column, text-limit key) pairs ``row_cells`` converts,
    worked out once per section (the sections are module constants)."""
    found = _LAYOUTS.get(id(section))
    if found is None or found[0] is not section:
        read = tuple((c, f"{section.key}.{c.key}") for c in section.columns
                     if not (c.kind == "ordinal" or (section.fixed_rows and c is section.label_column)))
        if len(_LAYOUTS) > 64:
            _LAYOUTS.clear()
        found = _LAYOUTS[id(section)] = (section, tuple(c.key for c, _ in read), read)
    return found[1], found[2]


def row_name(section: Section, row: RawRow) -> str:
    """How an issue names the row: its printed label for fixed rows, else its position."""
    label = row.cells.get(section.label_column.key, "").strip()
    if section.fixed_rows and label:
        return f"'{label}'"
    return str(row.position)


def row_cells(section: Section, row: RawRow, issues: list[Issue],
              limits: Mapping[str, int] | None = None) -> dict[str, Any] | None:
    """Convert one row's cells by column kind; None when any cell is wrong.

    ``limits`` bounds a text column (``"A.name"`` → characters, what the database column holds);
    the others are bounded by ``MAX_CELL_CHARS``.
    """
    out: dict[str, Any] = {"row_index": row.position}
    ok = True
    bounds = limits or {}
    cells = row.cells
    for col, bound in _layout(section)[1]:
        try:
            limit = bounds.get(bound, MAX_CELL_CHARS)
            out[col.key] = _convert(col, clean_text(cells.get(col.key, "")), limit)
        except CellError as exc:
            issues.append(Issue(str(exc), section.key, row_name(section, row), col.label))
            ok = False
    return out if ok else None


def _convert(col: Column, text: str, limit: int = MAX_CELL_CHARS) -> int | float | str:
    if col.kind in ("count", "money"):
        return parse_whole(text)
    if col.kind == "signed":
        return parse_whole(text, signed=True)
    if col.kind == "percent":
        return parse_percent(text)
    value = " ".join(text.split())
    if col.required and not value:
        raise CellError("chưa điền nội dung")
    if len(value) > limit:
        raise CellError(f"nội dung quá dài ({count_text(len(value))} ký tự; tối đa "
                        f"{count_text(limit)} ký tự): vui lòng viết gọn lại")
    return value


def count_text(n: int) -> str:
    """``12345`` → ``12.345`` (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")
