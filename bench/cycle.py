"""The whole cycle (``giamsat demo``: Prefect flows on a simulated clock) at N units.

``python -m bench.cycle [N ...] [--out DIR]`` (default 18 and 200; the country is 10600) writes a
synthetic plan with ``bench.generate`` for each N and runs the demo on it in a child process, so
each size starts cold and its peak RSS is its own (``os.wait4``: the largest of the child and the
processes it waited for, e.g. Prefect's temporary server). The child times every flow run by step
and, inside it, the service calls the tasks make (and ``Runtime.load``): the work. A step's
orchestration is its flow wall time minus that work; the first flow run also starts Prefect's
temporary server, reported apart. What the demo does between flows (dropping synthetic reports,
drawing, recording visits) is "runner" work. The growth exponent between two sizes is
log(t2/t1) / log(n2/n1): 1 is linear.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

from bench import generate

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SIZES = (18, 200)


def run_size(n: int, out: Path) -> dict:
    """Run the demo on a fresh N-unit plan in a child process; wall time, peak RSS and its timings."""
    out.mkdir(parents=True, exist_ok=True)
    plan = generate.write_plan(n, out / f"plan-{n}.yaml")
    result, log = out / f"timings-{n}.json", out / f"demo-{n}.log"
    result.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "bench._cycle_child", str(plan), str(out / f"run-{n}"), str(result)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIAMSAT_", "PREFECT_"))}
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    timings = json.loads(result.read_text(encoding="utf-8")) if result.exists() else {}
    if proc.returncode != 0:  # stopped or failed: what was measured up to the last flow run
        return {"units": n, "ok": False, "wall_s": round(wall, 1), "log": str(log),
                "peak_rss_mb": round(usage.ru_maxrss / 1024), "error": log.read_text(
                    encoding="utf-8")[-1500:], **timings}
    return {"units": n, "ok": True, "wall_s": round(wall, 1),
            "peak_rss_mb": round(usage.ru_maxrss / 1024), **timings}


def growth(results: list[dict]) -> list[dict]:
    """The exponent of wall time against N between consecutive sizes (1.0 = linear)."""
    ok = [r for r in results if r.get("ok")]
    return [{"from": a["units"], "to": b["units"],
             "exponent": round(math.log(b["demo_s"] / a["demo_s"]) / math.log(b["units"] / a["units"]), 2)}
            for a, b in zip(ok, ok[1:], strict=False) if b["units"] != a["units"]]


def run(sizes: tuple[int, ...] = DEFAULT_SIZES, out: Path = ROOT / "var" / "bench-cycle") -> dict:
    """Every size in turn, then the growth between them."""
    results = [run_size(n, out) for n in sizes]
    return {"name": "cycle", "sizes": results, "growth": growth(results)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(DEFAULT_SIZES))
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench-cycle")
    args = parser.parse_args(argv)
    print(json.dumps(run(tuple(args.sizes), args.out), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
