"""The one door from the web app to the collect step's intake (the same as ``giamsat submit``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from giamsat.collect.service import SubmitResult, submit
from giamsat.runtime import Runtime


def take_in(rt: Runtime, path: Path, unit_code: str, filename: str, actor: str,
            received_at: dt.datetime) -> SubmitResult:
    """Run the intake on an uploaded file for ``unit_code``, recorded as done by ``actor``."""
    acting = rt.replace(settings=rt.settings.model_copy(update={"actor": actor}))
    return submit(acting, path, received_at, unit_code=unit_code, source="web", original_name=filename)
