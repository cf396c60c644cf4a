"""The container checks' and the table reader's shortcuts decide exactly as the plain ways they
replace: the row-count regex, the case-blind macro regex, ``find`` for cell spans, and matching a
header row every time."""

from __future__ import annotations

import random
import re

import pytest
from lxml import etree

from giamsat.collect import reader
from giamsat.collect import xml_reader as fast
from giamsat.docx import reading
from giamsat.docx.reading import Limits, check_rows
from giamsat.domain.errors import BadDocument

_MACRO_REGEX = re.compile(rb"vbaproject\.bin|macroenabled|" + re.escape("_VBA_PROJECT".encode("utf-16-le")),
                          re.IGNORECASE)  # what _has_macros searched with before
_PIECES = [b"<w:tr>", b"\xff\xfe", "<w:tr>".encode("utf-16-le"),
           b"<tr/>", b"<x:tr\t", b"</w:tr>", b"<w:trPr>", b"tr", b"<a:b:tr>", b"<w:tc>",
           b"<w:t>str</w:t>", b"<_q.-:tr ", b"<W:TR>", b"<w:tr", b"\x00", "tr".encode("utf-16-le")]


def _refusal(data: bytes, cap: int) -> str | None:
    try:
        check_rows(data, Limits(max_table_rows=cap))
    except BadDocument as exc:
        return f"{exc.code}: {exc}"
    return None


def _reference(data: bytes, cap: int) -> str | None:  # check_rows before its shortcut
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
        text = reading._xml_text(data)
        data = text.encode() if text is not None else b""
    rows = len(reading._ROW.findall(data))
    if rows <= cap:
        return None
    return (f"too_many_rows: Văn bản có {reading._dotted(rows)} dòng bảng, vượt quá giới hạn "
            f"{reading._dotted(cap)} dòng của biểu mẫu (thường do dán hoặc thêm dòng trống hàng loạt). "
            "Vui lòng xóa các dòng thừa và gửi lại.")


def test_the_row_count_refuses_exactly_what_the_regex_alone_refused():
    rng = random.Random(3)
    refused = 0
    for _ in range(3000):
        data = b"".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 60)))
        cap = rng.randint(0, 25)
        assert _refusal(data, cap) == _reference(data, cap), (data, cap)
        refused += _reference(data, cap) is not None
    assert 100 < refused < 2900  # both outcomes were tried, many times


def test_many_row_tags_still_count_exactly_past_the_shortcut():
    body = b"<w:tbl>" + b"<w:tr><w:tc/></w:tr>" * 2001 + b"</w:tbl>"
    assert _refusal(body, 2000) == _reference(body, 2000) is not None
    text = b"<w:t>" + b"tr " * 5000 + b"</w:t>"  # "tr" everywhere, no row: counted, not refused
    assert _refusal(text, 2000) is None


@pytest.mark.parametrize("seed", range(4))
def test_macro_signs_are_found_as_the_case_blind_regex_found_them(seed):
    rng = random.Random(seed)
    signs = [b"vbaProject.bin", b"VBAPROJECT.BIN", b"macroEnabled", b"MacroEnabled", b"vbaproject_bin",
             "_VBA_PROJECT".encode("utf-16-le"), "_vba_Project".encode("utf-16-le"), b"macro enabled",
             "_VBA_PROJECT".encode("utf-16-be"), b"\xc0vbaproject.bin", b"VbaProject.Bin"]
    for _ in range(2000):
        data = b"".join(rng.choice([*signs, bytes([rng.randrange(256)]) * rng.randint(1, 5)])
                        for _ in range(rng.randint(0, 6)))
        assert reading._has_macros(data, Limits()) == bool(_MACRO_REGEX.search(data)), data


W = fast.W


def _find_span(tc) -> int:  # what _span did before: lxml's find
    pr = tc.find(fast._TCPR)
    span = pr.find(fast._GRIDSPAN) if pr is not None else None
    if span is None:
        return 1
    value = span.get(fast._VAL, "")
    if not value.isascii() or not value.isdigit() or not 0 < int(value) < 100:
        raise fast.Unsupported("grid span")
    return int(value)


def test_cell_spans_are_the_ones_find_gives():
    rng = random.Random(5)
    kids = [f'<w:tcPr><w:gridSpan w:val="{v}"/></w:tcPr>' for v in ("2", "3", "0", "x", "150", "٣")]
    kids += ["<w:tcPr/>", "<w:p/>", "<!-- c -->", "<?pi x?>", '<w:gridSpan w:val="4"/>',
             '<w:tcPr><w:shd/><w:gridSpan w:val="5"/><w:gridSpan w:val="6"/></w:tcPr>',
             '<w:tcPr><!-- c --><w:gridSpan w:val="7"/></w:tcPr>', '<v:tcPr xmlns:v="urn:v"/>']
    for _ in range(2000):
        xml = f'<w:tc xmlns:w="{W[1:-1]}">' + "".join(rng.choice(kids) for _ in range(rng.randint(0, 4)))
        tc = etree.fromstring(xml + "</w:tc>")
        try:
            expected: object = _find_span(tc)
        except fast.Unsupported:
            expected = fast.Unsupported
        try:
            got: object = fast._span(tc)
        except fast.Unsupported:
            got = fast.Unsupported
        assert got == expected, xml


def test_a_header_row_is_matched_once_and_each_caller_gets_its_own_columns():
    from giamsat.domain.outline_spec import SECTIONS

    texts = [c.label for c in SECTIONS[1].columns]
    reader._matched.cache_clear()
    first = reader.match_header(texts)
    assert first is not None and first == reader._match(tuple(texts))
    first[1]["extra"] = 99  # a caller changing its columns changes nobody else's
    assert reader.match_header(list(texts)) == reader._match(tuple(texts))
    assert reader._matched.cache_info().hits == 1
    odd = [t.upper() + " " for t in texts] + ["x" * 3000]  # a long row: matched, not kept
    assert reader.match_header(odd) == reader._match(tuple(odd))
    assert reader._matched.cache_info().currsize == 1


def _walked_tables(body, max_tables: int, max_rows: int) -> list:  # fast.tables before its shortcut
    out = []
    for tbl in [t for t in body if t.tag == fast._TBL][:max_tables]:
        out.append(tbl)
        for tr in fast.rows(tbl)[:max_rows]:
            for tc in tr:
                if tc.tag == fast._TC:
                    out.extend([t for t in tc if t.tag == fast._TBL][:max_tables])
    return out[:max_tables]


def test_tables_without_a_table_inside_are_found_as_the_cell_walk_found_them():
    rng = random.Random(11)
    inner = ["<w:tbl/>", "<w:tbl><w:tr><w:tc><w:tbl/></w:tc></w:tr></w:tbl>", "<w:p/>", "<!-- c -->",
             "<w:tcPr/>", "<w:sdt><w:tbl/></w:sdt>", "<w:p><w:tbl/></w:p>"]

    def cell() -> str:
        return "<w:tc>" + "".join(rng.choice(inner) for _ in range(rng.randint(0, 2))) + "</w:tc>"

    def table() -> str:
        rows = "".join("<w:tr>" + "".join(cell() for _ in range(rng.randint(0, 3))) + "</w:tr>"
                       for _ in range(rng.randint(0, 3)))
        return f"<w:tbl>{rows}</w:tbl>"
    for _ in range(1500):
        parts = [rng.choice([table(), "<w:p/>", "<w:sdt/>"]) for _ in range(rng.randint(0, 4))]
        body = etree.fromstring(f'<w:body xmlns:w="{W[1:-1]}">' + "".join(parts) + "</w:body>")
        for caps in ((200, 2000), (2, 1), (1, 2)):
            assert fast.tables(body, *caps) == _walked_tables(body, *caps)


def test_a_cell_s_blanks_are_removed_as_the_blank_pattern_removed_them():
    from giamsat.domain import cells

    for cp in range(0x110000):
        for text in (f"1{chr(cp)}2", f"{chr(cp)}{chr(cp)}-3 "):
            assert "".join(text.split()) == cells._SPACES.sub("", text), hex(cp)
    assert cells.parse_whole("1\u202f234\u00a0\t") == 1234


def test_a_whole_number_s_digits_are_the_ones_the_digit_pattern_took():
    digits = re.compile(r"^\d+$")  # what parse_whole matched a body with before isdecimal
    for cp in range(0x110000):
        for body in (chr(cp), f"1{chr(cp)}", chr(cp) * 2):
            if "".join(body.split()) == body:  # parse_whole's body has no blanks left
                assert body.isdecimal() == bool(digits.match(body)), hex(cp)


def _xml_refusal(check, name: str, data: bytes) -> str | None:
    try:
        check(name, data)
    except BadDocument as exc:
        return f"{exc.code}: {exc}"
    return None


def _check_xml_part_on_text(name: str, data: bytes) -> None:  # check_xml_part before the bytes test
    if not (name.lower().endswith(reading._XML_NAMES) or
            data[:64].lstrip(b" \t\r\n").startswith(reading._XML_STARTS)):
        return
    text = reading._xml_text(data)
    declared = reading._ENCODING.match(text) if text is not None else None
    if text is None or (declared and declared.group(1).strip().lower().replace("_", "-")
                        not in ("utf-8", "utf8", "utf-16", "utf16")):
        raise BadDocument("xml_encoding", "x")
    if "<!" in text and reading._DECLARATION.search(text):
        raise BadDocument("xml_dtd", reading._DTD_REFUSED)


def test_a_dtd_is_found_on_the_bytes_exactly_where_it_was_found_on_the_text():
    rng = random.Random(8)
    texts = ["<", "!", "<!", "DOCTYPE", "<!ENTITY x>", "<!-- c -->", "ộ", "\u3c21", "\u213c", "\u0021",
             '<?xml version="1.0" encoding="UTF-8"?>', "<w:t>", " ", "\ufeff", "\U0001f600"]
    prefixes = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<", b"\x80", b"\xe1\xbb"]
    refused = set()
    for _ in range(20000):
        text = "".join(rng.choice(texts) for _ in range(rng.randint(0, 8)))
        codec = rng.choice(["utf-8", "utf-16-le", "utf-16-be", "utf-16"])
        data = rng.choice(prefixes) + text.encode(codec, "surrogatepass")
        if rng.random() < 0.1:
            data = data[:rng.randint(0, len(data))]
        for name in ("word/document.xml", "word/media/x.bin"):
            got = _xml_refusal(reading.check_xml_part, name, data)
            want = _xml_refusal(_check_xml_part_on_text, name, data)
            assert (got or "")[:8] == (want or "")[:8] and (got is None) == (want is None), data
            refused.add((got or "ok")[:8])
    assert refused == {"ok", "xml_dtd:", "xml_enco"}
