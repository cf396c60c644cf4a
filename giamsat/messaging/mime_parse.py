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

The shape mail clients and the demo write (ASCII, one kind of line end, a ``multipart`` message
whose parts are leaves) is cut into parts without the feed parser at all (``_common``): the
boundary lines are found with ``str.find`` and the header lines are the parser's (its own
``headerRE``, ``policy.header_source_parse``, ``set_raw``), so the headers, payloads, preamble and
epilogue are the ones it would store. Anything the parser would read another way (a defect, a
part that is itself a multipart or a message, two boundary lines in a row, a missing closing
boundary…) is declined and parsed as above.

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
from email import feedparser, policy
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
    common = _common(raw)
    if common is not None:
        return common
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


_HEADER_LINE: re.Pattern[str] = feedparser.headerRE  # type: ignore[attr-defined]  # the parser's own
# What may follow "--" + boundary on a line the feed parser takes for a boundary (its ``boundaryre``
# after the separator: an optional "--", blanks, an optional line end, then the line's end).
_AFTER_SEPARATOR = re.compile(r"(--)?[ \t]*(\r\n|\r|\n)?")


def _common(raw: bytes) -> EmailMessage | None:
    """The parser's tree of a message of the common shape, built without it; None otherwise.

    The line end is the first line's ("\\r\\n" or "\\n"). Another line end elsewhere (a lone "\\r"
    or "\\n") changes nothing inside a payload, preamble or epilogue (the parser joins the lines
    back); it could only start a header line or a boundary line, so header blocks must have none
    and the separator must occur nowhere before the closing boundary but where one was found."""
    first = raw.find(b"\n")
    if first <= 0 or not raw.isascii():
        return None
    eol = "\r\n" if raw[first - 1] == 13 else "\n"
    text = raw.decode("ascii")
    msg, body = _headed(text, eol)
    if msg is None:
        return None
    boundary = mixed_boundary(msg)
    if boundary is None:
        if msg.get_content_maintype() != "multipart" or msg.get_content_type() == "multipart/digest":
            return None
        boundary = msg.get_boundary()
    if not boundary or str(msg.get("content-transfer-encoding", "8bit")).lower() not in (
            "7bit", "8bit", "binary"):
        return None  # the parser would note a defect
    separator = "--" + boundary
    lines = _boundary_lines(body, separator, eol)
    if not lines or lines[0][2] or not lines[-1][2] or \
            body.count(separator, 0, lines[-1][0]) != len(lines) - 1:
        return None  # no opening or closing boundary, or a boundary line cut where we did not
    for (_, after, _), (start, _, _) in zip(lines, lines[1:], strict=False):
        if start == after:
            return None  # two boundary lines in a row: the parser skips the second
        part, payload = _headed(body[after:start], eol)
        if part is None or part.get_content_type() == "message/delivery-status" or \
                part.get_content_maintype() in ("message", "multipart"):
            return None
        msg.attach(part)
        part.set_payload(_without_eol(payload))  # the line end before a boundary is the boundary's
    if lines[0][0]:
        msg.preamble = _without_eol(body[:lines[0][0]])
    msg.epilogue = body[lines[-1][1]:]
    return msg


_MIXED = re.compile(r'multipart/mixed;[ \t]*boundary="([A-Za-z0-9=_.+-]{1,70})"')  # quoted: "=" ends a token


def mixed_boundary(msg: Message) -> str | None:
    """``msg.get_boundary()`` when its Content-Type is ``multipart/mixed`` with a plain boundary
    (the registry's parse then changes nothing in it); None when the registry must say."""
    raw = next((v for k, v in msg.raw_items() if k.lower() == "content-type"), None)
    if type(raw) is not str:
        return None
    found = _MIXED.fullmatch("".join(_LINE_ENDS.split(raw)))
    return found.group(1) if found else None


_LINE_ENDS = re.compile(r"\n|\r")  # what ``policy.header_fetch_parse`` removes


def _without_eol(text: str) -> str:
    """``text`` without the line end it ends with (the parser's ``NLCRE_eol``)."""
    return text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith(("\r", "\n")) else text


def _headed(text: str, eol: str) -> tuple[EmailMessage | None, str]:
    """A message with the header lines of ``text`` (up to its first empty line) and the text after
    that line; None when the parser would read them another way (no empty line, a line that is
    not a header, a continuation first, an envelope ``From `` line, an empty name)."""
    end = text.find(eol + eol)
    if end < 0 or text.startswith(eol):
        return None, ""
    block = text[:end]
    if (eol == "\n" and "\r" in block) or (eol == "\r\n" and not (
            block.count("\r") == block.count("\n") == block.count("\r\n"))):
        return None, ""  # another line end: the parser's header lines are not these
    msg = EmailMessage(policy=POLICY)
    header: list[str] = []
    for line in block.split(eol):
        line += eol
        if line[0] in " \t":
            if not header:
                return None, ""
            header.append(line)
            continue
        if not _HEADER_LINE.match(line) or line.startswith("From ") or line.startswith(":"):
            return None, ""
        if header:
            msg.set_raw(*POLICY.header_source_parse(header))
        header = [line]
    msg.set_raw(*POLICY.header_source_parse(header))
    return msg, text[end + 2 * len(eol):]


def _boundary_lines(body: str, separator: str, eol: str) -> list[tuple[int, int, bool]]:
    """(start, end with its line end, closing?) of each line of ``body`` the parser takes for a
    boundary, up to the first closing one (what follows it is the epilogue)."""
    out: list[tuple[int, int, bool]] = []
    at = 0 if body.startswith(separator) else _line_start(body, eol + separator, 0, eol)
    while at >= 0:
        end = body.find(eol, at)
        after = len(body) if end < 0 else end + len(eol)
        found = _AFTER_SEPARATOR.fullmatch(body, at + len(separator), after)
        if found:
            out.append((at, after, found.group(1) is not None))
            if found.group(1) is not None:
                break
        at = -1 if end < 0 else _line_start(body, eol + separator, end, eol)
    return out


def _line_start(body: str, needle: str, start: int, eol: str) -> int:
    found = body.find(needle, start)
    return found + len(eol) if found >= 0 else -1
