"""One flush to disk for a batch of files (``fsutil.DiskSync``), and what uses it."""

from __future__ import annotations

import ctypes
import errno
import os

import pytest

from giamsat.files import fsutil
from giamsat.files.fsutil import DiskSync
from giamsat.messaging import templates


class Calls:
    """The ``syncfs`` and ``fsync`` calls made, answering ``result`` to ``syncfs``."""

    def __init__(self, monkeypatch, result: int = 0, code: int = 0) -> None:
        self.syncfs: list[int] = []
        self.fsync: list[int] = []
        real_fsync = os.fsync

        def syncfs(fd: int) -> int:
            self.syncfs.append(fd)
            ctypes.set_errno(code)
            return result

        def fsync(fd: int) -> None:
            self.fsync.append(fd)
            real_fsync(fd)
        monkeypatch.setattr(fsutil, "_syncfs", syncfs)
        monkeypatch.setattr(fsutil.os, "fsync", fsync)


def _files(folder, n):
    out = []
    for i in range(n):
        sub = folder / f"{i % 3:02d}"
        sub.mkdir(exist_ok=True)
        (sub / f"f{i}").write_bytes(b"x" * i)
        out.append(sub / f"f{i}")
    return [*out, *sorted({p.parent for p in out})]


def test_a_batch_is_flushed_by_one_syncfs_instead_of_one_fsync_a_file(tmp_path, monkeypatch):
    with DiskSync(tmp_path) as disk:
        paths = _files(tmp_path, 12)
        calls = Calls(monkeypatch)
        disk.sync(paths)
    assert len(calls.syncfs) == 1 and calls.fsync == []


def test_a_few_files_are_synced_one_by_one(tmp_path, monkeypatch):
    with DiskSync(tmp_path) as disk:
        paths = _files(tmp_path, 1)
        calls = Calls(monkeypatch)
        disk.sync(paths)
    assert calls.syncfs == [] and len(calls.fsync) == 2


def test_files_on_another_file_system_are_synced_one_by_one_as_well(tmp_path, monkeypatch):
    with DiskSync(tmp_path) as disk:
        paths = _files(tmp_path, 6)
        elsewhere = paths[0]
        real_stat = os.stat

        def stat(path, *args, **kwargs):  # the first file as if a folder were mounted over it
            found = real_stat(path, *args, **kwargs)
            if str(path) != str(elsewhere):
                return found
            values = list(found)
            values[2] = found.st_dev + 1  # st_dev
            return os.stat_result(values)
        calls = Calls(monkeypatch)
        monkeypatch.setattr(fsutil.os, "stat", stat)
        disk.sync(paths)
    assert len(calls.syncfs) == 1 and len(calls.fsync) == 1


def test_without_syncfs_every_path_is_fsynced(tmp_path, monkeypatch):
    with DiskSync(tmp_path) as disk:
        paths = _files(tmp_path, 9)
        calls = Calls(monkeypatch)
        monkeypatch.setattr(fsutil, "_syncfs", None)
        disk.sync(paths)
    assert len(calls.fsync) == len(paths)


def test_a_failed_flush_raises_the_file_systems_error_naming_the_batch(tmp_path, monkeypatch):
    with DiskSync(tmp_path) as disk:
        paths = _files(tmp_path, 9)
        Calls(monkeypatch, result=-1, code=errno.EIO)
        with pytest.raises(OSError) as caught:
            disk.sync(paths)
    assert caught.value.errno == errno.EIO and caught.value.filename == str(paths[0])


def test_the_real_syncfs_flushes_a_batch(tmp_path):
    assert fsutil._syncfs is not None  # Linux: the batch path is the one taken
    with DiskSync(tmp_path) as disk:
        disk.sync(_files(tmp_path, 8))


def test_an_email_template_is_read_once_not_checked_on_disk_at_every_email(monkeypatch):
    context = {"office_name": "Phòng", "sender": "a@b", "subject": "s", "reason": "r",
               "arrived_on": __import__("datetime").date(2024, 4, 2), "reference": "TH-00001",
               "files": ["x.docx"]}
    first = templates.render_email("mail_kept", context)

    def no_stat(path):
        raise AssertionError(f"template file checked again: {path}")
    monkeypatch.setattr(os.path, "getmtime", no_stat)
    assert templates.render_email("mail_kept", context) == first


def _attachments():
    from giamsat.messaging.incoming import IncomingAttachment

    atts = [IncomingAttachment(f"ky-{i}.pdf", b"%PDF-1.4 " + bytes([i]) * (100 + i)) for i in range(6)]
    return [*atts, atts[0], IncomingAttachment("ghi-chu.txt", b"notes")]  # a copy, an "other"


def _tree(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_kept_files_are_the_files_the_batch_writer_kept_with_two_flushes(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from giamsat.collect import mail_records as mr
    from giamsat.docx.stamp import BatchWriter

    old, new = SimpleNamespace(home=tmp_path / "old"), SimpleNamespace(home=tmp_path / "new")
    for rt in (old, new):  # one of them kept before
        first = rt.home / mr.kept_path(rt, _attachments()[3])
        first.parent.mkdir(parents=True)
        first.write_bytes(_attachments()[3].data)
    batch, seen = BatchWriter(), set()  # the earlier keep_files
    for att in _attachments():
        target = old.home / mr.kept_path(old, att)
        if target not in seen and not target.exists():
            seen.add(target)
            batch.add(target, att.data)
    batch.commit()
    calls = Calls(monkeypatch)
    mr.keep_files(new, _attachments())
    assert _tree(new.home) == _tree(old.home) and len(_tree(new.home)) == 7
    assert len(calls.syncfs) == 2 and calls.fsync == []  # the files, then their renames
    mr.keep_files(new, _attachments())  # all kept already: nothing written, nothing flushed
    assert len(calls.syncfs) == 2


def test_a_kept_file_that_cannot_be_moved_into_place_leaves_no_temporary_file(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from giamsat.collect import mail_records as mr
    from giamsat.domain.errors import StorageError

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "replace", full)  # the os module keep_files renames with
    rt = SimpleNamespace(home=tmp_path)
    with pytest.raises(StorageError, match="hết dung lượng đĩa"):
        mr.keep_files(rt, _attachments())
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
