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
    raw = next((v for k, v in msg.raw_items() if k.lower() == lowered), None)
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
