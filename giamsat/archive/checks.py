"""An archive is untrusted input: every row, path, file and recipient is checked before anything is written.

A consistent manifest proves only that the archive was not damaged in transit; whoever wrote it
may have written the rows too. So each row must fit the schema's types and lengths on both
databases, each stored path must name a file inside the new home in the folder of its kind, each
file in the archive must belong to a row, and a pending message may only go to an address the
plan names (any other is held for a person as a failed message).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
import re
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

import yaml
from sqlalchemy import JSON, BigInteger, Boolean, Column, Date, Float, Integer, LargeBinary, String

from giamsat.archive import rows as rows_
from giamsat.db.base import AwareDateTime
from giamsat.domain.errors import GiamsatError

# Where each kind of stored file lives under the home (first folder of its path).
PATH_FOLDERS: dict[tuple[str, str], frozenset[str]] = {
    ("documents", "path"): frozenset({"documents", "reports", "visits"}),
    ("visits", "minutes_path"): frozenset({"visits"}),
    ("submissions", "stored_path"): frozenset({"submissions"}),
    ("recommendations", "evidence_path"): frozenset({"evidence"}),
    ("recommendation_events", "evidence_path"): frozenset({"evidence"}),
    ("messages", "attachments"): frozenset({"documents", "reports", "visits", "submissions", "evidence"}),
}
_OUTBOX_FILE = re.compile(r"^outbox/(\d{6,})-[0-9a-f]{12}\.eml$")
_PLAN_FILE = re.compile(r"^plan/[^/]+\.ya?ml$")
_EMAIL = re.compile(r"[^\s@<>,;\"']+@[^\s@<>,;\"']+\.[^\s@<>,;\"']+")
_INT_RANGE = {Integer: 2**31, BigInteger: 2**63}
HELD_NOTE = ("Giữ lại khi nhập: người nhận {addr} không có trong kế hoạch của chu kỳ. Kiểm tra rồi "
             "gửi lại bằng: giamsat outbox retry {id}")


class ArchiveError(GiamsatError):
    """An export or import that cannot be done; the message says why, in Vietnamese."""


class Refused(GiamsatError):
    """A row, path or file of the archive that cannot be imported (Vietnamese message)."""


def check_rows(tables: dict[str, list[Any]]) -> None:
    """Every row a mapping whose columns exist and whose values fit their column, or ``Refused``."""
    for table in rows_.tables():
        for i, row in enumerate(tables.get(table.name, []), start=1):
            if not isinstance(row, dict):
                raise Refused(f"bảng {table.name}, dòng {i}: không phải một dòng dữ liệu")
            where = f"bảng {table.name}, dòng {i} (id {str(row.get('id'))[:20]})"
            for name in row:
                if name not in table.c:
                    raise Refused(f"{where}: cột {str(name)[:60]!r} không có trong lược đồ")
            for col in table.c:
                why = _misfit(col, row.get(col.name), col.name in row)
                if why:
                    raise Refused(f"{where}, cột {col.name}: {why}")


def _misfit(col: Column, value: Any, present: bool) -> str | None:
    """Why ``value`` cannot be stored in ``col`` (None if it can)."""
    if value is None:
        if col.nullable or (not present and col.default is not None):
            return None
        return "không được để trống"
    kind = col.type
    if isinstance(kind, Boolean):
        return None if isinstance(value, bool) else f"phải là đúng/sai, không phải {_show(value)}"
    if isinstance(kind, Integer):  # BigInteger included
        limit = _INT_RANGE[BigInteger if isinstance(kind, BigInteger) else Integer]
        if not isinstance(value, int) or isinstance(value, bool):
            return f"phải là số nguyên, không phải {_show(value)}"
        return None if -limit <= value < limit else f"số {value} vượt giới hạn của cột"
    if isinstance(kind, Float):
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        return None if ok else f"phải là số, không phải {_show(value)}"
    if isinstance(kind, JSON):
        return None
    if not isinstance(value, str):
        return f"phải là chuỗi, không phải {_show(value)}"
    if isinstance(kind, AwareDateTime):
        return _misfit_datetime(value)
    if isinstance(kind, Date):
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f"ngày không hợp lệ: {_show(value)}"
        return None
    if isinstance(kind, LargeBinary):
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return "dữ liệu nhị phân không đọc được"
        return None
    if "\x00" in value:
        return "chứa ký tự NUL (không lưu được)"
    length = getattr(kind, "length", None) if isinstance(kind, String) else None
    if length is not None and len(value) > length:
        return f"dài {len(value)} ký tự, cột chỉ chứa {length}"
    return None


def _misfit_datetime(value: str) -> str | None:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return f"thời điểm không hợp lệ: {_show(value)}"
    return None if moment.tzinfo is not None else f"thời điểm thiếu múi giờ: {_show(value)}"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def check_paths(tables: dict[str, list[dict]]) -> set[str]:
    """Each stored path inside the home, in its kind's folder; returns the home-relative files named."""
    named: set[str] = set()
    for (table, column), folders in PATH_FOLDERS.items():
        for i, row in enumerate(tables.get(table, []), start=1):
            values = [row.get(column)] if column != "attachments" else _attachment_paths(row, i)
            for value in values:
                if value is not None:
                    named.add(_inside(value, folders, f"bảng {table}, dòng {i} (id {row.get('id')})"))
    return named


def _attachment_paths(row: dict, i: int) -> list[Any]:
    items = row.get("attachments") or []
    if not isinstance(items, list) or not all(isinstance(a, dict) for a in items):
        raise Refused(f"bảng messages, dòng {i} (id {row.get('id')}): tệp đính kèm không đọc được")
    return [a.get("path") for a in items]


def _inside(value: Any, folders: frozenset[str], where: str) -> str:
    """The home-relative form of a stored path, or ``Refused`` if it could leave the home."""
    rel = rows_.home_relative(value) if isinstance(value, str) else None
    parts = PurePosixPath(rel).parts if rel else ()
    if (not rel or not parts or "\\" in rel or any(p in ("..", ".", "") for p in parts)
            or parts[0] not in folders or len(parts) < 2):
        raise Refused(f"{where}: đường dẫn {_show(value)} nằm ngoài thư mục "
                      f"{' / '.join(sorted(folders))} của thư mục làm việc mới")
    return PurePosixPath(*parts).as_posix()


def check_files(members: Iterable[str], named: set[str], message_ids: set[int]) -> None:
    """Each file of the archive belongs to a row (or is a message's .eml copy, or the plan)."""
    for name in members:
        if name.startswith("plan/"):
            if not _PLAN_FILE.match(name):
                raise Refused(f"tệp {name}: kế hoạch phải là một tệp .yaml ngay trong plan/")
            continue
        if not name.startswith("files/"):
            continue
        rel = name.removeprefix("files/")
        eml = _OUTBOX_FILE.match(rel)
        if rel in named or (eml and int(eml.group(1)) in message_ids):
            continue
        raise Refused(f"tệp {rel} không thuộc dòng dữ liệu nào của tệp lưu trữ (chỉ nhập tệp văn bản, "
                      "báo cáo, minh chứng và thư của chu kỳ)")


def plan_addresses(plan_text: str | None) -> set[str]:
    """Every e-mail address the plan names (lower case)."""
    if not plan_text:
        return set()
    try:
        data = yaml.safe_load(plan_text)
    except yaml.YAMLError:
        raise Refused("kế hoạch trong tệp lưu trữ không đọc được") from None
    found: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack += list(item.keys()) + list(item.values())
        elif isinstance(item, list):
            stack += item
        elif isinstance(item, str):
            found |= {m.lower() for m in _EMAIL.findall(item)}
    return found


def hold_strangers(messages: list[dict], known: set[str]) -> list[int]:
    """Pending messages to an address outside ``known`` become failed with a note; returns their ids."""
    held: list[int] = []
    for row in messages:
        if row.get("status") != "pending":
            continue
        addrs = [*(row.get("to_addrs") or []), *(row.get("cc_addrs") or [])]
        stranger = next((a for a in addrs if not isinstance(a, str) or a.strip().lower() not in known), None)
        if stranger is None and addrs:
            continue
        row.update(status="failed", claim_token=None, claimed_at=None,
                   last_error=HELD_NOTE.format(addr=_show(stranger), id=row.get("id")))
        held.append(row["id"])
    return held
