"""``giamsat serve`` (local Prefect server + every deployment), ``giamsat deploy --work-pool`` (the
deployments on a shared Prefect server, run by workers) and ``giamsat run STEP``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import typer

from giamsat.cli.common import AS_OF, console, parse_date, state
from giamsat.domain.errors import GiamsatError
from giamsat.domain.formatting import short_date
from giamsat.settings import DEFAULT_CONFIG


def _config_path() -> Path:
    return Path(state.config or os.environ.get("GIAMSAT_CONFIG") or DEFAULT_CONFIG).resolve()


def run(step: str = typer.Argument(..., help="Bước (mã): notify (thông báo kế hoạch), collect (thu nhận "
                                              "báo cáo), remind (nhắc hạn), draw (chọn mẫu), visits "
                                              "(giám sát trực tiếp), followup (theo dõi kiến nghị), "
                                              "final_report (báo cáo kết quả), cycle (bảng tình hình)."),
        as_of: str = AS_OF) -> None:
    """Chạy ngay một bước của chu kỳ (như nút Run trên giao diện Prefect)."""
    from flows.deployments import STEP_FLOWS, load_flow
    from giamsat.cli.ui import step_result
    from giamsat.cli.ui.present import choice
    from giamsat.domain.vocabulary import label

    step = choice({key: label("step", key) for key in STEP_FLOWS}, step, "BƯỚC")
    day = parse_date(as_of)
    result = load_flow(step)(as_of=day, config=str(_config_path()))
    console.print(f"[bold]{label('step', step)}[/] — ngày {short_date(day)}: xong.")
    step_result.show(console, step, result)


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise GiamsatError(f"Máy chủ Prefect dừng khi khởi động (mã {proc.returncode}).")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise GiamsatError(f"Máy chủ Prefect không phản hồi sau {timeout:.0f} giây ({url}).")


def serve(host: str = typer.Option("127.0.0.1", help="Địa chỉ lắng nghe."),
          port: int = typer.Option(4200, help="Cổng của máy chủ Prefect."),
          web_port: int = typer.Option(8000, "--web-port",
                                       help="Cổng của trang web giamsat (0: không mở trang web)."),
          ) -> None:
    """Khởi động máy chủ Prefect cục bộ và phục vụ mọi bước theo lịch của kế hoạch."""
    from giamsat.plan.schema import load_plan

    plan = load_plan(_config_path())
    api = f"http://{host}:{port}/api"
    env = {**os.environ, "PREFECT_API_URL": api, "PREFECT_UI_API_URL": api,
           "PREFECT_SERVER_API_HOST": host, "PREFECT_SERVER_API_PORT": str(port)}
    log = Path(os.environ["PREFECT_HOME"]) / "server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", host,
                                 "--port", str(port)], env=env, stdout=out, stderr=out)
    try:
        _wait_healthy(api, proc)
        console.print(f"Giao diện Prefect: [bold]http://{host}:{port}[/]  (nhật ký máy chủ: {log})")
        # this process's Prefect and the dashboard's links to each step's runs use this server
        os.environ["PREFECT_API_URL"] = api
        os.environ.setdefault("PREFECT_UI_URL", f"http://{host}:{port}")
        if web_port:
            _start_web(host, web_port)
        _serve_deployments(plan, api)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _start_web(host: str, port: int) -> None:
    """The web app in a background thread of this process (it stops with ``serve``)."""
    import threading

    from giamsat.cli.common import runtime
    from giamsat.domain import clock
    from giamsat.web.server import serve as serve_web

    rt = runtime()
    threading.Thread(target=serve_web, args=(rt, host, port, clock.now), daemon=True,
                     name="giamsat-web").start()
    console.print(f"Trang web giamsat: [bold]http://{host}:{port}/[/]")


def _serve_deployments(plan, api: str) -> None:
    from prefect import serve as prefect_serve
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.deployments import build_deployments

    with temporary_settings(updates={PREFECT_API_URL: api}):
        deployments = build_deployments(plan, _config_path())
        console.print(f"Phục vụ {len(deployments)} bước: "
                      + ", ".join(d.name for d in deployments))
        prefect_serve(*deployments, pause_on_shutdown=False, print_starting_message=False)


def _shared_api() -> str:
    """The configured Prefect server's API; refuses the temporary server Prefect would start."""
    from prefect.settings import PREFECT_API_URL

    api = (PREFECT_API_URL.value() or "").rstrip("/")
    if not api:
        raise GiamsatError("Chưa đặt PREFECT_API_URL (ví dụ http://may-chu:4200/api): không biết "
                           "đăng ký lên máy chủ Prefect nào.")
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=10):
            return api
    except OSError as exc:
        reason = getattr(exc, "reason", exc)
        raise GiamsatError(f"Không kết nối được máy chủ Prefect {api}: {reason}.") from None


def deploy(work_pool: str = typer.Option(..., "--work-pool", metavar="TÊN",
                                         help="Work pool (kiểu process) mà các worker lấy việc."),
           ) -> None:
    """Đăng ký mọi bước (theo lịch của kế hoạch) và bước gửi thư lên máy chủ Prefect dùng chung."""
    from flows.deployments import ensure_process_pool, register_to_pool
    from giamsat.plan.schema import load_plan

    plan, api = load_plan(_config_path()), _shared_api()
    if ensure_process_pool(work_pool):
        console.print(f"Đã tạo work pool [bold]{work_pool}[/] (kiểu process).")
    for name, deployment_id in register_to_pool(plan, _config_path(), work_pool):
        console.print(f"  {name}  ({deployment_id})")
    console.print(f"Đã đăng ký lên {api}. Trên mỗi máy chạy: "
                  f"prefect worker start --pool {work_pool} --type process")


def register(app: typer.Typer) -> None:
    """Add ``serve``, ``deploy`` and ``run``."""
    app.command("serve")(serve)
    app.command("deploy")(deploy)
    app.command("run")(run)
