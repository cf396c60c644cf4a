"""Forms filled the way people use Word: Track Changes, tracked corrections, content controls.

Both readers (the fast XML walk and python-docx) read what Word shows: inserted text counts,
deleted text and deleted rows do not, content controls are read, and a control still showing
Word's prompt counts as empty.
"""

from __future__ import annotations

import io

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement

from giamsat.collect.reader import read_report, read_report_docx


@pytest.fixture(scope="module")
def filled(plan, tmp_path_factory) -> bytes:
    from giamsat.demo.synthetic import fill_outline
    from giamsat.notify.outline import render_outline

    folder = tmp_path_factory.mktemp("word-edits")
    unit = plan.units[2]
    blank = render_outline(plan, unit, folder / "blank.docx", plan.cycle_key)
    fill_outline(blank, folder / "filled.docx", seed=11, villages=unit.villages)
    return (folder / "filled.docx").read_bytes()


def _edit(data: bytes, change) -> bytes:
    doc = Document(io.BytesIO(data))
    change(doc.element.body)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _wrap(element, tag: str):
    """Put ``element`` inside a new ``tag`` at its place; returns the wrapper."""
    wrapper = OxmlElement(tag)
    element.addprevious(wrapper)
    if tag == "w:sdt":
        content = OxmlElement("w:sdtContent")
        wrapper.append(OxmlElement("w:sdtPr"))
        wrapper.append(content)
        content.append(element)
    else:
        wrapper.set(qn("w:id"), "1")
        wrapper.set(qn("w:author"), "Cán bộ xã")
        wrapper.append(element)
    return wrapper


def _deleted_run(text: str):
    deleted = OxmlElement("w:del")
    deleted.set(qn("w:id"), "2")
    deleted.set(qn("w:author"), "Cán bộ xã")
    run = OxmlElement("w:r")
    dt = OxmlElement("w:delText")
    dt.text = text
    run.append(dt)
    deleted.append(run)
    return deleted


def _cell_runs(body):
    return [r for r in body.iter(qn("w:r")) if r.getparent().tag == qn("w:p")
            and any(a.tag == qn("w:tc") for a in r.iterancestors())]


def _track_everything(body) -> None:
    """Typed with Track Changes on: every run of every cell is a tracked insertion."""
    for run in _cell_runs(body):
        _wrap(run, "w:ins")


def _tracked_correction(body) -> None:
    """One figure corrected as a tracked change: old value deleted, the same value inserted."""
    for run in _cell_runs(body):
        if any(ch.isdigit() for ch in "".join(run.itertext())):
            _wrap(run, "w:ins").addprevious(_deleted_run("9.999"))


def _content_controls(body) -> None:
    """Tables inside block content controls, every cell's text inside an inline one."""
    for run in _cell_runs(body):
        _wrap(run, "w:sdt")
    for tbl in [t for t in body if t.tag == qn("w:tbl")]:
        _wrap(tbl, "w:sdt")


@pytest.mark.parametrize("change", [_track_everything, _tracked_correction, _content_controls])
def test_what_word_shows_is_what_both_readers_read(change, filled):
    original = read_report_docx(filled)
    edited = _edit(filled, change)
    assert read_report(edited) == original
    assert read_report_docx(edited) == original


def _placeholder_in_section_c(body) -> None:
    """Section C's text replaced by a content control still showing Word's prompt."""
    from giamsat.domain.outline_spec import SECTION_C

    label = SECTION_C.columns[0].label
    tbl = next(t for t in body.iter(qn("w:tbl")) if label in "".join(t.itertext()))
    cell = tbl.findall(qn("w:tr"))[1].find(qn("w:tc"))
    p = cell.find(qn("w:p"))
    for run in p.findall(qn("w:r")):
        p.remove(run)
    prompt = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "Nhấp hoặc gõ nhẹ vào đây để nhập văn bản."
    prompt.append(t)
    p.append(prompt)
    sdt = _wrap(prompt, "w:sdt")
    sdt.find(qn("w:sdtPr")).append(OxmlElement("w:showingPlcHdr"))


def _deleted_row_in_section_a(body) -> None:
    """A whole model row deleted with Track Changes on."""
    tbl = next(t for t in body.iter(qn("w:tbl")) if "Tên mô hình" in "".join(t.itertext()))
    row = tbl.findall(qn("w:tr"))[1]
    pr = row.find(qn("w:trPr"))
    if pr is None:
        pr = OxmlElement("w:trPr")
        row.insert(0, pr)
    pr.append(OxmlElement("w:del"))


def test_a_content_control_still_showing_its_prompt_counts_as_empty(filled):
    edited = _edit(filled, _placeholder_in_section_c)
    for read in (read_report, read_report_docx):
        rows = read(edited).tables["C"].rows
        assert "".join(r.cells["text"] for r in rows).strip() == ""


def test_a_row_deleted_with_track_changes_is_not_read(filled):
    original = read_report_docx(filled).tables["A"].rows
    edited = _edit(filled, _deleted_row_in_section_a)
    for read in (read_report, read_report_docx):
        rows = read(edited).tables["A"].rows
        assert [r.cells for r in rows] == [r.cells for r in original[1:]]
