"""``giamsat demo``: the whole April–November cycle on a simulated clock, with synthetic communes."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import func, select

from giamsat import prefect_env
from giamsat.cli.common import console, state
from giamsat.db.models import Document, Message, Recommendation, SampleDraw, Submission
from giamsat.issuance.kinds import public_kind
from giamsat.issuance.service import signature_summary
from giamsat.runtime import Runtime
from giamsat.settings import DEFAULT_CONFIG

DEFAULT_OUT = Path("var/demo")


def _prepare(out: Path) -> tuple[Path, Path]:
    """A fresh home under ``out``; the flows read it from the environment like scheduled runs."""
    if out.exists():
        shutil.rmtree(out)
    home = (out / "home").resolve()
    home.mkdir(parents=True)
    os.environ.update(GIAMSAT_HOME=str(home), GIAMSAT_CHANNEL="file",
                      GIAMSAT_DATABASE_URL=f"sqlite:///{home / 'giamsat.db'}")
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    return home, (out / "work").resolve()


def summary(rt: Runtime) -> dict:
    """Counts a coordinator wants at the end of the cycle."""
    from giamsat.cycle.status import report_status_rows, step_rows, summarise

    with rt.db.unit_of_work() as s:
        cyc = rt.cycle_id
        messages = dict(s.execute(select(Message.kind, func.count()).where(Message.cycle_id == cyc)
                                  .group_by(Message.kind)).all())
        by_status = dict(s.execute(select(Message.status, func.count()).where(
            Message.cycle_id == cyc).group_by(Message.status)).all())
        rejected = s.scalar(select(func.count()).where(Submission.cycle_id == cyc,
                                                      Submission.status == "rejected"))
        recs = dict(s.execute(select(Recommendation.status, func.count()).where(
            Recommendation.cycle_id == cyc).group_by(Recommendation.status)).all())
        draw = s.scalar(select(SampleDraw).where(SampleDraw.cycle_id == cyc,
                                                 SampleDraw.status == "approved"))
        sample = {"id": draw.id, "seed": draw.seed, "algorithm": draw.algorithm,
                  "units": draw.result.get("units", draw.result.get("communes", []))} if draw else None
    reports = summarise(report_status_rows(rt, rt.plan.period.end))
    reports["rejected_then_corrected_files"] = rejected
    steps = {r["key"]: r["state"] for r in step_rows(rt, rt.plan.period.end)}
    return {"messages_by_kind": messages, "messages_by_status": by_status, "reports": reports,
            "sample": sample, "recommendations": recs, "steps": steps, "documents": signature_summary(rt)}


def manifest(rt: Runtime, home: Path) -> list[dict]:
    """Every output of the run with its kind and path."""
    with rt.db.unit_of_work() as s:
        docs = [{"kind": public_kind(kind), "path": path} for kind, path in
                s.execute(select(Document.kind, Document.path).order_by(Document.id)).all()]
    emls = [{"kind": "message", "path": str(p)} for p in sorted((home / "outbox").rglob("*.eml"))]
    return docs + emls + [{"kind": "db", "path": str(home / "giamsat.db")}]


def _print_summary(result: dict, outputs: list[dict], seconds: float, flow_runs: int,
                   timings: dict[str, float] | None = None) -> None:
    table = Table(title="Kết quả chạy thử (dữ liệu minh họa)", show_header=False)
    r = result["reports"]
    def counts(d: dict) -> str:
        return ", ".join(f"{k}: {n}" for k, n in sorted(d.items()))

    table.add_row("Thư đã gửi", counts(result["messages_by_kind"]))
    table.add_row("Tình trạng thư", counts(result["messages_by_status"]))
    table.add_row("Báo cáo của xã", f"{r['expected']} phải nộp; {r['on_time']} đúng hạn, {r['late']} muộn, "
                  f"{r['missing']} chưa nộp; {r['rejected_then_corrected_files']} tệp bị trả lại để sửa")
    if result["sample"]:
        names = ", ".join(u.get("name", "") for u in result["sample"]["units"])
        table.add_row("Mẫu được chọn", f"#{result['sample']['id']}: {names}")
    table.add_row("Kiến nghị", counts(result["recommendations"]))
    table.add_row("Văn bản", result["documents"]["summary"])  # says when drafts went out unsigned
    kinds: dict[str, int] = {}
    for o in outputs:
        kinds[o["kind"]] = kinds.get(o["kind"], 0) + 1
    table.add_row("Tệp đã tạo", ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items())))
    for o in outputs:
        if o["kind"] in ("final_report", "interim_report", "plan", "db"):
            table.add_row(o["kind"], o["path"])
    table.add_row("Thời gian", f"{seconds:.0f} giây, {flow_runs} lượt chạy flow Prefect")
    if timings:
        table.add_row("Theo bước (giây)", ", ".join(f"{k}: {v:.1f}" for k, v in
                                                    sorted(timings.items(), key=lambda kv: -kv[1])))
    console.print(table)


def demo(out: Path = typer.Option(DEFAULT_OUT, "--out", help="Thư mục kết quả của bản chạy thử."),
         ) -> None:
    """Chạy thử toàn bộ chu kỳ tháng 4–11 (dữ liệu tổng hợp) và ghi manifest.json."""
    from giamsat.demo.runner import DemoRunner

    started = time.monotonic()
    config = Path(state.config or DEFAULT_CONFIG).resolve()
    home, work = _prepare(out)
    rt = Runtime.load(config)
    console.print(f"[bold]giamsat demo[/] — {rt.plan.cycle_key}: {rt.plan.synthetic_notice}")
    runner = DemoRunner(rt, config, work, console)
    with prefect_env.without_heartbeats():
        runner.run()
    result = summary(rt)
    outputs = manifest(rt, home)
    data = {"cycle": rt.plan.cycle_key, "synthetic": True, "notice": rt.plan.synthetic_notice,
            "summary": result, "outputs": outputs}
    path = out / "manifest.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    data["timings_seconds"] = {k: round(v, 2) for k, v in runner.timings.items()}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    _print_summary(result, outputs, time.monotonic() - started, runner.flow_runs, runner.timings)
    console.print(f"Manifest: {path}")
    rt.db.dispose()


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command."""
    app.command("demo")(demo)
