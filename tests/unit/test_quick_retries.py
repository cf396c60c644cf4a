"""The demo's Prefect client resends at once a request its server answered 503 (SQLite refused the
write, nothing written) instead of waiting the client's 2 s; every other answer passes as it came."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from giamsat import prefect_env


@pytest.fixture
def server() -> Iterator[tuple[str, list[int], list[bytes]]]:
    """A loopback server answering the statuses queued in ``answers`` (then 201), recording bodies."""
    answers: list[int] = []
    bodies: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
            status = answers.pop(0) if answers else 201
            payload = b'{"exception_message": "Service Unavailable"}' if status == 503 else b"{}"
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", answers, bodies
    finally:
        httpd.shutdown()


def test_a_request_answered_503_is_sent_again_at_once_with_the_same_body(server):
    url, answers, bodies = server
    answers.extend([503, 503])
    with httpx.Client(transport=prefect_env.quick_retries()) as client:
        started = time.monotonic()
        response = client.post(f"{url}/api/deployments/x/create_flow_run", json={"name": "Nhắc hạn"})
    assert response.status_code == 201
    assert time.monotonic() - started < 1  # Prefect's client would have slept 2 s, then 4 s
    assert len(bodies) == 3 and len(set(bodies)) == 1


def test_other_answers_are_not_resent(server):
    url, answers, bodies = server
    answers.extend([409, 500])
    with httpx.Client(transport=prefect_env.quick_retries()) as client:
        assert client.post(f"{url}/a", json={}).status_code == 409
        assert client.post(f"{url}/b", json={}).status_code == 500
    assert len(bodies) == 2


def test_after_the_quick_resends_the_last_503_goes_back_to_the_client(server):
    url, answers, bodies = server
    answers.extend([503] * 10)
    with httpx.Client(transport=prefect_env.quick_retries()) as client:
        assert client.post(f"{url}/a", json={}).status_code == 503  # Prefect's client retries it later
    assert len(bodies) == len(prefect_env.QUICK_RETRIES) + 1
