"""The cycle overview flow publishes the step table and timeline under stable artifact keys."""

import datetime as dt

import pytest
from prefect.client.orchestration import get_client

from flows.cycle import cycle_overview
from tests.conftest import CONFIG

pytestmark = pytest.mark.prefect


async def _latest(key):
    async with get_client() as client:
        return [a for a in await client.read_latest_artifacts() if a.key == key]


def test_the_overview_publishes_cycle_status_and_timeline(prefect_harness, tmp_path, monkeypatch):
    import asyncio

    monkeypatch.setenv("GIAMSAT_HOME", str(tmp_path))
    rows = cycle_overview(as_of=dt.date(2024, 4, 8), config=str(CONFIG))
    by_step = {r["step"]: r for r in rows}
    assert by_step["notify"]["status"].startswith("overdue")  # nothing was sent in this test
    assert by_step["draw"]["status"].startswith("not_started")
    status = asyncio.run(_latest("cycle-status"))
    timeline = asyncio.run(_latest("cycle-timeline"))
    import json

    table = json.loads(status[0].data)
    assert list(table[0]) == ["Bước", "Hạn", "Tình trạng", "Đang chờ"]  # four columns fit 1366 px
    assert [r["Tình trạng"] for r in table][0] == "Quá hạn"  # the most urgent first
    assert any(r["Bước"].startswith("Thu nhận báo cáo") for r in table)
    assert timeline and "QUÁ HẠN" in timeline[0].data
    assert "- [" not in timeline[0].data  # no checkbox list: Prefect would show its markup raw
