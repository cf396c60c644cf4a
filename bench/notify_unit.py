"""What notify does per unit now: the letter and the outline stamped from templates rendered once.

``python -m bench.notify_unit [N] [--rounds R]`` (default 500 units of a ``bench.generate`` plan,
2 rounds, order alternated):

- **stamp**: ``notify.render.UnitDocuments.render`` — each template rendered once (not timed:
  a first call renders them), then per unit the letter and the outline filled by
  ``docx.stamp.Stamp`` (the unit's values XML-escaped into the parts that carry tokens, every
  other part copied compressed) and written by one ``BatchWriter`` (one ``os.sync``, renames).
- **bare**: the same two documents per unit made the plain way with ``zipfile``: open the rendered
  template, replace the tokens in its XML parts, write every part again (deflated) into the new
  file, then one ``os.sync`` and the renames.

The ratio reported is the median of stamp / bare; ``per_unit_ms`` is the stamping cost a unit.
"""

from __future__ import annotations

import io
import os
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

from bench.generate import write_plan
from giamsat.cycle.sync import open_cycle
from giamsat.docx.stamp import Stamp, xml_escape
from giamsat.domain import clock
from giamsat.notify.letter import letter_values
from giamsat.notify.outline import outline_values
from giamsat.notify.render import UnitDocuments

AS_OF = clock.at_office_hours(clock.today(), 9).date()


def _bare(templates: list[tuple[bytes, dict]], units: list, folder: Path) -> float:
    """``templates``: (rendered .docx with tokens, values function) for the letter and the outline."""
    folder.mkdir(parents=True, exist_ok=True)
    started, pending = time.perf_counter(), []
    for u in units:
        for k, (docx, values) in enumerate(templates):
            vals = {t: xml_escape(v) for t, v in values(u).items()}
            buf = io.BytesIO()
            with zipfile.ZipFile(io.BytesIO(docx)) as src, \
                    zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
                for info in src.infolist():
                    data = src.read(info)
                    if info.filename.endswith((".xml", ".rels")):
                        text = data.decode("utf-8")
                        for t, v in vals.items():
                            text = text.replace(t, v)
                        data = text.encode("utf-8")
                    dst.writestr(info.filename, data)
            tmp, target = folder / f".{u.code}-{k}.tmp", folder / f"{u.code}-{k}.docx"
            tmp.write_bytes(buf.getvalue())
            pending.append((tmp, target))
    os.sync()
    for tmp, target in pending:
        os.replace(tmp, target)
    return time.perf_counter() - started


def _source(stamp: Stamp) -> bytes:
    """The stamp's template as a .docx with its tokens in place (what the bare loop starts from)."""
    return stamp.fill({t: t for part in stamp.parts for t in part.pieces if isinstance(t, str)})


def _round(n: int, bare_first: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rt = open_cycle(write_plan(n, folder / "plan.yaml"), clock.now(), home=folder / "home",
                        database_url=f"sqlite:///{folder / 'g.db'}")
        units = list(rt.plan.units)
        docs = UnitDocuments(rt, AS_OF)
        docs.render(units[:1], {})  # the templates are rendered once a run: not timed
        templates = [(_source(docs._letter(AS_OF, units[0])), lambda u: letter_values(rt.plan, u)),
                     (_source(docs._outline(units[0])), outline_values)]
        bare = _bare(templates, units, folder / "bare") if bare_first else None
        started = time.perf_counter()
        _, rendered = docs.render(units, {})
        stamp = time.perf_counter() - started
        if bare is None:
            bare = _bare(templates, units, folder / "bare")
        rt.db.dispose()
    assert rendered == 2 * n, rendered
    return {"bare_first": bare_first, "stamp_s": round(stamp, 2), "bare_s": round(bare, 2),
            "ratio": round(stamp / bare, 2)}


def run(n: int = 500, rounds: int = 2) -> dict:
    """Alternating rounds of stamping and the bare zipfile loop for ``n`` units."""
    results = [_round(n, bare_first=i % 2 == 0) for i in range(rounds)]
    return {"name": "notify_unit", "units": n, "rounds": results,
            "per_unit_ms": round(min(r["stamp_s"] for r in results) / n * 1000, 2),
            "ratio": round(statistics.median(r["ratio"] for r in results), 2), "target": 1.0,
            "load": os.getloadavg()[0]}


if __name__ == "__main__":
    from bench._cli import main

    main(run, 500)
