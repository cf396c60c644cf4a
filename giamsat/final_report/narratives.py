"""The communes' own words: sections C (how the review was run) and D (difficulties), and what recurs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

# A difficulty theme and the words that show a commune names it (lower case, with diacritics).
THEMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("kinh phí, giải ngân vốn còn chậm hoặc chưa đủ", ("kinh phí", "giải ngân", "nguồn vốn", "ngân sách")),
    ("cán bộ làm công tác giảm nghèo kiêm nhiệm, thiếu nhân lực", ("kiêm nhiệm", "thiếu cán bộ",
                                                                 "nhân lực")),
    ("một số hộ chưa hợp tác, còn tư tưởng trông chờ, ỷ lại", ("chưa hợp tác", "không hợp tác",
                                                              "ỷ lại", "trông chờ")),
    ("thủ tục, hướng dẫn thực hiện còn vướng mắc", ("thủ tục", "hướng dẫn", "hồ sơ")),
    ("phần mềm, cơ sở dữ liệu quản lý hộ nghèo", ("phần mềm", "cơ sở dữ liệu")),
)


@dataclass(frozen=True)
class CommuneNarrative:
    """One accepted commune report's section C and D text, verbatim, with its name and date."""

    unit_name: str
    received_on: dt.date
    review: str
    difficulties: str


@dataclass(frozen=True)
class Recurring:
    """A difficulty theme and the communes whose section D names it."""

    theme: str
    communes: tuple[str, ...]


def narrative_of(figures: dict | None) -> tuple[str, str]:
    """Section C and D text of a report's stored figures (empty when absent)."""
    texts = (figures or {}).get("narratives") or {}
    return str(texts.get("C") or "").strip(), str(texts.get("D") or "").strip()


def recurring(items: Sequence[CommuneNarrative], at_least: int = 2) -> list[Recurring]:
    """Themes named in section D by ``at_least`` communes, most often named first."""
    out = []
    for theme, words in THEMES:
        names = tuple(n.unit_name for n in items
                      if any(w in n.difficulties.lower() for w in words))
        if len(names) >= at_least:
            out.append(Recurring(theme, names))
    return sorted(out, key=lambda r: -len(r.communes))
