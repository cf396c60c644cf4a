"""Prefect renders artifact markdown and table cells as markdown: plan texts must arrive inert."""

import asyncio
import datetime as dt
import json

import pytest
from prefect.client.orchestration import get_client

from flows.cycle import cycle_overview
from tests.fixtures.hostile import HOSTILE

pytestmark = pytest.mark.prefect


async def _latest(keys):
    async with get_client() as client:
        return {a.key: a for a in await client.read_latest_artifacts() if a.key in keys}


def _inert(text: str) -> None:
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "[bấm](http" not in text and "\\[bấm\\]\\(http" in text
    assert "| =1" not in text


def test_hostile_plan_texts_are_escaped_in_every_published_artifact(prefect_harness, hostile_config, tmp_path,
                                                                    monkeypatch):
    import yaml

    data = yaml.safe_load(hostile_config.read_text(encoding="utf-8"))
    data["issuer"]["name"] = f"Vụ Bản {HOSTILE}"
    hostile_config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("GIAMSAT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("GIAMSAT_DATABASE_URL", raising=False)
    cycle_overview(as_of=dt.date(2024, 4, 8), config=str(hostile_config))
    found = asyncio.run(_latest({"cycle-timeline", "report-status"}))
    _inert(found["cycle-timeline"].data)
    table = found["report-status"].data
    names = [row["Đơn vị"] for row in (json.loads(table) if isinstance(table, str) else table)]
    assert len(names) == 18
    for name in names:
        _inert(name)
