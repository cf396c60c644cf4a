"""``giamsat plan check`` on a commune's plan: its villages are its units, nothing else is.

Run as a user runs it (a real subprocess), reading what the command prints.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import CONFIG, ROOT

COMMUNE = ROOT / "config" / "xa-vu-ban-2026.yaml"
PROVINCE = ROOT / "config" / "ninh-binh-2026.yaml"


def check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "giamsat", "plan", "check", str(path)],
                          capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=120)


def written(tmp_path: Path, data: dict, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_plan_check_accepts_the_shipped_commune_plan_and_says_it_draws_villages():
    out = check(COMMUNE)
    assert out.returncode == 0, out.stderr
    assert "Hợp lệ" in out.stdout and "xã Vụ Bản, tỉnh Ninh Bình" in out.stdout
    assert "12 đầu kỳ, 12 cuối kỳ" in out.stdout
    assert "chọn mẫu 3 thôn, tổ dân phố" in out.stdout
    assert "Chọn ngẫu nhiên thôn, tổ dân phố để giám sát" in out.stdout
    assert "huyện" not in out.stdout


def test_a_commune_plan_with_a_commune_among_its_villages_is_refused_in_vietnamese(tmp_path):
    data = load(COMMUNE)
    data["units"][4] = {"code": "13750", "name": "Xã Minh Tân", "kind": "xa", "valid_from": "2025-07-01",
                        "email": "ubnd@minhtan.example", "chairman_email": "ct@minhtan.example",
                        "villages": ["Thôn Một"]}
    out = check(written(tmp_path, data))
    assert out.returncode == 2
    assert ("units[4].kind: xã ban hành kế hoạch không có đơn vị loại 'xã' (Xã Minh Tân): đơn vị "
            "của kế hoạch cấp xã là thôn, xóm, tổ dân phố, ấp, bản") in out.stderr
    assert "Traceback" not in out.stderr + out.stdout


def test_a_province_or_district_plan_with_a_village_among_its_communes_is_refused(tmp_path):
    for source, index in ((PROVINCE, 0), (CONFIG, 3)):
        data = load(source)
        data["units"][index] |= {"kind": "thon"}
        out = check(written(tmp_path, data, source.name))
        level = "tỉnh" if source == PROVINCE else "huyện"
        assert out.returncode == 2, source
        assert (f"units[{index}].kind: {level} ban hành kế hoạch không có đơn vị loại 'thôn' "
                f"({data['units'][index]['name']}): đơn vị của kế hoạch cấp {level} là xã, phường, "
                f"thị trấn, đặc khu") in out.stderr


def test_a_village_needs_a_code_the_commune_gives_it_under_its_own(tmp_path):
    data = load(COMMUNE)
    data["units"][0]["code"] = "13742"      # a statistics-office-like code: villages have none
    data["units"][1]["code"] = "13750-02"   # another commune's prefix
    out = check(written(tmp_path, data))
    assert out.returncode == 2
    assert ("units[0].code: thôn, tổ dân phố không có mã thống kê, dùng mã xã, dấu gạch ngang và "
            "số thứ tự do xã tự đặt, ví dụ 13741-01 — giá trị: '13742'") in out.stderr
    assert "units[1].code: mã 13750-02 phải bắt đầu bằng mã của xã ban hành (13741-…)" in out.stderr


def test_a_commune_plan_draws_no_villages_beneath_its_villages(tmp_path):
    data = load(COMMUNE)
    data["sample"]["villages_per_commune"] = 2
    data["units"][5]["villages"] = ["Xóm Trên"]
    out = check(written(tmp_path, data))
    assert out.returncode == 2
    assert ("sample.villages_per_commune: kế hoạch cấp xã chọn mẫu trực tiếp các thôn, tổ dân phố, "
            "không chọn thôn bên dưới: bỏ trường này") in out.stderr
    assert "units[5].villages: Thôn Tây Sơn là đơn vị cấp thôn, không khai báo thôn bên dưới" in out.stderr
