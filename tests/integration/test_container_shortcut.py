"""A short part never parsed is checked from the one read that reached its end, and the container
check decides exactly as when it read such a part a second time: same parts, same refusal (bad
CRC or size in any part, a zip bomb, a DTD or an odd encoding in any XML part, macros), for real
filled forms and hostile variants of them."""

from __future__ import annotations

import io
import random
import struct
import zipfile

import pytest

from giamsat.collect.reader import read_report
from giamsat.docx import prolog, reading
from giamsat.docx.reading import Limits, check_container
from giamsat.domain.errors import BadDocument
from tests.fixtures.hostile_word import macro_workbook, with_part

_CD = b"PK\x01\x02"  # a central directory entry: CRC at +16, sizes at +20 (compressed), +24


def _outcome(data: bytes, limits: Limits) -> tuple:
    try:
        return ("read", check_container(data, limits, whole=False), repr(read_report(data, limits)))
    except BadDocument as exc:
        return ("refused", exc.code, str(exc))


def _read_twice(zf: zipfile.ZipFile, name: str) -> tuple[bytes | None, bytes | None]:
    head, short = _real_read_prolog(zf, name)
    return head, None  # a short part left for read_part to read again, as before the shortcut


_real_read_prolog = prolog.read_prolog


def _patched(data: bytes, entry: int, offset: int, value: int) -> bytes:
    """``data`` with a 4-byte field of the ``entry``-th central directory record set to ``value``."""
    at = -1
    for _ in range(entry + 1):
        at = data.index(_CD, at + 1)
    return data[:at + offset] + struct.pack("<I", value & 0xFFFFFFFF) + data[at + offset + 4:]


def _rewritten(data: bytes, name: str, part: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item, part if item.filename == name else src.read(item.filename))
    return out.getvalue()


def _variants(data: bytes, rng: random.Random) -> list[bytes]:
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    out = [data]
    for i, info in enumerate(infos):
        out.append(_patched(data, i, 16, info.CRC ^ 1))                    # a wrong CRC
        out.append(_patched(data, i, 24, max(info.file_size - 7, 0)))      # a size too small
        out.append(_patched(data, i, 24, info.file_size + 9))              # a size too large
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        flip = start + rng.randrange(max(info.compress_size, 1))
        out.append(data[:flip] + bytes([data[flip] ^ 0x5A]) + data[flip + 1:])  # a damaged stream
        if info.filename.endswith((".xml", ".rels")):
            original = zipfile.ZipFile(io.BytesIO(data)).read(info.filename)
            out.append(_rewritten(data, info.filename, b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                                  + original.split(b"?>", 1)[-1]))        # XXE
            out.append(_rewritten(data, info.filename, original.replace(b"UTF-8", b"ISO-8859-1", 1)))
            out.append(_rewritten(data, info.filename, original[:40]))  # truncated XML
    out.append(with_part(data, "word/embeddings/x.xlsm", macro_workbook()))
    out.append(_rewritten(data, "word/webSettings.xml", b"<w:x/>" + b" " * 3000))  # short becomes long
    out.append(_rewritten(data, "word/webSettings.xml", b"\x00" * 5_000_000))       # a bomb in a short part
    for _ in range(30):
        cut = rng.randrange(len(data))
        out.append(data[:cut] + bytes([rng.randrange(256)]) + data[cut + 1:])
    return out


@pytest.mark.parametrize("cap", [100 * 1024 * 1024, 2_000_000, 1500])
def test_every_form_and_hostile_variant_is_decided_as_with_the_second_read(forms, plan, cap, monkeypatch):
    rng = random.Random(cap)
    limits = Limits(max_uncompressed_bytes=cap)
    decided = {"read": 0, "refused": 0}
    for i, unit in enumerate(plan.units[:2]):
        data = forms(unit, seed=i)[0].read_bytes()
        for variant in _variants(data, rng):
            now = _outcome(variant, limits)
            with monkeypatch.context() as m:
                m.setattr(reading, "read_prolog", _read_twice)
                before = _outcome(variant, limits)
            assert now == before
            decided[now[0]] += 1
    assert decided["refused"] > 50 and (cap < 2_000_000 or decided["read"] > 10), decided


def test_a_short_part_is_opened_once(forms, plan, monkeypatch):
    data = forms(plan.units[0])[0].read_bytes()
    opened: list[str] = []
    real = zipfile.ZipFile.open

    def counting(self, name, *args, **kwargs):
        opened.append(name if isinstance(name, str) else name.filename)
        return real(self, name, *args, **kwargs)
    monkeypatch.setattr(zipfile.ZipFile, "open", counting)
    check_container(data, Limits(), whole=False)
    assert sorted(opened) == sorted(set(opened))


def _cold(data: bytes, limits: Limits) -> tuple:
    prolog._PASSED.clear()  # nothing kept: every part read and checked
    return _outcome(data, limits)


@pytest.mark.parametrize("cap", [100 * 1024 * 1024, 1500])
def test_a_part_equal_to_one_that_passed_is_decided_as_when_it_is_read(forms, plan, cap):
    rng = random.Random(cap + 1)
    limits = Limits(max_uncompressed_bytes=cap)
    forms_data = [forms(unit, seed=i)[0].read_bytes() for i, unit in enumerate(plan.units[:2])]
    hits = 0
    for data in forms_data:
        for variant in _variants(data, rng):
            expected = _cold(variant, limits)
            for clean in forms_data:  # the kept parts of clean forms, then the variant
                _outcome(clean, limits)
            z = _zip(variant)
            key = (limits, False)
            hits += sum(prolog.passed(prolog.member_key(z, variant, info, key, reading.PARSED_PARTS))
                        for info in (z.infolist() if z else []))
            assert _outcome(variant, limits) == expected
    assert hits > 100 or cap < 2_000_000  # the variants' untouched parts were taken as kept, not read


def _zip(data: bytes) -> zipfile.ZipFile | None:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return None


def test_a_part_shadowed_by_another_of_the_same_name_is_never_kept(forms, plan):
    data = forms(plan.units[0])[0].read_bytes()
    original = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml")
    hostile = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + original.split(b"?>", 1)[-1]
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z, pytest.warns(UserWarning):
        for item in src.infolist():
            if item.filename == "word/styles.xml":
                z.writestr(item.filename, hostile)  # read by no check: the name opens the last one
            z.writestr(item, src.read(item.filename))
    twice = out.getvalue()
    assert _outcome(twice, Limits()) == _cold(twice, Limits())  # as before: the shadowed part unread
    alone = _rewritten(data, "word/styles.xml", hostile)
    assert _outcome(alone, Limits())[:2] == ("refused", "xml_dtd")  # so never kept as passed
