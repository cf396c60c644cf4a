"""Vietnamese formatting of numbers and dates, as official documents write them."""

from __future__ import annotations

import datetime as dt


def vn_number(value: float | int, decimals: int = 0) -> str:
    """``1234.5`` → ``1.234,5``: dot for thousands, comma for decimals."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn_percent(value: float, decimals: int = 2) -> str:
    """``4.0312`` → ``4,03%``."""
    return f"{vn_number(value, decimals)}%"


def _month(month: int) -> str:
    """Decree 30 pads months 1 and 2 only: ``01``, ``02``, ``3`` … ``12``."""
    return f"{month:02d}" if month <= 2 else str(month)


def short_date(day: dt.date) -> str:
    """``06/4/2024``, ``31/01/2026``: every date a person reads (documents, e-mails, the CLI, the
    web pages), padded as Decree 30 pads ``long_date``; machine formats stay ISO."""
    return f"{day.day:02d}/{_month(day.month)}/{day.year}"


def short_date_time(moment: dt.datetime) -> str:
    """``05/6/2024 14:30``: ``short_date`` and the time of ``moment`` as given (convert it first)."""
    return f"{short_date(moment)} {moment:%H:%M}"


def long_date(day: dt.date) -> str:
    """``ngày 06 tháng 4 năm 2024``: Decree 30 pads days below 10 and months 1 and 2."""
    return f"ngày {day.day:02d} tháng {_month(day.month)} năm {day.year}"


def place_date(place: str, day: dt.date) -> str:
    """``Vụ Bản, ngày 06 tháng 4 năm 2024``."""
    return f"{place}, {long_date(day)}"


def doc_number(number: int, type_code: str | None, issuer_code: str) -> str:
    """``Số: 05/KH-UBND``; a letter (công văn) has no type code: ``Số: 12/UBND-LĐTBXH``."""
    tail = f"{type_code}-{issuer_code}" if type_code else issuer_code
    return f"Số: {number:02d}/{tail}"


def in_sentence(name: str) -> str:
    """``Xã Đại An`` → ``xã Đại An``: a unit's name inside a sentence ("UBND xã Đại An")."""
    return name[:1].lower() + name[1:]


_KIND_WORDS = ("thị trấn", "đặc khu", "phường", "xã")


def own_unit(addressed_to: str, unit_name: str) -> str:
    """A bare "UBND xã" in ``unit_name``'s own minutes or report means that unit: name it.

    ``UBND xã`` → ``UBND xã Hợp Hưng``; ``Cán bộ giảm nghèo xã`` → ``Cán bộ giảm nghèo thị trấn
    Gôi`` for Thị trấn Gôi (the unit's own kind replaces the generic word). Anything else — a named
    body, "các xã", "UBND huyện" — is returned unchanged.
    """
    text = " ".join(addressed_to.split())
    lowered = text.casefold()
    for word in _KIND_WORDS:
        if lowered.endswith(" " + word):
            head = text[: len(text) - len(word)].rstrip()
            if head.casefold().endswith(("các", "cấp", "những")) or not unit_name:
                return text
            return f"{head} {in_sentence(unit_name)}"
    return text

