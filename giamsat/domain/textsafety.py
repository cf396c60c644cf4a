"""Hostile text made harmless: control characters, file names, markdown, secrets (pure, stdlib only).

Text from commune reports, the plan and the command line ends up in Word files (XML 1.0 refuses
most control characters), e-mails, Prefect's markdown artifacts and log lines. These helpers are
the one place that says what is stripped, what is escaped and how long a text may be.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from typing import Any

# Not allowed anywhere in an XML 1.0 document (python-docx would fail to save them), C1 controls
# and DEL (invisible, never typed on purpose), and bidirectional overrides that make a text read
# differently from what it contains. Tab, line feed and carriage return stay.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
                     "\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
# Characters that show nothing (zero-width, joiners, word joiner, BOM, soft hyphen, variation
# selectors) or look blank without being white space for ``str.strip`` (Braille blank, Hangul
# fillers): a cell made of them looks empty and must count as empty.
_INVISIBLE = re.compile("[\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
                        "\u2060-\u2064\u206a-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0]")


def unsafe_characters(text: str) -> list[str]:
    """The distinct control/invisible characters of ``text`` as ``U+0001`` labels, in order."""
    seen: dict[str, None] = {}
    for ch in _UNSAFE.findall(text):
        seen.setdefault(f"U+{ord(ch):04X}", None)
    return list(seen)


# Every character any of the three patterns above matches: a text without one of them is left as
# it is by each substitution (``\r`` starts every line break ``_LINE_BREAKS`` rewrites).
_TOUCHED = re.compile("[\r\u2028\u2029\x85" + _UNSAFE.pattern[1:-1] + _INVISIBLE.pattern[1:-1] + "]")


def clean_text(text: str) -> str:
    """``text`` NFC-normalised, without control, invisible or XML-invalid characters; CR/LF → LF."""
    if not _TOUCHED.search(text) and unicodedata.is_normalized("NFC", text):
        return text  # nothing to substitute and already NFC: what the full path returns
    return unicodedata.normalize("NFC", _INVISIBLE.sub("", _UNSAFE.sub("", _LINE_BREAKS.sub("\n", text))))


def plain_text(text: str) -> str:
    """``text`` NFC-normalised without invisible characters (controls kept: callers refuse them)."""
    return unicodedata.normalize("NFC", _INVISIBLE.sub("", text))


def clean_line(text: str) -> str:
    """A one-line value (a name, a subject): cleaned, every run of whitespace one space."""
    return " ".join(clean_text(text).split())


_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
MAX_NAME_BYTES = 200


def display_filename(name: str, fallback: str = "tep-khong-ten") -> str:
    """The original name of an uploaded file, kept only as data: last path part, no controls, bounded.

    ``../../etc/x.docx`` → ``x.docx``; ``C:\\a\\NUL.docx`` → ``_NUL.docx``; never empty, never a
    path, at most ``MAX_NAME_BYTES`` bytes of UTF-8 (the extension is kept when shortening).
    """
    name = unicodedata.normalize("NFC", clean_line(name.replace("\x00", "")))
    name = re.split(r"[\\/]", name)[-1].strip().lstrip(".").strip()
    if _WINDOWS_RESERVED.match(name):
        name = f"_{name}"
    if not name:
        return fallback
    if len(name.encode()) > MAX_NAME_BYTES:
        stem, dot, ext = name.rpartition(".")
        ext = f".{ext}" if dot and stem and len(ext) <= 10 else ""
        stem = name[: len(name) - len(ext)]
        while len((stem + ext).encode()) > MAX_NAME_BYTES:
            stem = stem[:-1]
        name = stem.rstrip() + ext
    return name


_SAFE_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")


def storage_suffix(name: str, default: str = ".bin") -> str:
    """The lower-case extension of ``name`` if it is a plain short one, else ``default``."""
    dot = name.rfind(".")
    suffix = name[dot:].lower() if dot > 0 else ""
    return suffix if _SAFE_SUFFIX.fullmatch(suffix) else default


# Characters that mean something to CommonMark/GFM or to the HTML a markdown renderer lets through.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>=:])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def markdown_text(text: str) -> str:
    """``text`` as inert inline markdown: HTML escaped, markdown punctuation backslashed, one line."""
    text = clean_line(text)
    text = "".join(_HTML.get(ch, ch) for ch in text)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_row(row: dict[str, Any]) -> dict[str, Any]:
    """A table-artifact row with every text cell inert (Prefect renders table cells as markdown)."""
    return {k: markdown_text(v) if isinstance(v, str) else v for k, v in row.items()}


def secret_forms(user: str | None, password: str | None) -> list[str]:
    """A password and the forms AUTH PLAIN / LOGIN send it in (base64), which a server may echo."""
    if not password:
        return []
    plain = f"\0{user or ''}\0{password}".encode()
    return [password, base64.b64encode(plain).decode(), base64.b64encode(password.encode()).decode()]


def redact(text: str, secrets: list[str] | tuple[str, ...]) -> str:
    """``text`` with every non-empty secret replaced by ``***``."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
