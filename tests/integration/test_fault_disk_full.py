"""The disk filling up while notify writes its documents: no half file is presented as done.

Two ways to fill the disk: a file object that takes the first N bytes for real and then raises
ENOSPC (any machine), and a real 400 KB tmpfs mounted over the documents folder (as root only; the
test is skipped, saying so, elsewhere). Either way the step fails with a Vietnamese message naming
the file, leaves no partial document under a final name and no temporary file, records nothing in
the database, and a re-run once space is back completes.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document as Docx
from sqlalchemy import func, select

from giamsat.db.models import Document, Message, Obligation, Step
from giamsat.domain.errors import StorageError
from giamsat.notify.service import notify
from tests.conftest import CONFIG, ROOT

NOTIFY_DAY = __import__("datetime").date(2024, 4, 1)


class FillingDisk:
    """``os.fdopen`` for fsutil whose files accept ``budget`` bytes in all, then raise ENOSPC."""

    def __init__(self, budget: int) -> None:
        self.budget, self.real = budget, os.fdopen

    def __call__(self, fd: int, mode: str = "r", *args, **kwargs):
        disk = self

        class _File:
            def __init__(self) -> None:
                self._fh = disk.real(fd, mode, *args, **kwargs)

            def write(self, data: bytes) -> int:
                room = max(disk.budget, 0)
                disk.budget -= len(data)
                if len(data) > room:
                    self._fh.write(bytes(data)[:room])  # the part that still fits lands on disk
                    self._fh.flush()
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                return self._fh.write(data)

            def __getattr__(self, name: str):
                return getattr(self._fh, name)

            def __enter__(self) -> _File:
                return self

            def __exit__(self, *exc: object) -> None:
                self._fh.close()

        return _File()


def _rows(rt) -> dict:
    with rt.db.unit_of_work() as s:
        rows = {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                for m in (Document, Message, Obligation)}
        done = s.scalar(select(func.count()).where(Step.key == "notify", Step.status == "done"))
    return rows | {"notify_done": done}


def _documents(rt) -> list[Path]:
    return sorted((rt.home / "documents" / "notify").iterdir())


def _whole(path: Path) -> bool:
    with zipfile.ZipFile(path) as z:
        if z.testzip() is not None:
            return False
    return bool(Docx(str(path)).paragraphs)


def _assert_failed_cleanly(rt, exc: StorageError) -> None:
    assert "hết dung lượng đĩa" in str(exc) and ".docx" in str(exc)
    files = _documents(rt)
    assert not [p for p in files if p.suffix != ".docx"], "a temporary file was left behind"
    assert all(_whole(p) for p in files), "a half-written document sits under its final name"
    assert len(files) < 37
    assert _rows(rt) == {"documents": 0, "messages": 0, "obligations": 0, "notify_done": 0}


def _assert_rerun_completes(rt) -> None:
    summary = notify(rt, NOTIFY_DAY)
    # 18 communes and the 3 other recipients of the plan's Nơi nhận
    assert (summary.messages_queued, summary.obligations_created) == (21, 18)
    files = _documents(rt)
    assert len(files) == 37 and all(_whole(p) for p in files)
    # 18 report obligations and the finance office's task
    assert _rows(rt) == {"documents": 37, "messages": 21, "obligations": 19, "notify_done": 1}


def test_a_disk_filling_up_mid_document_leaves_no_half_file_and_records_nothing(runtime, monkeypatch):
    import giamsat.files.fsutil

    with monkeypatch.context() as m:
        m.setattr(giamsat.files.fsutil.os, "fdopen", FillingDisk(budget=700_000))
        with pytest.raises(StorageError) as caught:
            notify(runtime, NOTIFY_DAY)
    _assert_failed_cleanly(runtime, caught.value)
    assert len(_documents(runtime)) > 0  # the disk filled part way through, not at the first file
    _assert_rerun_completes(runtime)


@pytest.fixture
def tiny_documents_disk(sqlite_runtime):
    """A real 400 KB tmpfs over ``<home>/documents``; grown to 64 MB by calling the fixture's value."""
    folder = sqlite_runtime.home / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; the ENOSPC simulation test covers the logic")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield lambda: subprocess.run(["mount", "-o", "remount,size=64m", str(folder)], check=True)
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_real_full_disk_fails_the_notify_command_in_vietnamese_and_a_rerun_completes(
        sqlite_runtime, tiny_documents_disk):
    rt = sqlite_runtime
    env = {**os.environ, "GIAMSAT_HOME": str(rt.home), "GIAMSAT_DATABASE_URL": rt.settings.db_url,
           "GIAMSAT_CONFIG": str(CONFIG)}
    out = subprocess.run([sys.executable, "-m", "giamsat", "notify", "--as-of", "2024-04-01"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Lỗi: Không ghi được tệp" in out.stderr and "hết dung lượng đĩa" in out.stderr
    assert "Traceback" not in out.stderr
    with pytest.raises(StorageError) as caught:
        notify(rt, NOTIFY_DAY)
    _assert_failed_cleanly(rt, caught.value)
    tiny_documents_disk()
    _assert_rerun_completes(rt)
