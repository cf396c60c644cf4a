"""The national poverty standard by year: which decree, which income thresholds (pure).

A plan picks the standard of its year, or states one (``poverty_standard`` in its YAML). Known
standards (domain.md §8): Decree 07/2021/NĐ-CP for 2022–2025, kept for 2026; Decree
351/2025/NĐ-CP for 2027–2030 (2.2 million VND rural, 2.8 million urban per person per month;
revised deprivation indicators). A plan of a year no known standard covers must state its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from giamsat.domain.formatting import vn_number


@dataclass(frozen=True)
class Standard:
    """One poverty standard: its decree, the years it applies to, its income thresholds."""

    decree: str | None  # "07/2021/NĐ-CP"; None when a plan states thresholds without a decree
    first_year: int
    last_year: int
    income_rural: int
    income_urban: int
    min_deprivations_poor: int = 3

    def applies_to(self, year: int) -> bool:
        """Whether the standard is the one in force in ``year``."""
        return self.first_year <= year <= self.last_year

    def cite(self) -> str:
        """As a document cites it (the decree, then the income thresholds)."""
        where = f" quy định tại Nghị định số {self.decree}" if self.decree else ""
        return (f"chuẩn nghèo đa chiều{where} (thu nhập bình quân đầu người/tháng "
                f"{vn_number(self.income_rural)} đồng ở khu vực nông thôn, "
                f"{vn_number(self.income_urban)} đồng ở khu vực thành thị)")


KNOWN: tuple[Standard, ...] = (
    Standard("07/2021/NĐ-CP", 2022, 2026, 1_500_000, 2_000_000),  # 2022–2025, kept for 2026
    Standard("351/2025/NĐ-CP", 2027, 2030, 2_200_000, 2_800_000),
)


def standard_for(year: int) -> Standard | None:
    """The known standard in force in ``year``, if any."""
    return next((s for s in KNOWN if s.applies_to(year)), None)


def by_decree(decree: str) -> Standard | None:
    """The known standard of ``decree`` (``07/2021/NĐ-CP``; spacing and case aside)."""
    key = "".join(decree.split()).casefold()
    return next((s for s in KNOWN if s.decree and "".join(s.decree.split()).casefold() == key), None)


def check(year: int, decree: str | None, rural: int | None,
          urban: int | None) -> tuple[Standard | None, list[str]]:
    """The plan's standard for ``year`` from what it states (maybe nothing), and what is wrong."""
    in_force = standard_for(year)
    if rural is None and urban is None and decree is None:
        if in_force is None:
            return None, [f"poverty_standard: chưa có chuẩn nghèo đã biết cho năm {year}; khai báo "
                          "decree, income_rural, income_urban của chuẩn nghèo áp dụng"]
        return in_force, []
    named = by_decree(decree) if decree else None
    if decree and named is not None and not named.applies_to(year):
        right = (f" (năm {year} áp dụng Nghị định số {in_force.decree})" if in_force and in_force.decree
                 else "")
        return None, [f"poverty_standard.decree: Nghị định số {named.decree} áp dụng cho các năm "
                      f"{named.first_year}–{named.last_year}, không phải năm {year}{right}"]
    base = named or (in_force if decree is None else None)
    if rural is None or urban is None:
        if base is None:
            return None, ["poverty_standard: khai báo cả income_rural và income_urban (đồng/người/tháng)"]
        rural, urban = rural or base.income_rural, urban or base.income_urban
    if base is not None and (rural, urban) != (base.income_rural, base.income_urban):
        said = base.decree or "chuẩn nghèo năm này"
        return None, [f"poverty_standard: Nghị định số {said} quy định {vn_number(base.income_rural)} / "
                      f"{vn_number(base.income_urban)} đồng (nông thôn / thành thị), không phải "
                      f"{vn_number(rural)} / {vn_number(urban)}"]
    return Standard(decree or (base.decree if base else None), year, year, rural, urban), []
