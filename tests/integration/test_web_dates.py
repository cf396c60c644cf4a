"""The web pages write dates as the documents and e-mails do ("03/4/2024"), never "03/04/2024"."""

from __future__ import annotations

import datetime as dt
import re

from starlette.testclient import TestClient

from giamsat.domain import clock
from giamsat.web.accounts import add_user
from giamsat.web.app import build_app

NOW = clock.at_office_hours(dt.date(2024, 4, 3), 10)
PASSWORD = "mat-khau-rat-dai-2024"
PADDED_MONTH = re.compile(r"\b\d\d/0[3-9]/\d{4}\b")  # Decree 30 pads only months 1 and 2


def test_the_dashboard_writes_its_dates_with_short_date(sqlite_runtime):
    add_user(sqlite_runtime, "dieuphoi", PASSWORD, "test", NOW)
    with TestClient(build_app(sqlite_runtime, lambda: NOW), base_url="https://testserver") as client:
        login = client.get("/dang-nhap")
        csrf = re.search(r'name="csrf" value="([^"]+)"', login.text).group(1)
        client.post("/dang-nhap", data={"csrf": csrf, "username": "dieuphoi", "password": PASSWORD})
        home = client.get("/").text
    assert "tình hình ngày 03/4/2024" in home and "Chu kỳ giám sát — 03/4/2024" in home
    assert '<td class="date">01/4/2024</td>' in home and '<td class="date">06/4/2024</td>' in home
    assert PADDED_MONTH.findall(home) == []
