"""The demo: a fresh home under the output folder, the plan's dates walked on a simulated clock.

Every figure the demo produces is synthetic and labelled so. Steps are wired in as they land.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from rich.console import Console
from rich.table import Table

from giamsat.runtime import Runtime
from giamsat.schedule import milestones


def run_demo(out: Path, config: Path | None, console: Console) -> dict:
    """Run the cycle into ``out`` (wiped first) and return the manifest."""
    if out.exists():
        shutil.rmtree(out)
    home = out / "home"
    rt = Runtime.load(config, home=home, database_url=f"sqlite:///{(home / 'giamsat.db').resolve()}")
    console.print(f"[bold]giamsat demo[/] — {rt.plan.cycle_key}: {rt.plan.synthetic_notice}")
    table = Table(title="Các bước của chu kỳ")
    for col in ("Bước", "Bắt đầu", "Hạn"):
        table.add_column(col)
    for m in milestones(rt.plan, rt.calendar):
        table.add_row(m.title, f"{m.starts_on:%d/%m/%Y}", f"{m.due_on:%d/%m/%Y}")
    console.print(table)
    outputs = [{"kind": "db", "path": str(home / "giamsat.db")}]
    rt.db.dispose()
    return {"cycle": rt.plan.cycle_key, "synthetic": True, "outputs": outputs}
