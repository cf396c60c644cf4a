"""What every flow run repeats is done once: the migration scripts read once a process, an unchanged
plan hashed once, the documents' signature line computed once a publication — same results."""

from __future__ import annotations

import datetime as dt
import hashlib

from giamsat.cycle import overview, sync
from giamsat.cycle.sync import open_cycle, plan_digest
from giamsat.db import migrate
from giamsat.domain.textsafety import markdown_text
from giamsat.issuance.service import signature_line
from giamsat.notify.service import notify
from giamsat.plan.model import Plan
from tests.conftest import CONFIG, OPENED_AT


def _counting(monkeypatch, owner, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(owner, name, counted)
    return calls


def test_runs_of_one_process_read_the_migrations_once_and_hash_the_unchanged_plan_once(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'g.db'}"
    open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=url).db.dispose()  # migrated
    migrate.head_revision.cache_clear()
    monkeypatch.setattr(sync, "_LAST_DIGEST", [None, ""])
    scripts = _counting(monkeypatch, migrate.ScriptDirectory, "from_config")
    dumps = _counting(monkeypatch, Plan, "model_dump_json")
    runtimes = [open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=url) for _ in range(3)]
    try:
        assert len(scripts) == 1 and len(dumps) == 1
        plan = runtimes[0].plan
        assert runtimes[2].plan is plan
        assert plan_digest(plan) == hashlib.sha256(plan.model_dump_json().encode()).hexdigest()
        changed = plan.model_copy(update={"cycle_key": "vu-ban-2024-b"})
        assert plan_digest(changed) == hashlib.sha256(changed.model_dump_json().encode()).hexdigest() \
            != plan_digest(plan)
        assert migrate.head_revision() == migrate.ScriptDirectory.from_config(
            migrate.alembic_config("sqlite://")).get_current_head()
    finally:
        for rt in runtimes:
            rt.db.dispose()


def test_a_publication_computes_the_signature_line_once_and_the_timeline_is_unchanged(tmp_path, monkeypatch):
    import tasks.overview as publishing

    rt = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'g.db'}")
    day = dt.date(2024, 4, 3)
    try:
        notify(rt, dt.date(2024, 4, 1))  # drafts waiting: the line names them
        rows = overview.cycle_status(rt, day)
        line = signature_line(rt)
        assert "dự thảo" in line
        assert overview.timeline_markdown(rt, rows, day, line) == overview.timeline_markdown(rt, rows, day)
        published: dict[str, object] = {}
        monkeypatch.setattr(publishing, "create_table_artifact",
                            lambda key, table, description: published.update({key: (table, description)}))
        monkeypatch.setattr(publishing, "create_markdown_artifact",
                            lambda key, markdown, description: published.update({key: markdown}))
        here = _counting(monkeypatch, publishing, "signature_line")
        inside = _counting(monkeypatch, overview, "signature_line")
        publishing.publish_overview.fn(rt, day)
        assert (len(here), len(inside)) == (1, 0)
        rows = overview.cycle_status(rt, day)
        assert published["cycle-timeline"] == overview.timeline_markdown(rt, rows, day)
        _, description = published["cycle-status"]  # type: ignore[misc]
        assert description.endswith(" " + markdown_text(line))
    finally:
        rt.db.dispose()
