"""The fast synthetic filler writes forms the reader reads exactly as the python-docx filler's."""

from __future__ import annotations

import zipfile

import pytest

from giamsat.collect.reader import read_report, read_report_docx
from giamsat.demo.form_fill import fill_outline_fast
from giamsat.demo.synthetic import FAULTS, fill_outline


@pytest.fixture(scope="module")
def blank(plan, tmp_path_factory):
    from giamsat.notify.outline import render_outline

    return render_outline(plan, plan.units[5], tmp_path_factory.mktemp("ff") / "blank.docx",
                          plan.cycle_key)


@pytest.mark.parametrize(("seed", "fault"), [(1, None), (2, None), (3, None)]
                         + [(10 + i, f) for i, f in enumerate(FAULTS)])
def test_the_fast_filler_and_the_python_docx_filler_read_the_same(seed, fault, blank, tmp_path, plan):
    villages = plan.units[5].villages
    slow = fill_outline(blank, tmp_path / "slow.docx", seed, fault, villages=villages)
    fast = fill_outline_fast(blank, tmp_path / "fast.docx", seed, fault, villages=villages)
    assert fast.figures == slow.figures and fast.notes == slow.notes
    assert read_report_docx(tmp_path / "fast.docx") == read_report_docx(tmp_path / "slow.docx")
    assert read_report(tmp_path / "fast.docx") == read_report_docx(tmp_path / "fast.docx")


def test_the_fast_filler_keeps_every_other_part_of_the_form(blank, tmp_path):
    fill_outline_fast(blank, tmp_path / "fast.docx", seed=4)
    with zipfile.ZipFile(blank) as a, zipfile.ZipFile(tmp_path / "fast.docx") as b:
        assert b.testzip() is None
        assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]
        for name in a.namelist():
            if name != "word/document.xml":
                assert a.read(name) == b.read(name)
