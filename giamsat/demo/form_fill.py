"""Fill a blank outline fast: the synthetic filler's text written into the form's XML directly.

``giamsat.demo.synthetic.fill_outline`` opens the form with python-docx (~60 ms a unit); a province or
the whole country needs hundreds to thousands of filled forms. Here the form's
``word/document.xml`` is parsed once with lxml, the section tables get the same cell texts (a run
in the same font as python-docx's ``set_run_font(size=10)`` writes), and the package is written
with every other part copied as it was compressed. What ``read_report`` reads from the result is
what it reads from ``fill_outline``'s file (a test compares them).
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
from giamsat.domain.outline_spec import SECTIONS

_PARSER = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


@cache
def _run_template() -> etree._Element:
    """A run formatted as the slow filler formats it (python-docx builds it once)."""
    from docx import Document

    from giamsat.docx.decree30 import set_run_font

    run = Document().add_paragraph().add_run("x")
    set_run_font(run, size=10)
    return etree.fromstring(etree.tostring(run._element), _PARSER)


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


def fill_document_xml(document: bytes, cells: dict[str, list[dict[str, str]]]) -> bytes:
    """``word/document.xml`` with each section table's rows holding ``cells``."""
    root = etree.fromstring(document, _PARSER)
    body = rx.body_of(rx.DocxXml(root, None))
    found = {}
    for tbl in rx.tables(body, 200, 2000):
        trs = rx.rows(tbl)
        matched = match_header([rx.cell_text(tc) for tc in rx.row_cells(trs[0])]) if trs else None
        if matched is not None and matched[0].key not in found:
            found[matched[0].key] = (tbl, matched[1])
    for section in SECTIONS:
        if section.key not in found:
            continue  # a plan whose outline asks no criteria has no criteria table
        tbl, positions = found[section.key]
        rows = cells[section.key]
        trs = rx.rows(tbl)
        if section.key == "CT":
            rows = criteria_cells(rows, [rx.cell_text(rx.row_cells(tr)[positions["criterion"]])
                                         for tr in trs[1:]])
        while len(trs) - 1 < len(rows):
            trs[-1].addnext(_blank_row(trs[-1]))
            trs = rx.rows(tbl)
        for i, values in enumerate(rows):
            tcs = rx.row_cells(trs[i + 1])
            for key, text in values.items():
                if key in positions:
                    _set_text(tcs[positions[key]], text)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def fill_outline_fast(blank_path: Path, out_path: Path, seed: int, fault: str | None = None,
                      villages: Sequence[str] = ("Thôn Một", "Thôn Hai", "Thôn Ba"),
                      voice: Voice = Voice()) -> FilledFigures:
    """``synthetic.fill_outline`` without python-docx: same seed, same figures, same reading."""
    cells, filled = synthetic_cells(seed, fault, villages, voice)
    data = Path(blank_path).read_bytes()
    with zipfile.ZipFile(Path(blank_path)) as zf:
        document = fill_document_xml(zf.read("word/document.xml"), cells)
    out_path = Path(out_path)
    partial = out_path.with_name(f".{out_path.name}.partial")  # the inbox sweep skips both
    partial.write_bytes(_repack(data, {"word/document.xml": document}))
    os.replace(partial, out_path)  # no fsync: a synthetic commune's upload, made again at will
    return filled


def _repack(data: bytes, replaced: dict[str, bytes]) -> bytes:
    """The zip ``data`` with ``replaced`` parts new and every other part's compressed bytes copied."""
    import io

    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    body, central = bytearray(), bytearray()
    for info in infos:
        name = info.filename.encode()
        if info.filename in replaced:
            raw = replaced[info.filename]
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed = packer.compress(raw) + packer.flush()
            method, crc, size = zipfile.ZIP_DEFLATED, zlib.crc32(raw), len(raw)
        else:
            start = info.header_offset
            n, m = struct.unpack_from("<HH", data, start + 26)
            packed = data[start + 30 + n + m: start + 30 + n + m + info.compress_size]
            method, crc, size = info.compress_type, info.CRC, info.file_size
        offset = len(body)
        body += _LOCAL.pack(0x04034B50, 20, 0, method, 0, 0x21, crc, len(packed), size, len(name), 0)
        body += name + packed
        central += _CENTRAL.pack(0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(packed), size,
                                 len(name), 0, 0, 0, 0, 0, offset) + name
    end = _END.pack(0x06054B50, 0, 0, len(infos), len(infos), len(central), len(body), 0)
    return bytes(body + central + end)
