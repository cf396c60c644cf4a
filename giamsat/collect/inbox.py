"""What lies in ``<home>/inbox/``: the regular files a sweep takes, and every other entry, named.

Only regular files directly in ``inbox/`` or in ``inbox/<unit code>/`` (``13741``; a village
``13741-01``) are taken. Nothing is followed: a symbolic link (to a file or a folder) is refused
where it lies, so a sweep never reads nor moves anything outside the inbox. Everything not taken
(links, hidden or temporary files, folders that are not a unit code, nested folders, unreadable
folders) is listed with the reason in Vietnamese, for the sweep's summary.
"""

from __future__ import annotations

import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from giamsat.domain.errors import Conflict
from giamsat.domain.outline_spec import UNIT_CODE
from giamsat.domain.textsafety import clean_line

OWN_FOLDERS = frozenset({".claimed", ".seen", "processed", "rejected"})  # the sweep's own folders
ARRIVED = ".arrived"  # beside a file: when it arrived (written by whatever delivered it)
_SKIP_PREFIXES = (".", "~$")
_SKIP_SUFFIXES = (".tmp", ".part", ".crdownload", ".partial")
_UNIT_FOLDER = re.compile(UNIT_CODE)

LINK = "là liên kết tượng trưng (symlink): không được đọc, không được di chuyển"
HIDDEN = "là tệp ẩn hoặc tệp đang ghi dở (tên bắt đầu bằng '.' hoặc '~$', đuôi .tmp/.part): bỏ qua"
NOT_UNIT = ("là thư mục không mang mã đơn vị (5 chữ số; thôn: mã xã-số thứ tự, ví dụ 13741-01): "
            "các tệp bên trong không được tiếp nhận")
NESTED = "là thư mục lồng trong thư mục đơn vị: chỉ tiếp nhận tệp đặt trực tiếp trong inbox/<mã>/"
SPECIAL = "không phải tệp thông thường (thiết bị, ống dẫn, socket): bỏ qua"


@dataclass(frozen=True)
class Skipped:
    """An inbox entry a sweep did not take: its path under ``inbox/`` and why, in Vietnamese."""

    name: str
    reason: str

    @property
    def text(self) -> str:
        """One line for the CLI: ``inbox/13741/x.docx là liên kết …``."""
        return f"inbox/{clean_line(self.name)} {self.reason}"


@dataclass
class Listing:
    """The files to take (path, claimed unit code), oldest first, and the entries left alone."""

    files: list[tuple[Path, str | None]]
    skipped: list[Skipped]


def scan(inbox: Path) -> Listing:
    """List ``inbox`` without following any link; files oldest first, then by name."""
    wanted: list[tuple[float, str, Path, str | None]] = []
    skipped: list[Skipped] = []
    for entry, mode, mtime in entries(inbox, "", skipped):
        if stat.S_ISDIR(mode):
            if entry.name in OWN_FOLDERS:
                continue
            if not _UNIT_FOLDER.fullmatch(entry.name):
                skipped.append(Skipped(entry.name + "/", NOT_UNIT))
                continue
            for inner, inner_mode, inner_mtime in entries(Path(entry.path), entry.name + "/", skipped):
                if stat.S_ISDIR(inner_mode):
                    skipped.append(Skipped(f"{entry.name}/{inner.name}/", NESTED))
                elif _regular(inner, inner_mode, f"{entry.name}/", skipped):
                    wanted.append((inner_mtime, inner.name, Path(inner.path), entry.name))
        elif _regular(entry, mode, "", skipped):
            wanted.append((mtime, entry.name, Path(entry.path), None))
    wanted.sort(key=lambda w: w[:2])
    return Listing([(p, c) for _, _, p, c in wanted], skipped)


def entries(folder: Path, prefix: str, skipped: list[Skipped]) -> list[tuple[os.DirEntry, int, float]]:
    """The folder's entries with their own (link, not target) mode and time; links reported."""
    out = []
    try:
        with os.scandir(folder) as it:
            for entry in it:
                try:
                    st = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue  # claimed by another sweep since the listing
                if stat.S_ISLNK(st.st_mode):
                    skipped.append(Skipped(prefix + entry.name, LINK))
                    continue
                out.append((entry, st.st_mode, st.st_mtime))
    except OSError as exc:
        skipped.append(Skipped(prefix or ".", f"không đọc được thư mục ({exc.strerror or exc}): "
                                              "bỏ qua, các thư mục khác vẫn được xử lý"))
    return out


def _regular(entry: os.DirEntry, mode: int, prefix: str, skipped: list[Skipped]) -> bool:
    """Whether a non-folder entry is a file to take; the others are reported."""
    if not stat.S_ISREG(mode):
        skipped.append(Skipped(prefix + entry.name, SPECIAL))
        return False
    if entry.name.endswith(ARRIVED):
        return False  # the arrival time of the file beside it, not a report
    if entry.name.startswith(_SKIP_PREFIXES) or entry.name.lower().endswith(_SKIP_SUFFIXES):
        skipped.append(Skipped(prefix + entry.name, HIDDEN))
        return False
    return True


def own_folder(inbox: Path, name: str) -> Path:
    """``inbox/<name>``, created if missing; ``Conflict`` if it is a link or a file (never followed)."""
    path = inbox / name
    try:
        path.mkdir(parents=True, exist_ok=False)
    except FileExistsError:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            raise Conflict(f"inbox/{name} là liên kết (symlink) hoặc tệp, không phải thư mục: không "
                           "quét hộp thư để không chuyển tệp ra ngoài. Xóa nó rồi quét lại.") from None
    return path


@dataclass(frozen=True)
class HeldClaim:
    """Files another sweep claimed and has not finished: running, or killed and held until ``until``."""

    files: int
    until: float


def held_claims(claims_root: Path, mine: Path, stale_after: float,
                now: float | None = None) -> list[HeldClaim]:
    """The claims of other sweeps not yet old enough to be returned, with their file counts."""
    now = time.time() if now is None else now
    out = []
    for claim, mode, mtime in entries(claims_root, ".claimed/", []):
        if not stat.S_ISDIR(mode) or Path(claim.path) == mine or now - mtime >= stale_after:
            continue
        files = sum(1 for folder, m, _ in entries(Path(claim.path), "", []) if stat.S_ISDIR(m)
                    for _f in entries(Path(folder.path), "", []))
        if files:
            out.append(HeldClaim(files, mtime + stale_after))
    return out
