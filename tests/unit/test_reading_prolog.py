"""Bulk intake reads the parts it never parses only up to their root element: the same files are
refused as by the whole-part check (DTD anywhere in the prolog, odd encodings, zip bombs)."""

import io
import zipfile

import pytest
from docx import Document

from giamsat.collect.reader import read_report
from giamsat.docx.prolog import HEAD, prolog_end
from giamsat.docx.reading import Limits, check_container, open_docx_xml
from giamsat.domain.errors import BadDocument

STYLES = "word/styles.xml"


def _docx() -> bytes:
    buf = io.BytesIO()
    d = Document()
    d.add_paragraph("Báo cáo")
    d.save(buf)
    return buf.getvalue()


def _with_styles(styles: bytes) -> bytes:
    """A real .docx whose (never parsed) styles part is ``styles``."""
    src = zipfile.ZipFile(io.BytesIO(_docx()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item, styles if item.filename == STYLES else src.read(item.filename))
    return buf.getvalue()


def _big(prolog: str) -> bytes:
    """A styles part larger than the head read, with ``prolog`` before its root element."""
    body = "<w:style/>" * (HEAD // 5)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
            f'<w:styles xmlns:w="urn:x">{body}</w:styles>').encode()


def test_a_large_unparsed_part_is_read_only_to_its_root_and_the_form_still_opens():
    data = _with_styles(_big("<!-- Word -->"))
    assert len(zipfile.ZipFile(io.BytesIO(data)).read(STYLES)) > HEAD
    parts = check_container(data, Limits(), whole=False)
    assert STYLES not in parts and "word/document.xml" in parts
    assert open_docx_xml(data) is not None


@pytest.mark.parametrize("prolog", [
    '<!DOCTYPE w:styles [<!ENTITY x "y">]>',
    '<!-- a comment with <w:styles> inside --><!DOCTYPE w:styles SYSTEM "file:///etc/passwd">',
    '<?pi <w:styles>?>\n<!ENTITY lol "lol">',
])
def test_a_dtd_in_the_prolog_of_a_large_unparsed_part_is_refused(prolog):
    data = _with_styles(_big(prolog))
    for whole in (True, False):
        with pytest.raises(BadDocument) as err:
            check_container(data, Limits(), whole=whole)
        assert err.value.code == "xml_dtd"
    with pytest.raises(BadDocument) as err:
        read_report(data)
    assert err.value.code == "xml_dtd"


def test_a_large_unparsed_part_in_another_encoding_is_refused():
    data = _with_styles(_big("").replace(b"UTF-8", b"ISO-8859-1"))
    with pytest.raises(BadDocument) as err:
        check_container(data, Limits(), whole=False)
    assert err.value.code == "xml_encoding"


def test_the_central_directory_caps_every_part_even_those_never_parsed():
    data = _with_styles(_big(""))
    with pytest.raises(BadDocument) as err:
        check_container(data, Limits(max_uncompressed_bytes=HEAD), whole=False)
    assert err.value.code == "zip_bomb"


def test_the_prolog_scanner_stops_at_the_root_and_gives_up_on_what_it_cannot_settle():
    assert prolog_end('<?xml version="1.0"?>\n<!-- x --><root/>') == 32
    assert prolog_end("<?xml version='1.0'?><!-- never closed") is None
    assert prolog_end("text before the root <root/>") is None
    text = "<?xml version='1.0'?><!DOCTYPE r>"
    assert prolog_end(text) == len(text)
