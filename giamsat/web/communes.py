"""Each commune's own page ``/xa/{token}``: what it owes, its form, an upload, its recommendations."""

from __future__ import annotations

import hmac
import shutil
import uuid

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from giamsat.db.models import Recommendation, Unit
from giamsat.docx.reading import MB
from giamsat.domain.errors import GiamsatError
from giamsat.domain.textsafety import display_filename, storage_suffix
from giamsat.followup import service as followup
from giamsat.links import service as links
from giamsat.links.key import sign
from giamsat.plan import places
from giamsat.web import views
from giamsat.web.coordinator import document_response
from giamsat.web.intake import take_in
from giamsat.web.pages import render, today

FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small fields around the file
EVIDENCE_MB = 20  # as ``store_evidence`` accepts
PROGRESS = {"in_progress": "Đang thực hiện", "resolved": "Đã thực hiện"}


def _unit(request: Request) -> tuple[int, str, str]:
    """(unit id, code, actor name) the path's token opens today; 404 otherwise (no name shown)."""
    rt = request.app.state.rt
    with rt.db.unit_of_work() as s:
        unit = links.resolve(rt, s, request.path_params["token"], today(request))
        if unit is None:
            raise HTTPException(404)
        return unit.id, unit.code, actor_of(unit)


def actor_of(unit: Unit) -> str:
    """The audit log's actor for a unit: ``UBND xã …`` / ``UBND thị trấn …`` / ``thôn …``."""
    return places.unit_body(unit.kind, unit.name)


def _csrf(request: Request) -> str:
    return sign(request.app.state.key, "csrf-xa", request.path_params["token"])[:40]


def _page(request: Request, unit_id: int, status: int = 200, **extra: object) -> Response:
    ctx = views.commune(request.app.state.rt, unit_id, today(request))
    return render(request, "commune.html", ctx | {"csrf": _csrf(request), "progress": PROGRESS,
                                                  "base": f"/xa/{request.path_params['token']}"} | extra,
                  status)


async def page(request: Request) -> Response:
    """The commune's page."""
    unit_id, _, _ = _unit(request)
    return _page(request, unit_id)


async def _form(request: Request, limit: int) -> dict:
    """The POSTed form, refused before reading when it announces more than ``limit`` bytes."""
    try:
        size = int(request.headers.get("content-length", ""))
    except ValueError:
        raise HTTPException(411, "Thiếu độ dài nội dung.") from None
    if size > limit + FORM_OVERHEAD:
        raise HTTPException(413, f"Tệp quá lớn (tối đa {limit // MB} MB).")
    form = await request.form(max_files=1, max_fields=5, max_part_size=64 * 1024)
    if not hmac.compare_digest(str(form.get("csrf", "")), _csrf(request)):
        raise HTTPException(403, "Trang đã cũ; xin mở lại đường dẫn của xã.")
    return dict(form.items())


async def upload(request: Request) -> Response:
    """Run the intake on the uploaded report and show its result at once."""
    unit_id, code, actor = _unit(request)
    rt = request.app.state.rt
    limit = int(rt.plan.report.max_file_mb * MB)
    form = await _form(request, limit)
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return _page(request, unit_id, 400, upload_error="Chưa chọn tệp báo cáo.")
    if file.size is not None and file.size > limit:
        return _page(request, unit_id, 413, upload_error=f"Tệp quá lớn (tối đa {limit // MB} MB).")
    path = rt.path("web", "uploads", uuid.uuid4().hex, f"bao-cao{storage_suffix(file.filename, '.docx')}")
    try:
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out, 1 << 20)
        result = take_in(rt, path, code, display_filename(file.filename), actor, request.app.state.now())
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
    return _page(request, unit_id, result=result, own=result.unit_key is None or
                 result.unit_key.split("@")[0] == code)


async def report_progress(request: Request) -> Response:
    """Record the commune's progress on a recommendation addressed to it (with optional evidence)."""
    unit_id, _, actor = _unit(request)
    rt = request.app.state.rt
    form = await _form(request, EVIDENCE_MB * MB)
    rec_id = request.path_params["rec_id"]
    with rt.db.unit_of_work() as s:
        rec = s.get(Recommendation, rec_id)
        if rec is None or rec.unit_id != unit_id or rec.cycle_id != rt.cycle_id:
            raise HTTPException(404)
    status = str(form.get("status", ""))
    if status not in PROGRESS:
        return _page(request, unit_id, 400, rec_error="Chọn tình trạng thực hiện.")
    evidence = await _evidence(rt, form.get("evidence"))
    try:
        followup.update(rt, rec_id, status, str(form.get("note", ""))[:5000], evidence, actor,
                        request.app.state.now())
    except GiamsatError as exc:
        return _page(request, unit_id, 400, rec_error=str(exc))
    finally:
        if evidence is not None:
            shutil.rmtree(evidence.parent, ignore_errors=True)
    return _page(request, unit_id, rec_notice="Đã ghi nhận tiến độ thực hiện kiến nghị.")


async def _evidence(rt, file: object):
    if not isinstance(file, UploadFile) or not file.filename:
        return None
    path = rt.path("web", "uploads", uuid.uuid4().hex, f"minh-chung{storage_suffix(file.filename)}")
    with path.open("wb") as out:
        shutil.copyfileobj(file.file, out, 1 << 20)
    return path


async def download(request: Request) -> Response:
    """One of this commune's documents (its outline form, its letter)."""
    unit_id, _, _ = _unit(request)
    return document_response(request, request.path_params["doc_id"], unit_id)


def routes() -> list[Route]:
    """The communes' routes."""
    return [Route("/xa/{token:str}", page),
            Route("/xa/{token:str}/nop-bao-cao", upload, methods=["POST"]),
            Route("/xa/{token:str}/kien-nghi/{rec_id:int}", report_progress, methods=["POST"]),
            Route("/xa/{token:str}/tai-lieu/{doc_id:int}", download)]
