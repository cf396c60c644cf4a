"""The ad-hoc monitoring report (báo cáo kết quả giám sát đột xuất), Circular 10/2022 Mẫu 01 shape,
in the office's name to the committee: scope, results per unit from the minutes, recommendations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from giamsat.db.models import AdhocRound, Finding, Recommendation, Unit, Visit
from giamsat.domain.errors import Conflict
from giamsat.domain.formatting import short_date
from giamsat.domain.vocabulary import REC_STATUS
from giamsat.files.fsutil import write_bytes_atomic
from giamsat.final_report.office_doc import office_document, record_document, sign_office
from giamsat.issuance.citations import cited
from giamsat.plan import places
from giamsat.plan.wording import plan_words
from giamsat.rounds.service import get_round
from giamsat.runtime import Runtime

KIND = "adhoc_report"
DIFFICULTIES = ("difficulty", "difficulties", "obstacle", "khó khăn")


def round_report(rt: Runtime, number: int, as_of: dt.date, report_number: int | None = None,
                 out: Path | None = None) -> Path:
    """Write the round's report once all its visits have minutes (or were cancelled); record it
    and mark the round reported. ``report_number`` None: a draft whose number the văn thư fills."""
    rt = cited(rt)
    with rt.db.unit_of_work() as s:
        rnd = get_round(s, rt, number)
        rows = _visits(s, rnd)
        waiting = [name for v, name, _ in rows if v.status == "scheduled"]
        if waiting:
            raise Conflict(f"Đợt giám sát đột xuất số {number} còn {len(waiting)} cuộc giám sát chưa có "
                           f"biên bản ({', '.join(waiting)}): ghi biên bản (giamsat visits minutes record) "
                           f"trước khi lập báo cáo.")
        if as_of < rnd.starts_on:
            raise Conflict(f"Đợt giám sát bắt đầu ngày {short_date(rnd.starts_on)}: chưa thể lập báo cáo "
                           f"ngày {short_date(as_of)}.")
        body = _body(s, rt, rnd, rows)
    path = rt.path("reports", f"{rt.plan.cycle_key}-bao-cao-giam-sat-dot-xuat-{number}.docx")
    _write(rt, body, path, as_of, report_number)
    if out is not None:
        write_bytes_atomic(Path(out), path.read_bytes())
    record_document(rt, KIND, f"{rt.plan.cycle_key}:{KIND}:{number}", path, as_of, round=number,
                    units=len(rows))
    with rt.db.unit_of_work() as s:
        rnd = get_round(s, rt, number)
        rnd.status, rnd.report_path = "reported", str(path)
    return path


def _visits(s: Session, rnd: AdhocRound) -> list:
    return list(s.execute(select(Visit, Unit.name, Unit.kind).join(Unit, Unit.id == Visit.unit_id)
                          .where(Visit.round_id == rnd.id).order_by(Visit.scheduled_on, Visit.id)).all())


def _body(s: Session, rt: Runtime, rnd: AdhocRound, rows: list) -> dict:
    """Everything the report says, read while the session is open."""
    units, recs = [], []
    for v, name, kind in rows:
        found = list(s.scalars(select(Finding).where(Finding.visit_id == v.id).order_by(Finding.position)))
        units.append({"name": name, "kind": kind, "day": v.scheduled_on, "status": v.status,
                      "findings": [f.text.strip() for f in found
                                   if f.category not in DIFFICULTIES and f.text.strip()],
                      "difficulties": [f.text.strip() for f in found
                                       if f.category in DIFFICULTIES and f.text.strip()]})
        for r in s.scalars(select(Recommendation).where(Recommendation.visit_id == v.id)
                           .order_by(Recommendation.id)):
            recs.append([str(r.id), r.content, f"{r.addressed_to} ({name})", short_date(r.due_on),
                         REC_STATUS.get(r.status, r.status)])
    return {"number": rnd.number, "content": rnd.content, "starts_on": rnd.starts_on,
            "ends_on": rnd.ends_on, "units": units, "recs": recs, "team": rows[0][0].team if rows else []}


def _write(rt: Runtime, b: dict, path: Path, as_of: dt.date, number: int | None) -> Path:
    plan, words = rt.plan, plan_words(rt.plan)
    office = plan.bodies.office.short
    pd = plan.plan_document
    summary = (f"Kết quả giám sát đột xuất (đợt {b['number']}) việc thực hiện {words['programme']} "
               f"năm {plan.year} {words['on_territory']}")
    doc = office_document(plan, KIND, number, as_of, summary)
    names = [u["name"] for u in b["units"]]
    doc.para(f"Thực hiện Kế hoạch số {pd.number:02d}/KH-UBND ngày {short_date(pd.issued_on)} của "
             f"{words['committee_ref_long']} về giám sát, đánh giá thực hiện {words['programme']} năm "
             f"{plan.year}, từ ngày {short_date(b['starts_on'])} đến ngày {short_date(b['ends_on'])}, "
             f"{office} đã tổ chức giám sát đột xuất tại {len(names)} đơn vị. Kết quả như sau:")
    if rt.settings.synthetic_data:
        doc.para(f"Lưu ý: {plan.synthetic_notice}", italic=True)
    doc.heading("I. NỘI DUNG, PHẠM VI VÀ THỜI GIAN GIÁM SÁT")
    doc.para(f"1. Nội dung giám sát: {b['content'].rstrip('.')}.")
    doc.para(f"2. Phạm vi: {', '.join(names)}.")
    doc.para(f"3. Thời gian: từ ngày {short_date(b['starts_on'])} đến ngày {short_date(b['ends_on'])}; "
             f"mỗi đơn vị được thông báo trước {plan.visits.notice_working_days} ngày làm việc.")
    if b["team"]:
        doc.para("4. Thành phần Đoàn giám sát:")
        for m in b["team"]:
            doc.bullet(f"{m['name']}, {m['position']} ({m['role']}).")
    doc.table(["TT", "Đơn vị", "Ngày giám sát", "Biên bản"],
              [[str(i), u["name"], short_date(u["day"]), "Đã ghi biên bản" if u["status"] == "done"
                else "Đã hủy"] for i, u in enumerate(b["units"], 1)],
              widths_cm=[1.0, 6.0, 4.0, 5.0])
    doc.heading("II. KẾT QUẢ GIÁM SÁT")
    for i, u in enumerate(b["units"], 1):
        doc.para(f"{i}. {u['name']} (ngày {short_date(u['day'])})", bold=True)
        if u["status"] != "done":
            doc.para("Cuộc giám sát đã hủy, không có biên bản.")
            continue
        doc.para("Kết quả:" if u["findings"] else "Biên bản không ghi nhận kết quả nổi bật.")
        for t in u["findings"]:
            doc.bullet(t.rstrip(".;") + ".")
        if u["difficulties"]:
            doc.para("Khó khăn, vướng mắc:")
            for t in u["difficulties"]:
                doc.bullet(t.rstrip(".;") + ".")
    doc.heading("III. KIẾN NGHỊ")
    if b["recs"]:
        doc.para(f"Đoàn giám sát đã kiến nghị {len(b['recs'])} nội dung; các kiến nghị được theo dõi "
                 f"như các kiến nghị khác của chu kỳ, tình trạng đến {short_date(as_of)}:")
        doc.table(["Số", "Nội dung kiến nghị", "Cơ quan, đơn vị thực hiện", "Hạn", "Tình trạng"], b["recs"],
                  widths_cm=[1.0, 5.6, 3.5, 2.2, 4.2], size=11)
    else:
        doc.para("Đoàn giám sát không có kiến nghị.")
    doc.heading("IV. ĐỀ XUẤT")
    kinds = {u["kind"] for u in b["units"]}
    in_text = places.bodies_long(next(iter(kinds)) if len(kinds) == 1 else "xa", names)
    doc.para(f"{office} kính đề nghị {words['committee_ref_long']} chỉ đạo "
             f"{in_text} thực hiện đầy đủ các kiến nghị của Đoàn giám sát và báo cáo kết quả "
             f"về {words['committee_ref_long']} (qua {office}) đúng hạn")
    doc.close_body()
    sign_office(doc, plan, ["Như trên", *[places.unit_body(u["kind"], u["name"]) for u in b["units"]]])
    return doc.save(path)
