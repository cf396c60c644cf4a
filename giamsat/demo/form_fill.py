"""Fill a blank outline fast: the synthetic filler's text written into the form's XML with lxml.

``giamsat.demo.synthetic.fill_outline`` opens the form with python-docx (~60 ms a unit); a province or
the whole country needs hundreds to thousands of filled forms. Here the form's
``word/document.xml`` is parsed once with lxml, the section tables get the same cell texts (a run
in the same font as python-docx's ``set_run_font(size=10)`` writes), and the package is written
with every other part copied as it was compressed. What ``read_report`` reads from the result is
what it reads from ``fill_outline``'s file (a test compares them). ``demo.form_stamp`` writes the
same bytes without parsing each form; this is its reference and its way for forms it cannot stamp.
"""

from __future__ import annotations

import copy
import os
import struct
import zipfile
import zlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from lxml import etree

from giamsat.collect import xml_reader as rx
from giamsat.collect.reader import match_header
from giamsat.demo.synthetic import FilledFigures, Voice, criteria_cells, synthetic_cells
from giamsat.domain.outline_spec import SECTIONS, normalise

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
PARSER = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
Rows = dict[str, list[dict[str, str]]]


@cache
def _run_template() -> etree._Element:
    """A run formatted as the slow filler formats it (python-docx builds it once)."""
    from docx import Document

    from giamsat.docx.decree30 import set_run_font

    run = Document().add_paragraph().add_run("x")
    set_run_font(run, size=10)
    return etree.fromstring(etree.tostring(run._element), PARSER)


def _set_text(tc: etree._Element, text: str) -> None:
    par = next((p for p in tc if p.tag == rx._P), None)
    if par is None:
        par = etree.SubElement(tc, rx._P)
    for r in [r for r in par if r.tag == rx._R]:
        par.remove(r)
    run = copy.deepcopy(_run_template())
    t = run.find(rx._T)
    t.text = text
    if text != text.strip():
        t.set(_SPACE, "preserve")
    par.append(run)


def _blank_row(like: etree._Element) -> etree._Element:
    row = copy.deepcopy(like)
    for tc in row:
        if tc.tag == rx._TC:
            for p in [p for p in tc if p.tag == rx._P]:
                for r in [r for r in p if r.tag in (rx._R, rx._HYPERLINK)]:
                    p.remove(r)
    return row


@cache
def _labels() -> frozenset[str]:
    return frozenset(normalise(c.label) for section in SECTIONS for c in section.columns)


def match(tbl: etree._Element) -> tuple | None:
    """``match_header`` on the table's first row; a row naming no column's label matches none."""
    trs = rx.rows(tbl)
    texts = [rx.cell_text(tc) for tc in rx.row_cells(trs[0])] if trs else []
    if _labels().isdisjoint(normalise(t) for t in texts):
        return None  # match_header counts the labels found: none found, no section
    return match_header(texts)


def match_key(tbl: etree._Element) -> str | None:
    return None if (matched := match(tbl)) is None else matched[0].key


def section_tables(root: etree._Element) -> dict[str, tuple[etree._Element, dict[str, int]]]:
    """Each section's table (the first whose header matches it) and its column positions."""
    found = {}
    for tbl in rx.tables(rx.body_of(rx.DocxXml(root, None)), 200, 2000):
        if (matched := match(tbl)) is not None and matched[0].key not in found:
            found[matched[0].key] = (tbl, matched[1])
    return found


def criteria_labels(tbl: etree._Element, positions: dict[str, int]) -> list[str]:
    return [rx.cell_text(rx.row_cells(tr)[positions["criterion"]]) for tr in rx.rows(tbl)[1:]]


def fill_tables(found: dict, rows_by_key: Rows) -> None:
    for section in SECTIONS:
        if section.key not in found:
            continue  # a plan whose outline asks no criteria has no criteria table
        tbl, positions = found[section.key]
        rows, trs = rows_by_key[section.key], rx.rows(tbl)
        while len(trs) - 1 < len(rows):
            trs[-1].addnext(_blank_row(trs[-1]))
            trs = rx.rows(tbl)
        for i, values in enumerate(rows):
            tcs = rx.row_cells(trs[i + 1])
            for key, text in values.items():
                if key in positions:
                    _set_text(tcs[positions[key]], text)


def final_rows(cells: Rows, keys: list[str], labels: list[str]) -> Rows:
    """The rows written per section found: the criteria's answers picked from their labels."""
    return {s.key: criteria_cells(cells[s.key], labels) if s.key == "CT" else cells[s.key]
            for s in SECTIONS if s.key in keys}


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def fill_document_xml(document: bytes, cells: Rows) -> bytes:
    """``word/document.xml`` with each section table's rows holding ``cells`` (the lxml way)."""
    root = etree.fromstring(document, PARSER)
    found = section_tables(root)
    labels = criteria_labels(*found["CT"]) if "CT" in found else []
    fill_tables(found, final_rows(cells, list(found), labels))
    return serialise(root)


def fill_outline_fast(blank_path: Path, out_path: Path, seed: int, fault: str | None = None,
                      villages: Sequence[str] = ("Thôn Một", "Thôn Hai", "Thôn Ba"),
                      voice: Voice = Voice()) -> FilledFigures:
    """``synthetic.fill_outline`` without python-docx: same seed, same figures, same reading."""
    cells, filled = synthetic_cells(seed, fault, villages, voice)
    data = Path(blank_path).read_bytes()
    with zipfile.ZipFile(Path(blank_path)) as zf:
        document = fill_document_xml(zf.read("word/document.xml"), cells)
    write_form(Path(out_path), _repack(data, {"word/document.xml": document}))
    return filled


def write_form(out_path: Path, data: bytes) -> None:
    """``data`` at ``out_path`` by a rename (a reader never sees half a form)."""
    partial = out_path.with_name(f".{out_path.name}.partial")  # the inbox sweep skips both
    partial.write_bytes(data)
    os.replace(partial, out_path)  # no fsync: a synthetic commune's upload, made again at will


Member = tuple[str, int, int, int, int, int]  # name, header offset, method, CRC, packed, size


def members(data: bytes) -> list[Member] | None:
    """The parts of the zip ``data`` as ``zipfile`` lists them, read from its central directory;
    None for anything but a plain zip (a comment, ZIP64, extra fields, encryption, odd names)."""
    end = len(data) - _END.size
    if end < 0 or data[end:end + 4] != b"PK\x05\x06":
        return None
    _, disk, start_disk, here, total, size, offset, comment = _END.unpack_from(data, end)
    if disk or start_disk or here != total or comment or offset + size != end:
        return None
    out, at = [], offset
    for _ in range(total):
        if at + _CENTRAL.size > end:
            return None
        head = _CENTRAL.unpack_from(data, at)
        sig, flags, method, crc, packed, length, n, extra, remark, local = (
            head[0], head[3], head[4], head[7], head[8], head[9], head[10], head[11], head[12], head[16])
        name = data[at + _CENTRAL.size:at + _CENTRAL.size + n]
        if sig != 0x02014B50 or flags & 1 or extra or remark or not name.isascii() or b"\x00" in name \
                or 0xFFFFFFFF in (packed, length, local):
            return None
        out.append((name.decode(), local, method, crc, packed, length))
        at += _CENTRAL.size + n
    names = [m[0] for m in out]
    return out if at == end and len(set(names)) == len(names) else None


def member(data: bytes, parts: list[Member], name: str) -> bytes | None:
    """The part ``name`` unpacked and checked, None unless it is plainly stored or deflated."""
    found = [m for m in parts if m[0] == name]
    if not found:
        return None
    _, at, method, crc, packed, length = found[0]
    head = _LOCAL.unpack_from(data, at) if at + _LOCAL.size <= len(data) else None
    if head is None or head[0] != 0x04034B50 or head[2] & 1 or method not in (0, 8) \
            or data[at + 30:at + 30 + head[9]] != name.encode():
        return None
    start = at + 30 + head[9] + head[10]
    raw = data[start:start + packed]
    try:
        raw = zlib.decompress(raw, -15) if method == 8 else raw
    except zlib.error:
        return None
    return raw if len(raw) == length and zlib.crc32(raw) == crc else None


def _repack(data: bytes, replaced: dict[str, bytes], parts: list[Member] | None = None) -> bytes:
    """The zip ``data`` with ``replaced`` parts new and every other part's compressed bytes copied
    (``parts``: its ``members``, when the caller has them)."""
    import io

    if parts is None:
        parts = [(i.filename, i.header_offset, i.compress_type, i.CRC, i.compress_size, i.file_size)
                 for i in zipfile.ZipFile(io.BytesIO(data)).infolist()]
    body: list[bytes | memoryview] = []  # the pieces joined once: no growing copy of the form
    central: list[bytes] = []
    offset, whole = 0, memoryview(data)
    for filename, start, method, crc, packed_size, size in parts:
        name = filename.encode()
        packed: bytes | memoryview
        if filename in replaced:
            raw = replaced[filename]
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed = packer.compress(raw) + packer.flush()
            method, crc, size = zipfile.ZIP_DEFLATED, zlib.crc32(raw), len(raw)
        else:
            n, m = struct.unpack_from("<HH", data, start + 26)
            packed = whole[start + 30 + n + m: start + 30 + n + m + packed_size]
        body += (_LOCAL.pack(0x04034B50, 20, 0, method, 0, 0x21, crc, len(packed), size, len(name), 0),
                 name, packed)
        central += (_CENTRAL.pack(0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(packed), size,
                                  len(name), 0, 0, 0, 0, 0, offset), name)
        offset += _LOCAL.size + len(name) + len(packed)
    end = _END.pack(0x06054B50, 0, 0, len(parts), len(parts), sum(map(len, central)), offset, 0)
    return b"".join([*body, *central, end])
