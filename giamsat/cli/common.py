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


def runtime(now: dt.datetime | None = None):
    """The Runtime for this invocation (settings, plan, migrated database, synced cycle).

    ``now`` (default: the real clock) stamps the cycle when this command creates or changes it.
    """
    from giamsat.cycle.sync import open_cycle

    if state.runtime is None:
        if not state.config:  # a home run with a plan file of its own (the demo's signing copy)
            from giamsat.db.migrate import recorded_plan
            from giamsat.settings import load_settings

            settings = load_settings(config=None)
            state.config = recorded_plan(settings.db_url, settings.home)
        state.runtime = open_cycle(Path(state.config) if state.config else None,
                                   now or clock.now(), actor=actor())
    return state.runtime


def reading_runtime():
    """The Runtime for a command that only reads: refuses, in Vietnamese, when there is no database.

    ``runtime()`` would create and migrate an empty database (and the home folder) and then show
    every step overdue; a reading command says where it looked and how to make one instead.
    """
    if state.runtime is None:
        from giamsat.db.migrate import database_exists
        from giamsat.db.session import safe_url
        from giamsat.settings import load_settings

        settings = load_settings(config=Path(state.config) if state.config else None)
        if not database_exists(settings.db_url):
            from giamsat.cli.ui.present import no_database

            no_database(safe_url(settings.db_url), settings.home)
    return runtime()



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


def moment_of(as_of: str | None, hour: int = 8) -> dt.datetime:
    """When a command acts: now, or ``hour`` o'clock of the ``--as-of`` day (as the step flows do)."""
    return clock.now() if as_of is None else clock.at_office_hours(parse_date(as_of), hour)


AS_OF = typer.Option(None, "--as-of", metavar="DATE",
                     help="Ngày làm việc được mô phỏng (YYYY-MM-DD); mặc định hôm nay.")
