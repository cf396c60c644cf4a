"""Evidence files of resolved recommendations, stored once by content under ``<home>/evidence/``."""

from __future__ import annotations

import hashlib
from pathlib import Path

from giamsat.docx.reading import Limits, check_container
from giamsat.domain.errors import BadDocument
from giamsat.domain.textsafety import clean_line, display_filename, storage_suffix
from giamsat.files.fsutil import write_bytes_atomic

MB = 1024 * 1024
_WORD_SUFFIXES = {".docx", ".docm", ".dotx", ".dotm"}


def store_evidence(home: Path, source: Path, max_mb: float = 20) -> str:
    """Copy ``source`` into the evidence store (atomic, deduplicated); return its path under home.

    The stored name is the content's SHA-256 and a plain extension: the original name (``..``,
    NUL, 300 characters, ``CON.docx``) never becomes part of a path. Word files go through the
    same container checks as reports (macros, corruption, zip bombs, XML entities).
    """
    source = Path(source)
    if not source.is_file():
        raise BadDocument("missing", f"Không tìm thấy tệp minh chứng: {clean_line(str(source))}")
    size = source.stat().st_size  # before reading: a huge file must not be loaded to be refused
    if size > max_mb * MB:
        raise BadDocument("too_large", f"Tệp minh chứng quá lớn ({size / MB:.1f} MB); "
                                       f"giới hạn {max_mb:.0f} MB.")
    data = source.read_bytes()
    if not data:
        raise BadDocument("empty", f"Tệp minh chứng rỗng (0 byte): {display_filename(source.name)}")
    if source.suffix.lower() in _WORD_SUFFIXES:
        if source.suffix.lower() in {".docm", ".dotm"}:
            raise BadDocument("macro", "Tệp Word có macro (.docm) không được nhận làm minh chứng.")
        check_container(data, Limits(max_file_bytes=int(max_mb * MB)))
    digest = hashlib.sha256(data).hexdigest()
    rel = Path("evidence") / digest[:2] / f"{digest}{storage_suffix(source.name)}"
    target = home / rel
    if not target.exists():
        _write_atomic(target, data)
    return rel.as_posix()


def _write_atomic(target: Path, data: bytes) -> None:
    write_bytes_atomic(target, data)
