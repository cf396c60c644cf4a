"""The wiring of one process: settings, plan, calendar and database, loaded and validated once."""

from __future__ import annotations

from pathlib import Path

from giamsat.db import audit  # noqa: F401 - registers the append-only guard of the audit log
from giamsat.db.session import Database
from giamsat.domain.calendar import WorkingCalendar
from giamsat.plan.milestones import calendar_for
from giamsat.plan.schema import Plan, load_plan
from giamsat.settings import DeliverySettings, Settings, load_settings


class Runtime:
    """What every service needs; built at the boundary (CLI, flow) and passed in.

    A plain class, not a dataclass, on purpose: Prefect walks every dataclass and pydantic model
    given to a task to find upstream futures, and a national plan (10,600 units) made each task
    call spend ~0.65 s doing so. To Prefect a Runtime is one opaque value.
    """

    def __init__(self, settings: Settings, plan: Plan, plan_path: Path, calendar: WorkingCalendar,
                 db: Database, _cycle_id: int | None = None) -> None:
        self.settings, self.plan, self.plan_path = settings, plan, plan_path
        self.calendar, self.db, self._cycle_id = calendar, db, _cycle_id

    def __repr__(self) -> str:
        return f"Runtime(plan={self.plan.cycle_key!r}, home={str(self.settings.home)!r})"

    def replace(self, **changes: object) -> Runtime:
        """A copy with some attributes changed (shares the database engine)."""
        fields = {"settings": self.settings, "plan": self.plan, "plan_path": self.plan_path,
                  "calendar": self.calendar, "db": self.db, "_cycle_id": self._cycle_id}
        return Runtime(**(fields | changes))  # type: ignore[arg-type]

    @classmethod
    def load(cls, config: Path | None = None, **settings_overrides: object) -> Runtime:
        """Read settings and the plan, open the database (migrated to head); no cycle yet.

        The cycle is synced by ``giamsat.cycle.sync.open_cycle``, which stamps it with a moment.
        """
        from giamsat.db.migrate import ensure_current

        settings = load_settings(config=config, **settings_overrides)
        plan = load_plan(settings.config)
        settings.home.mkdir(parents=True, exist_ok=True)
        db = Database(settings.db_url)
        ensure_current(db.engine)
        return cls(settings, plan, settings.config, calendar_for(plan), db)

    @property
    def cycle_id(self) -> int:
        """The database id of this plan's cycle."""
        assert self._cycle_id is not None, "open the cycle first (giamsat.cycle.sync.open_cycle)"
        return self._cycle_id

    @property
    def home(self) -> Path:
        """The folder holding all state."""
        return self.settings.home

    @property
    def actor(self) -> str:
        """Who acts, for the audit log: --actor / GIAMSAT_ACTOR (the CLI falls back to the OS user)."""
        return self.settings.actor or "system"

    def delivery(self) -> DeliverySettings:
        """Resolved delivery settings."""
        return self.settings.delivery(self.plan)

    def path(self, *parts: str) -> Path:
        """A path under the home folder, its parent created."""
        p = self.home.joinpath(*parts)
        p.parent.mkdir(parents=True, exist_ok=True)
        return p
