"""A local SMTP server in its own process for ``bench.outbox_smtp``: accepts every message.

``python -m bench._smtp_peer PORT`` prints ``ready`` once listening; each line read on stdin
is answered with the number of messages accepted so far; end of input stops it.
"""

from __future__ import annotations

import sys

from aiosmtpd.controller import Controller


class Counter:
    """Counts the messages it accepts and drops them."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def main(port: int) -> None:
    handler = Counter()
    controller = Controller(handler, hostname="127.0.0.1", port=port, data_size_limit=64 * 1024 * 1024)
    controller.start()
    print("ready", flush=True)
    try:
        for _ in sys.stdin:
            print(handler.count, flush=True)
    finally:
        controller.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]))
