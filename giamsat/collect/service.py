"""The collect step's public face: ``submit`` one file, ``sweep_inbox``, ``take_in`` from anywhere.

Every way in records through ``recording.take_in``; this module only names the entries the CLI,
the tasks and other steps use.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from giamsat.collect.intake import Incoming, expectation, file_name, limits_for
from giamsat.collect.recording import Outcome, take_in
from giamsat.collect.sweep import SweepSummary, inbox_files, sweep_inbox
from giamsat.domain.errors import NotFound
from giamsat.runtime import Runtime

SubmitResult = Outcome  # the name the CLI and older callers know

__all__ = ["Incoming", "Outcome", "SubmitResult", "SweepSummary", "expectation", "file_name",
           "inbox_files", "limits_for", "submit", "sweep_inbox", "take_in"]


def submit(rt: Runtime, path: Path, received_at: dt.datetime, unit_code: str | None = None,
           source: str = "cli", original_name: str | None = None,
           close_step: bool = True) -> Outcome:
    """Take in one report file (a one-item ``take_in``); the same file twice is not processed again.

    ``close_step=False`` leaves closing the collect step to the caller.
    """
    path = Path(path)
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    if not path.is_file():
        raise NotFound(f"Không tìm thấy tệp {path}.")
    item = Incoming(path, original_name or path.name, received_at, source, unit_code)
    outcome = take_in(rt, [item], received_at, close_step=close_step)[0]
    assert outcome is not None
    return outcome
