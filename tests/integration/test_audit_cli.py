"""``giamsat audit`` and ``--actor``, run as a user runs them (a real subprocess)."""

import getpass
import json
import shutil
import sqlite3

import pytest

from tests.conftest import CONFIG
from tests.integration.test_cli_foundation import run

CLEAN = {"GIAMSAT_ACTOR": "", "GIAMSAT_DATABASE_URL": "", "GIAMSAT_CONFIG": str(CONFIG)}


def audit_json(home, *args):
    out = run("audit", "--json", *args, env=CLEAN, home=home)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """Two people change one recommendation on different days; a third adds one with no --actor."""
    home = tmp_path_factory.mktemp("audit-cli")
    steps = [
        ("--actor", "Nguyễn Văn An", "recs", "add", "--content", "Bổ sung hồ sơ", "--to", "UBND xã Đại An",
         "--as-of", "2024-06-03"),
        ("recs", "update", "1", "--status", "in_progress", "--note", "Đang làm", "--as-of", "2024-06-10"),
    ]
    out = run(*steps[0], env=CLEAN, home=home)
    assert out.returncode == 0, out.stderr
    out = run(*steps[1], env=CLEAN | {"GIAMSAT_ACTOR": "Trần Thị Bình"}, home=home)
    assert out.returncode == 0, out.stderr
    out = run("recs", "add", "--content", "Rà soát", "--to", "UBND xã Hiển Khánh", "--as-of", "2024-07-01",
              env=CLEAN, home=home)
    assert out.returncode == 0, out.stderr
    return home


def test_the_actor_is_the_option_the_environment_or_the_os_user(home):
    entries = audit_json(home, "--entity", "recommendation")["entries"]
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("rec.add", "Nguyễn Văn An"), ("rec.update", "Trần Thị Bình"), ("rec.add", getpass.getuser())]
    assert entries[0]["at"] == "2024-06-03T08:00:00+07:00"


def test_filters_select_by_day_action_and_person(home):
    assert [e["action"] for e in audit_json(home, "--since", "2024-06-10", "--until", "10/06/2024")
            ["entries"]] == ["rec.update"]
    assert {e["action"] for e in audit_json(home, "--action", "rec")["entries"]} == {"rec.add", "rec.update"}
    assert [e["entity_id"] for e in audit_json(home, "--actor", "Trần Thị Bình")["entries"]] == ["1"]


def test_the_output_is_bounded_and_says_how_much_was_left_out(home):
    data = audit_json(home, "--entity", "recommendation", "--limit", "1")
    assert (data["total"], data["shown"], data["entries"][0]["action"]) == (3, 1, "rec.add")
    out = run("audit", "--entity", "recommendation", "--limit", "2", env=CLEAN, home=home)
    assert out.returncode == 0, out.stderr
    assert "Thời điểm" in out.stdout and "kiến nghị 1" in out.stdout
    assert "Hiển thị 2 mục mới nhất trong 3 mục phù hợp" in out.stdout


def test_a_bad_date_is_refused_in_vietnamese_without_a_traceback(home):
    out = run("audit", "--since", "31/31/2024", env=CLEAN, home=home)
    assert out.returncode != 0 and "ngày không hợp lệ" in out.stderr
    assert "Traceback" not in out.stderr + out.stdout


def test_verify_confirms_an_intact_log_and_flags_one_edited_behind_the_apps_back(home, tmp_path):
    ok = run("audit", "--verify", env=CLEAN, home=home)
    assert ok.returncode == 0, ok.stderr
    assert "Nhật ký nguyên vẹn: 4 mục" in ok.stdout
    copy = tmp_path / "copy"
    shutil.copytree(home, copy)
    with sqlite3.connect(copy / "giamsat.db") as conn:
        conn.execute("UPDATE audit_log SET actor = 'ai.do' WHERE id = 3")
    bad = run("audit", "--verify", env=CLEAN, home=copy)
    assert bad.returncode == 1 and "Mục số 3: nội dung không khớp" in bad.stdout
