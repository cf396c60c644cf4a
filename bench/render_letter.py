"""Letter rendering (docxtpl on the committed Word template) vs bare python-docx building it.

The baseline builds the same letter (same header block, paragraphs, signature and recipients,
taken from one rendered letter) directly with python-docx through the Decree 30 layout helper,
then saves it; both sides write the .docx to disk with an fsync.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from docx import Document

from giamsat.docx.decree30 import OfficialDocument, Signer
from giamsat.notify.letter import letter_context, render_letter
from giamsat.plan.milestones import calendar_for
from giamsat.plan.schema import load_plan

CONFIG = Path(__file__).resolve().parents[1] / "config" / "vu-ban-2024.yaml"
ROUNDS = 40


def _body_texts(path: Path) -> list[str]:
    doc = Document(str(path))
    return [p.text for p in doc.paragraphs if p.text.strip()]


def _bare(ctx: dict, body: list[str], signer: Signer, out: Path) -> Path:
    d = OfficialDocument(parent_body=ctx["PARENT_BODY"], issuing_body=ctx["ISSUING_BODY"],
                         number_line=ctx["number_line"], place_date=ctx["place_date"],
                         subject_line=f"V/v {ctx['letter_summary']}")
    d.centered(body[0], size=14, space_before=12)
    for text in body[1:]:
        d.para(text.removesuffix("./."))
    d.close_body()
    d.signature(signer, ctx["recipients"], ctx["archive"])
    return d.save(out)


def _time(fn, rounds: int) -> list[float]:
    out = []
    for i in range(rounds):
        t = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - t)
    return out


def run(rounds: int = ROUNDS) -> dict:
    """Median seconds per letter for both ways, and their ratio."""
    plan = load_plan(CONFIG)
    cal, units, day = calendar_for(plan), plan.units_on(dt.date(2024, 4, 1)), dt.date(2024, 4, 1)
    s = plan.signatories.office
    signer = Signer(s.title, s.name, s.capacity, s.delegation)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        first = render_letter(plan, cal, units[0], day, folder / "warm.docx")
        body = _body_texts(first)
        ctx = letter_context(plan, cal, units[0], day)
        _bare(ctx, body, signer, folder / "warm-bare.docx")
        ours = _time(lambda i: render_letter(plan, cal, units[i % len(units)], day,
                                             folder / f"t{i}.docx"), rounds)
        bare = _time(lambda i: _bare(ctx, body, signer, folder / f"b{i}.docx"), rounds)
    o, b = statistics.median(ours), statistics.median(bare)
    return {"name": "render_letter", "rounds": rounds, "docxtpl_ms": round(o * 1000, 1),
            "python_docx_ms": round(b * 1000, 1), "ratio": round(o / b, 2), "target": 1.5}


if __name__ == "__main__":
    print(run())
