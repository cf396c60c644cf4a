"""``giamsat demo``: the whole April–November cycle on a simulated clock, with synthetic communes."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import typer
from rich.table import Table

from giamsat import prefect_env
from giamsat.cli.common import console, state
from giamsat.cli.ui.present import counts, number
from giamsat.cycle.sync import open_cycle
from giamsat.domain import clock
from giamsat.domain.vocabulary import label
from giamsat.plan.schema import load_plan
from giamsat.plan.wording import plan_words
from giamsat.settings import DEFAULT_CONFIG

DEFAULT_OUT = Path("var/demo")


def _prepare(out: Path) -> tuple[Path, Path]:
    """A fresh home under ``out``; the flows read it from the environment like scheduled runs."""
    if out.exists():
        shutil.rmtree(out)
    home = (out / "home").resolve()
    home.mkdir(parents=True)
    for name in ("GIAMSAT_IMAP_HOST", "GIAMSAT_IMAP_USER", "GIAMSAT_IMAP_PASSWORD"):
        os.environ.pop(name, None)  # the communes' e-mails go to the Maildir <home>/mail
    os.environ.update(GIAMSAT_HOME=str(home), GIAMSAT_CHANNEL="file", GIAMSAT_SYNTHETIC_DATA="1",
                      GIAMSAT_DATABASE_URL=f"sqlite:///{home / 'giamsat.db'}")
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    return home, (out / "work").resolve()


_OUTPUT_KINDS = {"message": "Thư (.eml)", "db": "Cơ sở dữ liệu"}
_STEP_TIMES = {"communes": "Các {units} gửi báo cáo (mô phỏng)",
               "signing": "Ký số thử nghiệm, đăng ký văn bản"}


def _output_label(kind: str) -> str:
    from giamsat.issuance.kinds import KINDS

    return _OUTPUT_KINDS.get(kind) or (KINDS[kind].label if kind in KINDS else kind)


def _print_summary(result: dict, outputs: list[dict], seconds: float, flow_runs: int,
                   timings: dict[str, float] | None = None, units: str = "xã") -> None:
    """The run's summary table; ``units``: what the plan's reporting units are called (``thôn``)."""
    from flows.naming import RUN_TITLES

    table = Table(title="Kết quả chạy thử (dữ liệu minh họa)", show_header=False)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    r = result["reports"]
    by_kind = result["messages_by_kind"]
    table.add_row("Thư đã gửi", "\n".join(f"{label('message_kind', k)}: {number(by_kind[k])}" for k in
                                           sorted(by_kind, key=lambda k: -by_kind[k])))
    table.add_row("Tình trạng thư", counts("message_status", result["messages_by_status"]))
    table.add_row(f"Báo cáo của {units}", f"{r['expected']} phải nộp; {r['on_time']} đúng hạn, "
                  f"{r['late']} muộn, {r['missing']} chưa nộp; "
                  f"{r['rejected_then_corrected_files']} tệp bị trả lại để sửa")
    mail = r["by_mail"]
    others = ", ".join(f"{label('submission_source', k)}: {n}"
                       for k, n in sorted(r["files_by_source"].items()) if k != "mail")
    table.add_row("Nhận báo cáo", f"qua thư điện tử: {mail['forms']} tệp trong {mail['messages']} "
                  f"thư (kèm {mail['signed_pdfs']} bản ký số PDF)" + (f"; {others} tệp" if others else ""))
    if result["sample"]:
        names = ", ".join(u.get("name", "") for u in result["sample"]["units"])
        table.add_row("Mẫu được chọn", f"#{result['sample']['id']}: {names}")
    table.add_row("Kiến nghị", counts("rec_status", result["recommendations"]))
    table.add_row("Văn bản", result["documents"]["summary"])  # says when drafts went out unsigned
    kinds: dict[str, int] = {}
    for o in outputs:
        kinds[o["kind"]] = kinds.get(o["kind"], 0) + 1
    table.add_row("Tệp đã tạo", "; ".join(f"{_output_label(k)}: {number(n)}" for k, n in kinds.items()))
    for o in outputs:
        if o["kind"] in ("final_report", "interim_report", "office_report", "adhoc_report", "plan", "db"):
            table.add_row(_output_label(o["kind"]), o["path"])
    table.add_row("Thời gian", f"{seconds:.0f} giây, {flow_runs} lượt chạy flow Prefect")
    if timings:
        titles = {**RUN_TITLES, **{k: v.format(units=units) for k, v in _STEP_TIMES.items()}}
        table.add_row("Theo bước (giây)", "; ".join(
            f"{titles.get(k, k)}: {number(v, 1)}" for k, v in sorted(timings.items(), key=lambda kv: -kv[1])))
    console.print(table)


def demo(out: Path = typer.Option(DEFAULT_OUT, "--out", help="Thư mục kết quả của bản chạy thử."),
         ) -> None:
    """Chạy thử toàn bộ chu kỳ tháng 4–11 (dữ liệu tổng hợp) và ghi manifest.json."""
    from giamsat.demo.runner import DemoRunner
    from giamsat.demo.signing import DemoClerk, can_sign, signing_config
    from giamsat.demo.summary import manifest, summary

    started = time.monotonic()
    config = Path(state.config or DEFAULT_CONFIG).resolve()
    templates = Path(os.environ.get("PREFECT_HOME", "var/prefect")).resolve()  # before the home moves
    home, work = _prepare(out)
    # The runs go to the demo home's own Prefect database: `GIAMSAT_HOME=<out>/home giamsat serve`
    # shows them under the cycle's deployments.
    # Prefect's server boots on the other core while the plan is loaded and synced.
    server = prefect_env.EarlyServer() if prefect_env.use_fresh_home(home / "prefect", templates) else None
    opened = clock.at_office_hours(load_plan(config).period.start, 7)  # the replay's first morning
    signs = can_sign(config)  # with LibreOffice the documents are signed (test certificate) and registered
    config = signing_config(config, home) if signs else config
    rt = open_cycle(config, opened)
    console.print(f"[bold]giamsat demo[/] — {rt.plan.cycle_key}: {rt.plan.synthetic_notice}")
    runner = DemoRunner(rt, config, work, console, DemoClerk(rt, out / "ky-so-thu-nghiem") if signs else None)
    if server is not None:
        server.wait()
    with prefect_env.without_heartbeats(), prefect_env.without_suspension_watch(), prefect_env.one_client():
        runner.run()
    result = summary(rt)
    outputs = manifest(rt, home)
    data = {"cycle": rt.plan.cycle_key, "synthetic": True, "notice": rt.plan.synthetic_notice,
            "summary": result, "outputs": outputs,
            "timings_seconds": {k: round(v, 2) for k, v in runner.timings.items()}}
    path = out / "manifest.json"  # written once (a country's lists a hundred thousand files)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    _print_summary(result, outputs, time.monotonic() - started, runner.flow_runs, runner.timings,
                   plan_words(rt.plan)["unit_noun"])
    console.print(f"Manifest: {path}")
    rt.db.dispose()


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command."""
    app.command("demo")(demo)
