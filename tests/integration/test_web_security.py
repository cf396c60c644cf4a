"""The web app's guards, through its HTTP interface: headers, CSRF, throttling, sizes, audit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from giamsat.db.models import AuditEntry, Unit, WebUser
from giamsat.domain import clock
from giamsat.links.service import token_for
from giamsat.web.accounts import add_user
from giamsat.web.app import build_app

NOW = clock.at_office_hours(dt.date(2024, 4, 3), 10)
PASSWORD = "mat-khau-rat-dai-2024"


@pytest.fixture
def client(sqlite_runtime):
    add_user(sqlite_runtime, "dieuphoi", PASSWORD, "test", NOW)
    with TestClient(build_app(sqlite_runtime, lambda: NOW), base_url="https://testserver") as c:
        yield c


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _login(client, password: str = PASSWORD):
    page = client.get("/dang-nhap")
    return client.post("/dang-nhap", data={"csrf": _csrf(page.text), "username": "dieuphoi",
                                           "password": password}, follow_redirects=False)


def test_every_page_carries_the_security_headers_and_the_session_cookie_is_httponly_and_samesite(client):
    page = client.get("/dang-nhap")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-content-type-options"] == "nosniff"
    cookie = _login(client).headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie


def test_the_password_is_stored_as_a_slow_hash_and_never_written_to_the_audit_log(client, sqlite_runtime):
    assert _login(client).status_code == 303
    with sqlite_runtime.db.unit_of_work() as s:
        stored = s.scalar(select(WebUser.password_hash))
        assert stored.startswith("scrypt$") and PASSWORD not in stored
        details = [str(a.detail) for a in s.scalars(select(AuditEntry))]
        assert not any(PASSWORD in d for d in details)
        assert s.scalar(select(AuditEntry.actor).where(AuditEntry.action == "web.login")) == "dieuphoi"


def test_a_form_without_its_csrf_token_is_refused(client):
    _login(client)
    response = client.post("/chon-mau/duyet", data={"draw_id": "1"})
    assert response.status_code == 403 and "Phiên làm việc đã hết hạn" in response.text


def test_after_five_wrong_passwords_even_the_right_one_waits(client):
    for _ in range(5):
        assert _login(client, "sai-mat-khau").status_code == 401
    response = _login(client)
    assert response.status_code == 429 and "quá nhiều lần" in response.text


def test_logout_ends_the_session(client):
    _login(client)
    home = client.get("/")
    assert home.status_code == 200 and "Các bước của chu kỳ" in home.text
    client.post("/dang-xuat", data={"csrf": _csrf(home.text)})
    assert client.get("/", follow_redirects=False).headers["location"] == "/dang-nhap"


def test_an_oversized_upload_is_refused_before_its_body_is_read(client, sqlite_runtime):
    with sqlite_runtime.db.unit_of_work() as s:
        unit = s.scalar(select(Unit).where(Unit.code == "13750"))
        token = token_for(sqlite_runtime, s, unit, NOW)
    size = int(sqlite_runtime.plan.report.max_file_mb * 1024 * 1024) + 200_000
    response = client.post(f"/xa/{token}/nop-bao-cao", content=b"x" * size,
                           headers={"content-type": "multipart/form-data; boundary=b"})
    assert response.status_code == 413 and "Tệp quá lớn" in response.text
    assert "Tân Khánh" not in response.text


def test_a_forged_link_answers_404_without_any_units_name(client):
    response = client.get("/xa/" + "A" * 32)
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.text and "Xã " not in response.text


def test_redrawing_from_the_dashboard_rejects_the_draw_with_its_reason_and_proposes_a_new_one(
        client, sqlite_runtime):
    from giamsat.db.models import SampleDraw
    from giamsat.draw.service import draw

    first = draw(sqlite_runtime, NOW.date(), "hat-giong-1", "dieuphoi", now=NOW)
    _login(client)
    csrf = _csrf(client.get("/").text)
    response = client.post("/chon-mau/chon-lai", data={"csrf": csrf, "draw_id": str(first.id), "reason": ""})
    assert "Phải ghi lý do khi chọn lại mẫu" in response.text
    client.post("/chon-mau/chon-lai", data={"csrf": csrf, "draw_id": str(first.id),
                                           "reason": "Xã Quang Trung vừa được giám sát năm trước"})
    with sqlite_runtime.db.unit_of_work() as s:
        rows = s.scalars(select(SampleDraw).order_by(SampleDraw.id)).all()
        assert [(r.status, r.decided_by) for r in rows] == [("rejected", "dieuphoi"), ("proposed", None)]
        assert rows[0].decision_reason == "Xã Quang Trung vừa được giám sát năm trước"
    assert "Đã chọn lại mẫu; lượt mới chờ duyệt." in client.get("/?ok=chon-lai").text


def test_an_account_made_today_signs_in_to_the_cycle_shown_as_of_an_earlier_day(sqlite_runtime):
    # `giamsat web --as-of 2024-04-03`: the page shows the 2024 cycle, the account was made today.
    today = clock.now()
    add_user(sqlite_runtime, "dieuphoi", PASSWORD, "test", today)
    with TestClient(build_app(sqlite_runtime, lambda: NOW), base_url="https://testserver") as c:
        assert _login(c).status_code == 303
        home = c.get("/", follow_redirects=False)
        assert home.status_code == 200 and "Các bước của chu kỳ" in home.text
    with sqlite_runtime.db.unit_of_work() as s:  # the login stands in the cycle's audit at its day
        at = s.scalar(select(AuditEntry.at).where(AuditEntry.action == "web.login"))
        assert at.replace(tzinfo=at.tzinfo or dt.UTC).astimezone(clock.TZ).date() == NOW.date()


def test_a_session_ends_twelve_hours_after_sign_in_on_the_wall_clock_whatever_day_is_shown(sqlite_runtime):
    wall = [dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)]
    add_user(sqlite_runtime, "dieuphoi", PASSWORD, "test", wall[0] - dt.timedelta(days=1))
    with TestClient(build_app(sqlite_runtime, lambda: NOW, lambda: wall[0]),
                    base_url="https://testserver") as c:
        assert _login(c).status_code == 303
        wall[0] += dt.timedelta(hours=11)
        assert c.get("/", follow_redirects=False).status_code == 200
        wall[0] += dt.timedelta(hours=2)
        assert c.get("/", follow_redirects=False).headers["location"] == "/dang-nhap"


def test_the_pages_of_a_province_plan_name_its_own_programme_and_units(tmp_path):
    from pathlib import Path

    from giamsat.cycle.sync import open_cycle

    plan = Path(__file__).resolve().parents[2] / "config" / "ninh-binh-2026.yaml"
    now = clock.at_office_hours(dt.date(2026, 4, 2), 10)
    rt = open_cycle(plan, now, home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'g.db'}")
    try:
        add_user(rt, "dieuphoi", PASSWORD, "test", now)
        with TestClient(build_app(rt, lambda: now), base_url="https://testserver") as c:
            assert _login(c).status_code == 303
            pages = [c.get(p).text for p in ("/", "/tham-dinh", "/dot-xuat", "/doan-cap-tren")]
    finally:
        rt.db.dispose()
    for text in pages:
        assert "Giám sát Chương trình MTQG hợp nhất" in text
        assert "giảm nghèo bền vững</span>" not in text and "huyện" not in text and "thị trấn" not in text
    assert "Bộ Nông nghiệp và Môi trường" in pages[3]
