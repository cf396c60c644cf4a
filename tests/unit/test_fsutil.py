"""Atomic writes: the previous version or the whole new one, never a half file, a Vietnamese error."""

import errno

import pytest

from giamsat.domain.errors import StorageError
from giamsat.files.fsutil import atomic_write, write_bytes_atomic


def test_a_failed_write_keeps_the_previous_version_and_leaves_no_temporary_file(tmp_path):
    target = write_bytes_atomic(tmp_path / "ke-hoach.docx", b"version 1")
    with pytest.raises(StorageError, match="ke-hoach.docx: hết dung lượng đĩa") as caught:
        with atomic_write(target) as fh:
            fh.write(b"version 2, half")
            raise OSError(errno.ENOSPC, "No space left on device")
    assert caught.value.errno == errno.ENOSPC and isinstance(caught.value, OSError)
    assert target.read_bytes() == b"version 1"
    assert [p.name for p in tmp_path.iterdir()] == ["ke-hoach.docx"]


def test_an_error_that_is_not_about_the_disk_passes_through_unchanged(tmp_path):
    with pytest.raises(ValueError, match="bug"):
        with atomic_write(tmp_path / "x.eml"):
            raise ValueError("bug")
    assert list(tmp_path.iterdir()) == []


def test_a_writer_that_keeps_writing_after_the_failure_is_silently_ignored(tmp_path):
    with pytest.raises(StorageError):
        with atomic_write(tmp_path / "x.docx") as fh:
            kept = fh
            raise OSError(errno.ENOSPC, "No space left on device")
    kept.seek(0, 2)
    assert kept.write(b"end record") == 10 and kept.tell() == 10
    assert list(tmp_path.iterdir()) == []
