"""A Word file rendered once with placeholder tokens, then stamped with each unit's values.

Rendering a .docx per unit (python-docx or docxtpl) costs 40–170 ms, and a province or the whole
country needs hundreds to tens of thousands of them that differ only in a few values (the unit's
name and code). So the document is rendered once with a unique token in place of each value; a
unit's file is the template's parts with every token replaced by its XML-escaped value. Parts
without a token are copied as they were compressed once; the others are compressed anew. The text
a reader sees is exactly what rendering the unit's document from scratch gives.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from giamsat.files.fsutil import fsync_paths, storage_error

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_DOS_TIME, _DOS_DATE = 0, (2024 - 1980) << 9 | 1 << 5 | 1  # a fixed stamp: same input, same bytes
_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;"}


class StampError(ValueError):
    """The rendered template lost a token (a filter or template change altered it)."""


def xml_escape(value: str) -> str:
    """``value`` as XML character data, safe inside an element or a double-quoted attribute."""
    return value.translate(_ESCAPES)


def _deflate(data: bytes, mode: int = zlib.Z_FINISH) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(mode)


# Deflate blocks ended by a sync flush are byte-aligned and self-contained, so a part is packed as
# its static pieces (compressed once) and its values (compressed per unit) laid end to end, then
# closed by an empty final block. Only the few value bytes are compressed per unit.
_LAST_BLOCK = _deflate(b"")


@dataclass(frozen=True)
class _Part:
    name: bytes
    pieces: tuple[bytes | str, ...]   # static bytes and token names, in order
    packed: bytes | None = None       # the compressed bytes of a part without a token
    crc: int = 0
    size: int = 0
    packed_pieces: tuple[bytes | str, ...] = ()  # static pieces compressed (sync flush), tokens


class Stamp:
    """A rendered .docx whose parts carry ``tokens``; ``fill`` makes one unit's file from it."""

    def __init__(self, docx: bytes, tokens: Iterable[str]) -> None:
        tokens = list(tokens)
        pattern = re.compile("(" + "|".join(re.escape(t) for t in tokens) + ")")
        seen: set[str] = set()
        self.parts: list[_Part] = []
        with zipfile.ZipFile(io.BytesIO(docx)) as zf:
            for info in zf.infolist():
                data = zf.read(info)
                text = data.decode("utf-8") if info.filename.endswith((".xml", ".rels")) else None
                pieces: list[Any] = pattern.split(text) if text is not None else [data]
                name = info.filename.encode("utf-8")
                if len(pieces) == 1:
                    self.parts.append(_Part(name, (), _deflate(data), zlib.crc32(data), len(data)))
                    continue
                seen.update(pieces[1::2])
                raw = tuple(p if i % 2 else p.encode("utf-8") for i, p in enumerate(pieces))
                self.parts.append(_Part(name, raw, packed_pieces=tuple(
                    p if isinstance(p, str) else _deflate(p, zlib.Z_SYNC_FLUSH) for p in raw)))
                self._check_case_variants(text or "", tokens)
        missing = [t for t in tokens if t not in seen]
        if missing:
            raise StampError(f"tokens not found in the rendered document: {missing}")

    @staticmethod
    def _check_case_variants(text: str, tokens: list[str]) -> None:
        for t in tokens:
            for variant in {t.lower(), t.upper(), t[:1].lower() + t[1:]} - {t}:
                if variant in text:
                    raise StampError(f"token {t!r} appears altered as {variant!r}")

    def fill(self, values: Mapping[str, str]) -> bytes:
        """The .docx with each token replaced by its value (plain text, escaped here)."""
        escaped = {t: xml_escape(v).encode("utf-8") for t, v in values.items()}
        packed_values = {t: _deflate(v, zlib.Z_SYNC_FLUSH) for t, v in escaped.items()}
        out, central, offset = io.BytesIO(), [], 0
        for part in self.parts:
            if part.packed is not None:
                packed, crc, size = part.packed, part.crc, part.size
            else:
                crc = size = 0
                for p in part.pieces:
                    data = p if isinstance(p, bytes) else escaped[p]
                    crc, size = zlib.crc32(data, crc), size + len(data)
                packed = b"".join([*(p if isinstance(p, bytes) else packed_values[p]
                                     for p in part.packed_pieces), _LAST_BLOCK])
            head = (20, 0, zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE, crc, len(packed), size)
            out.write(_LOCAL.pack(0x04034B50, *head, len(part.name), 0))
            out.write(part.name)
            out.write(packed)
            central.append(_CENTRAL.pack(0x02014B50, 20, *head, len(part.name), 0, 0, 0, 0, 0, offset)
                           + part.name)
            offset = out.tell()
        directory = b"".join(central)
        out.write(directory)
        out.write(_END.pack(0x06054B50, 0, 0, len(central), len(central), len(directory), offset, 0))
        return out.getvalue()


class BatchWriter:
    """Writes many files atomically with one flush to disk: temporary files, one sync, renames.

    ``fsync`` per file costs a journal commit (~7 ms here), more than stamping the file; one
    ``os.sync`` for a batch keeps the guarantee (a name never points at a half-written file).
    """

    def __init__(self) -> None:
        self._pending: list[tuple[str, Path]] = []
        self._token = secrets.token_hex(6)

    def add(self, path: Path, data: bytes) -> str:
        """Write ``data`` to a temporary file beside ``path``; returns its SHA-256. A failed write
        (a full disk) raises ``StorageError``; ``discard`` then removes what was written."""
        path = Path(path)
        tmp = str(path.parent / f".{path.name}-{os.getpid()}-{self._token}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            self._pending.append((tmp, path))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise storage_error(path, exc) from exc
        return hashlib.sha256(data).hexdigest()

    def commit(self) -> None:
        """Flush every temporary file to disk, then move each to its name."""
        if not self._pending:
            return
        if hasattr(os, "sync"):
            os.sync()
        else:  # pragma: no cover - platforms without sync(2)
            fsync_paths(tmp for tmp, _ in self._pending)
        folders = set()
        for tmp, path in self._pending:
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise storage_error(path, exc) from exc
            folders.add(path.parent)
        self._pending.clear()
        fsync_paths(folders)  # the renames themselves durable, as ``fsutil.atomic_write`` does

    def discard(self) -> None:
        """Remove the temporary files not yet committed."""
        for tmp, _ in self._pending:
            Path(tmp).unlink(missing_ok=True)
        self._pending.clear()
