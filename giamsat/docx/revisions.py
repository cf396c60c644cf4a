"""A Word body as the reader sees it on screen: tracked changes accepted, content controls opened.

Officers fill forms with Track Changes on, correct a figure as a tracked edit, or type into
content controls (``w:sdt``). Word shows the inserted text and hides the deleted text; python-docx
and a plain XML walk see neither the runs inside ``w:ins``/``w:sdt`` nor the difference with
``w:del``. ``accept_revisions`` rewrites the tree in place so both readers read what Word shows.
"""

from __future__ import annotations

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_REMOVED = (W + "del", W + "moveFrom")
_UNWRAPPED = (W + "ins", W + "moveTo", W + "sdt", W + "smartTag", W + "customXml")
_PLACEHOLDER = W + "showingPlcHdr"


def _is_property(element: etree._Element) -> bool:
    """``w:rPr``, ``w:trPr``…: there ``w:ins``/``w:del`` only mark a paragraph mark or a row."""
    return isinstance(element.tag, str) and element.tag.endswith("Pr")


def accept_revisions(root: etree._Element) -> etree._Element:
    """Drop deleted text and rows, keep inserted text, replace content controls by their content."""
    for el in list(root.iter(*_REMOVED)):
        parent = el.getparent()
        if parent is None:
            continue
        if parent.tag == W + "trPr":  # a deleted table row
            row = parent.getparent()
            if row is not None and row.getparent() is not None:
                row.getparent().remove(row)
        elif not _is_property(parent):
            parent.remove(el)
    for el in list(root.iter(*_UNWRAPPED)):
        parent = el.getparent()
        if parent is None or _is_property(parent):
            continue
        _unwrap(parent, el)
    return root


def _unwrap(parent: etree._Element, el: etree._Element) -> None:
    """Put ``el``'s content (a content control's ``w:sdtContent``) in its place."""
    if el.tag == W + "sdt":
        content = el.find(W + "sdtContent")
        children = list(content) if content is not None else []
        if el.find(f"{W}sdtPr/{_PLACEHOLDER}") is not None:  # Word's prompt, not the officer's text
            for child in children:
                for run in list(child.iter(W + "r")):
                    if run.getparent() is not None:
                        run.getparent().remove(run)
                if child.tag == W + "r":
                    children = [c for c in children if c is not child]
    else:
        children = [c for c in el if not _is_property(c)]
    at = parent.index(el)
    parent.remove(el)
    for offset, child in enumerate(children):
        parent.insert(at + offset, child)
