"""The stamped filler writes every form byte for byte as the lxml filler does, parsing no form.

The reference below is the lxml filler as it was before the stamped one (``form_fill`` at e9595f8),
kept verbatim so a change to the shared lxml helpers cannot hide a difference.
"""

from __future__ import annotations

import copy
import io
import zipfile

import pytest
from lxml import etree

from giamsat.collect import xml_reader as rx
from giamsat.collect.reader import match_header, read_report
from giamsat.demo import form_fill as ff
from giamsat.demo import form_stamp as fs
from giamsat.demo.synthetic import FAULTS, Voice, criteria_cells, synthetic_cells
from giamsat.domain.outline_spec import SECTIONS
from giamsat.notify.outline import outline_stamp, outline_values, render_outline

_PARSER = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
ODD_TEXTS = ["a < b & c > d", "  lề trái", "lề phải  ", " ", "", "Xã Hải Đường — “ngoặc” 'đơn' \"kép\"",
             "&amp; đã thoát", "tab\tvà\ndòng", "cr\rlf", "\u00a0không ngắt\u00a0", "Ỷ ỹ Ỵ ỵ Ẵ ẵ",
             "]]> <![CDATA[", "<w:t>giả</w:t>", "emoji 🌾"]


def _reference_run() -> etree._Element:
    from docx import Document

    from giamsat.docx.decree30 import set_run_font

    run = Document().add_paragraph().add_run("x")
    set_run_font(run, size=10)
    return etree.fromstring(etree.tostring(run._element), _PARSER)


RUN = _reference_run()


def _ref_set_text(tc: etree._Element, text: str) -> None:
    par = next((p for p in tc if p.tag == rx._P), None)
    if par is None:
        par = etree.SubElement(tc, rx._P)
    for r in [r for r in par if r.tag == rx._R]:
        par.remove(r)
    run = copy.deepcopy(RUN)
    t = run.find(rx._T)
    t.text = text
    if text != text.strip():
        t.set(_SPACE, "preserve")
    par.append(run)


def _ref_blank_row(like: etree._Element) -> etree._Element:
    row = copy.deepcopy(like)
    for tc in row:
        if tc.tag == rx._TC:
            for p in [p for p in tc if p.tag == rx._P]:
                for r in [r for r in p if r.tag in (rx._R, rx._HYPERLINK)]:
                    p.remove(r)
    return row


def reference_xml(document: bytes, cells: dict[str, list[dict[str, str]]]) -> bytes:
    """``form_fill.fill_document_xml`` as it was (e9595f8), verbatim."""
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
            continue
        tbl, positions = found[section.key]
        rows = cells[section.key]
        trs = rx.rows(tbl)
        if section.key == "CT":
            rows = criteria_cells(rows, [rx.cell_text(rx.row_cells(tr)[positions["criterion"]])
                                         for tr in trs[1:]])
        while len(trs) - 1 < len(rows):
            trs[-1].addnext(_ref_blank_row(trs[-1]))
            trs = rx.rows(tbl)
        for i, values in enumerate(rows):
            tcs = rx.row_cells(trs[i + 1])
            for key, text in values.items():
                if key in positions:
                    _ref_set_text(tcs[positions[key]], text)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


@pytest.fixture(autouse=True)
def fresh_layouts(monkeypatch):
    """Each test learns its layouts anew (none kept from another test)."""
    monkeypatch.setattr(fs, "_LAYOUTS", [])
    monkeypatch.setattr(fs, "_REFUSED", set())


def _document(docx: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml")


@pytest.fixture(scope="module")
def stamped_blanks(plan):
    """Outlines as notify stamps them: the plan's units, and units with hostile names."""
    stamp = outline_stamp(plan, plan.units[0].valid_from, plan.cycle_key, plan.units[0])
    units = list(plan.units)
    for i, name in enumerate(("Xã <Một> & Hai", 'Xã "Ngoặc" ', "  Xã Lề  ", "Phường Đông Hưng Thuận",
                              "Xã Ỷ La — Ẵ", "Xã Nội dung mục C")):
        units.append(units[i].model_copy(update={"name": name, "code": f"9990{i}"}))
    return [(u, _document(stamp.fill(outline_values(u)))) for u in units]


def _cells(seed: int, fault: str | None, texts: list[str] | None = None, voice: Voice = Voice()):
    cells, _ = synthetic_cells(seed, fault, ("Thôn Một", "Thôn Hai"), voice)
    if texts:  # hostile texts in every text cell, in turn
        for rows in cells.values():
            for n, row in enumerate(rows):
                for key in row:
                    if key not in ("pick",):
                        row[key] = texts[(seed + n + len(key)) % len(texts)]
    return cells


def test_stamped_forms_are_the_lxml_forms_byte_for_byte(stamped_blanks):
    calls = []
    faults = [None, *FAULTS]
    for n, (_, blank) in enumerate(stamped_blanks):
        for seed in (n, 1000 + n):
            cells = _cells(seed, faults[seed % len(faults)],
                           voice=Voice(village=bool(seed % 2), component=f"Dự án <{seed}> & 2"))
            out = fs.stamped_xml(blank, cells)
            calls.append(out is not None)
            lxml = ff.fill_document_xml(blank, cells)
            assert (out if out is not None else lxml) == lxml == reference_xml(blank, cells)
    # every form but those whose name lxml writes otherwise (a quote the stamp escapes) is stamped
    assert calls.count(False) == 2 and len(fs._LAYOUTS) == 1


def test_hostile_cell_texts_are_escaped_as_lxml_escapes_them(stamped_blanks):
    for seed in range(40):
        blank = stamped_blanks[seed % len(stamped_blanks)][1]
        cells = _cells(seed, None, ODD_TEXTS)
        out = fs.stamped_xml(blank, cells)
        assert out is None or out == reference_xml(blank, cells)
        assert out is not None or b"&quot;" in blank


def test_a_text_lxml_refuses_is_refused_the_same_way(stamped_blanks):
    blank = stamped_blanks[0][1]
    cells = _cells(1, None, ["điều khiển \x01"])
    assert fs.stamped_xml(blank, cells) is None
    with pytest.raises(ValueError):
        reference_xml(blank, cells)
    with pytest.raises(ValueError):
        ff.fill_document_xml(blank, cells)


def test_a_header_that_comes_to_match_a_section_is_filled_as_lxml_fills_it(stamped_blanks):
    cells = _cells(3, None)
    blank = stamped_blanks[0][1]
    assert fs.stamped_xml(blank, cells) == reference_xml(blank, cells)
    # the header's two lines now read "Nội dung mục C": the lxml filler takes it as section C's table
    upper = stamped_blanks[0][0].name.upper()
    odd = (blank.decode().replace("UBND HUYỆN VỤ BẢN", "", 1).replace("Số: …/BC-UBND", "", 1)
           .replace(f"ỦY BAN NHÂN DÂN {upper}", "NỘI DUNG MỤC C", 1).encode())
    assert odd != blank and reference_xml(odd, cells) != reference_xml(blank, cells)
    out = fs.stamped_xml(odd, cells)
    assert out == reference_xml(odd, cells)


def test_a_blank_lxml_would_rewrite_is_filled_the_lxml_way(stamped_blanks):
    blank = stamped_blanks[1][1]
    cells = _cells(5, None)
    rewritten = blank.replace(b"<w:t>", b"<w:t >", 3)  # same tree, other bytes
    assert fs.stamped_xml(rewritten, cells) is None
    entity = blank.replace("Số:".encode(), b"S&#7889;:", 1)
    assert entity != blank
    fs.stamped_xml(blank, cells)  # the layout known: the form differs only in a text lxml rewrites
    assert fs.stamped_xml(entity, cells) is None
    assert ff.fill_document_xml(entity, cells) == reference_xml(entity, cells)


def test_each_layout_is_analysed_once_and_no_form_is_parsed(stamped_blanks, monkeypatch):
    analysed, parsed = [], []
    analyse, fromstring = fs._analyse, fs.etree.fromstring
    monkeypatch.setattr(fs, "_analyse", lambda blank: analysed.append(1) or analyse(blank))
    for n in range(12):  # the row counts these seeds write, learnt once
        fs.stamped_xml(stamped_blanks[0][1], _cells(n, None))
    monkeypatch.setattr(fs.etree, "fromstring", lambda *a: parsed.append(len(a[0])) or fromstring(*a))
    for n, (_, blank) in enumerate(stamped_blanks[:12]):
        assert fs.stamped_xml(blank, _cells(n, None)) is not None
    assert analysed == [1]
    assert all(size < 10_000 for size in parsed)  # at most a header row, matched again


@pytest.mark.parametrize("seed", [1, 2, 7])
def test_the_stamped_file_is_the_lxml_file(plan, tmp_path, seed):
    for unit in (plan.units[2], plan.units[5]):  # a python-docx outline, and a stamped one
        blank = tmp_path / f"blank-{unit.code}.docx"
        render_outline(plan, unit, blank, plan.cycle_key)
        stamped = tmp_path / f"stamp-{unit.code}.docx"
        stamp = outline_stamp(plan, unit.valid_from, plan.cycle_key, unit)
        stamped.write_bytes(stamp.fill(outline_values(unit)))
        for path in (blank, stamped):
            for fault in (None, "missing_narrative"):
                a = ff.fill_outline_fast(path, tmp_path / "lxml.docx", seed, fault, unit.villages)
                b = fs.fill_outline_stamped(path, tmp_path / "stamped.docx", seed, fault, unit.villages)
                assert a == b
                assert (tmp_path / "lxml.docx").read_bytes() == (tmp_path / "stamped.docx").read_bytes()
                read = read_report(tmp_path / "stamped.docx")
                assert read.tables == read_report(tmp_path / "lxml.docx").tables
    assert fs._LAYOUTS


def test_the_zip_is_read_as_zipfile_reads_it(stamped_blanks, tmp_path, plan):
    unit = plan.units[3]
    data = outline_stamp(plan, unit.valid_from, plan.cycle_key, unit).fill(outline_values(unit))
    parts = ff.members(data)
    listed = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert parts == [(i.filename, i.header_offset, i.compress_type, i.CRC, i.compress_size, i.file_size)
                     for i in listed]
    for info in listed:
        assert ff.member(data, parts, info.filename) == zipfile.ZipFile(io.BytesIO(data)).read(info)
    new = {"word/document.xml": b"<x/>"}
    assert ff._repack(data, new, parts) == ff._repack(data, new)
    with_comment = io.BytesIO()
    with zipfile.ZipFile(with_comment, "w") as zf:
        zf.writestr("word/document.xml", _document(data))
        zf.comment = b"note"
    assert ff.members(with_comment.getvalue()) is None
    broken = bytearray(data)
    at = parts[[p[0] for p in parts].index("word/document.xml")][1]
    broken[at + 40] ^= 0xFF  # inside the part's name: not the part the directory names
    assert ff.member(bytes(broken), parts, "word/document.xml") is None
    # an unusual zip is filled the lxml way, to the same file
    odd = tmp_path / "odd.docx"
    odd.write_bytes(with_comment.getvalue())
    a = ff.fill_outline_fast(odd, tmp_path / "a.docx", 4)
    assert fs.fill_outline_stamped(odd, tmp_path / "b.docx", 4) == a
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()
