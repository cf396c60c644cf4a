"""One limit per field: what validation lets through always fits the column that stores it.

The longest values validation allows (read from the SQLAlchemy columns) go through intake on
PostgreSQL, which refuses longer text; one character more is a Vietnamese refusal on both
databases, never a crash with the SQL in English.
"""

from __future__ import annotations

import io
import os
import uuid

import pytest
import sqlalchemy as sa
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from giamsat.collect.intake import text_limits
from giamsat.collect.service import submit
from giamsat.cycle.sync import open_cycle
from giamsat.db.models import PovertyModel, Recommendation
from tests.conftest import CONFIG, OPENED_AT
from tests.fixtures.collect import at

WHEN = at("2024-04-02", 10)
LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
LABELS = {"A.name": "Tên mô hình", "A.village": "Thôn/xóm/TDP", "A.model_type": "Loại mô hình",
          "A.host_org": "Đơn vị chủ trì", "E.addressed_to": "Cơ quan, đơn vị được kiến nghị"}


@pytest.fixture(scope="module")
def filled(plan, tmp_path_factory) -> bytes:
    from giamsat.demo.synthetic import fill_outline
    from giamsat.notify.outline import render_outline

    folder = tmp_path_factory.mktemp("limits")
    unit = plan.units[0]
    blank = render_outline(plan, unit, folder / "blank.docx", plan.cycle_key)
    fill_outline(blank, folder / "filled.docx", seed=31, villages=unit.villages)
    return (folder / "filled.docx").read_bytes()


@pytest.fixture(scope="module")
def pg_runtime(postgres_admin_url, tmp_path_factory):
    """A runtime on a PostgreSQL database of its own, for every example of the property."""
    name = f"giamsat_t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = postgres_admin_url.rsplit("/", 1)[0] + f"/{name}"
    rt = open_cycle(CONFIG, OPENED_AT, home=tmp_path_factory.mktemp("home"), database_url=url)
    yield rt
    rt.db.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _with_cells(data: bytes, values: dict[str, str]) -> bytes:
    """The form with the first data row's cells (by ``"A.name"`` key) set to ``values``."""
    doc = Document(io.BytesIO(data))
    for key, value in values.items():
        label = LABELS[key]
        table = next(t for t in doc.tables if label in [c.text for c in t.rows[0].cells])
        idx = [c.text for c in table.rows[0].cells].index(label)
        table.rows[1].cells[idx].text = value
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_validation_bounds_every_stored_text_to_its_column():
    assert text_limits() == {"A.name": 500, "A.village": 200, "A.model_type": 100, "A.host_org": 300,
                             "E.addressed_to": 300}
    assert PovertyModel.__table__.c.model_type.type.length == text_limits()["A.model_type"]
    assert Recommendation.__table__.c.addressed_to.type.length == text_limits()["E.addressed_to"]


@settings(max_examples=int(os.environ.get("GIAMSAT_FUZZ_EXAMPLES", "8")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.text(alphabet=LETTERS, min_size=1, max_size=40))
def test_the_longest_allowed_values_are_taken_in_on_postgresql(pg_runtime, filled, tmp_path, seed):
    values = {key: (seed * (limit // len(seed) + 1))[:limit] for key, limit in text_limits().items()}
    path = tmp_path / f"{uuid.uuid4().hex}.docx"
    path.write_bytes(_with_cells(filled, values))

    outcome = submit(pg_runtime, path, WHEN)

    assert outcome.status in ("accepted", "duplicate"), outcome.errors
    with pg_runtime.db.unit_of_work() as s:
        model = s.scalars(select(PovertyModel).where(
            PovertyModel.submission_id == outcome.submission_id, PovertyModel.row_index == 1)).one()
        assert (model.name, model.model_type) == (values["A.name"], values["A.model_type"])


@pytest.mark.parametrize("key", ["A.model_type", "A.village", "E.addressed_to"])
def test_one_character_more_is_refused_in_vietnamese_on_both_databases(runtime, filled, tmp_path, key):
    limit = text_limits()[key]
    path = tmp_path / "long.docx"
    path.write_bytes(_with_cells(filled, {key: "ô" * (limit + 1)}))

    outcome = submit(runtime, path, WHEN)

    assert outcome.status == "rejected"
    assert any(f"cột '{LABELS[key]}'" in e and f"tối đa {limit} ký tự" in e for e in outcome.errors)
