"""What the demo reports at the end: counts a coordinator wants, and every file it wrote."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from sqlalchemy import func, select

from giamsat.db.models import Document, MailIntake, Message, Recommendation, SampleDraw, Submission
from giamsat.issuance.kinds import public_kind
from giamsat.issuance.service import signature_summary
from giamsat.runtime import Runtime


def summary(rt: Runtime) -> dict:
    """Counts a coordinator wants at the end of the cycle."""
    from giamsat.cycle.status import report_status_rows, step_rows, summarise

    with rt.db.unit_of_work() as s:
        cyc = rt.cycle_id
        messages = dict(s.execute(select(Message.kind, func.count()).where(Message.cycle_id == cyc)
                                  .group_by(Message.kind)).tuples().all())
        by_status = dict(s.execute(select(Message.status, func.count()).where(
            Message.cycle_id == cyc).group_by(Message.status)).tuples().all())
        rejected = s.scalar(select(func.count()).where(Submission.cycle_id == cyc,
                                                      Submission.status == "rejected"))
        by_source = dict(s.execute(select(Submission.source, func.count()).where(
            Submission.cycle_id == cyc).group_by(Submission.source)).tuples().all())
        mails = list(s.scalars(select(MailIntake.files).where(MailIntake.cycle_id == cyc)))
        recs = dict(s.execute(select(Recommendation.status, func.count()).where(
            Recommendation.cycle_id == cyc).group_by(Recommendation.status)).tuples().all())
        draw = s.scalar(select(SampleDraw).where(SampleDraw.cycle_id == cyc,
                                                 SampleDraw.status == "approved"))
        sample = {"id": draw.id, "seed": draw.seed, "algorithm": draw.algorithm,
                  "units": draw.result.get("units", draw.result.get("communes", []))} if draw else None
    reports = summarise(report_status_rows(rt, rt.plan.period.end))
    reports["rejected_then_corrected_files"] = rejected
    reports["files_by_source"] = by_source
    reports["by_mail"] = {"messages": len(mails), "forms": by_source.get("mail", 0),
                          "signed_pdfs": sum(1 for files in mails for f in files
                                             if f.get("kind") == "signed")}
    steps = {r["key"]: r["state"] for r in step_rows(rt, rt.plan.period.end)}
    return {"messages_by_kind": messages, "messages_by_status": by_status, "reports": reports,
            "sample": sample, "recommendations": recs, "steps": steps,
            "documents": _documents(rt)}


def _documents(rt: Runtime) -> dict[str, object]:
    """What waits for a signature; when the demo signed, that its certificate was a test one."""
    docs = signature_summary(rt)
    if not rt.plan.documents.allow_drafts and docs["issued"]:
        docs["summary"] = (f"{docs['summary']} Chữ ký số là của chứng thư THỬ NGHIỆM do bản chạy thử tự "
                           "tạo (không có giá trị pháp lý).")
        docs["test_certificate"] = True
    return docs


def manifest(rt: Runtime, home: Path) -> list[dict]:
    """Every output of the run with its kind and path."""
    with rt.db.unit_of_work() as s:
        docs = [{"kind": public_kind(kind), "path": path} for kind, path in
                s.execute(select(Document.kind, Document.path).order_by(Document.id)).all()]
    emls = [{"kind": "message", "path": p} for p in matching(home / "outbox", "*.eml")]
    return docs + emls + [{"kind": "db", "path": str(home / "giamsat.db")}]


def matching(root: Path, pattern: str) -> list[str]:
    """``sorted(root.rglob(pattern))`` as strings, from ``os.walk``: a country's outbox holds a
    hundred thousand messages, and pathlib made and compared a path object for each."""
    base = str(root)
    found: list[tuple[tuple[str, ...], str]] = []
    for folder, dirs, files in os.walk(base):  # as rglob: into no linked folder, a linked one listed
        rel = tuple(Path(folder).relative_to(base).parts)
        found += [((*rel, name), os.path.join(folder, name))
                  for name in dirs + files if fnmatch.fnmatchcase(name, pattern)]
    return [path for _, path in sorted(found)]  # in pathlib's order: part by part
