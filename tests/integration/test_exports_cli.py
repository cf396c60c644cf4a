"""``giamsat status --csv`` and ``giamsat recs export``: what an officer opens in Excel."""

import csv
import io
import os
import subprocess
import sys

from tests.conftest import ROOT
from tests.fixtures.hostile import HOSTILE


def run(*args, home, config):
    env = {**os.environ, "GIAMSAT_HOME": str(home), "GIAMSAT_CONFIG": str(config), "COLUMNS": "400"}
    env.pop("GIAMSAT_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "giamsat", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def _rows(path):
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_status_and_register_exports_keep_hostile_names_as_inert_text(hostile_config, tmp_path):
    home = tmp_path / "home"
    added = run("recs", "add", "--content", "=HYPERLINK(\"http://e.vn\",\"bấm\") [/] [bold]x",
                "--to", "@UBND xã", "--as-of", "2024-06-03", home=home, config=hostile_config)
    assert added.returncode == 0, added.stderr
    out = run("status", "--as-of", "2024-04-08", "--csv", str(tmp_path / "tinh-trang.csv"),
              home=home, config=hostile_config)
    assert out.returncode == 0, out.stderr
    status = _rows(tmp_path / "tinh-trang.csv")
    assert status[0][:3] == ["Mã đơn vị", "Đơn vị", "Tình trạng"] and len(status) == 19
    assert status[1][1].endswith(HOSTILE) and status[1][2] == "Chưa nộp (quá hạn)"
    out = run("recs", "export", str(tmp_path / "kien-nghi.csv"), home=home, config=hostile_config)
    assert out.returncode == 0 and "Đã ghi 1 kiến nghị" in out.stdout, out.stderr
    recs = _rows(tmp_path / "kien-nghi.csv")
    assert recs[1][3] == "'@UBND xã" and recs[1][5] == "'=HYPERLINK(\"http://e.vn\",\"bấm\") [/] [bold]x"


def test_cli_tables_print_names_with_rich_markup_literally(hostile_config, tmp_path):
    import yaml

    data = yaml.safe_load(hostile_config.read_text(encoding="utf-8"))
    data["units"][0]["name"] = "Thị trấn [/] [bold red]Gôi"
    hostile_config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    home = tmp_path / "home"
    assert run("db", "upgrade", home=home, config=hostile_config).returncode == 0  # status only reads
    out = run("status", "--as-of", "2024-04-08", home=home, config=hostile_config)
    assert out.returncode == 0, out.stderr
    assert "Thị trấn [/] [bold red]Gôi" in out.stdout
    listed = run("recs", "add", "--content", "[/] kiến nghị", "--to", "[/x]", home=home,
                 config=hostile_config)
    assert listed.returncode == 0, listed.stderr
    shown = run("recs", "list", home=home, config=hostile_config)
    assert shown.returncode == 0, shown.stderr
    assert "[/] kiến nghị" in shown.stdout and "[/x]" in shown.stdout
