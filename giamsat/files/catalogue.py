"""The ``units:`` block of a province from the ``vietnam-provinces`` package (post-2025 units)."""

from __future__ import annotations

from giamsat.domain.errors import PlanError

_KINDS = {"xã": "xa", "phường": "phuong", "đặc khu": "dac_khu", "thị trấn": "thi_tran"}


def province_units(province_code: int) -> tuple[str, list[tuple[str, str, str]]]:
    """The province's name and its units as (code, name, kind), ordered by code."""
    try:
        from vietnam_provinces import Province, ProvinceCode, Ward
    except ImportError:
        raise PlanError("vietnam-provinces", ["chưa cài gói: pip install 'giamsat[places]'"]) from None
    try:
        province = Province.from_code(ProvinceCode(province_code))
    except ValueError:
        raise PlanError("--province", [f"không có tỉnh, thành phố mã {province_code:02d}"]) from None
    units = [(f"{int(w.code):05d}", w.name, _KINDS[w.division_type.value])
             for w in Ward.iter_all() if int(w.province_code) == province_code]
    return province.name, sorted(units)


def units_block(province_code: int, valid_from: str, domain: str) -> str:
    """YAML for ``units:``; addresses and villages are synthetic placeholders to replace [S]."""
    name, units = province_units(province_code)
    lines = [f"# {len(units)} đơn vị của {name} (gói vietnam-provinces); thư điện tử, thôn: [S]",
             "units:"]
    for code, unit, kind in units:
        lines.append(f'  - {{code: "{code}", name: {unit}, kind: {kind}, valid_from: {valid_from},')
        lines.append(f"     email: ubnd.{code}@{domain}, chairman_email: chutich.{code}@{domain},")
        villages = "Tổ dân phố 1, Tổ dân phố 2, Tổ dân phố 3" if kind == "phuong" else \
            "Thôn Một, Thôn Hai, Thôn Ba"
        lines.append(f"     villages: [{villages}]}}")
    return "\n".join(lines) + "\n"
