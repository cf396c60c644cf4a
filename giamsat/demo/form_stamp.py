"""Stamped synthetic forms: a blank outline's layout analysed once, each filled form joined from it.

Every unit's outline is one template stamped with the unit's name and code (``notify.outline``):
its section tables are the same bytes in every form, only a few texts around them differ. So the
lxml fill (``form_fill``) runs once per layout and row count, a marker as each cell's text, and its
filled tables are kept as byte pieces; a form is its own bytes around the tables and the pieces
joined with its escaped cell texts. Whatever cannot be proved to give lxml's bytes (a layout lxml
writes otherwise than it is, a changed text lxml would write otherwise or that a table's header
match reads, an odd cell text, an unusual zip) is filled the lxml way, so the output is the same.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import compress, count
from operator import ne
from pathlib import Path

from lxml import etree

from giamsat.collect import xml_reader as rx
from giamsat.demo import form_fill as ff
from giamsat.demo.synthetic import FilledFigures, Voice, synthetic_cells

Rows = ff.Rows

_TAG, _TEXT = re.compile(rb"<[^>]*>"), re.compile(rb">([^<]*)<")
_SKELETON, _MARK = re.compile(rb">[^<]*<"), re.compile("\ue000(\\d+)\ue001".encode())
_AS_LXML_WRITES = re.compile(rb"(?:[^&<>\r\x00-\x08\x0b\x0c\x0e-\x1f]|&amp;|&lt;|&gt;)*")
_ODD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PLAIN, _KEEP, _SPECIAL = b"<w:t>", b'<w:t xml:space="preserve">', re.compile(rb"[&<>\r]")
_MAX_LAYOUTS = 16  # layouts kept (a plan has one per validity start and unit kind)


def _spans(data: bytes, root: etree._Element) -> dict[etree._Element, tuple[int, int]] | None:
    """Each node of ``root`` -> its (start, end) in ``data``, the bytes lxml wrote or read it as."""
    starts: list[int] = []
    ends: list[int] = []
    stack: list[int] = []
    for m in _TAG.finditer(data):
        tag = m.group()
        if tag.startswith(b"</"):
            if not stack:
                return None
            ends[stack.pop()] = m.end()
        elif tag[1:2] not in (b"?", b"!") or stack:  # the prolog's declaration is no node
            starts.append(m.start())
            ends.append(m.end())
            if tag[1:2] not in (b"?", b"!") and not tag.endswith(b"/>"):
                stack.append(len(starts) - 1)
    nodes = list(root.iter())
    if stack or len(nodes) != len(starts):
        return None
    for node, at in zip(nodes, starts, strict=True):
        if isinstance(node.tag, str):
            name = (f"{node.prefix}:" if node.prefix else "") + etree.QName(node).localname
            end = at + 1 + len(name.encode())
            if data[at + 1:end] != name.encode() or data[end:end + 1] not in (b" ", b"/", b">"):
                return None
    return dict(zip(nodes, zip(starts, ends, strict=True), strict=True))


def _escaped(text: str) -> bytes:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;").encode())


@dataclass
class _Gap:
    """The blank's bytes between two section tables, and what of them a form may change."""

    raw: bytes
    skeleton: bytes
    texts: list[bytes]
    fixed: set[int]  # texts that must stay (the prolog's)
    rows: list[tuple[int, int, int, int, str | None, bytes, bytes]]  # header rows a match reads

    def fits(self, raw: bytes) -> bool:
        """Whether lxml writes a form's ``raw`` here as it is, no table matching otherwise."""
        if raw == self.raw:
            return True
        if _SKELETON.sub(b"><", raw) != self.skeleton:
            return False
        texts = _TEXT.findall(raw)
        if len(texts) != len(self.texts):
            return False
        changed = list(compress(count(), map(ne, texts, self.texts)))
        for j in changed:
            if j in self.fixed or _AS_LXML_WRITES.fullmatch(texts[j]) is None:
                return False
            if _ODD.search(texts[j].decode(errors="replace").replace("\ufffd", "\ufffe")):
                return False  # lxml refuses it (the replacement stands for invalid UTF-8)
        for lo, hi, start, end, key, head, tail in self.rows:
            if any(lo <= j < hi for j in changed):  # a header row changed: match it again
                shift = sum(len(texts[j]) - len(self.texts[j]) for j in changed if j < lo)
                grow = sum(len(texts[j]) - len(self.texts[j]) for j in changed if lo <= j < hi)
                try:
                    tbl = etree.fromstring(head + raw[start + shift:end + shift + grow] + tail, ff.PARSER)[0]
                except etree.XMLSyntaxError:
                    return False
                if ff.match_key(tbl) != key:
                    return False
        return True


@dataclass
class _Layout:
    """A blank's section tables (bytes and keys), the gaps around them, the pieces per shape."""

    blank: bytes
    tables: list[bytes]
    keys: list[str]
    gaps: list[_Gap]
    positions: dict[str, dict[str, int]]
    labels: list[str]
    pieces: dict[tuple, list[tuple[list[bytes], list[tuple[int, str]]]] | None] = field(default_factory=dict)

    def locate(self, document: bytes) -> list[bytes] | None:
        """``document``'s bytes around this layout's section tables, if it is one of its forms."""
        out, at = [], 0
        for k, table in enumerate(self.tables):
            start = document.find(table, at)
            if start < 0 or not self.gaps[k].fits(document[at:start]):
                return None
            out.append(document[at:start])
            at = start + len(table)
        if not self.gaps[-1].fits(document[at:]):
            return None
        return [*out, document[at:]]

    def join(self, gaps: list[bytes], cells: Rows) -> bytes | None:
        """The filled form: its gaps and the filled tables' pieces joined with the cell texts."""
        rows = ff.final_rows(cells, self.keys, self.labels)
        shape = tuple((k, tuple(tuple(c for c in r if c in self.positions[k]) for r in rows[k]))
                      for k in self.keys)
        if shape not in self.pieces:
            self.pieces[shape] = self._pieces(shape)
        pieces = self.pieces[shape]
        return None if pieces is None else _assemble(gaps, pieces, [rows[k] for k in self.keys])

    def _pieces(self, shape: tuple) -> list[tuple[list[bytes], list[tuple[int, str]]]] | None:
        """The filled tables of ``shape`` as byte pieces around each cell's run text."""
        slots = [(k, i, c) for k, rows in shape for i, cols in enumerate(rows) for c in cols]
        marks: Rows = {k: [{} for _ in rows] for k, rows in shape}
        for n, (k, i, c) in enumerate(slots):
            marks[k][i][c] = f"\ue000{n}\ue001"
        root, written = _filled(self.blank, marks)
        spans, found = _spans(written, root), ff.section_tables(root)
        if spans is None or sorted(found, key=lambda k: spans[found[k][0]]) != self.keys:
            return None
        out, at, gaps = [], 0, []
        for k in self.keys:
            start, end = spans[found[k][0]]
            gaps.append(written[at:start])
            parts = _MARK.split(written[start:end])
            segs, order = parts[0::2], [slots[int(n)][1:] for n in parts[1::2]]
            if not all(s.endswith(_PLAIN) for s in segs[:-1]):
                return None
            out.append(([s[:-len(_PLAIN)] for s in segs[:-1]] + segs[-1:], order))
            at = end
        if [*gaps, written[at:]] != [g.raw for g in self.gaps]:
            return None  # lxml writes the blank otherwise than it is: no stamping
        for text in (" \ue000 ", ""):  # the run's other forms: kept spaces, no text
            other = {k: [dict.fromkeys(r, text) for r in rows] for k, rows in marks.items()}
            mine = _assemble([g.raw for g in self.gaps], out, [other[k] for k in self.keys])
            if mine != _filled(self.blank, other)[1]:
                return None
        return out


def _analyse(blank: bytes) -> _Layout | None:
    """The layout of ``blank`` (a form's ``word/document.xml``), None if it cannot be stamped."""
    if "\ue000".encode() in blank:
        return None
    root = etree.fromstring(blank, ff.PARSER)
    spans, found = _spans(blank, root), ff.section_tables(root)
    if spans is None:
        return None
    keys = sorted(found, key=lambda k: spans[found[k][0]])
    cuts = [0, *(x for k in keys for x in spans[found[k][0]]), len(blank)]
    if cuts != sorted(cuts):
        return None
    bounds = list(zip(cuts[0::2], cuts[1::2], strict=True))
    rows: list[list] = [[] for _ in bounds]
    chosen = {found[k][0] for k in keys}
    root_tag = blank[spans[root][0]:spans[root][0] + _start_tag(blank, spans[root][0])]
    for tbl in rx.tables(rx.body_of(rx.DocxXml(root, None)), 200, 2000):
        trs = rx.rows(tbl)
        if tbl in chosen or not trs:
            continue
        start, end = spans[trs[0]]
        g = next((g for g, (a, b) in enumerate(bounds) if a <= start and end <= b), None)
        if g is None:
            continue  # inside a section table: its bytes are the same in every form
        if trs[0].nsmap != root.nsmap:
            return None
        head = root_tag + blank[spans[tbl][0]:spans[tbl][0] + _start_tag(blank, spans[tbl][0])]
        tail = f"</{_qname(tbl)}></{_qname(root)}>".encode()
        rows[g].append((start - bounds[g][0], end - bounds[g][0], ff.match_key(tbl), head, tail))
    gaps = []
    for (a, b), reads in zip(bounds, rows, strict=True):
        raw = blank[a:b]
        at = [m.start() for m in _TEXT.finditer(raw)]
        gaps.append(_Gap(raw, _SKELETON.sub(b"><", raw), _TEXT.findall(raw),
                         {j for j, p in enumerate(at) if a + p < spans[root][0]},
                         [(bisect_left(at, s), bisect_left(at, e - 1), s, e, key, head, tail)
                          for s, e, key, head, tail in reads]))
    labels = ff.criteria_labels(*found["CT"]) if "CT" in found else []
    return _Layout(blank, [blank[slice(*spans[found[k][0]])] for k in keys], keys, gaps,
                   {k: found[k][1] for k in keys}, labels)


def _start_tag(data: bytes, at: int) -> int:
    """The length of the start tag at ``at`` (its first ``>``: lxml writes none in a value)."""
    return data.index(b">", at) + 1 - at


def _qname(node: etree._Element) -> str:
    return (f"{node.prefix}:" if node.prefix else "") + etree.QName(node).localname


_LAYOUTS: list[_Layout] = []
_REFUSED: set[bytes] = set()  # the skeletons of blanks that cannot be stamped


def stamped_xml(document: bytes, cells: Rows) -> bytes | None:
    """``fill_document_xml(document, cells)``'s bytes joined from the layout's pieces; None when
    this form cannot be proved to give them (the caller then fills it the lxml way)."""
    if _ODD.search("".join([t for rows in cells.values() for r in rows for t in r.values()])):
        return None  # lxml refuses such a text: the lxml way raises as it does
    for known in _LAYOUTS:
        if (gaps := known.locate(document)) is not None:
            return known.join(gaps, cells)
    if len(_LAYOUTS) >= _MAX_LAYOUTS or len(_REFUSED) >= _MAX_LAYOUTS:
        return None
    skeleton = _SKELETON.sub(b"><", document)
    if skeleton in _REFUSED:
        return None
    layout: _Layout | None
    try:
        layout = _analyse(document)
    except (etree.LxmlError, rx.Unsupported, LookupError, ValueError):
        layout = None  # the lxml way raises the reference's error for it
    gaps = layout.locate(document) if layout is not None else None
    out = layout.join(gaps, cells) if layout is not None and gaps is not None else None
    if layout is None or out is None:
        _REFUSED.add(skeleton)
        return None
    _LAYOUTS.append(layout)
    return out


def _filled(blank: bytes, rows: Rows) -> tuple[etree._Element, bytes]:
    """``blank`` filled the lxml way with ``rows`` as written (the criteria's answers picked)."""
    root = etree.fromstring(blank, ff.PARSER)
    ff.fill_tables(ff.section_tables(root), rows)
    return root, ff.serialise(root)


def _assemble(gaps: list[bytes], pieces: list[tuple[list[bytes], list[tuple[int, str]]]],
              rows: list[list[dict[str, str]]]) -> bytes:
    """The gaps and each table's pieces joined with its cell texts, as lxml writes them."""
    out: list[bytes] = []
    for gap, (segs, order), table in zip(gaps, pieces, rows, strict=False):
        out.append(gap)
        out.append(segs[0])
        for (i, key), seg in zip(order, segs[1:], strict=True):
            text = table[i][key]
            raw = text.encode()
            out.extend((_KEEP if text != text.strip() else _PLAIN,
                        _escaped(text) if _SPECIAL.search(raw) else raw, seg))
    out.append(gaps[-1])
    return b"".join(out)


def fill_outline_stamped(blank_path: Path, out_path: Path, seed: int, fault: str | None = None,
                         villages: Sequence[str] = ("Thôn Một", "Thôn Hai", "Thôn Ba"),
                         voice: Voice = Voice()) -> FilledFigures:
    """``form_fill.fill_outline_fast``'s file, byte for byte, without parsing the form."""
    cells, filled = synthetic_cells(seed, fault, villages, voice)
    data = Path(blank_path).read_bytes()
    parts = ff.members(data)
    blank = ff.member(data, parts, "word/document.xml") if parts is not None else None
    document = stamped_xml(blank, cells) if blank is not None else None
    if parts is None or document is None:
        return ff.fill_outline_fast(blank_path, out_path, seed, fault, villages, voice)
    ff.write_form(Path(out_path), ff._repack(data, {"word/document.xml": document}, parts))
    return filled
