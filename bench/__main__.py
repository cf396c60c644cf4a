"""``python -m bench``: run every benchmark and print one result line each."""

from __future__ import annotations

import json
import platform

from bench import outbox_smtp, render_letter

if __name__ == "__main__":
    print(json.dumps({"python": platform.python_version(), "machine": platform.machine(),
                      "processor": platform.processor() or platform.platform()}))
    for bench in (render_letter, outbox_smtp):
        print(json.dumps(bench.run(), ensure_ascii=False))
