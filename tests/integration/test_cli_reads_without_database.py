"""A reading command on a home without a database says so in Vietnamese and creates nothing."""

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize("args", [["status"], ["outbox"], ["followup", "list"], ["audit"], ["doc", "list"],
                                  ["export", "ban-sao.tar.gz"], ["web", "--port", "1"]])
def test_a_reading_command_refuses_to_create_a_database(tmp_path, args):
    home = tmp_path / "chua-co"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIAMSAT_", "PREFECT_"))}
    env["GIAMSAT_HOME"] = str(home)
    out = subprocess.run([sys.executable, "-m", "giamsat", *args], capture_output=True, text=True,
                         cwd=tmp_path, env=env, timeout=120)
    assert out.returncode == 2, out.stdout + out.stderr
    text = " ".join(out.stderr.split())
    assert f"Chưa có cơ sở dữ liệu tại sqlite:///{home}/giamsat.db" in text
    assert "lệnh này chỉ đọc nên không tạo mới" in text and "giamsat notify" in text
    assert "Traceback" not in out.stderr
    assert not home.exists() and not (tmp_path / "ban-sao.tar.gz").exists()
