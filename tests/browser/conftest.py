"""A running web app on a prepared cycle, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from pathlib import Path

import pytest

from giamsat.domain import clock

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
TODAY = dt.date(2024, 4, 3)
PASSWORD = "mat-khau-thu-nghiem-1"


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium under Playwright (never a downloaded browser).

    Module-scoped: Playwright's sync API keeps an event loop running in the main thread until it
    stops, and later tests call ``asyncio.run``.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install the Debian package 'chromium' (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def site(sqlite_runtime):
    """The web app serving a notified cycle with a proposed draw, a coordinator, two communes' links."""
    import uvicorn

    from giamsat.draw.service import draw
    from giamsat.notify.service import notify
    from giamsat.web.accounts import add_user
    from giamsat.web.app import build_app

    rt = sqlite_runtime
    now = clock.at_office_hours(TODAY, 10)
    notify(rt, dt.date(2024, 4, 1))
    draw(rt, TODAY, "hat-giong-thu-nghiem", "dieuphoi", now=now)
    add_user(rt, "dieuphoi", PASSWORD, "test", now)
    server = uvicorn.Server(uvicorn.Config(build_app(rt, lambda: now), host="127.0.0.1", port=_free_port(),
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield rt, f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def links(site):
    """``links(code)`` → the commune's token."""
    from sqlalchemy import select

    from giamsat.db.models import Unit
    from giamsat.links.service import token_for

    rt, _ = site

    def token(code: str) -> str:
        with rt.db.unit_of_work() as s:
            unit = s.scalar(select(Unit).where(Unit.cycle_id == rt.cycle_id, Unit.code == code))
            return token_for(rt, s, unit, clock.at_office_hours(TODAY, 9))
    return token


@pytest.fixture
def page(chromium):
    """A fresh 1366×768 page."""
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    yield context.new_page()
    context.close()


def shot(page, name: str) -> Path:
    """Save a full-page screenshot under ``var/screenshots/``."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def no_sideways_scroll(page) -> bool:
    """Whether the page fits its viewport's width."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")



