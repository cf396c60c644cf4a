"""Fuzzing the whole intake (``submit``) with mutated real submissions, on a bounded budget for CI.

The XML of a filled form and its zip container are mutated (random text spliced in, slices cut,
deep nesting, DTDs, huge runs, odd zip entries such as ``../../x``, duplicates, case changes).
Whatever arrives, intake answers accepted / rejected / duplicate or raises one of our typed
errors, and never leaves half a record: a rejected report has no figures, every recorded file
is stored inside the home, and nothing is ever extracted to disk.
"""

import io
import os
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from giamsat.collect.service import submit
from giamsat.cycle.sync import open_cycle
from giamsat.db.models import HouseholdFigure, PovertyModel, Submission
from giamsat.domain.errors import GiamsatError
from tests.conftest import CONFIG, OPENED_AT
from tests.fixtures.collect import at

BUDGET = settings(max_examples=int(os.environ.get("GIAMSAT_FUZZ_EXAMPLES", "30")), deadline=None,
                  derandomize=not os.environ.get("GIAMSAT_FUZZ_EXAMPLES"),
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def intake(plan, tmp_path_factory):
    """A runtime on SQLite and one filled form's zip entries, made once for all examples."""
    from giamsat.demo.synthetic import fill_outline
    from giamsat.notify.outline import render_outline

    folder = tmp_path_factory.mktemp("intake-fuzz")
    blank = render_outline(plan, plan.units[3], folder / "blank.docx", plan.cycle_key)
    fill_outline(blank, folder / "filled.docx", seed=21, villages=plan.units[3].villages)
    with zipfile.ZipFile(folder / "filled.docx") as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    rt = open_cycle(CONFIG, OPENED_AT, home=folder / "home", database_url=f"sqlite:///{folder / 'fuzz.db'}")
    yield rt, entries, folder
    rt.db.dispose()


XML_NOISE = st.sampled_from(["<", ">", "&", "&amp;", "]]>", "<![CDATA[x]]>", "<!-- c -->", "</w:t>",
                             "<w:t>", "<w:tbl>", "\ufeff", "<?pi x?>", "&#0;", "&#x1F600;", "\"'",
                             "<!DOCTYPE x>", "<!ENTITY a 'b'>", "xmlns:w='urn:x'", "\x00", "\x85"])
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)

XML_EDIT = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 10**7), st.one_of(XML_NOISE, TEXT)),
    st.tuples(st.just("cut"), st.integers(0, 10**7), st.integers(1, 5000)),
    st.tuples(st.just("nest"), st.integers(0, 10**7), st.integers(50, 400)),
    st.tuples(st.just("long_run"), st.integers(0, 10**7), st.integers(1000, 200_000)),
)
ZIP_EDIT = st.sampled_from(["none", "traversal_entry", "absolute_entry", "duplicate_document",
                            "drop_styles", "stored", "upper_case_names", "empty_document"])


def _edit_xml(xml: bytes, edit) -> bytes:
    kind, pos, arg = edit
    pos = pos % (len(xml) + 1)
    if kind == "insert":
        return xml[:pos] + arg.encode("utf-8", "surrogatepass") + xml[pos:]
    if kind == "cut":
        return xml[:pos] + xml[pos + arg:]
    if kind == "nest":
        return xml[:pos] + b"<w:p>" * arg + b"</w:p>" * arg + xml[pos:]
    marker = xml.find(b"<w:t", pos)
    at_ = xml.find(b">", marker) + 1 if marker >= 0 else pos
    return xml[:at_] + "Đ".encode() * arg + xml[at_:]


def _container(entries, edits, zip_edit) -> bytes:
    buf = io.BytesIO()
    method = zipfile.ZIP_STORED if zip_edit == "stored" else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in entries:
            if name == "word/document.xml":
                for edit in edits:
                    data = _edit_xml(data, edit)
                if zip_edit == "empty_document":
                    data = b""
            if zip_edit == "drop_styles" and name == "word/styles.xml":
                continue
            z.writestr(name.upper() if zip_edit == "upper_case_names" else name, data)
        if zip_edit == "traversal_entry":
            z.writestr("../../fuzz-escaped.txt", b"x")
        elif zip_edit == "absolute_entry":
            z.writestr("/tmp/fuzz-escaped-abs.txt", b"x")
        elif zip_edit == "duplicate_document":
            z.writestr("word/document.xml", b"<w:document/>")
    return buf.getvalue()


def _check_no_half_state(rt) -> None:
    with rt.db.unit_of_work() as s:
        for sub in s.scalars(select(Submission)):
            figures = s.scalar(select(func.count()).select_from(HouseholdFigure)
                               .where(HouseholdFigure.submission_id == sub.id))
            models = s.scalar(select(func.count()).select_from(PovertyModel)
                              .where(PovertyModel.submission_id == sub.id))
            if sub.status == "rejected":
                assert figures == 0 and models == 0, sub.id
            else:
                assert figures == 2, sub.id
            if sub.stored_path:
                stored = (rt.home / sub.stored_path).resolve()
                assert stored.is_relative_to(rt.home.resolve()) and stored.is_file()


@BUDGET
@given(edits=st.lists(XML_EDIT, max_size=3), zip_edit=ZIP_EDIT, name=TEXT)
def test_mutated_submissions_are_answered_or_refused_with_typed_errors_never_half_written(
        intake, edits, zip_edit, name):
    rt, entries, folder = intake
    path = folder / "incoming.docx"
    path.write_bytes(_container(entries, edits, zip_edit))
    try:
        result = submit(rt, path, at("2024-04-02"), unit_code=None, original_name=name or None)
    except GiamsatError as exc:
        assert str(exc)
    else:
        assert result.status in ("accepted", "rejected", "duplicate")
        assert result.status != "rejected" or result.errors
    _check_no_half_state(rt)
    assert not list(folder.parent.rglob("fuzz-escaped*")) and not list(rt.home.rglob("*escaped*"))
