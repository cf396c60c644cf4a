"""``python -m bench``: run every benchmark and print one result line each.

The whole cycle runs at 18 and 200 units here; the country (10,600) takes long and runs alone:
``python -m bench.cycle 10600``.
"""

from __future__ import annotations

import json
import platform

from bench import cycle, delivery, imap_intake, intake, notify_unit, outbox_smtp, remind_sweep

if __name__ == "__main__":
    print(json.dumps({"python": platform.python_version(), "machine": platform.machine(),
                      "processor": platform.processor() or platform.platform()}))
    for bench in (notify_unit, intake, delivery, outbox_smtp, remind_sweep, imap_intake, cycle):
        print(json.dumps(bench.run(), ensure_ascii=False))
