"""Hostile text made harmless: file names, control characters, markdown, redaction."""

import random
import unicodedata

import pytest

from giamsat.domain.textsafety import (
    MAX_NAME_BYTES,
    clean_line,
    clean_text,
    display_filename,
    markdown_text,
    redact,
    storage_suffix,
    unsafe_characters,
)


@pytest.mark.parametrize("name, shown", [
    ("../../etc/x.docx", "x.docx"),
    ("/etc/passwd", "passwd"),
    ("C:\\Users\\cb\\Báo cáo.docx", "Báo cáo.docx"),
    ("bao-cao\x00.docx", "bao-cao.docx"),
    ("NUL.docx", "_NUL.docx"),
    ("com1", "_com1"),
    ("..", "tep-khong-ten"),
    ("", "tep-khong-ten"),
    ("a\r\nBcc: x@y.z.docx", "a Bcc: x@y.z.docx"),
    (".bashrc", "bashrc"),
])
def test_an_uploaded_name_becomes_a_plain_name_kept_as_data(name, shown):
    assert display_filename(name) == shown


def test_a_very_long_name_is_shortened_in_bytes_keeping_its_extension():
    shown = display_filename("Báo cáo xã Hiển Khánh " * 40 + ".docx")
    assert len(shown.encode()) <= MAX_NAME_BYTES and shown.endswith(".docx")


@pytest.mark.parametrize("name, suffix", [
    ("x.DOCX", ".docx"), ("x.pdf", ".pdf"), ("x", ".bin"), ("x.<script>", ".bin"),
    ("x.docx\n", ".bin"), (".docx", ".bin"), ("x." + "a" * 20, ".bin"),
])
def test_only_plain_short_extensions_reach_a_stored_file_name(name, suffix):
    assert storage_suffix(name) == suffix


def test_control_xml_invalid_and_bidi_characters_are_removed_and_line_ends_unified():
    assert clean_text("a\x00b\x07c\r\nd\re\u202ef\ufffe\x7fg\x9f\th") == "abc\nd\nef" + "g\th"
    assert unsafe_characters("a\x01b\x01\u202e") == ["U+0001", "U+202E"]
    assert clean_line(" Xã\n  Hiển\tKhánh ") == "Xã Hiển Khánh"


def test_markdown_text_is_inert_for_markdown_and_html():
    shown = markdown_text("Xã [bấm](http://x.vn) <script>alert(1)</script> | **đậm** # {{ 7*7 }}")
    assert "<" not in shown and ">" not in shown
    assert "\\[bấm\\]\\(http\\://x\\.vn\\)" in shown
    assert "\\|" in shown and "\\*\\*đậm\\*\\*" in shown and "\\#" in shown and "\\{\\{" in shown
    assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in shown
    assert "\n" not in markdown_text("dòng 1\n# dòng 2")


def test_redaction_replaces_every_secret_longest_first():
    assert redact("user:pa55 and pa55word", ["pa55", "pa55word", ""]) == "user:*** and ***"


def test_blank_looking_characters_are_stripped_and_text_is_composed():
    from giamsat.domain.textsafety import clean_text

    assert clean_text("\u200b\u200d\u2800\u3164\ufeff\u00ad").strip() == ""
    assert clean_text("Tho\u0302n Mo\u0323\u0302t") == "Thôn Một"


def _clean_text_in_full(text: str) -> str:  # clean_text before its shortcut for clean NFC text
    from giamsat.domain import textsafety as ts

    stripped = ts._INVISIBLE.sub("", ts._UNSAFE.sub("", ts._LINE_BREAKS.sub("\n", text)))
    return unicodedata.normalize("NFC", stripped)


def test_clean_text_gives_what_the_three_substitutions_and_nfc_give_for_every_character():
    # Each code point alone, after a letter, before a combining mark and around a CR: the shortcut
    # (no character to substitute, already NFC) must never answer differently from the full path.
    rng = random.Random(5)
    for cp in range(0x110000):
        ch = chr(cp)
        for text in (ch, f"a{ch}\u0301"):
            assert clean_text(text) == _clean_text_in_full(text), (hex(cp), text)
    pieces = ["a", "Ộ", "O\u0323\u0302", "\r", "\r\n", "\u2028", "\x85", "\x00", "\u200b", "\ufeff",
              "\ud800", "\u202e", "\t", " ", "1.234", "\u1100\u1161", "\uac00\u11a8"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert clean_text(text) == _clean_text_in_full(text), text
