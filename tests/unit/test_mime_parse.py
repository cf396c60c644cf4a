"""The mail intake's parse (base64 runs folded into tokens) gives exactly the standard library's
message and the same ``IncomingMail``, over demo reports and many odd and hostile messages."""

from __future__ import annotations

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
    folded = 0
    for raw in corpus:
        assert _tree(mime_parse.parse_message(raw)) == _tree(_stdlib(raw)), raw[:300]
        assert _mail(raw, mime_parse.parse_message) == _mail(raw, _stdlib)
        folded += mime_parse._RUN.search(raw) is not None
    assert folded > len(corpus) // 2  # most messages do go through the folded parse


def test_the_attachment_is_not_walked_line_by_line(forms, plan, tmp_path, monkeypatch):
    raw = demo_style(tmp_path, "Bao cao.docx", forms(plan.units[0])[0].read_bytes())
    seen: list[int] = []
    plain = mime_parse._plain
    monkeypatch.setattr(mime_parse, "_plain", lambda data: seen.append(len(data)) or plain(data))
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


def test_headers_are_parsed_once(forms, plan, tmp_path):
    raw = demo_style(tmp_path, "Bao cao.docx", forms(plan.units[0])[0].read_bytes())
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
