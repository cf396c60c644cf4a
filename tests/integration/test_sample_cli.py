"""An inspector's view from the command line: draw, verify, detect tampering, refuse bad minutes."""

import sqlalchemy as sa

from tests.integration.test_cli_foundation import run


def test_verify_says_match_then_detects_a_tampered_record(tmp_path):
    home = tmp_path / "home"
    out = run("sample", "draw", "--seed", "Vietlott 09/4/2024", "--as-of", "2024-04-10", home=home)
    assert out.returncode == 0, out.stderr
    assert "Lượt chọn mẫu số 1" in out.stdout and "giamsat-sha256-rank" in out.stdout
    ok = run("sample", "verify", home=home)
    assert ok.returncode == 0 and "Khớp" in ok.stdout
    engine = sa.create_engine(f"sqlite:///{home / 'giamsat.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE sample_draws SET seed = 'hạt giống khác'"))
    engine.dispose()
    bad = run("sample", "verify", "1", home=home)
    assert bad.returncode == 3 and "Không khớp" in bad.stdout and "SHA-256" in bad.stdout
    refused = run("sample", "approve", home=home)
    assert refused.returncode == 1 and "không duyệt" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_recording_a_file_that_is_not_minutes_exits_with_a_vietnamese_message(tmp_path):
    junk = tmp_path / "bien-ban.docx"
    junk.write_bytes(b"PK\x03\x04 truncated")
    out = run("visit", "record", str(junk), home=tmp_path / "home")
    assert out.returncode == 1
    assert "bien-ban.docx: Tệp bị hỏng" in out.stderr and "Traceback" not in out.stderr
