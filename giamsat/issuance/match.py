"""Is this signed PDF the document's own draft? A fingerprint set at export, else its text.

``doc export`` writes the draft's fingerprint (cycle, document id, the SHA-256 of the draft's words) into the
PDF's document information; the document system's signatures are incremental updates, which keep
it. A PDF made another way (the office exported it from Word) carries no fingerprint: its text is
then compared with the draft's, paragraph by paragraph (letters only: PDF text breaks words at
justified spacing, and the number and the date are the văn thư's to fill), allowing only what the
document system adds (the number, the signature boxes) — never a paragraph of the draft changed or
missing, so another commune's letter or another document is refused.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from giamsat.docx.reading import open_docx
from giamsat.domain.errors import SignatureRefused

KEY = "/GiamsatDraft"
PREFIX = "giamsat-draft:"
TIMEOUT_S = 60
_WORD = re.compile(r"[^\W\d_]+")  # letters only: numbers and dates are the văn thư's to fill


def fingerprint(cycle_key: str, doc_id: int, draft: Path) -> str:
    """What ``doc export`` writes into the PDF: which document, and the digest of its draft's words."""
    return f"{PREFIX}{cycle_key}:{doc_id}:{text_digest(draft)}"


def text_digest(draft: Path) -> str:
    """SHA-256 of the draft's words (the same text rendered again gives the same digest)."""
    return hashlib.sha256(" ".join(_words(_docx_text(draft))).encode("utf-8")).hexdigest()


def stamp(pdf: bytes, value: str) -> bytes:
    """``pdf`` with the fingerprint in its document information (an incremental update)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    info_ref = writer.trailer.raw_get("/Info") if "/Info" in writer.trailer else None
    if isinstance(info_ref, generic.IndirectObject):
        info = info_ref.get_object()
        info[generic.NameObject(KEY)] = generic.TextStringObject(value)
        writer.update_container(info)
    else:
        info = generic.DictionaryObject({generic.NameObject(KEY): generic.TextStringObject(value)})
        writer.trailer[generic.NameObject("/Info")] = writer.add_object(info)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def read_fingerprint(pdf: bytes) -> str | None:
    """The fingerprint the PDF carries, if any (a damaged PDF is left to the signature check)."""
    try:
        info = PdfFileReader(io.BytesIO(pdf), strict=False).trailer_view.get("/Info")
        value = info.get_object().get(KEY) if info is not None else None
    except (PdfError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return str(value) if value is not None and str(value).startswith(PREFIX) else None


def check(pdf: bytes, *, cycle_key: str, doc_id: int, label: str, draft: Path) -> None:
    """Refuse (``SignatureRefused``) a signed PDF that is not this document's current draft."""
    found = read_fingerprint(pdf)
    if found is not None:
        _check_fingerprint(found, cycle_key, doc_id, label, text_digest(draft))
        return
    _check_text(pdf, label, draft)


def _check_fingerprint(found: str, cycle_key: str, doc_id: int, label: str, digest: str) -> None:
    parts = found.removeprefix(PREFIX).rsplit(":", 2)
    if len(parts) != 3:
        raise SignatureRefused("Tệp PDF mang dấu xuất của giamsat không đọc được; hãy xuất lại dự thảo "
                               f"(giamsat doc export {doc_id} --pdf ...) rồi ký số lại.")
    cycle, their_id, their_sha = parts
    if cycle != cycle_key or their_id != str(doc_id):
        raise SignatureRefused(f"Tệp PDF đã ký là của văn bản khác (mã {their_id}, chu kỳ {cycle}), không "
                               f"phải {label} mã {doc_id}: kiểm tra lại tệp trước khi đăng ký.")
    if their_sha != digest:
        raise SignatureRefused(f"Tệp PDF đã ký được xuất từ một bản dự thảo cũ của {label} mã {doc_id}; "
                               "dự thảo đã được lập lại sau đó. Hãy xuất lại (giamsat doc export) và ký số "
                               "bản mới.")


def _check_text(pdf: bytes, label: str, draft: Path) -> None:
    """Every paragraph of the draft (its letters: spacing and numbers aside) in the PDF's text."""
    theirs = _letters(_pdf_text(pdf))
    if not theirs:
        raise SignatureRefused("Không đọc được chữ trong tệp PDF đã ký (tệp ảnh quét?), nên không xác "
                               f"định được đó là {label} này. Hãy đăng ký bản PDF xuất bằng giamsat doc "
                               "export rồi ký số.")
    lost = [p for p in _paragraphs(draft) if _letters(p) and _letters(p) not in theirs]
    if lost:
        sample = " ".join(lost[0].split())[:80]
        raise SignatureRefused(f"Nội dung tệp PDF đã ký không khớp với dự thảo {label}: {len(lost)} đoạn của "
                               f"dự thảo không có trong tệp (ví dụ: «{sample}»). Đây là tệp của văn bản khác "
                               "hoặc dự thảo đã bị sửa; không đăng ký.")


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _letters(text: str) -> str:
    """Letters only: PDF text breaks words at justified spacing, and the number and date are filled in."""
    return "".join(_words(text))


def _paragraphs(path: Path) -> list[str]:
    doc = open_docx(path)
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            seen: set[int] = set()
            for cell in row.cells:  # a merged cell appears once per grid column
                if id(cell._tc) not in seen:
                    seen.add(id(cell._tc))
                    parts += [p.text for p in cell.paragraphs]
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs]
    return parts


def _docx_text(path: Path) -> str:
    return "\n".join(_paragraphs(path))


def _pdf_text(pdf: bytes) -> str:
    program = shutil.which("pdftotext")
    if program is None:
        raise SignatureRefused("Tệp PDF không do giamsat doc export xuất ra, nên phải so chữ với dự thảo, "
                               "nhưng máy chưa cài pdftotext (gói poppler-utils). Cài gói đó, hoặc xuất "
                               "PDF bằng giamsat doc export rồi ký số bản ấy.")
    try:
        done = subprocess.run([program, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                              timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise SignatureRefused(f"Đọc chữ trong tệp PDF quá {TIMEOUT_S} giây; không đăng ký.") from None
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else ""
