"""The mail intake's parse (base64 runs folded into tokens) gives exactly the standard library's
message and the same ``IncomingMail``, over demo reports and many odd and hostile messages."""

from __future__ import annotations

import base64
import datetime as dt
import email
import random
import re
import time
from email import policy

import pytest

from giamsat.messaging import incoming, mime_parse
from tests.fixtures.odd_mail import client_style, demo_style, handmade, mutated

LIMIT = 60_000  # some attachments over it, most under


def _stdlib(raw: bytes):
    return email.message_from_bytes(raw, policy=policy.default)


def _tree(msg) -> list:
    """Everything of a parsed message a reader can see, part by part."""
    out = []
    for part in msg.walk():
        try:
            decoded = part.get_payload(decode=True)
        except Exception as exc:  # the same failure must happen on both paths
            decoded = type(exc).__name__
        out.append((part.is_multipart(), part._payload if isinstance(part._payload, str) else None,
                    part.preamble, part.epilogue, list(part.raw_items()), part.get_content_type(),
                    decoded, [type(d).__name__ for d in part.defects], part.get_filename(),
                    part.get_content_disposition(), part.get_params(),
                    [(k, str(v), type(v).__name__, [type(d).__name__ for d in v.defects])
                     for k, v in part.items()]))
    return out


def _mail(raw: bytes, parse) -> incoming.IncomingMail:
    saved = incoming.parse_message
    incoming.parse_message = parse
    try:
        return incoming.parse_mail(raw, folder="INBOX", uidvalidity=7, uid="12", internaldate=None,
                                   max_attachment_bytes=LIMIT)
    finally:
        incoming.parse_message = saved


def _corpus(forms, plan, tmp_path) -> list[bytes]:
    rng = random.Random(20)
    units = plan.units[:4]
    docs = [forms(u, seed=i)[0].read_bytes() for i, u in enumerate(units)]
    pdf = b"%PDF-1.4\n" + bytes(rng.randrange(256) for _ in range(3000))
    base = [demo_style(tmp_path, f"Bao cao {u.name} 02-04.docx", d, pdf if i % 2 else None)
            for i, (u, d) in enumerate(zip(units, docs, strict=True))]
    base += [client_style([("Báo cáo.docx", docs[0]), ("ký số.pdf", pdf)])]
    base += [client_style([("big.docx", docs[1] * 3)])]  # over the size limit
    base += list(handmade(docs[2], rng))
    out = list(base)
    for i in range(400):
        out.append(mutated(base[i % len(base)], rng))
    return out


def test_same_tree_and_same_incoming_mail(forms, plan, tmp_path):
    corpus = _corpus(forms, plan, tmp_path)
    folded = common = 0
    for raw in corpus:
        assert _tree(mime_parse.parse_message(raw)) == _tree(_stdlib(raw)), raw[:300]
        assert _mail(raw, mime_parse.parse_message) == _mail(raw, _stdlib)
        folded += mime_parse._RUN.search(raw) is not None
        common += mime_parse._common(raw) is not None
    assert folded > len(corpus) // 2  # most messages do go through the folded parse
    assert 40 < common < len(corpus) - 100  # many are cut without the parser, not all


def test_the_folded_parse_gives_the_same_tree_when_the_common_shape_is_declined(
        forms, plan, tmp_path, monkeypatch):
    monkeypatch.setattr(mime_parse, "_common", lambda raw: None)
    for raw in _corpus(forms, plan, tmp_path)[::3]:
        assert _tree(mime_parse.parse_message(raw)) == _tree(_stdlib(raw)), raw[:300]


def _shapes(raw: bytes, rng: random.Random) -> list[bytes]:
    """``raw`` with the line ends, boundary lines, preamble and epilogue the cut must get right."""
    text = raw.decode("ascii")
    boundary = re.search(r'boundary="([^"]+)"', text).group(1)
    sep = "--" + boundary
    first = text.index("\r\n" + sep + "\r\n")
    last = text.rindex(sep + "--")
    out = [raw.replace(b"\r\n", b"\n"), raw.replace(b"\r\n", b"\r"), raw + b"epilogue\r\n",
           raw.rstrip(b"\r\n"), raw.replace(b"\r\n", b"\n", 3)]
    for extra in (sep + "--", sep + " \t", sep + "x", sep, " " + sep, sep + "-", sep + "--x", "From x",
                  "X: y", "", ":x", " x", "--"):
        at = rng.choice([first + 2, last, text.index("\r\n\r\n") + 2, text.rindex("\r\n", 0, last) + 2])
        out.append((text[:at] + extra + "\r\n" + text[at:]).encode("ascii"))
    out.append((text[:first] + "\r\npreamble line" + text[first:]).encode("ascii"))
    for lone in ("\r", "\n", "\n--" + boundary + "\r\n", "\r" + sep + "--\n", "\n\n"):
        for _ in range(3):  # anywhere: a header block, a payload, a boundary line, the preamble
            at = rng.randint(0, len(text))
            out.append((text[:at] + lone + text[at:]).encode("ascii"))
        for at in (first + 1, first + 3 + len(boundary), text.index("\r\n") + 1, last + 2 + len(sep)):
            out.append((text[:at] + lone + text[at:]).encode("ascii"))
    out.append(text.replace("multipart/mixed", "multipart/digest").encode("ascii"))
    out.append(text.replace("application/", "message/", 1).encode("ascii"))
    out.append(text.replace("text/plain", "multipart/alternative", 1).encode("ascii"))
    out.append(text.replace(boundary, boundary + " ", 1).encode("ascii"))
    out.append(text.replace("Content-Type: multipart", "Content-Transfer-Encoding: base64\r\n"
                            "Content-Type: multipart", 1).encode("ascii"))
    return out


def test_boundary_lines_line_ends_and_odd_parts_give_the_parser_s_tree(forms, plan, tmp_path):
    rng = random.Random(3)
    docs = [forms(u, seed=i)[0].read_bytes() for i, u in enumerate(plan.units[:2])]
    seen = 0
    for i, doc in enumerate(docs):
        raw = demo_style(tmp_path, f"Báo cáo {i}.docx", doc, b"%PDF-1.4\n" * 50 if i else None)
        for _ in range(10):
            for variant in _shapes(raw, rng):
                seen += mime_parse._common(variant) is not None
                assert _tree(mime_parse.parse_message(variant)) == _tree(_stdlib(variant)), variant[:300]
    assert seen > 50


def test_the_attachment_is_not_walked_line_by_line(forms, plan, tmp_path, monkeypatch):
    raw = demo_style(tmp_path, "Bao cao.docx", forms(plan.units[0])[0].read_bytes())
    seen: list[int] = []
    plain = mime_parse._plain
    monkeypatch.setattr(mime_parse, "_plain", lambda data: seen.append(len(data)) or plain(data))
    monkeypatch.setattr(mime_parse, "_common", lambda raw: None)  # the folded parse, not the cut
    mail = incoming.parse_mail(raw, folder="INBOX", uidvalidity=1, uid="1",
                               internaldate=dt.datetime(2024, 4, 2, tzinfo=dt.UTC),
                               max_attachment_bytes=LIMIT)
    assert [a.filename for a in mail.attachments] == ["Bao cao.docx"]
    assert len(seen) == 1 and seen[0] < len(raw) // 5  # one parse, of the message without its runs


@pytest.mark.parametrize("raw", [b"", b"x", b"From: a@b\r\n\r\n", b"\r\n" * 3000, b"A" * 5000,
                                 b"GiamsatBase64Run0000000Q\r\n" + b"QUJD\r\n" * 2000])
def test_edge_inputs(raw):
    assert _tree(mime_parse.parse_message(raw)) == _tree(_stdlib(raw))
    assert _mail(raw, mime_parse.parse_message) == _mail(raw, _stdlib)


def test_headers_are_parsed_once(forms, plan, tmp_path, monkeypatch):
    raw = demo_style(tmp_path, "Bao cao.docx", forms(plan.units[0])[0].read_bytes())
    monkeypatch.setattr(mime_parse, "_common", lambda raw: None)  # the parser asks again and again
    mime_parse._kept.cache_clear()
    _mail(raw, mime_parse.parse_message)
    info = mime_parse._kept.cache_info()
    assert info.hits > info.misses  # the parser and the reader ask for the same headers again


def test_runs_are_the_plain_patterns_runs_found_without_backtracking():
    plain = re.compile(rb"^[A-Za-z0-9+/=]+(?:(?:\r\n|\r|\n)[A-Za-z0-9+/=]+)*(?=[\r\n]|\Z)", re.MULTILINE)
    rng = random.Random(9)
    pieces = [b"A", b"Q=", b"/+", b"\r", b"\n", b"\r\n", b"-", b" ", b":", b"\xff", b"x" * 5]
    for _ in range(20000):
        raw = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        assert [m.span() for m in mime_parse._RUN.finditer(raw)] == [m.span() for m in plain.finditer(raw)]
    hostile = (b"A" * 76 + b"-\r\n") * 200_000  # every line fails at its last character
    started = time.process_time()
    assert mime_parse._RUN.search(hostile) is None
    assert time.process_time() - started < 1.0  # one scan each line (the plain pattern: ~1.8 s)


def _payloads(rng: random.Random) -> list[str]:
    data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
    text = base64.encodebytes(data).decode("ascii")
    out = [text, text.replace("\n", "\r\n"), text.replace("\n", ""), text.replace("\n", "\r"), ""]
    for noise in ("=", "==", "A", "AB", " ", "\t", "*", "é", "\udcff", "-", "====", "\r\n\r\n", "QQ=="):
        at = rng.randint(0, len(text))
        out.append(text[:at] + noise + text[at:])
    out.append(text.rstrip("=\n") + "\n")  # padding left out
    return out


def test_a_base64_body_decodes_as_the_stdlib_decodes_it():
    rng = random.Random(4)
    fast = 0
    for _ in range(300):
        for body in _payloads(rng):
            for cte in ("base64", "BASE64", "quoted-printable", ""):
                raw = (f"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: {cte}\r\n"
                       f"Content-Disposition: attachment; filename=\"a.docx\"\r\n\r\n{body}")
                ours, theirs = (email.message_from_bytes(raw.encode("utf-8", "surrogateescape"),
                                                         policy=mime_parse.POLICY) for _ in range(2))
                assert incoming._decoded(ours) == theirs.get_payload(decode=True), raw
                assert [type(d) for d in ours.defects] == [type(d) for d in theirs.defects]
                fast += cte.lower() == "base64" and not ours.defects
    assert fast > 1000


def test_a_plain_multipart_mixed_boundary_is_the_registry_s():
    rng = random.Random(5)
    pool = "aZ09=_.+-" * 4 + " \t\"'()<>,;:/?\\é@[]"
    taken = 0
    for _ in range(3000):
        chars = pool[:9] if rng.random() < 0.6 else pool  # a plain boundary more often than not
        boundary = "".join(rng.choice(chars) for _ in range(rng.randint(0, 75)))
        kind = rng.choice(["multipart/mixed", "multipart/mixed", "Multipart/Mixed", "multipart/digest",
                           "text/plain", "multipart/alternative"])
        value = rng.choice([f'{kind}; boundary="{boundary}"', f"{kind}; boundary={boundary}",
                            f'{kind};\r\n boundary="{boundary}"', f'{kind};boundary="{boundary}"',
                            f'{kind}; boundary="{boundary}"; x=1', f'{kind}; Boundary="{boundary}"'])
        msg = email.message_from_bytes(f"Content-Type: {value}\r\n\r\nx\r\n".encode(),
                                       policy=mime_parse.POLICY)
        fast = mime_parse.mixed_boundary(msg)
        if fast is not None:
            taken += 1
            assert (msg.get_content_type(), msg.get_boundary()) == ("multipart/mixed", fast), value
    assert taken > 200
