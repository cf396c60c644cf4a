"""Safe opening of uploaded files: each kind of bad input gets its own Vietnamese message."""

import io
import zipfile

import pytest
from docx import Document

from giamsat.docx.reading import Limits, open_docx
from giamsat.domain.errors import BadDocument


def docx_bytes(text="Báo cáo") -> bytes:
    buf = io.BytesIO()
    d = Document()
    d.add_paragraph(text)
    d.save(buf)
    return buf.getvalue()


def refused(data, limits=None) -> BadDocument:
    with pytest.raises(BadDocument) as info:
        open_docx(data, limits)
    return info.value


def test_a_real_docx_opens():
    assert open_docx(docx_bytes("xin chào")).paragraphs[0].text == "xin chào"


def test_a_pdf_renamed_to_docx_is_named_as_a_pdf():
    err = refused(b"%PDF-1.7\n...")
    assert err.code == "not_docx" and "PDF" in str(err)


def test_an_excel_workbook_is_named_as_excel():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    assert "Excel" in str(refused(buf.getvalue()))


def test_a_truncated_file_is_corrupt():
    data = docx_bytes()
    assert refused(data[: len(data) // 2]).code == "corrupt"


def test_a_macro_enabled_document_is_refused():
    src = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml",
                                    b"document.macroEnabled.main+xml")
            z.writestr(item, data)
        z.writestr("word/vbaProject.bin", b"\x00" * 10)
    err = refused(buf.getvalue())
    assert err.code == "macro" and ".docm" in str(err)


def test_a_file_over_the_size_limit_is_refused():
    err = refused(docx_bytes(), Limits(max_file_bytes=1000))
    assert err.code == "too_large"


def test_a_zip_bomb_is_refused_before_it_is_expanded():
    src = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item.filename, src.read(item.filename))
        z.writestr("word/media/bomb.bin", b"\x00" * (50 * 1024 * 1024))
    data = buf.getvalue()
    assert len(data) < 1024 * 1024
    assert refused(data, Limits(max_uncompressed_bytes=10 * 1024 * 1024)).code == "zip_bomb"


def test_an_empty_file_is_refused():
    assert refused(b"").code == "empty"
