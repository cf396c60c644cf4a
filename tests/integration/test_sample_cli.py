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


def test_commands_given_as_of_act_on_that_day_from_opening_the_cycle_to_the_visit_notices(tmp_path):
    home = tmp_path / "home"
    for args in (("sample", "draw", "--seed", "Vietlott 09/4/2024", "--as-of", "2024-04-10"),
                 ("sample", "approve", "--as-of", "2024-04-10"),
                 ("visit", "schedule", "--as-of", "2024-04-22"),
                 ("visit", "minutes", "1", "--as-of", "2024-04-22"),
                 ("outbox", "send", "--as-of", "2024-04-22")):
        out = run(*args, home=home)
        assert out.returncode == 0, (args, out.stderr)
    engine = sa.create_engine(f"sqlite:///{home / 'giamsat.db'}")
    with engine.begin() as conn:
        audit = conn.execute(sa.text("SELECT action, at FROM audit_log ORDER BY id")).all()
        stamps = [row[0] for row in conn.execute(sa.text(
            "SELECT created_at FROM messages UNION ALL SELECT sent_at FROM messages "
            "UNION ALL SELECT created_at FROM obligations UNION ALL SELECT created_at FROM cycles"))]
    engine.dispose()
    days = {str(at)[:10] for _, at in audit} | {str(at)[:10] for at in stamps if at is not None}
    assert days == {"2024-04-10", "2024-04-22"}  # stored in UTC: 07:00-16:00 in Vietnam is the same day
    assert [a for a, _ in audit][:3] == ["plan.loaded", "sample.drawn", "sample.approved"]
    assert [at for _, at in audit] == sorted(at for _, at in audit)
