"""The prolog of an XML part, read without decompressing the rest: the safety checks of a part
that is never parsed.

A DTD or an entity declaration (XXE, billion laughs) can only stand in the prolog, before the
root element; the encoding is declared there too. So for the parts bulk intake never parses
(styles, numbering, theme, settings: most of a form's bytes), decompressing up to the root
element's start is enough to refuse the same files the whole-part check refuses. Anything the
scanner cannot settle (a prolog longer than the head read, text it does not expect) is answered
``None``: the caller then reads and checks the whole part.
"""

from __future__ import annotations

import codecs
import struct
import zipfile
import zlib
from collections.abc import Callable, Collection
from typing import TypeVar

from giamsat.domain.errors import BadDocument

T = TypeVar("T")

HEAD = 2048  # decompressed bytes read from the start of a part; Word's prologs are ~60 bytes


def xml_codec(head: bytes) -> str:
    """The codec an XML part starting with ``head`` is read with: UTF-16 by its BOM or first
    character, else UTF-8 (a BOM allowed)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head.startswith(b"<\x00"):
        return "utf-16-le"
    if head.startswith(b"\x00<"):
        return "utf-16-be"
    return "utf-8-sig"


def prolog_end(text: str) -> int | None:
    """Where the root element starts in ``text`` (after declarations, PIs, comments, blanks);
    ``None`` when the head does not reach it or holds anything else (the whole part is checked).

    A ``<!`` that is not a comment (``<!DOCTYPE``, ``<!ENTITY``…) ends the scan at its position:
    the prolog returned then contains it, and the caller's DTD check refuses the part.
    """
    i, n = 0, len(text)
    while i < n:
        if text[i] in " \t\r\n":
            i += 1
        elif text.startswith("<?", i):
            end = text.find("?>", i + 2)
            if end < 0:
                return None
            i = end + 2
        elif text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            if end < 0:
                return None
            i = end + 3
        elif text.startswith("<!", i):
            return n  # a declaration: all of the head goes to the DTD check
        elif text.startswith("<", i) and i + 1 < n:
            return i
        else:
            return None
    return None


def read_prolog(zf: zipfile.ZipFile, name: str) -> tuple[bytes | None, bytes | None]:
    """(the head of part ``name`` up to its root element, None), decompressing no more than
    ``HEAD`` bytes; (None, the whole part) when it is shorter than that; (None, None) when the
    whole part must be read and checked."""
    with zf.open(name) as fh:
        head = fh.read(HEAD)
        if len(head) < HEAD:
            # A read stops short only at the part's end, where zipfile checked the CRC: these are
            # the bytes ``read_part`` would give.
            return None, head
    decoder = codecs.getincrementaldecoder(xml_codec(head))("strict")
    try:
        text = decoder.decode(head)  # an incomplete last character is held back, not an error
    except UnicodeDecodeError:
        return None, None  # the whole-part check says what is wrong with the encoding
    end = prolog_end(text)
    if end is None:
        return None, None
    return text[:end].encode("utf-8"), None


def guarded(read: Callable[[], T]) -> T:
    """``read()``, a damaged archive (bad CRC, broken deflate stream…) answered as ``BadDocument``."""
    try:
        return read()
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, NotImplementedError,
            zlib.error):  # a flipped byte in a deflate stream raises zlib.error
        raise BadDocument("corrupt", "Tệp bị hỏng hoặc gửi không đầy đủ, không mở được. "
                                     "Vui lòng lưu lại và gửi lại.") from None


def read_part(zf: zipfile.ZipFile, name: str, cap: int) -> bytes:
    """Part ``name`` whole (its CRC checked), refused once it grows past ``cap`` bytes."""
    def read() -> bytes:
        with zf.open(name) as fh:
            return fh.read(cap + 1)
    return capped(guarded(read), cap)


def capped(data: bytes, cap: int) -> bytes:
    """``data``, refused as a zip bomb when longer than ``cap`` bytes."""
    if len(data) > cap:
        raise BadDocument("zip_bomb", "Nội dung giải nén vượt giới hạn cho phép.")
    return data


# Parts that passed every check, by the bytes that decided it. Checking a part not parsed (its
# prolog, or all of it when short; its macros when not XML) is a pure function of what zipfile
# reads for it: the central directory's fields for it, its local header and its compressed bytes,
# and the caps. Forms made from one template share most of their parts (styles, theme, settings)
# byte for byte, so a part equal to one that passed — every one of those bytes compared, not a
# hash — passes, without opening it again. A part that failed is never kept: it is read again.
MAX_KEPT_PART = 1 << 16  # compressed bytes; larger parts are read every time
MAX_KEPT_PARTS = 64  # at most 4 MB kept in a process
_PASSED: dict[tuple[object, ...], bytes] = {}


Key = tuple[tuple[object, ...], bytes]


def member_key(zf: zipfile.ZipFile, archive: bytes, info: zipfile.ZipInfo, context: object,
               parsed: Collection[str]) -> Key | None:
    """What decides the checks of member ``info`` of ``zf`` (read from ``archive``) under
    ``context`` (the caps): its directory fields and the bytes zipfile reads for it. None for a
    ``parsed`` part (its bytes are wanted), one not worth keeping, or one whose name another
    member shares (the checks, which open parts by name, would read that one)."""
    start = info.header_offset
    if info.filename in parsed or zf.NameToInfo.get(info.filename) is not info or \
            info.compress_size > MAX_KEPT_PART or not 0 <= start <= len(archive) - 30:
        return None
    name_length, extra_length = struct.unpack_from("<HH", archive, start + 26)
    end = start + 30 + name_length + extra_length + info.compress_size
    end_offset = getattr(info, "_end_offset", None)  # where the next member starts (newer zipfiles)
    fields = (context, info.orig_filename, info.filename, info.flag_bits, info.compress_type,
              info.compress_size, info.file_size, info.CRC,
              None if end_offset is None else end_offset - start)
    return fields, archive[start:end]


def passed(key: Key | None) -> bool:
    """Whether a member with exactly these fields and bytes passed every check before."""
    return key is not None and _PASSED.get(key[0]) == key[1]


def remember(key: Key | None) -> None:
    """Keep a member that just passed every check (``None``: not kept)."""
    if key is not None:
        if len(_PASSED) >= MAX_KEPT_PARTS:
            _PASSED.clear()
        _PASSED[key[0]] = key[1]
