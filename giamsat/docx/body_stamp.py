"""Body paragraphs by copy: each look built once the python-docx way, then copied per paragraph.

python-docx inserts every new body paragraph before the section properties by scanning the body's
children from the first (``insert_element_before``), so a document of n paragraphs costs O(n²):
a report's annex of 70,000 paragraphs (one commune's section C and D each) spent most of its time
there. Here the section properties are found at the body's end (O(1)) and the paragraph is a copy
of one built with python-docx for the same look (alignment, indent, spacing, run font), so the
XML is the same as python-docx writes; only the text is put in, as ``Run.text`` would.

An annex of thousands of paragraphs need not enter the tree at all: ``xml`` gives a paragraph's
XML (the look's serialised copy with the text put in), which ``StreamedRows`` writes into the file
when the document is saved, so a country's annex costs its bytes, not its lxml elements.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

from giamsat.docx.streamed_rows import bare, escape

_SECT_PR, _R, _T = qn("w:sectPr"), qn("w:r"), qn("w:t")
_SPACE = qn("xml:space")
_TOKEN = "GIAMSATPARAGRAPHTEXT"


class BodyStamp:
    """Appends body paragraphs of a few looks to one document, each look built once."""

    def __init__(self, doc: DocxDocument) -> None:
        self.doc = doc
        self._looks: dict[Hashable, etree._Element] = {}
        self._xml: dict[Hashable, tuple[bytes, bytes]] = {}  # the XML before and after the text

    def paragraph(self, look: Hashable, text: str, build: Callable[[str], Paragraph]) -> Paragraph:
        """A paragraph of ``look`` holding ``text``: the first of a look is ``build(text)``
        (python-docx, at the body's end); later ones copy it with their own text."""
        proto = self._looks.get(look)
        if proto is None or not _plain(text):
            par = build(text)
            if proto is None and _plain(text):
                self._looks[look] = _without_text(par._p)
            return par
        p = copy.deepcopy(proto)
        if text:
            t = etree.SubElement(p.find(_R), _T)
            t.text = text
            if len(text.strip()) < len(text):
                t.set(_SPACE, "preserve")
        body = self.doc.element.body
        last = body[-1]  # from the end: O(1) (``len(body)`` would walk every child)
        if last.tag == _SECT_PR:
            last.addprevious(p)
        else:
            body.append(p)
        return Paragraph(p, self.doc._body)


    def xml(self, look: Hashable, text: str, build: Callable[[str], Paragraph]) -> bytes:
        """The XML of the paragraph ``paragraph`` would append, which is not kept in the tree."""
        if not text or not _plain(text) or text != text.strip() or _TOKEN in text:
            par = build(text)  # the odd one the python-docx way, as ``paragraph`` does
            par._p.getparent().remove(par._p)
            return bare(etree.tostring(par._p, encoding="utf-8"))
        template = self._xml.get(look)
        if template is None:
            par = build(_TOKEN)
            par._p.getparent().remove(par._p)
            before, _, after = bare(etree.tostring(par._p, encoding="utf-8")).partition(_TOKEN.encode())
            template = self._xml[look] = (before, after)
        return b"".join((template[0], escape(text).encode("utf-8"), template[1]))


def _plain(text: str) -> bool:
    """Text python-docx would write as one ``w:t`` (no tab or line break to translate)."""
    return "\t" not in text and "\n" not in text and "\r" not in text


def _without_text(p: etree._Element) -> etree._Element:
    proto = copy.deepcopy(p)
    for r in proto.findall(_R):
        for t in r.findall(_T):
            r.remove(t)
    return proto
