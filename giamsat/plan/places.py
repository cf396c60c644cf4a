"""Every Vietnamese phrase that depends on the issuer's level or the kinds of its units (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

Level = Literal["province", "district", "commune"]
UnitKind = Literal["xa", "phuong", "thi_tran", "dac_khu"]

LEVEL_WORD: dict[str, str] = {"province": "tỉnh", "district": "huyện", "commune": "xã"}
KIND_WORD: dict[str, str] = {"xa": "xã", "phuong": "phường", "thi_tran": "thị trấn",
                             "dac_khu": "đặc khu"}
KIND_ORDER: tuple[str, ...] = ("xa", "phuong", "thi_tran", "dac_khu")


def level_word(level: str) -> str:
    """``tỉnh`` / ``huyện`` / ``xã``."""
    return LEVEL_WORD[level]


def area(level: str, name: str) -> str:
    """The issuer's territory named in a sentence: ``huyện Vụ Bản``, ``tỉnh Ninh Bình``."""
    return f"{LEVEL_WORD[level]} {name}"


def on_territory(level: str, name: str) -> str:
    """``trên địa bàn huyện Vụ Bản`` / ``trên địa bàn tỉnh Ninh Bình``."""
    return f"trên địa bàn {area(level, name)}"


def whole(level: str) -> str:
    """The total row of a table: ``Toàn huyện`` / ``Toàn tỉnh``."""
    return f"Toàn {LEVEL_WORD[level]}"


def tier(level: str) -> str:
    """A heading for the issuer's own tier: ``Cấp huyện`` / ``Cấp tỉnh``."""
    return f"Cấp {LEVEL_WORD[level]}"


def committee_ref(level: str) -> str:
    """The issuing committee referred to generically: ``UBND huyện`` / ``UBND tỉnh``."""
    return f"UBND {LEVEL_WORD[level]}"


def committee_ref_long(level: str) -> str:
    """``Ủy ban nhân dân huyện`` / ``Ủy ban nhân dân tỉnh``."""
    return f"Ủy ban nhân dân {LEVEL_WORD[level]}"


def upper_level(level: str) -> str:
    """Whose monitoring team visits the issuer: ``tỉnh`` for a district or commune."""
    return "Trung ương" if level == "province" else "tỉnh"


def kinds_phrase(kinds: Iterable[str]) -> str:
    """The kinds of units present, in the usual order: ``xã, thị trấn`` / ``xã, phường``."""
    present = set(kinds)
    unknown = present - set(KIND_ORDER)
    if unknown:
        raise ValueError(f"unknown unit kinds: {sorted(unknown)}")
    return ", ".join(KIND_WORD[k] for k in KIND_ORDER if k in present)


def kinds_title(kinds: Iterable[str]) -> str:
    """The same phrase capitalised, for a table header: ``Xã, phường``."""
    phrase = kinds_phrase(kinds)
    return phrase[:1].upper() + phrase[1:]


def deadline_words(rule: str) -> str:
    """The deadline rule worded once: ``trước ngày`` (strictly before) or ``chậm nhất ngày``."""
    return "trước ngày" if rule == "before" else "chậm nhất ngày"
