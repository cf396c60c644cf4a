"""The draw step: propose a verifiable sample, then wait for the coordinator's approval in the UI.

The decision lives in our database: if the serving process stops while the run waits, an approval
given with ``giamsat draw approve`` completes the step and the next run continues without pausing.
"""

from __future__ import annotations

import datetime as dt

from prefect import flow, get_run_logger
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from pydantic import Field

from flows.naming import run_name
from giamsat.domain.formatting import short_date
from giamsat.runtime import Runtime
from tasks.common import day_of, step_runtime
from tasks.draw import propose_draw, record_decision
from tasks.overview import publish_overview

MAX_REDRAWS = 5


class DrawDecision(RunInput):
    """The coordinator's answer: approve the proposed sample, or redraw with a reason."""

    approve: bool = Field(False, title="Duyệt mẫu này")
    redraw_reason: str = Field("", title="Lý do chọn lại (bắt buộc nếu không duyệt)")
    decided_by: str = Field(..., min_length=2, max_length=100, pattern=r"\S",
                            title="Người quyết định (họ tên, ghi vào nhật ký kiểm tra)")


def describe(draw: dict) -> str:
    """The proposed sample as markdown for the approval form."""
    lines = [f"### Lượt chọn mẫu số {draw['id']} (chờ duyệt)", "",
             f"- Ngày chọn: {short_date(dt.date.fromisoformat(draw['draw_on']))}",
             f"- Hạt giống ({draw['seed_source']}): `{draw['seed']}`",
             f"- Thuật toán: {draw['algorithm']}; khung mẫu {draw['frame_size']} đơn vị",
             f"- SHA-256 hồ sơ: `{draw['record_sha256']}`", "",
             "| TT | Đơn vị | Thôn được chọn |", "|---|---|---|"]
    lines += [f"| {i} | {u['name']} ({u['key']}) | {', '.join(u['villages'])} |"
              for i, u in enumerate(draw["units"], start=1)]
    lines += ["", "Chọn **Duyệt** để xếp lịch và thông báo cho các xã; nếu không, ghi lý do để chọn lại."]
    return "\n".join(lines)


@flow(name="draw", flow_run_name=run_name("draw"), log_prints=False)
def draw_flow(as_of: dt.date | None = None, config: str | None = None, seed: str | None = None,
              approval_timeout_seconds: int = 7 * 24 * 3600, poll_seconds: int = 10) -> dict:
    """Chọn ngẫu nhiên xã và thôn, chờ người điều phối duyệt (hoặc chọn lại có lý do)."""
    with step_runtime(config, as_of) as rt:
        return _propose_until_approved(rt, as_of, seed, approval_timeout_seconds, poll_seconds)


def _propose_until_approved(rt: Runtime, as_of: dt.date | None, seed: str | None,
                            approval_timeout_seconds: int, poll_seconds: int) -> dict:
    logger = get_run_logger()
    draw = propose_draw(rt, as_of, seed)
    for attempt in range(MAX_REDRAWS):
        publish_overview(rt, day_of(as_of))
        if draw["status"] == "approved":
            logger.info("Lượt chọn mẫu số %s đã được duyệt.", draw["id"])
            return draw
        decision = pause_flow_run(
            wait_for_input=DrawDecision.with_initial_data(description=describe(draw)),
            timeout=approval_timeout_seconds, poll_interval=poll_seconds,
            key=f"draw-{draw['id']}-{attempt}")
        if not decision.approve and not decision.redraw_reason.strip():
            logger.warning("Không duyệt nhưng chưa ghi lý do chọn lại; chờ quyết định lại.")
            continue
        actor = decision.decided_by.strip() or "prefect-ui"
        draw = record_decision(rt, draw["id"], decision.approve, decision.redraw_reason, actor, as_of)
        if draw["status"] == "rejected":
            logger.info("Lượt %s bị từ chối: %s. Chọn lại với hạt giống mới.", draw["id"],
                        decision.redraw_reason)
            draw = propose_draw(rt, as_of, None)
    raise RuntimeError(f"Đã chọn lại {MAX_REDRAWS} lần mà chưa duyệt; dùng giamsat draw draw/approve.")
