"""``giamsat web``: the web app, its coordinator accounts and the communes' links."""

from __future__ import annotations

import getpass
import sys

import typer
from rich.markup import escape

from giamsat.cli.common import actor, console, parse_date, reading_runtime, runtime
from giamsat.domain import clock
from giamsat.domain.errors import GiamsatError

web_app = typer.Typer(help="Trang web: bảng điều phối và trang riêng của từng xã, thị trấn.",
                      invoke_without_command=True)
user_app = typer.Typer(help="Tài khoản điều phối viên.", no_args_is_help=True)
link_app = typer.Typer(help="Đường dẫn riêng của từng xã, thị trấn.", no_args_is_help=True)


@web_app.callback()
def web(ctx: typer.Context,
        host: str = typer.Option("127.0.0.1", "--host", help="Địa chỉ lắng nghe."),
        port: int = typer.Option(8000, "--port", help="Cổng của trang web."),
        as_of: str = typer.Option(None, "--as-of", metavar="DATE",
                                  help="Ngày được mô phỏng (YYYY-MM-DD), ví dụ cho bản chạy thử.")) -> None:
    """Khởi động trang web (khi không kèm lệnh con)."""
    if ctx.invoked_subcommand is not None:
        return
    from giamsat.web.server import serve

    rt = reading_runtime()  # a page on a home with no cycle would only show every step overdue
    day = parse_date(as_of) if as_of else None
    now = (lambda: clock.at_office_hours(day, 10)) if day else clock.now
    console.print(f"Trang web: [bold]http://{host}:{port}/[/] (đăng nhập tại /dang-nhap)")
    serve(rt, host, port, now)


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Mật khẩu: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != first:
            raise GiamsatError("Hai lần nhập mật khẩu không khớp.")
        return first
    return sys.stdin.readline().rstrip("\r\n")


@user_app.command("add")
def user_add(name: str = typer.Argument(..., metavar="NAME", help="Tên đăng nhập.")) -> None:
    """Tạo tài khoản (hoặc đặt lại mật khẩu); mật khẩu đọc từ bàn phím hoặc đầu vào chuẩn."""
    from giamsat.web.accounts import add_user

    add_user(runtime(), name, _read_password(), actor(), clock.now())
    console.print(f"Đã lưu tài khoản [bold]{escape(name.strip().lower())}[/].")


def _show_link(unit_name: str, token: str) -> None:
    from giamsat.links.service import url_for

    url = url_for(runtime(), token) or f"(đặt GIAMSAT_WEB_URL)/xa/{token}"
    console.print(f"Đường dẫn mới của {escape(unit_name)}: {url}")


@link_app.command("new")
def link_new(code: str = typer.Argument(..., metavar="CODE", help="Mã đơn vị (5 chữ số).")) -> None:
    """Thu hồi đường dẫn hiện tại của đơn vị và cấp đường dẫn mới."""
    from giamsat.links.service import renew

    _show_link(*renew(runtime(), code, actor(), clock.now()))


@link_app.command("revoke")
def link_revoke(code: str = typer.Argument(..., metavar="CODE", help="Mã đơn vị (5 chữ số).")) -> None:
    """Thu hồi đường dẫn của đơn vị (mở ra sẽ báo không tìm thấy)."""
    from giamsat.links.service import revoke

    console.print(f"Đã thu hồi đường dẫn của {escape(revoke(runtime(), code, actor(), clock.now()))}.")


def register(app: typer.Typer) -> None:
    """Add ``web`` with its ``user`` and ``link`` groups."""
    web_app.add_typer(user_app, name="user")
    web_app.add_typer(link_app, name="link")
    app.add_typer(web_app, name="web")
