"""Export / import of a cycle: a small cycle on both databases, corrupted and hostile archives."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from giamsat.archive import service as archive
from giamsat.cycle.sync import open_cycle
from giamsat.db.models import Base, Document, Recommendation
from giamsat.db.session import Database
from giamsat.domain import clock
from giamsat.followup import service as followup
from giamsat.messaging import delivery as outbox
from giamsat.notify import service as notify
from tests.conftest import CONFIG, OPENED_AT

NOW = clock.at_office_hours(dt.date(2024, 4, 1))


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A notified cycle (documents, messages, .eml files, a recommendation) exported to a .tar.gz."""
    tmp_path = tmp_path_factory.mktemp("export")
    src = tmp_path / "source"
    rt = open_cycle(CONFIG, OPENED_AT, home=src / "home", database_url=f"sqlite:///{src / 'giamsat.db'}")
    notify.notify(rt, dt.date(2024, 4, 1))
    outbox.deliver(rt, NOW)
    followup.add(rt, "Bổ sung hồ sơ", "UBND xã Đại An", None, None, None, "tran.lan", NOW)
    result = archive.export_cycle(rt, tmp_path / "chu-ky.tar.gz", clock.at_office_hours(dt.date(2024, 12, 2)))
    yield rt, result
    rt.db.dispose()


def _counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {t.name: conn.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def _rewrite(src, dst, change):
    """Copy a .tar.gz member by member, letting ``change`` alter (or drop, with None) each one."""
    with tarfile.open(src, "r:gz") as tin, tarfile.open(dst, "w:gz") as tout:
        for m in tin:
            data = change(m.name, tin.extractfile(m).read())
            if data is not None:
                m.size = len(data)
                tout.addfile(m, io.BytesIO(data))
    return dst


def test_a_cycle_round_trips_into_an_empty_database_and_a_new_home(exported, db_url, tmp_path):
    rt, result = exported
    assert result.files > 0 and not result.missing
    home = tmp_path / "new-home"
    db = Database(db_url)
    done = archive.import_archive(db, home, result.path)
    assert done.rows == result.rows and _counts(db) == _counts(rt.db)
    with db.engine.connect() as conn:
        docs = conn.execute(select(Document.path, Document.sha256)).all()
    assert docs and all(path.startswith(str(home.resolve())) for path, _ in docs)
    assert all(hashlib.sha256(Path(p).read_bytes()).hexdigest() == sha for p, sha in docs)
    assert len(list((home / "outbox").glob("*.eml"))) == len(list((rt.home / "outbox").glob("*.eml")))
    db.dispose()
    # ids continue after the restored ones
    restored = open_cycle(CONFIG, OPENED_AT, home=home, database_url=db_url)
    rec = followup.add(restored, "Kiến nghị mới", "UBND xã", None, None, None, "tran.lan", NOW)
    assert rec.id == result.rows["recommendations"] + 1
    restored.db.dispose()


def test_an_import_into_a_database_holding_data_is_refused(exported, tmp_path):
    rt, result = exported
    before = _counts(rt.db)
    with pytest.raises(archive.ArchiveError, match="đã có dữ liệu"):
        archive.import_archive(rt.db, tmp_path / "other-home", result.path)
    assert _counts(rt.db) == before and not list((tmp_path / "other-home").rglob("*.docx"))


def test_an_archive_with_one_file_changed_is_refused_and_nothing_is_written(exported, tmp_path):
    _, result = exported
    def change(name, data):
        return data + b"x" if name.startswith("files/documents/") and name.endswith(".docx") else data

    bad = _rewrite(result.path, tmp_path / "bad.tar.gz", change)
    db, home = Database(f"sqlite:///{tmp_path / 'empty.db'}"), tmp_path / "empty-home"
    with pytest.raises(archive.ArchiveError, match="SHA-256 không khớp"):
        archive.import_archive(db, home, bad)
    assert sum(_counts_if_any(db).values()) == 0 and [p for p in home.rglob("*") if p.is_file()] == []


def test_a_failure_while_moving_files_in_leaves_no_rows_and_no_files(exported, tmp_path, monkeypatch):
    _, result = exported
    import os

    calls, real = [], os.replace
    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr("giamsat.archive.restore.os.replace", replace)
    db, home = Database(f"sqlite:///{tmp_path / 'empty.db'}"), tmp_path / "empty-home"
    with pytest.raises(archive.ArchiveError, match="không nhập gì"):
        archive.import_archive(db, home, result.path)
    assert len(calls) == 3 and _counts_if_any(db) == {}  # not even the schema it created
    assert [p for p in home.rglob("*") if p.is_file()] == []


def _counts_if_any(db: Database) -> dict[str, int]:
    from sqlalchemy import inspect

    return _counts(db) if inspect(db.engine).get_table_names() else {}


def test_an_archive_whose_rows_were_altered_is_refused(exported, tmp_path):
    _, result = exported
    def change(name, data):
        return data.replace(b"tran.lan", b"ai.do") if name.startswith("tables/") else data

    bad = _rewrite(result.path, tmp_path / "rows.tar.gz", change)
    with pytest.raises(archive.ArchiveError, match="SHA-256 không khớp"):
        archive.import_archive(Database(f"sqlite:///{tmp_path / 'e.db'}"), tmp_path / "h", bad)


def _hostile(path, name: str, kind: bytes = tarfile.REGTYPE, size: int = 3, link: str = ""):
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo(name)
        info.type, info.linkname, info.size = kind, link, size if kind == tarfile.REGTYPE else 0
        tar.addfile(info, io.BytesIO(b"x" * size) if kind == tarfile.REGTYPE else None)
    return path


@pytest.mark.parametrize(("name", "kind", "link", "message"), [
    ("files/../../escaped.txt", tarfile.REGTYPE, "", "thoát ra ngoài"),
    ("/tmp/absolute.txt", tarfile.REGTYPE, "", "không hợp lệ"),
    ("files/link", tarfile.SYMTYPE, "/etc/passwd", "liên kết"),
    ("files/hard", tarfile.LNKTYPE, "manifest.json", "liên kết"),
    ("other/x.txt", tarfile.REGTYPE, "", "mục lạ"),
])
def test_hostile_archives_are_refused_before_anything_is_written(tmp_path, name, kind, link, message):
    bad = _hostile(tmp_path / "hostile.tar.gz", name, kind, link=link)
    home = tmp_path / "home"
    with pytest.raises(archive.ArchiveError, match=message):
        archive.import_archive(Database(f"sqlite:///{tmp_path / 'e.db'}"), home, bad)
    assert not (tmp_path / "escaped.txt").exists() and [p for p in home.rglob("*") if p.is_file()] == []


def test_an_archive_larger_than_the_limit_once_unpacked_is_refused(tmp_path):
    big = _hostile(tmp_path / "big.tar.gz", "files/zeros.bin", size=3 << 20)
    with pytest.raises(archive.ArchiveError, match="quá lớn"):
        archive.import_archive(Database(f"sqlite:///{tmp_path / 'e.db'}"), tmp_path / "home", big, max_mb=2)


def test_the_manifest_keeps_types_and_paths_portable(exported, tmp_path):
    rt, result = exported
    with tarfile.open(result.path, "r:gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = tar.getnames()
        def rows(table):
            return json.loads(tar.extractfile(next(n for n in names if n.endswith(f"-{table}.json"))).read())

        docs, recs = rows("documents"), rows("recommendations")
    assert manifest["cycle_key"] == rt.plan.cycle_key and manifest["rows"]["documents"] == len(docs)
    assert all(d["path"].startswith("@home/documents/") for d in docs)
    assert all(f"files/{d['path'][len('@home/'):]}" in manifest["members"] for d in docs)
    assert recs[0]["created_at"] == "2024-04-01T01:00:00+00:00" and recs[0]["due_on"] >= "2024-04-01"
    with rt.db.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(Recommendation)) == len(recs)
