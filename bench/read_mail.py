"""CPU a collect worker spends reading one mailed report, an older revision against the working tree.

``python -m bench.read_mail MAILDIR PLAN [--old REV] [-n N] [--rounds R]``: N messages taken evenly
from ``MAILDIR/cur`` (as a demo run leaves them), each read as ``collect.workers._read_mail`` does
(``parse_fetched``, the sender's unit and day, ``check_with`` on every form), by ``REV``'s code
(default ``main``; exported with ``git archive`` and imported as ``giamsat_old``) and by this
tree's, in one process, rounds alternating which goes first. Prints the CPU time per message of
each and their ratio, after checking both give the same mails and validations (by ``repr``).

``--processes K``: each reader is also timed alone, K times each, in a fresh process that reads
other messages first (imports, the plan's caches) and then the N messages once, as a worker meets
them: no cache the other reader filled (``re``'s compiled patterns, parsed headers) and no
message seen twice. Prints the medians too. Use N of a thousand or more: smaller sets fit the
header and pattern caches, which real intake (every message new) never hits. Trust these over
the in-process ratio: there the old reader's per-message boundary patterns push the new one's
patterns out of ``re``'s shared cache, a cost neither pays alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import io
import json
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_IMPORTS = re.compile(r"\b(from|import) giamsat(?=[. ])")


def _old_package(rev: str, into: Path) -> None:
    """``rev``'s ``giamsat`` package under ``into/giamsat_old``, its imports renamed."""
    blob = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "giamsat"], check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        tar.extractall(into, filter="data")
    (into / "giamsat").rename(into / "giamsat_old")
    for path in (into / "giamsat_old").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        text = _IMPORTS.sub(r"\1 giamsat_old", text).replace('"giamsat.', '"giamsat_old.')
        path.write_text(text, encoding="utf-8")


def _reader(package: str, plan: Path) -> Callable[[bytes, dt.datetime, int], object]:
    schema = importlib.import_module(f"{package}.plan.schema")
    intake = importlib.import_module(f"{package}.collect.intake")
    incoming = importlib.import_module(f"{package}.messaging.incoming")
    base = intake.check_base(types.SimpleNamespace(plan=schema.load_plan(plan)))
    now = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)

    def read(raw: bytes, arrived: dt.datetime, i: int) -> object:
        mail = incoming.parse_fetched(incoming.Fetched("INBOX", 0, str(i), raw, arrived),
                                      base.limits.max_file_bytes)
        _, day, code = base.mailed(mail.arrived_at, mail.sender, now)
        return mail, [intake.check_with(base, a.data, day, None, code) for a in mail.forms]
    return read


def _sample(maildir: Path, n: int, skip: int = 0) -> list[tuple[bytes, dt.datetime]]:
    paths = sorted((maildir / "cur").iterdir())
    paths = paths[skip::max(1, len(paths) // n)][:n]
    return [(p.read_bytes(), dt.datetime.fromtimestamp(p.stat().st_mtime, tz=dt.UTC)) for p in paths]


def alone(maildir: Path, plan: Path, package: str, n: int, tmp: Path) -> float:
    """CPU ms per message of ``package``'s reader on ``n`` messages met once, in this process."""
    sys.path.insert(0, str(tmp))
    read = _reader(package, plan)
    for i, (raw, at) in enumerate(_sample(maildir, 50, skip=1)):  # warm: imports, plan caches
        read(raw, at, i)
    mails = _sample(maildir, n)
    started = time.process_time()
    for i, (raw, at) in enumerate(mails):
        read(raw, at, i)
    return (time.process_time() - started) / len(mails) * 1000


def _alone_medians(maildir: Path, plan: Path, n: int, processes: int, tmp: str) -> dict[str, float]:
    times: dict[str, list[float]] = {"old": [], "new": []}
    for k in range(processes):
        for name in ("old", "new") if k % 2 == 0 else ("new", "old"):
            package = "giamsat_old" if name == "old" else "giamsat"
            out = subprocess.run([sys.executable, "-m", "bench.read_mail", str(maildir), str(plan),
                                  "-n", str(n), "--alone", package, "--tmp", tmp], cwd=ROOT,
                                 check=True, capture_output=True, text=True).stdout
            times[name].append(float(out))
    return {name: round(statistics.median(v), 2) for name, v in times.items()}


def run(maildir: Path, plan: Path, old: str = "main", n: int = 300, rounds: int = 6,
        processes: int = 0) -> dict:
    """Both readers on the same ``n`` messages, ``rounds`` times each; CPU seconds per message."""
    mails = _sample(maildir, n)
    with tempfile.TemporaryDirectory() as tmp:
        _old_package(old, Path(tmp))
        sys.path.insert(0, tmp)
        readers = {"old": _reader("giamsat_old", plan), "new": _reader("giamsat", plan)}
        same = len({repr([f(raw, at, i) for i, (raw, at) in enumerate(mails)])
                    for f in readers.values()}) == 1
        spent = {"old": 0.0, "new": 0.0}
        for k in range(rounds):
            for name in ("old", "new") if k % 2 == 0 else ("new", "old"):
                started = time.process_time()
                for i, (raw, at) in enumerate(mails):
                    readers[name](raw, at, i)
                spent[name] += time.process_time() - started
        medians = _alone_medians(maildir, plan, n, processes, tmp) if processes else {}
    per = {name: round(s / rounds / len(mails) * 1000, 2) for name, s in spent.items()}
    out = {"bench": "read_mail", "messages": len(mails), "rounds": rounds, "old": old,
           "same_results": same, "old_ms_per_mail": per["old"], "new_ms_per_mail": per["new"],
           "new_over_old": round(spent["new"] / spent["old"], 3)}
    if medians:
        out.update({"processes": processes, "alone_old_ms_per_mail": medians["old"],
                    "alone_new_ms_per_mail": medians["new"],
                    "alone_new_over_old": round(medians["new"] / medians["old"], 3)})
    return out


if __name__ == "__main__":
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("maildir", type=Path)
    args.add_argument("plan", type=Path)
    args.add_argument("--old", default="main")
    args.add_argument("-n", type=int, default=300)
    args.add_argument("--rounds", type=int, default=6)
    args.add_argument("--processes", type=int, default=0)
    args.add_argument("--alone", help=argparse.SUPPRESS)  # one reader in this process (internal)
    args.add_argument("--tmp", type=Path, help=argparse.SUPPRESS)
    a = args.parse_args()
    if a.alone:
        print(alone(a.maildir, a.plan, a.alone, a.n, a.tmp))
    else:
        print(json.dumps(run(a.maildir, a.plan, a.old, a.n, a.rounds, a.processes)))
