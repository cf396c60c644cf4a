"""A Word file rendered once with placeholder tokens, then stamped with each unit's values.

Rendering a .docx per unit (python-docx or docxtpl) costs 40–170 ms, and a province or the whole
country needs hundreds to tens of thousands of them that differ only in a few values (the unit's
name and code). So the document is rendered once with a unique token in place of each value; a
unit's file is the template's parts with every token replaced by its XML-escaped value. Parts
without a token are copied as they were compressed once; the others are compressed anew. The text
a reader sees is exactly what rendering the unit's document from scratch gives.
"""

from __future__ import annotations

import functools
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

from giamsat.files.fsutil import DiskSync, fsync_paths, storage_error

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_DOS_TIME, _DOS_DATE = 0, (2024 - 1980) << 9 | 1 << 5 | 1  # a fixed stamp: same input, same bytes
_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;"}


class StampError(ValueError):
    """The rendered template lost a token (a filter or template change altered it)."""


def xml_escape(value: str) -> str:
    """``value`` as XML character data, safe inside an element or a double-quoted attribute
    (``value.translate(_ESCAPES)``, made by four scans in C rather than a mapping a character)."""
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if '"' in value:
        value = value.replace('"', "&quot;")
    return value


def _deflate(data: bytes, mode: int = zlib.Z_FINISH) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(mode)


@functools.lru_cache(maxsize=4096)
def _packed_value(value: bytes) -> bytes:
    """A value's deflate block (sync flush), kept for the unit's other document and the values
    many units share: a compressor costs more to set up than the few bytes it packs."""
    return _deflate(value, zlib.Z_SYNC_FLUSH)


def _crc_shift(piece: bytes) -> tuple[int, list[list[int]]]:
    """How ``zlib.crc32(piece, crc)`` follows from ``crc``: CRC-32 is affine in its start value,
    ``crc32(piece, c) == crc32(piece, 0) ^ L(c)`` with L linear over GF(2); L is kept as four
    tables of 256 (one per byte of ``c``) built from its 32 basis values. A unit's file then costs
    four look-ups per static piece instead of a pass over its bytes."""
    zero = zlib.crc32(piece, 0)
    basis = [zlib.crc32(piece, 1 << j) ^ zero for j in range(32)]
    tables = []
    for k in range(4):
        table = [0] * 256
        for b in range(1, 256):
            low = b & -b
            table[b] = table[b ^ low] ^ basis[8 * k + low.bit_length() - 1]
        tables.append(table)
    return zero, tables


def _crc_after(crc: int, shift: tuple[int, list[list[int]]]) -> int:
    """``zlib.crc32(piece, crc)`` for the piece ``shift`` was made from."""
    zero, (t0, t1, t2, t3) = shift
    return zero ^ t0[crc & 255] ^ t1[crc >> 8 & 255] ^ t2[crc >> 16 & 255] ^ t3[crc >> 24]


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
    crc_steps: tuple[Any, ...] = ()   # per piece: its token, or how it moves the CRC (_crc_shift)
    static_size: int = 0              # the bytes of the static pieces
    local: bytes = b""                # a part without a token: its local header, name and bytes
    central: bytes = b""              # … and its central directory entry without its offset


def _static_part(name: bytes, data: bytes) -> _Part:
    packed, crc = _deflate(data), zlib.crc32(data)
    head = (20, 0, zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE, crc, len(packed), len(data))
    return _Part(name, (), packed, crc, len(data),
                 local=_LOCAL.pack(0x04034B50, *head, len(name), 0) + name + packed,
                 central=_CENTRAL.pack(0x02014B50, 20, *head, len(name), 0, 0, 0, 0, 0, 0)[:-4])


def _token_part(name: bytes, raw: tuple[bytes | str, ...]) -> _Part:
    return _Part(name, raw, packed_pieces=tuple(
        p if isinstance(p, str) else _deflate(p, zlib.Z_SYNC_FLUSH) for p in raw),
        crc_steps=tuple(p if isinstance(p, str) else _crc_shift(p) for p in raw),
        static_size=sum(len(p) for p in raw if isinstance(p, bytes)))


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
                    self.parts.append(_static_part(name, data))
                    continue
                seen.update(pieces[1::2])
                self.parts.append(_token_part(name, tuple(p if i % 2 else p.encode("utf-8")
                                                          for i, p in enumerate(pieces))))
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
        out: list[bytes] = []
        central, offset = [], 0
        for part in self.parts:
            if part.packed is not None:  # the same bytes in every unit's file
                out.append(part.local)
                central.append(part.central + offset.to_bytes(4, "little") + part.name)
                offset += len(part.local)
                continue
            crc, size = 0, part.static_size
            for step in part.crc_steps:
                if isinstance(step, str):
                    data = escaped[step]
                    crc, size = zlib.crc32(data, crc), size + len(data)
                else:
                    crc = _crc_after(crc, step)
            packed = b"".join([*(p if isinstance(p, bytes) else _packed_value(escaped[p])
                                 for p in part.packed_pieces), _LAST_BLOCK])
            head = (20, 0, zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE, crc, len(packed), size)
            local = _LOCAL.pack(0x04034B50, *head, len(part.name), 0)
            out += (local, part.name, packed)
            central.append(_CENTRAL.pack(0x02014B50, 20, *head, len(part.name), 0, 0, 0, 0, 0, offset)
                           + part.name)
            offset += len(local) + len(part.name) + len(packed)
        directory = b"".join(central)
        out += (directory, _END.pack(0x06054B50, 0, 0, len(central), len(central), len(directory),
                                     offset, 0))
        return b"".join(out)


class BatchWriter:
    """Writes many files atomically with one flush to disk: temporary files, one sync, renames.

    ``fsync`` per file costs a journal commit (~7 ms here), more than stamping the file; one
    ``os.sync`` for a batch keeps the guarantee (a name never points at a half-written file).
    ``disk``: flush with it instead (``fsutil.DiskSync``, opened before the files were written:
    it reports write-back errors, which ``os.sync`` does not), failures as ``StorageError``.
    """

    def __init__(self, disk: DiskSync | None = None) -> None:
        self._disk = disk
        self._pending: list[tuple[str, Path]] = []
        self._token = secrets.token_hex(6)
        self._folders: set[Path] = set()  # made already: one mkdir per folder, not per file

    def add(self, path: Path, data: bytes) -> str:
        """Write ``data`` to a temporary file beside ``path``; returns its SHA-256. A failed write
        (a full disk) raises ``StorageError``; ``discard`` then removes what was written."""
        path = Path(path)
        folder = path.parent
        tmp = os.path.join(folder, f".{path.name}-{os.getpid()}-{self._token}.tmp")
        try:
            if folder not in self._folders:
                folder.mkdir(parents=True, exist_ok=True)
                self._folders.add(folder)
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
        if self._disk is not None:
            self._disk.durable([Path(tmp) for tmp, _ in self._pending])
        elif hasattr(os, "sync"):
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
        if self._disk is not None:  # the renames themselves durable, as ``fsutil.atomic_write`` does
            self._disk.durable(sorted(folders))
        else:
            fsync_paths(folders)

    def discard(self) -> None:
        """Remove the temporary files not yet committed."""
        for tmp, _ in self._pending:
            Path(tmp).unlink(missing_ok=True)
        self._pending.clear()
