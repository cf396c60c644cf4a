"""The Subject, From and Message-ID read without the header registry are exactly what the registry
gives (``str(msg.get(name))``), and a mail parses to the same ``IncomingMail`` either way."""

from __future__ import annotations

import base64
import random

import pytest

from giamsat.messaging import incoming
from giamsat.messaging.header_text import header_text
from giamsat.messaging.mime_parse import parse_message

_PIECES = ["a", "Z", "7", "Xã", "Số", "Ộ", "O\u0323\u0302", " ", "  ", "\t", " \t ", "\u00a0", "\u3000",
           "\n", "\r", "\x0b", "\x1c", "\u2028", "\x00", "\x7f", "\x85", "(", ")", "<", ">", "@", ",",
           ":", ";", ".", '"', "[", "]", "\\", "=?", "?=", "=?utf-8?b?QQ==?=", "-", "_", "😀", "\u200b",
           "\ufeff", "ubnd.1@x.vn"]


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 12)))


def _words(rng: random.Random, text: str) -> str:
    """``text`` as UTF-8 B encoded words, cut anywhere (a cut inside a character cannot decode)."""
    data = text.encode("utf-8")
    cuts = sorted({0, len(data), *(rng.randint(0, len(data)) for _ in range(rng.randint(0, 3)))})
    charset = rng.choice(["utf-8", "UTF-8", "utf-8", "iso-8859-1"])
    words = [f"=?{charset}?{rng.choice('bB')}?{base64.b64encode(data[a:b]).decode()}?="
             for a, b in zip(cuts, cuts[1:], strict=False)]
    return rng.choice([" ", "\n ", "\r\n\t", "  ", "", "\n\t "]).join(words)


def _mail(headers: dict[str, str]) -> bytes:
    lines = [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nx\r\n").encode(
        "utf-8", "surrogateescape")  # 8-bit headers as some clients send them


def _registry(msg, name: str) -> str:  # what incoming._header gives from the registry
    try:
        value = msg.get(name)
    except (ValueError, IndexError, TypeError, AttributeError):
        return ""
    return "" if value is None else str(value)


def _values(rng: random.Random) -> dict[str, str]:
    subject = rng.choice([_words(rng, _text(rng)), _text(rng).encode("ascii", "ignore").decode(),
                          "Báo cáo " + _words(rng, _text(rng))])
    name = rng.choice([_words(rng, _text(rng)), _text(rng).encode("ascii", "ignore").decode(), ""])
    address = rng.choice(["ubnd.20008@units.example", "a@b", "x-y_z.1@d-1.example", "a..b@c",
                          "\"q\"@x.vn", "a@[1.2.3.4]", ".a@b"])
    sender = rng.choice([f"{name} <{address}>", f"{name}\t<{address}>", f"{name}  <{address}>",
                         address, f"<{address}>", f"{name} <{address}> (c)", f"{name} <{address}>, b@c"])
    message_id = rng.choice([f"<{address}>", f"<{address}> ", f" <{address}>", address,
                             f"<{address}", f"<{rng.randint(0, 10**9)}.{address}>"])
    return {"Subject": subject, "From": sender, "Message-ID": message_id}


@pytest.mark.parametrize("seed", range(4))
def test_each_header_read_without_the_registry_is_the_registrys_text(seed):
    rng = random.Random(seed)
    taken = {"Subject": 0, "From": 0, "Message-ID": 0}
    for _ in range(1500):
        headers = _values(rng)
        msg = parse_message(_mail(headers))
        for name in headers:
            fast = header_text(msg, name)
            if fast is not None:
                taken[name] += 1
                assert fast == _registry(msg, name), (name, headers[name])
    assert all(n > 50 for n in taken.values()), taken  # the shortcut is taken, not just refused


def test_a_missing_header_reads_empty_and_a_non_ascii_one_goes_to_the_registry():
    msg = parse_message(_mail({"To": "a@b"}))
    assert header_text(msg, "Subject") == "" == _registry(msg, "Subject")
    msg = parse_message(_mail({"Subject": "Báo cáo".encode().decode("ascii", "surrogateescape")}))
    assert header_text(msg, "Subject") is None


def test_the_demo_s_mails_parse_to_the_same_incoming_mail_with_and_without_the_shortcut(monkeypatch):
    import datetime as dt
    from email.message import EmailMessage
    from email.utils import format_datetime

    rng = random.Random(9)
    for i in range(300):
        msg = EmailMessage()  # which refuses line breaks in a header it is given
        extra, other = ("".join(_text(rng).splitlines()) for _ in range(2))
        msg["Subject"] = f"Báo cáo kết quả thực hiện Chương trình năm 2024 - Xã Số {i} {extra}"
        msg["From"] = f"UBND Xã Số {i} ({other}) <ubnd.{i}@units.example>"
        msg["Date"] = format_datetime(dt.datetime(2024, 4, 2, 10, tzinfo=dt.UTC))
        msg["Message-ID"] = f"<demo-{i}-202404021000@units.example>"
        msg.set_content("Kính gửi")
        msg.add_attachment(b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(200)),
                           maintype="application", subtype="octet-stream", filename=f"Báo cáo {i}.docx")
        raw = msg.as_bytes()
        fast = incoming.parse_mail(raw, folder="INBOX", uidvalidity=1, uid=str(i), internaldate=None,
                                   max_attachment_bytes=10**6)
        with monkeypatch.context() as m:
            m.setattr(incoming, "header_text", lambda msg, name: None)
            plain = incoming.parse_mail(raw, folder="INBOX", uidvalidity=1, uid=str(i), internaldate=None,
                                        max_attachment_bytes=10**6)
        assert fast == plain


def test_odd_and_mutated_mails_parse_to_the_same_incoming_mail_with_and_without_the_shortcut(
        forms, plan, tmp_path, monkeypatch):
    from tests.unit.test_mime_parse import _corpus

    taken = 0
    for i, raw in enumerate(_corpus(forms, plan, tmp_path)):
        msg = parse_message(raw)
        taken += any(header_text(msg, n) not in (None, "") for n in ("Subject", "From", "Message-ID"))
        args = {"folder": "INBOX", "uidvalidity": 1, "uid": str(i), "internaldate": None,
                "max_attachment_bytes": 10**6}
        fast = incoming.parse_mail(raw, **args)
        with monkeypatch.context() as m:
            m.setattr(incoming, "header_text", lambda msg, name: None)
            assert fast == incoming.parse_mail(raw, **args), raw[:400]
    assert taken > 100


_NAME_PIECES = ["Bao cao", "Báo cáo", "Xã Số 8", "(tổng hợp)", " ", "  ", "\t", ".docx", ".pdf", "-", "_",
                '"', "\\", "<", ">", ";", "=", "%", "'", "*", "(", ")", "\u00a0", "\u200b", "😀", "Ộ",
                "O\u0323\u0302", "\x01", "a", "Z", "9", "ký số"]


def _name(rng: random.Random) -> str:
    pieces = _NAME_PIECES[:11] if rng.random() < 0.5 else _NAME_PIECES  # ordinary names half the time
    return "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))


def _rfc2231(rng: random.Random, name: str) -> str:
    """``name`` as RFC 2231 pieces, cut anywhere (inside a character too), odd cases now and then."""
    text = "".join(chr(b) if chr(b).isalnum() and b < 128 or chr(b) in "!#$&+.^_`|~-" else f"%{b:02X}"
                   for b in name.encode(rng.choice(["utf-8"] * 5 + ["latin-1"]), "replace"))
    cuts = sorted({0, len(text), *(rng.randint(0, len(text)) for _ in range(rng.randint(0, 3)))})
    pieces = [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False)] or [""]
    charset = rng.choice(["utf-8", "UTF-8", "utf-8", "iso-8859-1", ""])
    if len(pieces) == 1 and rng.random() < 0.5:
        return f"filename*={charset}''{pieces[0]}"
    order = list(range(len(pieces)))
    if rng.random() < 0.1:
        rng.shuffle(order)
    return ";\r\n ".join(f"filename*{i}*={charset + chr(39) * 2 if i == 0 else ''}{pieces[i]}" for i in order)


def _disposition(rng: random.Random) -> bytes:
    from giamsat.messaging.mime import _filename_param

    name = _name(rng)
    kind = rng.choice(["attachment", "attachment", "inline", "Attachment", "form-data"])
    param = rng.choice([_filename_param(name).decode(), " " + _rfc2231(rng, name),
                        f' filename="{name}"', f" filename={name}", f' FILENAME="{name}"',
                        f' filename="{name}"; size=3', f" {_rfc2231(rng, name)}; filename=\"x\""])
    head = f"Content-Type: application/octet-stream\r\nContent-Disposition: {kind};{param}"
    return (head + "\r\n\r\nx\r\n").encode("utf-8", "surrogateescape")


@pytest.mark.parametrize("seed", range(3))
def test_an_attachment_name_read_without_the_registry_is_the_registrys(seed):
    from giamsat.messaging.header_text import attachment_filename

    rng = random.Random(seed)
    taken = {"quoted": 0, "rfc2231": 0}
    for _ in range(3000):
        raw = _disposition(rng)
        part = parse_message(raw)
        fast = attachment_filename(part)
        if fast is not None:
            taken["rfc2231" if b"filename*" in raw else "quoted"] += 1
            assert fast == part.get_filename(), raw
    assert min(taken.values()) > 20, taken  # the shortcut is taken, not just refused


def test_the_demo_s_attachment_names_are_read_without_the_registry():
    from giamsat.messaging.header_text import attachment_filename
    from giamsat.messaging.mime import _filename_param

    for i in range(200):
        name = f"Bao cao Xã Số {i} (tổng hợp) 02-04.docx"[: 20 + i % 40] + ".docx"
        part = parse_message(b"Content-Disposition: attachment;" + _filename_param(name) + b"\r\n\r\nx\r\n")
        assert attachment_filename(part) == part.get_filename() == name
