"""The document fast paths against what they replaced: the same bytes for the same input.

Each ``_before`` function is the code as it was before the fast path (kept here as the reference):
a long table's rows, a stamped unit's file, the XML escapes.
"""

from __future__ import annotations

import io
import random
import zipfile
import zlib

import pytest

from giamsat.docx import decree30, stamp, streamed_rows, table_layout
from giamsat.docx.body_stamp import BodyStamp
from giamsat.docx.decree30 import OfficialDocument
from giamsat.docx.streamed_rows import ESCAPES, bare

NASTY = ["", " ", "a", "1.234", "94,4%", "-", "&", "<b>", "\"q\"", "%s", "%%", "{0}", "{}", "\x00",
         "a\x00b", "\u00a0lề", "lề\u2003", "giữa\u2003chữ", "\x0b", "\x1c", "a\tb", "dòng\nhai",
         "Xã Số 1 (tổng hợp)", "GIAMSATCELL3X", "GIAMSATCELL", "Phường <&> 'x'", "\U0001F600"]


def _cell(rnd: random.Random) -> object:
    pick = rnd.random()
    if pick < 0.1:
        return None
    if pick < 0.25:
        return rnd.choice([0, 7, 1234, -5, 2.5, 1e20])
    return "".join(rnd.choice(NASTY) for _ in range(rnd.randint(0, 3)))


def _rows_before(rows, build, shape_of):
    """``streamed_rows._rows_xml`` before the fast path (a translate and a test a cell)."""
    plain = streamed_rows._plain
    templates: dict = {}
    for i, row in enumerate(rows):
        texts = ["" if v is None else str(v) for v in row]
        if i == len(rows) - 2:
            tr = build(row, shape_of(row))
            streamed_rows.keep_with_next_row(tr)
            yield bare(streamed_rows.etree.tostring(tr, encoding="utf-8"))
            continue
        if any(t and not plain(t) for t in texts) or any("GIAMSATCELLX" in t for t in texts):
            yield bare(streamed_rows.etree.tostring(build(row, shape_of(row)), encoding="utf-8"))
            continue
        kinds = shape_of(row)
        shape = (kinds, tuple(bool(t) for t in texts))
        if shape not in templates:
            tokens = [f"GIAMSATCELL{k}X" if t else t for k, t in enumerate(texts)]
            xml = bare(streamed_rows.etree.tostring(build(tokens, kinds), encoding="utf-8")).decode()
            templates[shape] = streamed_rows._CELL.split(xml)
        cut = templates[shape]
        out = [cut[0]]
        for k in range(1, len(cut), 2):
            out += [texts[int(cut[k])].translate(ESCAPES), cut[k + 1]]
        yield "".join(out).encode("utf-8")


def _table_args(monkeypatch, headers: list[str]):
    """The ``build`` and ``shape_of`` a report table hands to ``StreamedRows.defer``."""
    seen = {}
    monkeypatch.setattr(decree30, "STREAM_ROWS", 0)
    monkeypatch.setattr(streamed_rows.StreamedRows, "defer",
                        lambda self, tbl, rows, build, shape_of: seen.update(build=build, shape=shape_of))
    doc = OfficialDocument(parent_body=None, issuing_body="UBND", number_line="Số: 1", place_date="Nơi")
    doc.table(headers, [["1"] * len(headers)], size=11)
    return seen["build"], seen["shape"]


def _outcome(rows, build, shape, rows_xml):
    """Each row's bytes, or the error it raises (a text lxml refuses), built alone between two rows."""
    out = []
    for row in rows:
        try:
            out.append(next(rows_xml([row, ["0"] * len(row), ["0"] * len(row)], build, shape)))
        except ValueError as exc:
            out.append(type(exc))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_long_table_rows_are_the_bytes_the_former_code_wrote(monkeypatch, seed):
    headers = ["TT", "Đơn vị", "Số hộ", "Tỷ lệ", "Ghi chú"]
    rnd = random.Random(seed)
    odd = [[str(i), *(_cell(rnd) for _ in range(4))] for i in range(300)]
    rows = [[str(i), f"Xã Số {i} (tổng hợp)", i * 7, f"{i},5" if i % 3 else None, "Đạt & <x> 5%"]
            for i in range(300)]
    build, shape = _table_args(monkeypatch, headers)
    before = list(_rows_before(rows, build, shape)), _outcome(odd, build, shape, _rows_before)
    build, shape = _table_args(monkeypatch, headers)
    after = list(streamed_rows._rows_xml(rows, build, shape)), _outcome(odd, build, shape,
                                                                         streamed_rows._rows_xml)
    assert after == before


def test_a_row_is_odd_exactly_when_one_of_its_texts_is(monkeypatch):
    rnd = random.Random(7)
    for _ in range(3000):
        texts = ["" if (c := _cell(rnd)) is None else str(c) for _ in range(rnd.randint(1, 6))]
        odd, escaped = streamed_rows._odd(texts)
        assert odd == (any(t and not streamed_rows._plain(t) for t in texts)
                       or any("GIAMSATCELLX" in t for t in texts))
        if not odd:
            assert escaped == [t.translate(ESCAPES).encode() for t in texts]


def test_escapes_are_the_former_translations():
    rnd = random.Random(5)
    for _ in range(2000):
        text = "".join(rnd.choice(NASTY) for _ in range(rnd.randint(0, 6)))
        assert streamed_rows.escape(text) == text.translate(ESCAPES)
        assert stamp.xml_escape(text) == text.translate(stamp._ESCAPES)


def test_streamed_paragraphs_are_the_paragraphs_python_docx_builds():
    doc = OfficialDocument(parent_body=None, issuing_body="UBND", number_line="Số: 1", place_date="Nơi")
    body = BodyStamp(doc.doc)
    for text in ["Xã Số 1 (báo cáo ngày 02/4/2024)", "C. <họp> & \"triển khai\" 100%", "%s {0}", "a"]:
        fast = body.xml("look", text, lambda t: doc._para(t, False, False, True, 14))
        slow = doc._para(text, False, False, True, 14)
        slow._p.getparent().remove(slow._p)
        assert fast == bare(streamed_rows.etree.tostring(slow._p, encoding="utf-8"))


def _fill_before(st: stamp.Stamp, values: dict[str, str]) -> bytes:
    """``Stamp.fill`` before the fast path: a CRC pass over every piece, a compressor a value."""
    escaped = {t: v.translate(stamp._ESCAPES).encode("utf-8") for t, v in values.items()}
    out, central, offset = io.BytesIO(), [], 0
    for part in st.parts:
        if part.packed is not None:
            packed, crc, size = part.packed, part.crc, part.size
        else:
            crc = size = 0
            for p in part.pieces:
                data = p if isinstance(p, bytes) else escaped[p]
                crc, size = zlib.crc32(data, crc), size + len(data)
            packed = b"".join([*(p if isinstance(p, bytes) else stamp._deflate(escaped[p], zlib.Z_SYNC_FLUSH)
                                 for p in part.packed_pieces), stamp._LAST_BLOCK])
        head = (20, 0, zipfile.ZIP_DEFLATED, 0, stamp._DOS_DATE, crc, len(packed), size)
        out.write(stamp._LOCAL.pack(0x04034B50, *head, len(part.name), 0) + part.name + packed)
        central.append(stamp._CENTRAL.pack(0x02014B50, 20, *head, len(part.name), 0, 0, 0, 0, 0, offset)
                       + part.name)
        offset = out.tell()
    directory = b"".join(central)
    out.write(directory + stamp._END.pack(0x06054B50, 0, 0, len(central), len(central), len(directory),
                                          offset, 0))
    return out.getvalue()


def _template() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document>" + "<w:p>đoạn văn bản dài</w:p>" * 800
                    + "<w:t>TOKNAME</w:t>" + "<w:p/>" * 300 + "<w:t>TOKCODE TOKNAME</w:t></w:document>")
        zf.writestr("docProps/core.xml", "<dc:title>TOKNAME</dc:title>")
        zf.writestr("word/styles.xml", "<w:styles>" + "<w:style/>" * 2000 + "</w:styles>")
        zf.writestr("docProps/thumbnail.jpeg", bytes(range(256)) * 4)
    return buf.getvalue()


def test_a_stamped_file_is_the_bytes_the_former_fill_wrote():
    st = stamp.Stamp(_template(), ["TOKNAME", "TOKCODE"])
    rnd = random.Random(3)
    for _ in range(200):
        values = {t: "".join(rnd.choice(NASTY[:-1]) for _ in range(rnd.randint(0, 5)))
                  for t in ("TOKNAME", "TOKCODE")}
        data = st.fill(values)
        assert data == _fill_before(st, values)
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert zf.testzip() is None


def test_the_crc_shift_tables_give_zlibs_crc_for_any_start():
    rnd = random.Random(11)
    for size in (0, 1, 7, 300, 5000):
        piece = rnd.randbytes(size)
        shift = stamp._crc_shift(piece)
        for start in [0, 1, 0xFFFFFFFF, *(rnd.getrandbits(32) for _ in range(50))]:
            assert stamp._crc_after(start, shift) == zlib.crc32(piece, start)


def test_documents_are_built_with_the_collector_paused_then_restored():
    import gc

    from giamsat.docx.render import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the outer one restores it
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError
    assert gc.isenabled()


def test_a_tables_remembered_alignments_are_the_rule_for_every_value(monkeypatch):
    """``table``'s shape remembers each value's alignment; repeated, equal-but-different
    (1, 1.0, True, "1") and unhashable values all get what ``looks_numeric`` says."""
    headers = ["TT", "Đơn vị", "Số hộ", "Tỷ lệ"]
    _, shape = _table_args(monkeypatch, headers)
    rnd = random.Random(7)
    values = [*NASTY, None, 0, 1, 1.0, True, "1", "1,0", 2.5, ["1"], {"a": 1}]
    rows = [[str(i), *(rnd.choice(values) for _ in range(3))] for i in range(2000)]
    rule = [("C", *("R" if isinstance(v, int | float) or table_layout.looks_numeric(v) else "L"
                    for v in row[1:])) for row in rows]
    assert [shape(row) for row in rows] == rule
    assert [shape(row) for row in rows] == rule  # the second time from what it remembered
