"""The vocabulary of the cycle: every step, status, kind and audit action, once, with its Vietnamese label.

Codes are what the database stores and the code compares; labels are what an officer reads. Each
group is an ordered mapping code → label; ``label(group, code)`` looks one up and falls back to the
code itself for a value this version does not know (an older archive, a hand-edited row).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# The steps of a cycle in cycle order, titled as the plan names them.
STEPS: Mapping[str, str] = MappingProxyType({
    "notify": "Thông báo kế hoạch và lịch giám sát tới các đơn vị cấp xã",
    "collect": "Thu nhận báo cáo của các đơn vị cấp xã",
    "draw": "Chọn ngẫu nhiên xã và thôn để giám sát",
    "visits": "Giám sát trực tiếp tại các xã được chọn",
    "followup": "Theo dõi việc thực hiện kiến nghị",
    "provincial_visit": "Làm việc với Đoàn giám sát cấp trên: chuẩn bị, báo cáo, tiếp thu kết luận",
    "final_report": "Báo cáo kết quả giám sát, đánh giá",
})
STEP_KEYS: tuple[str, ...] = tuple(STEPS)

# Recurring work that is not a milestone of its own: it runs alongside the steps above.
RECURRING_STEPS: Mapping[str, str] = MappingProxyType({
    "remind": "Nhắc hạn, đôn đốc các đơn vị cấp xã",
    "cycle": "Cập nhật bảng tình hình chu kỳ",
})

STEP_STATUS: Mapping[str, str] = MappingProxyType({
    "done": "Hoàn thành", "pending": "Đang thực hiện", "not_started": "Chưa đến hạn",
    "overdue": "Quá hạn",
})

# A unit's reporting state for the cycle (the status table and the final report use one wording).
REPORT_STATUS: Mapping[str, str] = MappingProxyType({
    "on_time": "Đúng hạn", "late": "Nộp muộn", "rejected": "Bị trả lại, chờ sửa",
    "processing": "Đang xử lý", "missing": "Chưa nộp (quá hạn)",
    "pending": "Chưa nộp (chưa đến hạn)",
})
# The states the final report counts (``pending`` cannot occur once the deadline has passed).
REPORT_COUNTED: tuple[str, ...] = ("on_time", "late", "rejected", "processing", "missing")
# The states the status artifact lists even when the district is large.
REPORT_NEEDS_ATTENTION: tuple[str, ...] = ("missing", "rejected", "pending")

# One received file (a Submission row, or the outcome of handing a file in).
SUBMISSION_STATUS: Mapping[str, str] = MappingProxyType({
    "accepted": "Đã tiếp nhận", "rejected": "Bị trả lại", "duplicate": "Trùng tệp đã nhận",
    "superseded": "Đã được thay bằng bản sau", "failed": "Lỗi xử lý",
})
SUBMISSION_COUNTED: tuple[str, ...] = ("accepted", "superseded")  # a unit has reported

REC_STATUS: Mapping[str, str] = MappingProxyType({
    "open": "Chưa thực hiện", "in_progress": "Đang thực hiện", "overdue": "Quá hạn",
    "resolved": "Đã thực hiện", "not_accepted": "Không tiếp thu",
    "withdrawn": "Đã rút (không còn trong biên bản)",
})
# Where a recommendation came from (what an e-mail or a report calls it).
REC_SOURCE: Mapping[str, str] = MappingProxyType({
    "submission": "Kiến nghị nêu trong báo cáo của đơn vị",  # a xã, phường or thị trấn
    "visit": "Kiến nghị tại biên bản giám sát trực tiếp",
    "coordinator": "Kiến nghị do cơ quan thường trực ghi nhận",
    "appraisal": "Ý kiến thẩm định sơ bộ kết quả rà soát hộ nghèo, hộ cận nghèo",
    "provincial": "Kiến nghị của Đoàn giám sát cấp trên",
})

# The finding of a monitoring criterion (tiêu chí) recorded in a visit's minutes.
FINDING_RESULT: Mapping[str, str] = MappingProxyType({
    "met": "Đạt", "partly": "Đạt một phần", "not_met": "Chưa đạt",
})
# The office's preliminary appraisal (thẩm định sơ bộ) of a commune's review results.
APPRAISAL_RESULT: Mapping[str, str] = MappingProxyType({
    "agreed": "Thống nhất kết quả rà soát",
    "questioned": "Đề nghị giải trình, làm rõ số liệu",
    "returned": "Trả lại, đề nghị rà soát lại",
    "pending": "Chưa thẩm định",
})
APPRAISAL_RECORDED: tuple[str, ...] = ("agreed", "questioned", "returned")  # what the office records
# Not agreed: the commune must answer, followed up as a recommendation until closed.
APPRAISAL_FOLLOWED: tuple[str, ...] = ("questioned", "returned")
REC_CLOSED: tuple[str, ...] = ("resolved", "not_accepted", "withdrawn")
REC_ACTIVE: tuple[str, ...] = ("open", "in_progress")
# What the coordinator may set by hand (``overdue`` is set by the sweep, ``withdrawn`` by minutes).
REC_SETTABLE: tuple[str, ...] = ("open", "in_progress", "resolved", "not_accepted")
# Carried out or no longer asked for: the report's body leaves them to the annex.
REC_DONE: tuple[str, ...] = ("resolved", "withdrawn")
# A change to these states must say why (--note).
REC_NEEDS_NOTE: tuple[str, ...] = ("not_accepted", "in_progress")
# Manual transitions; closed states are final.
REC_TRANSITIONS: Mapping[str, frozenset[str]] = MappingProxyType({
    "open": frozenset({"in_progress", "resolved", "not_accepted"}),
    "in_progress": frozenset({"in_progress", "resolved", "not_accepted"}),
    "overdue": frozenset({"in_progress", "open", "resolved", "not_accepted"}),
})
# Listed in the report's counts even at zero; ``withdrawn`` appears only when it occurs.
REC_COUNTED: tuple[str, ...] = ("open", "in_progress", "overdue", "resolved", "not_accepted")

MESSAGE_STATUS: Mapping[str, str] = MappingProxyType({
    "pending": "Chờ gửi", "sent": "Đã gửi", "failed": "Gửi không thành công",
})

MESSAGE_KIND: Mapping[str, str] = MappingProxyType({
    "notify_plan": "Thông báo kế hoạch giám sát",
    "notify_recipient": "Gửi kế hoạch giám sát tới nơi nhận",
    "reminder_assignment": "Nhắc nhiệm vụ của cơ quan theo kế hoạch",
    "reminder_before": "Nhắc trước hạn nộp báo cáo",
    "reminder_due": "Nhắc đến hạn nộp báo cáo",
    "reminder_overdue": "Đôn đốc báo cáo quá hạn",
    "reminder_escalation": "Báo cáo lãnh đạo về đơn vị chậm nộp",
    "office_digest": "Tổng hợp việc chờ cơ quan thường trực xử lý",
    "report_ack": "Xác nhận đã tiếp nhận báo cáo",
    "report_correct": "Đề nghị sửa và gửi lại báo cáo",
    "mail_kept": "Thư đến cần cán bộ xem",
    "visit_notice": "Thông báo lịch giám sát trực tiếp",
    "final_report": "Báo cáo kết quả giám sát",
    "interim_report": "Báo cáo giữa kỳ",
    "appraisal_notice": "Thông báo kết quả thẩm định sơ bộ kết quả rà soát",
    "office_report": "Báo cáo của cơ quan thường trực gửi Ủy ban nhân dân",
    "adhoc_report": "Báo cáo kết quả giám sát đột xuất",
})

VISIT_STATUS: Mapping[str, str] = MappingProxyType({
    "scheduled": "đã xếp lịch", "done": "đã ghi biên bản", "cancelled": "đã hủy",
})
VISIT_KIND: Mapping[str, str] = MappingProxyType({"sampled": "theo mẫu", "adhoc": "đột xuất"})

# An ad-hoc monitoring round (đợt giám sát đột xuất) with its own scope.
ROUND_STATUS: Mapping[str, str] = MappingProxyType({
    "open": "Đang thực hiện", "reported": "Đã có báo cáo kết quả",
})

# The provincial (upper) team's visit: what the checklist holds.
PREP_KIND: Mapping[str, str] = MappingProxyType({
    "document": "Tài liệu chuẩn bị", "finding": "Kết luận của Đoàn giám sát",
})

DRAW_STATUS: Mapping[str, str] = MappingProxyType({
    "proposed": "đang chờ duyệt", "approved": "đã được duyệt", "rejected": "đã bị từ chối",
})
DRAW_ACTIVE: tuple[str, ...] = ("proposed", "approved")

OBLIGATION_KIND: Mapping[str, str] = MappingProxyType({
    "report": "Nộp báo cáo theo đề cương", "recommendation": "Thực hiện kiến nghị",
    "assignment": "Nhiệm vụ của cơ quan theo kế hoạch",
})
OBLIGATION_STATUS: Mapping[str, str] = MappingProxyType({"open": "Chưa hoàn thành", "met": "Đã hoàn thành"})

SUBMISSION_SOURCE: Mapping[str, str] = MappingProxyType({
    "mail": "thư điện tử", "inbox": "thư mục inbox", "cli": "lệnh submit",
})

AUDIT_ENTITY: Mapping[str, str] = MappingProxyType({
    "recommendation": "kiến nghị", "submission": "báo cáo", "visit": "giám sát",
    "sample_draw": "chọn mẫu", "message": "thư", "step": "bước", "cycle": "chu kỳ",
    "document": "văn bản", "mail": "thư đến", "obligation": "nghĩa vụ",
    "appraisal": "thẩm định sơ bộ",
    "round": "đợt giám sát đột xuất", "prep_item": "việc chuẩn bị đón đoàn giám sát",
})

AUDIT_ACTION: Mapping[str, str] = MappingProxyType({
    "plan.loaded": "Nạp kế hoạch",
    "notify.run": "Gửi thông báo kế hoạch",
    "notify.waiting": "Chờ ký số văn bản trước khi gửi thông báo",
    "document.register": "Đăng ký văn bản đã ký số",
    "web.logout": "Đăng xuất khỏi trang web",
    "web.link_issued": "Cấp đường dẫn riêng cho xã",
    "web.link_revoked": "Thu hồi đường dẫn riêng của xã",
    "remind.sweep": "Rà soát nhắc hạn",
    "submission.accepted": "Tiếp nhận báo cáo",
    "submission.rejected": "Trả lại báo cáo",
    "submission.superseded": "Thay báo cáo bằng bản sau",
    "submission.failed": "Lỗi xử lý tệp báo cáo",
    "mail.taken": "Tiếp nhận thư báo cáo",
    "mail.needs_person": "Giữ thư đến chờ cán bộ xem",
    "mail.duplicate": "Thư đến trùng thư đã nhận",
    "sample.drawn": "Chọn mẫu",
    "sample.approved": "Phê duyệt mẫu",
    "sample.rejected": "Từ chối mẫu",
    "visit.scheduled": "Xếp lịch giám sát",
    "visit.rescheduled": "Đổi lịch giám sát",
    "visit.adhoc_added": "Thêm cuộc giám sát đột xuất",
    "visit.minutes_written": "Lập biên bản giám sát",
    "visit.minutes_recorded": "Ghi nhận biên bản giám sát",
    "rec.add": "Thêm kiến nghị",
    "rec.update": "Cập nhật kiến nghị",
    "rec.overdue": "Kiến nghị quá hạn",
    "rec.withdrawn": "Rút kiến nghị",
    "rec.readdressed": "Sửa cơ quan được kiến nghị",
    "assignment.done": "Ghi nhận cơ quan đã thực hiện nhiệm vụ theo kế hoạch",
    "followup.sweep": "Rà soát kiến nghị",
    "message.retry": "Gửi lại thư",
    "step.done": "Hoàn thành bước",
    "final_report.write": "Lập báo cáo kết quả giám sát",
    "interim_report.write": "Lập báo cáo giữa kỳ",
    "appraisal.record": "Ghi nhận kết quả thẩm định sơ bộ",
    "criteria.findings": "Ghi nhận kết quả đánh giá theo tiêu chí",
    "office_report.write": "Lập báo cáo của cơ quan thường trực gửi Ủy ban nhân dân",
    "adhoc_report.write": "Lập báo cáo kết quả giám sát đột xuất",
    "round.opened": "Mở đợt giám sát đột xuất",
    "provincial.prepared": "Chuẩn bị tài liệu phục vụ Đoàn giám sát cấp trên",
    "provincial.findings": "Ghi nhận kết luận của Đoàn giám sát cấp trên",
})

GROUPS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "step": MappingProxyType({**STEPS, **RECURRING_STEPS}),
    "step_status": STEP_STATUS,
    "report_status": REPORT_STATUS,
    "submission_status": SUBMISSION_STATUS,
    "submission_source": SUBMISSION_SOURCE,
    "rec_status": REC_STATUS,
    "rec_source": REC_SOURCE,
    "message_status": MESSAGE_STATUS,
    "message_kind": MESSAGE_KIND,
    "visit_status": VISIT_STATUS,
    "visit_kind": VISIT_KIND,
    "round_status": ROUND_STATUS,
    "prep_kind": PREP_KIND,
    "draw_status": DRAW_STATUS,
    "finding_result": FINDING_RESULT,
    "appraisal_result": APPRAISAL_RESULT,
    "obligation_kind": OBLIGATION_KIND,
    "obligation_status": OBLIGATION_STATUS,
    "audit_entity": AUDIT_ENTITY,
    "audit_action": AUDIT_ACTION,
})


def label(group: str, code: str) -> str:
    """The Vietnamese label of ``code`` in ``group`` (the code itself when it is unknown)."""
    return GROUPS[group].get(code, code)
