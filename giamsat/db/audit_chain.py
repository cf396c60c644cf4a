"""The audit log's hash chain: each entry's SHA-256 covers its content and the previous entry's hash.

The hashed text is JSON with sorted keys and no spaces, UTF-8:
``{"action", "actor", "at" (UTC, ISO 8601 with microseconds), "cycle_id", "detail", "entity",
"entity_id", "prev"}``. Changing, deleting or reordering an entry breaks every later link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

FIELDS = ("at", "actor", "action", "entity", "entity_id", "cycle_id", "detail")


def _get(entry: Any, name: str) -> Any:
    return entry[name] if isinstance(entry, Mapping) else getattr(entry, name)


def entry_hash(entry: Any, prev: str | None) -> str:
    """The SHA-256 (hex) of one entry chained to ``prev`` (the previous entry's hash, or None)."""
    body = {name: _get(entry, name) for name in FIELDS}
    at: dt.datetime = body["at"]
    body["at"] = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    body["detail"] = body["detail"] or {}
    body["prev"] = prev
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class ChainCheck:
    """The result of walking the chain: how many entries, the last hash, the breaks found."""

    count: int = 0
    head: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every link and every hash matched."""
        return not self.problems


def check_chain(entries: Iterable[Any], max_problems: int = 20) -> ChainCheck:
    """Walk entries in id order; report each entry whose link or hash does not match."""
    result, prev = ChainCheck(), None
    for entry in entries:
        result.count += 1
        eid, stored_prev, stored = _get(entry, "id"), _get(entry, "prev_sha256"), _get(entry, "sha256")
        if stored_prev != prev:
            result.problems.append(f"Mục số {eid}: không nối với mục liền trước "
                                   "(một mục đã bị xóa, chèn hoặc đổi thứ tự).")
        if stored != entry_hash(entry, stored_prev):
            result.problems.append(f"Mục số {eid}: nội dung không khớp mã SHA-256 đã ghi (đã bị sửa).")
        prev = stored
        if len(result.problems) >= max_problems:
            break
    result.head = prev
    return result
