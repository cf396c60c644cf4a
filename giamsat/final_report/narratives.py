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


# Up to this many units a sentence names them; beyond, it counts them (the annex has each text).
HANDFUL = 5


def named_few(names: Sequence[str], of: int) -> tuple[str, ...]:
    """``names`` when they are a minority of ``of`` and a handful at most; else () (count them)."""
    return tuple(names) if len(names) <= HANDFUL and 2 * len(names) <= of else ()


def handful(names: Sequence[str]) -> tuple[str, ...]:
    """``names`` when a sentence can list them (a handful at most); else () (count them)."""
    return tuple(names) if len(names) <= HANDFUL else ()


@dataclass(frozen=True)
class Recurring:
    """A difficulty theme, the communes whose section D names it, out of ``of`` reports read."""

    theme: str
    communes: tuple[str, ...]
    of: int = 0

    @property
    def named(self) -> tuple[str, ...]:
        """The communes worth naming in the body: only a minority, a handful at most."""
        return named_few(self.communes, self.of)


def narrative_of(figures: dict | None) -> tuple[str, str]:
    """Section C and D text of a report's stored figures (empty when absent)."""
    texts = (figures or {}).get("narratives") or {}
    return str(texts.get("C") or "").strip(), str(texts.get("D") or "").strip()


def recurring(items: Sequence[CommuneNarrative], of: int, at_least: int = 2) -> list[Recurring]:
    """Themes named in section D by ``at_least`` communes (out of ``of`` reports), most often first."""
    out = []
    for theme, words in THEMES:
        names = tuple(n.unit_name for n in items
                      if any(w in n.difficulties.lower() for w in words))
        if len(names) >= at_least:
            out.append(Recurring(theme, names, of))
    return sorted(out, key=lambda r: -len(r.communes))
