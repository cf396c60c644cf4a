"""Export a whole cycle (every row, every stored file) to one .tar.gz, and restore it elsewhere.

Layout of the archive: ``tables/NN-<table>.json`` (rows in primary-key order), ``files/<path
under the home>``, ``plan/<plan file>``, and ``manifest.json`` last, with the SHA-256 and size
of every other member. Import refuses anything that does not match the manifest, writes nothing
to a database that holds data, and is all or nothing: rows in one transaction, files staged in
the new home and moved into place only inside that transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tarfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from giamsat.archive import checks, restore
from giamsat.archive import rows as rows_
from giamsat.archive.checks import ArchiveError
from giamsat.db.migrate import head_revision
from giamsat.db.session import Database
from giamsat.files import safetar
from giamsat.runtime import Runtime

FORMAT, VERSION = "giamsat-export", 1
MEMBERS = ("manifest.json", "tables/", "files/", "plan/")
DEFAULT_MAX_MB = 4096


@dataclass
class ExportResult:
    """What went into the archive."""

    path: Path
    rows: dict[str, int]
    files: int
    missing: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    """What was restored."""

    cycle_key: str
    rows: dict[str, int]
    files: int
    plan_path: Path | None
    held: list[int] = field(default_factory=list)


def export_cycle(rt: Runtime, out: Path, now: dt.datetime) -> ExportResult:
    """Write every row of the runtime's cycle and every file they name to ``out`` (.tar.gz), as of ``now``."""
    out = Path(out)
    if not out.name.endswith((".tar.gz", ".tgz")):
        raise ArchiveError(f"Tên tệp xuất phải có đuôi .tar.gz: {out.name}")
    tables, counts, files = _snapshot(rt)
    files |= {p.relative_to(rt.home).as_posix() for p in _outbox_files(rt, tables["messages"])}
    members: dict[str, bytes | Path] = {}
    for i, (name, rows) in enumerate(tables.items()):
        members[f"tables/{i:02d}-{name}.json"] = json.dumps(rows, ensure_ascii=False, indent=1).encode()
    missing = sorted(f for f in files if not (rt.home / f).is_file())
    for rel in sorted(set(files) - set(missing)):
        members[f"files/{rel}"] = rt.home / rel
    plan_file = Path(tables["cycles"][0]["plan_path"])
    if plan_file.is_file():
        members[f"plan/{plan_file.name}"] = plan_file
    _write(out, members, _manifest_head(rt, counts, missing, now), int(now.timestamp()))
    return ExportResult(out, counts, len(files) - len(missing), missing)


def _snapshot(rt: Runtime) -> tuple[dict[str, list[dict]], dict[str, int], set[str]]:
    """Every table's cycle rows, encoded, read in one transaction (a consistent snapshot)."""
    tables: dict[str, list[dict]] = {}
    files: set[str] = set()
    conn_opts = {"isolation_level": "REPEATABLE READ"} if rt.db.backend == "postgresql" else {}
    with rt.db.engine.connect().execution_options(**conn_opts) as conn, conn.begin():
        for table in rows_.tables():
            rows = [rows_.encode(table, r, rt.home) for r in rows_.cycle_rows(conn, table, rt.cycle_id)]
            tables[table.name] = rows
            files |= rows_.referenced_files(table.name, rows)
    return tables, {k: len(v) for k, v in tables.items()}, files


def _outbox_files(rt: Runtime, messages: list[dict]) -> list[Path]:
    """The ``file`` channel's .eml copies of the cycle's messages (``<id>-<hash>.eml``)."""
    folder = rt.home / "outbox"
    ids = {f"{m['id']:06d}" for m in messages}
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.eml") if p.name.split("-", 1)[0] in ids)


def _manifest_head(rt: Runtime, counts: dict[str, int], missing: list[str],
                   now: dt.datetime) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "cycle_key": rt.plan.cycle_key,
            "schema_revision": head_revision(), "exported_at": now.isoformat(),
            "exported_from": {"backend": rt.db.backend, "home": str(rt.home.resolve())},
            "rows": counts, "missing_files": missing}


def _write(out: Path, members: dict[str, bytes | Path], manifest: dict[str, Any], mtime: int) -> None:
    """Write the archive to a temporary file, manifest last, then rename it into place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.tmp")
    listed: dict[str, dict[str, Any]] = {}
    try:
        with tarfile.open(tmp, "w:gz") as tar:
            for name, content in members.items():
                data = content if isinstance(content, bytes) else content.read_bytes()
                listed[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                _add(tar, name, data, mtime)
            manifest["members"] = listed
            _add(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode(), mtime)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def _add(tar: tarfile.TarFile, name: str, data: bytes, mtime: int) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, mtime
    tar.addfile(info, io.BytesIO(data))


def import_archive(db: Database, home: Path, archive: Path, max_mb: int = DEFAULT_MAX_MB) -> ImportResult:
    """Restore an export into an empty database and ``home``; all or nothing.

    Nothing is written (no schema, no row, no file) until every row, path and file of the archive
    has been checked; a refusal after that removes what the import itself created.
    """
    archive, home = Path(archive), Path(home)
    if not archive.is_file():
        raise ArchiveError(f"Không tìm thấy tệp lưu trữ: {archive}")
    created_home = not home.exists()
    home.mkdir(parents=True, exist_ok=True)
    staging = home / f".import-{uuid.uuid4().hex[:12]}"
    done = False
    try:
        manifest, tables = _read_verified(archive, staging, max_mb)
        held = _check(manifest, tables, staging)
        moves = _planned_moves(manifest, staging, home)
        restore.write_all(db, home, tables, moves)
        plan = next((home / n for n in manifest["members"] if n.startswith("plan/")), None)
        files = sum(1 for n in manifest["members"] if n.startswith("files/"))
        done = True
        return ImportResult(manifest["cycle_key"], manifest["rows"], files, plan, held)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created_home and not done:
            shutil.rmtree(home, ignore_errors=True)


def _check(manifest: dict, tables: dict[str, list[dict]], staging: Path) -> list[int]:
    """Rows, paths, files and recipients checked (see ``checks``); returns the held messages' ids."""
    try:
        checks.check_rows(tables)
        named = checks.check_paths(tables)
        checks.check_files(manifest["members"], named, {r["id"] for r in tables.get("messages", [])})
        plan = next((staging / n for n in manifest["members"] if n.startswith("plan/")), None)
        try:
            plan_text = plan.read_text(encoding="utf-8") if plan else None
        except UnicodeDecodeError:
            raise checks.Refused("kế hoạch trong tệp lưu trữ không phải văn bản UTF-8") from None
        return checks.hold_strangers(tables.get("messages", []), checks.plan_addresses(plan_text))
    except checks.Refused as exc:
        raise ArchiveError(f"Tệp lưu trữ có dữ liệu không nhập được ({exc}); không nhập gì.") from None


def _read_verified(archive: Path, staging: Path, max_mb: int) -> tuple[dict, dict[str, list[dict]]]:
    """Extract safely, then check every member against the manifest (names, sizes, SHA-256)."""
    try:
        found = safetar.extract(archive, staging, MEMBERS, max_bytes=max_mb << 20)
    except safetar.UnsafeArchive as exc:
        raise ArchiveError(str(exc)) from None
    if "manifest.json" not in found:
        raise ArchiveError("Tệp lưu trữ không có manifest.json: không phải tệp do giamsat export tạo.")
    try:
        manifest = json.loads((staging / "manifest.json").read_text(encoding="utf-8"))
        listed: dict[str, dict] = manifest["members"]
    except (ValueError, KeyError, TypeError):
        raise ArchiveError("manifest.json của tệp lưu trữ không đọc được.") from None
    if (manifest.get("format"), manifest.get("version")) != (FORMAT, VERSION):
        raise ArchiveError("Tệp lưu trữ không đúng định dạng giamsat-export phiên bản 1.")
    if manifest.get("schema_revision") != head_revision():
        raise ArchiveError(f"Tệp lưu trữ theo lược đồ {manifest.get('schema_revision')}, phiên bản này "
                           f"dùng {head_revision()}: hãy nhập bằng phiên bản giamsat đã xuất nó.")
    extra, absent = set(found) - set(listed) - {"manifest.json"}, set(listed) - set(found)
    if extra or absent:
        raise ArchiveError(f"Tệp lưu trữ không khớp manifest: thừa {sorted(extra)[:5]}, "
                           f"thiếu {sorted(absent)[:5]}.")
    for name, meta in listed.items():
        if found[name] != meta.get("sha256"):
            raise ArchiveError(f"Tệp {name} trong tệp lưu trữ đã bị thay đổi (SHA-256 không khớp); "
                               "không nhập gì.")
    known = {t.name for t in rows_.tables()}
    tables = {}
    for name in sorted(n for n in listed if n.startswith("tables/")):
        table = name.split("-", 1)[-1].removesuffix(".json")
        try:
            rows = json.loads((staging / name).read_text(encoding="utf-8"))
        except ValueError:
            raise ArchiveError(f"Không đọc được {name} trong tệp lưu trữ.") from None
        if table not in known or not isinstance(rows, list) or len(rows) != manifest["rows"].get(table):
            raise ArchiveError(f"{name} trong tệp lưu trữ không khớp lược đồ hoặc số dòng của manifest.")
        tables[table] = rows
    return manifest, tables


def _planned_moves(manifest: dict, staging: Path, home: Path) -> list[tuple[Path, Path]]:
    """Staged file → its place in the home; a different file already there stops the import."""
    moves = []
    for name, meta in manifest["members"].items():
        if not name.startswith(("files/", "plan/")):
            continue
        target = home / name.removeprefix("files/")
        if not target.resolve().is_relative_to(home.resolve()):  # a folder linked out of the home
            raise ArchiveError(f"{target.relative_to(home)} trỏ ra ngoài thư mục {home}; "
                               "hãy nhập vào một thư mục trống.")
        if target.exists() or target.is_symlink():
            same = target.is_file() and not target.is_symlink() and \
                hashlib.sha256(target.read_bytes()).hexdigest() == meta["sha256"]
            if not same:
                raise ArchiveError(f"Thư mục {home} đã có tệp khác tại {target.relative_to(home)}; "
                                   "hãy nhập vào một thư mục trống.")
            continue
        moves.append((staging / name, target))
    return moves
