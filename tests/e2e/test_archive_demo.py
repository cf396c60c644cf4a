"""The demo's cycle exported and imported into an empty database and a new home: nothing lost."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from giamsat.archive.rows import PATH_COLUMNS
from giamsat.db.models import Base, Document
from giamsat.db.session import Database
from tests.conftest import CONFIG
from tests.integration.test_cli_foundation import run

pytestmark = pytest.mark.prefect


def env(home: Path, db_url: str = "") -> dict[str, str]:
    return {"GIAMSAT_HOME": str(home), "GIAMSAT_DATABASE_URL": db_url, "GIAMSAT_CONFIG": str(CONFIG),
            "GIAMSAT_CHANNEL": "file", "GIAMSAT_ACTOR": "kiem.tra"}


@pytest.fixture(scope="module")
def demo_archive(demo_run, tmp_path_factory):
    """The demo's home and its export."""
    home = (demo_run[0] / "home").resolve()
    out = tmp_path_factory.mktemp("export") / "vu-ban-2024.tar.gz"
    done = run("export", str(out), env=env(home))
    assert done.returncode == 0, done.stderr
    assert "Đã xuất chu kỳ vu-ban-2024" in done.stdout and "Thiếu tệp" not in done.stdout
    return home, out


def _rows(url: str, old_home: Path | None = None, new_home: Path | None = None) -> dict[str, list[dict]]:
    """Every row of every table; paths under ``old_home`` written as under ``new_home``."""
    db, out = Database(url), {}
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = [dict(r._mapping) for r in conn.execute(select(table).order_by(table.c.id))]
            for row in rows if old_home else []:
                for col in PATH_COLUMNS.get(table.name, ()):
                    if row[col]:
                        row[col] = row[col].replace(str(old_home), str(new_home))
                if table.name == "messages":
                    row["attachments"] = [a | {"path": a["path"].replace(str(old_home), str(new_home))}
                                          for a in row["attachments"]]
            out[table.name] = rows
    db.dispose()
    return out


def test_the_demo_round_trips_through_an_archive(demo_archive, db_url, tmp_path):
    source_home, archive = demo_archive
    home = tmp_path / "restored-home"
    done = run("import", str(archive), env=env(home, db_url))
    assert done.returncode == 0, done.stderr
    source = _rows(f"sqlite:///{source_home / 'giamsat.db'}", source_home, home.resolve())
    restored = _rows(db_url)
    for table, rows in source.items():
        assert restored[table] == rows, table
    assert len(source["messages"]) > 100 and len(source["audit_log"]) > 100
    with Database(db_url).engine.connect() as conn:
        docs = conn.execute(select(Document.path, Document.sha256)).all()
    assert all(hashlib.sha256(Path(p).read_bytes()).hexdigest() == sha for p, sha in docs)
    copied = [p for p in home.rglob("*") if p.is_file() and p.parts[len(home.parts)] not in ("plan",)
              and not p.name.startswith("giamsat.db")]
    assert len(copied) > len(docs)
    for path in copied:
        original = source_home / path.relative_to(home)
        assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(original.read_bytes()).digest()
    for args in (("status", "--as-of", "2024-11-30"), ("status", "--as-of", "2024-06-18", "--json"),
                 ("audit", "--verify", "--json")):
        before, after = run(*args, env=env(source_home)), run(*args, env=env(home, db_url))
        assert before.returncode == after.returncode == 0, after.stderr
        assert before.stdout == after.stdout
    assert json.loads(after.stdout)["ok"] is True


def test_a_second_import_is_refused_and_changes_nothing(demo_archive, tmp_path):
    _, archive = demo_archive
    home, url = tmp_path / "h", f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert run("import", str(archive), env=env(home, url)).returncode == 0
    before = _rows(url)
    again = run("import", str(archive), env=env(home, url))
    assert again.returncode == 1 and "chỉ nhập vào một cơ sở dữ liệu trống" in again.stderr
    assert "Traceback" not in again.stderr and _rows(url) == before
