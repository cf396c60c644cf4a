"""The text ``str(msg.get(name))`` gives for an ordinary Subject, From or Message-ID, without the
header registry's parse.

``policy.default`` parses every header it is asked for into a token tree (``email.
_header_value_parser``), most of a mail's parse time for the few values intake reads, and these
values are new in every mail (no cache helps). For the shapes mail clients and the demo write
they are settled by rule, as the parser settles them:

- an *unstructured* value (Subject) with no ``=?`` is its own text; one made only of UTF-8 ``B``
  encoded words separated by blanks is their decoded texts joined (the blanks between two
  encoded words are dropped, RFC 2047 §6.2);
- a Message-ID ``<dot-atom@dot-atom>`` is its own text;
- a From of one UTF-8 ``B`` encoded word and ``<dot-atom@dot-atom>`` is ``Address.__str__`` of
  the decoded display name (each blank or tab and the white space after it one space, quoted
  when it holds a special) and the address.

An attachment's name (``part.get_filename()``) is settled the same way for a Content-Disposition
of ``attachment`` or ``inline`` and one file name, quoted (plain ASCII) or in RFC 2231 form (UTF-8,
percent-encoded, in one piece or numbered pieces in order): the name is the pieces' bytes decoded
as UTF-8, when it holds nothing the registry's quoting and stripping would change.

Anything else — another charset, a word that does not decode as strict UTF-8, a comment, a
group, several addresses, non-ASCII bytes — is answered ``None`` and the caller asks the
registry. ``tests/unit/test_header_text.py`` checks every shortcut against the registry.
"""

from __future__ import annotations

import base64
import binascii
import re
from email._header_value_parser import SPECIALS, quote_string
from email.message import Message
from urllib.parse import unquote_to_bytes

# Canonical base64, not empty: whole quads, padding only at the end (so no "?=" inside it).
_B64 = "[A-Za-z0-9+/]"
_TAIL = f"{_B64}{{2}}==|{_B64}{{3}}="
_PAYLOAD = f"((?:{_B64}{{4}})+(?:{_TAIL})?|{_TAIL})"
_WORD = r"=\?[uU][tT][fF]-8\?[bB]\?" + _PAYLOAD + r"\?="
_WORDS = re.compile(_WORD + r"(?:[ \t]+" + _WORD + r")*")
_PAYLOADS = re.compile(_WORD)
_DOT_ATOM = r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*"
_MSG_ID = re.compile(r"<" + _DOT_ATOM + "@" + _DOT_ATOM + ">")
_FROM = re.compile(r"(" + _WORD + r")[ \t]+<(" + _DOT_ATOM + "@" + _DOT_ATOM + ")>")
_BLANKS = re.compile(r"[ \t]\s*")  # a blank and the white space after it: one fws token, ' '
_LINE_ENDS = re.compile(r"\n|\r")  # what ``policy.header_fetch_parse`` removes


def header_text(msg: Message, name: str) -> str | None:
    """``str(msg.get(name))`` for the ordinary shapes above; ``""`` when there is no such header;
    ``None`` when the registry must parse it."""
    lowered = name.lower()
    raw = _raw(msg, lowered)
    if raw is None:
        return ""
    if type(raw) is not str or not raw.isascii():
        return None  # a header object set by code, or bytes the parser kept as surrogates
    value = "".join(_LINE_ENDS.split(raw))
    if lowered == "subject":
        return value if "=?" not in value else _decoded_words(value)
    if lowered == "message-id":
        return value if _MSG_ID.fullmatch(value) else None
    if lowered == "from":
        return _address(value)
    return None


def _raw(msg: Message, lowered: str) -> object:
    """The first header of that (lower case) name as the parser stored it; None if there is none."""
    return next((v for k, v in msg.raw_items() if k.lower() == lowered), None)


_KIND = re.compile(r"attachment|inline")
_NAME_END = "[A-Za-z0-9._()-]"  # a quoted ASCII name: these, and spaces inside
_QUOTED_NAME = re.compile(rf'[ \t]*filename="({_NAME_END}[A-Za-z0-9 ._()-]*{_NAME_END}|{_NAME_END})"')
_PIECE = re.compile(r"[ \t]*filename\*(?:(0|[1-9][0-9]?)\*)?=(?:([uU][tT][fF]-8)'')?"
                    r"((?:[A-Za-z0-9!#$&+.^_`|~-]|%[0-9A-Fa-f]{2})+)")


def attachment_filename(part: Message) -> str | None:
    """``part.get_filename()`` for the Content-Disposition shapes above; None when the registry
    must parse it (or there is no such header)."""
    raw = _raw(part, "content-disposition")
    if type(raw) is not str or not raw.isascii():
        return None
    kind, *params = "".join(_LINE_ENDS.split(raw)).split(";")
    if not params or not _KIND.fullmatch(kind):
        return None
    quoted = _QUOTED_NAME.fullmatch(params[0]) if len(params) == 1 else None
    if quoted:
        return quoted.group(1)
    data = []
    for n, param in enumerate(params):
        piece = _PIECE.fullmatch(param)
        if piece is None:
            return None
        section, charset, text = piece.groups()
        numbered = section is not None
        if (charset is None) != (n > 0) or (numbered and int(section) != n) or \
                (not numbered and len(params) > 1):
            return None  # a charset only first, pieces numbered 0, 1… in order
        data.append(unquote_to_bytes(text))
    try:
        name = b"".join(data).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if name != name.strip() or not name.isprintable() or '"' in name or "\\" in name or \
            (name.startswith("<") and name.endswith(">")):
        return None  # the registry would quote, unquote or strip something
    return name


def _decoded_words(value: str) -> str | None:
    """Blank-separated UTF-8 ``B`` words decoded and joined; None for anything else."""
    if not _WORDS.fullmatch(value):
        return None
    texts = [_decoded(p) for p in _PAYLOADS.findall(value)]
    return None if None in texts else "".join(t for t in texts if t is not None)


def _decoded(payload: str) -> str | None:
    try:
        return base64.b64decode(payload, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


def _address(value: str) -> str | None:
    """``str`` of an address header holding one ``=?utf-8?b?…?= <a@b>`` mailbox."""
    found = _FROM.fullmatch(value)
    if not found:
        return None
    text = _decoded_words(found.group(1))
    if text is None:
        return None
    display = _BLANKS.sub(" ", text)
    if "\r" in display or "\n" in display:
        return None  # ``Address`` refuses it: the registry raises, the caller reads ""
    if not SPECIALS.isdisjoint(display):
        display = quote_string(display)
    return f"{display} <{found.group(3)}>" if display else found.group(3)
