"""What the recording process hands over to the workers for mail, and takes back, changes nothing.

A Maildir message goes to a worker by its file (the worker reads it), the worker hashes the
attachments and writes each form's original under a temporary name beside its place; the
recording process renames it (or removes it) instead of writing it. Compared here with one
process doing it all (no workers): the same rows, the same kept files (byte for byte, no
temporary file left), the same outcomes — with a duplicate message, a content already taken, a
form and a signed PDF, a message whose file moved before a worker read it.
"""

from __future__ import annotations

import hashlib
import os
import pickle

import pytest

from giamsat.collect import mail, recording, workers
from giamsat.collect.intake import Incoming, check_base
from giamsat.collect.mail import fetch_mail
from giamsat.collect.recording import prepare_all
from giamsat.cycle.sync import open_cycle
from giamsat.messaging.incoming import Fetched
from giamsat.messaging.maildir import MaildirMailbox, MaildirMessage
from tests.conftest import CONFIG, OPENED_AT
from tests.fixtures.collect import at, deliver_to_maildir
from tests.fixtures.imap import mail_with
from tests.integration.test_collect_sweep_batch import _state

PDF = b"%PDF-1.4\n% a signed scan\n" + bytes(range(256)) * 40


def _runtime(tmp_path, name, n_workers):
    return open_cycle(CONFIG, OPENED_AT, home=tmp_path / name, intake_workers=n_workers,
                      database_url=f"sqlite:///{tmp_path / f'{name}.db'}")


def _kept(rt) -> dict[str, str]:
    """Every file under ``submissions/`` (hidden ones too) → the SHA-256 of its bytes."""
    root = rt.home / "submissions"
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _messages(plan, forms) -> list[bytes]:
    units = plan.units_on(plan.report.deadline)
    first = forms(units[0], seed=700)[0].read_bytes()
    out = [mail_with(units[0].email, [("bao-cao.docx", first), ("ky-so.pdf", PDF)])]
    out += [mail_with(u.email, [(f"bao-cao-{i}.docx", forms(u, seed=710 + i)[0].read_bytes())])
            for i, u in enumerate(units[1:6])]
    out.append(mail_with(units[6].email, [("sai.docx", forms(units[6], seed=9, fault="balance")[0]
                                                   .read_bytes())]))
    out.append(out[0])  # the same message delivered twice
    out.append(mail_with(units[0].email, [("lai-nua.docx", first)]))  # its content again, another message
    return out


def _fetch(rt, messages):
    deliver_to_maildir(rt.home, messages)
    summary = fetch_mail(rt, at("2024-04-03", 17)).as_dict()
    return [(m["status"], m["files"] and [(f["name"], f.get("status"), f.get("stored_path"))
                                          for f in m["files"]]) for m in summary["details"]]


@pytest.mark.parametrize("chunk", [3, 100])
def test_mail_handed_over_by_file_keeps_the_rows_files_and_outcomes_of_one_process(
        chunk, forms, plan, tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "MIN_FORMS", 1)
    monkeypatch.setattr(mail, "CHUNK", chunk)
    sent, placed = [], []
    real_start, real_place = workers.start_mail, recording._place

    def start(rt, fetched, now):
        sent.extend(fetched)
        return real_start(rt, fetched, now)

    def place(rt, partial, sha, known):
        found = real_place(rt, partial, sha, known)
        placed.append(found)
        return found
    monkeypatch.setattr(workers, "start_mail", start)
    monkeypatch.setattr(recording, "_place", place)
    messages = _messages(plan, forms)
    alone, pooled = _runtime(tmp_path, "alone", 0), _runtime(tmp_path, "pooled", 2)
    expected = _fetch(alone, messages)
    assert not [p for p in placed if p is not None]  # one process: it writes every original itself
    sent.clear()
    assert _fetch(pooled, messages) == expected
    assert _state(pooled) == _state(alone)
    assert _kept(pooled) == _kept(alone) and not any(n.rsplit("/", 1)[-1].startswith(".")
                                                     for n in _kept(pooled))
    # every message went by its file, a few hundred bytes, not its megabyte of attachments
    assert len(sent) == len(messages) and all(isinstance(f, MaildirMessage) for f in sent)
    assert max(len(pickle.dumps(f)) for f in sent) < 1000
    # the eight new forms' originals were written by the workers (the copies: no new original)
    assert len([p for p in placed if p is not None]) == 7
    alone.db.dispose()
    pooled.db.dispose()


def test_a_maildir_file_a_worker_cannot_read_is_read_by_the_recording_process(forms, plan, tmp_path,
                                                                             monkeypatch):
    """A concurrent fetch may move a message to ``cur/`` after the listing: the worker cannot read
    it and says so; the recording process finds it through its mailbox, as it always did."""
    monkeypatch.setattr(workers, "MIN_FORMS", 1)
    real = workers.start_mail
    moved = []

    def start(rt, fetched, now):  # the first message moved to cur/ (not taken) once it is listed
        first = fetched[0]
        target = rt.home / "mail" / "cur" / f"{first.key}:2,"
        os.rename(first.path, target)
        moved.append(target)
        return real(rt, fetched, now)
    messages = _messages(plan, forms)
    alone, pooled = _runtime(tmp_path, "alone", 0), _runtime(tmp_path, "pooled", 2)
    expected = _fetch(alone, messages)
    monkeypatch.setattr(workers, "start_mail", start)
    assert _fetch(pooled, messages) == expected and len(moved) == 1
    assert _state(pooled) == _state(alone) and _kept(pooled) == _kept(alone)
    assert not moved[0].exists()  # taken: flagged seen since
    alone.db.dispose()
    pooled.db.dispose()


def test_a_worker_reads_a_maildir_file_as_the_mailbox_does_and_hashes_its_attachments(
        forms, plan, runtime, tmp_path, monkeypatch):
    unit = plan.units_on(plan.report.deadline)[0]
    raw = mail_with(unit.email, [("bao-cao.docx", forms(unit, seed=3)[0].read_bytes()), ("ky.pdf", PDF)])
    deliver_to_maildir(tmp_path, [raw, raw + b"\n" * 2048])
    box = MaildirMailbox(tmp_path / "mail", max_message_bytes=len(raw) + 1024)
    keys = box.pending()
    for key in keys:  # the worker's reading is the mailbox's, an over-size message by its header
        assert box.message(key).fetch() == box.fetch(key)
        assert isinstance(box.fetch(key), Fetched)
    assert box.fetch(keys[1]).too_big and not box.fetch(keys[0]).too_big
    monkeypatch.setattr(workers, "_base", lambda: check_base(runtime))
    read = workers._read_mail(box.message(keys[0]), at("2024-04-03", 17), str(tmp_path / "home"))
    assert read is not None
    back = pickle.loads(pickle.dumps(read))[0]  # as the result travels to the recording process
    assert all("sha256" in vars(a) for a in back.attachments)  # computed there, not here
    assert [a.sha256 for a in back.attachments] == [hashlib.sha256(a.data).hexdigest()
                                                   for a in back.attachments]
    staged = read[2]
    assert len(staged) == 1 and staged[0] is not None
    sha = back.forms[0].sha256
    assert os.path.basename(staged[0]).startswith(f".{sha}.docx.")
    gone = MaildirMessage("maildir", "x", str(tmp_path / "nowhere"), 1 << 20)
    assert workers._read_mail(gone, at("2024-04-03", 17)) is None


def test_given_digests_and_staged_originals_prepare_what_hashing_and_writing_here_prepares(
        forms, plan, runtime, tmp_path):
    units = plan.units_on(plan.report.deadline)
    datas = [forms(u, seed=40 + i)[0].read_bytes() for i, u in enumerate(units[:3])]
    items = [Incoming(d, f"f{i}.docx", at("2024-04-02", 9), "mail") for i, d in enumerate(datas)]
    plain = prepare_all(runtime, items)
    files = _kept(runtime)
    for f in (runtime.home / "submissions").rglob("*.docx"):
        f.unlink()
    shas = {i: (hashlib.sha256(d).hexdigest(), len(d)) for i, d in enumerate(datas)}
    staged = {}
    for i, d in enumerate(datas):
        partial = workers._stage(str(runtime.home), d, shas[i][0], f"f{i}.docx", 1 << 30)
        assert partial is not None
        staged[i] = partial
    leftover = workers._stage(str(runtime.home), datas[0], shas[0][0], "f0.docx", 1 << 30)
    staged[7] = leftover  # an item that never comes (it failed before its turn): removed
    stray = runtime.home / "submissions" / ".elsewhere.docx.0a"
    stray.write_bytes(b"not a staged original")
    given = prepare_all(runtime, items, digests=shas, staged={**staged, 1: str(stray)})
    assert stray.read_bytes() == b"not a staged original"  # not named for its item: not touched
    stray.unlink()
    os.unlink(staged[1])  # its own staged file, not given: written again by prepare_all instead
    assert [(p.sha, p.size, p.stored, p.name) for p in given.values()] == \
        [(p.sha, p.size, p.stored, p.name) for p in plain.values()]
    assert _kept(runtime) == files


def test_originals_that_cannot_be_flushed_stop_the_intake_in_vietnamese_before_any_row(
        forms, plan, tmp_path, monkeypatch):
    import ctypes
    import errno

    from giamsat.domain.errors import StorageError
    from giamsat.files import fsutil

    def failing(fd):
        ctypes.set_errno(errno.ENOSPC)
        return -1
    monkeypatch.setattr(fsutil, "_syncfs", failing)
    rt = _runtime(tmp_path, "full", 0)
    units = plan.units_on(plan.report.deadline)
    items = [Incoming(forms(u, seed=60 + i)[0].read_bytes(), f"f{i}.docx", at("2024-04-02", 9), "mail")
             for i, u in enumerate(units[:4])]
    with pytest.raises(StorageError, match="Không ghi được tệp .*submissions.*hết dung lượng đĩa"):
        prepare_all(rt, items)
    assert _state(rt)["submissions"] == []
    rt.db.dispose()


def test_messages_read_in_batches_are_handed_out_one_by_one_an_error_for_its_own_message():
    from concurrent.futures import Future

    done, broken = Future(), Future()
    done.set_result(["first", ValueError("không đọc được thư"), None])
    broken.set_exception(__import__("concurrent.futures.process").futures.process.BrokenProcessPool())
    reads = workers.MailReads([done, broken])
    assert reads.result(0) == "first" and reads.result(2) is None
    with pytest.raises(ValueError, match="không đọc được thư"):
        reads.result(1)
    # a job whose worker died, and a message never sent: read in the recording process
    assert reads.result(workers.BATCH) is None and reads.result(2 * workers.BATCH) is None
