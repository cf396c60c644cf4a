"""Reading a .tar.gz someone handed us without trusting it: regular files only, no escaping paths.

Refused: absolute names, ``..`` parts, backslashes, links, devices, duplicate names, names outside
the expected top-level folders, more members or more bytes than allowed. Files are streamed to a
destination folder with their SHA-256 computed on the way; nothing is written outside it.
"""

from __future__ import annotations

import hashlib
import tarfile
import zlib
from pathlib import Path, PurePosixPath

CHUNK = 1 << 20


class UnsafeArchive(Exception):
    """The archive is corrupt or tries something an export never does; the message is Vietnamese."""


def check_name(name: str, allowed: tuple[str, ...]) -> PurePosixPath:
    """The member name as a safe relative path, or ``UnsafeArchive``."""
    path = PurePosixPath(name)
    if not name or "\\" in name or "\x00" in name or path.is_absolute() or name.startswith("/"):
        raise UnsafeArchive(f"Tệp lưu trữ chứa đường dẫn không hợp lệ: {name!r}.")
    if any(part in ("", ".", "..") for part in name.split("/")):
        raise UnsafeArchive(f"Tệp lưu trữ chứa đường dẫn thoát ra ngoài thư mục: {name!r}.")
    if str(path) not in allowed and path.parts[0] + "/" not in allowed:
        raise UnsafeArchive(f"Tệp lưu trữ chứa mục lạ: {name!r}.")
    return path


def extract(archive: Path, dest: Path, allowed: tuple[str, ...], max_bytes: int,
            max_members: int = 200_000) -> dict[str, str]:
    """Extract the regular files of ``archive`` under ``dest``; return ``{name: sha256}``."""
    found: dict[str, str] = {}
    total = 0
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for count, member in enumerate(tar, start=1):
                if count > max_members:
                    raise UnsafeArchive(f"Tệp lưu trữ có quá nhiều mục (hơn {max_members}).")
                if member.isdir():
                    check_name(member.name.rstrip("/"), allowed)
                    continue
                if not member.isreg():
                    raise UnsafeArchive(f"Tệp lưu trữ chứa liên kết hoặc tệp đặc biệt: {member.name!r}.")
                name = str(check_name(member.name, allowed))
                if name in found:
                    raise UnsafeArchive(f"Tệp lưu trữ chứa hai lần mục {name!r}.")
                total += member.size
                if total > max_bytes:
                    raise UnsafeArchive(
                        f"Tệp lưu trữ quá lớn khi giải nén (hơn {max_bytes // (1 << 20)} MB).")
                found[name] = _copy(tar, member, dest / name)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise UnsafeArchive(f"Tệp lưu trữ bị hỏng hoặc không phải .tar.gz: {exc}") from None
    return found


def _copy(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> str:
    """Stream one member to ``target`` (exactly its declared size) and return its SHA-256."""
    source = tar.extractfile(member)
    if source is None:
        raise UnsafeArchive(f"Không đọc được mục {member.name!r} của tệp lưu trữ.")
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, left = hashlib.sha256(), member.size
    with source, target.open("xb") as out:
        while left > 0:
            chunk = source.read(min(CHUNK, left))
            if not chunk:
                raise UnsafeArchive(f"Mục {member.name!r} của tệp lưu trữ bị cắt cụt.")
            digest.update(chunk)
            out.write(chunk)
            left -= len(chunk)
    return digest.hexdigest()
