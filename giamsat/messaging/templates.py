"""Jinja2 environments for user-facing text: StrictUndefined everywhere, HTML autoescaped."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import escape

from giamsat.domain.formatting import in_sentence, long_date, short_date, vn_number, vn_percent

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@lru_cache(maxsize=4)
def environment(folder: str = "email") -> Environment:
    """The environment for ``templates/<folder>``; ``*.html.j2`` is autoescaped, text is not.

    A template is read once per process (``auto_reload=False``): the templates ship with the code,
    and checking each file's time at every ``get_template`` cost three ``stat`` calls an e-mail."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES / folder),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2", "html"), default=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(in_sentence=in_sentence, short_date=short_date, long_date=long_date,
                       vn_number=vn_number, vn_percent=vn_percent)
    return env


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """Subject, text body and HTML body of ``templates/email/<template>.{subject,txt,html}.j2``."""
    env = environment("email")
    subject = env.get_template(f"{template}.subject.j2").render(context)
    text = env.get_template(f"{template}.txt.j2").render(context)
    html = env.get_template(f"{template}.html.j2").render(context)
    return " ".join(subject.split()), text, html


class StampedEmails:
    """E-mails that differ only in a few values (a unit's name), rendered once per shape.

    ``render_fn(context)`` gives (subject, text, html). The first e-mail of each shape is rendered
    in full and kept; the second makes the shape with placeholder tokens, and when substituting the
    first's values into it gives the first e-mail, that one and every later e-mail of the shape are
    made by substitution (HTML-escaped in the HTML body); otherwise (a filter or a test on a value)
    every one is rendered in full. A shape seen once (a recommendation's own text, a returned
    report's errors: most of a country's reminders past the deadline) is rendered once, not twice.
    """

    def __init__(self, render_fn: Callable[[dict], tuple[str, str, str]]) -> None:
        self.render_fn = render_fn
        # per shape: the first e-mail (its context, values and texts) until a second comes, then
        # the stamped texts (None: rendered in full every time)
        self._shapes: dict[Hashable, _First | tuple[str, str, str] | None] = {}

    def render(self, shape: Hashable, context: dict, values: dict[str, str]) -> tuple[str, str, str]:
        """Subject, text and HTML of the e-mail whose ``context`` is completed by ``values``."""
        tokens = {name: f"\ue000{i}\ue001" for i, name in enumerate(values)}
        if any("\ue000" in v or "\ue001" in v for v in values.values()):  # could pass for a token
            return self.render_fn(context | values)
        if shape not in self._shapes:
            exact = self.render_fn(context | values)
            self._shapes[shape] = _First(context, values, exact)
            return exact
        known = self._shapes[shape]
        if isinstance(known, _First):  # the second of its shape: made once with tokens, checked
            stamped = self.render_fn(known.context | tokens)
            known = stamped if _fill(stamped, tokens, known.values) == known.texts else None
            self._shapes[shape] = known
        if known is None:
            return self.render_fn(context | values)
        return _fill(known, tokens, values)


class _First(NamedTuple):
    """The first e-mail of a shape: what it was rendered from, and its subject, text and HTML."""

    context: dict
    values: dict[str, str]
    texts: tuple[str, str, str]


def _fill(stamped: tuple[str, str, str], tokens: dict[str, str],
          values: dict[str, str]) -> tuple[str, str, str]:
    subject, text, html = stamped
    for name, token in tokens.items():
        value = values[name]
        subject, text = subject.replace(token, value), text.replace(token, value)
        html = html.replace(token, str(escape(value)))
    return " ".join(subject.split()), text, html
