"""The cycle's mix of outgoing messages, queued in a fresh outbox for the delivery benchmarks.

One message in six is a notification with three .docx attachments (the plan, shared by every
unit, and the unit's own letter and outline, of the sizes notify writes); the others are
reminders and acknowledgements: Vietnamese text and HTML bodies of the sizes the templates
render. Queued rows are written in bulk before any clock starts.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from giamsat.domain import clock
from giamsat.messaging.mime import Outgoing
from giamsat.messaging.outbox import Attachment, insert_pending, pending_row
from giamsat.runtime import Runtime

NOW = dt.datetime(2024, 4, 2, 8, tzinfo=clock.TZ)
SIZES = {"plan": 41_000, "letter": 19_000, "outline": 44_000}  # bytes, as notify writes them
TEXT = ("Kính gửi Ủy ban nhân dân xã,\n\nPhòng Lao động - Thương binh và Xã hội nhắc đơn vị gửi báo "
        "cáo kết quả thực hiện Chương trình mục tiêu quốc gia giảm nghèo bền vững theo đề cương "
        "đã gửi kèm công văn. Hạn nộp: trước ngày 15/4/2024.\n") * 4
HTML = "<p>" + TEXT.replace("\n", "<br>") + "</p>" * 2


def attachments(folder: Path, n: int) -> list[list[Attachment]]:
    """The attachments of ``n`` messages: every sixth has the plan, a letter and an outline."""
    folder.mkdir(parents=True, exist_ok=True)
    plan = folder / "ke-hoach.docx"
    plan.write_bytes(os.urandom(SIZES["plan"]))  # compressed content: base64 costs the same
    out: list[list[Attachment]] = []
    for i in range(n):
        if i % 6:
            out.append([])
            continue
        own = []
        for kind in ("letter", "outline"):
            path = folder / f"{kind}-{i}.docx"
            path.write_bytes(os.urandom(SIZES[kind]))
            own.append(Attachment(path, f"{kind}-{i}.docx"))
        out.append([Attachment(plan, "ke-hoach.docx"), *own])
    return out


def queue(rt: Runtime, atts: list[list[Attachment]], prefix: str = "bench") -> None:
    """Queue one message per entry of ``atts`` in ``rt``'s outbox (bulk insert, not timed)."""
    rows = [pending_row(cycle_id=rt.cycle_id, key=f"{prefix}:{i}", kind="reminder",
                        to=[f"xa{i}@units.example"], cc=[], subject=f"Nhắc nộp báo cáo - Xã Số {i}",
                        text=TEXT, html=HTML, now=NOW, attachments=a) for i, a in enumerate(atts)]
    with rt.db.unit_of_work() as s:
        for start in range(0, len(rows), 2000):
            insert_pending(s, rows[start:start + 2000])


def outgoing(atts: list[list[Attachment]]) -> list[Outgoing]:
    """The same messages as the bare loops send them."""
    return [Outgoing(id=i, message_id=f"<bare{i}@giamsat.local>", to=[f"xa{i}@units.example"],
                     subject=f"Nhắc nộp báo cáo - Xã Số {i}", text=TEXT, html=HTML, created_at=NOW,
                     attachments=[x.as_json() for x in a]) for i, a in enumerate(atts)]
