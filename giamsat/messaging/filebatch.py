"""The file channel's batches written on the worker processes, so the recording process only claims
and records: the workers build each message (``mime.message_bytes``, attachments in base64) and
write its .eml file.

Why every guarantee of the file channel still holds (README, Guarantees): a file's name and bytes
are fixed by its message and written by one function (``channels.write_eml``) wherever it runs,
so a file written by a worker is the file the process would have written. The recording process
records a batch as sent in one commit only after every file of it was written and synced
(``os.sync`` after the workers answered), as the in-process session does. A worker that dies
mid-batch breaks the pool: the messages it was given are written again here, in place, under a
temporary name of their own — a file it had renamed is rewritten with the same bytes, one it had
not leaves at most a hidden temporary file — so no message is lost or gets a second file.

The pool is the process's shared one (``files.pool``, the intake's workers); a batch smaller than
``MIN_MESSAGES`` is written in the process, where the round trips cost less.
"""

from __future__ import annotations

import os
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from giamsat.domain.errors import DeliveryError
from giamsat.files.pool import forget_pool, outcome, pool_for
from giamsat.messaging.channels import Channel, FileChannel, session_suffix, write_eml
from giamsat.messaging.mime import Outgoing

MIN_MESSAGES = 40  # a smaller batch is written in the process: the round trips would cost more
CHUNK = 50  # messages per job: a batch is shared between the workers
BATCH = 200  # messages per claim of a channel that records each message (SMTP)
FILE_BATCH = 1000  # per claim of the file channel: it records a batch in one commit after one sync

Written = list[tuple[str, bool] | None]  # per message: None when written, else (error, permanent)
_Args = tuple[Path, str, str | None]  # folder, sender, reply-to


class Writing:
    """A batch being written on the workers, in order, job by job."""

    def __init__(self, args: _Args, jobs: list[tuple[list[Outgoing], Future[Written] | None]]) -> None:
        self.args, self.jobs = args, jobs

    def done(self) -> list[tuple[Outgoing, DeliveryError | None]]:
        """Wait for every file; each message with its error (None: written). The messages of a
        job whose worker died (or that no worker took) are written here."""
        results: list[tuple[Outgoing, DeliveryError | None]] = []
        for part, job in self.jobs:
            written = outcome(job) if job is not None else None
            if written is None:
                written = write_all(*self.args, part)
            results += [(out, DeliveryError(w[0], permanent=w[1]) if w else None)
                        for out, w in zip(part, written, strict=True)]
        return results


def claim_size(channel: Channel) -> int:
    """Messages per claim when the caller names none. The file channel's batch costs one
    ``os.sync`` (every dirty page of the machine) and two commits whatever its size, so it claims
    more at once; a kill leaves at most two such batches claimed (written again, in place, once
    their claims expire). SMTP records each message as the server takes it: 200 a connection."""
    return FILE_BATCH if isinstance(channel, FileChannel) else BATCH


def start(channel: Channel, batch: list[Outgoing]) -> Writing | None:
    """``batch`` handed to the workers; None when it is to be sent in the process (another channel,
    no workers asked for, or a batch too small)."""
    if not isinstance(channel, FileChannel) or len(batch) < MIN_MESSAGES:
        return None
    pool = pool_for(channel.workers)
    if pool is None:
        return None
    channel.folder.mkdir(parents=True, exist_ok=True)
    args: _Args = (channel.folder, channel.mail_from, channel.reply_to)
    jobs: list[tuple[list[Outgoing], Future[Written] | None]] = []
    for i in range(0, len(batch), CHUNK):
        part = batch[i:i + CHUNK]
        try:
            job: Future[Written] | None = pool.submit(write_all, *args, part) if pool else None
        except (BrokenProcessPool, RuntimeError):  # a dead pool, or one shut down at exit
            forget_pool()
            pool = job = None
        jobs.append((part, job))
    return Writing(args, jobs)


def write_all(folder: Path, mail_from: str, reply_to: str | None, part: list[Outgoing]) -> Written:
    """Write each message's file (on a worker, or here), under temporary names of this call's own."""
    suffix = session_suffix()
    written: Written = []
    for out in part:
        try:
            write_eml(folder, suffix, out, mail_from, reply_to)
            written.append(None)
        except DeliveryError as exc:  # an unreadable attachment (permanent), a failed write
            written.append((str(exc), exc.permanent))
    return written


def flush() -> None:
    """The written files to disk before their batch is recorded (one call for the batch)."""
    if hasattr(os, "sync"):
        os.sync()
