"""Very long tables written straight to the file: the rows never enter the document tree.

A report on the whole country has annex tables of tens of thousands of rows; as python-docx
elements they take gigabytes. A long table keeps only its header in the tree and an XML comment
where its rows go; each row shape is built once (python-docx, in a scratch table) and serialised
with placeholder texts. When the document is saved, ``word/document.xml`` is written in pieces:
the text before each comment, then that table's rows one at a time, so memory stays bounded.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from pathlib import Path

from lxml import etree

from giamsat.docx.table_layout import keep_with_next_row
from giamsat.files.fsutil import atomic_write

_TOKEN = "GIAMSATCELL{}X"
_SECT_PR = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}sectPr"
_NSDECL = re.compile(rb' xmlns:\w+="[^"]*"')
ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}  # text in an element
_CELL = re.compile(r"GIAMSATCELL(\d+)X")
_ANY_TOKEN = _TOKEN.format("")
BATCH_BYTES = 1 << 18  # rows are handed to the zip stream in pieces of about this size


class StreamedRows:
    """The long tables of one document: their rows, rendered at save time."""

    def __init__(self) -> None:
        self.tables: list[Iterator[bytes]] = []

    def defer(self, tbl: etree._Element, rows: Sequence[Sequence[object]],
              build: Callable[[Sequence[object], tuple], etree._Element],
              shape_of: Callable[[Sequence[object]], tuple]) -> None:
        """Leave ``rows`` out of ``tbl``; ``build(values, shape)`` makes one row the slow way."""
        tbl.append(etree.Comment(f"giamsat-rows:{len(self.tables)}"))
        self.tables.append(_rows_xml(rows, build, shape_of))

    def defer_body(self, body: etree._Element, paragraphs: Iterator[bytes]) -> None:
        """Leave body paragraphs out of the tree: ``paragraphs`` yields their XML when saving."""
        marker = etree.Comment(f"giamsat-rows:{len(self.tables)}")
        last = body[-1]  # the section properties stay last
        if last.tag == _SECT_PR:
            last.addprevious(marker)
        else:
            body.append(marker)
        self.tables.append(paragraphs)

    def save(self, docx: bytes, path: Path) -> Path:
        """Write ``docx`` (saved by python-docx) to ``path`` with every deferred table's rows."""
        with zipfile.ZipFile(io.BytesIO(docx)) as src, atomic_write(Path(path)) as out, \
                zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                if info.filename != "word/document.xml":
                    dst.writestr(info, src.read(info.filename))
                    continue
                entry = zipfile.ZipInfo("word/document.xml", info.date_time)
                entry.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(entry, "w", force_zip64=True) as part:
                    self._expand(src.read(info.filename), part)
        return Path(path)

    def _expand(self, xml: bytes, part) -> None:
        pieces = re.split(rb"<!--giamsat-rows:(\d+)-->", xml)
        part.write(pieces[0])
        for i in range(1, len(pieces), 2):
            batch: list[bytes] = []
            size = 0
            for row in self.tables[int(pieces[i])]:  # written a batch at a time, not a row
                batch.append(row)
                size += len(row)
                if size >= BATCH_BYTES:
                    part.write(b"".join(batch))
                    batch, size = [], 0
            part.write(b"".join(batch) + pieces[i + 1])


def _plain(text: str) -> bool:
    return bool(text) and text == text.strip() and not any(c in text for c in "\t\n\r")


def escape(text: str) -> str:
    """``text.translate(ESCAPES)``, faster: three scans in C instead of a mapping per character."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _odd(texts: list[str]) -> tuple[bool, list[bytes]]:
    """Whether a row must be built the slow way (a text not ``_plain`` or holding a cell token),
    and else its texts escaped: the tests made once on the row's texts joined by NUL."""
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1:  # a NUL of its own: a text at a time, as it was
        odd = any(t and not _plain(t) for t in texts) or any(_ANY_TOKEN in t for t in texts)
        return odd, [escape(t).encode("utf-8") for t in texts]
    if "\t" in joined or "\n" in joined or "\r" in joined or _ANY_TOKEN in joined \
            or not all(t == t.strip() for t in texts):
        return True, []
    return False, escape(joined).encode("utf-8").split(b"\x00")


def _rows_xml(rows: Sequence[Sequence[object]], build: Callable[[Sequence[object], tuple], etree._Element],
              shape_of: Callable[[Sequence[object]], tuple]) -> Iterator[bytes]:
    """Each row's XML: a template per shape with its texts put in, or the slow way for odd texts."""
    templates: dict[tuple, tuple[bytes, Callable[[list[bytes]], tuple]]] = {}
    before_total = len(rows) - 2
    for i, row in enumerate(rows):
        texts = ["" if v is None else str(v) for v in row]
        if i == before_total:  # the last row (a total) keeps with this one, as in the tree
            tr = build(row, shape_of(row))
            keep_with_next_row(tr)
            yield bare(etree.tostring(tr, encoding="utf-8"))
            continue
        odd, escaped = _odd(texts)
        if odd:
            yield bare(etree.tostring(build(row, shape_of(row)), encoding="utf-8"))
            continue
        kinds = shape_of(row)
        shape = (kinds, tuple(map(bool, texts)))
        compiled = templates.get(shape)
        if compiled is None:
            tokens = [_TOKEN.format(i) if t else t for i, t in enumerate(texts)]
            compiled = templates[shape] = _compile(
                bare(etree.tostring(build(tokens, kinds), encoding="utf-8")).decode("utf-8"))
        template, cells = compiled
        yield template % cells(escaped)


def _compile(template: str) -> tuple[bytes, Callable[[list[bytes]], tuple]]:
    """A row template cut at its cell tokens: the XML as bytes with ``%s`` for each token (its own
    ``%`` doubled), and what picks the row's escaped cells in the tokens' order."""
    out, order, start = [], [], 0
    for m in _CELL.finditer(template):
        out.append(template[start:m.start()].replace("%", "%%"))
        out.append("%s")
        order.append(int(m.group(1)))
        start = m.end()
    out.append(template[start:].replace("%", "%%"))
    if len(order) == 1:
        only = order[0]
        return "".join(out).encode("utf-8"), lambda cells: (cells[only],)
    return "".join(out).encode("utf-8"), itemgetter(*order) if order else lambda cells: ()


def bare(xml: bytes) -> bytes:
    """A row serialised alone carries namespace declarations its document already has."""
    return _NSDECL.sub(b"", xml)


def save_atomic(doc, path: Path) -> Path:
    """Save a python-docx document to ``path`` atomically."""
    with atomic_write(Path(path)) as fh:
        doc.save(fh)
    return Path(path)
