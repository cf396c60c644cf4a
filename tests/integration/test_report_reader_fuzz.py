"""Random and mutated documents fed to the reader and the validator: refusals only, never a crash."""

import datetime as dt
import io
import zipfile

import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giamsat.collect.reader import parse_document, read_report
from giamsat.domain.errors import BadDocument
from giamsat.domain.validation import Expectation, UnitRef, validate

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture(scope="module")
def sample(plan, tmp_path_factory):
    """One filled form's bytes, made once for all examples."""
    from giamsat.demo.synthetic import fill_outline
    from giamsat.notify.outline import render_outline

    folder = tmp_path_factory.mktemp("fuzz")
    blank = render_outline(plan, plan.units[2], folder / "blank.docx", plan.cycle_key)
    fill_outline(blank, folder / "filled.docx", seed=12)
    return (folder / "filled.docx").read_bytes()


def _expectation(plan):
    units = tuple(UnitRef(u.key, u.code, u.name, u.valid_from, u.valid_to) for u in plan.units)
    return Expectation(plan.cycle_key, (plan.report.form_version,), units, dt.date(2024, 4, 2))


def _read_and_validate(data, plan):
    try:
        raw = read_report(data)
    except BadDocument as exc:
        assert str(exc) and exc.code
        return
    result = validate(raw, _expectation(plan))
    assert result.ok == (result.figures is not None)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_are_refused_cleanly(data, plan):
    _read_and_validate(data, plan)


@FUZZ
@given(cuts=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=8),
       truncate=st.one_of(st.none(), st.integers(0, 10**6)))
def test_byte_flipped_and_truncated_forms_are_refused_or_read(cuts, truncate, plan, sample):
    data = bytearray(sample)
    for pos, value in cuts:
        data[pos % len(data)] = value
    if truncate is not None:
        data = data[: truncate % (len(data) + 1)]
    _read_and_validate(bytes(data), plan)


XML_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)


@FUZZ
@given(texts=st.lists(XML_TEXT, min_size=1, max_size=12),
       drop=st.lists(st.integers(0, 60), max_size=4), add_rows=st.integers(0, 3))
def test_forms_with_any_cell_text_and_mangled_tables_never_crash(texts, drop, add_rows, plan,
                                                                 sample):
    doc = Document(io.BytesIO(sample))
    cells = [c for t in doc.tables for r in t.rows for c in r.cells]
    for i, text in enumerate(texts):
        cells[(i * 7) % len(cells)].text = text
    for table in doc.tables[1:-1]:
        for _ in range(add_rows):
            table.add_row()
    for j in drop:
        tables = doc.tables
        if tables:
            victim = tables[j % len(tables)]._tbl
            victim.getparent().remove(victim)
    buf = io.BytesIO()
    doc.save(buf)
    _read_and_validate(buf.getvalue(), plan)
    parse_document(Document(io.BytesIO(buf.getvalue())))


def test_a_zip_with_garbage_document_xml_is_refused(plan):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<<not xml")
    _read_and_validate(buf.getvalue(), plan)
