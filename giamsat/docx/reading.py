"""Open an uploaded Word file safely: size, type, macros and zip-bomb checks before python-docx.

Every refusal is a ``BadDocument`` with a stable code and a Vietnamese message a commune officer
understands; nothing here writes anything.
"""

from __future__ import annotations

import functools
import io
import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from lxml import etree

from giamsat.docx import prolog
from giamsat.docx.prolog import capped, guarded, read_part, read_prolog, xml_codec
from giamsat.domain.errors import BadDocument
from giamsat.files.fsutil import NotRegularFile, open_regular

MB = 1024 * 1024
_MACRO_TYPES = ("macroEnabled", "vbaProject")


@dataclass(frozen=True)
class Limits:
    """Caps on what intake accepts (from the plan's ``report`` section)."""

    max_file_bytes: int = 20 * MB
    max_uncompressed_bytes: int = 100 * MB
    max_entries: int = 2000
    max_table_rows: int = 2000  # the whole form has a few dozen; a pasted sheet has thousands


def _kind_by_magic(head: bytes) -> str | None:
    if head.startswith(b"%PDF"):
        return "PDF"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "Word/Excel 97-2003 (.doc/.xls)"
    if head.startswith((b"{\\rtf", b"<html", b"<!DOCTYPE", b"<?xml")):
        return "văn bản RTF/HTML/XML"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "ảnh"
    return None


PARSED_PARTS = frozenset({"[Content_Types].xml", "_rels/.rels", "word/document.xml", "docProps/core.xml"})


def check_container(data: bytes, limits: Limits, *, whole: bool = True) -> dict[str, bytes]:
    """Refuse anything that is not a plain, reasonably sized .docx package.

    Every part is checked: the central directory's sizes against the caps, then each part's real
    bytes (CRC, size, XML declarations, embedded macros). ``whole=False`` (bulk intake, which
    parses only ``PARSED_PARTS``) reads the other XML parts only up to their root element, where a
    DTD or an encoding must stand (``giamsat.docx.prolog``). Returns the parsed parts' bytes.
    """
    if not data:
        raise BadDocument("empty", "Tệp rỗng (0 byte).")
    if len(data) > limits.max_file_bytes:
        raise BadDocument("too_large", f"Tệp quá lớn ({len(data) / MB:.1f} MB); giới hạn "
                                       f"{limits.max_file_bytes / MB:.0f} MB.")
    if data.startswith(_CFB) and _ENCRYPTED in data:
        raise BadDocument("encrypted", "Tệp Word được đặt mật khẩu (mã hóa) nên không mở được. Vui lòng "
                                       "gỡ mật khẩu (trong Word: Tệp > Thông tin > Bảo vệ tài liệu > "
                                       "Mã hóa bằng mật khẩu, xóa mật khẩu rồi bấm OK), lưu lại và "
                                       "gửi lại.")
    if not data.startswith(b"PK"):
        kind = _kind_by_magic(data[:16])
        what = f"tệp {kind}" if kind else "không phải tệp Word (.docx)"
        raise BadDocument("not_docx", f"Tệp gửi đến là {what}. Vui lòng gửi báo cáo dạng .docx "
                                      f"theo mẫu đề cương.")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, zlib.error):
        raise BadDocument("corrupt", "Tệp bị hỏng hoặc gửi không đầy đủ, không mở được. "
                                     "Vui lòng lưu lại và gửi lại.") from None
    names = {i.filename for i in infos}
    if len(infos) > limits.max_entries:
        raise BadDocument("zip_bomb", "Tệp chứa quá nhiều thành phần, không xử lý được.")
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        raise BadDocument("zip_bomb", f"Nội dung giải nén quá lớn ({total / MB:.0f} MB); giới hạn "
                                      f"{limits.max_uncompressed_bytes / MB:.0f} MB.")
    if "xl/workbook.xml" in names:
        raise BadDocument("not_docx", "Tệp gửi đến là bảng tính Excel, không phải Word (.docx).")
    if "ppt/presentation.xml" in names:
        raise BadDocument("not_docx", "Tệp gửi đến là PowerPoint, không phải Word (.docx).")
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise BadDocument("not_docx", "Tệp không phải văn bản Word (.docx) hợp lệ.")
    content_types = read_part(zf, "[Content_Types].xml", limits.max_uncompressed_bytes)
    if any(m.encode() in content_types for m in _MACRO_TYPES) or any(
            n.lower().endswith("vbaproject.bin") for n in names):
        raise BadDocument("macro", "Tệp có chứa macro (.docm) nên không được tiếp nhận. Vui lòng "
                                   "lưu thành .docx (Word Document) và gửi lại.")
    parsed: dict[str, bytes] = {}
    for info in infos:  # CRC and real sizes: a lying header must not get past the cap
        if prolog.passed(key := prolog.member_key(zf, data, info, (limits, whole), PARSED_PARTS)):
            continue  # byte for byte a part that passed every check below (``prolog.member_key``)
        found = _part(zf, info.filename, limits, whole, content_types)
        if found is not None:  # None: its prolog was checked, all a part never parsed needs
            if info.filename in PARSED_PARTS:
                parsed[info.filename] = found
            if info.filename == "word/document.xml":
                check_rows(found, limits)  # before any decoding or parsing of a huge body
            check_xml_part(info.filename, found)
            if not info.filename.lower().endswith(_XML_NAMES) and _has_macros(found, limits):
                raise BadDocument("macro", "Tệp có nhúng một đối tượng chứa macro (ví dụ bảng tính "
                                           "Excel .xlsm) nên không được tiếp nhận. Vui lòng xóa đối "
                                           "tượng nhúng đó (hoặc dán số liệu thành bảng Word), lưu "
                                           "thành .docx và gửi lại.")
        prolog.remember(key)
    return parsed


_XML_NAMES = (".xml", ".rels")  # parts read as XML; another part is checked for macros


def _part(zf: zipfile.ZipFile, name: str, limits: Limits, whole: bool, content_types: bytes) -> bytes | None:
    """Part ``name`` whole (CRC checked, capped); None when only its prolog needed checking and
    passed (``whole=False``, an XML part never parsed)."""
    if not whole and name not in PARSED_PARTS and name.lower().endswith(_XML_NAMES):
        head, short = guarded(functools.partial(read_prolog, zf, name))
        if head is not None:
            check_xml_part(name, head)
            return None
        if short is not None:  # read whole (to its end, CRC checked) by the prolog's read
            return capped(short, limits.max_uncompressed_bytes)
    if name == "[Content_Types].xml":
        return content_types  # read (and capped) once, by the macro check
    return read_part(zf, name, limits.max_uncompressed_bytes)


_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file (old .doc, encrypted .docx)
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # the stream of a password-protected package
_MACRO_SIGNS_LOW = (b"vbaproject.bin", b"macroenabled", "_vba_project".encode("utf-16-le"))


def _has_macros(data: bytes, limits: Limits, depth: int = 0) -> bool:
    """Whether an embedded part (an OLE object, a nested package) carries a VBA project.

    Names in a zip directory and OLE stream names are stored uncompressed; a nested package is
    opened (three levels at most) so a deflated inner ``vbaProject.bin`` is found too.
    """
    low = data.lower()  # ASCII case folding, as the pattern's IGNORECASE on bytes
    if any(sign in low for sign in _MACRO_SIGNS_LOW):  # names stored uncompressed, in any case
        return True
    if depth >= 3 or not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            return any(_has_macros(read_part(inner, n, limits.max_uncompressed_bytes), limits, depth + 1)
                       for n in inner.namelist() if not n.lower().endswith(_XML_NAMES))
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, zlib.error, BadDocument):
        return False
_XML_STARTS = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00<", b"\x4c\x6f\xa7\x94")
_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)", re.IGNORECASE)
_ENCODING = re.compile(r"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
_DTD_REFUSED = ("Tệp Word có chứa khai báo DTD/thực thể XML (<!DOCTYPE>, <!ENTITY>) mà văn bản Word "
                "bình thường không có, nên không được tiếp nhận vì lý do an toàn. Vui lòng mở tệp "
                "bằng Word, lưu lại thành .docx và gửi lại.")


def _xml_text(data: bytes) -> str | None:
    """The part decoded as OOXML allows (UTF-8 or UTF-16); None when it is neither."""
    try:
        return data.decode(xml_codec(data))
    except UnicodeDecodeError:
        return None


def check_xml_part(name: str, data: bytes) -> None:
    """Refuse an XML part with a DTD or entity declarations (XXE, billion laughs) or an odd encoding.

    python-docx parses with ``resolve_entities=False``; this refuses such files outright, whatever
    parser reads them later, and tells the commune why.
    """
    if not (name.lower().endswith(_XML_NAMES) or data[:64].lstrip(b" \t\r\n").startswith(_XML_STARTS)):
        return
    text = _xml_text(data)
    declared = _ENCODING.match(text) if text is not None else None
    if text is None or (declared and declared.group(1).strip().lower().replace("_", "-")
                        not in ("utf-8", "utf8", "utf-16", "utf16")):
        raise BadDocument("xml_encoding", "Tệp Word có thành phần XML không dùng bảng mã UTF-8/UTF-16 "
                                          "nên không đọc được. Vui lòng mở tệp bằng Word, lưu lại "
                                          "thành .docx và gửi lại.")
    # The cheap test first (a body has no "<!"), on the bytes when they are UTF-8: "<" and "!" are
    # single bytes there, never part of another character's encoding. A lone "!" is rare and found
    # at memchr speed; "<!" is looked for only when there is one ("<" is everywhere).
    bang = b"!" in data and b"<!" in data if xml_codec(data) == "utf-8-sig" else "<!" in text
    if bang and _DECLARATION.search(text):
        raise BadDocument("xml_dtd", _DTD_REFUSED)


_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?tr[\s/>]")


def check_rows(document: bytes, limits: Limits) -> None:
    """Refuse a body with more table rows than a form can have, counted before it is parsed.

    A few hundred kilobytes of copied empty rows would otherwise cost a parse tree of a gigabyte
    and thousands of error lines; the count is a scan of the bytes (UTF-16 bodies are decoded).
    """
    data = document
    if document.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
        text = _xml_text(document)
        data = text.encode() if text is not None else b""
    if data.count(b"tr") <= limits.max_table_rows:
        return  # every row tag holds its own "tr": the count below cannot pass the cap
    rows = len(_ROW.findall(data))
    if rows > limits.max_table_rows:
        raise BadDocument("too_many_rows", f"Văn bản có {_dotted(rows)} dòng bảng, vượt quá giới hạn "
                          f"{_dotted(limits.max_table_rows)} dòng của biểu mẫu (thường do dán hoặc "
                          "thêm dòng trống hàng loạt). Vui lòng xóa các dòng thừa và gửi lại.")


def _dotted(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def open_docx(source: Path | bytes, limits: Limits | None = None) -> DocxDocument:
    """A python-docx Document from a path or bytes, after every container check passed."""
    data = checked_bytes(source, limits)
    try:
        return Document(io.BytesIO(data))
    except Exception as exc:  # python-docx/lxml raise many types on malformed parts
        raise BadDocument("corrupt", "Không đọc được nội dung văn bản Word (cấu trúc tệp bị "
                                     f"lỗi: {type(exc).__name__}).") from None


# The parser python-docx uses (same blank-text handling), never resolving entities, loading a DTD
# or touching the network (nor keeping an xml:id table: no lookups by id here), as ``open_docx``.
_XML_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False, load_dtd=False,
                              no_network=True, huge_tree=False, collect_ids=False)
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_MAIN_REL = "/officeDocument"
_CORE_REL = "/metadata/core-properties"


@dataclass(frozen=True)
class DocxXml:
    """The parsed XML of a checked .docx: the main document and the core properties (if any)."""

    document: etree._Element
    core: etree._Element | None


def open_docx_xml(source: Path | bytes, limits: Limits | None = None) -> DocxXml | None:
    """The main document and core properties as lxml trees, after every check ``open_docx`` makes.

    For bulk intake: no python-docx objects. ``None`` when the package is laid out unusually
    (parts elsewhere than Word puts them); the caller then falls back to ``open_docx``.
    """
    parts = check_container(read_limited(source, limits or Limits()), limits or Limits(), whole=False)
    try:  # the parts were decompressed (and CRC-checked) once, by the container check
        rels = etree.fromstring(parts["_rels/.rels"], _XML_PARSER)
        targets = {r.get("Type", "").rsplit("/relationships", 1)[-1]: r.get("Target", "")
                   for r in rels.iter(_REL_NS)}
        if targets.get(_MAIN_REL, "").lstrip("/") != "word/document.xml" or \
                targets.get(_CORE_REL, "docProps/core.xml").lstrip("/") != "docProps/core.xml":
            return None
        document = etree.fromstring(parts["word/document.xml"], _XML_PARSER)
        core = (etree.fromstring(parts["docProps/core.xml"], _XML_PARSER)
                if _CORE_REL in targets and "docProps/core.xml" in parts else None)
    except (KeyError, etree.XMLSyntaxError, ValueError):
        return None  # let python-docx produce its own refusal
    return DocxXml(document, core)


def checked_bytes(source: Path | bytes, limits: Limits | None = None) -> bytes:
    """The file's bytes once every container check (size, type, macros, zip bomb) has passed."""
    limits = limits or Limits()
    data = read_limited(source, limits)
    check_container(data, limits)
    return data


def read_limited(source: Path | bytes, limits: Limits) -> bytes:
    """The bytes of a path (a link refused, never followed; too large refused) or the bytes given."""
    if isinstance(source, Path | str):
        try:
            with open_regular(source) as fh:  # a link is refused, never followed
                size = os.fstat(fh.fileno()).st_size
                if size > limits.max_file_bytes:
                    raise BadDocument("too_large", f"Tệp quá lớn ({size / MB:.1f} MB); giới hạn "
                                                   f"{limits.max_file_bytes / MB:.0f} MB.")
                data = fh.read()
        except NotRegularFile:
            raise BadDocument("not_regular", "Tệp gửi đến là một liên kết (symlink) hoặc không phải "
                                             "tệp thông thường nên không được đọc.") from None
    else:
        data = source
    return data
