"""Shared CLI state: the global --config and the lazily loaded Runtime."""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console

from giamsat.domain import clock

console = Console(highlight=False, soft_wrap=True)


@dataclass
class _State:
    config: str | None = None
    actor: str | None = None
    runtime: object | None = None


state = _State()


def runtime():
    """The Runtime for this invocation (settings, plan, migrated database, synced cycle)."""
    from giamsat.runtime import Runtime

    if state.runtime is None:
        state.runtime = Runtime.load(Path(state.config) if state.config else None, actor=actor())
    return state.runtime


def actor() -> str:
    """Who runs this command: ``--actor`` / GIAMSAT_ACTOR, else the operating-system user."""
    if state.actor and state.actor.strip():
        return state.actor.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (some containers)
        return "system"


def parse_date(value: str | None) -> dt.date:
    """A ``--as-of`` value (YYYY-MM-DD or DD/MM/YYYY); today in Vietnam when omitted."""
    if value is None:
        return clock.today()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise typer.BadParameter(f"ngày không hợp lệ: {value!r} (dạng YYYY-MM-DD hoặc DD/MM/YYYY)")


AS_OF = typer.Option(None, "--as-of", metavar="DATE",
                     help="Ngày làm việc được mô phỏng (YYYY-MM-DD); mặc định hôm nay.")
