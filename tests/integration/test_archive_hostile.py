"""Hostile archives with a consistent manifest: refused with a clear message, leaving nothing behind.

Each case is generated here from a real export: rows or files are changed, then the manifest is
rewritten to match (as an attacker would), so only the import's own checks can stop it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tarfile

import pytest
from sqlalchemy import inspect

from giamsat.archive import service as archive
from giamsat.cycle.sync import open_cycle
from giamsat.db.session import Database
from giamsat.domain import clock
from giamsat.messaging import delivery
from giamsat.notify import service as notify
from tests.conftest import CONFIG, OPENED_AT

NOW = clock.at_office_hours(dt.date(2024, 4, 1))
ATTACKER = "ke.gian@ngoai.example"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A notified cycle (documents, sent messages, .eml copies) exported to a .tar.gz."""
    tmp = tmp_path_factory.mktemp("hostile")
    rt = open_cycle(CONFIG, OPENED_AT, home=tmp / "home", database_url=f"sqlite:///{tmp / 'nguon.db'}")
    notify.notify(rt, dt.date(2024, 4, 1))
    delivery.deliver(rt, NOW)
    path = archive.export_cycle(rt, tmp / "chu-ky.tar.gz", clock.at_office_hours(dt.date(2024, 12, 2))).path
    rt.db.dispose()
    return path


def _forge(src, dst, tables=None, add=None):
    """Copy an export, let ``tables(name, rows)`` alter the rows, add files, and re-sign the manifest."""
    with tarfile.open(src, "r:gz") as tin:
        members = {m.name: tin.extractfile(m).read() for m in tin if m.isfile()}
    manifest = json.loads(members.pop("manifest.json"))
    for name in [n for n in members if n.startswith("tables/")]:
        table = name.split("-", 1)[1].removesuffix(".json")
        rows = json.loads(members[name])
        if tables is not None:
            tables(table, rows)
        manifest["rows"][table] = len(rows)
        members[name] = json.dumps(rows, ensure_ascii=False).encode()
    members |= {name: data for name, data in (add or {}).items()}
    manifest["members"] = {n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                           for n, d in members.items()}
    members["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()
    with tarfile.open(dst, "w:gz") as tout:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tout.addfile(info, io.BytesIO(data))
    return dst


def _first(table_name, change):
    def alter(table, rows):
        if table == table_name:
            change(rows[0])
    return alter


def _pending_with(**values):
    return _first("messages", lambda m: m.update(status="pending", sent_at=None, **values))


def _attaching(path):
    return _pending_with(attachments=[{"path": path, "filename": "ke-hoach.docx",
                                       "content_type": "application/octet-stream"}])


CASES = {
    "a pending message attaching /etc/passwd": (
        dict(tables=_attaching("/etc/passwd")), "đường dẫn '/etc/passwd' nằm ngoài"),
    "an attachment climbing out of the home": (
        dict(tables=_attaching("@home/documents/../../../etc/passwd")), "nằm ngoài thư mục"),
    "a document row pointing into the inbox": (
        dict(tables=_first("documents", lambda d: d.update(path="@home/inbox/13741/bao-cao.docx")),
             add={"files/inbox/13741/bao-cao.docx": b"PK fake"}), "bảng documents, dòng 1"),
    "a planted Prefect profile": (
        dict(add={"files/prefect/profiles.toml": b'[profiles.x]\nPREFECT_API_URL = "http://evil"\n'}),
        "tệp prefect/profiles.toml không thuộc dòng dữ liệu nào"),
    "a file planted in the inbox": (
        dict(add={"files/inbox/13741/bao-cao.docx": b"PK fake"}),
        "tệp inbox/13741/bao-cao.docx không thuộc dòng dữ liệu nào"),
    "an impossible date": (
        dict(tables=_first("units", lambda u: u.update(valid_from="2024-02-30"))),
        "bảng units, dòng 1 (id 1), cột valid_from: ngày không hợp lệ: '2024-02-30'"),
    "an unknown column": (
        dict(tables=_first("units", lambda u: u.update(ghi_chu="x"))),
        "bảng units, dòng 1 (id 1): cột 'ghi_chu' không có trong lược đồ"),
    "text in an integer column": (
        dict(tables=_first("messages", lambda m: m.update(attempts="ba"))),
        "bảng messages, dòng 1 (id 1), cột attempts: phải là số nguyên, không phải 'ba'"),
    "a text longer than its column": (
        dict(tables=_first("units", lambda u: u.update(name="X" * 201))),
        "cột name: dài 201 ký tự, cột chỉ chứa 200"),
    "a datetime without its time zone": (
        dict(tables=_first("messages", lambda m: m.update(created_at="2024-04-01T08:00:00"))),
        "cột created_at: thời điểm thiếu múi giờ"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_archive_is_refused_and_leaves_no_rows_no_files_and_no_schema(
        case, exported, db_url, tmp_path):
    forge, expected = CASES[case]
    bad = _forge(exported, tmp_path / "xau.tar.gz", **forge)
    db, home = Database(db_url), tmp_path / "nha-moi"
    try:
        with pytest.raises(archive.ArchiveError) as refused:
            archive.import_archive(db, home, bad)
        assert expected in str(refused.value) and "không nhập gì" in str(refused.value)
        assert inspect(db.engine).get_table_names() == []
    finally:
        db.dispose()
    assert not home.exists() or [p for p in home.rglob("*")] == []


def test_a_pending_message_to_an_address_outside_the_plan_is_held_for_a_person(exported, db_url, tmp_path):
    forged = _forge(exported, tmp_path / "la.tar.gz", tables=_pending_with(to_addrs=[ATTACKER]))
    db, home = Database(db_url), tmp_path / "nha-moi"
    try:
        result = archive.import_archive(db, home, forged)
    finally:
        db.dispose()
    assert result.held == [1]
    rt = open_cycle(result.plan_path, OPENED_AT, home=home, database_url=db_url)
    try:
        held = next(m for m in delivery.list_messages(rt) if m.id == 1)
        assert held.status == "failed"
        assert f"người nhận '{ATTACKER}' không có trong kế hoạch" in held.last_error
        assert "giamsat outbox retry 1" in held.last_error
        assert delivery.deliver(rt, NOW).sent == 0
    finally:
        rt.db.dispose()


def test_a_pending_message_to_a_commune_of_the_plan_is_imported_pending(exported, db_url, tmp_path):
    forged = _forge(exported, tmp_path / "dung.tar.gz", tables=_pending_with())
    db, home = Database(db_url), tmp_path / "nha-moi"
    try:
        result = archive.import_archive(db, home, forged)
    finally:
        db.dispose()
    assert result.held == []
    rt = open_cycle(result.plan_path, OPENED_AT, home=home, database_url=db_url)
    try:
        assert delivery.counts(rt)["pending"] == 1
    finally:
        rt.db.dispose()


def test_the_import_command_names_the_bad_cell_in_vietnamese_without_a_traceback(exported, tmp_path):
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    bad = _forge(exported, tmp_path / "xau.tar.gz",
                 tables=_first("units", lambda u: u.update(valid_from="2024-02-30")))
    env = {**os.environ, "GIAMSAT_HOME": str(tmp_path / "nha-moi"), "COLUMNS": "250",
           "GIAMSAT_DATABASE_URL": f"sqlite:///{tmp_path / 'trong.db'}"}
    out = subprocess.run([sys.executable, "-m", "giamsat", "import", str(bad)], capture_output=True,
                         text=True, cwd=ROOT, env=env, timeout=120)
    assert out.returncode == 1 and "Traceback" not in out.stdout + out.stderr
    assert "bảng units, dòng 1 (id 1), cột valid_from: ngày không hợp lệ" in " ".join(out.stderr.split())
