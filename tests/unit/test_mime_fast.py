"""The outbox's direct MIME serialiser gives what the ``email`` package builds, part for part."""

import datetime as dt
import email
from email import policy

from giamsat.messaging.mime import Outgoing, build_email, message_bytes

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SENDER = "Phòng Lao động - TB&XH huyện Vụ Bản <phonglaodong@vuban.example>"


def _parsed(data: bytes):
    return email.message_from_bytes(data, policy=policy.default)


def _outgoing(tmp_path, **extra) -> Outgoing:
    (tmp_path / "a.docx").write_bytes(bytes(range(256)) * 300)
    (tmp_path / "b.docx").write_bytes(b"PK\x03\x04 plan")
    fields = dict(
        id=7, message_id="<abc@giamsat.local>", to=["ubnd.13741@vuban.example", "Ông Nguyễn <a@b.example>"],
        cc=["phonglaodong@vuban.example"], created_at=dt.datetime(2024, 4, 1, 1, tzinfo=dt.UTC),
        subject="[Phòng Lao động - TB&XH] Thông báo Kế hoạch giám sát năm 2024 — gửi Xã \"Hợp\" <Hưng>",
        text="Kính gửi: UBND xã Hợp Hưng,\n\n" + "Dòng rất dài " * 30 + "\n",
        html="<p>Kính gửi: <strong>UBND xã Hợp Hưng &amp; Đồng</strong></p>\n",
        attachments=[
            {"path": str(tmp_path / "a.docx"), "content_type": DOCX,
             "filename": "Công văn 23-LĐTBXH - Xã Số 1 (tổng hợp) với tên rất dài & \"ngoặc\".docx"},
            {"path": str(tmp_path / "b.docx"), "content_type": DOCX, "filename": "plan.docx"}])
    return Outgoing(**(fields | extra))


def _assert_same(slow: bytes, fast: bytes) -> None:
    a, b = _parsed(slow), _parsed(fast)
    for name in ("Subject", "From", "To", "Cc", "Date", "Message-ID"):
        assert str(a[name]) == str(b[name]), name
    parts_a, parts_b = list(a.walk()), list(b.walk())
    assert [p.get_content_type() for p in parts_a] == [p.get_content_type() for p in parts_b]
    for x, y in zip(parts_a, parts_b, strict=True):
        if x.get_content_maintype() == "text":  # line ends: CRLF or LF, as the transfer encoding has it
            assert x.get_content().replace("\r\n", "\n") == y.get_content().replace("\r\n", "\n")
        elif not x.is_multipart():
            assert x.get_content() == y.get_content()
        assert x.get_filename() == y.get_filename()


def test_a_message_with_html_and_utf8_attachment_names_parses_like_the_email_package_builds_it(tmp_path):
    out = _outgoing(tmp_path)
    fast = message_bytes(out, SENDER)
    _assert_same(build_email(out, SENDER).as_bytes(policy=policy.SMTP), fast)
    long = [line for line in fast.split(b"\r\n") if len(line) > 78]
    assert long and all(line == b"Content-Type: " + DOCX.encode() for line in long)  # as email writes it
    assert b"\n" not in fast.replace(b"\r\n", b"")


def test_a_plain_ascii_message_without_attachments_stays_a_single_text_part(tmp_path):
    out = _outgoing(tmp_path, to=["a@b.example"], cc=[], subject="Probe", text="hello\nworld\n", html=None,
                    attachments=[])
    fast = message_bytes(out, "giamsat <g@x.example>")
    _assert_same(build_email(out, "giamsat <g@x.example>").as_bytes(policy=policy.SMTP), fast)
    assert _parsed(fast).get_content_type() == "text/plain"


def test_building_the_same_message_twice_gives_the_same_bytes(tmp_path):
    out = _outgoing(tmp_path)
    assert message_bytes(out, SENDER) == message_bytes(out, SENDER)


def test_every_e_mail_asks_replies_to_go_to_the_office_mailbox(tmp_path):
    out = _outgoing(tmp_path)
    office = "phonglaodong@vuban.example"
    fast = message_bytes(out, SENDER, office)
    _assert_same(build_email(out, SENDER, office).as_bytes(policy=policy.SMTP), fast)
    assert _parsed(fast)["Reply-To"] == office


def _b64_by_slices(data: bytes) -> bytes:
    """The attachment encoding as it was first written: the encoded text sliced line by line."""
    import binascii

    enc = binascii.b2a_base64(data, newline=False)
    return b"".join(enc[i:i + 76] + b"\r\n" for i in range(0, len(enc), 76))


def test_attachments_are_base64_in_76_character_crlf_lines_at_every_length():
    import os

    from giamsat.messaging.mime import _b64

    lengths = [0, 1, 2, 3, 56, 57, 58, 114, 57 * 255, 57 * 256 - 1, 57 * 256, 57 * 256 + 1,
               57 * 512 + 40, 42_000, 300_001]
    for n in lengths:
        data = os.urandom(n)
        assert _b64(data) == _b64_by_slices(data), n
