"""``giamsat demo``: run the cycle of the plan end to end on a simulated clock (synthetic data)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from giamsat.cli.common import console, state

DEFAULT_OUT = Path("var/demo")


def demo(out: Path = typer.Option(DEFAULT_OUT, "--out", help="Thư mục kết quả của bản chạy thử."),
         ) -> None:
    """Chạy thử toàn bộ chu kỳ (dữ liệu tổng hợp) và ghi manifest.json."""
    from giamsat.demo import run_demo

    result = run_demo(out, Path(state.config) if state.config else None, console)
    manifest = out / "manifest.json"
    manifest.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    console.print(f"\nManifest: {manifest}")


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command."""
    app.command("demo")(demo)
