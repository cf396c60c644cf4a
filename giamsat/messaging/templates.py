"""Jinja2 environments for user-facing text: StrictUndefined everywhere, HTML autoescaped."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from giamsat.formatting import long_date, short_date, vn_number, vn_percent

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@lru_cache(maxsize=4)
def environment(folder: str = "email") -> Environment:
    """The environment for ``templates/<folder>``; ``*.html.j2`` is autoescaped, text is not."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES / folder),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2", "html"), default=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(short_date=short_date, long_date=long_date, vn_number=vn_number,
                       vn_percent=vn_percent)
    return env


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """Subject, text body and HTML body of ``templates/email/<template>.{subject,txt,html}.j2``."""
    env = environment("email")
    subject = env.get_template(f"{template}.subject.j2").render(context)
    text = env.get_template(f"{template}.txt.j2").render(context)
    html = env.get_template(f"{template}.html.j2").render(context)
    return " ".join(subject.split()), text, html
