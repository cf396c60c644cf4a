"""``email.message_from_bytes(raw, policy=policy.default)``, without walking the attachments line
by line.

The standard library's feed parser reads a message one line at a time, so a 40 KB attachment in
base64 (500-odd lines) costs most of the parse. Which line ends a header block, starts a body or
separates parts depends only on the line's own text: empty, a header (``name:``, ``From ``, a
leading blank) or a boundary (``--…``). A line made only of base64 characters (letters, digits,
``+``, ``/``, ``=``) is none of these, and neither is another such line. So each long run of such
lines is replaced by one token line of the same kind (the run's line ends inside it go with it, the
one after it stays), the stdlib parses the short message, and every token is put back, in the
string where the parser left it (a part's body, a preamble, an epilogue), before anyone reads it.
The result is the tree the stdlib would build from ``raw``: same structure, headers, bodies and
decoding, because it *is* the stdlib's tree. Whenever a token is not found exactly once where it
can be put back (a message shaped in a way this reasoning did not foresee), or the token text
already occurs in ``raw``, the message is parsed the plain way.

The parse uses ``policy.default`` with one change: a header (name, value) is parsed into its
header object once per process, not at every read (the stdlib parses again each time anyone asks,
and the parser itself asks for a part's content type a handful of times). Parsing a header is a
pure function of its name and value, and header objects are immutable, so the same object serves
every read. Long values are not kept.
"""

from __future__ import annotations

import email
import functools
import re
from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage, Message

MIN_RUN = 1024  # shorter runs are left to the parser: a token saves nothing there

# A run of whole lines of base64 characters: starting at a line start (after "\n", or the start),
# lines separated by "\r\n", "\r" or "\n" (the feed parser's line ends), ending at a line end.
# Each line is taken whole or not at all (possessive, then a line end must follow), so a long line
# that turns out not to qualify costs one scan, never a character-by-character backtrack.
_LINE = rb"[A-Za-z0-9+/=]++(?=[\r\n]|\Z)"
_RUN = re.compile(rb"^" + _LINE + rb"(?:(?:\r\n|\r|\n)" + _LINE + rb")*", re.MULTILINE)
_PREFIX = "GiamsatBase64Run"  # base64 characters only: a token line is of the run's kind
_TOKEN = re.compile(_PREFIX + r"(\d{7})Q")

MAX_KEPT = 1000  # characters: longer header values are parsed at each read, as the stdlib does
_REGISTRY = HeaderRegistry()


@functools.lru_cache(maxsize=1024)
def _kept(name: str, value: str) -> BaseHeader:
    return _REGISTRY(name, value)


def _header(name: str, value: str) -> BaseHeader:
    """``policy.default``'s header object for (name, value)."""
    return _kept(name, value) if len(value) <= MAX_KEPT else _REGISTRY(name, value)


POLICY = policy.default.clone(header_factory=_header)


def parse_message(raw: bytes) -> EmailMessage:
    """``raw`` parsed as ``email.message_from_bytes(raw, policy=policy.default)`` parses it."""
    if len(raw) < MIN_RUN or _PREFIX.encode() in raw:
        return _plain(raw)
    runs: list[bytes] = []

    def token(m: re.Match[bytes]) -> bytes:
        if len(m.group()) < MIN_RUN:
            return m.group()
        runs.append(m.group())
        return b"%s%07dQ" % (_PREFIX.encode(), len(runs) - 1)

    short = _RUN.sub(token, raw)
    if not runs:
        return _plain(raw)
    msg = _plain(short)
    return msg if _put_back(msg, runs) else _plain(raw)


def _plain(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=POLICY)
    assert isinstance(msg, EmailMessage)
    return msg


def _put_back(msg: Message, runs: list[bytes]) -> bool:
    """Every token replaced by its run; False unless each was found exactly once."""
    texts = [r.decode("ascii") for r in runs]
    used = [0] * len(runs)

    def run(m: re.Match[str]) -> str:
        index = int(m.group(1))
        if index >= len(texts):
            return m.group()  # not ours: left in place, and seen below
        used[index] += 1
        return texts[index]

    def restored(text: object) -> object:
        if not isinstance(text, str) or _PREFIX not in text:
            return text
        return _TOKEN.sub(run, text)

    left = False
    for part in msg.walk():
        # The body as the parser stored it (``get_payload`` would re-decode surrogates).
        part._payload = restored(part._payload)  # type: ignore[attr-defined]
        part.preamble = restored(part.preamble)  # type: ignore[assignment]
        part.epilogue = restored(part.epilogue)  # type: ignore[assignment]
        left = left or any(isinstance(t, str) and _PREFIX in t
                           for t in (part._payload, part.preamble, part.epilogue))  # type: ignore[attr-defined]
    return not left and all(n == 1 for n in used)
