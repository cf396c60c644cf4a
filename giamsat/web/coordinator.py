"""The coordinator's routes: login, logout, the dashboard, the draw decision, document downloads."""

from __future__ import annotations

import hmac
import secrets

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from giamsat.db import audit
from giamsat.db.models import Document
from giamsat.domain.errors import GiamsatError
from giamsat.draw import service as draws
from giamsat.issuance.kinds import kind_of
from giamsat.links.key import sign
from giamsat.web import accounts, views
from giamsat.web.pages import render, today

COOKIE, PRE = "giamsat_phien", "giamsat_dn"
UNIT_FILTERS = ("on_time", "late", "rejected", "missing", "pending")


def _cookie(response: Response, name: str, value: str, request: Request, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")


def session_of(request: Request) -> accounts.Session | None:
    """The coordinator signed in on this request, or None."""
    st = request.app.state
    return accounts.read_session(st.rt, st.key, request.cookies.get(COOKIE), st.wall())


def _login_csrf(request: Request, pre: str) -> str:
    return sign(request.app.state.key, "csrf-login", pre)[:40]


async def login_page(request: Request, error: str = "", status: int = 200) -> Response:
    """The login form, with a fresh pre-session cookie behind its CSRF token."""
    pre = secrets.token_urlsafe(16)
    response = render(request, "login.html", {"csrf": _login_csrf(request, pre), "error": error}, status)
    _cookie(response, PRE, pre, request, 1800)
    return response


async def login(request: Request) -> Response:
    """Check the form; on success a session cookie, on failure a counted attempt."""
    st = request.app.state
    form = await request.form(max_files=0, max_fields=5)
    pre = request.cookies.get(PRE, "")
    if not pre or not hmac.compare_digest(str(form.get("csrf", "")), _login_csrf(request, pre)):
        return await login_page(request, "Phiên đăng nhập đã hết hạn, xin nhập lại.", 400)
    username = str(form.get("username", "")).strip().lower()[:64]
    client = request.client.host if request.client else "?"
    if st.throttle.blocked(f"u:{username}", f"ip:{client}"):
        return await login_page(request, "Đăng nhập sai quá nhiều lần; xin thử lại sau 15 phút.", 429)
    user = accounts.authenticate(st.rt, username, str(form.get("password", "")))
    now = st.now()
    with st.rt.db.unit_of_work() as s:
        audit.record(s, at=now, actor=user or "web", action="web.login" if user else "web.login_failed",
                     entity="web_user", entity_id=username or None, client=client)
    if user is None:
        st.throttle.fail(f"u:{username}", f"ip:{client}")
        return await login_page(request, "Tên đăng nhập hoặc mật khẩu không đúng.", 401)
    response = RedirectResponse("/", status_code=303)
    _cookie(response, COOKIE, accounts.session_cookie(st.key, user, int(st.wall().timestamp())), request,
            accounts.SESSION_HOURS * 3600)
    response.delete_cookie(PRE, path="/")
    return response


async def authorised_form(request: Request) -> tuple[accounts.Session, dict]:
    """The session and form of a coordinator's POST; 403 without a session or a valid CSRF token."""
    session = session_of(request)
    form = await request.form(max_files=0, max_fields=10)
    if session is None or not hmac.compare_digest(str(form.get("csrf", "")), session.csrf):
        raise HTTPException(403, "Phiên làm việc đã hết hạn; xin đăng nhập lại.")
    return session, {k: str(v) for k, v in form.items()}


async def logout(request: Request) -> Response:
    """End every session of the account and clear the cookie."""
    session, _ = await authorised_form(request)
    st = request.app.state
    accounts.end_sessions(st.rt, session.username, st.now(), st.wall())
    response = RedirectResponse("/dang-nhap", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


async def dashboard(request: Request) -> Response:
    """The cycle on one page (login required)."""
    session = session_of(request)
    if session is None:
        return RedirectResponse("/dang-nhap", status_code=303)
    wanted = request.query_params.get("xa", "")
    rt = request.app.state.rt
    ctx = views.dashboard(rt, today(request), wanted if wanted in UNIT_FILTERS else None)
    ctx["prefect"] = await run_in_threadpool(request.app.state.prefect_links.get, rt.plan.cycle_key)
    notice = {"duyet": "Đã duyệt lượt chọn mẫu.", "chon-lai": "Đã chọn lại mẫu; lượt mới chờ duyệt."}
    return render(request, "dashboard.html", ctx | {
        "session": session, "csrf": session.csrf, "notice": notice.get(request.query_params.get("ok", "")),
        "error": request.query_params.get("loi", "")[:300]})


async def decide_draw(request: Request) -> Response:
    """Approve the pending draw, or reject it with a reason and propose a new one."""
    session, form = await authorised_form(request)
    st, action = request.app.state, request.path_params["action"]
    try:
        draw_id = int(form.get("draw_id", ""))
        if action == "duyet":
            draws.approve(st.rt, draw_id, session.username, st.now())
        elif action == "chon-lai":
            draws.reject(st.rt, draw_id, form.get("reason", ""), session.username, st.now())
            draws.draw(st.rt, today(request), None, session.username, now=st.now())
        else:
            raise HTTPException(404)
    except ValueError:
        raise HTTPException(400, "Yêu cầu không hợp lệ.") from None
    except GiamsatError as exc:
        from urllib.parse import quote

        return RedirectResponse(f"/?loi={quote(str(exc))}#chon-mau", status_code=303)
    return RedirectResponse(f"/?ok={action}#chon-mau", status_code=303)


async def download(request: Request) -> Response:
    """A document of the cycle by its id (never by a path from the request)."""
    if session_of(request) is None:
        return RedirectResponse("/dang-nhap", status_code=303)
    return document_response(request, request.path_params["doc_id"], unit_id=None, any_unit=True)


def document_response(request: Request, doc_id: int, unit_id: int | None, any_unit: bool = False) -> Response:
    """The file of document ``doc_id`` of this cycle (and of ``unit_id`` unless ``any_unit``)."""
    rt = request.app.state.rt
    with rt.db.unit_of_work() as s:
        doc = s.get(Document, doc_id)
        if doc is None or doc.cycle_id != rt.cycle_id or (not any_unit and doc.unit_id != unit_id):
            raise HTTPException(404)
        path, label = views.document_path(rt, doc), kind_of(doc.kind).label
    if path is None:
        raise HTTPException(404)
    return FileResponse(path, filename=f"{label}{path.suffix}")


def routes() -> list[Route]:
    """The coordinator's routes."""
    return [Route("/", dashboard), Route("/dang-nhap", login_page, methods=["GET"]),
            Route("/dang-nhap", login, methods=["POST"]), Route("/dang-xuat", logout, methods=["POST"]),
            Route("/chon-mau/{action:str}", decide_draw, methods=["POST"]),
            Route("/tai-lieu/{doc_id:int}", download)]
