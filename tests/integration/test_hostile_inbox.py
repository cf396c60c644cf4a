"""An inbox someone tampered with: links, odd entries, unmovable folders and a killed sweep's claims.

Each case builds its hostile inbox on the fly (no binaries in the repository) and runs on both
databases; the sweep must take in the plain files, touch nothing outside the inbox and name
every entry it leaves alone.
"""

from __future__ import annotations

import errno
import os
import time

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from giamsat.collect import sweep as sweep_module
from giamsat.collect.service import sweep_inbox
from giamsat.db.models import Submission
from tests.fixtures.collect import at

NOW = at("2025-10-20", 15)


def _inbox(rt):
    inbox = rt.home / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    return inbox


def _skipped(summary) -> dict[str, str]:
    return {k.name: k.reason for k in summary.skipped}


def _stored_bytes(rt) -> list[bytes]:
    return [p.read_bytes() for p in (rt.home / "submissions").rglob("*") if p.is_file()]


def test_a_linked_unit_folder_is_refused_and_nothing_outside_the_inbox_moves(runtime, forms, plan,
                                                                               tmp_path):
    unit = plan.units[0]
    outside = tmp_path / "outside"
    outside.mkdir()
    victim, _ = forms(unit, seed=3, name="victim.docx")
    os.replace(victim, outside / "victim.docx")
    (outside / "passwd").write_text("root:x:0:0")
    (_inbox(runtime) / unit.code).symlink_to(outside, target_is_directory=True)

    summary = sweep_inbox(runtime, NOW)

    assert sorted(p.name for p in outside.iterdir()) == ["passwd", "victim.docx"]
    assert "symlink" in _skipped(summary)[unit.code]
    assert summary.results == [] and summary.failed == []
    assert not list((runtime.home / "inbox" / "rejected").iterdir())


def test_a_link_to_a_secret_file_is_never_read_nor_stored(runtime, forms, plan, tmp_path):
    unit = plan.units[0]
    secret = tmp_path / "environ"
    secret.write_bytes(b"SMTP_PASSWORD=hunter2-BI-MAT")
    real, _ = forms(unit, seed=4, name="real.docx")
    folder = _inbox(runtime) / unit.code
    folder.mkdir()
    os.replace(real, folder / "real.docx")
    (folder / "bao-cao.docx").symlink_to(secret)
    (_inbox(runtime) / "top.docx").symlink_to(secret)

    summary = sweep_inbox(runtime, NOW)

    assert [r.status for r in summary.results] == ["accepted"]
    skipped = _skipped(summary)
    assert "symlink" in skipped[f"{unit.code}/bao-cao.docx"] and "symlink" in skipped["top.docx"]
    assert not any(b"hunter2" in data for data in _stored_bytes(runtime))
    assert secret.read_bytes() == b"SMTP_PASSWORD=hunter2-BI-MAT"
    with runtime.db.unit_of_work() as s:
        assert [x.original_filename for x in s.scalars(select(Submission))] == ["real.docx"]


def test_every_entry_the_sweep_does_not_take_is_named_with_its_reason(runtime, forms, plan):
    unit = plan.units[0]
    inbox = _inbox(runtime)
    (inbox / ".bao-cao.docx").write_bytes(b"x")
    (inbox / "Xa Mot").mkdir()
    (inbox / "Xa Mot" / "bc.docx").write_bytes(b"x")
    (inbox / unit.code / "cu").mkdir(parents=True)
    (inbox / unit.code / "cu" / "bc.docx").write_bytes(b"x")
    os.mkfifo(inbox / "ong-dan.docx")

    summary = sweep_inbox(runtime, NOW)

    skipped = _skipped(summary)
    assert "tệp ẩn" in skipped[".bao-cao.docx"]
    assert "không mang mã đơn vị" in skipped["Xa Mot/"]
    assert "lồng" in skipped[f"{unit.code}/cu/"]
    assert "không phải tệp thông thường" in skipped["ong-dan.docx"]
    assert summary.as_dict()["skipped"] and summary.results == []


def test_a_folder_that_cannot_be_moved_is_reported_and_the_sweep_goes_on(runtime, forms, plan,
                                                                           monkeypatch):
    first, second = plan.units[0], plan.units[1]
    inbox = _inbox(runtime)
    for unit, seed in ((first, 5), (second, 6)):
        (inbox / unit.code).mkdir()
        path, _ = forms(unit, seed=seed, name=f"{unit.code}.docx")
        os.replace(path, inbox / unit.code / path.name)
    real_rename = os.rename

    def rename(src, dst):  # as when inbox/<first> is another file system mounted there
        if f"/{first.code}/" in str(src) and "/.claimed/" not in str(src):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_rename(src, dst)
    monkeypatch.setattr(sweep_module.os, "rename", rename)

    summary = sweep_inbox(runtime, NOW)

    assert [r.unit_key.split("@")[0] for r in summary.results] == [second.code]
    assert "ổ đĩa khác" in _skipped(summary)[f"{first.code}/{first.code}.docx"]
    assert (inbox / first.code / f"{first.code}.docx").exists()


def _killed_sweep_claim(rt, forms, unit, age_s: float):
    """What a sweep killed after claiming one file leaves behind, ``age_s`` seconds ago."""
    claim = _inbox(rt) / ".claimed" / "0123abcd" / unit.code
    claim.mkdir(parents=True)
    path, _ = forms(unit, seed=9, name="claimed.docx")
    os.replace(path, claim / path.name)
    when = time.time() - age_s
    os.utime(claim.parent, (when, when))
    return claim / path.name


def test_a_killed_sweeps_files_are_reported_until_they_come_back(runtime, forms, plan, monkeypatch,
                                                                   tmp_path):
    from giamsat.cli import app

    _killed_sweep_claim(runtime, forms, plan.units[0], age_s=60)

    summary = sweep_inbox(runtime, NOW)

    assert [h.files for h in summary.held] == [1]
    monkeypatch.setenv("GIAMSAT_HOME", str(runtime.home))
    monkeypatch.setenv("GIAMSAT_DATABASE_URL", runtime.settings.database_url)
    out = CliRunner().invoke(app, ["inbox", "sweep", "--as-of", "2025-10-20"]).output
    assert "1 tệp đang do một lần quét khác giữ" in out
    assert "1 tệp đang chờ lần quét khác" in out


def test_a_stale_claim_is_taken_back_but_a_planted_link_in_claims_moves_nothing(
        runtime, forms, plan, tmp_path):
    outside = tmp_path / "system"
    (outside / "13741").mkdir(parents=True)
    (outside / "13741" / "config").write_text("keep me")
    claims = _inbox(runtime) / ".claimed"
    claims.mkdir()
    (claims / "planted").symlink_to(outside, target_is_directory=True)
    _killed_sweep_claim(runtime, forms, plan.units[0], age_s=2 * 3600)

    summary = sweep_inbox(runtime, NOW)

    assert [r.status for r in summary.results] == ["accepted"]
    assert (outside / "13741" / "config").read_text() == "keep me"
    assert not (runtime.home / "inbox" / "13741" / "config").exists()


def test_a_linked_rejected_folder_stops_the_sweep_before_any_file_moves_through_it(
        runtime, forms, plan, tmp_path):
    from giamsat.domain.errors import Conflict

    outside = tmp_path / "etc"
    outside.mkdir()
    inbox = _inbox(runtime)
    (inbox / "rejected").symlink_to(outside, target_is_directory=True)
    (inbox / "rac.docx").write_bytes(b"%PDF-1.4 not a form")

    with pytest.raises(Conflict, match="inbox/rejected là liên kết"):
        sweep_inbox(runtime, NOW)
    assert list(outside.iterdir()) == [] and (inbox / "rac.docx").exists()
