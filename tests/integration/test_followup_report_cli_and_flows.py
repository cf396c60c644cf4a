"""The recs and report commands as a user runs them, and the two flows under the Prefect harness."""

import datetime as dt
import json

import pytest
from docx import Document

from giamsat.cycle.sync import open_cycle
from giamsat.docx.decree30_check import check
from tests.conftest import CONFIG, OPENED_AT
from tests.fixtures.report_data import build_cycle
from tests.integration.test_cli_foundation import run


def test_recs_and_report_commands_work_end_to_end_without_tracebacks(tmp_path):
    home = tmp_path / "home"
    added = run("recs", "add", "--content", "Bổ sung hồ sơ mô hình", "--to", "UBND xã Đại An",
                "--unit", "13756", "--as-of", "2024-05-20", home=home)
    assert added.returncode == 0, added.stderr
    assert "Kiến nghị số 1: hạn 17/6/2024" in added.stdout
    refused = run("recs", "update", "1", "--status", "resolved", "--as-of", "2024-05-21", home=home)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "phải có nội dung kết quả" in refused.stderr
    proof = tmp_path / "bien-ban.txt"
    proof.write_text("Biên bản nghiệm thu", encoding="utf-8")
    done = run("recs", "update", "1", "--status", "resolved", "--note", "Đã bổ sung",
               "--evidence", str(proof), "--as-of", "2024-05-22", home=home)
    assert done.returncode == 0, done.stderr
    listed = json.loads(run("recs", "list", "--status", "resolved", "--json", home=home).stdout)
    assert [r["status_label"] for r in listed] == ["Đã thực hiện"]
    history = run("recs", "show", "1", home=home).stdout
    assert "Chưa thực hiện" in history and "Đã bổ sung" in history and "evidence/" in history
    out = tmp_path / "bao-cao.docx"
    report = run("report", "final", "--as-of", "2024-11-20", "--out", str(out), "--force", home=home)
    assert report.returncode == 0, report.stderr
    assert check(out, title="Báo cáo") == []
    assert "Bổ sung hồ sơ mô hình" in "\n".join(c.text for t in Document(str(out)).tables
                                                 for r in t.rows for c in r.cells)


@pytest.mark.prefect
def test_the_followup_and_final_report_flows_run_the_services(prefect_harness, tmp_path, monkeypatch):
    from flows.final_report import final_report_flow
    from flows.followup import followup_flow

    home = tmp_path / "home"
    url = f"sqlite:///{tmp_path / 'giamsat.db'}"
    monkeypatch.setenv("GIAMSAT_HOME", str(home))
    monkeypatch.setenv("GIAMSAT_DATABASE_URL", url)
    rt = open_cycle(CONFIG, OPENED_AT, home=home, database_url=url)
    build_cycle(rt)
    rt.db.dispose()
    swept = followup_flow(as_of=dt.date(2024, 6, 17), config=str(CONFIG))
    assert swept == {"obligations_created": 2, "marked_overdue": 1}
    from giamsat.final_report import office_report, service

    reads, original = [], service.load_report_data

    def counted(*args, **kwargs):
        reads.append(args[3])
        return original(*args, **kwargs)

    for module in (service, office_report):  # wherever a report reads the figures from
        monkeypatch.setattr(module, "load_report_data", counted, raising=False)
    path = final_report_flow(as_of=dt.date(2024, 11, 20), config=str(CONFIG))
    assert check(path, title="Báo cáo") == []
    assert reads == [dt.date(2024, 11, 20)]  # the office's report and the final one: read once
