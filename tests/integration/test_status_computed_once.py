"""The per-unit report status is rebuilt only when a report or the day's standing changed, and the
``report-status`` artifact is published again only when its table changed."""

import asyncio
import datetime as dt
import json

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from giamsat.collect.service import submit
from giamsat.cycle import reports
from giamsat.cycle.reports import report_status_rows
from tests.conftest import CONFIG
from tests.fixtures.collect import at


class Counted:
    """``giamsat.cycle.reports._rows`` (the per-unit rows read from the database), counted."""

    def __init__(self, monkeypatch) -> None:
        self.calls = 0
        self._rows = reports._rows
        monkeypatch.setattr(reports, "_rows", self)

    def __call__(self, *args):
        self.calls += 1
        return self._rows(*args)

    def rows_read(self) -> int:
        """How many times the rows were read."""
        return self.calls


def test_the_status_rows_are_read_again_only_when_a_report_or_the_deadline_changed_them(runtime, forms,
                                                                                    monkeypatch):
    u, deadline = runtime.plan.units, runtime.plan.report.deadline
    sql = Counted(monkeypatch)
    before = report_status_rows(runtime, dt.date(2024, 4, 2))
    assert sql.rows_read() == 1 and {r["status"] for r in before} == {"pending"}
    again = report_status_rows(runtime, dt.date(2024, 4, 3))  # another day, nothing changed
    assert sql.rows_read() == 1 and again == before
    again[0]["status"] = "changed by a caller"  # callers get their own copies
    assert report_status_rows(runtime, dt.date(2024, 4, 3))[0]["status"] == "pending"

    submit(runtime, forms(u[0], seed=1)[0], at("2024-04-03"))
    after = {r["unit_code"]: r for r in report_status_rows(runtime, dt.date(2024, 4, 3))}
    assert sql.rows_read() == 2 and after[u[0].code]["status"] == "on_time"
    # the same report seen from the day before it arrived: not there yet
    assert report_status_rows(runtime, dt.date(2024, 4, 2)) == before and sql.rows_read() == 3

    submit(runtime, forms(u[1], seed=2, fault="rate")[0], at("2024-04-04"))  # returned ...
    returned = {r["unit_code"]: r for r in report_status_rows(runtime, dt.date(2024, 4, 4))}
    assert returned[u[1].code]["status"] == "rejected" and returned[u[1].code]["open_errors"] == 1
    submit(runtime, forms(u[1], seed=2)[0], at("2024-04-05"))  # ... and corrected
    fixed = {r["unit_code"]: r for r in report_status_rows(runtime, dt.date(2024, 4, 5))}
    assert fixed[u[1].code]["status"] == "on_time" and fixed[u[1].code]["corrected"]

    missing_after = deadline + dt.timedelta(days=1)  # the deadline passing changes rows, no report does
    rows = {r["unit_code"]: r for r in report_status_rows(runtime, missing_after)}
    assert rows[u[2].code]["status"] == "missing" and rows[u[0].code]["status"] == "on_time"



async def _report_status_versions() -> list:
    async with get_client() as client:
        return await client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["report-status"])))


@pytest.mark.prefect
def test_a_run_that_changed_no_report_does_not_publish_the_commune_table_again(
        prefect_harness, tmp_path, forms, plan, monkeypatch):
    from flows.collect import collect_flow
    from flows.cycle import cycle_overview

    home = tmp_path / "home"
    (home / "inbox").mkdir(parents=True)
    monkeypatch.setenv("GIAMSAT_HOME", str(home))
    monkeypatch.delenv("GIAMSAT_DATABASE_URL", raising=False)
    start = len(asyncio.run(_report_status_versions()))
    cycle_overview(as_of=dt.date(2024, 4, 2), config=str(CONFIG))
    cycle_overview(as_of=dt.date(2024, 4, 3), config=str(CONFIG))  # nothing changed: not again
    published = asyncio.run(_report_status_versions())
    assert len(published) == start + 1

    good, _ = forms(plan.units[0], seed=1)
    (home / "inbox" / "gôi.docx").write_bytes(good.read_bytes())
    collect_flow(as_of=dt.date(2024, 4, 3), config=str(CONFIG))  # a report came in: published
    latest = asyncio.run(_report_status_versions())
    assert len(latest) == start + 2
    newest = max(latest, key=lambda a: a.created)
    assert "1/18 đã nhận" in newest.description
    assert any(r.get("Tình trạng") for r in json.loads(newest.data))
