"""Hostile Word files: XML entities, DTDs and odd encodings are refused before any parser sees them."""

import re
import time
import tracemalloc
import zipfile

import pytest
from sqlalchemy import func, select, text

from giamsat.collect.service import submit
from giamsat.db.models import HouseholdFigure, Submission
from giamsat.docx.reading import open_docx
from giamsat.domain.errors import BadDocument
from tests.fixtures.collect import at

SECRET = "BI-MAT-7f3a9c-KHONG-DUOC-LO"
LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                    for i in range(1, 10))
          + "]>")


def _patch_part(src, out, part, patch):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, patch(data) if item.filename == part else data)
    return out


def _with_doctype(doctype: str, entity: str, part: str = "word/document.xml"):
    """Insert ``doctype`` after the XML declaration and ``&entity;`` into the first text run."""
    def patch(data: bytes) -> bytes:
        head, rest = data.split(b"?>", 1)
        body = rest.replace(b"<w:t>", f"<w:t>&{entity};".encode(), 1) if entity else rest
        return head + b"?>" + doctype.encode() + body
    return part, patch


def _encoding(data: bytes, name: bytes) -> bytes:
    return re.sub(rb"encoding=['\"]UTF-8['\"]", b"encoding='" + name + b"'", data, count=1)


def _xxe(secret_file):
    return _with_doctype(f'<!DOCTYPE w [<!ENTITY xxe SYSTEM "file://{secret_file}">]>', "xxe")


def _hostile(kind, good, tmp_path, secret_file):
    out = tmp_path / f"{kind}.docx"
    if kind == "xxe_file":
        part, patch = _xxe(secret_file)
    elif kind == "xxe_in_core_properties":
        part, patch = _with_doctype(f'<!DOCTYPE cp [<!ENTITY xxe SYSTEM "file://{secret_file}">]>', "",
                                    "docProps/core.xml")
    elif kind == "external_dtd":
        part, patch = _with_doctype('<!DOCTYPE w SYSTEM "http://127.0.0.1:9/evil.dtd">', "")
    elif kind == "billion_laughs":
        part, patch = _with_doctype(LAUGHS, "lol9")
    elif kind == "utf7_declaration":
        part, patch = "word/document.xml", lambda d: _encoding(d, b"UTF-7")
    elif kind == "doctype_in_utf16":
        part, inner = _xxe(secret_file)
        part, patch = part, lambda d: _encoding(inner(d), b"UTF-16").decode().encode("utf-16")
    return _patch_part(good, out, part, patch)


CASES = {
    "xxe_file": "khai báo DTD/thực thể XML",
    "xxe_in_core_properties": "khai báo DTD/thực thể XML",
    "external_dtd": "khai báo DTD/thực thể XML",
    "billion_laughs": "khai báo DTD/thực thể XML",
    "doctype_in_utf16": "khai báo DTD/thực thể XML",
    "utf7_declaration": "không dùng bảng mã UTF-8/UTF-16",
}


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_hostile_xml_file_is_rejected_with_its_own_message(kind, sqlite_runtime, forms, plan,
                                                                 tmp_path, secret_file):
    good, _ = forms(plan.units[0], seed=3)
    path = _hostile(kind, good, tmp_path, secret_file)
    result = submit(sqlite_runtime, path, at("2024-04-02"), unit_code=plan.units[0].code)
    assert result.status == "rejected"
    assert any(CASES[kind] in e for e in result.errors), result.errors
    with sqlite_runtime.db.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(HouseholdFigure)) == 0


def test_an_xxe_pointing_at_a_local_file_never_leaks_it_into_anything_stored(sqlite_runtime, forms,
                                                                             plan, tmp_path, secret_file):
    good, _ = forms(plan.units[0], seed=3)
    path = _hostile("xxe_file", good, tmp_path, secret_file)
    submit(sqlite_runtime, path, at("2024-04-02"), unit_code=plan.units[0].code)
    with sqlite_runtime.db.unit_of_work() as s:
        tables = s.execute(text("select name from sqlite_master where type='table'")).scalars().all()
        dump = "".join(str(row) for t in tables for row in s.execute(text(f'select * from "{t}"')))
        assert s.scalar(select(func.count()).select_from(Submission)) == 1
    assert SECRET not in dump
    for f in sqlite_runtime.home.rglob("*"):
        if f.is_file() and f.suffix != ".docx" and f.stat().st_size < 5_000_000:
            assert SECRET.encode() not in f.read_bytes(), f


def test_billion_laughs_is_refused_quickly_and_in_bounded_memory(forms, plan, tmp_path, secret_file):
    good, _ = forms(plan.units[0], seed=3)
    data = _hostile("billion_laughs", good, tmp_path, secret_file).read_bytes()
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(BadDocument) as refused:
        open_docx(data)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert refused.value.code == "xml_dtd"
    assert elapsed < 2 and peak < 50 * 1024 * 1024
