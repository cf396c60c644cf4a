"""Prefect task delivering the outbox; transient failures are retried with growing delays."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import Task, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.states import Completed

from giamsat.domain.errors import DatabaseError, DeliveryError
from giamsat.messaging.delivery import deliver, has_pending, health
from giamsat.messaging.drain import DrainResult
from giamsat.runtime import Runtime


def transient_only(task: Task, task_run: TaskRun, state: State) -> bool:
    """Retry unless the failure is permanent (bad credentials, refused sender)."""
    try:
        state.result()
    except DeliveryError as exc:
        return not exc.permanent
    except DatabaseError:
        return True
    except Exception:  # a bug: retrying would only repeat it
        return False
    return True


@task(name="deliver-outbox", retries=4, retry_delay_seconds=[10, 30, 90, 270],
      retry_condition_fn=transient_only, cache_policy=NO_CACHE)
def deliver_outbox(rt: Runtime, now: dt.datetime, batch_size: int | None = None) -> DrainResult:
    """Drain the outbox; raise a transient error (so Prefect retries) while messages are deferred."""
    result = deliver(rt, now, batch_size=batch_size)
    if result.deferred:
        raise DeliveryError(f"{result.deferred} thư chưa gửi được, sẽ thử lại: "
                            + "; ".join(result.errors[:5]), permanent=False)
    return result


def deliver_with_retries(rt: Runtime, now: dt.datetime, batch_size: int | None = None) -> DrainResult | None:
    """Run the delivery task with the configured delays; None if messages are still pending after
    the last retry (they stay pending with their last error for the next drain). ``batch_size``:
    messages per claim, by default the channel's (``filebatch.claim_size``). A permanent
    failure of the channel (a refused login) is raised: the run fails and says why."""
    if not has_pending(rt):
        return DrainResult()  # nothing to send: no empty delivery run in the UI
    delays = rt.settings.smtp_retry_delays
    state = deliver_outbox.with_options(retries=len(delays), retry_delay_seconds=delays)(
        rt, now, batch_size, return_state=True)
    if state.is_completed():
        return state.result()
    try:
        state.result()
    except DeliveryError as exc:
        if exc.permanent:
            raise DeliveryError(str(exc), permanent=True) from None
    return None


UNSENT_STATE = "Còn thư chưa gửi"  # how the Prefect UI names a run that left mail unsent


def finish(rt: Runtime, result: Any, counted: dict[str, int] | None = None) -> Any:
    """A step flow's return: ``result``, or — when messages of the cycle are still unsent — a
    Completed state named ``UNSENT_STATE`` whose message says how many and why (the UI shows it).
    ``counted``: the outbox's ``counts(rt)`` the flow has just read for its result."""
    h = health(rt, counted=counted)
    unsent = h.get("pending", 0) + h.get("failed", 0)
    if not unsent:
        return result
    why = h["last_error"] or ("lỗi vĩnh viễn, xem: giamsat outbox --status failed" if h.get("failed")
                              else "chưa rõ lý do")
    return Completed(name=UNSENT_STATE, message=f"{unsent} thư chưa gửi được: {why}", data=result)
