"""The CLI's foundation commands, run as a user runs them (a real subprocess)."""

import os
import subprocess
import sys

import yaml

from giamsat.db.migrate import head_revision
from tests.conftest import CONFIG, ROOT


def run(*args, env=None, home=None):
    full_env = {**os.environ, **(env or {})}
    if home:
        full_env["GIAMSAT_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "giamsat", *args], capture_output=True,
                          text=True, cwd=ROOT, env=full_env, timeout=120)


def test_plan_check_accepts_the_shipped_plan():
    out = run("plan", "check", str(CONFIG))
    assert out.returncode == 0, out.stderr
    assert "Hợp lệ" in out.stdout and "18 đầu kỳ, 14 cuối kỳ" in out.stdout


def test_plan_check_lists_every_problem_without_a_traceback(tmp_path):
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["units"][2]["code"] = "13741"
    del data["period"]["end"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = run("plan", "check", str(bad))
    assert out.returncode == 2
    assert "period.end: thiếu trường bắt buộc" in out.stderr
    assert "Traceback" not in out.stderr + out.stdout


def test_db_upgrade_migrates_the_embedded_sqlite_under_the_home(tmp_path):
    out = run("db", "upgrade", home=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "giamsat.db").exists()
    head = head_revision()
    assert f"trống → {head}" in out.stdout
    again = run("db", "upgrade", home=tmp_path)
    assert f"{head} → {head}" in again.stdout


def test_every_command_has_help():
    out = run("--help")
    assert out.returncode == 0
    for group in ("plan", "db"):
        sub = run(group, "--help")
        assert sub.returncode == 0 and "Cách dùng" in sub.stdout and "Usage" not in sub.stdout


def test_an_unreachable_database_is_a_clear_error(tmp_path):
    out = run("db", "upgrade", home=tmp_path,
              env={"GIAMSAT_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none"})
    assert out.returncode == 1
    assert "Không kết nối được cơ sở dữ liệu" in out.stderr
    assert "Traceback" not in out.stderr
