"""CPU the demo's fill worker spends on one synthetic e-mailed report, an older revision against this tree.

``python -m bench.fill_mail OUTLINES [--old REV] [-n N] [--rounds R]``: N reports made as
``demo.drops.fill_and_stage`` makes them (the form filled from a commune's outline, its message
built and staged in a Maildir's ``tmp/``), the outlines taken from ``OUTLINES`` (the
``documents/notify`` folder a demo run leaves), every fault and every third one signed, by
``REV``'s code (default ``main``, exported as ``giamsat_old`` as ``bench.read_mail`` does) and by
this tree's, in one process, rounds alternating which goes first. Prints the CPU time per report of
each and their ratio, after checking both wrote the same forms and messages, byte for byte.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import sys
import tempfile
import time
from collections.abc import Callable
from email.utils import formataddr
from pathlib import Path

from bench.read_mail import _old_package

FAULTS = (None, None, None, "balance", None, "text_in_number", None, "rate", None, "overspent",
          None, "missing_narrative")


def _filler(package: str, outlines: list[Path], out: Path) -> Callable[[int], tuple[bytes, bytes]]:
    """One report ``i`` made by ``package``: its form's bytes and its message's bytes."""
    drops = importlib.import_module(f"{package}.demo.drops")
    mail_drop = importlib.import_module(f"{package}.demo.mail_drop")
    voice = importlib.import_module(f"{package}.demo.synthetic").Voice()
    box = out / "mail"

    def fill(i: int) -> tuple[bytes, bytes]:
        code = f"{20001 + i % len(outlines)}"
        arrived = dt.datetime(2024, 4, 2 + i % 20, 10, i % 60, tzinfo=dt.UTC)
        target = out / f"Bao cao Xã Số {i} {arrived:%d-%m}.docx"
        job = (outlines[i % len(outlines)], target, int(code) * 1000 + i, FAULTS[i % len(FAULTS)],
               ("Thôn Một", "Thôn Hai", "Thôn Ba"), voice)
        m = mail_drop.Letter(code=code, domain="xa.example", stem=f"Bao cao Xã Số {i} {arrived:%d-%m}",
                             to=formataddr(("Phòng LĐTBXH", "office@example.org")),
                             subject=f"Báo cáo kết quả thực hiện Chương trình năm 2024 - Xã Số {i}",
                             text="Kính gửi Phòng,\n\nXã gửi báo cáo.\n\nTrân trọng.\n",
                             sender=formataddr((f"UBND Xã Số {i}", f"xa{i}@xa.example")), arrived=arrived,
                             signed=i % 3 == 1)
        key = drops.fill_and_stage(job, m, box)
        return target.read_bytes(), (box / "tmp" / key).read_bytes()
    return fill


def run(outlines: Path, old: str = "main", n: int = 200, rounds: int = 4) -> dict:
    """Both fillers on the same ``n`` reports, ``rounds`` times each; CPU ms per report."""
    blanks = sorted(outlines.glob("de-cuong-*.docx"))[:50]
    with tempfile.TemporaryDirectory() as tmp:
        _old_package(old, Path(tmp))
        sys.path.insert(0, tmp)
        fillers = {}
        for name, package in (("old", "giamsat_old"), ("new", "giamsat")):
            (Path(tmp) / name).mkdir()
            fillers[name] = _filler(package, blanks, Path(tmp) / name)
        made = {name: [f(i) for i in range(n)] for name, f in fillers.items()}  # also warms both
        same = made["old"] == made["new"]
        spent = {"old": 0.0, "new": 0.0}
        for k in range(rounds):
            for name in ("old", "new") if k % 2 == 0 else ("new", "old"):
                started = time.process_time()
                for i in range(n):
                    fillers[name](i)
                spent[name] += time.process_time() - started
    per = {name: round(s / rounds / n * 1000, 2) for name, s in spent.items()}
    return {"bench": "fill_mail", "reports": n, "rounds": rounds, "old": old, "same_bytes": same,
            "old_ms_per_report": per["old"], "new_ms_per_report": per["new"],
            "new_over_old": round(spent["new"] / spent["old"], 3)}


if __name__ == "__main__":
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("outlines", type=Path)
    args.add_argument("--old", default="main")
    args.add_argument("-n", type=int, default=200)
    args.add_argument("--rounds", type=int, default=4)
    a = args.parse_args()
    print(json.dumps(run(a.outlines, a.old, a.n, a.rounds)))
