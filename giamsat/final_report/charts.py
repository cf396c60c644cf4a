"""Charts of the report as PNG bytes (matplotlib, Agg backend, DejaVu Sans for Vietnamese glyphs)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from giamsat.domain.formatting import vn_number

FONT = "DejaVu Sans"
MAX_BARS = 30  # more units than this: a distribution, not one bar per unit
# matplotlib types rc keys as a Literal of every rc name; a plain dict does not match it
# Names come from the plan and the reports: a "$" pair must print, not start matplotlib mathtext.
_STYLE: Any = {"font.family": FONT, "font.size": 9, "axes.titlesize": 11, "text.parse_math": False}


def _png(fig: Figure, notice: str | None) -> bytes:
    if notice:
        fig.text(0.01, 0.01, notice, fontsize=7, style="italic", color="#444444")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _pct_axis(ax) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{vn_number(v, 2)}%"))


def rate_by_unit(names: Sequence[str], rates: Sequence[float], district_rate: float | None,
                 title: str, notice: str | None = None, *, total_label: str) -> bytes:
    """Bars of the end-of-period rate per unit, with the whole area's rate (``total_label``) dashed."""
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 3.8))
        bars = ax.bar(range(len(names)), rates, color="#3b6ea8")
        ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
        for bar, rate in zip(bars, rates, strict=True):
            ax.annotate(vn_number(rate, 2), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=7)
        if district_rate is not None:
            ax.axhline(district_rate, color="#b22222", linestyle="--",
                       label=f"{total_label}: {vn_number(district_rate, 2)}%")
            ax.legend(loc="upper right")
        ax.set_ylim(0, max([*rates, district_rate or 0, 0.1]) * 1.3)
        ax.set_ylabel("Tỷ lệ (%)")
        ax.set_title(title)
        _pct_axis(ax)
        fig.tight_layout()
        return _png(fig, notice)


def start_vs_end(names: Sequence[str], start: Sequence[int], end: Sequence[int], title: str,
                 notice: str | None = None) -> bytes:
    """Grouped bars: households at the start and at the end of the period, per unit."""
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 3.8))
        xs = range(len(names))
        ax.bar([x - 0.2 for x in xs], start, width=0.4, label="Đầu kỳ", color="#9bb7d4")
        ax.bar([x + 0.2 for x in xs], end, width=0.4, label="Cuối kỳ", color="#2f5d8a")
        ax.set_xticks(list(xs), names, rotation=45, ha="right")
        ax.set_ylabel("Số hộ")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: vn_number(v)))
        ax.set_title(title)
        ax.legend()
        fig.tight_layout()
        return _png(fig, notice)


def rate_distribution(rates: Sequence[float], overall_rate: float | None, title: str,
                      notice: str | None = None) -> bytes:
    """How many units have each level of end-of-period rate, the overall rate as a dashed line."""
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 3.8))
        ax.hist(list(rates), bins=20, color="#3b6ea8", edgecolor="white")
        if overall_rate is not None:
            ax.axvline(overall_rate, color="#b22222", linestyle="--",
                       label=f"Chung: {vn_number(overall_rate, 2)}%")
            ax.legend(loc="upper right")
        ax.set_xlabel("Tỷ lệ cuối kỳ (%)")
        ax.set_ylabel("Số đơn vị")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{vn_number(v, 1)}%"))
        ax.set_title(title)
        fig.tight_layout()
        return _png(fig, notice)


def change_distribution(start: Sequence[int], end: Sequence[int], title: str,
                        notice: str | None = None) -> bytes:
    """How many units changed their household count by how much over the period."""
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 3.8))
        ax.hist([e - s for s, e in zip(start, end, strict=True)], bins=20, color="#2f5d8a",
                edgecolor="white")
        ax.axvline(0, color="#444444", linewidth=0.8)
        ax.set_xlabel("Thay đổi số hộ (cuối kỳ so với đầu kỳ)")
        ax.set_ylabel("Số đơn vị")
        ax.set_title(title)
        fig.tight_layout()
        return _png(fig, notice)


def funding_by_source(labels: Sequence[str], values: Sequence[int], title: str,
                      notice: str | None = None) -> bytes:
    """Horizontal bars of Project 2 funding by source (million VND)."""
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 2.8))
        millions = [v / 1_000_000 for v in values]
        ax.barh(list(labels), millions, color="#5a8f4e")
        for y, v in enumerate(millions):
            ax.annotate(vn_number(v, 1), (v, y), va="center", fontsize=7)
        ax.set_xlabel("Triệu đồng")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: vn_number(v)))
        ax.set_title(title)
        fig.tight_layout()
        return _png(fig, notice)
