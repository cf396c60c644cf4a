"""Synthetic filling of blank minutes for the demo and tests; every text says it is illustrative."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from docx import Document

from giamsat.docx.decree30 import save_atomic, set_run_font
from giamsat.domain.formatting import short_date
from giamsat.plan import places
from giamsat.plan.places import component_in_sentence
from giamsat.visits.minutes_doc import CONSULTATIONS, CRITERIA, FINDINGS, RECOMMENDATIONS, table_name

LABEL = " (dữ liệu minh họa)"
_FINDINGS = [
    "{Kind} đã triển khai kế hoạch rà soát hộ nghèo, hộ cận nghèo đúng hướng dẫn, có biên bản họp dân",
    "Mô hình chăn nuôi bò sinh sản giúp 6 hộ tăng thu nhập, 2 hộ đăng ký thoát nghèo",
    "Hồ sơ giải ngân kinh phí {component} lưu trữ đầy đủ, đúng quy định",
    "Công tác tuyên truyền về cuộc rà soát được thực hiện trên loa truyền thanh thôn",
]
_DIFFICULTIES = [
    "Một số hộ tham gia mô hình chưa có vốn đối ứng",
    "Cán bộ giảm nghèo kiêm nhiệm nhiều việc, cập nhật phần mềm còn chậm",
    "Giá thức ăn chăn nuôi tăng làm giảm hiệu quả mô hình",
]
_RECOMMENDATIONS = [
    ("Hoàn thiện hồ sơ nghiệm thu mô hình chăn nuôi năm {year}", "UBND xã"),
    ("Cập nhật danh sách hộ nghèo, hộ cận nghèo lên phần mềm quản lý", "Cán bộ giảm nghèo xã"),
    ("Bổ sung biên bản bình xét tại các thôn được giám sát", "UBND xã"),
]
_OPINIONS = [
    "Hộ được hỗ trợ con giống đúng thời gian, mong được tập huấn thêm kỹ thuật",
    "Gia đình biết thông tin rà soát qua họp thôn, đồng ý với kết quả bình xét",
    "Đề nghị hỗ trợ vay vốn ưu đãi để mở rộng chăn nuôi",
]
_GROUPS = ["Hộ nghèo", "Hộ cận nghèo", "Thoát nghèo"]
_EVIDENCE = {
    "Đạt": ["Có kế hoạch, biên bản họp, danh sách niêm yết lưu tại {kind}",
            "Hồ sơ đầy đủ, đối chiếu khớp với báo cáo của {kind}", "Ý kiến tham vấn của hộ thống nhất"],
    "Đạt một phần": ["Hồ sơ còn thiếu tài liệu tại một thôn được giám sát",
                     "Thực hiện chưa đầy đủ ở một số thôn, tổ dân phố"],
    "Chưa đạt": ["Không có hồ sơ, tài liệu chứng minh việc thực hiện"],
}
# A visit to one village (thôn, tổ dân phố) has no smaller units to speak of: its own words.
_IN_A_VILLAGE = {
    "Công tác tuyên truyền về cuộc rà soát được thực hiện trên loa truyền thanh thôn":
        "Công tác tuyên truyền về cuộc rà soát được thực hiện trên loa truyền thanh của {kind}",
    "Bổ sung biên bản bình xét tại các thôn được giám sát":
        "Bổ sung biên bản họp bình xét hộ nghèo, hộ cận nghèo của {kind}",
    "Gia đình biết thông tin rà soát qua họp thôn, đồng ý với kết quả bình xét":
        "Gia đình biết thông tin rà soát qua họp {kind}, đồng ý với kết quả bình xét",
    "Hồ sơ còn thiếu tài liệu tại một thôn được giám sát": "Hồ sơ lưu tại {kind} còn thiếu một số tài liệu",
    "Thực hiện chưa đầy đủ ở một số thôn, tổ dân phố":
        "Thực hiện chưa đầy đủ, một số hộ chưa được thông báo kết quả bình xét",
}
_NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Phạm Văn Cường", "Lê Thị Dung", "Vũ Văn Em", "Đỗ Thị Gấm"]


@dataclass(frozen=True)
class FilledSummary:
    """What the filler wrote (counts per table)."""

    path: Path
    criteria: int
    findings: int
    difficulties: int
    recommendations: int
    consultations: int


def _put(cell, text: str) -> None:
    par = cell.paragraphs[0]
    for run in list(par.runs):
        run._element.getparent().remove(run._element)
    set_run_font(par.add_run(text), size=12)


def _consult(table, rng: random.Random, say: Callable[[str], str]) -> int:
    """Up to four consulted households (a name where the blank has none); how many."""
    consulted = 0
    for row in table.rows[1:]:
        village, who = row.cells[1].text.strip(), row.cells[2].text.strip()
        if not village or consulted >= 4:
            continue
        if not who:
            _put(row.cells[2], rng.choice(_NAMES) + LABEL)
        _put(row.cells[3], rng.choice(_GROUPS))
        _put(row.cells[len(CONSULTATIONS) - 1], say(rng.choice(_OPINIONS)))
        consulted += 1
    return consulted


def fill_minutes(blank_path: Path, out_path: Path, seed: int | str,
                 visit_day: dt.date | None = None, addressee: str | None = None,
                 component: str = "Dự án 2", year: int = 2024, kind: str = "xa") -> FilledSummary:
    """Fill the tables of blank minutes with synthetic, labelled content chosen by ``seed``;
    ``addressee``: who a visited village's own tasks go to (``thôn …``) instead of ``UBND xã``;
    ``component`` and ``year``: the plan's (a 2026 plan has no "Dự án 2"); ``kind``: the visited
    unit's, whose word the texts use ("Thôn đã triển khai…", "lưu tại thôn")."""
    words = {"component": component_in_sentence(component), "year": year,
             "kind": places.KIND_WORD[kind], "Kind": places.capfirst(places.KIND_WORD[kind])}
    village = places.is_village(kind)

    def say(text: str) -> str:
        return (_IN_A_VILLAGE.get(text, text) if village else text).format(**words) + LABEL

    rng = random.Random(str(seed))
    doc = Document(str(blank_path))
    tables = {n: t for t in doc.tables
              if (n := table_name(tuple(" ".join(c.text.split()) for c in t.rows[0].cells)))}
    counts = {"criteria": 0}
    for table in (t for t in doc.tables if tuple(" ".join(c.text.split()) for c in t.rows[0].cells)
                  == CRITERIA):  # one table per content: a finding on every criterion
        for row in table.rows[1:]:
            result = rng.choices(("Đạt", "Đạt một phần", "Chưa đạt"), (6, 3, 1))[0]
            _put(row.cells[2], result)
            _put(row.cells[3], say(rng.choice(_EVIDENCE[result])))
            counts["criteria"] += 1
    for name, pool in (("findings", _FINDINGS), ("difficulties", _DIFFICULTIES)):
        picked = rng.sample(pool, rng.randint(2, 3) if name == "findings" else rng.randint(1, 2))
        for row, text in zip(tables[name].rows[1:], picked, strict=False):
            _put(row.cells[len(FINDINGS) - 1], say(text))
        counts[name] = len(picked)
    recs = rng.sample(_RECOMMENDATIONS, 2)
    for i, (row, (text, to)) in enumerate(zip(tables["recommendations"].rows[1:], recs, strict=False)):
        cells = row.cells[1:len(RECOMMENDATIONS)]
        _put(cells[0], say(text))
        _put(cells[1], addressee if addressee and to == "UBND xã" else to)
        if i == 1 and visit_day is not None:  # one explicit due date, one left to the plan's default
            _put(cells[2], short_date(visit_day + dt.timedelta(days=45)))
    counts["recommendations"] = len(recs)
    counts["consultations"] = _consult(tables["consultations"], rng, say)
    save_atomic(doc, out_path)
    return FilledSummary(Path(out_path), **counts)
