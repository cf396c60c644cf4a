"""Hostile file names: stored under a safe name inside the home, the original kept only as data."""

import pytest
from sqlalchemy import select

from giamsat.collect.service import submit, sweep_inbox
from giamsat.db.models import Submission
from giamsat.domain.errors import BadDocument
from giamsat.followup.evidence import store_evidence
from tests.fixtures.collect import at

HOSTILE_NAMES = ["../../etc/x.docx", "/etc/cron.d/x.docx", "..\\..\\Windows\\x.docx", "x\x00.docx",
                 "CON.docx", "bao-cao\r\n<script>alert(1)</script>.docx", "Báo cáo " * 60 + ".docx"]


def _inside(home, rel):
    target = (home / rel).resolve()
    assert target.is_relative_to(home.resolve()) and target.is_file()
    return target


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_original_name_is_kept_as_plain_data_and_never_used_as_a_path(
        name, sqlite_runtime, forms, plan, tmp_path):
    good, _ = forms(plan.units[0], seed=4)
    result = submit(sqlite_runtime, good, at("2024-04-02"), original_name=name)
    assert result.status == "accepted"
    for bad in ("/", "\\", "\x00", "\r", "\n"):
        assert bad not in result.filename
    assert len(result.filename.encode()) <= 200 and not result.filename.startswith(".")
    with sqlite_runtime.db.unit_of_work() as s:
        row = s.scalar(select(Submission))
        assert row.original_filename == result.filename
        stored = _inside(sqlite_runtime.home, row.stored_path)
    assert stored.name == f"{row.sha256}.docx"


def test_an_inbox_file_with_a_name_of_255_bytes_is_taken_in_and_moved(sqlite_runtime, forms, plan):
    good, _ = forms(plan.units[0], seed=4)
    inbox = sqlite_runtime.home / "inbox"
    inbox.mkdir(parents=True)
    name = ("Báo cáo xã " * 30)[:240].rstrip()
    name = name.encode()[:250].decode("utf-8", "ignore") + ".docx"
    (inbox / name).write_bytes(good.read_bytes())
    (inbox / "b\n<i>x&.docx").write_bytes(b"PK\x03\x04 broken")
    summary = sweep_inbox(sqlite_runtime, at("2024-04-03", 17))
    d = summary.as_dict()
    assert (d["accepted"], d["rejected"], d["failed"]) == (1, 1, [])
    assert [p.name for p in inbox.iterdir() if p.is_file()] == []
    moved = [p.name for p in (inbox / "processed").iterdir()]
    assert len(moved) == 1 and len(moved[0].encode()) <= 255 and moved[0].endswith(".docx")
    assert [p.name for p in (inbox / "rejected").iterdir()][0].endswith("-b <i>x&.docx")


@pytest.mark.parametrize("name, suffix", [("minh-chung.PDF", ".pdf"), ("CON", ".bin"),
                                          ("x.<img src=x>", ".bin"), ("a" * 250 + ".png", ".png")])
def test_evidence_is_stored_by_content_with_a_plain_extension(name, suffix, tmp_path):
    home, outside = tmp_path / "home", tmp_path / "up" / "deep"
    outside.mkdir(parents=True)
    source = outside / ".." / name
    source.write_bytes(b"%PDF-1.7 minh chung")
    rel = store_evidence(home, source)
    stored = _inside(home, rel)
    assert rel.startswith("evidence/") and stored.suffix == suffix and len(stored.stem) == 64


def test_an_evidence_file_larger_than_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    big = tmp_path / "big.pdf"
    with big.open("wb") as fh:
        fh.truncate(3 * 1024 * 1024)
    monkeypatch.setattr(type(big), "read_bytes", lambda self: pytest.fail("read a refused file"))
    with pytest.raises(BadDocument) as refused:
        store_evidence(tmp_path / "home", big, max_mb=1)
    assert refused.value.code == "too_large"
