"""The ``giamsat`` command: the only place that turns errors into messages and exit codes."""

from __future__ import annotations

import gc
import importlib
import sys

import typer
from rich.console import Console
from rich.markup import escape

from giamsat.cli.ui import click_vi
from giamsat.domain.errors import GiamsatError, PlanError

click_vi.install()  # Typer's help and usage errors in Vietnamese, for main() and CliRunner alike

app = typer.Typer(
    help="giamsat — giám sát, đánh giá Chương trình MTQG giảm nghèo bền vững cấp huyện, tỉnh và xã.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err = Console(stderr=True, soft_wrap=True, highlight=False)

# Each module adds its commands with register(app); one line per step of the cycle.
_COMMAND_MODULES = [
    "giamsat.cli.plan",
    "giamsat.cli.demo",
    "giamsat.cli.orchestrate",
    "giamsat.cli.draw",
    "giamsat.cli.visits",
    "giamsat.cli.followup",
    "giamsat.cli.final_report",
    "giamsat.cli.collect",
    "giamsat.cli.notify",
    "giamsat.cli.data",
    "giamsat.cli.doc",
    "giamsat.cli.web",
]


@app.callback()
def _global(
    config: str = typer.Option(
        None, "--config", envvar="GIAMSAT_CONFIG", metavar="PATH",
        help="Tệp kế hoạch YAML (mặc định config/vu-ban-2024.yaml).",
    ),
    actor: str = typer.Option(
        None, "--actor", envvar="GIAMSAT_ACTOR", metavar="NAME",
        help="Người thực hiện, ghi vào nhật ký kiểm tra (mặc định: tên người dùng hệ điều hành).",
    ),
) -> None:
    """Global options, read before any command."""
    from giamsat.cli import common

    common.state.config = config
    common.state.actor = actor


for _name in _COMMAND_MODULES:
    importlib.import_module(_name).register(app)


# The collector's oldest generation is walked after this many younger collections (CPython: 10).
# A long command (a province's or the country's cycle, ``serve``) keeps hundreds of thousands of
# objects alive — the plan's units, caches, Prefect's client — and each full walk of them cost
# ~0.4 s: 71 walks, 31 s of a national demo. At 100: 23 walks, the same peak memory.
FULL_COLLECTION_EVERY = 100


def tune_gc() -> None:
    """Full garbage collections less often in this process (``FULL_COLLECTION_EVERY``)."""
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)


def main() -> None:
    """Console-script entry point."""
    from giamsat import prefect_env

    tune_gc()
    prefect_env.configure(create=False)  # a reading command must not create a home
    try:
        app(prog_name="giamsat")
    except PlanError as exc:  # messages quote user data: '[/x]' must print, not be rich markup
        err.print(f"[bold red]Lỗi:[/] {escape(str(exc))}", highlight=False)
        sys.exit(2)
    except GiamsatError as exc:
        err.print(f"[bold red]Lỗi:[/] {escape(str(exc))}", highlight=False)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("Đã dừng.")
        sys.exit(130)
