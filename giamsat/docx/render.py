"""Fill a Word template of ``templates/docx/`` with docxtpl and save it atomically."""

from __future__ import annotations

import gc
import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined

from giamsat.domain.formatting import long_date, short_date, vn_number, vn_percent
from giamsat.files.fsutil import atomic_write

DOCX_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "docx"


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a report is built (a context or a decorator), then
    as it was. A report allocates millions of short-lived objects that reference counting frees;
    each collection they trigger walks the process's whole heap (the plan, Prefect's client): at
    the national scale 1-2 s of the step, with the same peak memory (the few cycles made meanwhile
    are collected after). Not for the notify step: its sessions' cycles would pile up (+13 %
    peak memory at 2,000 units) for no gain in time."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(undefined=StrictUndefined, autoescape=True)
    env.filters.update(short_date=short_date, long_date=long_date, vn_number=vn_number,
                       vn_percent=vn_percent)
    return env


@lru_cache(maxsize=8)
def _template_bytes(path: Path, mtime_ns: int) -> bytes:
    return path.read_bytes()


def _rendered(template: str, context: dict, folder: Path) -> DocxTemplate:
    source = folder / template
    tpl = DocxTemplate(io.BytesIO(_template_bytes(source, source.stat().st_mtime_ns)))
    tpl.render(context, jinja_env=_environment(), autoescape=True)
    return tpl


def render_docx(template: str, context: dict, out_path: Path, folder: Path = DOCX_TEMPLATES) -> Path:
    """Render ``templates/docx/<template>`` with ``context`` (XML-escaped) into ``out_path``."""
    return _save_atomic(_rendered(template, context, folder), Path(out_path))


def render_docx_bytes(template: str, context: dict, folder: Path = DOCX_TEMPLATES) -> bytes:
    """The rendered ``templates/docx/<template>`` as the bytes of a .docx file."""
    buffer = io.BytesIO()
    _rendered(template, context, folder).save(buffer)
    return buffer.getvalue()


def _save_atomic(tpl: DocxTemplate, path: Path) -> Path:
    with atomic_write(path) as fh:
        tpl.save(fh)
    return path
