"""The coordinator's work pages beside the dashboard: appraisals, ad-hoc rounds, the upper team's visit."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from giamsat.criteria.appraisal import list_appraisals, record_appraisal
from giamsat.domain.errors import GiamsatError
from giamsat.domain.vocabulary import APPRAISAL_RECORDED, APPRAISAL_RESULT, REC_STATUS
from giamsat.provincial import service as provincial
from giamsat.rounds.service import list_rounds
from giamsat.web.coordinator import authorised_form, session_of
from giamsat.web.pages import render, today

NOTICES = {"tham-dinh": "Đã ghi nhận kết quả thẩm định sơ bộ và gửi thư thông báo cho đơn vị.",
           "khong-doi": "Kết quả thẩm định không thay đổi; không gửi thư mới.",
           "da-chuan-bi": "Đã đánh dấu tài liệu đã chuẩn bị xong."}


def _page(request: Request, name: str, context: dict) -> Response:
    """A work page for the signed-in coordinator, with the notice or error the last action left."""
    session = session_of(request)
    if session is None:
        return RedirectResponse("/dang-nhap", status_code=303)
    return render(request, name, context | {
        "session": session, "csrf": session.csrf, "today": today(request), "nav": request.url.path,
        "notice": NOTICES.get(request.query_params.get("ok", "")),
        "error": request.query_params.get("loi", "")[:300]})


def _back(path: str, ok: str | None = None, error: str | None = None) -> Response:
    query = f"?ok={ok}" if ok else f"?loi={quote(error or '')}"
    return RedirectResponse(path + query, status_code=303)


async def appraisals(request: Request) -> Response:
    """Every commune that has reported, with its preliminary appraisal and a form to record one."""
    rt = request.app.state.rt
    return _page(request, "appraisals.html", {
        "rows": list_appraisals(rt), "results": {k: APPRAISAL_RESULT[k] for k in APPRAISAL_RECORDED},
        "rec_labels": REC_STATUS})


async def appraise(request: Request) -> Response:
    """Record one commune's appraisal from the page's form (the commune is told by e-mail)."""
    session, form = await authorised_form(request)
    st = request.app.state
    questions = [q for q in form.get("questions", "").splitlines() if q.strip()]
    try:
        done = record_appraisal(st.rt, form.get("unit", ""), form.get("result", ""), questions,
                                form.get("note") or None, session.username, st.now())
    except GiamsatError as exc:
        return _back("/tham-dinh", error=str(exc))
    return _back("/tham-dinh", ok="tham-dinh" if done.changed else "khong-doi")


async def rounds(request: Request) -> Response:
    """The ad-hoc monitoring rounds with their visits, minutes and report."""
    return _page(request, "rounds.html", {"rounds": list_rounds(request.app.state.rt)})


async def upper_team(request: Request) -> Response:
    """The preparation checklist for the upper team's visit."""
    rt = request.app.state.rt
    try:
        items, day, problem = provincial.checklist(rt), provincial.visit_day(rt), None
    except GiamsatError as exc:  # the plan has no such visit: say which field to fill
        items, day, problem = [], None, str(exc)
    return _page(request, "upper_team.html", {"items": items, "visit_on": day, "problem": problem})


async def tick(request: Request) -> Response:
    """Mark one document of the checklist prepared."""
    session, form = await authorised_form(request)
    st = request.app.state
    try:
        provincial.tick(st.rt, int(form.get("number", "")), session.username, st.now())
    except ValueError:
        return _back("/doan-cap-tren", error="Số thứ tự tài liệu không hợp lệ.")
    except GiamsatError as exc:
        return _back("/doan-cap-tren", error=str(exc))
    return _back("/doan-cap-tren", ok="da-chuan-bi")


def routes() -> list[Route]:
    """The work pages' routes."""
    return [Route("/tham-dinh", appraisals), Route("/tham-dinh", appraise, methods=["POST"]),
            Route("/dot-xuat", rounds), Route("/doan-cap-tren", upper_team),
            Route("/doan-cap-tren", tick, methods=["POST"])]
