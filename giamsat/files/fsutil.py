"""Atomic file writes: a temporary file in the target's folder, fsync, rename over the target, fsync
the folder.

A reader never sees a half-written file: the target is either the previous version or the whole
new one. A failure (disk full, a crash, a killed process) leaves no partial file under the
target's name; a write that fails raises ``StorageError`` (an ``OSError`` too) whose message says
in Vietnamese which file and why, and removes its temporary file. Only a process killed mid-write
can leave a temporary file (``.<name>-….tmp``, hidden, never under the target's name).
"""

from __future__ import annotations

import ctypes
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from giamsat.domain.errors import StorageError

_REASONS = {errno.ENOSPC: "hết dung lượng đĩa", errno.EDQUOT: "vượt hạn mức dung lượng đĩa",
            errno.EROFS: "ổ đĩa chỉ cho phép đọc", errno.EACCES: "không có quyền ghi",
            errno.EIO: "lỗi đọc/ghi của ổ đĩa", errno.ENOENT: "thư mục không tồn tại"}


def _storage_error(path: Path, exc: OSError) -> StorageError:
    reason = _REASONS.get(exc.errno or 0, exc.strerror or str(exc))
    return StorageError(f"Không ghi được tệp {path}: {reason}. Tệp cũ (nếu có) được giữ nguyên; "
                        "hãy giải phóng dung lượng rồi chạy lại bước này.", exc.errno)


def storage_error(path: Path, exc: OSError) -> StorageError:
    """The typed error, in Vietnamese, for a write to ``path`` that failed with ``exc``."""
    return exc if isinstance(exc, StorageError) else _storage_error(path, exc)


@contextmanager
def atomic_write(path: Path) -> Iterator[BinaryIO]:
    """A binary handle whose content replaces ``path`` only if the block finishes."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _storage_error(path, exc) from exc
    handle = _Handle(os.fdopen(fd, "wb"))
    try:
        with handle.file as fh:
            yield handle  # type: ignore[misc]  # a BinaryIO by delegation
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_paths([path.parent])  # the rename itself durable (a power cut keeps the new file)
    except BaseException as exc:
        handle.abandon()
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, StorageError):
            raise _storage_error(path, exc) from exc
        raise


class _Handle:
    """The temporary file as the writer sees it. Once the write failed it takes, into a throwaway
    buffer, whatever a half-finished writer still sends when it is collected (a ``ZipFile`` from
    python-docx closes itself then), instead of printing a traceback about a closed file."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file

    def __getattr__(self, name: str) -> object:
        return getattr(self.file, name)

    def abandon(self) -> None:
        """Close the real file; later writes and seeks go nowhere."""
        self.file.close()
        self.file = _Void()  # type: ignore[assignment]


class _Void:
    """Takes what a collected writer still sends, and keeps nothing but the position it expects."""

    def __init__(self) -> None:
        self.pos = self.end = 0

    def write(self, data: bytes) -> int:
        self.pos += len(data)
        self.end = max(self.end, self.pos)
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = (offset, self.pos + offset, self.end + offset)[whence]
        return self.pos

    def tell(self) -> int:
        return self.pos

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def fsync_paths(paths: Iterable[str | Path]) -> None:
    """Flush files or folders to disk; a folder's fsync makes the renames inside it durable."""
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _find_syncfs() -> Callable[[int], int] | None:
    """``syncfs(2)`` of the C library (Linux), None elsewhere."""
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return None


_syncfs = _find_syncfs()
FEW = 4  # fewer paths than this are synced one by one: a whole file system's flush costs more


class DiskSync:
    """One flush to disk for many files and folders written after it was opened (``sync``).

    Opened on a folder before the batch is written: its descriptor's error state is sampled then,
    so ``syncfs(2)`` on it reports any write-back error of the file system since (Linux 5.8+),
    whoever else has flushed it in between. One ``syncfs`` makes every file and rename of that
    file system durable, as one ``fsync`` per file and folder did, at the cost of one journal
    commit instead of one each; paths on another file system (a folder mounted below) and small
    batches are synced one by one (``fsync_paths``), as is everything where there is no
    ``syncfs``. Use as a context manager (it closes the descriptor).
    """

    def __init__(self, folder: Path) -> None:
        self._fd = os.open(folder, os.O_RDONLY)
        self._dev = os.fstat(self._fd).st_dev

    def __enter__(self) -> DiskSync:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the descriptor (once)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def sync(self, paths: Iterable[str | Path]) -> None:
        """Make ``paths`` (files, and folders whose entries changed) durable; an ``OSError`` says
        which path could not be (the first of the batch, when the file system failed)."""
        paths = list(paths)
        if _syncfs is None or len(paths) < FEW:
            fsync_paths(paths)
            return
        fsync_paths([p for p in paths if os.stat(p).st_dev != self._dev])
        if _syncfs(self._fd) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), str(paths[0]))

    def durable(self, paths: list[Path]) -> None:
        """``sync``, a failure raised as the ``StorageError`` naming the path (in Vietnamese)."""
        try:
            self.sync(paths)
        except OSError as exc:
            raise storage_error(Path(exc.filename or paths[0]), exc) from exc


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_write(path) as fh:
        fh.write(data)
    return Path(path)


class NotRegularFile(OSError):
    """A path that is a symbolic link, a folder, a device or a pipe where a plain file was expected."""


def open_regular(path: str | Path) -> BinaryIO:
    """``path`` opened for reading only if it is a regular file itself: a link is never followed.

    ``O_NOFOLLOW`` refuses a link in the last component, ``O_NONBLOCK`` keeps a named pipe from
    blocking the open, and ``fstat`` on the opened descriptor (not the name) checks the type, so a
    file swapped for a link between a listing and this call is refused too.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotRegularFile(errno.ELOOP, "liên kết tượng trưng (symlink)", str(path)) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotRegularFile(errno.EINVAL, "không phải tệp thông thường", str(path))
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_regular(path: str | Path) -> bytes:
    """The bytes of a regular file (``open_regular``: links and special files refused)."""
    with open_regular(path) as fh:
        return fh.read()
