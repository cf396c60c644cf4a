"""Synthetic submissions: a seeded filler of the outline with plausible, labelled figures.

Calibrated on a typical rural district (poverty rate ~1.5–4 %, near-poor ~2–4 %, a few Project 2
models per commune, funding in VND). Every text says "(dữ liệu minh họa)". On request it plants
one fault the validator must catch; late and missing reports are decided by the caller's dates.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.table import Table

from giamsat.collect.reader import match_section
from giamsat.docx.decree30 import save_atomic, set_run_font
from giamsat.domain.formatting import vn_number
from giamsat.domain.outline_spec import (
    SECTION_A,
    SECTION_B,
    SECTION_E,
    SECTIONS,
    Section,
    choices_in,
)
from giamsat.plan import places
from giamsat.plan.schema import Plan

LABEL = "(dữ liệu minh họa)"
FAULTS = ("balance", "text_in_number", "rate", "overspent", "missing_narrative")
MODEL_KINDS = ("Sản xuất theo chuỗi giá trị", "Sản xuất cộng đồng", "Giao nhiệm vụ")
MODEL_NAMES = ("Nuôi bò sinh sản", "Nuôi lợn thịt an toàn sinh học", "Trồng rau an toàn",
               "Nuôi gà thả vườn", "Trồng lúa chất lượng cao", "Nuôi cá nước ngọt")
HOSTS = ("Hội Nông dân xã", "Hội Liên hiệp Phụ nữ xã", "Hợp tác xã nông nghiệp",
         "Đoàn Thanh niên xã")


@dataclass(frozen=True)
class Voice:
    """What a commune's synthetic report names: the bodies it addresses, the level, the component."""

    addressees: tuple[str, ...] = ("UBND cấp trên", "Cơ quan chủ trì", "Cơ quan cấp trên")
    level: str = "cấp trên"
    component: str = "Dự án 2"
    village: bool = False           # the units are villages (a commune's plan): smaller, no committee


def voice_of(plan: Plan) -> Voice:
    """The voice of the plan's units: its committee, office and upper body; its level's word."""
    b, level = plan.bodies, places.level_word(plan.issuer.level)
    upper = b.upper_body.short
    if plan.issuer.level != "province" and plan.issuer.province:
        upper = f"{upper} tỉnh {plan.issuer.province}"  # as a commune writes it: "Sở LĐTBXH tỉnh Nam Định"
    return Voice((b.committee.short, f"{b.office.short} {level}", upper), level,
                 plan.programme.component, any(places.is_village(k) for k in plan.unit_kinds()))


@dataclass
class FilledFigures:
    """What the filler wrote, in the shape validation returns (``figures``), and the fault."""

    figures: dict
    fault: str | None = None
    notes: list[str] = field(default_factory=list)


def fill_outline(blank_path: Path, out_path: Path, seed: int, fault: str | None = None,
                 villages: Sequence[str] = ("Thôn Một", "Thôn Hai", "Thôn Ba")) -> FilledFigures:
    """Fill the blank form at ``blank_path`` into ``out_path``; the same seed gives the same file."""
    cells, filled = synthetic_cells(seed, fault, villages)
    doc = Document(str(blank_path))
    tables = {m[0].key: (t, m[1]) for t in doc.tables if (m := match_section(t)) is not None}
    for section in SECTIONS:
        if section.key not in tables:
            continue  # a plan whose outline asks no criteria has no criteria table
        table, positions = tables[section.key]
        rows = cells[section.key]
        if section.key == "CT":
            rows = criteria_cells(rows, [r.cells[positions["criterion"]].text for r in table.rows[1:]])
        _write_rows(table, positions, section, rows)
    save_atomic(doc, Path(out_path))
    return filled


def synthetic_cells(seed: int, fault: str | None = None,
                    villages: Sequence[str] = ("Thôn Một", "Thôn Hai", "Thôn Ba"),
                    voice: Voice = Voice()) -> tuple[dict[str, list[dict[str, str]]], FilledFigures]:
    """The text to write per section, row and column, and the figures it stands for."""
    if fault is not None and fault not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}; one of {FAULTS}")
    rng = random.Random(seed)
    figures = {"models": _models(rng, villages), "households": _households(rng, voice.village),
               "narratives": _narratives(rng, voice),
               "recommendations": _recommendations(rng, voice)}
    cells = _as_cells(figures)
    cells["CT"] = _criteria(rng, voice)
    filled = FilledFigures(figures, fault)
    if fault:
        _plant(fault, cells, filled)
    return cells, filled


def _models(rng: random.Random, villages: Sequence[str]) -> list[dict]:
    out = []
    for i in range(rng.randint(1, 3)):
        central = rng.randrange(100, 400) * 1_000_000
        local, counterpart = rng.randrange(10, 50) * 1_000_000, rng.randrange(10, 60) * 1_000_000
        credit = rng.choice((0, 0, rng.randrange(50, 200) * 1_000_000))
        disbursed = int((central + local + counterpart) * rng.uniform(0.6, 1.0)) // 1000 * 1000
        out.append({"row_index": i + 1, "name": f"{rng.choice(MODEL_NAMES)} {LABEL}",
                    "village": rng.choice(list(villages)), "model_type": rng.choice(MODEL_KINDS),
                    "host_org": rng.choice(HOSTS), "households_poor": rng.randint(3, 15),
                    "households_near_poor": rng.randint(2, 12),
                    "households_escaped": rng.randint(0, 5), "households_other": rng.randint(0, 10),
                    "fund_central": central, "fund_local": local, "fund_counterpart": counterpart,
                    "fund_credit": credit, "disbursed": disbursed,
                    "outcomes": f"Thu nhập bình quân hộ tham gia tăng {rng.randint(8, 25)}% {LABEL}"})
    return out


def _households(rng: random.Random, village: bool = False) -> dict:
    total = rng.randint(150, 600) if village else rng.randint(1800, 4800)
    out = {}
    for idx, (key, low, high) in enumerate((("poor", 1.5, 4.0), ("near_poor", 2.0, 4.0)), 1):
        at_end = round(total * rng.uniform(low, high) / 100)
        if village:  # a village's few poor households change by a few (never below zero at start)
            escaped, fell_back = rng.randint(1, 6), rng.randint(0, 1)
            newly, other = rng.randint(0, 1), rng.randint(-1, 0)
        else:
            escaped, fell_back = rng.randint(5, 30), rng.randint(0, 2)
            newly, other = rng.randint(0, 6), rng.randint(-3, 2)
        at_start = at_end + escaped - fell_back - newly - other
        out[key] = {"row_index": idx, "total_households": total, "at_start": at_start,
                    "escaped": escaped, "fell_back": fell_back, "newly_poor": newly,
                    "other_changes": other, "at_end": at_end,
                    "rate_pct": round(at_end / total * 100, 2)}
    return out


def _narratives(rng: random.Random, voice: Voice) -> dict:
    meetings = rng.randint(2, 5)
    if voice.village:
        organised = (f"Thôn tổ chức {meetings} cuộc họp dân triển khai rà soát, phân công tổ rà "
                     f"soát; tuyên truyền trên loa truyền thanh; tổng hợp, báo cáo kết quả về Ban chỉ "
                     f"đạo {voice.level} đúng tiến độ {LABEL}.")
        return {"C": organised, "D": (f"Một số hộ chưa hợp tác khi rà soát; cán bộ thôn kiêm nhiệm "
                                      f"nhiều việc {LABEL}.")}
    return {
        "C": (f"UBND xã ban hành kế hoạch rà soát, thành lập Ban chỉ đạo, tổ chức {meetings} hội "
              f"nghị triển khai tới các thôn; tuyên truyền trên loa truyền thanh; tổng hợp, báo cáo "
              f"kết quả về Ban chỉ đạo {voice.level} đúng tiến độ {LABEL}."),
        "D": (f"Một số hộ chưa hợp tác khi rà soát; cán bộ thôn kiêm nhiệm nhiều việc; kinh phí "
              f"giải ngân {voice.component} còn chậm {LABEL}."),
    }


def _criteria(rng: random.Random, voice: Voice) -> list[dict[str, str]]:
    """Section C by criteria, in the default criteria's order; answers picked by the filler."""
    meetings = rng.randint(2, 5)
    # a village organises meetings and its head follows the review teams; a commune its committee
    organised, follows = (("Tổ chức {} cuộc họp dân triển khai rà soát tại thôn",
                           "Trưởng thôn đôn đốc các tổ rà soát {}") if voice.village else
                          ("Ban hành kế hoạch rà soát, kiện toàn Ban chỉ đạo, tổ chức {} hội nghị "
                           "triển khai tới các thôn", "Ban chỉ đạo xã kiểm tra, đôn đốc các thôn {}"))
    details = (f"{organised.format(meetings)} {LABEL}",
               f"Tuyên truyền trên loa truyền thanh {rng.randint(3, 12)} buổi, họp thôn, niêm yết "
               f"công khai danh sách tại nhà văn hóa {LABEL}",
               f"{follows.format(rng.choice(('hằng tuần', 'mỗi 10 ngày')))} {LABEL}",
               f"Tổng hợp, báo cáo kết quả về Ban chỉ đạo {voice.level} {LABEL}")
    late = rng.random() < 0.3  # some communes run late or tell little: the report shows it
    rows = [{"pick": str(1 if late and i in (2, 3) else 0), "detail": text}
            for i, text in enumerate(details)] + [{"pick": "0", "detail": f"Đã thực hiện {LABEL}"}] * 4
    if rng.random() < 0.15:
        rows[1] = {"pick": "1", "detail": f"Chưa tổ chức tuyên truyền riêng về cuộc rà soát, chỉ lồng "
                                          f"ghép trong họp thôn {LABEL}"}
    return rows


def criteria_cells(rows: list[dict[str, str]], labels: Sequence[str]) -> list[dict[str, str]]:
    """The criteria rows to write under the printed labels: each answer one of its label's choices."""
    out = []
    for label, row in zip(labels, rows, strict=False):
        choices = choices_in(label) or ("Có",)
        out.append({"answer": choices[min(int(row["pick"]), len(choices) - 1)],
                    "detail": row["detail"]})
    return out


def _recommendations(rng: random.Random, voice: Voice) -> list[dict]:
    wishes = ("Đề nghị bố trí thêm kinh phí tập huấn cho cán bộ làm công tác giảm nghèo",
              f"Đề nghị hướng dẫn thủ tục thanh toán, giải ngân vốn {voice.component}",
              "Đề nghị tăng định mức hỗ trợ mô hình giảm nghèo")
    chosen = rng.sample(wishes, rng.randint(1, 2))
    return [{"row_index": i + 1, "content": f"{text} {LABEL}",
             "addressed_to": rng.choice(voice.addressees)} for i, text in enumerate(chosen)]


def _cell_text(value: Any, kind: str) -> str:
    if kind == "percent":
        return f"{value:.2f}".replace(".", ",")
    if kind in ("count", "money"):
        return vn_number(value)
    if kind == "signed":
        return f"{value:+d}" if value else "0"
    return str(value)


def _as_cells(figures: dict) -> dict[str, list[dict[str, str]]]:
    """The text to write, per section and row, keyed by column."""
    def rows(section: Section, items: list[dict], labels: Sequence[str] = ()) -> list[dict]:
        out = []
        for i, item in enumerate(items):
            cells = {c.key: _cell_text(item[c.key], c.kind) for c in section.columns if c.key in item}
            cells[section.label_column.key] = labels[i] if labels else str(i + 1)
            out.append(cells)
        return out
    groups = [figures["households"][f.key] for f in SECTION_B.fixed_rows]
    return {"A": rows(SECTION_A, figures["models"]),
            "B": rows(SECTION_B, groups, [f.label for f in SECTION_B.fixed_rows]),
            "C": [{"text": figures["narratives"]["C"]}], "D": [{"text": figures["narratives"]["D"]}],
            "E": rows(SECTION_E, figures["recommendations"])}


def _plant(fault: str, cells: dict, filled: FilledFigures) -> None:
    poor = cells["B"][0]
    if fault == "balance":
        poor["at_start"] = vn_number(int(poor["at_start"].replace(".", "")) + 1)
    elif fault == "text_in_number":
        poor["escaped"] = "khoảng 20"
    elif fault == "rate":
        poor["rate_pct"] = "9,99"
    elif fault == "overspent":
        model = filled.figures["models"][0]
        allocated = sum(model[k] for k in ("fund_central", "fund_local", "fund_counterpart",
                                           "fund_credit"))
        cells["A"][0]["disbursed"] = vn_number(allocated + 5_000_000)
    elif fault == "missing_narrative":
        cells["C"] = [{"text": ""}]
        cells["CT"][1] = {**cells["CT"][1], "detail": ""}
    filled.notes.append(f"fault planted: {fault}")


def _write_rows(table: Table, positions: dict[str, int], section: Section,
                rows: list[dict[str, str]]) -> None:
    while len(table.rows) - 1 < len(rows):
        table.add_row()
    for i, values in enumerate(rows):
        cells = table.rows[i + 1].cells
        for key, text in values.items():
            if key in positions:
                _set_text(cells[positions[key]], text)


def _set_text(cell, text: str) -> None:
    par = cell.paragraphs[0]
    for run in list(par.runs):
        run._element.getparent().remove(run._element)
    set_run_font(par.add_run(text), size=10)
