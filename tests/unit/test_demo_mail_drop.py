"""The demo's communes deliver into the office Maildir as a mail server would."""

import datetime as dt
import os

from giamsat.demo.mail_drop import deliver, publish, stage

ARRIVED = dt.datetime(2024, 4, 2, 10, 5, tzinfo=dt.UTC)


def test_a_message_staged_in_a_mailbox_not_made_yet_is_delivered_with_its_arrival_time(tmp_path):
    box = tmp_path / "mail"
    key = stage(box, b"Subject: a\r\n\r\nb\r\n", ARRIVED)
    assert sorted(p.name for p in box.iterdir()) == ["cur", "new", "tmp"]
    assert not list((box / "new").iterdir())  # staged: no reader sees it yet
    publish(box, key)
    delivered = box / "new" / key
    assert delivered.read_bytes() == b"Subject: a\r\n\r\nb\r\n"
    assert os.stat(delivered).st_mtime == ARRIVED.timestamp()


def test_a_mailbox_removed_between_two_deliveries_is_made_again(tmp_path):
    box = tmp_path / "mail"
    deliver(box, b"one", ARRIVED)
    for folder in ("tmp", "new", "cur"):
        for p in (box / folder).iterdir():
            p.unlink()
        (box / folder).rmdir()
    key = deliver(box, b"two", ARRIVED)
    assert (box / "new" / key).read_bytes() == b"two"
    assert (box / "cur").is_dir()
